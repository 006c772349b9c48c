"""Who may open reports, the wallboard and reviews; the CSV export; the review flow."""
import csv
import io

import pytest

from reports.exports import safe_cell
from reports.models import QualityReview, ReviewCriterion
from support.models import Notification
from tests.factories import AgentFactory

REPORT_QUERY = "start=2026-03-02&end=2026-03-08"


@pytest.fixture
def rubric(db):
    ReviewCriterion.objects.all().delete()
    return [ReviewCriterion.objects.create(name="Accuracy", weight=2, position=0),
            ReviewCriterion.objects.create(name="Tone", weight=1, position=1)]


@pytest.mark.parametrize("path", [f"/en/agent/reports/?{REPORT_QUERY}", f"/en/agent/reports/agents.csv?{REPORT_QUERY}",
                                  "/en/agent/reviews/new/?ticket=T-50000"])
def test_agents_and_customers_cannot_open_supervisor_pages(client, desk, path):
    """Agents and customers get 403 (nothing of the report in the answer); anonymous users are sent to log in."""
    for user in (desk["alice"], desk["customer"]):
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 403
        assert b"data-testid=\"table-" not in response.content and b"review-form" not in response.content
    client.logout()
    assert client.get(path).status_code == 302


def test_report_api_is_for_supervisors(client, desk):
    client.force_login(desk["alice"])
    response = client.get(f"/api/v1/reports/?{REPORT_QUERY}")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    client.force_login(desk["boss"])
    body = client.get(f"/api/v1/reports/?{REPORT_QUERY}").json()
    tables = {t["key"]: t for t in body["tables"]}
    assert body["period"] == {"start": "2026-03-02", "end": "2026-03-08", "time_zone": "UTC", "language": None,
                              "team": None}
    assert tables["chats"]["rows"][-1]["offered"] == 8


def test_bad_report_filters_get_a_readable_error(client, desk):
    client.force_login(desk["boss"])
    page = client.get("/en/agent/reports/?start=2026-03-09&end=2026-03-01")
    assert page.status_code == 400 and "must not be after" in page.content.decode()
    api = client.get("/api/v1/reports/?start=2020-01-01&end=2026-01-01&tz=Mars/Olympus")
    assert api.status_code == 400
    assert set(api.json()["error"]["fields"]) == {"tz"}
    too_long = client.get("/api/v1/reports/?start=2020-01-01&end=2026-01-01").json()
    assert "at most 366 days" in too_long["error"]["detail"]


def test_supervisor_sees_every_table_with_charts_and_csv_links(client, desk):
    client.force_login(desk["boss"])
    page = client.get(f"/en/agent/reports/?{REPORT_QUERY}").content.decode()
    for key in ("chats", "heatmap", "trend", "bot", "handover_reasons", "tickets_by_channel", "tickets_by_category",
                "ticket_times", "csat", "overflow", "teams", "agents", "quality", "quality_criteria"):
        assert f'data-testid="csv-{key}"' in page
    assert 'id="report-data"' in page and "vendor/echarts/echarts.min.js" in page
    assert "0:30" in page  # the English median wait, 30 s, as m:ss


def test_csv_export_has_labels_numbers_and_no_formulas(client, desk):
    """Every cell that a spreadsheet would run as a formula is neutralised; numbers stay numbers."""
    desk["bob"].name = '=HYPERLINK("http://evil.example","click")'
    desk["bob"].save()
    client.force_login(desk["boss"])
    response = client.get(f"/en/agent/reports/agents.csv?{REPORT_QUERY}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="agents-2026-03-02-2026-03-08.csv"' in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Agent", "Team", "Chats handled"]
    by_name = {row[0]: row for row in rows[1:]}
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in by_name
    assert by_name["Alice"][2] == "3" and by_name["Alice"][3] == "600.0"


def test_unknown_csv_table_is_404(client, desk):
    client.force_login(desk["boss"])
    assert client.get(f"/en/agent/reports/nope.csv?{REPORT_QUERY}").status_code == 404


