"""A customer sends a screenshot of their wallet's recovery phrase in the chat: the agent's console holds it back
while it is read, then flags it live with what was found and shows the blurred copy; the customer's page swaps in
the blurred copy and warns them in their language that staff never ask for it."""
import pytest
from playwright.sync_api import expect

from livechat import services
from livechat.models import ChatAttachment

from .conftest import japanese_chat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("ocr")]


def test_a_phrase_screenshot_is_held_back_flagged_and_blurred_live(new_page, asgi_server, settings, tmp_path,
                                                                   rendered_screenshots, screenshot):
    server = asgi_server.start()
    settings.MEDIA_ROOT = asgi_server.media_root  # the scan below reads what the server stored
    agent, customer, chat = japanese_chat(new_page, server)

    picture = tmp_path / "wallet.png"
    picture.write_bytes(rendered_screenshots["wallet_ja"])
    customer.locator("#chat-file").set_input_files(str(picture))
    held = chat.locator("[data-scan=pending]")
    expect(held).to_contain_text("wallet.png", timeout=20_000)  # named, not shown, while it is read
    expect(chat.locator("a.chat-file")).to_have_count(0)
    mine = customer.locator("#chat-log .chat-file img")
    expect(mine).to_be_visible()  # the sender sees what they sent

    attachment = ChatAttachment.objects.get()
    assert services.chat_attachment_scan(attachment_id=attachment.pk) == "secret"

    expect(chat.get_by_test_id("attachment-secret-flag")).to_contain_text("復元フレーズ")
    expect(chat.locator("[data-scan=secret] a.chat-file")).to_have_attribute(
        "href", f"/chat-attachments/{attachment.pk}/?v=secret")
    log = customer.locator("#chat-log")
    expect(log).to_contain_text("スタッフがこれらを尋ねることは決してありません")  # the warning, in Japanese
    customer.wait_for_function(  # the page fetched the blurred copy in place of what was sent
        "() => { const img = document.querySelector('#chat-log .chat-file img');"
        " return img && img.src.includes('v=secret') && img.complete && img.naturalWidth > 0; }")
    blurred = agent.request.get(f"/chat-attachments/{attachment.pk}/").body()
    assert blurred != rendered_screenshots["wallet_ja"]
    screenshot("agent", agent)
    screenshot("customer", customer)
