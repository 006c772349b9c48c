"""The customer's chat on a phone is a full-screen messenger (issue #24): once a chat is open, the site header
collapses into a compact bar (back, the agent's name) and the nav is gone, the message log is the only thing that
scrolls, the composer stays at the bottom of the screen however long the conversation (and when the keyboard takes
half of it), and the rating form is reachable when the chat ends. The pre-chat form stays a normal page, the
desktop page does not change, and in the widget's frame on a phone the panel fills the screen and its bar closes
it. Screenshots: test-artifacts/test_*messenger*.png."""
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from livechat import services as chat_services
from livechat.models import Conversation
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory
from tests.leaks import english_on_page

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TEXTS = {
    "ru": {"agent": "Ольга", "name": "Иван", "mine": "Где мой перевод? Номер заявки {i}",
           "theirs": "Проверяю, секунду. Шаг {i}", "long": "Первая строка\nвторая\nтретья\nчетвёртая\nпятая\nшестая"},
    "ko": {"agent": "김지수", "name": "이민호", "mine": "출금이 아직 안 들어왔어요 {i}",
           "theirs": "확인해 드리겠습니다. 잠시만요 {i}", "long": "첫째 줄\n둘째 줄\n셋째 줄\n넷째 줄\n다섯째 줄\n여섯째 줄"},
}


def online_agent(lang, name):
    agent = AgentFactory(email=f"{lang}-agent@example.com", name=name, languages=[lang], capacity=3)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE, last_seen_at=timezone.now())
    return agent


def start_chat(tab, lang, name):
    tab.goto(f"/{lang}/chat/")
    tab.locator("#prechat-name").fill(name)
    tab.locator("#prechat-email").fill("visitor@example.com")
    tab.locator("#prechat button[type=submit]").click()


def box(tab, selector):
    return tab.locator(selector).bounding_box()


def page_scrolls(tab):
    """Whether the page itself can scroll (it must not: only the log does)."""
    return tab.evaluate("() => document.scrollingElement.scrollHeight > window.innerHeight + 1 || window.scrollY > 0")


@pytest.mark.parametrize("lang", ["ru", "ko"])
def test_on_a_phone_an_open_chat_is_a_full_screen_messenger(new_page, asgi_server, screenshot, lang):
    server = asgi_server.start()
    text = TEXTS[lang]
    agent = online_agent(lang, text["agent"])
    tab = new_page(base_url=server, viewport=PHONE)
    tab.goto(f"/{lang}/chat/")
    expect(tab.locator(".main-nav")).to_be_visible()  # the pre-chat form is a normal page
    expect(tab.locator(".messenger-back")).to_be_hidden()

    start_chat(tab, lang, text["name"])
    expect(tab.locator("#messenger-agent")).to_have_text(text["agent"], timeout=15_000)
    chat = Conversation.objects.get()
    for i in range(20):
        chat_services.customer_message_post(conversation_id=chat.id, body=text["mine"].format(i=i))
        chat_services.message_post(conversation_id=chat.id, sender_kind="agent", sender=agent,
                                   body=text["theirs"].format(i=i))
    messages = tab.locator("#chat-log .chat-msg:not(.chat-system)")
    expect(messages).to_have_count(40, timeout=15_000)

    # The header collapsed: no nav, no footer; the compact bar with a way back and who you talk to.
    expect(tab.locator(".main-nav")).to_be_hidden()
    expect(tab.locator(".site-footer")).to_be_hidden()
    expect(tab.locator(".messenger-back")).to_be_visible()
    assert box(tab, ".messenger-bar")["y"] == 0
    # The composer, its attach and send buttons are on the screen, at its bottom.
    for selector in ("#chat-form", "#chat-input", ".chat-attach", ".chat-send"):
        shown = box(tab, selector)
        assert shown["y"] >= 0 and shown["y"] + shown["height"] <= PHONE["height"], (selector, shown)
    assert box(tab, "#chat-form")["y"] > PHONE["height"] * 0.75
    # The log scrolls, the page does not; the newest message is in view.
    assert not page_scrolls(tab)
    log = tab.locator("#chat-log")
    assert log.evaluate("(el) => el.scrollHeight > el.clientHeight + 100")
    last, log_box = messages.last.bounding_box(), log.bounding_box()
    assert last["y"] + last["height"] <= log_box["y"] + log_box["height"] + 1
    tab.mouse.move(PHONE["width"] / 2, log_box["y"] + 100)
    tab.mouse.wheel(0, -600)
    tab.wait_for_function("() => document.getElementById('chat-log').scrollTop < "
                          "document.getElementById('chat-log').scrollHeight - document.getElementById('chat-log').clientHeight - 300")
    assert not page_scrolls(tab)
    assert english_on_page(tab) == []
    screenshot("messenger", tab)

    # A long message: the composer grows a few lines, then scrolls inside; it stays on the screen.
    single = box(tab, "#chat-input")["height"]
    tab.locator("#chat-input").fill(text["long"])
    tab.locator("#chat-input").dispatch_event("input")
    grown = box(tab, "#chat-input")
    assert single * 2 < grown["height"] <= 7.6 * 16 + 1 and grown["y"] + grown["height"] <= PHONE["height"]
    tab.locator("#chat-input").press("Enter")
    expect(messages).to_have_count(41)
    assert box(tab, "#chat-input")["height"] == single
    last = messages.last.bounding_box()
    assert last["y"] + last["height"] <= log.bounding_box()["y"] + log.bounding_box()["height"] + 1  # own: in view

    # The on-screen keyboard takes half the screen (where it resizes the viewport): the composer stays above it.
    tab.set_viewport_size({"width": 390, "height": 420})
    tab.wait_for_timeout(200)
    form = box(tab, "#chat-form")
    assert form["y"] + form["height"] <= 420 and not page_scrolls(tab)
    screenshot("messenger-keyboard", tab)

    # A smaller phone, then the chat ends: the rating form takes the composer's place, on the screen.
    tab.set_viewport_size({"width": 360, "height": 740})
    chat_services.conversation_close(conversation_id=chat.id, by="agent", actor=agent)
    expect(tab.locator("#csat-form")).to_be_visible(timeout=10_000)
    expect(tab.locator("#chat-form")).to_be_hidden()
    tab.wait_for_function("""() => {  // the log shrank for the form and still shows its end (the closing line)
      const log = document.getElementById('chat-log'), last = log.lastElementChild.getBoundingClientRect();
      return last.bottom <= log.getBoundingClientRect().bottom + 1; }""")
    send_rating = tab.locator("#csat-form button[type=submit]")
    send_rating.scroll_into_view_if_needed()
    rating = send_rating.bounding_box()
    assert rating["y"] >= 0 and rating["y"] + rating["height"] <= 740
    assert not page_scrolls(tab)
    tab.locator("#csat-form input[name=score][value='5']").check()
    screenshot("messenger-rating", tab)
    send_rating.click()
    expect(tab.locator("#csat-form")).to_be_hidden()


