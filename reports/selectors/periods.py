"""What a report counts: the `Period`, the period's chats, tickets, ratings and reviews (narrowed to its language and
team), and the chat definitions (offered, answered, abandoned, wait, handle time) that several tables share."""
import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.db.models import F, Q
from django.db.models.functions import Extract

from livechat.models import Conversation, ConversationStatus
from tickets.models import Ticket, TicketRating

from ..models import QualityReview


@dataclass(frozen=True)
class Period:
    """What a report covers: whole days from `start` to `end` (inclusive) in `tz`, optionally one language and
    one team."""

    start: dt.date
    end: dt.date
    tz: ZoneInfo
    language: str | None = None
    team: object = None  # support.models.Team

    @property
    def start_at(self):
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=self.tz)

    @property
    def end_at(self):
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)

    @property
    def days(self):
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


def epoch_seconds(delta_expr):
    """A duration expression as seconds, so Postgres can average it and take its percentiles."""
    return Extract(delta_expr, "epoch")


def rows_in_period(queryset, period, *, when, language="language", team):
    """Rows of `queryset` whose `when` falls in the period, narrowed to the period's language and team (through
    the given lookups)."""
    rows = queryset.filter(**{f"{when}__gte": period.start_at, f"{when}__lt": period.end_at})
    if period.language:
        rows = rows.filter(**{language: period.language})
    if period.team is not None:
        rows = rows.filter(**{team: period.team})
    return rows.order_by()


def chats_in_period(period):
    """Chats started in the period; a chat's team is that of the agent who has it."""
    return rows_in_period(Conversation.objects.all(), period, when="created_at", team="agent__agent_profile__team")


def tickets_in_period(period):
    """Tickets created in the period, merged duplicates left out."""
    return rows_in_period(Ticket.objects.filter(merged_into__isnull=True), period, when="created_at", team="team")


def tickets_solved_in_period(period):
    """Tickets solved in the period (by solved_at), whenever they were created."""
    return rows_in_period(Ticket.objects.filter(merged_into__isnull=True), period, when="solved_at", team="team")


def ticket_ratings_in_period(period):
    """Ticket rating requests made in the period."""
    return rows_in_period(TicketRating.objects.all(), period, when="requested_at", language="ticket__language",
                          team="ticket__team")


def reviews_in_period(period):
    """Reviews written in the period, whatever the language (a review scores an agent, not a language)."""
    return rows_in_period(QualityReview.objects.all(), replace(period, language=None), when="created_at",
                          team="agent__agent_profile__team")


OFFERED = Q(queued_at__isnull=False)
ANSWERED = Q(answered_at__isnull=False)
ABANDONED = OFFERED & Q(answered_at__isnull=True, status=ConversationStatus.CLOSED, ticket__isnull=True)
LEFT_MESSAGE = OFFERED & Q(answered_at__isnull=True, ticket__isnull=False)
HANDLED = ANSWERED & Q(status=ConversationStatus.CLOSED)
WAIT = epoch_seconds(F("answered_at") - F("queued_at"))
HANDLE = epoch_seconds(F("closed_at") - F("answered_at"))
