"""Saved inbox views (issue #24, "Views"): agents save the inbox's filters under a name, for themselves or (supervisors)
for every agent; the filters are checked by the inbox's own filter form; every view's count comes from one query."""
import re

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from support.roles import is_agent
from tests.factories import AgentFactory
from tickets import services
from tickets.filters import saved_filters_clean
from tickets.inbox_views import inbox_views_for_user
from tickets.models import SavedView

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def save(owner, name, shared=False, **filters):
    return services.saved_view_create(owner=owner, name=name, shared=shared, filters=saved_filters_clean(filters))


@pytest.fixture
def desk(make_ticket, agent, supervisor, category):
    """Four tickets the views below tell apart."""
    urgent_ja = make_ticket(subject="Withdrawal stuck", language="ja", priority="urgent", channel="email",
                            category=category, tags=["kyc"])
    mine = make_ticket(subject="Card declined")
    services.ticket_update(ticket=mine, actor=agent, assignee=agent, status="open", priority="high")
    bosses = make_ticket(subject="Fee question")
    services.ticket_update(ticket=bosses, actor=supervisor, assignee=supervisor, status="pending")
    solved = make_ticket(subject="Old one")
    services.ticket_update(ticket=solved, actor=agent, status="solved")
    return {"urgent_ja": urgent_ja, "mine": mine, "bosses": bosses, "solved": solved}


# --- the filters a view may hold -------------------------------------------------------------------------------


def test_saved_filters_are_canonical_with_the_inboxs_defaults(category):
    """What the inbox would show for the same parameters: defaults filled in, values in one order, tag lower-case."""
    assert saved_filters_clean({"status": ["open", "new", "open"], "tag": " KYC ", "category": category.slug}) == {
        "view": "open", "status": ["new", "open"], "category": category.slug, "tag": "kyc", "sort": "due"}


@pytest.mark.parametrize("filters, field", [
    ({"status": ["gone"]}, "status"),
    ({"priority": "highest"}, "priority"),
    ({"channel": ["fax"]}, "channel"),
    ({"view": "everything"}, "view"),
    ({"category": "no-such-category"}, "category"),
    ({"language": "xx"}, "language"),
    ({"tag": "two words"}, "tag"),
    ({"assignee": "somebody"}, "assignee"),
    ({"sort": "random"}, "sort"),
    ({"q": "x" * 201}, "q"),
    ({"q": ["a", "b"]}, "q"),
    ({"status": [1]}, "status"),
    ({"colour": "red"}, "colour"),
])
def test_a_saved_view_cannot_hold_garbage(filters, field):
    """Every value goes through the inbox's own filter form; what it refuses is named per parameter."""
    with pytest.raises(ValidationError) as refused:
        saved_filters_clean(filters)
    assert list(refused.value.message_dict) == [field]


def test_the_inbox_page_leaves_out_parameters_that_are_not_filters():
    """Saving from the page takes the query string on screen: its page number and view marker are not filters."""
    from django.http import QueryDict

    assert saved_filters_clean(QueryDict("view=mine&page=3&saved=9&priority=urgent"), strict=False) == {
        "view": "mine", "priority": ["urgent"], "sort": "due"}


# --- counts -------------------------------------------------------------------------------------------------------


def test_every_views_count_is_right_for_the_agent_looking(desk, agent, supervisor, category):
    """Built-in and saved views each count their own tickets; `me` in a shared view means whoever looks at it."""
    save(agent, "Urgent Japanese", priority=["urgent"], language="ja")
    save(agent, "Email KYC unassigned", view="unassigned", channel=["email"], tag="kyc", category=category.slug)
    save(agent, "By reference", view="all", q=desk["mine"].ref)
    save(supervisor, "Everything of mine", shared=True, view="all", assignee="me")
    save(supervisor, "Solved, not mine", view="solved", assignee="none")

    counts = {v.name: v.count for v in inbox_views_for_user(user=agent)}
    assert counts == {"Unassigned": 1, "Mine": 1, "All open": 2, "Pending": 1, "Solved": 1, "All": 4,
                      "Urgent Japanese": 1, "Email KYC unassigned": 1, "By reference": 1, "Everything of mine": 1}
    boss = {v.name: v.count for v in inbox_views_for_user(user=supervisor)}
    assert boss["Everything of mine"] == 1 and boss["Mine"] == 1 and boss["Solved, not mine"] == 1
    assert "Urgent Japanese" not in boss  # someone else's personal view


