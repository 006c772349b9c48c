"""An agent works from /<lang>/agent/ with the keyboard only (after logging in): a notification arrives live, they
read the shortcut help, go online, answer and end a chat a visitor started, then find a ticket assigned to them by
its reference, reply and solve it. Screenshots in English, Japanese and Chinese."""
import threading

import pytest
from playwright.sync_api import expect

from livechat.models import Conversation
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def off_the_browser_thread(action):
    """Run a service from another thread, as a request or a task would: Playwright keeps an event loop in this one."""
    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("value", action()))
    worker.start()
    worker.join(timeout=30)
    return outcome["value"]


def eventually(check, tab, timeout=5.0):
    """Poll the database while the page's frames are processed by the server."""
    for _ in range(int(timeout * 10)):
        if check():
            return
        tab.wait_for_timeout(100)
    assert check()


def press(tab, *keys):
    for key in keys:
        tab.keyboard.press(key)


def tab_to(tab, selector, limit=40):
    """Press Tab until the element matching `selector` has the focus."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"could not reach {selector} with Tab")


def test_agent_answers_a_chat_and_solves_a_ticket_by_keyboard(new_page, asgi_server, screenshot):
    server = asgi_server.start()
    agent = AgentFactory(email="aiko@example.com", name="Aiko", languages=["en", "ja"], capacity=2)
    customer = UserFactory(email="kenji@example.com", name="Kenji")
    other = AgentFactory(email="lead@example.com", name="Lead")
    ticket = ticket_services.ticket_create(requester=customer, subject="Deposit not credited", body="Where is it?")

    tab = new_page(base_url=server)
    log_in(tab, "aiko@example.com", PASSWORD)
    tab.goto("/en/agent/")
    expect(tab.locator("#console-status")).to_have_text("Connected.")
    expect(tab.get_by_test_id("tickets-assigned")).to_contain_text("Nothing here.")

    # Someone assigns the ticket to Aiko: a toast, the unread badge and the ticket list change without a reload.
    off_the_browser_thread(lambda: ticket_services.ticket_update(ticket=ticket, actor=other, assignee=agent))
    expect(tab.get_by_test_id("toast")).to_contain_text(f"{ticket.ref} was assigned to you")
    expect(tab.get_by_test_id("workspace-unread")).to_have_text("1")
    expect(tab.get_by_test_id("tickets-assigned")).to_contain_text(ticket.ref)
    expect(tab.get_by_test_id("tickets-replied")).to_contain_text("Deposit not credited")  # the customer wrote last
    # Desktop notifications are only offered, never asked for on load.
    expect(tab.locator("#desktop-notifications")).to_have_text("Turn on desktop notifications")
    assert tab.evaluate("Notification.permission") == "default"

    # The help overlay: a dialog opened with ?, closed with Esc, focus back where it was.
    tab_to(tab, ".skip-link")
    press(tab, "?")
    help_dialog = tab.get_by_role("dialog", name="Keyboard shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Next chat")
    expect(help_dialog).to_contain_text("Go to live chats")
    screenshot("help-en", tab)
    press(tab, "Escape")
    expect(help_dialog).to_be_hidden()
    assert tab.evaluate("document.activeElement.classList.contains('skip-link')")

    # A visitor starts a chat; it waits in the English queue.
    visitor = new_page(base_url=server, viewport={"width": 390, "height": 844})
    visitor.goto("/en/chat/")
    visitor.locator("#prechat-name").fill("Mia")
    visitor.locator("#prechat-email").fill("mia@example.com")
    visitor.locator("#prechat-topic").fill("Card payment")
    visitor.get_by_role("button", name="Start chat").click()
    expect(visitor.locator("#chat-status")).to_contain_text("You are number 1 in line")
    visitor.get_by_role("button", name="Keep waiting").click()
    visitor.locator("#chat-input").fill("My card payment failed twice")
    visitor.locator("#chat-input").press("Enter")
    expect(tab.get_by_test_id("queues")).to_contain_text("1 waiting")

    # Aiko goes online with the keyboard: the chat is routed to her and listed with its unread message.
    tab_to(tab, "#presence")
    press(tab, "ArrowUp", "ArrowUp")
    expect(tab.locator("#presence")).to_have_value("online")
    chats = tab.get_by_test_id("my-chats")
    expect(chats).to_contain_text("Mia")
    expect(chats.get_by_test_id("chat-unread")).to_have_text("1")
    screenshot("workspace-en", tab)

    # n: the next chat opens in the console with the composer focused, which marks it read.
    press(tab, "Escape", "n")
    expect(tab).to_have_url(f"{server}/en/agent/chats/#chat={Conversation.objects.get().id}")
    chat = tab.get_by_test_id("console-chat")
    expect(chat.locator(".chat-log")).to_contain_text("My card payment failed twice")
    expect(chat.locator(".js-input")).to_be_focused()
    expect(chat.get_by_test_id("chat-unread")).to_be_hidden()
    press(tab, "Escape", "?")
    expect(tab.get_by_role("dialog")).to_contain_text("End the chat")
    press(tab, "Escape", "r")
    expect(chat.locator(".js-input")).to_be_focused()
    conversation = Conversation.objects.get()
    assert conversation.agent_id == agent.pk
    eventually(lambda: Conversation.objects.filter(agent_read_seq=conversation.last_seq).exists(), tab)
    tab.keyboard.type("Hi Mia, I am checking the payment now.")
    press(tab, "Enter")
    expect(visitor.locator("#chat-log")).to_contain_text("Hi Mia, I am checking the payment now.")
    # Shortcuts do not fire while typing: these letters land in the message box.
    tab.keyboard.type("gen")
    expect(chat.locator(".js-input")).to_have_value("gen")
    press(tab, "Control+a", "Delete", "Escape", "e")  # leave the box, end the chat
    expect(visitor.locator("#csat-form")).to_be_visible()
    assert Conversation.objects.filter(status="closed", closed_by="agent").exists()

    # g h: home; /: search; the ticket reference opens the ticket; r, type, Esc, e: replied and solved.
    press(tab, "g", "h")
    expect(tab).to_have_url(f"{server}/en/agent/")
    tab.wait_for_load_state()  # the URL changes before the page's scripts listen for keys
    press(tab, "/")
    expect(tab.locator("#workspace-q")).to_be_focused()
    tab.keyboard.type(ticket.ref)
    press(tab, "Enter")
    expect(tab).to_have_url(f"{server}/en/agent/tickets/{ticket.ref}/")
    tab.wait_for_load_state()  # the URL changes before the page's scripts listen for keys
    press(tab, "m")
    expect(tab.locator("#id_macro")).to_be_focused()
    press(tab, "Escape", "i")
    expect(tab.locator("#id_body")).to_be_focused()
    expect(tab.locator("#id_internal")).to_be_checked()
    press(tab, "Escape", "r")  # a public reply after all
    expect(tab.locator("#id_body")).to_be_focused()
    expect(tab.locator("#id_internal")).not_to_be_checked()
    tab.keyboard.type("Your deposit is credited now.")
    press(tab, "Escape")
    screenshot("ticket-before-solve", tab)
    press(tab, "e")
    expect(tab.locator(".messages")).to_contain_text("Reply sent.")
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == Status.SOLVED
    assert ticket.messages.filter(author=agent, is_internal=False, body="Your deposit is credited now.").exists()
    screenshot("ticket-solved", tab)

    # The same workspace in Japanese and Chinese: every text translated where translations exist, nothing cut off.
    for lang in ("ja", "zh-hans"):
        tab.goto(f"/{lang}/agent/")
        expect(tab.locator("html")).to_have_attribute("lang", lang)
        expect(tab.get_by_test_id("my-tickets")).to_be_visible()
        tab.wait_for_timeout(300)
        screenshot(f"workspace-{lang}", tab)
    press(tab, "?")
    expect(tab.get_by_role("dialog")).to_be_visible()
    screenshot("help-zh-hans", tab)
    press(tab, "Escape")
    tab.set_viewport_size({"width": 390, "height": 844})  # on a phone: one column, nothing wider than the screen
    assert tab.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("workspace-zh-hans-phone", tab)
