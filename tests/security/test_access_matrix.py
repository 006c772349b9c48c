"""The access matrix: every URL Django resolves and every websocket route the ASGI application serves, each declared
with the answer every role gets, checked by real requests against the real Postgres and Redis.

A new endpoint without a declaration fails test_every_endpoint_is_declared, so nobody can add one and forget to
decide who may reach it; a declaration whose endpoint is gone fails it too.

Roles: anonymous; customer A, who owns every object named in a URL; customer B, who owns none of them; an agent
serving English (A's chat is assigned to them, A's solved ticket too, and the quality review scores their work); an
agent of another language team (Korean only); a supervisor; and a desk admin (Role.ADMIN: Django staff and
superuser).

Language teams: no read is restricted by language. tickets.selectors.ticket_list_for_user and
livechat.selectors.conversation_get_for_user let every agent read (and reply on) every ticket and read every chat, so
the Korean agent is declared exactly like the English one for those. Language only decides which waiting chats an
agent may take (livechat.services.conversation_pick and routing: the socket's "pick-queued-en-chat" case); acting on
a chat (post, send a file, close, resume) is limited to the agent it is assigned to, whatever their language, which
the chat API's post/close cases and the agent socket's cases check for every other agent.

Sequential ids: tickets are addressed by their reference (T-10001), never by primary key; chats, chat files, ticket
attachments and help pictures by UUID. Integer ids remain for notifications, help articles, quality reviews and
customers (/agent/customers/<id>/); each is checked here: someone else's notification answers 404 (to admins too),
another agent's review answers 404, customer pages answer 404 to every non-agent, and a draft article's id answers
404 to everybody, exactly like an id that does not exist.
"""
import json
import re
from dataclasses import dataclass, field

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib import admin
from django.core import signing
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from support.roles import Role
from support.screenshots import ScreenshotScan
from support.secretscan import RECOVERY_PHRASE
from tests.factories import AgentFactory, UserFactory
from tests.tickets.files import phrase_png, png_bytes, upload

ROLES = ("anon", "cust_a", "cust_b", "agent", "agent_ko", "supervisor", "admin")
SECRET = "zq-secret-of-customer-a-7f3a"  # in A's ticket and chat: no response to anonymous or B may contain it
INTERNAL = "zq-internal-note-91c4"        # in an agents' internal note on A's ticket: never shown to a customer
MISSING_INT = 999999999
MISSING_UUID = "00000000-0000-4000-8000-000000000000"
ORIGIN = [(b"origin", b"http://localhost")]
NOTHING_FOUND = ScreenshotScan(())
PHRASE_FOUND = ScreenshotScan((RECOVERY_PHRASE,), blurred=png_bytes((900, 280), (128, 128, 128)))


# --- expected answers ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location starts with `to` (e.g. the login page: not some other redirect), or is `to` exactly."""

    to: str
    exact: bool = False

    def matches(self, response):
        if response.status_code != 302:
            return False
        location = response["Location"]
        return location == self.to if self.exact else location.startswith(self.to)

    def __repr__(self):
        return f"302->{self.to}{'' if self.exact else '...'}"


@dataclass(frozen=True)
class AnyOf:
    """One of these statuses, for answers that depend on the environment rather than on who asks."""

    statuses: frozenset

    def matches(self, response):
        return response.status_code in self.statuses

    def __repr__(self):
        return f"any of {sorted(self.statuses)}"


def _matches(expected, response, names):
    if isinstance(expected, int):
        return response.status_code == expected
    if isinstance(expected, Redirect):
        expected = Redirect(expected.to.format(**names), expected.exact)
    return expected.matches(response)


LOGIN = Redirect("/en/accounts/login/")       # login_required pages, anonymous
ADMIN_LOGIN = Redirect("/admin/login/")      # the admin site, anyone who is not staff
HOME = Redirect("/en/", exact=True)
AGENT_VIEW = Redirect("/en/agent/tickets/{ticket}/", exact=True)  # targets are formatted like the URLs
CUSTOMER_VIEW = Redirect("/en/requests/{ticket}/", exact=True)
NOTIFICATIONS = Redirect("/en/notifications/", exact=True)
INBOX = Redirect("/en/agent/tickets/", exact=True)
INCIDENT_VIEW = Redirect("/en/agent/incidents/{incident}/", exact=True)
# /healthz reports the Celery workers too; with none running it is 503. Either way the same for every role.
HEALTH = AnyOf(frozenset({200, 503}))


def roles(anon, cust_a, cust_b, agent, agent_ko, supervisor, admin_):
    return dict(zip(ROLES, (anon, cust_a, cust_b, agent, agent_ko, supervisor, admin_)))


def same(expected):
    return {role: expected for role in ROLES}


def logged_in(expected, anon):
    """`expected` for every signed-in role, `anon` for anonymous."""
    return {**same(expected), "anon": anon}


# Audiences. API paths answer 401 to anonymous (TokenAuthentication comes first) and 403 to a role without the
# permission (DRF); HTML pages redirect anonymous to the login page, hide the agent area behind 404
# (support.permissions.agent_required) and refuse supervisor pages with 403 (supervisor_required).
PUBLIC = same(200)
API_USER = logged_in(200, anon=401)
API_AGENT = roles(401, 403, 403, 200, 200, 200, 200)
API_SUPERVISOR = roles(401, 403, 403, 403, 403, 200, 200)
API_OWNER = roles(401, 200, 404, 200, 200, 200, 200)        # A's object: B gets 404; every agent reads it
API_MISSING = logged_in(404, anon=401)
PAGE_USER = logged_in(200, anon=LOGIN)
PAGE_AGENT = roles(LOGIN, 404, 404, 200, 200, 200, 200)
PAGE_SUPERVISOR = roles(LOGIN, 403, 403, 403, 403, 200, 200)
PAGE_OWNER = roles(LOGIN, 200, 404, 200, 200, 200, 200)
PAGE_MISSING = logged_in(404, anon=LOGIN)
RULE_FORM = roles(LOGIN, 403, 403, 403, 403, 400, 400)                # a supervisor's form the services refuse
RULE_MISSING = roles(LOGIN, 403, 403, 403, 403, 404, 404)
RULE_BACK_TO_LIST = roles(LOGIN, 403, 403, 403, 403, *[Redirect("/en/agent/rules/", exact=True)] * 2)
FIELD_BACK_TO_LIST = roles(LOGIN, 403, 403, 403, 403, *[Redirect("/en/agent/fields/", exact=True)] * 2)
WEBHOOK_BACK = roles(LOGIN, 403, 403, 403, 403, *[Redirect("/en/agent/rules/webhooks/{webhook}/", exact=True)] * 2)
WEBHOOK_TO_LOG = roles(LOGIN, 403, 403, 403, 403,
                       *[Redirect("/en/agent/rules/webhooks/{webhook}/deliveries/", exact=True)] * 2)


@dataclass(frozen=True)
class Case:
    """One request: `url` is formatted with the world's names ({ticket}, {chat}...). `data` is the body (a callable
    for bodies with files, which are read once), or for a websocket the frame sent once the socket is open."""

    label: str
    method: str
    url: str
    expect: dict
    data: object = field(default_factory=dict)


def get(url, expect, label="page"):
    return Case(label, "GET", url, expect)


def post(url, expect, label="post", data=None):
    return Case(label, "POST", url, expect, data or {})


def patch(url, expect, label="patch", data=None):
    return Case(label, "PATCH", url, expect, data or {})


# --- the declarations: every non-admin URL pattern, by its route as the resolver spells it -------------------------
# POST-only endpoints get an empty body: what is checked is who gets past the door (a validation error, 400, or the
# form's redirect means they did; 401/403/404 that they did not).

