"""Each process borrows its database connections from a bounded pool (support/settings/database.py): one ASGI process
under a burst of HTTP requests and socket messages never holds more than the pool's bound, and a request that finds
every connection busy past the pool's timeout answers 503 with Retry-After in the API's error shape, never 500.
Run against real uvicorn processes; connections are counted in Postgres (pg_stat_activity) by application name."""
import asyncio
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests
import websockets
from django.db import connection
from rest_framework.authtoken.models import Token

from livechat import services as chat_services
from livechat.models import ChatMessage
from livechat.tokens import visitor_token
from tests.factories import AgentFactory, UserFactory
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def test_database_connection(**kwargs):
    params = connection.settings_dict
    return psycopg.connect(host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432, user=params["USER"],
                           password=params["PASSWORD"] or None, dbname=params["NAME"], **kwargs)


test_database_connection.__test__ = False  # a helper, not a test


class ConnectionSampler(threading.Thread):
    """Counts, every 10 ms until stopped, the connections Postgres has from processes with one application name."""

    def __init__(self, application_name):
        super().__init__(daemon=True)
        self.application_name, self.counts, self.done = application_name, [], threading.Event()

    def run(self):
        with test_database_connection(autocommit=True) as sampler:
            while not self.done.is_set():
                self.counts.append(sampler.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                                                   [self.application_name]).fetchone()[0])
                time.sleep(0.01)

    def stop(self):
        self.done.set()
        self.join(10)
        return max(self.counts)


def test_one_asgi_process_holds_no_more_connections_than_its_pool(asgi_server):
    """500 HTTP requests (32 at a time: the agents' ticket list, new tickets, help-center pages) and 200 chat
    messages (20 sockets, 10 each) at once, against one server whose pool holds at most 5 connections."""
    name = f"pool-bound-{os.getpid()}"
    server = asgi_server.start(DATABASE_POOL_MAX_SIZE="5", DATABASE_APPLICATION_NAME=name)
    agent = AgentFactory(languages=["en"])
    api = {"Authorization": f"Token {Token.objects.create(user=agent).key}"}
    customer = UserFactory()
    for n in range(30):
        ticket_services.ticket_create(requester=customer, subject=f"Deposit {n}", body="My deposit has not arrived.")
    chats = [chat_services.conversation_start(language="en", visitor_name=f"V{n}", visitor_email=f"v{n}@example.com",
                                              with_bot=False) for n in range(20)]
    tickets_before = Ticket.objects.count()
    sampler = ConnectionSampler(name)
    sampler.start()

    def request(n):
        if n % 5 == 0:
            return requests.post(f"{server}/api/v1/tickets/", json={"subject": f"Burst {n}", "body": "Withdrawal stuck"},
                                 headers=api, timeout=30).status_code
        if n % 5 in (1, 2):
            return requests.get(f"{server}/api/v1/tickets/", headers=api, timeout=30).status_code
        return requests.get(f"{server}/{['en', 'ja', 'ko'][n % 3]}/help/", timeout=30).status_code

    async def chat(conversation):
        url = f"{server.replace('http', 'ws')}/ws/chat/{conversation.id}/?token={visitor_token(conversation.id)}"
        async with websockets.connect(url, origin=server, open_timeout=30) as socket:
            for n in range(10):
                await socket.send(json.dumps({"type": "message", "body": f"message {n}", "client_msg_id": f"m{n}"}))
                while json.loads(await asyncio.wait_for(socket.recv(), 30)).get("type") != "message":
                    pass

    async def chats_at_once():
        await asyncio.gather(*(chat(conversation) for conversation in chats))

    socket_side = threading.Thread(target=asyncio.run, args=(chats_at_once(),))
    socket_side.start()
    with ThreadPoolExecutor(32) as pool:
        statuses = list(pool.map(request, range(500)))
    socket_side.join(120)
    time.sleep(0.3)
    peak = sampler.stop()

    assert sorted(set(statuses)) == [200, 201], {status: statuses.count(status) for status in set(statuses)}
    assert Ticket.objects.count() == tickets_before + 100
    assert ChatMessage.objects.filter(conversation__in=chats).count() == 200  # every socket message stored
    assert 2 <= peak <= 5, sampler.counts[-50:]  # more than one used at once (not vacuous), never more than the bound


def test_requests_that_find_every_connection_busy_answer_503_with_retry_after(asgi_server):
    """A pool of 2 connections, both held by requests stuck behind a lock: the third request waits out the pool's
    timeout and answers 503 (API: the error shape; page: the readable one), and once the lock goes the stuck requests
    complete and the server serves again, without a restart."""
    customer = UserFactory(email="waiting@example.com")
    api = {"Authorization": f"Token {Token.objects.create(user=customer).key}"}
    server = asgi_server.start(DATABASE_POOL_MAX_SIZE="2", DATABASE_POOL_MIN_SIZE="2", DATABASE_POOL_TIMEOUT="1")
    assert requests.get(f"{server}/api/v1/auth/me/", headers=api, timeout=10).status_code == 200

    with ThreadPoolExecutor(2) as stuck, test_database_connection() as locker:
        # Every token lookup now waits for this transaction: each stuck request holds a pooled connection meanwhile.
        locker.execute("LOCK TABLE authtoken_token IN ACCESS EXCLUSIVE MODE")
        held = [stuck.submit(requests.get, f"{server}/api/v1/auth/me/", headers=api, timeout=30) for _ in range(2)]
        deadline = time.monotonic() + 10
        with test_database_connection(autocommit=True) as watcher:
            while time.monotonic() < deadline:  # both stuck requests are inside Postgres, waiting on the lock
                waiting = watcher.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                          "AND datname = current_database()").fetchone()[0]
                if waiting == 2:
                    break
                time.sleep(0.05)
        assert waiting == 2

        refused = requests.get(f"{server}/api/v1/auth/me/", headers=api, timeout=30)
        page = requests.get(f"{server}/ko/help/", timeout=30)
        locker.rollback()  # the lock goes
        answers = [future.result().status_code for future in held]

    assert refused.status_code == 503 and refused.headers["Retry-After"] == "10"
    assert refused.json() == {"error": {"code": "service_unavailable",
                                        "detail": "The service is briefly unavailable. Please try again shortly."}}
    assert page.status_code == 503 and page.headers["Retry-After"] == "10" and "<html" in page.text.lower()
    assert answers == [200, 200]  # the stuck requests were served, not dropped
    assert requests.get(f"{server}/api/v1/auth/me/", headers=api, timeout=10).json()["email"] == "waiting@example.com"