def test_counts_take_two_queries_however_many_views(desk, agent, supervisor, django_assert_num_queries):
    """The saved views in one query, every count in one more (COUNT ... FILTER per view), for 8 or 28 views."""
    save(agent, "Urgent", priority=["urgent"])
    save(supervisor, "Shared", shared=True, assignee="me")
    assert is_agent(agent)  # the permissions are read once per request, not per view
    with django_assert_num_queries(2):
        few = inbox_views_for_user(user=agent)
    for n in range(20):
        save(agent, f"View {n}", tag=f"tag-{n}", priority=["high", "urgent"][n % 2:])
    with django_assert_num_queries(2):
        many = inbox_views_for_user(user=agent)
    assert len(few) == 8 and len(many) == 28
    counted = {v.key: v.count for v in many}
    assert {v.key: counted[v.key] for v in few} == {v.key: v.count for v in few}
    assert [v.count for v in many if v.name.startswith("View ")] == [0] * 20  # no ticket has those tags


def test_the_view_list_api_answers_in_constant_queries(desk, agent, django_assert_max_num_queries):
    client = client_for(agent)
    save(agent, "One", priority=["urgent"])
    with django_assert_max_num_queries(20) as first:
        client.get("/api/v1/ticket-views/")
    for n in range(10):
        save(agent, f"More {n}", tag=f"t{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get("/api/v1/ticket-views/")
    assert len(response.json()) == 17


# --- the API ----------------------------------------------------------------------------------------------------


def test_an_agent_saves_a_view_and_lists_it_with_its_count(desk, agent):
    client = client_for(agent)
    response = client.post("/api/v1/ticket-views/", {
        "name": "Urgent Japanese", "filters": {"priority": ["urgent"], "language": "ja"}}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "personal" and body["count"] == 1 and body["editable"] is True
    assert body["filters"] == {"view": "open", "priority": ["urgent"], "language": "ja", "sort": "due"}
    assert body["url"].startswith("/en/agent/tickets/?view=open&priority=urgent&language=ja&sort=due&saved=")
    listed = client.get("/api/v1/ticket-views/").json()
    assert [v["builtin"] for v in listed[:6]] == ["unassigned", "mine", "open", "pending", "solved", "all"]
    assert listed[6]["id"] == body["id"] and listed[6]["count"] == 1


def test_invalid_filters_answer_per_field_and_save_nothing(agent):
    response = client_for(agent).post("/api/v1/ticket-views/", {
        "name": "Broken", "filters": {"status": ["gone"], "colour": "red"}}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]["filters"]) == {"status", "colour"}
    assert not SavedView.objects.exists()


@pytest.mark.parametrize("payload, field", [({"filters": {}}, "name"), ({"name": " ", "filters": {}}, "name"),
                                            ({"name": "x" * 61}, "name"), ({"name": "x", "owner": 1}, "owner"),
                                            ({"name": "x", "filters": ["view"]}, "filters")])
def test_the_view_input_is_strict(agent, payload, field):
    response = client_for(agent).post("/api/v1/ticket-views/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not SavedView.objects.exists()


def test_names_are_unique_per_agent_whatever_the_case(agent, supervisor):
    save(agent, "Urgent")
    response = client_for(agent).post("/api/v1/ticket-views/", {"name": "URGENT"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "view_name_taken" and "name" in response.json()["error"]["fields"]
    assert client_for(supervisor).post("/api/v1/ticket-views/", {"name": "Urgent"}, format="json").status_code == 201
    assert SavedView.objects.count() == 2


def test_customers_get_403_from_every_view_endpoint(customer, agent):
    view = save(agent, "Mine")
    client = client_for(customer)
    for method, url in [("get", "/api/v1/ticket-views/"), ("post", "/api/v1/ticket-views/"),
                        ("patch", f"/api/v1/ticket-views/{view.pk}/"), ("delete", f"/api/v1/ticket-views/{view.pk}/")]:
        response = getattr(client, method)(url, {"name": "Hijack"}, format="json")
        assert response.status_code == 403, (method, url)
        assert response.json()["error"]["code"] == "permission_denied"
        assert "Mine" not in response.content.decode()
    view.refresh_from_db()
    assert view.name == "Mine" and SavedView.objects.count() == 1


def test_only_supervisors_share_views(agent, supervisor):
    response = client_for(agent).post("/api/v1/ticket-views/", {"name": "For all", "shared": True}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert not SavedView.objects.exists()
    own = save(agent, "Mine")
    response = client_for(agent).patch(f"/api/v1/ticket-views/{own.pk}/", {"shared": True}, format="json")
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.shared is False
    response = client_for(supervisor).post("/api/v1/ticket-views/", {"name": "For all", "shared": True},
                                           format="json")
    assert response.status_code == 201 and response.json()["kind"] == "shared"


def test_the_view_api_takes_json_only(supervisor):
    """A form body is a 415: in a form, a checkbox left out would read as `"shared": false` and unshare the view."""
    shared = save(supervisor, "Escalations", shared=True)
    response = client_for(supervisor).patch(f"/api/v1/ticket-views/{shared.pk}/", {"name": "Renamed"},
                                            format="multipart")
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"
    shared.refresh_from_db()
    assert shared.shared is True and shared.name == "Escalations"


def test_another_agents_personal_view_is_404_and_stays(agent):
    other = AgentFactory(email="other@example.com")
    theirs = save(other, "Theirs", priority=["urgent"])
    client = client_for(agent)
    assert client.patch(f"/api/v1/ticket-views/{theirs.pk}/", {"name": "Mine now"}, format="json").status_code == 404
    assert client.delete(f"/api/v1/ticket-views/{theirs.pk}/").status_code == 404
    assert all(v["id"] != theirs.pk for v in client.get("/api/v1/ticket-views/").json())
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_a_shared_view_is_changed_by_supervisors_only(agent, supervisor):
    shared = save(supervisor, "Escalations", shared=True, priority=["urgent"])
    client = client_for(agent)
    listed = {v["id"]: v for v in client.get("/api/v1/ticket-views/").json()}
    assert listed[shared.pk]["editable"] is False and listed[shared.pk]["owner"]["name"] == supervisor.display_name
    response = client.patch(f"/api/v1/ticket-views/{shared.pk}/", {"name": "Mine"}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    assert client.delete(f"/api/v1/ticket-views/{shared.pk}/").status_code == 403
    shared.refresh_from_db()
    assert shared.name == "Escalations"
    other_boss = AgentFactory(email="boss2@example.com", supervisor=True)
    response = client_for(other_boss).patch(f"/api/v1/ticket-views/{shared.pk}/", {
        "name": "Urgent escalations", "filters": {"priority": ["urgent", "high"]}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["filters"]["priority"] == ["high", "urgent"]
    assert client_for(other_boss).delete(f"/api/v1/ticket-views/{shared.pk}/").status_code == 204
    assert not SavedView.objects.exists()


def test_the_owner_renames_and_deletes_a_personal_view(agent):
    view = save(agent, "Urgent")
    client = client_for(agent)
    response = client.patch(f"/api/v1/ticket-views/{view.pk}/", {"name": "  Very   urgent "}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Very urgent"
    assert client.patch(f"/api/v1/ticket-views/{view.pk}/", {}, format="json").status_code == 400
    assert client.delete(f"/api/v1/ticket-views/{view.pk}/").status_code == 204
    assert client.delete(f"/api/v1/ticket-views/{view.pk}/").status_code == 404


def test_the_ticket_list_api_takes_the_view_and_channel_filters(desk, agent):
    client = client_for(agent)

    def refs(query):
        response = client.get(f"/api/v1/tickets/?{query}")
        assert response.status_code == 200, response.json()
        return {t["ref"] for t in response.json()["results"]}

    assert refs("view=mine") == {desk["mine"].ref}
    assert refs("channel=email") == {desk["urgent_ja"].ref}
    assert refs("view=all&assignee=none&status=solved") == {desk["solved"].ref}
    response = client.get("/api/v1/tickets/?assignee=somebody")
    assert response.status_code == 400 and "assignee" in response.json()["error"]["fields"]


# --- the inbox page ---------------------------------------------------------------------------------------------


def test_the_sidebar_lists_views_with_counts_and_marks_the_open_one(client, desk, agent, supervisor):
    mine = save(agent, "Urgent Japanese", priority=["urgent"], language="ja")
    shared = save(supervisor, "Team pending", shared=True, view="pending")
    theirs = save(AgentFactory(email="other@example.com"), "Not for you")
    client.force_login(agent)
    html = client.get(f"/en/agent/tickets/?view=open&priority=urgent&language=ja&sort=due&saved={mine.pk}").content.decode()
    current = re.findall(r'<a class="view-link" href="[^"]*" aria-current="page"><span class="view-name">([^<]+)', html)
    assert current == ["Urgent Japanese"]
    assert f'data-view-key="saved-{mine.pk}"' in html and f'data-view-key="saved-{shared.pk}"' in html
    assert "Not for you" not in html and f"saved-{theirs.pk}" not in html
    counts = dict(re.findall(r'<span class="view-name">([^<]+)</span> <span class="view-count" data-count>(\d+)', html))
    assert counts["Urgent Japanese"] == "1" and counts["Team pending"] == "1" and counts["All"] == "4"
    # Only the owner is offered rename and delete; the shared view is the supervisor's to change.
    assert f"/agent/tickets/views/{mine.pk}/delete/" in html and f"/agent/tickets/views/{shared.pk}/" not in html
    plain = client.get("/en/agent/tickets/?view=mine").content.decode()
    assert re.findall(r'aria-current="page"><span class="view-name">([^<]+)', plain) == ["Mine"]
    filtered = client.get("/en/agent/tickets/?view=mine&priority=high").content.decode()
    assert 'aria-current="page"><span class="view-name">' not in filtered  # no view shows exactly this


def test_an_agent_saves_renames_and_deletes_a_view_on_the_page(client, desk, agent):
    client.force_login(agent)
    refused = client.post("/en/agent/tickets/views/", {"name": "Urgent", "shared": "1", "query": "view=all"},
                          follow=True)
    assert "Only supervisors can share views" in refused.content.decode() and not SavedView.objects.exists()
    response = client.post("/en/agent/tickets/views/", {"name": "Urgent", "query": "view=all&priority=urgent&page=2"})
    view = SavedView.objects.get()
    assert view.filters == {"view": "all", "priority": ["urgent"], "sort": "due"} and view.shared is False
    assert response.status_code == 302
    assert response["Location"] == f"/en/agent/tickets/?view=all&priority=urgent&sort=due&saved={view.pk}"
    page = client.get(response["Location"]).content.decode()
    assert 'aria-current="page"><span class="view-name">Urgent<' in page

    client.post(f"/en/agent/tickets/views/{view.pk}/rename/", {"name": "Urgent, all"})
    view.refresh_from_db()
    assert view.name == "Urgent, all"
    back = f"/en/agent/tickets/?view=all&priority=urgent&sort=due&saved={view.pk}"
    response = client.post(f"/en/agent/tickets/views/{view.pk}/delete/", {"back": back})
    assert response["Location"] == back and SavedView.objects.exists()  # not confirmed: nothing deleted
    response = client.post(f"/en/agent/tickets/views/{view.pk}/delete/", {"back": back, "confirm": "1"})
    assert response["Location"] == "/en/agent/tickets/" and not SavedView.objects.exists()


def test_bad_input_on_the_page_is_a_readable_message_not_a_500(client, agent):
    client.force_login(agent)
    response = client.post("/ja/agent/tickets/views/", {"name": "x", "query": "status=gone"}, follow=True)
    assert response.status_code == 200 and "保存できません" in response.content.decode()
    response = client.post("/ja/agent/tickets/views/", {"name": "", "query": "view=all"}, follow=True)
    assert response.status_code == 200 and not SavedView.objects.exists()
    save(agent, "Taken")
    response = client.post("/ja/agent/tickets/views/", {"name": "taken", "query": ""}, follow=True)
    assert "同じ名前のビューがすでにあります" in response.content.decode()
    assert SavedView.objects.count() == 1


def test_someone_elses_view_cannot_be_renamed_or_deleted_on_the_page(client, agent, supervisor):
    theirs = save(AgentFactory(email="other@example.com"), "Theirs")
    shared = save(supervisor, "Shared", shared=True)
    client.force_login(agent)
    assert client.post(f"/en/agent/tickets/views/{theirs.pk}/rename/", {"name": "x"}).status_code == 404
    assert client.post(f"/en/agent/tickets/views/{theirs.pk}/delete/", {"confirm": "1"}).status_code == 404
    client.post(f"/en/agent/tickets/views/{shared.pk}/delete/", {"confirm": "1"})
    client.post(f"/en/agent/tickets/views/{shared.pk}/rename/", {"name": "x"})
    assert set(SavedView.objects.values_list("name", flat=True)) == {"Theirs", "Shared"}


def test_a_supervisor_shares_a_view_from_the_page(client, supervisor):
    client.force_login(supervisor)
    assert 'name="shared"' in client.get("/en/agent/tickets/").content.decode()
    client.post("/en/agent/tickets/views/", {"name": "Escalations", "shared": "1", "query": "priority=urgent"})
    assert SavedView.objects.get().shared is True


def test_the_inbox_with_saved_views_runs_a_constant_number_of_queries(client, desk, agent, supervisor,
                                                                       django_assert_max_num_queries):
    client.force_login(agent)
    save(agent, "One", priority=["urgent"])
    with django_assert_max_num_queries(40) as first:
        client.get("/en/agent/tickets/?view=all")
    for n in range(10):
        save(agent, f"Mine {n}", tag=f"t{n}")
        save(supervisor, f"Shared {n}", shared=True, tag=f"s{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = client.get("/en/agent/tickets/?view=all").content.decode()
    assert html.count('data-testid="inbox-view"') == 27