HTTP = {
    "healthz": [get("/healthz", same(HEALTH))],
    # Sign-up and token exchange have no authenticators at all: everyone reaches the validation.
    "api/v1/auth/register/": [post("/api/v1/auth/register/", same(400))],
    "api/v1/auth/token/": [post("/api/v1/auth/token/", same(400))],
    # GET only: DELETE would revoke the token the other cases use (tests/support/test_auth_api.py covers it).
    "api/v1/auth/token/current/": [get("/api/v1/auth/token/current/", API_USER)],
    "api/v1/auth/me/": [get("/api/v1/auth/me/", API_USER)],
    # The address confirmation needs the account signed in and the mailed token (a forged one is a 400).
    "api/v1/auth/email/confirm/": [
        post("/api/v1/auth/email/confirm/", logged_in(400, anon=401), "empty"),
        post("/api/v1/auth/email/confirm/", logged_in(400, anon=401), "forged", {"token": "forged"}),
    ],
    "api/v1/auth/email/confirmation/": [post("/api/v1/auth/email/confirmation/", logged_in(202, anon=401))],
    # A claim link is a bearer capability mailed to the address (tickets.claims): no login; forged is a 400.
    "api/v1/tickets/claim/": [post("/api/v1/tickets/claim/", same(400), "forged", {"token": "forged"})],
    "api/v1/notifications/": [get("/api/v1/notifications/", API_USER)],
    "api/v1/notifications/read-all/": [post("/api/v1/notifications/read-all/", API_USER)],
    # Notifications are personal: nobody else, not even an admin, can mark A's read.
    "api/v1/notifications/<int:notification_id>/read/": [
        post("/api/v1/notifications/{notification}/read/", roles(401, 204, 404, 404, 404, 404, 404), "own"),
        post(f"/api/v1/notifications/{MISSING_INT}/read/", API_MISSING, "missing"),
    ],
    "api/v1/tickets/": [
        get("/api/v1/tickets/", API_USER, "list"),
        post("/api/v1/tickets/", logged_in(400, anon=401), "create-empty"),
    ],
    "api/v1/tickets/bulk/": [post("/api/v1/tickets/bulk/", roles(401, 403, 403, 400, 400, 400, 400))],
    # The tickets' CSV export (#26): agents only, with the list's filters (a bad one is a 400 in the error shape).
    "api/v1/tickets/export.csv": [
        get("/api/v1/tickets/export.csv", API_AGENT, "export"),
        get("/api/v1/tickets/export.csv?field.nope=1", roles(401, 403, 403, 400, 400, 400, 400), "unknown-field"),
    ],
    "api/v1/tickets/<str:ref>/": [
        get("/api/v1/tickets/{ticket}/", API_OWNER, "own"),
        get("/api/v1/tickets/T-99999999/", API_MISSING, "missing"),
        patch("/api/v1/tickets/{ticket}/", roles(401, 400, 404, 400, 400, 400, 400), "own-patch-empty"),
    ],
    # Every agent may reply on every ticket (no language scoping in tickets.selectors); B's reply is a 404.
    "api/v1/tickets/<str:ref>/messages/": [
        get("/api/v1/tickets/{ticket}/messages/", API_OWNER, "own"),
        post("/api/v1/tickets/{ticket}/messages/", roles(401, 201, 404, 201, 201, 201, 201), "own-reply",
             {"body": "A short reply."}),
    ],
    "api/v1/tickets/<str:ref>/merge/": [
        post("/api/v1/tickets/{ticket}/merge/", roles(401, 403, 403, 400, 400, 400, 400), "own")],
    "api/v1/ticket-categories/": [get("/api/v1/ticket-categories/", API_USER)],
    "api/v1/ticket-fields/": [get("/api/v1/ticket-fields/", API_USER)],
    "api/v1/macros/": [get("/api/v1/macros/", API_AGENT)],
    # Saved inbox views (JSON only: a form body is a 415 for whoever gets past the door): the agent's own personal
    # view is theirs alone (404 to every other agent, like a missing one); the supervisor's shared view is seen by
    # every agent and changed by supervisors alone.
    "api/v1/ticket-views/": [
        get("/api/v1/ticket-views/", API_AGENT, "list"),
        post("/api/v1/ticket-views/", roles(401, 403, 403, 415, 415, 415, 415), "create-form"),
    ],
    "api/v1/ticket-views/<int:view_id>/": [
        patch("/api/v1/ticket-views/{saved_view}/", roles(401, 403, 403, 415, 404, 404, 404), "personal-patch-form"),
        patch("/api/v1/ticket-views/{shared_view}/", roles(401, 403, 403, 403, 403, 415, 415), "shared-patch-form"),
        patch(f"/api/v1/ticket-views/{MISSING_INT}/", roles(401, 403, 403, 404, 404, 404, 404), "missing"),
    ],
    "api/v1/attachments/<uuid:attachment_id>/": [
        get("/api/v1/attachments/{attachment}/", API_OWNER, "own"),
        get("/api/v1/attachments/{internal_attachment}/", roles(401, 404, 404, 200, 200, 200, 200),
            "internal-note-file"),
        get(f"/api/v1/attachments/{MISSING_UUID}/", API_MISSING, "missing"),
    ],
    "api/v1/attachments/<uuid:attachment_id>/thumbnail/": [
        get("/api/v1/attachments/{attachment}/thumbnail/", API_OWNER, "own")],
    # The help center is public; only published articles exist for it (a draft's id is a 404 for everybody).
    # Writing articles needs the supervisor permission (docs/api.md): an empty create is a 400 for them.
    "api/v1/help/articles/": [
        get("/api/v1/help/articles/?q=deposit", PUBLIC, "search"),
        post("/api/v1/help/articles/", API_SUPERVISOR | {"supervisor": 400, "admin": 400}, "create-empty"),
    ],
    "api/v1/help/articles/<int:article_id>/": [
        get("/api/v1/help/articles/{article}/", PUBLIC, "published"),
        get("/api/v1/help/articles/{draft}/", same(404), "draft"),
        patch("/api/v1/help/articles/{draft}/", API_SUPERVISOR, "draft-patch-empty"),
    ],
    "api/v1/help/articles/<int:article_id>/feedback/": [
        # The article is public: anyone may vote. An empty body says nothing, so everybody gets past the door to a
        # 400; a real vote is a 204.
        post("/api/v1/help/articles/{article}/feedback/", same(400), "published"),
        post("/api/v1/help/articles/{article}/feedback/", same(204), "published-vote", data={"helpful": "true"}),
        post("/api/v1/help/articles/{draft}/feedback/", same(404), "draft"),
    ],
    "api/v1/help/categories/": [get("/api/v1/help/categories/", PUBLIC)],
    # Chats: AllowAny views that check the caller per chat (its customer, its visitor token, or an agent), so
    # anonymous callers get 404 like anyone else the chat is not for.
    "api/v1/chats/": [post("/api/v1/chats/", same(400))],
    "api/v1/chats/<uuid:conversation_id>/messages/": [
        get("/api/v1/chats/{chat}/messages/", roles(404, 200, 404, 200, 200, 200, 200), "own"),
        get("/api/v1/chats/{visitor_chat}/messages/?token={visitor_token}", PUBLIC, "visitor-token"),
        get("/api/v1/chats/{chat}/messages/?token={visitor_token}", roles(404, 200, 404, 200, 200, 200, 200),
            "other-chats-token"),
        get(f"/api/v1/chats/{MISSING_UUID}/messages/", same(404), "missing"),
        # Posting as an agent: only the agent the chat is assigned to (the check is in the message statement).
        post("/api/v1/chats/{chat}/messages/", roles(404, 201, 404, 201, 400, 400, 400), "own-post",
             {"body": "Hello there", "client_msg_id": "matrix-1"}),
    ],
    # Closing as an agent: only the agent the chat is assigned to; every other agent may read the chat but it is
    # "not your chat" (400 from the service), the same answer whatever their language.
    "api/v1/chats/<uuid:conversation_id>/close/": [
        post("/api/v1/chats/{chat}/close/", roles(404, 200, 404, 200, 400, 400, 400), "own")],
    "api/v1/chats/<uuid:conversation_id>/context/": [get("/api/v1/chats/{chat}/context/", API_AGENT, "own")],
    # Rating and the transcript are the customer's only: agents get 404 (apis.ChatRatingApi), and for A the empty
    # rating is a validation error, the transcript of a chat still open a refusal (400).
    # The overflow choice is the customer's only (agents 404); for A, no answer given is a validation error.
    "api/v1/chats/<uuid:conversation_id>/overflow/": [
        post("/api/v1/chats/{chat}/overflow/", roles(404, 400, 404, 404, 404, 404, 404), "own")],
    "api/v1/chats/<uuid:conversation_id>/rating/": [
        post("/api/v1/chats/{chat}/rating/", roles(404, 400, 404, 404, 404, 404, 404), "own")],
    "api/v1/chats/<uuid:conversation_id>/transcript/": [
        post("/api/v1/chats/{chat}/transcript/", roles(404, 400, 404, 404, 404, 404, 404), "own")],
    "api/v1/chats/<uuid:conversation_id>/attachments/": [
        post("/api/v1/chats/{chat}/attachments/", roles(404, 400, 404, 400, 400, 400, 400), "own-empty"),
        post("/api/v1/chats/{chat}/attachments/", roles(404, 201, 404, 201, 400, 400, 400), "own-file",
             lambda: {"file": upload("shot.png", png_bytes(), "image/png"), "client_msg_id": "matrix-file"}),
    ],
    "api/v1/agent/search/": [get("/api/v1/agent/search/?q=nothing-matches-this", API_AGENT)],
    # The exchange profile (support.profiles, the demo provider here): agents only, A's own included (403 to A).
    "api/v1/agent/customers/<int:customer_id>/profile/": [
        get("/api/v1/agent/customers/{customer}/profile/", API_AGENT, "customer-a"),
        get(f"/api/v1/agent/customers/{MISSING_INT}/profile/", roles(401, 403, 403, 404, 404, 404, 404), "missing"),
    ],
    "api/v1/agent/customers/<int:customer_id>/timeline/": [
        get("/api/v1/agent/customers/{customer}/timeline/", API_AGENT, "customer-a"),
        get(f"/api/v1/agent/customers/{MISSING_INT}/timeline/", roles(401, 403, 403, 404, 404, 404, 404), "missing"),
    ],
    "api/v1/agent/chats/<uuid:conversation_id>/profile/": [
        get("/api/v1/agent/chats/{chat}/profile/", API_AGENT, "own"),
        get(f"/api/v1/agent/chats/{MISSING_UUID}/profile/", roles(401, 403, 403, 404, 404, 404, 404), "missing"),
    ],
    # Suggestions to send into a chat are for the agent it is assigned to alone (livechat.selectors.
    # conversation_get_for_agent): every other agent, whatever their role, gets a 404 as for a missing chat.
    "api/v1/agent/chats/<uuid:conversation_id>/assist/": [
        get("/api/v1/agent/chats/{chat}/assist/", roles(401, 403, 403, 200, 404, 404, 404), "own"),
        get(f"/api/v1/agent/chats/{MISSING_UUID}/assist/", roles(401, 403, 403, 404, 404, 404, 404), "missing"),
    ],
    # Every agent may see (and reply on) every ticket, so every agent gets its suggestions.
    "api/v1/agent/tickets/<str:ref>/assist/": [
        get("/api/v1/agent/tickets/{ticket}/assist/", API_AGENT, "own"),
        get("/api/v1/agent/tickets/T-99999999/assist/", roles(401, 403, 403, 404, 404, 404, 404), "missing"),
    ],
    "api/v1/bot/ask": [post("/api/v1/bot/ask", same(400))],
    # Official-contact checks are public and take no credentials at all (verification.apis.VerifyApi).
    "api/v1/verify/": [
        get("/api/v1/verify/?kind=email&value=support@example.com", PUBLIC, "check"),
        get("/api/v1/verify/?kind=fax&value=1", same(400), "bad-kind"),
    ],
    "api/v1/reports/": [get("/api/v1/reports/", API_SUPERVISOR)],
    # Incidents: the open notices are public (no credentials at all); agents read the list and details, supervisors
    # declare, change and resolve (an empty declaration and a bad resolve body are 400s for them).
    "api/v1/incidents/": [
        get("/api/v1/incidents/", API_AGENT, "list"),
        post("/api/v1/incidents/", API_SUPERVISOR | {"supervisor": 400, "admin": 400}, "declare-empty"),
    ],
    "api/v1/incidents/active/": [get("/api/v1/incidents/active/", PUBLIC)],
    "api/v1/incidents/<int:incident_id>/": [
        get("/api/v1/incidents/{incident}/", API_AGENT, "open"),
        get(f"/api/v1/incidents/{MISSING_INT}/", roles(401, 403, 403, 404, 404, 404, 404), "missing"),
        patch("/api/v1/incidents/{incident}/", API_SUPERVISOR, "patch-empty"),
    ],
    "api/v1/incidents/<int:incident_id>/resolve/": [
        post("/api/v1/incidents/{incident}/resolve/", API_SUPERVISOR | {"supervisor": 400, "admin": 400},
             "bad-body", {"notify": "perhaps"}),
        post(f"/api/v1/incidents/{MISSING_INT}/resolve/", roles(401, 403, 403, 403, 403, 404, 404), "missing"),
    ],
    "api/v1/reports/wallboard/": [get("/api/v1/reports/wallboard/", API_AGENT)],
    # Pictures are shown to staff once read for secrets (support.screenshots); before that, to their uploader alone.
    "attachments/<uuid:attachment_id>/": [
        get("/attachments/{attachment}/", PAGE_OWNER, "own"),
        get("/attachments/{internal_attachment}/", roles(LOGIN, 404, 404, 200, 200, 200, 200), "internal-note-file"),
        get("/attachments/{pending_attachment}/", roles(LOGIN, 200, 404, 404, 404, 404, 404), "not-yet-read"),
        get("/attachments/{secret_attachment}/", PAGE_OWNER, "blurred"),
        get(f"/attachments/{MISSING_UUID}/", PAGE_MISSING, "missing"),
    ],
    "attachments/<uuid:attachment_id>/thumbnail/": [
        get("/attachments/{attachment}/thumbnail/", PAGE_OWNER, "own"),
        get("/attachments/{pending_attachment}/thumbnail/", roles(LOGIN, 200, 404, 404, 404, 404, 404),
            "not-yet-read"),
    ],
    # The picture as sent, where a secret was found (kept by SCREENSHOT_KEEP_ORIGINALS): desk admins alone; not the
    # customer who sent it, agents or supervisors. A picture without one has no original to open.
    "attachments/<uuid:attachment_id>/original/": [
        get("/attachments/{secret_attachment}/original/", roles(LOGIN, 404, 404, 404, 404, 404, 200), "kept"),
        get("/attachments/{attachment}/original/", logged_in(404, anon=LOGIN), "no-secret"),
    ],
    # A published article's picture is public; a draft's only for those who may edit it: staff in the admin and
    # supervisors through the API.
    "help/images/<uuid:image_id>/": [
        get("/help/images/{image}/", PUBLIC, "published"),
        get("/help/images/{draft_image}/", roles(404, 404, 404, 404, 404, 200, 200), "draft"),
    ],
    # Chat files: no login required (visitors use ?token=), so anonymous callers get 404, not a login redirect.
    "chat-attachments/<uuid:attachment_id>/": [
        get("/chat-attachments/{chat_file}/", roles(404, 200, 404, 200, 200, 200, 200), "own"),
        get("/chat-attachments/{chat_file}/?token={visitor_token}", roles(404, 200, 404, 200, 200, 200, 200),
            "other-chats-token"),
        get("/chat-attachments/{pending_chat_file}/", roles(404, 200, 404, 404, 404, 404, 404), "not-yet-read"),
        get("/chat-attachments/{secret_chat_file}/", roles(404, 200, 404, 200, 200, 200, 200), "blurred"),
    ],
    "chat-attachments/<uuid:attachment_id>/original/": [
        get("/chat-attachments/{secret_chat_file}/original/", roles(404, 404, 404, 404, 404, 404, 200), "kept"),
        get("/chat-attachments/{chat_file}/original/", same(404), "no-secret"),
    ],
    "api/schema/": [get("/api/schema/", PUBLIC)],
    "api/docs/": [get("/api/docs/", PUBLIC)],
    "i18n/setlang/": [post("/i18n/setlang/", same(Redirect("/", exact=True)))],
    # --- pages under the language prefix (enumerated as en/...) ---
    "en/": [get("/en/", PUBLIC)],
    # Signed-in users are sent home from sign-up and login, whatever the method; an empty form re-renders (200).
    "en/accounts/signup/": [
        get("/en/accounts/signup/", logged_in(HOME, anon=200)),
        post("/en/accounts/signup/", logged_in(HOME, anon=200), "post-empty"),
    ],
    "en/accounts/login/": [
        get("/en/accounts/login/", logged_in(HOME, anon=200)),
        post("/en/accounts/login/", logged_in(HOME, anon=200), "post-empty"),
    ],
    "en/accounts/logout/": [post("/en/accounts/logout/", same(HOME))],
    "en/accounts/password-reset/": [
        get("/en/accounts/password-reset/", PUBLIC),
        post("/en/accounts/password-reset/", PUBLIC, "post-empty"),
    ],
    "en/accounts/password-reset/sent/": [get("/en/accounts/password-reset/sent/", PUBLIC)],
    # A's real uid with a wrong token: the "invalid link" page, for everybody.
    "en/accounts/reset/<uidb64>/<token>/": [
        get("/en/accounts/reset/{uidb64}/bad-token/", PUBLIC, "bad-token"),
        post("/en/accounts/reset/{uidb64}/bad-token/", PUBLIC, "bad-token-post"),
    ],
    "en/accounts/reset/done/": [get("/en/accounts/reset/done/", PUBLIC)],
    # Two-step sign-in: customers have nothing to set up (404; the code step sends them on); staff sessions here
    # have passed it (tests/support/test_two_factor.py covers the way through).
    "en/accounts/2fa/": [get("/en/accounts/2fa/", logged_in(Redirect("/"), anon=LOGIN))],
    "en/accounts/2fa/setup/": [get("/en/accounts/2fa/setup/", roles(LOGIN, 404, 404, 200, 200, 200, 200))],
    "en/accounts/2fa/recovery-codes/": [
        get("/en/accounts/2fa/recovery-codes/", roles(LOGIN, 404, 404, 200, 200, 200, 200))],
    "en/accounts/confirm-email/": [
        post("/en/accounts/confirm-email/", logged_in(Redirect("/en/requests/", exact=True), anon=LOGIN))],
    "en/accounts/confirm-email/<str:token>/": [
        get("/en/accounts/confirm-email/forged/", logged_in(400, anon=LOGIN), "forged")],
    "en/notifications/": [get("/en/notifications/", PAGE_USER)],
    "en/notifications/read-all/": [
        post("/en/notifications/read-all/", logged_in(NOTIFICATIONS, anon=LOGIN))],
    "en/notifications/<int:notification_id>/read/": [
        post("/en/notifications/{notification}/read/",
             roles(LOGIN, NOTIFICATIONS, 404, 404, 404, 404, 404), "own"),
        post(f"/en/notifications/{MISSING_INT}/read/", PAGE_MISSING, "missing"),
    ],
    "en/requests/new/": [
        get("/en/requests/new/", PAGE_USER),
        post("/en/requests/new/", PAGE_USER, "post-empty"),  # the form again, with its errors
    ],
    "en/requests/": [get("/en/requests/", PAGE_USER)],
    # Agents opening the customer's view of a ticket are sent to the agent view of it.
    "en/requests/<str:ref>/": [
        get("/en/requests/{ticket}/", roles(LOGIN, 200, 404, *[AGENT_VIEW] * 4), "own"),
        get("/en/requests/T-99999999/", PAGE_MISSING, "missing"),
        post("/en/requests/{ticket}/", roles(LOGIN, 200, 404, *[AGENT_VIEW] * 4),
             "own-post-empty"),
    ],
    "en/requests/<str:ref>/status/": [
        post("/en/requests/{ticket}/status/",
             roles(LOGIN, CUSTOMER_VIEW, 404, *[CUSTOMER_VIEW] * 4), "own")],
    # The CSAT link is a bearer capability (signed, expiring, no login: tickets.views.ticket_rate), so whoever
    # holds it gets the page; a forged one is 410 for everybody.
    # The claim link likewise: whoever holds it gets the question (POST confirms; A's ticket is already A's).
    "en/requests/confirm/<str:token>/": [
        get("/en/requests/confirm/{claim_token}/", PUBLIC, "valid"),
        get("/en/requests/confirm/forged/", same(410), "forged"),
        post("/en/requests/confirm/forged/", same(410), "forged-post"),
    ],
    "en/rate/<str:token>/": [
        get("/en/rate/{rate_token}/", PUBLIC, "valid"),
        get("/en/rate/forged-token/", same(410), "forged"),
        post("/en/rate/{rate_token}/", same(400), "valid-post-empty"),  # "choose a rating from 1 to 5"
        post("/en/rate/forged-token/", same(410), "forged-post"),
    ],
    "en/agent/tickets/": [get("/en/agent/tickets/", PAGE_AGENT)],
    "en/agent/tickets/export.csv": [get("/en/agent/tickets/export.csv?view=all", PAGE_AGENT)],
    "en/agent/tickets/bulk/": [
        post("/en/agent/tickets/bulk/", roles(LOGIN, 404, 404, *[INBOX] * 4))],
    # Saving, renaming and deleting inbox views; empty forms come back to the inbox with a message. Another agent's
    # personal view is a 404; the delete is not confirmed, so nothing is deleted.
    "en/agent/tickets/views/": [post("/en/agent/tickets/views/", roles(LOGIN, 404, 404, *[INBOX] * 4))],
    "en/agent/tickets/views/<int:view_id>/rename/": [
        post("/en/agent/tickets/views/{saved_view}/rename/", roles(LOGIN, 404, 404, INBOX, 404, 404, 404))],
    "en/agent/tickets/views/<int:view_id>/delete/": [
        post("/en/agent/tickets/views/{saved_view}/delete/", roles(LOGIN, 404, 404, INBOX, 404, 404, 404)),
        post("/en/agent/tickets/views/{shared_view}/delete/", roles(LOGIN, 404, 404, *[INBOX] * 4), "shared")],
    "en/agent/tickets/<str:ref>/": [
        get("/en/agent/tickets/{ticket}/", PAGE_AGENT, "own"),
        get("/en/agent/tickets/T-99999999/", PAGE_MISSING, "missing"),
        post("/en/agent/tickets/{ticket}/", PAGE_AGENT, "own-post-empty"),  # the reply form again, with errors
    ],
    "en/agent/tickets/<str:ref>/update/": [
        post("/en/agent/tickets/{ticket}/update/", roles(LOGIN, 404, 404, *[AGENT_VIEW] * 4),
             "own")],
    "en/agent/tickets/<str:ref>/merge/": [
        post("/en/agent/tickets/{ticket}/merge/", roles(LOGIN, 404, 404, *[AGENT_VIEW] * 4),
             "own")],
    "en/verify/": [get("/en/verify/", PUBLIC), get("/en/verify/?kind=domain&value=example.com", PUBLIC, "check")],
    "en/status/": [get("/en/status/", PUBLIC)],
    "en/status/banner/": [get("/en/status/banner/", PUBLIC)],
    "en/agent/incidents/": [get("/en/agent/incidents/", PAGE_AGENT)],
    "en/agent/incidents/new/": [
        get("/en/agent/incidents/new/", PAGE_SUPERVISOR),
        post("/en/agent/incidents/new/", roles(LOGIN, 403, 403, 403, 403, 400, 400), "post-empty"),
    ],
    "en/agent/incidents/<int:incident_id>/": [
        get("/en/agent/incidents/{incident}/", PAGE_AGENT, "open"),
        get(f"/en/agent/incidents/{MISSING_INT}/", roles(LOGIN, 404, 404, 404, 404, 404, 404), "missing"),
    ],
    "en/agent/incidents/<int:incident_id>/edit/": [
        get("/en/agent/incidents/{incident}/edit/", PAGE_SUPERVISOR),
        post("/en/agent/incidents/{incident}/edit/", roles(LOGIN, 403, 403, 403, 403, 400, 400), "post-empty"),
    ],
    # An empty form resolves without a message (every field is optional), then shows the incident.
    "en/agent/incidents/<int:incident_id>/resolve/": [
        post("/en/agent/incidents/{incident}/resolve/",
             roles(LOGIN, 403, 403, 403, 403, INCIDENT_VIEW, INCIDENT_VIEW), "own")],
    "en/help/": [get("/en/help/", PUBLIC)],
    "en/help/search/": [get("/en/help/search/?q=deposit", PUBLIC)],
    "en/help/sections/<slug:slug>/": [
        get("/en/help/sections/{section}/", PUBLIC, "exists"),
        get("/en/help/sections/no-such-section/", same(404), "missing"),
    ],
    "en/help/articles/<int:article_id>/": [
        get("/en/help/articles/{article}/", PUBLIC, "published"),
        get("/en/help/articles/{draft}/", same(404), "draft"),
    ],
    "en/help/articles/<int:article_id>/feedback/": [
        post("/en/help/articles/{article}/feedback/", same(Redirect("/en/help/articles/{article}/", exact=True)),
             "published"),
        post("/en/help/articles/{draft}/feedback/", same(404), "draft"),
    ],
    "en/help/articles/<int:article_id>/<str:slug>/": [
        get("/en/help/articles/{article}/{article_slug}/", PUBLIC, "published"),
        get("/en/help/articles/{draft}/draft-slug/", same(404), "draft"),
    ],
    "en/chat/": [get("/en/chat/", PUBLIC)],
    # A transcript link is a bearer capability mailed to the chat's address; forged is 410 for everybody.
    "en/chat/transcript/<str:token>/": [get("/en/chat/transcript/forged/", same(410), "forged")],
    "en/agent/chats/": [get("/en/agent/chats/", PAGE_AGENT)],
    # A chat's page is for agents: its own customer gets a 404 like everyone else who is not staff.
    "en/agent/chats/<uuid:conversation_id>/": [
        get("/en/agent/chats/{chat}/", PAGE_AGENT, "own"),
        get(f"/en/agent/chats/{MISSING_UUID}/", PAGE_MISSING, "missing"),
    ],
    # Customer pages are for agents: A's own page is a 404 to A as to B.
    "en/agent/customers/<int:customer_id>/": [
        get("/en/agent/customers/{customer}/", PAGE_AGENT, "customer-a"),
        get(f"/en/agent/customers/{MISSING_INT}/", PAGE_MISSING, "missing"),
    ],
    "en/agent/": [get("/en/agent/", PAGE_AGENT)],
    "en/agent/search/": [get("/en/agent/search/?q=nothing-matches-this", PAGE_AGENT)],
    "en/agent/reports/": [get("/en/agent/reports/", PAGE_SUPERVISOR)],
    "en/agent/reports/<slug:key>.csv": [get("/en/agent/reports/{report_key}.csv", PAGE_SUPERVISOR)],
    "en/agent/wallboard/": [get("/en/agent/wallboard/", PAGE_AGENT)],
    # Workflow rules (issue #26): supervisors' pages (403 to everyone else signed in). Empty forms are refused by
    # the services (400, the editor again); toggling and moving come back to the list; delete asks first (GET).
    "en/agent/rules/": [get("/en/agent/rules/", PAGE_SUPERVISOR)],
    "en/agent/rules/triggers/new/": [
        get("/en/agent/rules/triggers/new/", PAGE_SUPERVISOR),
        post("/en/agent/rules/triggers/new/", RULE_FORM, "post-empty"),
    ],
    "en/agent/rules/triggers/<int:trigger_id>/": [
        get("/en/agent/rules/triggers/{trigger}/", PAGE_SUPERVISOR),
        post("/en/agent/rules/triggers/{trigger}/", RULE_FORM, "post-empty"),
        get(f"/en/agent/rules/triggers/{MISSING_INT}/", RULE_MISSING, "missing"),
    ],
    "en/agent/rules/triggers/<int:trigger_id>/toggle/": [
        post("/en/agent/rules/triggers/{trigger}/toggle/", RULE_BACK_TO_LIST)],
    "en/agent/rules/triggers/<int:trigger_id>/move/": [
        post("/en/agent/rules/triggers/{trigger}/move/", RULE_BACK_TO_LIST, data={"direction": "down"})],
    "en/agent/rules/triggers/<int:trigger_id>/delete/": [
        get("/en/agent/rules/triggers/{trigger}/delete/", PAGE_SUPERVISOR),
        post("/en/agent/rules/triggers/{trigger}/delete/", RULE_BACK_TO_LIST, "confirmed"),
    ],
    "en/agent/rules/triggers/<int:trigger_id>/dry-run/": [
        get("/en/agent/rules/triggers/{trigger}/dry-run/", PAGE_SUPERVISOR),
        get(f"/en/agent/rules/triggers/{MISSING_INT}/dry-run/", RULE_MISSING, "missing"),
    ],
    "en/agent/rules/automations/new/": [
        get("/en/agent/rules/automations/new/", PAGE_SUPERVISOR),
        post("/en/agent/rules/automations/new/", RULE_FORM, "post-empty"),
    ],
    "en/agent/rules/automations/<int:automation_id>/": [
        get("/en/agent/rules/automations/{automation}/", PAGE_SUPERVISOR),
        post("/en/agent/rules/automations/{automation}/", RULE_FORM, "post-empty"),
        get(f"/en/agent/rules/automations/{MISSING_INT}/", RULE_MISSING, "missing"),
    ],
    "en/agent/rules/automations/<int:automation_id>/toggle/": [
        post("/en/agent/rules/automations/{automation}/toggle/", RULE_BACK_TO_LIST)],
    "en/agent/rules/automations/<int:automation_id>/move/": [
        post("/en/agent/rules/automations/{automation}/move/", RULE_BACK_TO_LIST, data={"direction": "up"})],
    "en/agent/rules/automations/<int:automation_id>/delete/": [
        get("/en/agent/rules/automations/{automation}/delete/", PAGE_SUPERVISOR),
        post("/en/agent/rules/automations/{automation}/delete/", RULE_BACK_TO_LIST, "confirmed"),
    ],
    "en/agent/rules/automations/<int:automation_id>/dry-run/": [
        get("/en/agent/rules/automations/{automation}/dry-run/", PAGE_SUPERVISOR)],
    # Custom ticket fields (issue #26), the same audience: an empty form is refused (400, the editor again);
    # retiring and moving come back to the list.
    "en/agent/fields/": [get("/en/agent/fields/", PAGE_SUPERVISOR)],
    "en/agent/fields/new/": [
        get("/en/agent/fields/new/", PAGE_SUPERVISOR),
        post("/en/agent/fields/new/", RULE_FORM, "post-empty"),
    ],
    "en/agent/fields/<int:field_id>/": [
        get("/en/agent/fields/{ticket_field}/", PAGE_SUPERVISOR),
        post("/en/agent/fields/{ticket_field}/", RULE_FORM, "post-empty"),
        get(f"/en/agent/fields/{MISSING_INT}/", RULE_MISSING, "missing"),
    ],
    "en/agent/fields/<int:field_id>/toggle/": [
        post("/en/agent/fields/{ticket_field}/toggle/", FIELD_BACK_TO_LIST, data={"active": "0"})],
    "en/agent/fields/<int:field_id>/move/": [
        post("/en/agent/fields/{ticket_field}/move/", FIELD_BACK_TO_LIST, data={"direction": "up"})],
    # Webhooks and notification addresses (issue #26), the same audience: an empty form is a 400 (the form again);
    # each change comes back to the page it was made from; the secret page shows nothing to anyone else.
    "en/agent/rules/webhooks/": [get("/en/agent/rules/webhooks/", PAGE_SUPERVISOR)],
    "en/agent/rules/webhooks/new/": [
        get("/en/agent/rules/webhooks/new/", PAGE_SUPERVISOR),
        post("/en/agent/rules/webhooks/new/", RULE_FORM, "post-empty"),
    ],
    "en/agent/rules/webhooks/<int:webhook_id>/": [
        get("/en/agent/rules/webhooks/{webhook}/", PAGE_SUPERVISOR),
        post("/en/agent/rules/webhooks/{webhook}/", RULE_FORM, "post-empty"),
        get(f"/en/agent/rules/webhooks/{MISSING_INT}/", RULE_MISSING, "missing"),
    ],
    "en/agent/rules/webhooks/<int:webhook_id>/secret/": [
        get("/en/agent/rules/webhooks/{webhook}/secret/", PAGE_SUPERVISOR)],
    "en/agent/rules/webhooks/<int:webhook_id>/secret/new/": [
        post("/en/agent/rules/webhooks/{webhook}/secret/new/", roles(
            LOGIN, 403, 403, 403, 403, *[Redirect("/en/agent/rules/webhooks/{webhook}/secret/", exact=True)] * 2))],
    "en/agent/rules/webhooks/<int:webhook_id>/pause/": [
        post("/en/agent/rules/webhooks/{webhook}/pause/", WEBHOOK_BACK)],
    "en/agent/rules/webhooks/<int:webhook_id>/resume/": [
        post("/en/agent/rules/webhooks/{webhook}/resume/", WEBHOOK_BACK)],
    "en/agent/rules/webhooks/<int:webhook_id>/test/": [
        post("/en/agent/rules/webhooks/{webhook}/test/", WEBHOOK_TO_LOG)],
    "en/agent/rules/webhooks/<int:webhook_id>/delete/": [
        get("/en/agent/rules/webhooks/{webhook}/delete/", PAGE_SUPERVISOR),
        post("/en/agent/rules/webhooks/{webhook}/delete/",
             roles(LOGIN, 403, 403, 403, 403, *[Redirect("/en/agent/rules/webhooks/", exact=True)] * 2), "confirmed"),
    ],
    "en/agent/rules/webhooks/<int:webhook_id>/deliveries/": [
        get("/en/agent/rules/webhooks/{webhook}/deliveries/", PAGE_SUPERVISOR)],
    "en/agent/rules/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/retry/": [
        post("/en/agent/rules/webhooks/{webhook}/deliveries/{webhook_delivery}/retry/", WEBHOOK_TO_LOG),
        post(f"/en/agent/rules/webhooks/{{webhook}}/deliveries/{MISSING_INT}/retry/", RULE_MISSING, "missing"),
    ],
    "en/agent/rules/addresses/": [
        get("/en/agent/rules/addresses/", PAGE_SUPERVISOR),
        post("/en/agent/rules/addresses/", RULE_FORM, "post-empty"),
    ],
    "en/agent/rules/addresses/<int:address_id>/remove/": [
        post("/en/agent/rules/addresses/{notify_address}/remove/",
             roles(LOGIN, 403, 403, 403, 403, *[Redirect("/en/agent/rules/addresses/", exact=True)] * 2))],
    # An agent reads only their own reviews: asking for another agent's with ?agent=<id> is a 404.
    "en/agent/reviews/": [
        get("/en/agent/reviews/", PAGE_AGENT),
        get("/en/agent/reviews/?agent={agent_id}", roles(LOGIN, 404, 404, 200, 404, 200, 200), "agents-reviews"),
    ],
    "en/agent/reviews/new/": [
        get("/en/agent/reviews/new/?ticket={solved}", PAGE_SUPERVISOR, "solved-ticket"),
        # An empty POST is read as no submission (ReviewForm(request.POST or None)): the form again.
        post("/en/agent/reviews/new/?ticket={solved}", PAGE_SUPERVISOR, "solved-ticket-post-empty"),
    ],
    # A review is its agent's and the supervisors': another agent gets 404.
    "en/agent/reviews/<int:review_id>/": [
        get("/en/agent/reviews/{review}/", roles(LOGIN, 404, 404, 200, 404, 200, 200), "agents-review"),
        get(f"/en/agent/reviews/{MISSING_INT}/", PAGE_MISSING, "missing"),
    ],
}


