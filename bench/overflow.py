"""Overflow of waiting chats into another language's agents, simulated: one day of chat traffic with the demo
history's uneven staffing (the busy, understaffed Asian evening), replayed without and with the overflow rule, and
the queue wait per language both ways. A discrete-event simulation of the routing rules, not a load test: nothing
here touches the database or a server, and the same seed gives the same day to the chat.

The day (reports/history.py's shape): chats join the human queue at a rate per language and UTC hour of
`chats` x LANGUAGE_SHARE x the hour's weight (1 in the language's BUSY_HOURS, OFF_PEAK_WEIGHT outside, normalised
over the day), Poisson arrivals; handle times and the customers' patience are drawn as the history draws them.
Staffing is derived, not invented: for each language and hour, the fewest seats whose steady-state mean wait
(Erlang A: customers leave after their patience, as in the history) is at most the history's mean wait for that hour
(UNDERSTAFFED's 420 s in the Asian evening, NORMAL_WAIT's 45 s elsewhere), in agents of the default capacity (the
last one with the remainder).

The routing (livechat/services/queue.py): a chat waits in its language's queue, served in queue order (queued_at) by
online agents who serve the language natively, the one with the most free seats first, then the longest idle. An
agent with a free seat takes their own language's oldest waiting chat first, then the oldest overflow chat they may
take. The overflow rule: when a waiting chat's wait estimate in its language is above the rule's threshold
(LanguageOverflow.offer_above_seconds, 120 s by default) and an agent of the overflow language who assists the
chat's language has a free seat (not already held for another open offer), the customer is offered an agent now
(in English, with translation) or to keep waiting; each chat is asked once (the rule is evaluated after every
event: an arrival, a chat ending, a shift change). A customer answers after a few seconds and accepts with
probability `accept`; an accepted chat becomes eligible for the assisting agents in queued_at order (the overflow
queue) while it keeps its place in its own queue, where a native agent may still take it first. Assisted handling
takes `handle_factor` times as long. Everyone still waiting leaves after their patience, in both runs alike.

The wait estimate mirrors livechat.selectors.queue_estimate (which reads the database): position in the language's
queue x the mean handle time of the language's chats closed in the last LIVECHAT_ESTIMATE_WINDOW_HOURS (or
LIVECHAT_DEFAULT_HANDLE_SECONDS before any) / the seats (capacity) of the online agents serving it; no seats means
no estimate, which counts as above the threshold. Waits are measured as the reports measure them: answered chats,
answered - queued, percentiles interpolated.
"""
import heapq
import math
import random
import statistics
import time
from collections import deque
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape

from django.conf import settings

from reports.history import BUSY_HOURS, LANGUAGE_SHARE, NORMAL_WAIT, UNDERSTAFFED
from support.charts import bar
from support.languages import LANGUAGE_CODES
from support.models import AgentProfile

from . import harness

# Drawn inline in reports/history.py (its off-peak hour weight, its handle-time and patience draws): the same values.
OFF_PEAK_WEIGHT = 0.15
HANDLE_MEDIAN_SECONDS, HANDLE_SIGMA, HANDLE_MIN_SECONDS = 420, 0.5, 60
PATIENCE_MEAN_SECONDS = 600

OFFER_ABOVE_SECONDS = 120  # LanguageOverflow.offer_above_seconds' default
ANSWER_SECONDS = (5, 30)  # how long a customer takes to answer the offer (uniform)
DEMO_RULES = {"zh-hans": "en", "ja": "en", "ko": "en"}  # the understaffed languages, offered English


def hour_weight(language, hour):
    return 1.0 if hour in BUSY_HOURS[language] else OFF_PEAK_WEIGHT


def mean_handle_seconds():
    """E[max(HANDLE_MIN, lognormal(ln HANDLE_MEDIAN, HANDLE_SIGMA))]."""
    mu, sigma, low = math.log(HANDLE_MEDIAN_SECONDS), HANDLE_SIGMA, HANDLE_MIN_SECONDS
    normal = statistics.NormalDist()
    z = (math.log(low) - mu) / sigma
    return low * normal.cdf(z) + math.exp(mu + sigma ** 2 / 2) * (1 - normal.cdf(z - sigma))


