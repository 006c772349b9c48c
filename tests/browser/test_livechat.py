"""A visitor starts a chat in Spanish and sees their place in line; an agent who serves Spanish goes online in the
console and gets it; they talk; the visitor's network drops and comes back with nothing lost or doubled; the
agent ends the chat and the visitor rates it."""
import pytest
from playwright.sync_api import expect

from livechat.models import ChatMessage, Conversation
from tests.factories import PASSWORD, AgentFactory
from tests.tickets.files import png_bytes

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_spanish_visitor_chats_with_an_agent_through_a_network_drop(new_page, asgi_server, screenshot, tmp_path):
    # Two server processes behind one "load balancer": the visitor on one, the agent on the other.
    server, agent_server = asgi_server.start(), asgi_server.start()
    AgentFactory(email="marta@example.com", name="Marta", languages=["es"], capacity=2)
    visitor = new_page(base_url=server, viewport={"width": 390, "height": 844})
    visitor.goto("/es/chat/")
    visitor.locator("#prechat-name").fill("Lucía")
    visitor.locator("#prechat-email").fill("lucia@example.com")
    visitor.locator("#prechat-topic").fill("Retiro pendiente")
    visitor.get_by_role("button", name="Iniciar chat").click()
    status = visitor.locator("#chat-status")
    expect(status).to_contain_text("Eres el número 1 en la fila")
    expect(visitor.locator("#chat-offer")).to_be_visible()  # nobody online for Spanish: offered to leave a message
    screenshot("visitor-queued", visitor)
    visitor.get_by_role("button", name="Seguir esperando").click()

    agent = new_page(base_url=agent_server)
    log_in(agent, "marta@example.com", PASSWORD, lang="es")
    agent.goto("/es/agent/chats/")
    expect(agent.get_by_test_id("queues")).to_contain_text("Lucía")
    agent.locator("#presence").select_option("online")
    chat = agent.get_by_test_id("console-chat")
    expect(chat).to_contain_text("Lucía")
    expect(status).to_contain_text("Marta")

    visitor.locator("#chat-input").fill("Hola, mi retiro sigue pendiente")
    visitor.locator("#chat-input").press("Enter")
    expect(chat.locator(".chat-log")).to_contain_text("Hola, mi retiro sigue pendiente")
    chat.locator(".js-input").fill("Hola Lucía, lo reviso ahora mismo.")
    chat.locator(".js-input").press("Enter")
    expect(visitor.locator("#chat-log")).to_contain_text("Hola Lucía, lo reviso ahora mismo.")
    screenshot("agent-console", agent)

    # The visitor's connection drops (their server goes away); meanwhile both sides write.
    address = server.rsplit(":", 1)[1]
    asgi_server.stop(server)
    expect(status).to_contain_text("Reconectando", timeout=15_000)
    visitor.locator("#chat-input").fill("¿Sigues ahí?")
    visitor.locator("#chat-input").press("Enter")
    expect(visitor.locator(".chat-pending")).to_have_count(1)
    chat.locator(".js-input").fill("Ya está aprobado.")
    chat.locator(".js-input").press("Enter")
    expect(chat.locator(".chat-log")).to_contain_text("Ya está aprobado.")
    asgi_server.start(port=int(address))  # the connection comes back
    expect(visitor.locator("#chat-log")).to_contain_text("Ya está aprobado.", timeout=15_000)
    expect(chat.locator(".chat-log")).to_contain_text("¿Sigues ahí?", timeout=15_000)
    expect(visitor.locator(".chat-pending")).to_have_count(0)
    conversation = Conversation.objects.get()
    bodies = list(ChatMessage.objects.filter(conversation=conversation).values_list("body", flat=True))
    assert bodies.count("¿Sigues ahí?") == 1 and bodies.count("Ya está aprobado.") == 1
    texts = visitor.locator("#chat-log .chat-body").all_inner_texts()
    assert len(texts) == len(set(texts)) == 4  # every message once, none missing
    screenshot("visitor-after-drop", visitor)

    # A screenshot of the problem, sent from the chat, reaches the agent; the visitor sees it too.
    picture = tmp_path / "captura.png"
    picture.write_bytes(png_bytes(size=(120, 80)))
    visitor.locator("#chat-file").set_input_files(str(picture))
    expect(chat.locator(".chat-file")).to_contain_text("captura.png")
    shown = visitor.locator("#chat-log .chat-file img")
    expect(shown).to_be_visible()
    visitor.wait_for_function("() => document.querySelector('#chat-log .chat-file img').naturalWidth === 120")

    chat.locator(".js-close").click()
    expect(visitor.locator("#csat-form")).to_be_visible()
    visitor.locator("input[name=score][value='5']").check()
    visitor.locator("#csat-comment").fill("Muy rápido")
    visitor.get_by_role("button", name="Enviar valoración").click()
    expect(status).to_contain_text("Gracias por tu valoración")
    conversation.refresh_from_db()
    assert (conversation.csat_score, conversation.csat_comment) == (5, "Muy rápido")
    screenshot("visitor-rated", visitor)