# --- the admin site: one rule by the shape of the route --------------------------------------------------------------
# Anyone who is not staff is redirected to the admin login; the desk admin (staff, superuser) gets the page. Detail
# pages are requested with an id that does not exist: the admin redirects to its index (or 404s), never 500.

ADMIN_NOT_STAFF = roles(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, None)


def _admin_only(staff_answer):
    return {**ADMIN_NOT_STAFF, "admin": staff_answer}


ADMIN_SPECIAL = {
    "admin/": get("/admin/", _admin_only(200), "index"),
    # An authenticator's key and QR code are shown to nobody, admins included (OTP_ADMIN_HIDE_SENSITIVE_DATA).
    "admin/otp_totp/totpdevice/<int:pk>/config/": get(f"/admin/otp_totp/totpdevice/{MISSING_INT}/config/",
                                                      _admin_only(403), "key"),
    "admin/otp_totp/totpdevice/<int:pk>/qrcode/": get(f"/admin/otp_totp/totpdevice/{MISSING_INT}/qrcode/",
                                                      _admin_only(403), "qr"),
    # The login page answers everyone; a staff user is already in and is sent to the index.
    "admin/login/": get("/admin/login/", {**same(200), "admin": Redirect("/admin/", exact=True)}, "login"),
    # Logging out: a staff user goes to LOGOUT_REDIRECT_URL; for anyone else Django's admin_view sends the logout
    # URL to the admin index (which then asks for the admin login) instead of logging them out.
    "admin/logout/": post("/admin/logout/", {**same(Redirect("/admin/", exact=True)), "admin": HOME}, "logout"),
    "admin/password_change/": get("/admin/password_change/", _admin_only(200), "password-change"),
    "admin/password_change/done/": get("/admin/password_change/done/", _admin_only(200), "password-change-done"),
    # Without app_label/model_name/field_name the autocomplete view refuses (PermissionDenied).
    "admin/autocomplete/": get("/admin/autocomplete/", _admin_only(403), "autocomplete"),
    "admin/jsi18n/": get("/admin/jsi18n/", _admin_only(200), "jsi18n"),
    "admin/r/<path:content_type_id>/<path:object_id>/": get(
        f"/admin/r/{MISSING_INT}/{MISSING_INT}/", _admin_only(404), "view-on-site-missing"),
}
ADMIN_MODEL_PAGES = {  # route suffix after admin/<app>/<model>/ -> (url suffix, the staff answer)
    "": ("", 200),
    "add/": ("add/", 200),
    "<path:object_id>/": (f"{MISSING_INT}/", "change"),  # a redirect to .../change/, see admin_case
    # A missing object: the admin redirects to its index with a "does not exist" message.
    "<path:object_id>/change/": (f"{MISSING_INT}/change/", Redirect("/admin/", exact=True)),
    "<path:object_id>/delete/": (f"{MISSING_INT}/delete/", Redirect("/admin/", exact=True)),
    "<path:object_id>/history/": (f"{MISSING_INT}/history/", Redirect("/admin/", exact=True)),
    "<id>/password/": (f"{MISSING_INT}/password/", 404),
}
# Admin pages whose staff answer differs from the shape's rule: the ModelAdmin refuses the action for everyone
# (has_add_permission / has_delete_permission return False), so even the superuser gets 403.
ADMIN_EXCEPTIONS = {
    "admin/automation/automationrun/add/": 403,                   # AutomationRunAdmin: written by the sweep
    "admin/automation/automationrun/<path:object_id>/delete/": 403,  # AutomationRunAdmin: read-only record
    "admin/automation/rulespass/add/": 403,                       # RulesPassAdmin: written by the engine
    "admin/automation/rulespass/<path:object_id>/delete/": 403,   # RulesPassAdmin: read-only record
    "admin/automation/triggerchange/add/": 403,                   # TriggerChangeAdmin: written by the services
    "admin/automation/triggerchange/<path:object_id>/delete/": 403,  # TriggerChangeAdmin: append-only
    "admin/automation/triggerfiring/add/": 403,                   # TriggerFiringAdmin: written by the engine
    "admin/automation/triggerfiring/<path:object_id>/delete/": 403,  # TriggerFiringAdmin: read-only record
    "admin/chatbot/botsettings/<path:object_id>/delete/": 403,   # BotSettingsAdmin: never deleted
    "admin/chatbot/missinganswer/add/": 403,                      # MissingAnswerAdmin: collected from chats
    "admin/incidents/incident/add/": 403,                         # IncidentAdmin: declared on /agent/incidents/new/
    "admin/incidents/incident/<path:object_id>/delete/": 403,     # IncidentAdmin: read-only record
    "admin/livechat/conversation/add/": 403,                      # ConversationAdmin: read-only record
    "admin/livechat/conversation/<path:object_id>/delete/": 403,  # ConversationAdmin: never deleted
    "admin/livechat/overflowoffer/add/": 403,                     # OverflowOfferAdmin: the customers' answers
    "admin/livechat/overflowoffer/<path:object_id>/delete/": 403,  # OverflowOfferAdmin: read-only record
    "admin/reports/qualityreview/add/": 403,                      # QualityReviewAdmin: written on /agent/reviews/new/
    "admin/support/agentprofile/add/": 403,                       # AgentProfileAdmin: comes with the agent role
    "admin/support/auditevent/add/": 403,                         # AuditEventAdmin: written by support.audit
    "admin/support/auditevent/<path:object_id>/delete/": 403,     # AuditEventAdmin: append-only
    "admin/support/notification/add/": 403,                       # NotificationAdmin: written by the services
    "admin/support/outboundemail/add/": 403,                      # OutboundEmailAdmin: written by the services
    "admin/support/webhookdelivery/add/": 403,                    # WebhookDeliveryAdmin: written by the outbox
    "admin/support/webhookdelivery/<path:object_id>/delete/": 403,  # WebhookDeliveryAdmin: read-only log
    "admin/tickets/inboundemail/add/": 403,                       # InboundEmailAdmin: written by the mail fetcher
    "admin/tickets/ticket/add/": 403,                             # TicketAdmin: tickets come from ticket_create
    "admin/tickets/ticket/<path:object_id>/delete/": 403,         # TicketAdmin: never deleted
}


