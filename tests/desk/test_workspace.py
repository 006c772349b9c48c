"""The agent workspace: unread counts from the read mark (forward only, own chats only), the ticket worklist in a
constant number of queries, the frames that keep /agent/ live (read, tickets, notification), the global search
and who may open any of it."""
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.utils import timezone, translation
from django.utils.translation import gettext

from desk.selectors import agent_worklist
from livechat import services
from livechat.models import Conversation
from livechat.tokens import visitor_token
from support.asgi import application
from support.models import AgentProfile, Notification, Presence
from support.services import notification_create
from tests.factories import AgentFactory, UserFactory
from tests.livechat.test_agent_socket import agent_socket
from tests.livechat.test_consumers import ORIGIN, receive_until
from tickets import services as ticket_services
from tickets import sla
from tickets.models import SlaPolicy, Status


def online(agent):
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE, last_seen_at=timezone.now())
    return agent


def active_chat(agent, *, language="en", customer_lines=("Hello", "Anyone there?")):
    """A chat routed to `agent` with a few customer messages."""
    chat = services.conversation_start(language=language, visitor_name="Vera", visitor_email="vera@example.com")
    services.conversations_route(language=language)  # also done after commit, which plain db tests never reach
    assert Conversation.objects.get(pk=chat.id).agent_id == agent.pk
    for line in customer_lines:
        services.customer_message_post(conversation_id=chat.id, body=line)
    return Conversation.objects.get(pk=chat.id)


# --- the read mark ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_read_mark_moves_forward_only_and_never_past_the_last_message():
    """Unread = last_seq - agent_read_seq; marking an older seq or a seq beyond the end cannot break that."""
    agent = online(AgentFactory(languages=["en"]))
    chat = active_chat(agent)
    assert chat.last_seq - chat.agent_read_seq == 2
    assert services.conversation_mark_read(conversation_id=chat.id, agent=agent, seq=2) == 2
    assert services.conversation_mark_read(conversation_id=chat.id, agent=agent, seq=1) == 2  # not backwards
    assert services.conversation_mark_read(conversation_id=chat.id, agent=agent, seq=99) == 2  # not past the end
    services.customer_message_post(conversation_id=chat.id, body="Hello?")
    chat.refresh_from_db()
    assert (chat.last_seq, chat.agent_read_seq) == (3, 2)


@pytest.mark.django_db
def test_only_the_chats_own_agent_moves_its_read_mark():
    """Another agent (or the owner once the chat has left their console: wrapped up) changes nothing."""
    agent = online(AgentFactory(languages=["en"]))
    other = AgentFactory(languages=["en"])
    chat = active_chat(agent)
    assert services.conversation_mark_read(conversation_id=chat.id, agent=other, seq=2) is None
    assert Conversation.objects.get(pk=chat.id).agent_read_seq == 0
    services.conversation_close(conversation_id=chat.id, by="customer")
    # Ended, it waits for the agent's wrap-up in the console, where it is still read.
    assert services.conversation_mark_read(conversation_id=chat.id, agent=agent, seq=1) == 1
    services.conversation_wrap_up(conversation_id=chat.id, agent=agent, disposition="resolved")
    assert services.conversation_mark_read(conversation_id=chat.id, agent=agent, seq=2) is None
    assert Conversation.objects.get(pk=chat.id).agent_read_seq == 1


@pytest.mark.django_db
def test_own_reply_counts_as_read_and_a_transfer_restarts_the_mark():
    """Replying means having read the chat; the agent a chat is transferred to starts with everything unread."""
    agent = online(AgentFactory(languages=["en"]))
    chat = active_chat(agent)
    services.message_post(conversation_id=chat.id, sender_kind="agent", body="Hi Vera", sender=agent)
    chat.refresh_from_db()
    assert (chat.last_seq, chat.agent_read_seq) == (3, 3)
    colleague = online(AgentFactory(languages=["en"]))
    services.conversation_transfer(conversation_id=chat.id, by=agent, to_agent=colleague)
    chat.refresh_from_db()
    assert chat.agent_id == colleague.pk and chat.agent_read_seq == 0 and chat.last_seq == 4


# --- the ticket worklist ---------------------------------------------------------------------------------------


@pytest.fixture
def policy(db):
    return SlaPolicy.objects.create(name="24/7", first_response_minutes=60, next_response_minutes=60,
                                    resolution_minutes=1440, warning_percent=50)


def make_tickets(agent, requester, n):
    made = []
    for i in range(n):
        ticket = ticket_services.ticket_create(requester=requester, subject=f"Question {i}", body="Help please")
        ticket_services.ticket_update(ticket=ticket, actor=agent, assignee=agent)
        made.append(ticket)
    return made


