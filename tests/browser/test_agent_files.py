"""Agents send files in chat (issue #24): attached with the paper-clip (keyboard reachable) or pasted as a screenshot,
waiting above the text until sent, checked and read for secrets like a customer's; the customer sees the picture
inline once read, the console shows it inline too. A refused file keeps the text and the file in the composer and
says why in the page's language. Screenshots: test-artifacts/agent-files-*.png."""
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from livechat import services as chat_services
from livechat.models import ChatAttachment, SenderKind
from tests.factories import PASSWORD, AgentFactory
from tests.leaks import english_on_page

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASTE_JS = """(bytes) => {
  const file = new File([new Uint8Array(bytes)], "image.png", { type: "image/png" });
  const data = new DataTransfer();
  data.items.add(file);
  const box = document.querySelector('[data-testid=console-chat] .js-input');
  box.focus();
  box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""


def png(color):
    out = io.BytesIO()
    Image.new("RGB", (320, 200), color).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("lang", ["ko", "zh-hans"])
def test_an_agent_pastes_a_screenshot_and_attaches_a_file(new_page, asgi_server, settings, tmp_path, lang):
    server = asgi_server.start()
    settings.MEDIA_ROOT = asgi_server.media_root
    AgentFactory(email="agent@example.com", name="Jun", languages=[lang], capacity=2)
    page = new_page(base_url=server)
    log_in(page, "agent@example.com", PASSWORD, lang=lang)
    page.goto(f"/{lang}/agent/chats/")
    page.locator("#presence").select_option("online")
    chat = chat_services.conversation_start(language=lang, visitor_name="Min", visitor_email="min@example.com",
                                            with_bot=False)
    card = page.get_by_test_id("console-chat")
    expect(card).to_contain_text("Min")

    # A pasted screenshot waits above the text, named and previewed; sent with the text as one message.
    page.evaluate(PASTE_JS, list(png("#2f6fed")))
    chip = card.get_by_test_id("composer-file")
    expect(chip).to_be_visible()
    expect(chip).to_contain_text("screenshot-")
    card.locator(".js-input").fill("이 화면을 보세요 / 请看这个画面")
    assert english_on_page(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"agent-files-{lang}-pasted.png"), full_page=True)
    card.locator(".js-input").press("Enter")
    expect(chip).to_be_hidden()
    held = card.locator(".chat-mine [data-scan=pending]")
    expect(held).to_be_visible()  # read for secrets first, like a customer's file
    attachment = ChatAttachment.objects.select_related("message").get()
    assert attachment.message.sender_kind == SenderKind.AGENT and attachment.filename.startswith("screenshot-")
    assert attachment.message.body == "이 화면을 보세요 / 请看这个画面"
    assert chat_services.chat_attachment_scan(attachment_id=attachment.pk) in ("clean", "skipped")
    thumb = card.locator(".chat-mine img.chat-thumb")
    expect(thumb).to_be_visible()
    page.wait_for_function("() => { const img = document.querySelector('.chat-mine img.chat-thumb');"
                           " return img && img.complete && img.naturalWidth > 0; }")

    # The paper-clip is reached by the keyboard; a file that is not what it claims is refused, nothing is lost.
    card.locator(".js-input").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('js-file')")
    fake = tmp_path / "invoice.png"
    fake.write_bytes(b"MZ\x90\x00 this is not a picture")
    card.locator(".js-file").set_input_files(str(fake))
    card.locator(".js-input").fill("청구서 / 发票")
    card.locator(".js-send").click()
    error = card.locator(".js-file-error")
    expect(error).to_be_visible()
    expect(card.locator(".js-input")).to_have_value("청구서 / 发票")
    expect(chip).to_contain_text("invoice.png")
    assert english_on_page(page) == []
    page.screenshot(path=str(ARTIFACTS / f"agent-files-{lang}-refused.png"), full_page=True)
    assert ChatAttachment.objects.count() == 1
    chat.refresh_from_db()
    assert chat.last_seq == 1