def admin_case(route):
    """The declared request for an admin route, or None when the rule does not know the route (undeclared)."""
    if route in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[route]
    if route.startswith("admin/^(?P<app_label>"):
        return get("/admin/support/", _admin_only(200), "app-index")
    if route == "admin/(?P<url>.*)$":
        return get("/admin/no-such-admin-page/", _admin_only(404), "catch-all")
    registered = {(m._meta.app_label, m._meta.model_name) for m in admin.site._registry}
    match = re.fullmatch(r"admin/(\w+)/(\w+)/(.*)", route)
    if not match or (match[1], match[2]) not in registered or match[3] not in ADMIN_MODEL_PAGES:
        return None
    suffix, staff_answer = ADMIN_MODEL_PAGES[match[3]]
    if staff_answer == "change":
        staff_answer = Redirect(f"/admin/{match[1]}/{match[2]}/{MISSING_INT}/change/", exact=True)
    staff_answer = ADMIN_EXCEPTIONS.get(route, staff_answer)
    return get(f"/admin/{match[1]}/{match[2]}/{suffix}", _admin_only(staff_answer), "model-page")


# --- websockets ------------------------------------------------------------------------------------------------------

OPEN = "open"  # accepted, and the first frame is the chat's state (customer) or the snapshot (agent)
# After an agent frame (Case.data), the outcome is the answering frame's type for that chat ("message",
# "chat_assigned") or the code of the error frame ("not_your_chat", "no_free_seat").