def mean_virtual_wait(seats, rate_per_hour, handle, patience=PATIENCE_MEAN_SECONDS):
    """How long a chat would wait on average if it never left, in a queue of `seats` servers whose customers do
    leave after an exponential patience (M/M/c+M, Erlang A): the stationary chain of chats in the system, and for an
    arrival that finds k >= seats, one exponential step per chat ahead of it leaving the queue (served or gone). This
    is what the history draws each chat's wait from (an exponential of the hour's mean, customers leaving first if
    their patience is shorter)."""
    arrive, serve, leave = rate_per_hour / 3600, 1 / handle, 1 / patience
    weight, total, waited, expected, k = 1.0, 1.0, 0.0, 0.0, 0
    while True:
        k += 1
        weight *= arrive / (min(k, seats) * serve + max(k - seats, 0) * leave)
        total += weight
        if k >= seats:
            waited += 1 / (seats * serve + (k - seats) * leave)  # chats ahead of it: k - seats
            expected += weight * waited
        if k > seats and weight < 1e-12 * total:
            return expected / total


def seats_for(rate_per_hour, target_wait, handle):
    """The fewest seats whose mean virtual wait is at most the target."""
    seats = 1
    while mean_virtual_wait(seats, rate_per_hour, handle) > target_wait:
        seats += 1
    return seats


@dataclass
class Scenario:
    """A day (or part of one): arrivals (chats per hour) and seats per language, for hours[0] .. hours[-1] (UTC)."""
    hours: list
    arrivals: dict  # language -> {hour: chats per hour}
    seats: dict  # language -> {hour: seats online}
    rules: dict = field(default_factory=lambda: dict(DEMO_RULES))  # language -> overflow language
    offer_above: dict = field(default_factory=dict)  # language -> seconds (default OFFER_ABOVE_SECONDS)
    capacity: int = 3
    handle_factor: float = 1.25
    accept: float = 0.7
    # Not the rule being built, a what-if: offer only while the overflow language keeps this many seats free beyond
    # the open offers (a reserve for its own customers).
    keep_free: int = 0


def demo_scenario(*, chats=3000, hours=24, **options):
    """The demo history's shape for a desk with `chats` queued chats a day. Fewer than 24 hours: the busy Asian
    evening, from two hours before the first understaffed hour."""
    start = 0 if hours >= 24 else min(h for by_hour in UNDERSTAFFED.values() for h in by_hour) - 2
    span = [(start + i) % 24 for i in range(min(hours, 24))]
    handle = mean_handle_seconds()
    arrivals, seats = {}, {}
    for language in LANGUAGE_CODES:
        total = sum(hour_weight(language, h) for h in range(24))
        arrivals[language] = {h: chats * LANGUAGE_SHARE[language] * hour_weight(language, h) / total for h in span}
        seats[language] = {h: seats_for(arrivals[language][h], UNDERSTAFFED.get(language, {}).get(h, NORMAL_WAIT),
                                        handle) for h in span}
    options.setdefault("capacity", AgentProfile._meta.get_field("capacity").default)
    return Scenario(hours=span, arrivals=arrivals, seats=seats, **options)


@dataclass(eq=False)  # identity: a chat is itself, in queues and sets
class Chat:
    """One queued chat: what was drawn for it, then what happened to it in a run (times in seconds from the start)."""
    id: int
    language: str
    queued_at: float
    handle: float
    patience: float
    accepts: bool
    answer_after: float
    # What happened (filled by a run)
    served_at: float = None
    agent: int = None
    assisted: bool = False
    abandoned_at: float = None
    offered_at: float = None
    offer_eta: float = None
    accepted_at: float = None
    closed_at: float = None

    @property
    def wait(self):
        return None if self.served_at is None else self.served_at - self.queued_at

    @property
    def ended_at(self):
        return self.served_at if self.served_at is not None else self.abandoned_at


