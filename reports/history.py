"""Weeks of realistic desk history (chats with their messages, tickets, SLA timers, ratings, quality reviews) for
the demo and for the reports benchmark. Loaded by COPY (support.bulk), with a seeded random generator so a run is
reproducible.

The shape is what a global exchange's desk sees: Chinese, Japanese and Korean customers write in their evening
(about 11:00-15:00 UTC), Americans and Latin Americans in their day (about 14:00-01:00 UTC), Russians in theirs;
the Asian evening is understaffed, so waits and abandonment peak there (the complaint the heat map should show);
there, waiting customers are offered an English-speaking agent with translation (history_overflow).
"""
import datetime as dt
import math
import random

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from livechat.models import ChatMessage, Conversation, ConversationStatus, SenderKind
from support import bulk
from support import services as core
from support.languages import LANGUAGE_CODES
from support.models import AgentProfile, User
from tickets.models import Category, Channel, Message, SlaTimer, Status, Ticket, TicketRating

from .history_fields import FieldHistory
from .history_overflow import OverflowHistory
from .models import QualityReview, ReviewCriterion, ReviewScore
from .services import rubric_score

HISTORY_DOMAIN = "history.example.com"

LANGUAGE_SHARE = {"en": 0.30, "zh-hans": 0.20, "es": 0.14, "ru": 0.12, "ja": 0.12, "ko": 0.12}
# UTC hours when each language's customers are busiest.
BUSY_HOURS = {"en": range(13, 23), "es": list(range(14, 24)) + [0, 1], "ru": range(6, 18),
              "zh-hans": range(11, 16), "ja": range(10, 15), "ko": range(10, 15)}
# Where the desk is short of people: (language, UTC hour) -> mean queue wait in seconds.
UNDERSTAFFED = {lang: {h: 420 for h in range(10, 16)} for lang in ("zh-hans", "ja", "ko")}
NORMAL_WAIT = 45

PHRASES = {
    "en": ("My withdrawal has been pending for hours.", "Let me check the transaction for you.",
           "Thanks, I can see it now.", "It has been confirmed on the network."),
    "zh-hans": ("我的提现已经等了好几个小时。", "我来帮您查一下这笔交易。", "谢谢，我现在看到了。", "链上已经确认了。"),
    "es": ("Mi retiro lleva horas pendiente.", "Déjeme revisar la transacción.", "Gracias, ya lo veo.",
           "Ya está confirmada en la red."),
    "ru": ("Мой вывод уже несколько часов в ожидании.", "Сейчас проверю транзакцию.", "Спасибо, теперь вижу.",
           "Транзакция подтверждена в сети."),
    "ja": ("出金が何時間も保留中です。", "取引を確認いたします。", "ありがとうございます、確認できました。",
           "ネットワーク上で承認されました。"),
    "ko": ("출금이 몇 시간째 대기 중입니다.", "거래를 확인해 드리겠습니다.", "감사합니다, 이제 보이네요.",
           "네트워크에서 승인되었습니다."),
}
SUBJECTS = {"en": "Withdrawal pending", "zh-hans": "提现未到账", "es": "Retiro pendiente", "ru": "Вывод не пришёл",
            "ja": "出金が届かない", "ko": "출금 미도착"}
HANDOVER_REASONS = [("requested", 0.45), ("low_confidence", 0.25), ("human_only", 0.15), ("unhelpful", 0.10),
                    ("negative", 0.05)]
CHANNEL_MIX = [(Channel.WEB, 0.5), (Channel.EMAIL, 0.35), (Channel.CHAT, 0.1), (Channel.API, 0.05)]


def _pick(rng, weighted):
    x, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if x < acc:
            return value
    return weighted[-1][0]


def _hour_weights(language):
    busy = set(BUSY_HOURS[language])
    return [(h, 1.0 if h in busy else 0.15) for h in range(24)]


def _normalised(weights):
    total = sum(w for _, w in weights)
    return [(v, w / total) for v, w in weights]