@pytest.mark.django_db
def test_worklist_lists_my_open_tickets_breaching_soon_and_customer_replies(policy):
    """Assigned-and-open, past the SLA warning time, and customer-wrote-last are each their own list, only mine."""
    agent, other = AgentFactory(languages=["en"]), AgentFactory(languages=["en"])
    customer = UserFactory()
    quiet, warned, replied, solved = make_tickets(agent, customer, 4)
    make_tickets(other, customer, 1)  # someone else's: never listed
    for ticket in (quiet, warned, solved):
        ticket_services.ticket_reply(ticket=ticket, author=agent, body="On it")  # answered: not awaiting me
    ticket_services.ticket_reply(ticket=replied, author=agent, body="Which order?")
    ticket_services.ticket_reply(ticket=replied, author=customer, body="Order 42")
    ticket_services.ticket_update(ticket=solved, actor=agent, status=Status.SOLVED)
    later = timezone.now() + timedelta(minutes=31)  # past 50 % of the 60-minute next-response target
    ticket_services.ticket_reply(ticket=warned, author=customer, body="Still waiting")
    warned_timer = warned.sla_timers.get(kind="next_response", fulfilled_at__isnull=True)
    replied.sla_timers.filter(kind="next_response").update(warn_at=later + timedelta(hours=1),
                                                           due_at=later + timedelta(hours=2))
    assert warned_timer.warn_at < later

    work = agent_worklist(agent=agent, now=later)
    refs = {name: [t.ref for t in work[name]] for name in ("assigned", "breaching", "replied")}
    assert set(refs["assigned"]) == {quiet.ref, warned.ref, replied.ref}
    assert refs["breaching"] == [warned.ref]
    assert set(refs["replied"]) == {warned.ref, replied.ref}
    assert work["counts"] == {"assigned": 3, "breaching": 1, "replied": 2}
    assert refs["assigned"][0] == warned.ref  # soonest due first


@pytest.mark.django_db
def test_worklist_query_count_does_not_grow_with_tickets(policy, django_assert_num_queries):
    """Four queries for one ticket or for thirty."""
    agent, customer = AgentFactory(languages=["en"]), UserFactory()
    make_tickets(agent, customer, 1)
    with django_assert_num_queries(4):
        agent_worklist(agent=agent)
    make_tickets(agent, customer, 29)
    with django_assert_num_queries(4):
        work = agent_worklist(agent=agent)
        [t.requester.display_name for t in work["assigned"]]
    assert work["counts"]["assigned"] == 30 and len(work["assigned"]) == 10