WS = {
    # The customer socket is the customer's only (session, or the chat's visitor token): agents use /ws/agent/.
    "ws/chat/<uuid:conversation_id>/": [
        Case("own", "WS", "/ws/chat/{chat}/", roles(4404, OPEN, 4404, 4404, 4404, 4404, 4404)),
        Case("visitor-token", "WS", "/ws/chat/{visitor_chat}/?token={visitor_token}", same(OPEN)),
        Case("other-chats-token", "WS", "/ws/chat/{chat}/?token={visitor_token}",
             roles(4404, OPEN, 4404, 4404, 4404, 4404, 4404)),
        Case("missing", "WS", f"/ws/chat/{MISSING_UUID}/", same(4404)),
    ],
    # Who has a ticket or a chat open (collision detection): staff only; a refusal is an error frame, then the close.
    "ws/agent/tickets/<str:ref>/": [
        Case("a-ticket", "WS", "/ws/agent/tickets/{ticket}/", roles(4403, 4403, 4403, OPEN, OPEN, OPEN, OPEN)),
        Case("missing", "WS", f"/ws/agent/tickets/T-{MISSING_INT}/",
             roles(4403, 4403, 4403, 4404, 4404, 4404, 4404)),
    ],
    "ws/agent/chats/<uuid:conversation_id>/": [
        Case("a-chat", "WS", "/ws/agent/chats/{chat}/?follow=1", roles(4403, 4403, 4403, OPEN, OPEN, OPEN, OPEN)),
        Case("missing", "WS", f"/ws/agent/chats/{MISSING_UUID}/", roles(4403, 4403, 4403, 4404, 4404, 4404, 4404)),
    ],
    # The header's bell (support.consumers): anyone signed in hears their own unread count; no session is a 4401.
    "ws/notifications/": [
        Case("connect", "WS", "/ws/notifications/", roles(4401, OPEN, OPEN, OPEN, OPEN, OPEN, OPEN)),
    ],
    # Every agent role connects; acting on A's chat (assigned to the English agent) is that agent's only.
    "ws/agent/": [
        Case("connect", "WS", "/ws/agent/", roles(4403, 4403, 4403, OPEN, OPEN, OPEN, OPEN)),
        Case("resume-a-chat", "WS", "/ws/agent/",
             roles(4403, 4403, 4403, "message", "not_your_chat", "not_your_chat", "not_your_chat"),
             {"type": "resume", "conversation": "{chat}", "after_seq": 0}),
        Case("message-a-chat", "WS", "/ws/agent/",
             roles(4403, 4403, 4403, "message", "not_your_chat", "not_your_chat", "not_your_chat"),
             {"type": "message", "conversation": "{chat}", "body": "Hello from the desk", "client_msg_id": "m1"}),
        # Taking a waiting English chat by hand: only an online agent who serves English (the Korean agent is
        # refused; the desk admin's profile serves no language at all).
        Case("pick-queued-en-chat", "WS", "/ws/agent/",
             roles(4403, 4403, 4403, "chat_assigned", "no_free_seat", "chat_assigned", "no_free_seat"),
             {"type": "pick", "conversation": "{visitor_chat}"}),
    ],
}

