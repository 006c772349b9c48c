"""Every report figure against numbers worked out by hand from the fixture desk (tests/reports/conftest.py)."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import selectors
from reports.selectors import Period

from .conftest import at, make_chat


def rows_by(table, key="language"):
    return {row[key]: row for row in table.rows}


def test_chat_figures_per_language_and_in_total(desk, week):
    """English: 7 offered (c1-c6, c8), 5 answered, 1 abandoned (c5), 1 left a message (c6); waits 10, 20, 30, 40,
    50 s give a median of 30 and an interpolated p90 of 40 + 0.6 x 10 = 46; handle times 600, 300, 900, 100 average
    475. All languages add Japanese (wait 100, handle 200): median of six waits 35, p90 50 + 0.5 x 50 = 75."""
    rows = rows_by(selectors.chats_by_language(week))
    en, ja, total = rows["English"], rows["日本語"] if "日本語" in rows else rows["Japanese"], rows["All languages"]
    assert (en["offered"], en["answered"], en["abandoned"], en["left_message"]) == (7, 5, 1, 1)
    assert en["answer_rate"] == 71.4
    assert (en["wait_p50"], en["wait_p90"], en["handle_avg"]) == (30.0, 46.0, 475.0)
    assert (ja["offered"], ja["answered"], ja["wait_p50"], ja["wait_p90"], ja["handle_avg"]) == (1, 1, 100, 100, 200)
    assert (total["offered"], total["answered"], total["wait_p50"], total["wait_p90"]) == (8, 6, 35.0, 75.0)
    assert total["handle_avg"] == 420.0


def test_an_empty_period_reports_zeros_and_no_percentiles(desk):
    """No chats: counts are zero, rates and percentiles are absent (not zero), and every day still has its row."""
    empty = Period(start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 3), tz=ZoneInfo("UTC"))
    total = rows_by(selectors.chats_by_language(empty))["All languages"]
    assert (total["offered"], total["answer_rate"], total["wait_p50"], total["handle_avg"]) == (0, None, None, None)
    trend = selectors.daily_trend(empty).rows
    assert [r["date"] for r in trend] == ["2025-01-01", "2025-01-02", "2025-01-03"]
    assert all(r["offered"] == 0 and r["tickets_created"] == 0 and r["csat"] is None for r in trend)
    assert selectors.wait_heatmap(empty).rows == []
    assert selectors.agent_figures(empty).rows == []
    assert rows_by(selectors.ticket_times(empty))["All languages"]["first_p50"] is None


def test_language_and_team_filters(desk, week):
    """A language filter keeps only its chats; a team filter keeps chats answered by that team's agents."""
    ja_only = Period(start=week.start, end=week.end, tz=week.tz, language="ja")
    assert rows_by(selectors.chats_by_language(ja_only))["All languages"]["offered"] == 1
    team_b = Period(start=week.start, end=week.end, tz=week.tz, team=desk["team_b"])
    total = rows_by(selectors.chats_by_language(team_b))["All languages"]
    assert (total["answered"], total["wait_p50"]) == (2, 75.0)  # c8 (50 s) and j1 (100 s): median 75
    assert rows_by(selectors.ticket_times(team_b))["All languages"]["tickets"] == 2  # t4 and t5


def test_bot_deflection_and_handover_reasons(desk, week):
    """Two English chats started with the bot: c7 closed without a person (resolved), c8 handed over (requested)."""
    en = rows_by(selectors.bot_by_language(week))["English"]
    assert (en["chats"], en["resolved"], en["handed_over"], en["deflection_rate"]) == (2, 1, 1, 50.0)
    reasons = selectors.handover_reasons(week).rows
    assert [(r["handovers"], r["share"]) for r in reasons] == [(1, 100.0)]
    assert reasons[0]["reason"] == "asked for a person"


