"""bench/overflow.py, the overflow simulation: it replays the routing rules faithfully (every chat ends once, queue
order kept, native chats first, no seat filled twice, an accepted chat keeps its place), the same way for the same
seed, with the desk's own wait estimate; and what it says about the demo's Asian evening holds over several days."""
import statistics
from datetime import timedelta

import pytest
from django.utils import timezone

from bench import harness, overflow
from bench.overflow import Scenario, demo_scenario, draw_chats, replay, simulate

HOURS = list(range(6))
NOISE = 15  # seconds of p90 that a rule may move by chance (the answered chats change as fewer leave)


def fixture_scenario(**options):
    """Six hours: English with room to spare (20 chats an hour on 6 seats), Japanese short of people (10 an hour on
    2 seats, its overflow rule pointing to English), Spanish (20 an hour on 4 seats) with no rule at all."""
    return Scenario(hours=HOURS, rules={"ja": "en"},
                    arrivals={"en": dict.fromkeys(HOURS, 20), "ja": dict.fromkeys(HOURS, 10),
                              "es": dict.fromkeys(HOURS, 20)},
                    seats={"en": dict.fromkeys(HOURS, 6), "ja": dict.fromkeys(HOURS, 2), "es": dict.fromkeys(HOURS, 4)},
                    **options)


def fates(chats):
    return [(c.id, c.language, c.served_at, c.agent, c.assisted, c.abandoned_at, c.offered_at, c.accepted_at)
            for c in chats]


@pytest.fixture(scope="module")
def evening():
    """The demo's busy Asian evening (08:00-18:00 UTC) replayed with overflow."""
    scenario = demo_scenario(chats=3000, hours=10)
    return scenario, simulate(scenario, draw_chats(scenario, 11), overflow=True)


def test_the_same_seed_replays_the_same_day_and_another_seed_another():
    """Deterministic: the draws and every chat's fate repeat with the seed; a different seed is a different day."""
    scenario = fixture_scenario()
    day, again = draw_chats(scenario, 3), draw_chats(scenario, 3)
    assert [(c.queued_at, c.handle, c.patience, c.accepts) for c in day] == [
        (c.queued_at, c.handle, c.patience, c.accepts) for c in again]
    first = fates(simulate(scenario, day, overflow=True).chats)
    assert first == fates(simulate(scenario, again, overflow=True).chats)
    assert any(fate[6] is not None for fate in first)  # offers were made: the comparison covered them
    other = draw_chats(scenario, 4)
    assert [c.queued_at for c in other] != [c.queued_at for c in day]
    assert all(c.served_at is None and c.offered_at is None for c in day)  # a replay works on copies


def test_every_chat_ends_once_and_no_seat_is_filled_twice(evening):
    """Conservation: each chat is answered or leaves, never both, never twice; a chat is answered before its
    patience runs out, leaves exactly when it does; an agent never holds more chats than their seats; assisted
    handling takes handle_factor times as long."""
    scenario, run = evening
    chats = run.chats
    assert {c.language for c in chats} == set(scenario.arrivals)
    assert all((c.served_at is None) != (c.abandoned_at is None) for c in chats)
    served_ids = [chat_id for _t, chat_id, *_rest in run.log]
    assert len(served_ids) == len(set(served_ids)) == sum(c.served_at is not None for c in chats)
    for c in chats:
        if c.served_at is not None:
            assert c.queued_at <= c.served_at < c.queued_at + c.patience
            factor = scenario.handle_factor if c.assisted else 1
            assert c.closed_at == pytest.approx(c.served_at + c.handle * factor)
        else:
            assert c.abandoned_at == pytest.approx(c.queued_at + c.patience)
    by_agent = {}
    for c in chats:
        if c.served_at is not None:
            by_agent.setdefault(c.agent, []).append(c)
    for t, _chat_id, agent, _assisted, load, capacity in run.log:
        holding = sum(c.served_at <= t < c.closed_at for c in by_agent[agent])  # with those given at the same t
        assert load <= holding <= capacity


def test_queue_order_native_chats_first_and_accepted_chats_in_time_order(evening):
    """A native agent never passes an older waiting chat of the language; an assisting agent takes only accepted
    chats, the oldest first, and only when no chat of their own language waits; an accepted chat keeps its place in
    its own queue, so a native agent sometimes takes it first."""
    scenario, run = evening
    chats = sorted(run.chats, key=lambda c: c.queued_at)

    def ended(c):
        return c.served_at if c.served_at is not None else c.abandoned_at

    for language in scenario.arrivals:
        latest_end = -1.0  # the latest end among older chats of the language: one after X's answer = passed over
        for c in (c for c in chats if c.language == language):
            if c.served_at is not None and not c.assisted:
                assert latest_end <= c.served_at, f"chat {c.id} was answered while an older {language} chat waited"
            latest_end = max(latest_end, ended(c))
    accepted = [c for c in chats if c.accepted_at is not None]
    assisted = [c for c in chats if c.assisted]
    assert assisted and len(assisted) < len(accepted)
    for x in assisted:
        t, target = x.served_at, scenario.rules[x.language]
        assert x.accepted_at <= t
        assert not [y for y in accepted if y.queued_at < x.queued_at and y.accepted_at <= t < ended(y)
                    and scenario.rules[y.language] == target], f"chat {x.id} passed an older accepted chat"
        assert not [y for y in chats if y.language == target and y.queued_at <= t < ended(y)], (
            f"chat {x.id} was taken while a {target} chat waited")
    assert any(c.served_at is not None and not c.assisted for c in accepted)  # natives still take accepted chats