class History:
    """Generates `days` days ending yesterday. Volumes are per day across languages; weekends carry 70 %."""

    def __init__(self, *, days, chats_per_day, tickets_per_day, messages_per_chat=8, seed=7, progress=None,
                 end=None):
        self.days, self.chats_per_day, self.tickets_per_day = days, chats_per_day, tickets_per_day
        self.messages_per_chat = messages_per_chat
        self.rng = random.Random(seed)
        self.progress = progress or (lambda done, total, label: None)
        today = (end or timezone.now()).astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        self.first_day = today - dt.timedelta(days=days)
        self.hours = {lang: _normalised(_hour_weights(lang)) for lang in LANGUAGE_CODES}
        self.overflow = OverflowHistory(seed=seed, understaffed=UNDERSTAFFED, phrases=PHRASES)
        self.field_values = FieldHistory(seed=seed)

    # --- people ------------------------------------------------------------------------------------------------

    def _agents(self):
        by_language = {lang: [] for lang in LANGUAGE_CODES}
        for profile in AgentProfile.objects.select_related("user").filter(user__is_active=True):
            for lang in profile.languages:
                if lang in by_language:
                    by_language[lang].append(profile.user)
        for lang, agents in by_language.items():
            if not agents:  # a database without demo staff (the benchmark's): two agents per language
                for n in range(2):
                    user = core.agent_create(email=f"agent{n}.{lang}@{HISTORY_DOMAIN}", password=None,
                                             languages=[lang], name=f"{lang} agent {n}")
                    agents.append(user)
        return by_language

    def _customers(self, per_language=8):
        existing = {u.email: u for u in User.objects.filter(email__endswith=f"@{HISTORY_DOMAIN}",
                                                            agent_profile__isnull=True)}
        new = []
        unusable = make_password(None)
        for lang in LANGUAGE_CODES:
            for n in range(per_language):
                email = f"customer{n}.{lang}@{HISTORY_DOMAIN}"
                if email not in existing:
                    new.append(User(email=email, name=f"{lang.upper()} customer {n}", language=lang,
                                    password=unusable, email_verified=True))
        User.objects.bulk_create(new)
        users = User.objects.filter(email__endswith=f"@{HISTORY_DOMAIN}", agent_profile__isnull=True)
        by_language = {lang: [] for lang in LANGUAGE_CODES}
        for user in users:
            by_language[user.language].append(user)
        return by_language

    # --- generation ----------------------------------------------------------------------------------------------

    def _moment(self, day, language):
        hour = _pick(self.rng, self.hours[language])
        return day + dt.timedelta(hours=hour, seconds=self.rng.randrange(3600))

    def _day_volume(self, day, per_day):
        weekend = day.weekday() >= 5
        return max(0, round(per_day * (0.7 if weekend else 1.0) * self.rng.uniform(0.85, 1.15)))

    def run(self):
        agents, customers = self._agents(), self._customers()
        total_days = self.days
        chats = tickets = messages = 0
        for index in range(total_days):
            day = self.first_day + dt.timedelta(days=index)
            with transaction.atomic():
                c, m = self._chats_for_day(day, agents, customers)
                t = self._tickets_for_day(day, agents, customers)
            chats, messages, tickets = chats + c, messages + m, tickets + t
            self.progress(index + 1, total_days, f"{day:%Y-%m-%d}: {chats} chats, {messages} messages, "
                                                 f"{tickets} tickets")
        self._reviews(agents)
        return {"chats": chats, "messages": messages, "tickets": tickets}

    def _chats_for_day(self, day, agents, customers):
        rng = self.rng
        conversations, message_rows = [], []
        for _ in range(self._day_volume(day, self.chats_per_day)):
            language = _pick(rng, list(LANGUAGE_SHARE.items()))
            created = self._moment(day, language)
            customer = rng.choice(customers[language])
            chat = Conversation(language=language, created_at=created, customer=customer, topic=SUBJECTS[language],
                                with_bot=rng.random() < 0.6)
            if chat.with_bot and rng.random() < 0.4:
                # The assistant answered and the customer left happy: never queued.
                chat.status, chat.closed_at, chat.closed_by = ConversationStatus.CLOSED, created + dt.timedelta(
                    minutes=rng.uniform(1, 6)), "customer"
                conversations.append(chat)
                continue
            bot_seconds = rng.uniform(30, 180) if chat.with_bot else 0
            chat.queued_at = created + dt.timedelta(seconds=bot_seconds)
            if chat.with_bot:
                chat.handover = {"reason": _pick(rng, HANDOVER_REASONS), "language": language,
                                 "confidence": round(rng.uniform(0.1, 0.6), 2)}
            mean_wait = UNDERSTAFFED.get(language, {}).get(chat.queued_at.hour, NORMAL_WAIT)
            if chat.queued_at.weekday() >= 5:
                mean_wait *= 1.3
            wait = rng.expovariate(1 / mean_wait)
            patience = rng.expovariate(1 / 600)
            wait, patience = self.overflow.offer(chat, wait, patience)
            if wait > patience:
                chat.status, chat.closed_by = ConversationStatus.CLOSED, "customer"
                chat.closed_at = chat.queued_at + dt.timedelta(seconds=patience)
                conversations.append(chat)
                continue
            agent = rng.choice(agents[language])
            if chat.assisted:
                agent = self.overflow.agent(agents)
            chat.agent, chat.status = agent, ConversationStatus.CLOSED
            chat.answered_at = chat.assigned_at = chat.queued_at + dt.timedelta(seconds=wait)
            handle = max(60.0, rng.lognormvariate(math.log(420), 0.5))
            chat.closed_at = chat.answered_at + dt.timedelta(seconds=handle)
            chat.first_agent_reply_at = chat.answered_at + dt.timedelta(seconds=rng.uniform(5, 40))
            chat.closed_by = rng.choice(["agent", "customer"])
            if rng.random() < 0.45:
                good = (0.85 if wait < 120 else 0.55) - (0.05 if chat.assisted else 0)
                chat.csat_score = rng.choice([4, 5]) if rng.random() < good else rng.choice([1, 2, 3])
                chat.rated_at = chat.closed_at + dt.timedelta(seconds=20)
            count = max(2, round(rng.gauss(self.messages_per_chat, 2)))
            phrases = PHRASES[language]
            step = handle / count
            for seq in range(1, count + 1):
                from_customer = seq % 2 == 1
                message_rows.append(ChatMessage(
                    conversation=chat, seq=seq, sender_kind=SenderKind.CUSTOMER if from_customer else SenderKind.AGENT,
                    sender=customer if from_customer else agent, body=phrases[(seq - 1) % len(phrases)],
                    created_at=chat.answered_at + dt.timedelta(seconds=step * (seq - 1))))
            chat.last_seq = chat.agent_read_seq = count
            chat.last_customer_message_at = chat.closed_at
            conversations.append(chat)
        self.overflow.translate(message_rows)
        bulk.copy_objects(conversations)
        bulk.copy_objects(self.overflow.take_offers())
        bulk.copy_objects(message_rows)
        return len(conversations), len(message_rows)

    def _numbers(self, n):
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval('ticket_number_seq') FROM generate_series(1, %s)", [n])
            return [row[0] for row in cursor.fetchall()]

    def _tickets_for_day(self, day, agents, customers):
        rng = self.rng
        categories = list(Category.objects.filter(is_active=True)) or [None]
        count = self._day_volume(day, self.tickets_per_day)
        numbers = self._numbers(count) if count else []
        tickets = []
        # Ids from the table's sequence before the rows go in by COPY (which returns none): messages point at them.
        for number, pk in zip(numbers, bulk.ids_reserve(Ticket, count)):
            language = _pick(rng, list(LANGUAGE_SHARE.items()))
            created = self._moment(day, language)
            slow = created.hour in UNDERSTAFFED.get(language, {})
            ticket = Ticket(pk=pk, number=number, requester=rng.choice(customers[language]), subject=SUBJECTS[language],
                            language=language, channel=_pick(rng, CHANNEL_MIX), category=rng.choice(categories),
                            assignee=rng.choice(agents[language]), created_at=created, updated_at=created,
                            priority="normal", status=Status.OPEN, awaiting_agent=False)
            if rng.random() < 0.93:
                ticket.first_response_at = created + dt.timedelta(
                    minutes=rng.lognormvariate(math.log(90 if slow else 35), 0.8))
            if ticket.first_response_at and rng.random() < 0.8:
                ticket.solved_at = ticket.first_response_at + dt.timedelta(
                    hours=rng.lognormvariate(math.log(6), 1.0))
                ticket.status = Status.SOLVED
            else:
                ticket.awaiting_agent = ticket.first_response_at is None
            ticket.updated_at = ticket.solved_at or ticket.first_response_at or created
            self.field_values.fill(ticket)
            tickets.append(ticket)
        bulk.copy_objects(tickets)
        messages, timers, ratings = [], [], []
        for ticket in tickets:
            phrases = PHRASES[ticket.language]
            messages.append(Message(ticket=ticket, author=ticket.requester, body=phrases[0], body_html=f"<p>{phrases[0]}</p>",
                                    channel=ticket.channel, created_at=ticket.created_at))
            if ticket.first_response_at:
                messages.append(Message(ticket=ticket, author=ticket.assignee, body=phrases[1],
                                        body_html=f"<p>{phrases[1]}</p>", channel=Channel.WEB,
                                        created_at=ticket.first_response_at))
            for kind, target, done in ((SlaTimer.Kind.FIRST_RESPONSE, 60, ticket.first_response_at),
                                       (SlaTimer.Kind.RESOLUTION, 24 * 60, ticket.solved_at)):
                due = ticket.created_at + dt.timedelta(minutes=target)
                late = done is None or done > due
                if done is None and due > timezone.now():
                    late = False
                timers.append(SlaTimer(ticket=ticket, kind=kind, target_minutes=target, started_at=ticket.created_at,
                                       due_at=due, fulfilled_at=done, breached_at=due if late else None))
            if ticket.solved_at and rng.random() < 0.5:
                rated = rng.random() < 0.6
                ratings.append(TicketRating(
                    ticket=ticket, agent=ticket.assignee, nonce=f"h{ticket.number}", language=ticket.language,
                    requested_at=ticket.solved_at, score=(rng.choice([4, 5, 5]) if rng.random() < 0.8
                                                          else rng.choice([1, 2, 3])) if rated else None,
                    rated_at=ticket.solved_at + dt.timedelta(hours=rng.uniform(0.2, 30)) if rated else None))
        for rows in (messages, timers, ratings):
            bulk.copy_objects(rows)
        return len(tickets)

    def _reviews(self, agents):
        """Two reviews per agent and week, by the first supervisor, on the rubric."""
        criteria = list(ReviewCriterion.objects.filter(is_active=True))
        reviewer = User.objects.filter(groups__name__in=["supervisor", "admin"]).order_by("pk").first()
        if not criteria or reviewer is None:
            return
        rng = self.rng
        everyone = {agent.pk: agent for group in agents.values() for agent in group}
        for week in range(self.days // 7):
            start = self.first_day + dt.timedelta(days=7 * week)
            chats = {}
            for chat in (Conversation.objects.filter(created_at__gte=start, created_at__lt=start + dt.timedelta(days=7),
                                                     agent__in=list(everyone), status=ConversationStatus.CLOSED)
                         .exclude(quality_reviews__reviewer=reviewer).order_by("?")[:400]):
                chats.setdefault(chat.agent_id, []).append(chat)
            for agent_id, agent_chats in chats.items():
                skill = 3.2 + (agent_id % 4) * 0.4 + week * 0.05  # some agents better, everyone improving a bit
                for chat in agent_chats[:2]:
                    scores = {c.pk: max(1, min(5, round(rng.gauss(skill, 0.8)))) for c in criteria}
                    review = QualityReview.objects.create(
                        agent_id=agent_id, reviewer=reviewer, conversation=chat, created_at=chat.closed_at,
                        score=rubric_score(criteria, scores), comment="")
                    ReviewScore.objects.bulk_create([ReviewScore(review=review, criterion=c, score=scores[c.pk])
                                                     for c in criteria])


def history_exists():
    return User.objects.filter(email__endswith=f"@{HISTORY_DOMAIN}").exists() and Conversation.objects.filter(
        customer__email__endswith=f"@{HISTORY_DOMAIN}").exists()
