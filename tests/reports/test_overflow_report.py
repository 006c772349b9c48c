"""The language overflow report (#25) against figures worked out by hand: offers and answers per language, queue
waits after accepting and served natively, CSAT of translated and native chats; the page in Japanese and Korean, the
CSV export and the query count.

The fixture week (Monday 2 to Sunday 8 March 2026, UTC), each chat queued when it started:

    chat  language  offer     answered          served                    CSAT
    j1    ja        accepted  after  60 s       with assist (translated)  4
    j2    ja        accepted  after 120 s       with assist (translated)  2
    j3    ja        accepted  after 200 s       natively (came first)     5
    j4    ja        declined  after 600 s       natively                  3
    j5    ja        pending   after  90 s       natively (before answer)  -
    j6    ja        -         after 300 s       natively                  5
    j7    ja        -         after  30 s       natively                  4
    j8    ja        accepted  never (left)      -                         -
    k1    ko        accepted  after 100 s       with assist (translated)  5
    k2    ko        -         after  50 s       in English, no assist     1   (overflowed: neither native nor translated)
    k3    ko        -         after 400 s       natively                  3
    e1    en        -         after  20 s       natively                  5
    e2    en        -         never (left)      -                         -

Percentiles are Postgres' percentile_cont: the value at position q x (n - 1) of the sorted values, interpolated.
"""
import csv
import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from livechat.models import Conversation, ConversationStatus, OverflowChoice, OverflowOffer
from reports import selectors
from reports.history import PHRASES, History
from reports.selectors import Period
from tests.factories import AgentFactory
from tests.leaks import english_leaks, strings_in, visible_text

UTC = dt.UTC
MONDAY = dt.datetime(2026, 3, 2, tzinfo=UTC)
QUERY = "start=2026-03-02&end=2026-03-08"
LANGUAGE_NAMES = ["English", "Simplified Chinese", "Spanish", "Russian", "Japanese", "Korean"]
ACCEPTED, DECLINED, PENDING = OverflowChoice.ACCEPTED, OverflowChoice.DECLINED, OverflowChoice.PENDING


def at(day, hour, minute=0, second=0):
    return MONDAY + dt.timedelta(days=day, hours=hour, minutes=minute, seconds=second)


def chat(language, created, *, wait=None, csat=None, offer=None, served="native", offered_after=60):
    """A chat queued at `created`, answered after `wait` seconds (None: never; the customer left), served
    "native", "assisted" (overflowed, with translation) or "overflowed" (another language, no assist), with an
    offer answered `offer` (ACCEPTED, DECLINED, PENDING) made `offered_after` seconds into the wait."""
    answered = created + dt.timedelta(seconds=wait) if wait is not None else None
    closed = (answered or created) + dt.timedelta(minutes=5)
    conversation = Conversation.objects.create(
        language=language, created_at=created, queued_at=created, answered_at=answered, assigned_at=answered,
        closed_at=closed, status=ConversationStatus.CLOSED, csat_score=csat, rated_at=closed if csat else None,
        overflowed=served in ("assisted", "overflowed"), assisted=served == "assisted",
        overflow_to="en" if offer == ACCEPTED else "", visitor_name="Visitor")
    if offer is not None:
        offered_at = created + dt.timedelta(seconds=offered_after)
        OverflowOffer.objects.create(conversation=conversation, language=language, overflow_to="en",
                                     offered_at=offered_at, wait_estimate_seconds=600, choice=offer,
                                     chosen_at=offered_at + dt.timedelta(seconds=10) if offer else None)
    return conversation