def test_on_a_desktop_the_chat_page_keeps_its_layout(new_page, asgi_server, screenshot):
    """1280x800: the header and nav stay, no compact bar, the panel is a card in the page as before."""
    server = asgi_server.start()
    online_agent("ru", "Ольга")
    tab = new_page(base_url=server, viewport={"width": 1280, "height": 800})
    start_chat(tab, "ru", "Иван")
    expect(tab.locator("#chat-status")).to_contain_text("Ольга", timeout=15_000)
    expect(tab.locator(".main-nav")).to_be_visible()
    expect(tab.locator(".site-footer")).to_be_visible()
    expect(tab.locator(".messenger-back")).to_be_hidden()
    expect(tab.locator("#messenger-agent")).to_be_hidden()
    expect(tab.locator(".chat-send-text")).to_be_visible()  # the word, not the phone's icon
    assert tab.locator("body").evaluate("(el) => getComputedStyle(el).position") == "static"
    assert tab.locator("#chat-panel").evaluate("(el) => getComputedStyle(el).borderTopWidth") == "1px"
    assert box(tab, "h1")["height"] > 30  # the page's big title, not the bar's
    screenshot("desktop", tab)


@pytest.mark.parametrize("lang", ["ko", "ru"])
def test_the_widget_on_a_phone_fills_the_screen_and_its_bar_closes_it(new_page, lang):
    tab = new_page(viewport=PHONE)
    tab.goto(f"/{lang}/")
    launcher = tab.locator("#support-chat-launcher")
    launcher.click()
    panel = tab.locator("#support-chat-panel")
    expect(panel).to_be_visible()
    assert panel.bounding_box() == {"x": 0, "y": 0, "width": PHONE["width"], "height": PHONE["height"]}
    expect(launcher).to_be_hidden()  # it would cover the send button
    frame = tab.frame_locator("#support-chat-panel")
    close = frame.locator("#chat-close")
    expect(close).to_be_visible()
    assert english_on_page(tab.frame(url=lambda url: "/chat/" in url)) == []
    assert tab.evaluate("() => getComputedStyle(document.documentElement).overflow") == "hidden"  # no page behind
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"phone-messenger-widget-{lang}.png"))
    close.click()
    expect(panel).to_be_hidden()
    expect(launcher).to_be_visible()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert tab.evaluate("() => getComputedStyle(document.documentElement).overflow") == "visible"