# --- the agent socket ------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_read_frame_updates_every_socket_of_the_agent_and_refuses_other_chats():
    """The snapshot carries unread counts; a read frame moves the mark and every tab of the agent hears it; a read
    frame for another agent's chat is an error and changes nothing."""
    agent = await sync_to_async(lambda: online(AgentFactory(languages=["en"])))()
    other = await sync_to_async(AgentFactory)(languages=["en"])
    chat = await sync_to_async(active_chat)(agent)
    console, workspace = await agent_socket(agent), await agent_socket(agent)
    snapshot = await receive_until(workspace, "snapshot")
    assert [(c["conversation"], c["unread"], c["customer"]) for c in snapshot["chats"]] == [(str(chat.id), 2, "Vera")]
    await receive_until(console, "snapshot")
    await console.send_json_to({"type": "read", "conversation": str(chat.id), "seq": 2})
    for socket in (console, workspace):
        assert await receive_until(socket, "read") == {"type": "read", "conversation": str(chat.id), "seq": 2}

    stranger = await agent_socket(other)
    await receive_until(stranger, "snapshot")
    for frame, code in [({"type": "read", "conversation": str(chat.id), "seq": 0}, "not_your_chat"),
                        ({"type": "read", "conversation": "nope", "seq": 1}, "not_your_chat")]:
        await stranger.send_json_to(frame)
        assert (await receive_until(stranger, "error"))["code"] == code
    await console.send_json_to({"type": "read", "conversation": str(chat.id), "seq": "2"})
    assert (await receive_until(console, "error"))["code"] == "invalid_seq"
    # The refused frame moved nothing: no other tab hears of a read (or of the error). Other doorbells may ring
    # meanwhile on a busy machine (queue and presence frames of the agent's groups); they are not about this.
    heard = []
    while not await workspace.receive_nothing(timeout=0.3):
        heard.append(await workspace.receive_json_from())
    assert [frame for frame in heard if frame.get("type") in {"read", "error"}] == []
    assert (await sync_to_async(Conversation.objects.get)(pk=chat.id)).agent_read_seq == 2
    for socket in (console, workspace, stranger):
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_new_chat_arrives_with_its_unread_count():
    """chat_assigned has the same shape as the snapshot's chats, so the workspace lists it at once."""
    agent = await sync_to_async(AgentFactory)(languages=["ko"])
    socket = await agent_socket(agent)
    await receive_until(socket, "snapshot")
    await socket.send_json_to({"type": "presence", "presence": "online"})
    await receive_until(socket, "presence")
    chat = await sync_to_async(services.conversation_start)(language="ko", visitor_name="Minji",
                                                           visitor_email="m@example.com", topic="OTP")
    assigned = await receive_until(socket, "chat_assigned")
    assert assigned == {"type": "chat_assigned", "conversation": str(chat.id), "language": "ko", "topic": "OTP",
                        "customer": "Minji", "last_seq": 0, "read_seq": 0, "unread": 0, "status": "active",
                        "closed_by": "", "csat": None}
    customer = WebsocketCommunicator(application, f"/ws/chat/{chat.id}/?token={visitor_token(chat.id)}",
                                     headers=ORIGIN)
    assert (await customer.connect())[0]
    await customer.send_json_to({"type": "message", "body": "안녕하세요"})
    assert (await receive_until(socket, "message"))["seq"] == 1  # the page counts it unread until it sends read
    await customer.disconnect()
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_notifications_are_pushed_in_the_agents_language_and_refresh_the_worklist(policy):
    """An assignment and a customer reply notify the agent: the socket shows each (rendered in the agent's language,
    with the unread count) and sends the refreshed worklist; nothing is pushed for a rolled-back notification or to
    others."""
    from django.db import transaction

    agent = await sync_to_async(AgentFactory)(languages=["ja"], language="ja")
    other = await sync_to_async(AgentFactory)(languages=["ja"])
    customer = await sync_to_async(UserFactory)()
    socket, bystander = await agent_socket(agent), await agent_socket(other)
    await receive_until(socket, "snapshot")
    await receive_until(bystander, "snapshot")
    await socket.send_json_to({"type": "tickets"})
    empty = await receive_until(socket, "tickets")
    assert empty["counts"] == {"assigned": 0, "breaching": 0, "replied": 0} and empty["assigned"] == []

    ticket = await sync_to_async(ticket_services.ticket_create)(requester=customer, subject="入金", body="届かない")
    await sync_to_async(ticket_services.ticket_update)(ticket=ticket, actor=other, assignee=agent)
    shown = await receive_until(socket, "notification")
    assert shown["kind"] == "ticket_assigned" and ticket.ref in shown["title"] and shown["unread"] == 1
    assert shown["url"] == f"/ja/agent/tickets/{ticket.ref}/" and shown["read"] is False
    with translation.override("ja"):  # the agent's language, whatever the socket's request said
        assert shown["title"] == gettext("%(ref)s was assigned to you") % {"ref": ticket.ref}
    work = await receive_until(socket, "tickets")
    assert work["counts"]["assigned"] == 1
    assert work["assigned"][0]["ref"] == ticket.ref and work["assigned"][0]["requester"] == customer.display_name

    # The agent answers (nothing for them to hear), then the customer writes back: notified, and the list says so.
    await sync_to_async(ticket_services.ticket_reply)(ticket=ticket, author=agent, body="確認します")
    assert await socket.receive_nothing(timeout=0.3)
    await sync_to_async(ticket_services.ticket_reply)(ticket=ticket, author=customer, body="まだです")
    assert (await receive_until(socket, "notification"))["kind"] == "ticket_customer_reply"
    work = await receive_until(socket, "tickets")
    assert work["counts"]["replied"] == 1 and work["replied"][0]["ref"] == ticket.ref

    def rolled_back():
        with transaction.atomic():
            notification_create(user=agent, kind="message", params={"title": "never"})
            transaction.set_rollback(True)

    await sync_to_async(rolled_back)()
    assert await socket.receive_nothing(timeout=0.3)
    assert await bystander.receive_nothing(timeout=0.1)
    assert await sync_to_async(Notification.objects.filter(user=other).count)() == 0

    # The heartbeat refreshes the worklist (SLA time passes without any event).
    await socket.send_json_to({"type": "ping"})
    await receive_until(socket, "pong")
    assert (await receive_until(socket, "tickets"))["counts"]["assigned"] == 1
    await socket.disconnect()
    await bystander.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_sla_warning_reaches_the_assignee_live(policy):
    """The beat scan's warning is a notification like any other: the workspace hears it and re-reads the list."""
    agent = await sync_to_async(AgentFactory)(languages=["en"])
    customer = await sync_to_async(UserFactory)()
    ticket = await sync_to_async(ticket_services.ticket_create)(requester=customer, subject="Late", body="Where?")
    await sync_to_async(ticket_services.ticket_update)(ticket=ticket, actor=agent, assignee=agent)
    socket = await agent_socket(agent)
    await receive_until(socket, "snapshot")
    await socket.send_json_to({"type": "tickets"})
    assert (await receive_until(socket, "tickets"))["counts"]["breaching"] == 0
    await sync_to_async(sla.sla_scan)(now=timezone.now() + timedelta(minutes=45))
    assert (await receive_until(socket, "notification"))["kind"] == "sla_warning"
    await socket.disconnect()