@pytest.fixture
def overflow_week(db):
    chat("ja", at(0, 11), wait=60, csat=4, offer=ACCEPTED, served="assisted")
    chat("ja", at(0, 12), wait=120, csat=2, offer=ACCEPTED, served="assisted")
    chat("ja", at(1, 11), wait=200, csat=5, offer=ACCEPTED)
    chat("ja", at(1, 12), wait=600, csat=3, offer=DECLINED)
    chat("ja", at(2, 11), wait=90, offer=PENDING)
    chat("ja", at(2, 12), wait=300, csat=5)
    chat("ja", at(3, 11), wait=30, csat=4)
    chat("ja", at(3, 12), offer=ACCEPTED)
    chat("ko", at(4, 11), wait=100, csat=5, offer=ACCEPTED, served="assisted")
    chat("ko", at(4, 12), wait=50, csat=1, served="overflowed")
    chat("ko", at(5, 11), wait=400, csat=3)
    chat("en", at(6, 15), wait=20, csat=5)
    chat("en", at(6, 16))


@pytest.fixture
def week():
    return Period(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 8), tz=ZoneInfo("UTC"))


def by_code(table):
    return {row["code"]: row for row in table.rows}


def test_offers_and_answers_per_language(overflow_week, week):
    """Japanese: six offers (j1-j5, j8), four accepted, one declined, one not answered: 4 / 6 = 66.7 %. Korean: one
    offer, accepted (100 %). English: no offers, so no rate (a dash, not 0 %). All: 7 offers, 5 accepted = 71.4 %."""
    rows = by_code(selectors.overflow_by_language(week))
    ja, ko, en, total = rows["ja"], rows["ko"], rows["en"], rows[None]
    assert (ja["offers"], ja["accepted"], ja["declined"], ja["unanswered"], ja["acceptance_rate"]) == (6, 4, 1, 1, 66.7)
    assert (ko["offers"], ko["accepted"], ko["declined"], ko["unanswered"], ko["acceptance_rate"]) == (1, 1, 0, 0, 100.0)
    assert (en["offers"], en["acceptance_rate"]) == (0, None)
    assert (total["offers"], total["accepted"], total["declined"], total["unanswered"]) == (7, 5, 1, 1)
    assert total["acceptance_rate"] == 71.4
    assert total["language"] == "All languages" and ja["language"] == "Japanese"


def test_waits_after_accepting_and_served_natively(overflow_week, week):
    """Japanese after accepting: j1, j2, j3 answered (j8 never was) = 60, 120, 200 s: median 120, p90 at position
    1.8 = 120 + 0.8 x 80 = 184. Served natively, no accepted offer: j7, j5, j6, j4 = 30, 90, 300, 600 s: median
    (90 + 300) / 2 = 195, p90 at 2.7 = 300 + 0.7 x 300 = 510. Korean: 100 after accepting; natively only k3 (400),
    k2 was served in English. All languages: 60, 100, 120, 200: median 110, p90 at 2.7 = 120 + 0.7 x 80 = 176;
    natively 20, 30, 90, 300, 400, 600: median 195, p90 at 4.5 = 400 + 0.5 x 200 = 500."""
    rows = by_code(selectors.overflow_by_language(week))
    ja, ko, en, total = rows["ja"], rows["ko"], rows["en"], rows[None]
    assert (ja["with_answered"], ja["with_p50"], ja["with_p90"]) == (3, 120.0, 184.0)
    assert (ja["native_answered"], ja["native_p50"], ja["native_p90"]) == (4, 195.0, 510.0)
    assert (ko["with_answered"], ko["with_p50"], ko["with_p90"]) == (1, 100.0, 100.0)
    assert (ko["native_answered"], ko["native_p50"], ko["native_p90"]) == (1, 400.0, 400.0)
    assert (en["with_answered"], en["with_p50"], en["with_p90"]) == (0, None, None)
    assert (en["native_answered"], en["native_p50"]) == (1, 20.0)
    assert (total["with_answered"], total["with_p50"], total["with_p90"]) == (4, 110.0, 176.0)
    assert (total["native_answered"], total["native_p50"], total["native_p90"]) == (6, 195.0, 500.0)


