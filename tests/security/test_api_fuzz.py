"""Fuzz the API from its own OpenAPI schema (schemathesis): every operation of /api/schema/, called in-process through
Django's WSGI application against the real Postgres and Redis, with generated valid and invalid input. Each generated
request is sent as an agent (a supervisor), as a customer and as a visitor without an account (holding their chat's
token), and every answer must be as documented: never a 5xx, a documented status code and content type, and a body
that matches the response schema, refusals and errors included (the one error shape of support/api_errors.py). Who
may do what is test_access_matrix.py's business; here every answer only has to be a documented one.

Half the generated cases address objects that exist (the customer's ticket and its attachment, either role's chat
and notification, a published article), so object endpoints answer more than 404.

Bounded for CI: MAX_EXAMPLES generated cases per operation plus schemathesis' deterministic coverage cases
(boundaries, missing and wrong-typed fields), derandomized and without an example database, so every run generates
the same requests; about 80 s on two cores.
"""
import itertools
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from support.wsgi import application
from tests.factories import AgentFactory, UserFactory
from tests.tickets.files import png_bytes, upload

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 15
FUZZ = hypothesis_settings(
    max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
    # Requests reach Postgres, so examples are slower than Hypothesis expects; and `world` is function-scoped on
    # purpose (fresh objects for each operation, shared by its examples).
    suppress_health_check=list(HealthCheck))

# The deployment's own WSGI application (test settings: pytest-django set DJANGO_SETTINGS_MODULE first).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

# Requests a longer, randomized run of this fuzzer answered with a 5xx, replayed on every run (all fixed).
FOUND = [
    # The search query reached PostgreSQL, whose text cannot hold NUL (fixed in helpcenter/apis.py).
    ("GET", "/api/v1/help/articles/", {"query": {"q": "fee\x00"}}, ()),
    # tickets.selectors.parse_ref took "²" (a digit to str.isdigit(), not to int()) for a ticket number.
    ("GET", "/api/v1/tickets/{ref}/", {"path_parameters": {"ref": "²"}}, ()),
    ("POST", "/api/v1/tickets/{ref}/messages/", {"path_parameters": {"ref": "T-²"}, "body": {"body": "Hi"},
                                                 "media_type": "application/json"}, ()),
    ("GET", "/api/v1/tickets/", {"query": {"q": "²"}}, ()),
    ("GET", "/api/v1/agent/search/", {"query": {"q": "²"}}, ()),
    ("POST", "/api/v1/tickets/bulk/", {"body": {"refs": ["²"]}, "media_type": "application/json"}, ()),
]