def chat(number, language, at, *, handle=100, patience=10_000, answer_after=10):
    return overflow.Chat(id=number, language=language, queued_at=at, handle=handle, patience=patience, accepts=True,
                         answer_after=answer_after)


@pytest.mark.parametrize("native_frees_at", [1000, 50])
def test_an_accepted_chat_keeps_its_queue_time(native_frees_at):
    """Two English seats, one Japanese: while the Japanese agent is busy, the next two Japanese chats are offered
    English (one free seat each, estimates 300 and 600 s), a third is not (no seat left to offer); English customers
    take both seats before the answers come, so the two accepted chats wait, and the English seats, once free, take
    them in the order they joined the queue, not the order they accepted. If the Japanese agent frees first, they
    take the older accepted chat themselves."""
    scenario = Scenario(hours=[0], arrivals={"en": {0: 0}, "ja": {0: 0}}, seats={"en": {0: 2}, "ja": {0: 1}},
                        capacity=1, rules={"ja": "en"})
    day = [chat(0, "ja", 0, handle=native_frees_at), chat(1, "ja", 1, answer_after=20), chat(2, "ja", 2),
           chat(3, "en", 3), chat(4, "en", 4), chat(5, "ja", 5, patience=40)]
    run = {c.id: c for c in simulate(scenario, day, overflow=True).chats}
    assert (run[1].offered_at, run[1].offer_eta, run[2].offered_at, run[2].offer_eta) == (1, 300, 2, 600)
    assert run[2].accepted_at < run[1].accepted_at and run[5].offered_at is None and run[5].abandoned_at == 45
    assert [run[3].served_at, run[4].served_at] == [3, 4]
    if native_frees_at == 1000:
        assert (run[1].served_at, run[1].assisted, run[2].served_at, run[2].assisted) == (103, True, 104, True)
    else:
        assert (run[1].served_at, run[1].assisted, run[2].served_at, run[2].assisted) == (50, False, 103, True)


def test_an_offer_nobody_accepts_changes_nothing():
    """With every customer declining, the day runs exactly as without the rule: offers alone move no chat."""
    scenario = fixture_scenario(accept=0.0)
    day = draw_chats(scenario, 5)
    without, declined = simulate(scenario, day, overflow=False), simulate(scenario, day, overflow=True)
    assert sum(c.offered_at is not None for c in declined.chats) > 10
    assert not any(c.accepted_at is not None or c.assisted for c in declined.chats)
    assert [(c.served_at, c.agent, c.abandoned_at) for c in declined.chats] == [
        (c.served_at, c.agent, c.abandoned_at) for c in without.chats]


def test_offers_only_above_the_threshold_and_only_with_the_rule():
    """Without overflow nobody is offered anything; with it, only chats whose estimate is above the language's
    threshold (or that have no estimate), and a threshold nobody reaches means no offers; a language without a rule
    lives the same day chat for chat."""
    scenario = fixture_scenario()
    day = draw_chats(scenario, 6)
    without, with_ = simulate(scenario, day, overflow=False), simulate(scenario, day, overflow=True)
    assert not any(c.offered_at is not None or c.assisted for c in without.chats)
    offered = [c for c in with_.chats if c.offered_at is not None]
    assert offered and {c.language for c in offered} == {"ja"}
    assert all(c.offer_eta is None or c.offer_eta > overflow.OFFER_ABOVE_SECONDS for c in offered)
    spanish = [fates([c])[0] for c in without.chats if c.language == "es"]
    assert spanish == [fates([c])[0] for c in with_.chats if c.language == "es"]
    strict = fixture_scenario(offer_above={"ja": 100_000})
    assert not any(c.offered_at is not None for c in simulate(strict, draw_chats(strict, 6), overflow=True).chats)


def test_with_room_to_spare_overflow_raises_no_language_p90_beyond_noise():
    """The fixture scenario over ten days: no language's median p90 rises by more than noise, and the short-staffed
    Japanese queue's falls by more than half."""
    scenario = fixture_scenario()
    runs = [replay(scenario, seed) for seed in range(10)]
    medians = {language: (statistics.median(without[language]["p90"] for without, _ in runs),
                          statistics.median(with_[language]["p90"] for _, with_ in runs))
               for language in scenario.arrivals}
    for language, (before, after) in medians.items():
        assert after <= before + NOISE, (language, before, after)
    assert medians["ja"][1] < medians["ja"][0] / 2