def draw_chats(scenario, seed):
    """The day's chats, drawn once: both runs replay exactly these (arrivals, handle times, patience, answers)."""
    rng = random.Random(seed)
    chats = []
    for language in LANGUAGE_CODES:
        if language not in scenario.arrivals:
            continue
        for index, hour in enumerate(scenario.hours):
            rate = scenario.arrivals[language].get(hour, 0)
            t = index * 3600.0
            while rate > 0:
                t += rng.expovariate(rate / 3600)  # memoryless: restarting at the hour's edge is exact
                if t >= (index + 1) * 3600:
                    break
                handle = max(HANDLE_MIN_SECONDS, rng.lognormvariate(math.log(HANDLE_MEDIAN_SECONDS), HANDLE_SIGMA))
                chats.append(Chat(id=0, language=language, queued_at=t, handle=handle,
                                  patience=rng.expovariate(1 / PATIENCE_MEAN_SECONDS),
                                  accepts=rng.random() < scenario.accept, answer_after=rng.uniform(*ANSWER_SECONDS)))
    chats.sort(key=lambda chat: chat.queued_at)
    for number, chat in enumerate(chats):
        chat.id = number
    return chats


@dataclass(eq=False)
class Agent:
    id: int
    language: str
    assists: frozenset
    capacity: int = 0
    online: bool = False
    load: int = 0
    last_chat_at: float = None

    @property
    def free(self):
        return self.capacity - self.load if self.online else 0


def wait_estimate(position, measured_handle, seats):
    """livechat.selectors.queue_estimate's eta_seconds: position x handle / seats, the default handle time without a
    measured one; None when no seats are online."""
    if not seats:
        return None
    handle = measured_handle if measured_handle is not None else settings.LIVECHAT_DEFAULT_HANDLE_SECONDS
    return math.ceil(position * handle / seats)


SHIFT, FINISH, ANSWER, ARRIVE, ABANDON = range(5)