def test_heatmap_cells_in_the_reports_time_zone(desk, week):
    """c1 and c2 were queued on Monday at 10:00 and 10:30 UTC: one English cell (Monday, 10) with 2 offered and a
    median wait of 15 s; in Tokyo time the same chats sit at 19:00."""
    cells = {(r["language"], r["weekday_number"], r["hour"]): r for r in selectors.wait_heatmap(week).rows}
    assert cells[("en", 1, 10)]["offered"] == 2 and cells[("en", 1, 10)]["wait_p50"] == 15.0
    assert cells[("ja", 1, 10)]["wait_p50"] == 100.0
    assert cells[("en", 3, 9)]["abandoned"] == 1  # c5 on Wednesday 09:00
    tokyo = Period(start=week.start, end=week.end, tz=ZoneInfo("Asia/Tokyo"))
    tokyo_cells = {(r["language"], r["weekday_number"], r["hour"]) for r in selectors.wait_heatmap(tokyo).rows}
    assert ("en", 1, 19) in tokyo_cells and ("en", 1, 10) not in tokyo_cells


def test_daily_trend(desk, week):
    """Monday: 3 chats offered (c1, c2, j1), 3 tickets created (t1, t2; the merged t6 is left out... and none
    else), 2 solved (t1, t2), CSAT (5 + 3 + 4) / 3 = 4.0. The weekend has rows of zeros."""
    rows = {r["date"]: r for r in selectors.daily_trend(week).rows}
    assert len(rows) == 7
    monday = rows["2026-03-02"]
    assert (monday["offered"], monday["answered"], monday["tickets_created"], monday["tickets_solved"]) == (3, 3, 2, 2)
    assert monday["csat"] == 4.0 and monday["wait_p50"] == 20.0  # waits 10, 20, 100
    assert rows["2026-03-04"]["abandoned"] == 1
    assert rows["2026-03-07"] == {"date": "2026-03-07", "offered": 0, "answered": 0, "abandoned": 0,
                                  "wait_p50": None, "tickets_created": 0, "tickets_solved": 0, "csat": None}


def test_ticket_volume_times_and_sla(desk, week):
    """English first responses 30, 90, 60 min: median 60, p90 60 + 0.8 x 30 = 84; resolutions 120 and 600 min:
    median 360, p90 120 + 0.9 x 480 = 552. SLA: first response met on t1, missed on t2 (50 %); resolution
    breached on t1 (0 %)."""
    en = rows_by(selectors.ticket_times(week))["English"]
    assert (en["tickets"], en["solved"]) == (4, 2)
    assert (en["first_p50"], en["first_p90"], en["resolution_p50"], en["resolution_p90"]) == (60, 84, 360, 552)
    assert (en["sla_first_response"], en["sla_resolution"]) == (50.0, 0.0)
    channels = rows_by(selectors.tickets_by_channel(week), "channel")
    assert (channels["Web"]["tickets"], channels["Email"]["tickets"], channels["Email"]["share"]) == (4, 1, 20.0)
    categories = rows_by(selectors.tickets_by_category(week), "category")
    assert categories["Deposits"]["tickets"] == 1 and categories["No category"]["tickets"] == 4


def test_csat_figures(desk, week):
    """English: 4 chats answered and closed were asked (c1, c2, c3, c8), 2 answered (5 and 3); 2 ticket ratings
    asked, 1 answered (4). Response rate 3 / 6 = 50 %, score 4.0, satisfied 2 of 3 = 66.7 %."""
    rows = rows_by(selectors.csat_by_language(week))
    en = rows["English"]
    assert (en["chats_asked"], en["chats_rated"], en["tickets_asked"], en["tickets_rated"]) == (4, 2, 2, 1)
    assert (en["response_rate"], en["score"], en["satisfied"]) == (50.0, 4.0, 66.7)
    assert rows["All languages"]["chats_asked"] == 5 and rows["All languages"]["score"] == 4.0


def test_agent_figures(desk, week):
    """Alice: 3 chats handled (600, 300, 900 s: average 600), 2 tickets solved, CSAT (5 + 3 + 4) / 3 from 3
    answers, 2 reviews averaging 70. Bob: c8 and j1 (100 and 200 s), 1 ticket solved, no ratings."""
    rows = rows_by(selectors.agent_figures(week), "agent")
    alice, bob = rows["Alice"], rows["Bob"]
    assert (alice["chats"], alice["handle_avg"], alice["tickets_solved"]) == (3, 600.0, 2)
    assert (alice["csat_responses"], alice["csat"], alice["reviews"], alice["quality"]) == (3, 4.0, 2, 70.0)
    assert alice["team"] == "Team A"
    assert (bob["chats"], bob["handle_avg"], bob["tickets_solved"], bob["csat"], bob["reviews"]) == (2, 150.0, 1,
                                                                                                      None, 0)


