"""Collision detection on a ticket (issue #24), the socket: /ws/agent/tickets/<ref>/ tells the staff who have the
ticket open who else is there and who is typing a reply or a note, over the real Redis channel layer and presence
store; a page that stops beating is dropped; a stored message rings the ticket; nobody else may listen."""
import copy
import os
import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from support import presence
from support.asgi import application
from tests.factories import AgentFactory, UserFactory
from tickets import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = [(b"origin", b"http://localhost")]


@pytest.fixture(autouse=True)
def own_channel_prefix(settings):
    """Redis pub/sub is shared by all databases of a server, so by every test run on this machine, and every run's
    first ticket is T-10001: a prefix of this process's own keeps other runs' ticket frames out of these sockets."""
    layers = copy.deepcopy(settings.CHANNEL_LAYERS)
    layers["default"]["CONFIG"]["prefix"] = f"collision-{os.getpid()}"
    settings.CHANNEL_LAYERS = layers


def headers_for(user):
    if user is None:
        return list(ORIGIN)
    client = Client()
    client.force_login(user)
    return [*ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def open_socket(user, ref, lang="en"):
    headers = await sync_to_async(headers_for)(user)
    socket = WebsocketCommunicator(application, f"/ws/agent/tickets/{ref}/?lang={lang}", headers=headers)
    connected, code = await socket.connect()
    assert connected, code
    return socket


async def joined(user, ref):
    """A socket on the ticket and the people it found there."""
    socket = await open_socket(user, ref)
    first = await socket.receive_json_from(timeout=3)
    assert first["type"] == "present"
    return socket, first["people"]


async def next_frame(socket, frame_type, timeout=3):
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


async def quiet(socket, seconds=0.3):
    """Every frame the socket receives until it has been quiet for `seconds`."""
    frames = []
    while not await socket.receive_nothing(timeout=seconds):
        frames.append(await socket.receive_json_from())
    return frames


def world():
    customer = UserFactory(email="kunde@example.com", name="林 美")
    ticket = services.ticket_create(requester=customer, subject="出金", body="出金が届きません")
    mei = AgentFactory(email="mei@example.com", name="Mei")
    ana = AgentFactory(email="ana@example.com", name="Ana")
    ivan = AgentFactory(email="ivan@example.com", name="Ivan")
    return customer, ticket, mei, ana, ivan


async def test_two_agents_see_each_other_viewing_and_replying_and_a_third_leave():
    """Who is here and who is typing (a reply or a note) reaches the others at once; nobody hears about
    themselves; a closed page is announced as gone."""
    _customer, ticket, mei, ana, ivan = await sync_to_async(world)()
    mei_socket, found = await joined(mei, ticket.ref)
    assert found == []
    ana_socket, found = await joined(ana, ticket.ref)
    assert found == [{"user": mei.pk, "name": "Mei", "state": "viewing", "mode": ""}]
    assert await next_frame(mei_socket, "viewing") == {"type": "viewing", "user": ana.pk, "name": "Ana"}

    await mei_socket.send_json_to({"type": "replying", "mode": "note"})
    assert await next_frame(ana_socket, "replying") == {"type": "replying", "user": mei.pk, "name": "Mei",
                                                        "mode": "note"}
    await mei_socket.send_json_to({"type": "replying", "mode": "reply"})
    assert (await next_frame(ana_socket, "replying"))["mode"] == "reply"

    ivan_socket, found = await joined(ivan, ticket.ref)
    assert found == [{"user": ana.pk, "name": "Ana", "state": "viewing", "mode": ""},
                     {"user": mei.pk, "name": "Mei", "state": "replying", "mode": "reply"}]
    for socket in (mei_socket, ana_socket):
        assert await next_frame(socket, "viewing") == {"type": "viewing", "user": ivan.pk, "name": "Ivan"}
    await ivan_socket.disconnect()
    for socket in (mei_socket, ana_socket):
        assert await next_frame(socket, "left") == {"type": "left", "user": ivan.pk, "name": "Ivan"}

    # Mei stops typing (sent, or emptied the box): Ana sees her viewing again.
    await mei_socket.send_json_to({"type": "viewing"})
    assert await next_frame(ana_socket, "viewing") == {"type": "viewing", "user": mei.pk, "name": "Mei"}
    assert [f for f in await quiet(mei_socket) if f.get("user") == mei.pk] == []  # never about oneself
    await mei_socket.disconnect()
    await ana_socket.disconnect()


async def test_a_second_tab_of_the_same_agent_counts_once_and_is_not_announced_to_them():
    """Two tabs of one agent: the others see one person, who leaves when the last tab closes."""
    _customer, ticket, mei, ana, _ivan = await sync_to_async(world)()
    ana_socket, _found = await joined(ana, ticket.ref)
    first, _found = await joined(mei, ticket.ref)
    second, found = await joined(mei, ticket.ref)
    assert [person["user"] for person in found] == [ana.pk]  # not "Mei is viewing" to Mei
    await first.disconnect()
    frames = await quiet(ana_socket)
    assert {"type": "left", "user": mei.pk, "name": "Mei"} not in frames  # her other tab is still open
    await second.disconnect()
    assert await next_frame(ana_socket, "left") == {"type": "left", "user": mei.pk, "name": "Mei"}
    await ana_socket.disconnect()


async def test_a_page_that_stops_beating_is_dropped_by_the_next_heartbeat():
    """A tab that vanished without closing its socket (its entry not refreshed for ENTRY_TTL_SECONDS) is pruned by
    anyone's next heartbeat, and the others are told it left."""
    _customer, ticket, mei, ana, ivan = await sync_to_async(world)()
    mei_socket, _found = await joined(mei, ticket.ref)
    ana_socket, _found = await joined(ana, ticket.ref)
    # Ivan's page as a crashed server process leaves it: an entry in Redis, no socket, no goodbye.
    stale = {"user": ivan.pk, "name": "Ivan", "expires": time.time() + presence.ENTRY_TTL_SECONDS,
             "replying_until": 0, "mode": ""}
    await presence.presence_write(f"ticket:{ticket.ref}", "ghost-connection", stale)
    zoe = await sync_to_async(AgentFactory)(name="Zoe")
    late, found = await joined(zoe, ticket.ref)
    assert "Ivan" in [person["name"] for person in found]  # still within its time to live
    stale["expires"] = time.time() - 1  # ...and now past it
    await presence.presence_write(f"ticket:{ticket.ref}", "ghost-connection", stale)
    await quiet(mei_socket)
    await quiet(ana_socket)
    await mei_socket.send_json_to({"type": "ping"})
    assert await next_frame(ana_socket, "left") == {"type": "left", "user": ivan.pk, "name": "Ivan"}
    assert await next_frame(mei_socket, "left") == {"type": "left", "user": ivan.pk, "name": "Ivan"}
    live, _pruned = await presence.presence_read(f"ticket:{ticket.ref}")
    assert "ghost-connection" not in live and len(live) == 3
    for socket in (mei_socket, ana_socket, late):
        await socket.disconnect()


async def test_a_message_stored_on_the_ticket_rings_the_staff_on_it():
    """Another agent's reply and the customer's reply reach the page at once (after commit), with who wrote and the
    start of the text; the author's own socket is not told."""
    customer, ticket, mei, ana, _ivan = await sync_to_async(world)()
    mei_socket, _found = await joined(mei, ticket.ref)
    ana_socket, _found = await joined(ana, ticket.ref)
    await quiet(mei_socket)
    reply = await sync_to_async(services.ticket_reply)(ticket=ticket, author=ana, body="Wir prüfen das. " * 40)
    frame = await next_frame(mei_socket, "message")
    assert (frame["id"], frame["user"], frame["name"], frame["role"], frame["internal"], frame["ticket"]) == (
        reply.pk, ana.pk, "Ana", "agent", False, ticket.ref)
    assert frame["excerpt"].startswith("Wir prüfen das.") and frame["excerpt"].endswith("…")
    assert len(frame["excerpt"]) <= 301
    assert [f for f in await quiet(ana_socket) if f["type"] == "message"] == []
    note = await sync_to_async(services.ticket_reply)(ticket=ticket, author=ana, body="AML check", internal=True)
    frame = await next_frame(mei_socket, "message")
    assert (frame["id"], frame["internal"]) == (note.pk, True)
    await sync_to_async(services.ticket_reply)(ticket=ticket, author=customer, body="まだですか？")
    frame = await next_frame(mei_socket, "message")
    assert (frame["role"], frame["name"], frame["excerpt"]) == ("customer", "林 美", "まだですか？")
    await mei_socket.disconnect()
    await ana_socket.disconnect()


async def test_a_customer_a_visitor_and_an_unknown_ticket_are_refused_with_an_error_frame():
    """Only staff who may see the ticket join: the requester and visitors get permission_denied and 4403 (whatever
    the reference), an unknown or malformed reference not_found and 4404; nothing is announced to the staff."""
    customer, ticket, mei, _ana, _ivan = await sync_to_async(world)()
    mei_socket, _found = await joined(mei, ticket.ref)
    cases = [(customer, ticket.ref, "permission_denied", 4403), (None, ticket.ref, "permission_denied", 4403),
             (customer, "T-999999999", "permission_denied", 4403), (mei, "T-999999999", "not_found", 4404),
             (mei, "not-a-ref", "not_found", 4404)]
    for user, ref, code, close_code in cases:
        socket = await open_socket(user, ref, lang="ja")
        error = await socket.receive_json_from(timeout=3)
        assert error["type"] == "error" and error["code"] == code and error["detail"]
        assert error["detail"].isascii() is False  # in the socket's language (?lang=ja)
        closing = await socket.receive_output(timeout=3)
        assert closing == {"type": "websocket.close", "code": close_code}
    assert await quiet(mei_socket) == []
    live, _pruned = await presence.presence_read(f"ticket:{ticket.ref}")
    assert [entry["user"] for entry in live.values()] == [mei.pk]
    await mei_socket.disconnect()


async def test_bad_frames_get_an_error_frame_and_the_socket_stays_open():
    """Malformed JSON, an unknown mode or type: an error frame with a stable code, never a crash or a close."""
    _customer, ticket, mei, _ana, _ivan = await sync_to_async(world)()
    socket, _found = await joined(mei, ticket.ref)
    await socket.send_to(text_data="{not json")
    assert (await socket.receive_json_from())["code"] == "malformed"
    await socket.send_json_to({"type": "replying", "mode": "shout"})
    assert (await socket.receive_json_from())["code"] == "invalid_mode"
    await socket.send_json_to({"type": "dance"})
    assert (await socket.receive_json_from())["code"] == "unknown_type"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()