class Simulation:
    """One replay of the chats through the routing rules, with or without the overflow rule."""

    def __init__(self, scenario, chats, *, overflow):
        self.s, self.overflow = scenario, overflow
        self.chats = [replace(chat) for chat in chats]
        self.queues = {language: [] for language in scenario.arrivals}  # waiting chats in queue order
        self.agents = {language: [] for language in scenario.arrivals}
        self.assisting = {}  # overflow language -> the languages its agents assist
        for language, target in scenario.rules.items():
            self.assisting.setdefault(target, set()).add(language)
        self.closed = {language: deque() for language in scenario.arrivals}  # (closed at, handle) for the estimate
        self.closed_sum = dict.fromkeys(scenario.arrivals, 0.0)
        self.open_offers = {}  # overflow language -> chats offered it, not answered yet
        self.log = []  # (t, chat id, agent id, assisted, agent's load after, agent's capacity)
        self.events, self.seq = [], 0

    def at(self, t, kind, item):
        self.seq += 1
        heapq.heappush(self.events, (t, kind, self.seq, item))

    def run(self):
        for index in range(len(self.s.hours)):
            self.at(index * 3600.0, SHIFT, index)
        for chat in self.chats:
            self.at(chat.queued_at, ARRIVE, chat)
        handlers = {SHIFT: self.on_shift, FINISH: self.on_finish, ANSWER: self.on_answer, ARRIVE: self.on_arrive,
                    ABANDON: self.on_abandon}
        while self.events:
            t, kind, _seq, item = heapq.heappop(self.events)
            handlers[kind](t, item)
            if self.overflow:
                self.offer(t)
        return self

    # --- events ------------------------------------------------------------------------------------------------

    def on_shift(self, t, index):
        """The hour's staffing: agents of the default capacity, the last one with the remainder; those going off
        finish their chats but take no new ones."""
        hour = self.s.hours[index]
        for language, agents in self.agents.items():
            seats = self.s.seats[language].get(hour, 0)
            needed = math.ceil(seats / self.s.capacity)
            while len(agents) < needed:
                agents.append(Agent(id=sum(map(len, self.agents.values())), language=language,
                                    assists=frozenset(self.assisting.get(language, ()))))
            for number, agent in enumerate(agents):
                agent.online = number < needed
                agent.capacity = min(self.s.capacity, seats - number * self.s.capacity) if agent.online else 0
        for agents in self.agents.values():
            for agent in agents:
                self.agent_route(t, agent)

    def on_arrive(self, t, chat):
        self.queues[chat.language].append(chat)
        self.at(t + chat.patience, ABANDON, chat)
        self.route_language(t, chat.language)

    def on_finish(self, t, pair):
        agent, chat = pair
        agent.load -= 1
        chat.closed_at = t
        self.record_closed(chat.language, t, t - chat.served_at)
        self.agent_route(t, agent)

    def on_answer(self, t, chat):
        target = self.s.rules[chat.language]
        self.open_offers[target].discard(chat)
        if chat.ended_at is None and chat.accepts:
            chat.accepted_at = t
            self.route_overflow(t, target)

    def on_abandon(self, t, chat):
        if chat.ended_at is None:
            chat.abandoned_at = t
            self.queues[chat.language].remove(chat)
            self.open_offers.get(self.s.rules.get(chat.language), set()).discard(chat)

    # --- routing -------------------------------------------------------------------------------------------------

    @staticmethod
    def best(agents):
        """Most free seats first, then the longest idle (never served first), then the first created."""
        free = [agent for agent in agents if agent.free > 0]
        return min(free, key=lambda a: (-a.free, -math.inf if a.last_chat_at is None else a.last_chat_at, a.id),
                   default=None)

    def give(self, t, chat, agent):
        chat.served_at, chat.agent, chat.assisted = t, agent.id, chat.language != agent.language
        self.queues[chat.language].remove(chat)
        self.open_offers.get(self.s.rules.get(chat.language), set()).discard(chat)
        agent.load += 1
        agent.last_chat_at = t
        self.log.append((t, chat.id, agent.id, chat.assisted, agent.load, agent.capacity))
        self.at(t + chat.handle * (self.s.handle_factor if chat.assisted else 1), FINISH, (agent, chat))

    def overflow_waiting(self, languages):
        """Accepted chats of these languages still waiting, oldest first (the overflow queue)."""
        return sorted((chat for language in languages for chat in self.queues[language]
                       if chat.accepted_at is not None), key=lambda chat: chat.queued_at)

    def route_language(self, t, language):
        """A chat joined the language's queue: the best free native agent takes the oldest waiting chats."""
        while self.queues[language]:
            agent = self.best(self.agents[language])
            if agent is None:
                return
            self.give(t, self.queues[language][0], agent)

    def route_overflow(self, t, target):
        """An accepted chat: the best free agent of the overflow language takes the oldest overflow chats (they
        have free seats only when their own queue is empty)."""
        for chat in self.overflow_waiting(self.assisting[target]):
            agent = self.best(self.agents[target])
            if agent is None:
                return
            self.give(t, chat, agent)

    def agent_route(self, t, agent):
        """A free seat: the agent's own language's oldest waiting chats first, then the oldest overflow chats."""
        queue = self.queues[agent.language]
        while agent.free > 0 and queue:
            self.give(t, queue[0], agent)
        if agent.free > 0 and agent.assists:
            for chat in self.overflow_waiting(agent.assists)[:agent.free]:
                self.give(t, chat, agent)

    # --- the offer -----------------------------------------------------------------------------------------------

    def record_closed(self, language, closed_at, handle):
        self.closed[language].append((closed_at, handle))
        self.closed_sum[language] += handle

    def mean_handle(self, t, language):
        """average_handle_seconds: the mean handle time of the language's chats closed in the window, or None."""
        closed, window = self.closed[language], settings.LIVECHAT_ESTIMATE_WINDOW_HOURS * 3600
        while closed and closed[0][0] < t - window:
            self.closed_sum[language] -= closed.popleft()[1]
        return self.closed_sum[language] / len(closed) if closed else None

    def estimate(self, t, chat):
        """queue_estimate's eta for a waiting chat: its position, the measured handle time, the online seats."""
        seats = sum(agent.capacity for agent in self.agents[chat.language] if agent.online)
        return wait_estimate(self.queues[chat.language].index(chat) + 1, self.mean_handle(t, chat.language), seats)

    def offer(self, t):
        """Offer the overflow language to waiting chats whose estimate is above their threshold, oldest first, while
        its assisting agents have free seats not held for an open offer."""
        for target, languages in self.assisting.items():
            offers = self.open_offers.setdefault(target, set())
            free = sum(agent.free for agent in self.agents[target]) - len(offers) - self.s.keep_free
            if free <= 0:
                continue
            waiting = sorted((chat for language in languages for chat in self.queues[language]
                              if chat.offered_at is None), key=lambda chat: chat.queued_at)
            for chat in waiting:
                eta = self.estimate(t, chat)
                if eta is not None and eta <= self.s.offer_above.get(chat.language, OFFER_ABOVE_SECONDS):
                    continue
                chat.offered_at, chat.offer_eta = t, eta
                offers.add(chat)
                self.at(t + chat.answer_after, ANSWER, chat)
                free -= 1
                if not free:
                    break