# --- the page and the search -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_workspace_is_for_agents_only(client, customer, agent):
    """Customers and visitors never see the workspace or its search (the agent area answers 404, as everywhere);
    the search API answers 403."""
    assert client.get("/en/agent/").status_code == 302  # to the login page
    client.force_login(customer)
    for url in ("/en/agent/", "/en/agent/search/?q=T-10001"):
        assert client.get(url).status_code == 404
    assert client.get("/api/v1/agent/search/", {"q": "T-10001"}).status_code == 403
    client.force_login(agent)
    page = client.get("/ja/agent/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="shortcut-config"' in html and 'id="workspace-strings"' in html and "/ws/agent/" not in html


@pytest.fixture
def found(db, customer, agent):
    """A ticket, a chat of the same customer and a visitor's chat with the same email as the customer."""
    ticket = ticket_services.ticket_create(requester=customer, subject="Withdrawal stuck", body="Help")
    chat = services.conversation_start(language="en", customer=customer, topic="Withdrawal")
    visitor_chat = services.conversation_start(language="en", visitor_name="Visitor", visitor_email="v@example.com")
    return {"ticket": ticket, "chat": chat, "visitor_chat": visitor_chat}


@pytest.mark.django_db
def test_search_jumps_to_the_one_thing_it_found(client, agent, customer, found):
    """A reference opens the ticket, a chat id the chat's place (the console for one's own chat, else the
    customer's page), in the page's language."""
    client.force_login(agent)
    ticket, chat = found["ticket"], found["chat"]
    assert client.get("/ko/agent/search/", {"q": ticket.ref.lower()})["Location"] == f"/ko/agent/tickets/{ticket.ref}/"
    assert client.get("/ko/agent/search/", {"q": str(ticket.number)})["Location"] == f"/ko/agent/tickets/{ticket.ref}/"
    assert (client.get("/en/agent/search/", {"q": str(chat.id)})["Location"]
            == f"/en/agent/customers/{customer.pk}/#chat-{chat.id}")
    online(agent)
    services.conversations_route(language="en")
    mine = Conversation.objects.get(pk=chat.id)
    assert mine.agent_id == agent.pk
    assert client.get("/en/agent/search/", {"q": str(mine.id)})["Location"] == f"/en/agent/chats/#chat={mine.id}"
    assert client.get("/en/agent/search/", {"q": "  "})["Location"] == "/en/agent/"


@pytest.mark.django_db
def test_search_by_email_lists_the_customer_their_tickets_and_chats(client, agent, customer, found):
    """An email shows everything about that person; unknown input says nothing was found."""
    client.force_login(agent)
    response = client.get("/en/agent/search/", {"q": customer.email.upper()})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/en/agent/customers/{customer.pk}/" in html and found["ticket"].ref in html
    assert f"#chat-{found['chat'].id}" in html
    visitor = client.get("/en/agent/search/", {"q": "v@example.com"})
    assert visitor.status_code == 200 and "Visitor" in visitor.content.decode()  # no page to jump to: listed
    nothing = client.get("/en/agent/search/", {"q": "T-99999"})
    assert nothing.status_code == 200 and 'data-testid="search-results"' not in nothing.content.decode()


@pytest.mark.django_db
def test_search_api_answers_the_same_with_a_bounded_number_of_queries(agent, customer, found,
                                                                      django_assert_max_num_queries):
    """The API calls the same selector: results, and `jump` when there is exactly one."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(agent)
    by_ref = api.get("/api/v1/agent/search/", {"q": found["ticket"].ref, "lang": "ja"}).json()
    assert by_ref["jump"] == f"/ja/agent/tickets/{found['ticket'].ref}/"
    assert by_ref["results"][0]["kind"] == "ticket" and by_ref["results"][0]["status"] != "New"
    with django_assert_max_num_queries(3 + 4):  # the search plus session/user/permission lookups
        by_email = api.get("/api/v1/agent/search/", {"q": customer.email}).json()
    assert [r["kind"] for r in by_email["results"]] == ["customer", "ticket", "chat"] and by_email["jump"] == ""
    assert api.get("/api/v1/agent/search/").status_code == 400
    assert api.get("/api/v1/agent/search/", {"q": "x" * 201}).status_code == 400