def test_quality_by_week(desk, week):
    rows = selectors.quality_by_week(week).rows
    assert rows == [{"agent": "Alice", "week": "2026-03-02", "reviews": 2, "score": 70.0}]


def test_the_report_takes_the_same_number_of_queries_however_big_the_desk(desk, week):
    """No per-row queries: ten more chats by a third agent do not add a single query."""
    with CaptureQueriesContext(connection) as before:
        selectors.report(week)
    from tests.factories import AgentFactory

    carol = AgentFactory(email="carol@example.com", name="Carol", languages=["ko"])
    for i in range(10):
        make_chat("ko", at(4, 8, i), wait=5 + i, handle=60, agent=carol, csat=4)
    with CaptureQueriesContext(connection) as after:
        report = selectors.report(week)
    assert len(after) == len(before)
    assert rows_by(report["agents"], "agent")["Carol"]["chats"] == 10


@pytest.mark.parametrize("language_code", ["zh-hans", "ko"])
def test_languages_are_labelled_in_the_readers_language(desk, week, language_code):
    from django.utils import translation

    make_chat("ko", at(0, 1), wait=1, handle=1, agent=desk["bob"])
    with translation.override(language_code):
        labels = [row["language"] for row in selectors.chats_by_language(week).rows]
    assert labels[-1] != "All languages" and len(labels) == 4  # en, ja, ko, total


def test_team_figures(desk, week):
    """Team A (Alice) answered c1-c4: waits 10-40 s (median 25), handled 600, 300, 900 (average 600), CSAT 5 and 3;
    its tickets t1-t3, two solved. Team B (Bob) answered c8 and j1 (waits 50 and 100: median 75); tickets t4, t5."""
    rows = rows_by(selectors.team_figures(week), "team")
    a, b = rows["Team A"], rows["Team B"]
    assert (a["chats"], a["wait_p50"], a["handle_avg"], a["csat"]) == (4, 25.0, 600.0, 4.0)
    assert (a["tickets_created"], a["tickets_solved"]) == (3, 2)
    assert (b["chats"], b["wait_p50"], b["tickets_created"], b["tickets_solved"], b["csat"]) == (2, 75.0, 2, 1, None)
    assert "No team" not in rows


@pytest.mark.django_db(transaction=True)
def test_tables_built_in_parallel_on_one_snapshot_equal_the_sequential_report(settings, monkeypatch):
    """With committed data (no enclosing test transaction) the report fans out over several connections that read
    the same snapshot; its figures are exactly those of the one-connection report."""
    import datetime as dt

    from livechat.models import Conversation
    from tests.factories import AgentFactory

    agent = AgentFactory(languages=["en", "ko"])
    for i in range(12):
        make_chat("ko" if i % 3 else "en", at(i % 7, 10 + i), wait=5 * i, handle=60 + i, agent=agent, csat=1 + i % 5)
    week = Period(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 8), tz=ZoneInfo("UTC"))
    settings.REPORTS_PARALLEL = 1
    sequential = {key: table.rows for key, table in selectors.report(week).items()}
    settings.REPORTS_PARALLEL = 4
    fanned_out = []
    real = selectors._build_in_parallel
    monkeypatch.setattr(selectors, "_build_in_parallel", lambda *a: fanned_out.append(a[2]) or real(*a))
    parallel = {key: table.rows for key, table in selectors.report(week).items()}
    assert fanned_out == [4]
    assert parallel == sequential and sequential["chats"][-1]["offered"] == 12
    assert list(parallel) == [build.table_key for build in selectors.REPORT_TABLES]
    Conversation.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_tables_built_in_threads_are_in_the_readers_language(settings):
    """Issue #24, defect 1: the threads that build the tables did not carry the page's language, so a Japanese page
    showed "English" and "All languages" as row labels (the CSV, built in the request's thread, was translated)."""
    from django.utils import translation

    from livechat.models import Conversation

    make_chat("en", at(0, 10), wait=5, handle=60)
    week = Period(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 8), tz=ZoneInfo("UTC"))
    settings.REPORTS_PARALLEL = 4
    with translation.override("ja"):
        labels = [row["language"] for row in selectors.report(week)["chats"].rows]
        expected = [str(translation.gettext("English")), str(translation.gettext("All languages"))]
    assert labels == expected and expected != ["English", "All languages"]
    Conversation.objects.all().delete()