def simulate(scenario, chats, *, overflow):
    """Replay the chats; returns the Simulation (its chats carry what happened, its log every assignment)."""
    return Simulation(scenario, chats, overflow=overflow).run()


def summary(chats, languages=LANGUAGE_CODES):
    """Per language: chats, answered, abandoned share, wait p50 / p90 of the answered (seconds), offers."""
    rows = {}
    for language in languages:
        mine = [chat for chat in chats if chat.language == language]
        if not mine:
            continue
        waits = [chat.wait for chat in mine if chat.wait is not None]
        abandoned = sum(chat.abandoned_at is not None for chat in mine)
        rows[language] = {
            "chats": len(mine), "answered": len(waits), "abandoned_share": abandoned / len(mine),
            "p50": harness.percentile(waits, 50) or 0.0, "p90": harness.percentile(waits, 90) or 0.0,
            "offered": sum(chat.offered_at is not None for chat in mine),
            "accepted": sum(chat.accepted_at is not None for chat in mine),
            "assisted": sum(chat.assisted for chat in mine)}
    return rows


def table(without, with_):
    """Both ways side by side per language, with a bar each for the p90 (without | with, same scale)."""
    scale = max(max(row["p90"] for row in (*without.values(), *with_.values())), 1)
    lines = [f"{'':<9} {'':>6}  {'p50 wait, s':^13}  {'p90 wait, s':^13}  {'abandoned':^13}  {'with overflow':^26}",
             f"{'language':<9} {'chats':>6}  {'without':>7} {'with':>5}  {'without':>7} {'with':>5}  {'without':>7} "
             f"{'with':>5}  {'offered':>8} {'accepted':>8} {'assisted':>8}  p90 without | with"]
    for language, a in without.items():
        b = with_[language]
        lines.append(f"{language:<9} {a['chats']:>6,}  {a['p50']:>7.0f} {b['p50']:>5.0f}  {a['p90']:>7.0f} "
                     f"{b['p90']:>5.0f}  {a['abandoned_share']:>7.0%} {b['abandoned_share']:>5.0%}  "
                     f"{b['offered']:>8,} {b['accepted']:>8,} {b['assisted']:>8,}  "
                     f"{bar(a['p90'], width=16, scale=scale)}|{bar(b['p90'], width=16, scale=scale)}")
    return "\n".join(lines)