def test_csat_of_translated_and_native_chats(overflow_week, week):
    """Japanese translated: j1 and j2 rated 4 and 2: mean 3.0, one of two satisfied (50 %). Native: j3, j4, j6, j7
    rated 5, 3, 5, 4: mean 17 / 4 = 4.25, three of four satisfied (75 %). Korean: translated k1 (5), native k3 (3);
    k2, served in English without assist, is in neither. All: translated 4, 2, 5 = 11 / 3 = 3.67 (2 of 3 = 66.7 %),
    native 5, 3, 5, 4, 3, 5 = 25 / 6 = 4.17 (4 of 6 = 66.7 %)."""
    rows = by_code(selectors.overflow_by_language(week))
    ja, ko, total = rows["ja"], rows["ko"], rows[None]
    assert (ja["translated_csat"], ja["translated_rated"], ja["translated_satisfied"]) == (3.0, 2, 50.0)
    assert (ja["native_csat"], ja["native_rated"], ja["native_satisfied"]) == (4.25, 4, 75.0)
    assert (ko["translated_csat"], ko["translated_rated"], ko["translated_satisfied"]) == (5.0, 1, 100.0)
    assert (ko["native_csat"], ko["native_rated"], ko["native_satisfied"]) == (3.0, 1, 0.0)
    assert (total["translated_csat"], total["translated_rated"], total["translated_satisfied"]) == (3.67, 3, 66.7)
    assert (total["native_csat"], total["native_rated"], total["native_satisfied"]) == (4.17, 6, 66.7)


def test_every_language_has_a_row_zeros_included(overflow_week, week):
    """All six languages in the desk's order, then the total; a language without chats shows zeros and dashes."""
    table = selectors.overflow_by_language(week)
    assert [row["code"] for row in table.rows] == ["en", "zh-hans", "es", "ru", "ja", "ko", None]
    spanish = by_code(table)["es"]
    assert spanish == {
        "language": "Spanish", "code": "es", "offers": 0, "accepted": 0, "declined": 0, "unanswered": 0,
        "acceptance_rate": None, "with_answered": 0, "with_p50": None, "with_p90": None, "native_answered": 0,
        "native_p50": None, "native_p90": None, "translated_csat": None, "translated_rated": 0,
        "translated_satisfied": None, "native_csat": None, "native_rated": 0, "native_satisfied": None}
    # Every column the page and the CSV show is in every row.
    assert all(set(column.key for column in table.columns) <= set(row) for row in table.rows)


def test_a_language_filter_keeps_its_row_and_the_total(overflow_week, week):
    korean = Period(start=week.start, end=week.end, tz=week.tz, language="ko")
    rows = selectors.overflow_by_language(korean).rows
    assert [row["code"] for row in rows] == ["ko", None]
    assert (rows[1]["offers"], rows[1]["native_answered"], rows[1]["translated_rated"]) == (1, 1, 1)


def test_an_offer_counts_in_the_period_its_chat_started(db, week):
    """A chat started in the last second before the week and offered in it is not counted; one started on the
    last evening and offered after midnight is. In Tokyo time the week starts and ends nine hours earlier, so it is
    the other way round."""
    chat("es", MONDAY - dt.timedelta(seconds=1), wait=300, offer=ACCEPTED, served="assisted", csat=1)
    chat("es", at(6, 23, 59, 30), wait=400, offer=DECLINED, offered_after=120, csat=5)
    es = by_code(selectors.overflow_by_language(week))["es"]
    assert (es["offers"], es["accepted"], es["declined"]) == (1, 0, 1)
    assert (es["with_answered"], es["native_answered"], es["native_p90"]) == (0, 1, 400.0)
    assert (es["translated_rated"], es["native_rated"], es["native_csat"]) == (0, 1, 5.0)
    tokyo = Period(start=week.start, end=week.end, tz=ZoneInfo("Asia/Tokyo"))
    es = by_code(selectors.overflow_by_language(tokyo))["es"]
    assert (es["offers"], es["accepted"], es["with_p50"], es["translated_csat"]) == (1, 1, 300.0, 1.0)
    empty = Period(start=dt.date(2026, 3, 10), end=dt.date(2026, 3, 11), tz=ZoneInfo("UTC"))
    assert by_code(selectors.overflow_by_language(empty))[None]["offers"] == 0