@pytest.mark.parametrize("value, expected", [("=1+1", "'=1+1"), ("+7", "'+7"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
                                             ("\tx", "'\tx"), ("Alice", "Alice"), (-2, -2), (None, "")])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_wallboard_for_agents_not_customers(client, desk):
    client.force_login(desk["customer"])
    assert client.get("/en/agent/wallboard/").status_code == 404
    assert client.get("/api/v1/reports/wallboard/").status_code == 403
    client.force_login(desk["alice"])
    assert client.get("/en/agent/wallboard/").status_code == 200
    board = client.get("/api/v1/reports/wallboard/").json()
    assert {row["language"] for row in board["languages"]} == {"en", "zh-hans", "es", "ru", "ja", "ko"}


def test_wallboard_counts_waiting_chats_and_online_agents(db):
    """Two English chats waiting (the oldest for 90 s), one online English agent; SLA and CSAT empty today."""
    import datetime as dt

    from django.utils import timezone

    from livechat.models import Conversation
    from reports.selectors import wallboard
    from support.models import Presence

    now = timezone.now()
    for seconds in (90, 30):
        Conversation.objects.create(language="en", status="queued", queued_at=now - dt.timedelta(seconds=seconds))
    online = AgentFactory(languages=["en", "ko"])
    online.agent_profile.presence = Presence.ONLINE
    online.agent_profile.save()
    AgentFactory(languages=["en"])  # offline
    board = {row["language"]: row for row in wallboard(now=now)["languages"]}
    assert (board["en"]["waiting"], board["en"]["longest_wait"], board["en"]["agents_online"]) == (2, 90, 1)
    assert (board["ko"]["waiting"], board["ko"]["agents_online"], board["ja"]["agents_online"]) == (0, 1, 0)


def test_supervisor_reviews_a_solved_ticket_and_the_agent_reads_it(client, desk, rubric):
    """Weighted score: accuracy 4 (weight 2) and tone 5 (weight 1) = 13 / 15 = 86.7; the agent is notified and sees
    the review on their own page; another agent gets 404."""
    ticket = desk["tickets"]["t2"]  # solved, assigned to Alice, not reviewed yet
    client.force_login(desk["boss"])
    form = client.get(f"/en/agent/reviews/new/?ticket={ticket.ref}")
    assert form.status_code == 200 and "Accuracy" in form.content.decode()
    response = client.post(f"/en/agent/reviews/new/?ticket={ticket.ref}", {
        f"criterion_{rubric[0].pk}": "4", f"criterion_{rubric[1].pk}": "5", "comment": "Clear <b>steps</b>."})
    review = QualityReview.objects.get(ticket=ticket, reviewer=desk["boss"])
    assert response.status_code == 302 and review.score == 86.7 and review.agent == desk["alice"]
    assert Notification.objects.filter(user=desk["alice"], kind="quality_review_ticket").exists()
    again = client.post(f"/en/agent/reviews/new/?ticket={ticket.ref}", {
        f"criterion_{rubric[0].pk}": "1", f"criterion_{rubric[1].pk}": "1"})
    assert again.status_code == 400 and "already reviewed" in again.content.decode()

    client.force_login(desk["alice"])
    own = client.get("/en/agent/reviews/").content.decode()
    assert "86.7" in own
    detail = client.get(f"/en/agent/reviews/{review.pk}/").content.decode()
    assert "Clear &lt;b&gt;steps&lt;/b&gt;." in detail
    client.force_login(desk["bob"])
    assert client.get(f"/en/agent/reviews/{review.pk}/").status_code == 404
    assert client.get(f"/en/agent/reviews/?agent={desk['alice'].pk}").status_code == 404
    assert "86.7" not in client.get("/en/agent/reviews/").content.decode()


def test_only_finished_work_can_be_reviewed_and_every_criterion_is_scored(client, desk, rubric):
    client.force_login(desk["boss"])
    open_ticket = desk["tickets"]["t3"]
    page = client.get(f"/en/agent/reviews/new/?ticket={open_ticket.ref}")
    assert page.status_code == 400 and "Only solved or closed tickets" in page.content.decode()
    chat = desk["chats"]["c2"]  # closed, handled by Alice, not reviewed yet
    partial = client.post(f"/en/agent/reviews/new/?chat={chat.pk}", {f"criterion_{rubric[0].pk}": "4"})
    assert partial.status_code == 400
    assert not QualityReview.objects.filter(conversation=chat).exists()
    assert client.get("/en/agent/reviews/new/?chat=not-a-uuid").status_code == 404
    assert client.get("/en/agent/reviews/new/?ticket=T-1").status_code == 404


def test_customer_page_links_finished_work_to_a_review_for_supervisors_only(client, desk):
    """The customer page is where a supervisor picks work to review: solved tickets and closed chats with an agent."""
    t2, t3 = desk["tickets"]["t2"], desk["tickets"]["t3"]
    customer = desk["customer"]
    client.force_login(desk["boss"])
    page = client.get(f"/en/agent/customers/{customer.pk}/").content.decode()
    assert f"/en/agent/reviews/new/?ticket={t2.ref}" in page
    assert f"?ticket={t3.ref}" not in page  # still open
    assert "Reports" in page  # the navigation link
    client.force_login(desk["alice"])
    page = client.get(f"/en/agent/customers/{customer.pk}/").content.decode()
    assert "/agent/reviews/new/" not in page and "/agent/reports/" not in page