def svg(without, with_, title):
    """Grouped bars: the p90 wait per language, without the overflow rule (grey) and with it (blue)."""
    languages = list(without)
    top = max(max(row["p90"] for row in (*without.values(), *with_.values())), 1)
    step = 60 if top <= 600 else 300 if top <= 3000 else 600
    top = math.ceil(top / step) * step
    left, plot_h, group_w, bar_w, head = 60, 240, 90, 32, 56
    width, height = left + group_w * len(languages) + 20, head + plot_h + 50
    y = lambda seconds: head + plot_h - plot_h * seconds / top  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="12">', f'<text x="8" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
             f'<rect x="{left}" y="28" width="12" height="12" fill="#9e9e9e"/><text x="{left + 16}" y="38">without '
             f'overflow</text><rect x="{left + 130}" y="28" width="12" height="12" fill="#1565c0"/>'
             f'<text x="{left + 146}" y="38">with overflow</text>']
    for tick in range(0, top + 1, step):
        parts.append(f'<line x1="{left}" y1="{y(tick):.1f}" x2="{width - 20}" y2="{y(tick):.1f}" stroke="#e0e0e0"/>'
                     f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick // 60} min</text>')
    for index, language in enumerate(languages):
        x = left + index * group_w + (group_w - 2 * bar_w) / 2
        for offset, (rows, colour) in enumerate(((without, "#9e9e9e"), (with_, "#1565c0"))):
            value = rows[language]["p90"]
            parts.append(f'<rect x="{x + offset * bar_w:.1f}" y="{y(value):.1f}" width="{bar_w - 2}" '
                         f'height="{head + plot_h - y(value):.1f}" fill="{colour}"/>'
                         f'<text x="{x + offset * bar_w + bar_w / 2 - 1:.1f}" y="{y(value) - 4:.1f}" '
                         f'text-anchor="middle" font-size="10">{value:.0f}</text>')
        parts.append(f'<text x="{x + bar_w:.1f}" y="{head + plot_h + 18}" text-anchor="middle">{escape(language)}'
                     f'</text>')
    parts.append(f'<line x1="{left}" y1="{head + plot_h}" x2="{width - 20}" y2="{head + plot_h}" stroke="#333"/>'
                 f'<text x="{left}" y="{height - 10}" fill="#555">p90 queue wait of answered chats, seconds</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def window_label(scenario):
    first, last = scenario.hours[0], scenario.hours[-1] + 1
    return f"{first:02d}:00-{last if last == 24 else last % 24:02d}:00 UTC"


def replay(scenario, seed):
    """One day drawn with `seed`, replayed both ways: ({language: row} without, the same with)."""
    day = draw_chats(scenario, seed)
    return (summary(simulate(scenario, day, overflow=False).chats),
            summary(simulate(scenario, day, overflow=True).chats))


def run(results, *, chats, hours, days, seed=25, out_dir=None):
    """The demo scenario: one day (`seed`) replayed without and with overflow, a result row per language and way,
    the table and a chart (overflow.svg beside latest.json); then `days` days (seeds from `seed` on) for how much
    one day's figure is luck."""
    scenario = demo_scenario(chats=chats, hours=hours)
    window = window_label(scenario)
    middle = scenario.hours[len(scenario.hours) // 2]
    print(f"   {chats:,} queued chats a day ({window}), seats at {middle:02d}:00: "
          + ", ".join(f"{language} {scenario.seats[language][middle]}" for language in LANGUAGE_CODES), flush=True)
    started = time.monotonic()
    runs = [replay(scenario, seed + n) for n in range(max(days, 1))]
    print(f"   {len(runs)} day(s) replayed both ways in {time.monotonic() - started:.2f} s", flush=True)
    without, with_ = runs[0]
    print(f"   the day of seed {seed}:\n" + table(without, with_), flush=True)
    spread = {}
    for language in without:
        before = [one[0][language]["p90"] for one in runs]
        after = [one[1][language]["p90"] for one in runs]
        spread[language] = {"median_without": statistics.median(before), "median_with": statistics.median(after),
                            "days_lower": sum(b < a for a, b in zip(before, after)),
                            "days_higher": sum(b > a for a, b in zip(before, after))}
    if len(runs) > 1:
        print(f"   over {len(runs)} days (seeds {seed}-{seed + len(runs) - 1}), p90 wait: median without -> with, "
              "days lower / higher with overflow", flush=True)
        for language, row in spread.items():
            print(f"   {language:<9} {row['median_without']:>5.0f} s -> {row['median_with']:>5.0f} s   "
                  f"{row['days_lower']:>3} lower, {row['days_higher']:>3} higher", flush=True)
    for language in without:
        for way, row in (("without", without[language]), ("with", with_[language])):
            results.add("overflow", f"p90 wait {language}, {way} overflow (simulated, {window})", round(row["p90"], 1),
                        "s", p50=round(row["p50"], 1), chats=row["chats"],
                        abandoned_share=round(row["abandoned_share"], 3), offered=row["offered"],
                        accepted=row["accepted"], assisted=row["assisted"], days=len(runs),
                        p90_median_over_days=round(spread[language][f"median_{way}"], 1))
    out = out_dir or harness.RESULTS
    out.mkdir(parents=True, exist_ok=True)
    chart = out / "overflow.svg"
    total = sum(row["chats"] for row in without.values())
    chart.write_text(svg(without, with_, f"Simulated p90 queue wait per language, {total:,} chats, {window}"))
    print(f"   chart: {chart}", flush=True)
    return runs