def test_demo_evening_asian_waits_fall_and_english_pays():
    """The demo's day over ten days: the understaffed Asian languages' p90 falls by at least 15 % with overflow,
    the languages without a rule keep theirs exactly, and English, whose free seats take the accepted chats, waits
    longer (the trade the benchmark reports)."""
    scenario = demo_scenario(chats=3000, hours=24)
    runs = [replay(scenario, 25 + n) for n in range(10)]

    def median(language, way):
        return statistics.median(run[way][language]["p90"] for run in runs)

    for language in ("zh-hans", "ja", "ko"):
        assert median(language, 1) <= 0.85 * median(language, 0), language
        assert sum(run[1][language]["accepted"] for run in runs) > 50
    for language in ("es", "ru"):
        assert [run[0][language] for run in runs] == [run[1][language] for run in runs]
    assert median("en", 1) > median("en", 0)


def test_staffing_follows_the_history_shape():
    """Seats come from the history's mean waits: fewer than the load in the understaffed Asian evening, more than it
    elsewhere; arrivals follow LANGUAGE_SHARE over the day."""
    scenario = demo_scenario(chats=3000, hours=24)
    handle = overflow.mean_handle_seconds()
    for language in ("zh-hans", "ja", "ko"):
        busy = max(scenario.hours, key=lambda h: scenario.arrivals[language][h])
        assert scenario.seats[language][busy] < scenario.arrivals[language][busy] * handle / 3600
    english = max(scenario.hours, key=lambda h: scenario.arrivals["en"][h])
    assert scenario.seats["en"][english] > scenario.arrivals["en"][english] * handle / 3600
    assert sum(scenario.arrivals["en"].values()) == pytest.approx(3000 * 0.30)
    assert overflow.mean_virtual_wait(50, 10, handle) < 1 < overflow.mean_virtual_wait(1, 10, handle)


@pytest.mark.django_db
def test_the_estimate_is_the_desks_own():
    """The simulation's wait estimate equals livechat.selectors.queue_estimate for the same desk: online seats of
    the language only, handle times measured over the window only, the default without any."""
    from livechat import selectors, services
    from livechat.models import Conversation, ConversationStatus
    from support.models import AgentProfile, Presence
    from tests.factories import AgentFactory

    for capacity, presence, languages in ((3, Presence.ONLINE, ["ja"]), (2, Presence.ONLINE, ["ja"]),
                                          (4, Presence.OFFLINE, ["ja"]), (5, Presence.ONLINE, ["en"])):
        agent = AgentFactory(languages=languages, capacity=capacity)
        AgentProfile.objects.filter(user=agent).update(presence=presence)
    scenario = Scenario(hours=[0], arrivals={"ja": {0: 1}, "en": {0: 1}}, seats={"ja": {0: 5}, "en": {0: 5}},
                        capacity=3, rules={})
    sim = overflow.Simulation(scenario, [], overflow=False)
    sim.on_shift(0.0, 0)
    sim.agents["ja"].append(overflow.Agent(id=99, language="ja", assists=frozenset(), capacity=4))  # offline
    waiting = [overflow.Chat(id=n, language="ja", queued_at=0, handle=1, patience=1, accepts=False, answer_after=1)
               for n in range(7)]
    sim.queues["ja"].extend(waiting)
    now, t = timezone.now(), 100_000.0
    assert [sim.estimate(t, chat) for chat in waiting] == [
        selectors.queue_estimate(language="ja", position=n + 1)["eta_seconds"] for n in range(7)]  # the default
    window = 3600 * 24
    for ago, handle in ((window + 600, 900), (3600, 500), (60, 400)):  # in closing order; the first before the window
        chat = services.conversation_start(language="ja", visitor_name="V", visitor_email="v@example.com")
        Conversation.objects.filter(pk=chat.pk).update(status=ConversationStatus.CLOSED, closed_at=now - timedelta(
            seconds=ago), assigned_at=now - timedelta(seconds=ago + handle))
        sim.record_closed("ja", t - ago, handle)
    expected = [selectors.queue_estimate(language="ja", position=n + 1)["eta_seconds"] for n in range(7)]
    assert [sim.estimate(t, chat) for chat in waiting] == expected == [overflow.wait_estimate(n + 1, 450, 5)
                                                                       for n in range(7)]
    assert overflow.wait_estimate(3, 450, 0) is None


def test_the_benchmark_writes_a_row_per_language_and_way_and_the_chart(tmp_path, capsys):
    """`python -m bench --only overflow`: twelve result rows (six languages, without and with), a table, an SVG."""
    results = harness.Results({"commit": "test", "cores": 1, "server_cores": [0], "client_cores": [0]})
    overflow.run(results, chats=600, hours=10, days=2, out_dir=tmp_path)
    printed = capsys.readouterr().out
    rows = {(row["measure"].split(",")[0], "with overflow" in row["measure"]): row for row in results.rows}
    assert len(rows) == len(results.rows) == 12 and all(row["unit"] == "s" for row in results.rows)
    assert rows[("p90 wait ja", True)]["offered"] > 0 and rows[("p90 wait ja", False)]["offered"] == 0
    assert "p90 without | with" in printed and "over 2 days" in printed
    chart = (tmp_path / "overflow.svg").read_text()
    assert chart.startswith("<svg") and chart.count("<rect") == 2 + 12
