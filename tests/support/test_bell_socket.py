"""The bell's socket (/ws/notifications/, support.consumers): signed-in sessions only, each hears only its own
count, the label is the count's plural form in the page's language, a batch is counted once, and a session that
ended stops hearing anything."""
import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import Client
from django.utils import translation
from django.utils.translation import ngettext
from django_otp import DEVICE_ID_SESSION_KEY

from support.asgi import application
from support.models import Notification
from support.services import notification_create, notification_mark_all_read, notifications_create_many
from tests.factories import AgentFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

ORIGIN = [(b"origin", b"http://localhost")]


def session_cookie(user, *, second_factor=True):
    client = Client()
    client.force_login(user)
    if not second_factor:  # a staff session stopped at the two-step page
        session = client.session
        session.pop(DEVICE_ID_SESSION_KEY, None)
        session.save()
    return client.cookies["sessionid"].value


async def bell(cookie=None, lang="en"):
    headers = [*ORIGIN] + ([(b"cookie", f"sessionid={cookie}".encode())] if cookie else [])
    socket = WebsocketCommunicator(application, f"/ws/notifications/?lang={lang}", headers=headers)
    connected, _subprotocol = await socket.connect()
    assert connected
    return socket


async def closed_with(socket):
    closing = await socket.receive_output(timeout=3)
    assert closing["type"] == "websocket.close"
    await socket.disconnect()
    return closing["code"]


def label(language, count):
    with translation.override(language):
        return ngettext("%(counter)s unread notification", "%(counter)s unread notifications", count) % {
            "counter": count}


def notify(user, title="Hola"):
    return notification_create(user=user, kind="message", params={"title": title})


async def test_a_socket_without_a_session_is_closed_and_hears_nothing():
    """No session: closed with 4401 (the page stops retrying) before any count is sent."""
    socket = await bell()
    assert await closed_with(socket) == 4401


async def test_a_staff_session_without_its_second_factor_is_refused():
    """The same rule as every staff page: no count until the second factor is passed."""
    agent = await sync_to_async(AgentFactory)()
    socket = await bell(await sync_to_async(session_cookie)(agent, second_factor=False))
    assert await closed_with(socket) == 4403


async def test_each_socket_hears_only_its_own_users_count():
    """A notification for one customer moves their badge, not another customer's, and the frame carries nothing
    of the notification itself (no title, no id)."""
    ana, bo = await sync_to_async(UserFactory)(), await sync_to_async(UserFactory)()
    await sync_to_async(notify)(bo, "for Bo")
    mine = await bell(await sync_to_async(session_cookie)(ana), lang="es")
    theirs = await bell(await sync_to_async(session_cookie)(bo), lang="es")
    assert await mine.receive_json_from() == {"type": "unread", "count": 0, "label": label("es", 0)}
    assert (await theirs.receive_json_from())["count"] == 1

    await sync_to_async(notify)(ana, "secret for Ana")
    frame = await mine.receive_json_from(timeout=3)
    assert frame == {"type": "unread", "count": 1, "label": label("es", 1)}
    assert await theirs.receive_nothing(timeout=0.6)  # Bo's socket is not told of Ana's notification
    await mine.disconnect()
    await theirs.disconnect()


async def test_the_label_is_the_plural_form_of_the_pages_language():
    """Russian has three forms (1, 2-4, 5+): the server renders the one for the count, in the socket's language."""
    customer = await sync_to_async(UserFactory)(language="en")
    socket = await bell(await sync_to_async(session_cookie)(customer), lang="ru")
    await socket.receive_json_from()
    labels = []
    for expected in (1, 2, 5):
        while await sync_to_async(Notification.objects.filter(user=customer).count)() < expected:
            await sync_to_async(notify)(customer)
        frame = await socket.receive_json_from(timeout=3)
        while frame["count"] < expected:
            frame = await socket.receive_json_from(timeout=3)
        assert frame["label"] == label("ru", expected)
        labels.append(frame["label"])
    assert len(set(label.split(" ", 1)[1] for label in labels)) == 3, labels  # three different words
    assert labels[0].startswith("1 ") and "непрочитанное" in labels[0]
    await socket.disconnect()


async def test_a_batch_is_counted_once_and_a_rolled_back_notification_rings_nothing():
    """Five notifications created together give one frame with 5; one that is rolled back gives none."""
    customer = await sync_to_async(UserFactory)()
    socket = await bell(await sync_to_async(session_cookie)(customer))
    await socket.receive_json_from()
    await sync_to_async(notifications_create_many)(
        [{"user": customer, "kind": "message", "params": {"title": f"n{i}"}} for i in range(5)])
    assert (await socket.receive_json_from(timeout=3))["count"] == 5
    assert await socket.receive_nothing(timeout=0.6)

    def rolled_back():
        with transaction.atomic():
            notify(customer)
            transaction.set_rollback(True)

    await sync_to_async(rolled_back)()
    assert await socket.receive_nothing(timeout=0.6)
    await socket.disconnect()


async def test_the_page_can_ask_again_and_bad_frames_get_an_error_not_a_crash():
    """{"type": "count"} answers the current count (read elsewhere meanwhile); anything else is an error frame in
    the page's language, and the socket stays open."""
    customer = await sync_to_async(UserFactory)()
    await sync_to_async(notify)(customer)
    socket = await bell(await sync_to_async(session_cookie)(customer), lang="ja")
    assert (await socket.receive_json_from())["count"] == 1
    await sync_to_async(notification_mark_all_read)(user=customer)  # read in another tab
    await socket.send_to(text_data="not json")
    malformed = await socket.receive_json_from()
    assert malformed["code"] == "malformed"
    await socket.send_json_to({"type": "notification", "notification": 1})
    unknown = await socket.receive_json_from()
    assert unknown["code"] == "unknown_type"
    with translation.override("ja"):
        assert unknown["detail"] == translation.gettext("Unknown frame type.") != "Unknown frame type."
    await socket.send_json_to({"type": "count"})
    assert await socket.receive_json_from(timeout=3) == {"type": "unread", "count": 0, "label": label("ja", 0)}
    await socket.disconnect()


async def test_after_logout_the_socket_is_closed_instead_of_counting():
    """A session that ended (logout in another tab) hears no further count: the next doorbell closes it."""
    customer = await sync_to_async(UserFactory)()
    cookie = await sync_to_async(session_cookie)(customer)
    socket = await bell(cookie)
    await socket.receive_json_from()
    await sync_to_async(Session.objects.filter(session_key=cookie).delete)()
    await sync_to_async(notify)(customer)
    assert await closed_with(socket) == 4401