def test_two_queries_however_many_chats_and_offers(overflow_week, week):
    """One grouped query per language and one for the total, whatever the data: no per-row queries."""
    with CaptureQueriesContext(connection) as before:
        selectors.overflow_by_language(week)
    for i in range(10):
        chat("zh-hans", at(2, 13, i), wait=30 + i, csat=1 + i % 5, offer=ACCEPTED if i % 2 else DECLINED,
             served="assisted" if i % 2 else "native")
    with CaptureQueriesContext(connection) as after:
        rows = by_code(selectors.overflow_by_language(week))
    assert len(before) == len(after) == 2
    assert (rows["zh-hans"]["offers"], rows["zh-hans"]["accepted"]) == (10, 5)


def test_the_report_has_the_overflow_table_after_csat(overflow_week, week):
    """The whole report (page, API) builds it among its tables, and the CSV export finds it by its key."""
    keys = list(selectors.report(week))
    assert keys.index("overflow") == keys.index("csat") + 1
    assert selectors.report_table(week, "overflow").rows[-1]["offers"] == 7


@pytest.fixture
def boss(db):
    return AgentFactory(email="boss@example.com", name="Boss", supervisor=True)


def test_csv_export_has_the_same_figures(client, overflow_week, boss):
    """Labels with their units, the language names, numbers unformatted (seconds, percentages 0-100), a dash-free
    empty cell where there is no figure."""
    client.force_login(boss)
    response = client.get(f"/en/agent/reports/overflow.csv?{QUERY}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="overflow-2026-03-02-2026-03-08.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert rows[0] == [
        "Language", "Offers made", "Accepted", "Declined", "Not answered", "Acceptance rate (%)",
        "Answered, offer accepted", "Queue wait, offer accepted, median (seconds)",
        "Queue wait, offer accepted, p90 (seconds)", "Answered natively", "Queue wait, served natively, median (seconds)",
        "Queue wait, served natively, p90 (seconds)",
        "CSAT score, translated (1–5)", "Rated, translated", "Satisfied (4-5), translated (%)",
        "CSAT score, native (1–5)", "Rated, native", "Satisfied (4-5), native (%)"]
    lines = {row[0]: row for row in rows[1:]}
    assert list(lines) == [*LANGUAGE_NAMES, "All languages"]
    assert lines["Japanese"] == ["Japanese", "6", "4", "1", "1", "66.7", "3", "120.0", "184.0", "4", "195.0",
                                 "510.0", "3.0", "2", "50.0", "4.25", "4", "75.0"]
    assert lines["Spanish"][1:7] == ["0", "0", "0", "0", "", "0"]
    assert lines["All languages"][5] == "71.4"


def test_csv_export_in_japanese_and_neutralised(client, overflow_week, boss, monkeypatch):
    """Labels and language names in the page's language; a cell a spreadsheet would run as a formula is prefixed
    with an apostrophe here too (the export goes through reports.exports)."""
    client.force_login(boss)
    rows = list(csv.reader(io.StringIO(client.get(f"/ja/agent/reports/overflow.csv?{QUERY}").content.decode()
                                       .lstrip("\ufeff"))))
    with translation.override("ja"):
        assert rows[0][0] == translation.gettext("Language") != "Language"
        assert rows[-1][0] == translation.gettext("All languages")
    assert english_leaks(" ".join(rows[0]), "ja") == []
    monkeypatch.setattr("reports.selectors.overflow.language_label", lambda code: f"=HYPERLINK(\"{code}\")")
    rows = list(csv.reader(io.StringIO(client.get(f"/en/agent/reports/overflow.csv?{QUERY}").content.decode()
                                       .lstrip("\ufeff"))))
    assert rows[1][0] == "'=HYPERLINK(\"en\")"


def test_agents_cannot_export_it(client, overflow_week):
    client.force_login(AgentFactory(languages=["ja"]))
    response = client.get(f"/en/agent/reports/overflow.csv?{QUERY}")
    assert response.status_code == 403 and b"Offers made" not in response.content


@pytest.mark.parametrize("language", ["ja", "ko"])
def test_the_page_shows_the_section_in_the_readers_language(client, overflow_week, boss, language):
    """The section, its three charts and the tables behind them, the CSV link; no English phrase of our catalogue on
    the page or in the chart labels; the figures (Japanese median wait after accepting, 120 s, as 2:00)."""
    client.force_login(boss)
    response = client.get(f"/{language}/agent/reports/?{QUERY}")
    assert response.status_code == 200
    page = response.content.decode()
    for part in ("overflow-section", "overflow-offers-chart", "overflow-waits-chart", "overflow-csat-chart",
                 "table-overflow-offers", "table-overflow-waits", "table-overflow-csat", "csv-overflow"):
        assert f'data-testid="{part}"' in page
    section = page[page.index('data-testid="overflow-section"'):page.index('aria-labelledby="t-teams"')]
    assert "<td class=\"num\">2:00</td>" in section and "3:04" in section  # 120 s and 184 s
    assert english_leaks(visible_text(page), language, codes=True) == []
    data = json.loads(page.split('<script id="report-data" type="application/json">')[1].split("</script>")[0])
    assert english_leaks("\n".join(strings_in(data["strings"])), language) == []
    assert [row["code"] for row in data["overflow"]] == ["en", "zh-hans", "es", "ru", "ja", "ko", None]
    with translation.override(language):
        assert str(translation.gettext("Language overflow")) in page


def test_the_leak_check_would_see_this_section_in_english(client, overflow_week, boss):
    """The check above can fail: the English page's section is full of phrases the Japanese catalogue translates."""
    client.force_login(boss)
    page = client.get(f"/en/agent/reports/?{QUERY}").content.decode()
    assert {"Language overflow", "Offers made", "Acceptance rate"} <= set(english_leaks(visible_text(page), "ja"))


def _offers():
    return sorted((o.language, o.choice, o.offered_at, o.conversation.assisted, o.conversation.answered_at)
                  for o in OverflowOffer.objects.select_related("conversation"))


def test_the_demo_history_offers_overflow_in_the_busy_asian_evening(db):
    """`make run`'s history has offers, only to Chinese, Japanese and Korean customers waiting in the understaffed
    Asian evening (10:00-16:00 UTC); the chats served with assist were taken by an English-speaking agent, who wrote
    in English with the translation beside it. The same seed gives the same offers."""
    end = dt.datetime(2026, 3, 9, tzinfo=UTC)
    History(days=3, chats_per_day=80, tickets_per_day=1, seed=5, end=end).run()
    first = _offers()
    offers = OverflowOffer.objects.select_related("conversation")
    assert len(first) > 5 and {o.language for o in offers} <= {"zh-hans", "ja", "ko"}
    assert all(10 <= o.conversation.queued_at.hour < 16 and o.offered_at > o.conversation.queued_at for o in offers)
    assert {o.choice for o in offers} == {ACCEPTED, DECLINED, PENDING}
    assisted = list(Conversation.objects.filter(assisted=True).select_related("agent__agent_profile"))
    assert assisted and all(c.overflowed and c.overflow_to == "en" and c.overflow_offer.choice == ACCEPTED
                            and "en" in c.agent.agent_profile.languages for c in assisted)
    reply = assisted[0].messages.get(seq=2)
    assert reply.body == PHRASES["en"][1]
    assert reply.meta["translation"] == {"language": assisted[0].language, "source": "en", "state": "ok",
                                         "text": PHRASES[assisted[0].language][1]}
    total = by_code(selectors.overflow_by_language(Period(start=dt.date(2026, 3, 6), end=dt.date(2026, 3, 8),
                                                         tz=ZoneInfo("UTC"))))[None]
    assert total["offers"] == len(first) and total["translated_rated"] + total["native_rated"] > 0
    Conversation.objects.all().delete()
    History(days=3, chats_per_day=80, tickets_per_day=1, seed=5, end=end).run()
    assert _offers() == first
