"""Who is an agent is read with the user, in the same statement (support.backends.permission_names): by the API's
token and by a session. The answer must be exactly Django's (own permissions, the groups', a superuser's, an inactive
account's) and current on every request: nothing is cached across requests."""
import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from support.roles import Role
from tests.factories import AgentFactory, UserFactory
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db

AGENTS_ONLY = "/api/v1/ticket-views/"


def token_client(user):
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def permission_queries(queries):
    return [q["sql"] for q in queries if '"auth_permission"' in q["sql"]]


def test_an_agents_list_request_reads_token_user_and_permissions_in_one_statement():
    agent = AgentFactory()
    ticket_services.ticket_create(requester=UserFactory(), subject="Deposit missing", body="Not arrived.")
    client = token_client(agent)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/tickets/")
    assert response.status_code == 200 and response.json()["count"] == 1
    # The token with its user and permissions; the count; the page; its SLA timers. Django's backend read the
    # permissions in two more queries of their own.
    assert len(queries) == 4, [q["sql"][:80] for q in queries]
    assert len(permission_queries(queries)) == 1 and '"authtoken_token"' in permission_queries(queries)[0]


def test_a_session_request_reads_the_permissions_with_the_user():
    agent = AgentFactory()
    client = Client()
    client.force_login(agent)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(AGENTS_ONLY)
    assert response.status_code == 200
    reads = permission_queries(queries)
    assert len(reads) == 1 and '"support_user"' in reads[0] and '"django_session"' not in reads[0]


@pytest.mark.parametrize("how", ["token", "session"])
def test_losing_or_gaining_the_role_counts_on_the_very_next_request(how):
    agent = AgentFactory()
    client = token_client(agent) if how == "token" else Client()
    if how == "session":
        client.force_login(agent)
    assert client.get(AGENTS_ONLY).status_code == 200

    agent.groups.clear()
    assert client.get(AGENTS_ONLY).status_code == 403

    agent.user_permissions.add(Permission.objects.get(codename="work_as_agent"))  # granted to the person directly
    assert client.get(AGENTS_ONLY).status_code == 200

    agent.user_permissions.clear()
    agent.groups.add(Group.objects.get(name=Role.AGENT.value))
    assert client.get(AGENTS_ONLY).status_code == 200
    Group.objects.get(name=Role.AGENT.value).permissions.clear()  # the group itself loses the permission
    assert client.get(AGENTS_ONLY).status_code == 403


def test_a_customer_is_refused_and_a_superuser_is_let_in_without_any_group():
    customer = UserFactory()
    assert token_client(customer).get(AGENTS_ONLY).status_code == 403
    root = UserFactory()
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    root.groups.clear()  # no role group at all: only being a superuser lets them in
    assert token_client(root).get(AGENTS_ONLY).status_code == 200


def test_an_inactive_accounts_token_is_refused():
    agent = AgentFactory()
    client = token_client(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    response = client.get(AGENTS_ONLY)
    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"
    assert token_client(UserFactory()).get(AGENTS_ONLY, HTTP_AUTHORIZATION="Token nope").status_code == 401