# --- enumeration -----------------------------------------------------------------------------------------------------

def enumerate_http_routes():
    """Every URL pattern of the resolver, as its route string; i18n patterns under one language (en/)."""
    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    with translation.override("en"):
        return list(walk(get_resolver().url_patterns, ""))


def _websocket_router():
    """The URLRouter inside the project's ASGI application (under the origin, cookie, session and auth layers)."""
    from support.asgi import application

    app = application.application_mapping["websocket"]
    while not isinstance(app, URLRouter):
        app = getattr(app, "application", None) or getattr(app, "inner")
    return app


def enumerate_websocket_routes():
    def walk(router, prefix):
        for route in router.routes:
            callback = getattr(route, "callback", None)
            if isinstance(callback, URLRouter):
                yield from walk(callback, prefix + str(route.pattern))
            else:
                yield prefix + str(route.pattern)

    return list(walk(_websocket_router(), ""))


HTTP_ROUTES = enumerate_http_routes()
WS_ROUTES = enumerate_websocket_routes()


def _http_cases():
    for route in HTTP_ROUTES:
        if route.startswith("admin/"):
            case = admin_case(route)
            if case is not None:
                yield route, case
        else:
            for case in HTTP.get(route, []):
                yield route, case


def _params(pairs):
    params = []
    for route, case in pairs:
        for role in ROLES:
            params.append(pytest.param(route, case, role, id=f"{route}::{case.label}::{role}"))
    return params


