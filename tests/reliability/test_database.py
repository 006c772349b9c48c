"""The database as a fault: unreachable for a while (requests answer 503 with Retry-After, in the API's error shape
or as a page, and the same server process recovers by itself when it is back), and websocket churn (hundreds of
sockets opened and dropped must not leave database connections behind). Run against real server processes."""
import asyncio
import json
import time

import psycopg
import pytest
import requests
import websockets
from django.db import connection
from rest_framework.authtoken.models import Token

from livechat import services as chat_services
from livechat.tokens import visitor_token
from tests.factories import UserFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def admin_sql(sql):
    """Run SQL as the superuser on the maintenance database (the test database itself is the one being cut off)."""
    params = connection.settings_dict
    with psycopg.connect(host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432, user=params["USER"],
                         password=params["PASSWORD"] or None, dbname="postgres", autocommit=True) as admin:
        return admin.execute(sql).fetchall() if sql.lstrip().upper().startswith("SELECT") else admin.execute(sql)


def cut_off_database():
    """Refuse new connections to the test database and end the server's open ones (not this test's own)."""
    name, own = connection.settings_dict["NAME"], connection.connection.info.backend_pid
    admin_sql(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    admin_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> {own}")


def restore_database():
    admin_sql(f'ALTER DATABASE "{connection.settings_dict["NAME"]}" ALLOW_CONNECTIONS true')


def test_requests_fail_cleanly_while_the_database_is_unreachable_and_recover_without_a_restart(asgi_server):
    customer = UserFactory(email="patient@example.com")
    token = Token.objects.create(user=customer).key
    server = asgi_server.start()  # pooled connections, as deployed: they get cut too
    api = requests.Session()
    api.headers["Authorization"] = f"Token {token}"
    assert api.get(f"{server}/api/v1/auth/me/", timeout=10).status_code == 200
    assert requests.get(f"{server}/ja/help/", timeout=10).status_code == 200
    tickets_before = Ticket.objects.count()

    connection.ensure_connection()
    cut_off_database()
    try:
        down = api.get(f"{server}/api/v1/auth/me/", timeout=10)
        assert down.status_code == 503 and down.headers["Retry-After"] == "10"
        assert down.json() == {"error": {"code": "service_unavailable",
                                         "detail": "The service is briefly unavailable. Please try again shortly."}}
        posted = api.post(f"{server}/api/v1/tickets/", json={"subject": "Stuck", "body": "Order 1"}, timeout=10)
        assert posted.status_code == 503
        page = requests.get(f"{server}/ja/help/", timeout=10)
        assert page.status_code == 503 and "しばらく" in page.text and page.headers["Retry-After"] == "10"
        health = requests.get(f"{server}/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["checks"]["database"]["ok"] is False
    finally:
        restore_database()

    # The same process, no restart: the next requests reconnect.
    assert api.get(f"{server}/api/v1/auth/me/", timeout=10).json()["email"] == "patient@example.com"
    assert requests.get(f"{server}/ja/help/", timeout=10).status_code == 200
    assert api.post(f"{server}/api/v1/tickets/", json={"subject": "Stuck", "body": "Order 1"},
                    timeout=10).status_code == 201
    assert Ticket.objects.count() == tickets_before + 1  # the refused one was not half-stored


def server_connections(own):
    name = connection.settings_dict["NAME"]
    return admin_sql(f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> {own}")[0][0]


def test_socket_churn_keeps_database_connections_bounded(asgi_server):
    """500 customer sockets opened in waves of 100, each sending a message, then dropped (half closed properly,
    half cut): the server's database connections stay within its connection pool and do not grow from wave to wave."""
    server = asgi_server.start(DATABASE_POOL_MAX_SIZE="6")
    chats = [chat_services.conversation_start(language="en", visitor_name=f"V{n}", visitor_email=f"v{n}@example.com",
                                              with_bot=False) for n in range(100)]
    connection.ensure_connection()
    own = connection.connection.info.backend_pid
    base = server.replace("http", "ws")
    peaks = []

    async def one(chat, wave):
        url = f"{base}/ws/chat/{chat.id}/?token={visitor_token(chat.id)}"
        socket = await websockets.connect(url, origin=server, open_timeout=20)
        await socket.send(json.dumps({"type": "message", "body": f"wave {wave}", "client_msg_id": f"w{wave}"}))
        while json.loads(await asyncio.wait_for(socket.recv(), 20)).get("type") != "message":
            pass
        if wave % 2:
            await socket.close()
        else:
            socket.transport.abort()  # dropped without a closing handshake, as a lost network would

    async def churn():
        for wave in range(5):
            await asyncio.gather(*(one(chat, wave) for chat in chats))
            peaks.append(await asyncio.to_thread(server_connections, own))

    asyncio.run(churn())
    time.sleep(1)
    assert peaks[0] >= 1, peaks  # the pool keeps its connections open (the check below is not vacuous)
    assert max(peaks) <= 6, peaks  # the pool's bound
    assert peaks[-1] <= peaks[0] + 1, peaks  # no growth from wave to wave: nothing leaks
    from livechat.models import ChatMessage

    assert ChatMessage.objects.filter(conversation__in=chats).count() == 500  # every message of every wave stored