# Objects that exist, by path parameter name, for the test that runs (filled by `world`).
REAL = {}


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Half the generated cases address objects that exist (each role owns one of the candidates), so object
    endpoints are exercised beyond their 404."""
    names = [name for name in path_parameters or () if name in REAL]
    if not names:
        return st.just(path_parameters)
    return st.tuples(st.booleans(), *(st.sampled_from(REAL[name]) for name in names)).map(
        lambda drawn: {**path_parameters, **dict(zip(names, drawn[1:]))} if drawn[0] else path_parameters)


@dataclass
class World:
    headers: dict  # role -> the headers it sends
    turns: itertools.count = field(default_factory=itertools.count)

    def address_real_objects(self, case):
        """Coverage cases (the hook above does not see them) vary one part of a request and keep the rest valid;
        those that vary the body, query or headers address objects that exist, taking turns among the candidates,
        so what they vary reaches the code behind the 404. Cases that vary the path keep it."""
        meta = case.meta
        if meta is None or meta.phase.name != "coverage" or meta.phase.data.parameter_location == "path":
            return
        names = [name for name in case.path_parameters or () if name in REAL]
        if names:
            turn = next(self.turns)
            case.path_parameters = {**case.path_parameters,
                                    **{name: REAL[name][turn % len(REAL[name])] for name in names}}

    def send(self, case):
        """The case as each role: a documented answer every time."""
        for role, headers in self.headers.items():
            try:
                case.call_and_validate(headers=headers, checks=CHECKS)
            except Exception as exc:
                exc.add_note(f"Sent as the {role}.")
                raise


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    """Committed objects, as in production (services run their on-commit work): a customer's ticket with a picture
    and an agent's reply, the customer's chat assigned to the agent, a visitor's chat, a published article and a
    notification for each user; and each role's headers. Requests share the test's database connection, as
    persistent connections do in production, instead of reconnecting for each one (Django's test client does the
    same)."""
    from helpcenter import services as help_services
    from helpcenter.models import Article, ArticleStatus, Section
    from helpcenter.models import Category as HelpCategory
    from livechat import services as chat_services
    from livechat.models import SenderKind
    from livechat.tokens import visitor_token
    from support import services as core_services
    from support.models import AgentProfile, Presence
    from tickets import services as ticket_services
    from tickets.models import Attachment, Category, Macro

    settings.MEDIA_ROOT = tmp_path / "media"
    customer = UserFactory(email="fuzz.customer@example.com")
    agent = AgentFactory(email="fuzz.agent@example.com", languages=["en", "ja"], supervisor=True)
    Category.objects.create(slug="billing", name_en="Billing")
    Macro.objects.create(name_en="Ask for TxID", body_en="Please send the TxID.", set_status="pending",
                         add_tags=["needs-txid"])
    ticket = ticket_services.ticket_create(requester=customer, subject="Deposit missing", body="It has not arrived.",
                                           channel="web", attachments=[upload("proof.png", png_bytes(), "image/png")])
    ticket_services.ticket_reply(ticket=ticket, author=agent, body="We are looking into it.")
    chat = chat_services.conversation_start(language="en", customer=customer, with_bot=False)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    chat_services.conversation_pick(conversation_id=chat.id, agent=agent)
    chat_services.message_post(conversation_id=chat.id, sender_kind=SenderKind.CUSTOMER, sender=customer,
                               body="Hello, my deposit is missing.")
    visitor_chat = chat_services.conversation_start(language="en", visitor_name="Visitor",
                                                    visitor_email="visitor@example.com", with_bot=False)
    section = Section.objects.create(category=HelpCategory.objects.create(slug="funds", name_en="Funds"),
                                     slug="deposits", name_en="Deposits")
    article = help_services.article_save(article=Article(
        section=section, key="deposit-address", status=ArticleStatus.PUBLISHED,
        title_en="Find your deposit address", body_en="Open **Wallet**, then deposit."))
    notifications = [core_services.notification_create(
        user=user, kind="ticket_reply", params={"ref": ticket.ref, "author": agent.name, "subject": ticket.subject},
        url=f"/tickets/{ticket.ref}/") for user in (customer, agent)]
    REAL.update({"ref": [ticket.ref], "attachment_id": [str(Attachment.objects.get(ticket=ticket).pk)],
                 "conversation_id": [str(chat.id), str(visitor_chat.id)], "article_id": [article.pk],
                 "notification_id": [notification.pk for notification in notifications]})
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield World(headers={
        "agent": {"Authorization": f"Token {Token.objects.create(user=agent).key}"},
        "customer": {"Authorization": f"Token {Token.objects.create(user=customer).key}"},
        "visitor": {"X-Chat-Token": visitor_token(visitor_chat.id)},  # anonymous, holding their chat's token
    })
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    REAL.clear()


@schema.parametrize()
@FUZZ
def test_api_answers_as_documented(case, world):
    """Whatever an agent, a customer or a visitor sends, the answer is documented: never a 5xx, a documented status
    code and content type, and a body that matches its schema."""
    world.address_real_objects(case)
    world.send(case)


@pytest.mark.parametrize("method,path,parts", [
    pytest.param(method, path, parts, marks=marks, id=f"{method} {path}") for method, path, parts, marks in FOUND])
def test_requests_the_fuzzer_found_answer_as_documented(world, method, path, parts):
    """What the fuzzer found stays found, whatever the bounded run happens to generate."""
    world.send(schema[path][method].Case(**parts))