def test_every_endpoint_is_declared():
    """Every URL pattern and websocket route has declared answers, and every declaration names a live endpoint."""
    enumerated = set(HTTP_ROUTES) | {f"ws:{route}" for route in WS_ROUTES}
    declared = set(HTTP) | {f"ws:{route}" for route in WS}
    declared |= {route for route in HTTP_ROUTES if route.startswith("admin/") and admin_case(route) is not None}
    declared |= set(ADMIN_EXCEPTIONS)
    undeclared = sorted(enumerated - declared)
    stale = sorted(declared - enumerated)
    problems = [f"undeclared (add to HTTP, WS or the admin rule): {route}" for route in undeclared]
    problems += [f"stale (no such endpoint any more): {route}" for route in stale]
    assert not problems, "\n".join(problems)
    assert len([r for r in HTTP_ROUTES if r.startswith("admin/")]) > 100  # the admin really was enumerated
    assert all(case.expect.keys() == set(ROLES) for cases in (*HTTP.values(), *WS.values()) for case in cases)
    assert all(500 not in (case.expect.values()) for cases in (*HTTP.values(), *WS.values()) for case in cases)


# --- the world: one set of objects for every HTTP case ---------------------------------------------------------------

def _build_world():
    from rest_framework.authtoken.models import Token

    from automation.models import NotifyAddress
    from automation.services import automation_save, trigger_create
    from helpcenter import services as help_services
    from helpcenter.models import Article, ArticleStatus, Category, Section
    from incidents import services as incident_services
    from livechat import services as chat_services
    from livechat.models import ChatAttachment, SenderKind
    from livechat.tokens import visitor_token
    from reports import selectors as report_selectors
    from reports import services as report_services
    from reports.models import ReviewCriterion
    from support.models import AgentProfile, Notification, Presence
    from support.webhooks.models import WebhookDelivery
    from support.webhooks.services import webhook_create
    from tickets import csat
    from tickets import services as ticket_services
    from tickets.claims import claim_token
    from tickets.models import Attachment, TicketRating
    from tickets.services.field_admin import ticket_field_save

    users = {
        "cust_a": UserFactory(email="matrix.a@example.com", name="Customer A"),
        "cust_b": UserFactory(email="matrix.b@example.com", name="Customer B"),
        "agent": AgentFactory(email="matrix.agent@example.com", languages=["en"]),
        "agent_ko": AgentFactory(email="matrix.agent.ko@example.com", languages=["ko"]),
        "supervisor": AgentFactory(email="matrix.supervisor@example.com", languages=["en"], supervisor=True),
        "admin": UserFactory(email="matrix.admin@example.com", role=Role.ADMIN),
    }
    cust_a, agent, supervisor = users["cust_a"], users["agent"], users["supervisor"]
    sessions, tokens = {}, {}
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        tokens[role] = Token.objects.create(user=user).key

    # A's open ticket, with a picture attached.
    ticket = ticket_services.ticket_create(
        requester=cust_a, subject=f"Deposit missing {SECRET}", body=f"My deposit {SECRET} has not arrived.",
        channel="web", attachments=[upload("proof.png", png_bytes(), "image/png")])
    attachment = Attachment.objects.get(ticket=ticket)
    note = ticket_services.ticket_reply(ticket=ticket, author=agent, body=f"Internal: {INTERNAL}", internal=True,
                                        attachments=[upload("internal-note.png", png_bytes(), "image/png")])
    internal_attachment = Attachment.objects.get(message=note)
    # Pictures are read for secrets before staff see them: these two are read (nothing found); a third of A's is not
    # yet (only A is shown it), and a fourth shows a recovery phrase, kept as sent for desk admins by the policy.
    # The scans' outcomes are recorded through the service without reading the pictures: who may open what does not
    # depend on OCR (reading pictures is the OCR tests' subject: tests/*/test_screenshot*.py).
    ticket_services.attachment_scan(attachment_id=attachment.pk, result=NOTHING_FOUND)
    ticket_services.attachment_scan(attachment_id=internal_attachment.pk, result=NOTHING_FOUND)
    pending = ticket_services.ticket_reply(ticket=ticket, author=cust_a, body="One more.",
                                           attachments=[upload("more.png", png_bytes(), "image/png")])
    pending_attachment = Attachment.objects.get(message=pending)
    phrase = ticket_services.ticket_reply(ticket=ticket, author=cust_a, body="My wallet.",
                                          attachments=[upload("wallet.png", phrase_png(), "image/png")])
    secret_attachment = Attachment.objects.get(message=phrase)
    with override_settings(SCREENSHOT_KEEP_ORIGINALS=True):
        assert ticket_services.attachment_scan(attachment_id=secret_attachment.pk, result=PHRASE_FOUND) == "secret"
    # A's ticket that the agent solved: its CSAT link, A's notification about it, and a review of the agent's work.
    solved = ticket_services.ticket_create(requester=cust_a, subject="Password reset", body="I cannot log in.",
                                           channel="web")
    ticket_services.ticket_update(ticket=solved, actor=agent, assignee=agent)
    ticket_services.ticket_update(ticket=solved, actor=agent, status="solved")
    rating = TicketRating.objects.get(ticket=solved)
    notification = Notification.objects.filter(user=cust_a).latest("id")
    if not ReviewCriterion.objects.filter(is_active=True).exists():
        ReviewCriterion.objects.create(name_en="Accuracy")
    review = report_services.review_create(
        reviewer=supervisor, ticket=solved, comment="Good work.",
        scores={c.pk: 5 for c in ReviewCriterion.objects.filter(is_active=True)})

    # A's chat, assigned to the agent, with a message and a file from A; and a visitor's chat with its token.
    chat = chat_services.conversation_start(language="en", customer=cust_a, with_bot=False)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    chat_services.conversation_pick(conversation_id=chat.id, agent=agent)
    message, _created = chat_services.message_post(
        conversation_id=chat.id, sender_kind=SenderKind.CUSTOMER, sender=cust_a, body=f"Hello {SECRET}",
        upload=upload("chat.png", png_bytes(), "image/png"))
    chat_file = ChatAttachment.objects.get(message_id=message.pk)
    chat_services.chat_attachment_scan(attachment_id=chat_file.pk, result=NOTHING_FOUND)
    message, _created = chat_services.message_post(
        conversation_id=chat.id, sender_kind=SenderKind.CUSTOMER, sender=cust_a, body="",
        upload=upload("wallet.png", phrase_png(), "image/png"))
    secret_chat_file = ChatAttachment.objects.get(message_id=message.pk)
    with override_settings(SCREENSHOT_KEEP_ORIGINALS=True):
        assert chat_services.chat_attachment_scan(attachment_id=secret_chat_file.pk, result=PHRASE_FOUND) == "secret"
    message, _created = chat_services.message_post(
        conversation_id=chat.id, sender_kind=SenderKind.CUSTOMER, sender=cust_a, body="",
        upload=upload("more.png", png_bytes(), "image/png"))
    pending_chat_file = ChatAttachment.objects.get(message_id=message.pk)
    visitor_chat = chat_services.conversation_start(language="en", visitor_name="Visitor",
                                                    visitor_email="visitor@example.com", with_bot=False)

    # The help center: a published and a draft article, each with a picture.
    category = Category.objects.create(slug="matrix-funds", name_en="Funds")
    section = Section.objects.create(category=category, slug="matrix-deposits", name_en="Deposits")
    article = help_services.article_save(article=Article(
        section=section, key="matrix-deposit-address", status=ArticleStatus.PUBLISHED,
        title_en="Find your deposit address", body_en="Open **Wallet**, then deposit."))
    draft = help_services.article_save(article=Article(
        section=section, key="matrix-draft", status=ArticleStatus.DRAFT, title_en="Unreleased fee change",
        body_en="Not yet."))
    image = help_services.image_add(article=article, upload=upload("a.png", png_bytes(), "image/png"))
    draft_image = help_services.image_add(article=draft, upload=upload("d.png", png_bytes(), "image/png"))

    incident = incident_services.incident_declare(
        by=users["supervisor"], titles={"en": "Withdrawals delayed"}, notices={"en": "We are on it."},
        keywords=["withdrawal"])
    saved_view = ticket_services.saved_view_create(owner=agent, name="Urgent", filters={"view": "open"})
    shared_view = ticket_services.saved_view_create(owner=supervisor, name="Team", filters={"view": "open"},
                                                    shared=True)
    trigger = trigger_create(actor=supervisor, name="Matrix rule", events=["ticket.created"],
                             actions=[{"type": "add_tags", "value": ["matrix"]}])
    automation = automation_save(name="Matrix automation", actions=[{"type": "add_tags", "value": ["late"]}],
                                 conditions=[{"field": "hours_since", "of": "created", "op": "gte", "value": 24}])
    webhook, _secret = webhook_create(name="Matrix hook", url="https://93.184.216.34/matrix", events=["chat.rated"])
    webhook_delivery = WebhookDelivery.objects.create(webhook=webhook, event="chat.rated", payload={}, state="failed")
    notify_address = NotifyAddress.objects.create(name="Matrix leads", email="matrix.leads@example.com")
    ticket_field = ticket_field_save(actor=supervisor, values={"key": "matrix_memo", "type": "text",
                                                               "label_en": "Matrix memo", "customer_visible": True})

    names = {
        "incident": incident.pk,
        "ticket": ticket.ref, "solved": solved.ref, "attachment": attachment.pk, "notification": notification.pk,
        "internal_attachment": internal_attachment.pk, "agent_id": agent.pk,
        "pending_attachment": pending_attachment.pk, "secret_attachment": secret_attachment.pk,
        "secret_chat_file": secret_chat_file.pk, "pending_chat_file": pending_chat_file.pk,
        "rate_token": signing.dumps(rating.nonce, salt=csat.SALT), "review": review.pk, "customer": cust_a.pk,
        "chat": chat.id, "chat_file": chat_file.pk, "visitor_chat": visitor_chat.id,
        "visitor_token": visitor_token(visitor_chat.id),
        "article": article.pk, "article_slug": article.slug_en or "slug", "draft": draft.pk,
        "section": section.slug, "image": image.pk, "draft_image": draft_image.pk,
        "report_key": report_selectors.REPORT_TABLES[0].table_key,
        "uidb64": urlsafe_base64_encode(force_bytes(cust_a.pk)),
        "claim_token": claim_token(ticket),
        "saved_view": saved_view.pk, "shared_view": shared_view.pk,
        "trigger": trigger.pk, "automation": automation.pk,
        "webhook": webhook.pk, "webhook_delivery": webhook_delivery.pk, "notify_address": notify_address.pk,
        "ticket_field": ticket_field.pk,
    }
    return {"names": names, "sessions": sessions, "tokens": tokens}


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The objects every HTTP case uses, built once inside a transaction that is rolled back after the class; each
    test then runs in its own savepoint (pytest-django's db), so what a request changes is undone after it."""
    media = tmp_path_factory.mktemp("access-matrix-media")
    with override_settings(MEDIA_ROOT=str(media)), django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _client(world, role, url):
    if url.startswith("/api/"):
        client = APIClient()
        if role != "anon":
            client.credentials(HTTP_AUTHORIZATION=f"Token {world['tokens'][role]}")
    else:
        client = Client()
        if role != "anon":
            client.cookies[settings.SESSION_COOKIE_NAME] = world["sessions"][role]
    client.raise_request_exception = False  # a crash must show as the 500 it is for users, not as a test error
    return client


def _body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


class TestHttpAccess:
    @pytest.mark.parametrize("route,case,role", _params(_http_cases()))
    def test_answer(self, world, db, route, case, role):
        """Each role gets exactly the declared answer: the right page, the right refusal, never a 500."""
        url = case.url.format(**world["names"])
        client = _client(world, role, url)
        send = getattr(client, case.method.lower())
        response = send(url) if case.method == "GET" else send(url, case.data() if callable(case.data) else case.data)
        expected = case.expect[role]
        where = response.get("Location", "")
        assert _matches(expected, response, world["names"]), (
            f"{case.method} {url} as {role}: got {response.status_code} {where}, expected {expected!r}")
        assert response.status_code != 500
        body = _body(response)
        if role in ("anon", "cust_b"):
            assert SECRET.encode() not in body, f"{url} shows customer A's data to {role}"
        if role in ("anon", "cust_a", "cust_b"):
            assert INTERNAL.encode() not in body, f"{url} shows an internal note to {role}"


# --- websocket cases: their own committed rows (the consumers use other database connections) ----------------------

def _socket_world(role):
    """A's chat assigned to an online English agent, a visitor's chat waiting in the English queue, and the role's
    user (online, if they are an agent) with a session cookie."""
    from livechat import services as chat_services
    from livechat.models import SenderKind
    from livechat.tokens import visitor_token
    from support.models import AgentProfile, Presence
    from tickets import services as ticket_services

    cust_a = UserFactory(email="ws.a@example.com")
    agent = AgentFactory(email="ws.agent@example.com", languages=["en"])
    # Both chats start while nobody is online, so routing leaves them queued; then A's is given to the agent.
    chat = chat_services.conversation_start(language="en", customer=cust_a, with_bot=False)
    visitor_chat = chat_services.conversation_start(language="en", visitor_name="Visitor",
                                                    visitor_email="visitor@example.com", with_bot=False)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    chat_services.conversation_pick(conversation_id=chat.id, agent=agent)
    chat_services.message_post(conversation_id=chat.id, sender_kind=SenderKind.CUSTOMER, sender=cust_a,
                               body=f"Hello {SECRET}")
    others = {
        "cust_b": lambda: UserFactory(email="ws.b@example.com"),
        "agent_ko": lambda: AgentFactory(email="ws.ko@example.com", languages=["ko"]),
        "supervisor": lambda: AgentFactory(email="ws.sup@example.com", languages=["en"], supervisor=True),
        "admin": lambda: UserFactory(email="ws.admin@example.com", role=Role.ADMIN),
    }
    user = None if role == "anon" else {"cust_a": cust_a, "agent": agent}.get(role) or others[role]()
    headers = list(ORIGIN)
    if user is not None:
        AgentProfile.objects.filter(user=user).update(presence=Presence.ONLINE)  # no-op for customers
        client = Client()
        client.force_login(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}="
                                   f"{client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()))
    ticket = ticket_services.ticket_create(requester=cust_a, subject="Deposit", body=f"Hello {SECRET}")
    names = {"chat": str(chat.id), "visitor_chat": str(visitor_chat.id),
             "visitor_token": visitor_token(visitor_chat.id), "ticket": ticket.ref}
    return names, headers


async def _socket_outcome(communicator, case, names):
    """What the socket did: its close code, OPEN, or for a case with a frame to send, the answer to that frame."""
    connected, _subprotocol = await communicator.connect(timeout=5)
    assert connected
    first = await communicator.receive_output(timeout=5)
    if first["type"] == "websocket.close":
        return first["code"]
    first_frame = json.loads(first["text"])
    if first_frame["type"] == "error":  # the presence sockets say why before they close
        closing = await communicator.receive_output(timeout=5)
        assert closing["type"] == "websocket.close"
        return closing["code"]
    assert first_frame["type"] in ("assigned", "queue", "snapshot", "present", "unread"), first
    if not case.data:
        return OPEN
    frame = {key: value.format(**names) if isinstance(value, str) else value for key, value in case.data.items()}
    await communicator.send_json_to(frame)
    while True:
        reply = await communicator.receive_json_from(timeout=5)
        if reply["type"] == "error":
            return reply["code"]
        if reply.get("conversation") == frame["conversation"] and reply["type"] in ("message", "chat_assigned"):
            return reply["type"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("route,case,role", _params((r, c) for r in WS_ROUTES for c in WS.get(r, [])))
async def test_websocket_answer(route, case, role):
    """Each role's socket is opened, refused with the declared close code, or refused the declared frame."""
    from support.asgi import application

    names, headers = await sync_to_async(_socket_world)(role)
    url = case.url.format(**names)
    communicator = WebsocketCommunicator(application, url, headers=headers)
    try:
        outcome = await _socket_outcome(communicator, case, names)
    finally:
        await communicator.disconnect()
    assert outcome == case.expect[role], f"{url} as {role}: got {outcome!r}, expected {case.expect[role]!r}"
