"""A small desk with hand-computed figures (see the numbers in test_figures.py): one week of chats and tickets in
English and Japanese, with two agents and a supervisor."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from livechat.models import Conversation, ConversationStatus
from reports.models import QualityReview, ReviewCriterion
from reports.selectors import Period
from support.models import Team
from tests.factories import AgentFactory, UserFactory
from tickets.models import Category, Channel, SlaTimer, Status, Ticket, TicketRating

UTC = dt.UTC
MONDAY = dt.datetime(2026, 3, 2, tzinfo=UTC)  # the fixture week: Monday 2 to Sunday 8 March 2026


def at(day, hour, minute=0, second=0):
    """A moment in the fixture week: day 0 is Monday."""
    return MONDAY + dt.timedelta(days=day, hours=hour, minutes=minute, seconds=second)


def make_chat(language, created, *, wait=None, handle=None, agent=None, queued=True, closed=False, csat=None,
              with_bot=False, handover=None, ticket=None):
    queued_at = created if queued else None
    answered_at = created + dt.timedelta(seconds=wait) if wait is not None else None
    closed_at = None
    if handle is not None:
        closed_at = answered_at + dt.timedelta(seconds=handle)
    elif closed:
        closed_at = created + dt.timedelta(minutes=5)
    status = (ConversationStatus.CLOSED if closed_at else ConversationStatus.ACTIVE if answered_at
              else ConversationStatus.QUEUED if queued else ConversationStatus.BOT)
    return Conversation.objects.create(
        language=language, created_at=created, queued_at=queued_at, answered_at=answered_at,
        assigned_at=answered_at, closed_at=closed_at, agent=agent if answered_at else None, status=status,
        csat_score=csat, rated_at=closed_at if csat else None, with_bot=with_bot, handover=handover or {},
        ticket=ticket, visitor_name="Visitor")


_numbers = iter(range(50000, 60000))


def make_ticket(requester, created, *, language="en", first_response=None, resolution=None, assignee=None,
                channel=Channel.WEB, category=None, team=None, merged_into=None):
    return Ticket.objects.create(
        number=next(_numbers), requester=requester, subject="Question", language=language, channel=channel,
        category=category, team=team, assignee=assignee, merged_into=merged_into, created_at=created,
        updated_at=created,
        first_response_at=created + dt.timedelta(minutes=first_response) if first_response is not None else None,
        solved_at=created + dt.timedelta(minutes=resolution) if resolution is not None else None,
        status=Status.SOLVED if resolution is not None else Status.OPEN)


@pytest.fixture
def desk(db):
    team_a, team_b = Team.objects.create(name="Team A", slug="team-a"), Team.objects.create(name="Team B",
                                                                                            slug="team-b")
    alice = AgentFactory(email="alice@example.com", name="Alice", languages=["en"])
    bob = AgentFactory(email="bob@example.com", name="Bob", languages=["en", "ja"])
    alice.agent_profile.team = team_a
    alice.agent_profile.save()
    bob.agent_profile.team = team_b
    bob.agent_profile.save()
    boss = AgentFactory(email="boss@example.com", name="Boss", supervisor=True)
    customer = UserFactory(email="cust@example.com")

    chats = {
        "c1": make_chat("en", at(0, 10), wait=10, handle=600, agent=alice, csat=5),
        "c2": make_chat("en", at(0, 10, 30), wait=20, handle=300, agent=alice, csat=3),
        "c3": make_chat("en", at(1, 11), wait=30, handle=900, agent=alice),
        "c4": make_chat("en", at(1, 11, 5), wait=40, agent=alice),  # still active
        "c5": make_chat("en", at(2, 9), closed=True),  # abandoned
        "c7": make_chat("en", at(3, 15), queued=False, closed=True, with_bot=True),  # resolved by the bot
        "c8": make_chat("en", at(3, 16), wait=50, handle=100, agent=bob, with_bot=True,
                        handover={"reason": "requested"}),
        "j1": make_chat("ja", at(0, 10), wait=100, handle=200, agent=bob),
        # Outside the week: the Sunday before and the Monday after.
        "before": make_chat("en", MONDAY - dt.timedelta(seconds=1), wait=5, handle=5, agent=alice, csat=1),
        "after": make_chat("en", at(7, 0), wait=5, handle=5, agent=alice, csat=1),
    }
    deposits = Category.objects.create(name="Deposits", slug="deposits")
    tickets = {
        "t1": make_ticket(customer, at(0, 9), first_response=30, resolution=120, assignee=alice, team=team_a),
        "t2": make_ticket(customer, at(0, 12), first_response=90, resolution=600, assignee=alice, team=team_a),
        "t3": make_ticket(customer, at(1, 9), first_response=60, team=team_a),
        "t4": make_ticket(customer, at(1, 10), team=team_b),
        "t5": make_ticket(customer, at(2, 9), language="ja", first_response=10, resolution=20, assignee=bob,
                          channel=Channel.EMAIL, category=deposits, team=team_b),
    }
    tickets["t6"] = make_ticket(customer, at(0, 9), first_response=1, resolution=1, merged_into=tickets["t1"])
    # The chat that became a ticket: left a message.
    chats["c6"] = make_chat("en", at(2, 10), closed=True, ticket=tickets["t4"])
    t1, t2 = tickets["t1"], tickets["t2"]
    SlaTimer.objects.create(ticket=t1, kind=SlaTimer.Kind.FIRST_RESPONSE, target_minutes=60, started_at=t1.created_at,
                            due_at=t1.created_at + dt.timedelta(minutes=60), fulfilled_at=t1.first_response_at)
    SlaTimer.objects.create(ticket=t1, kind=SlaTimer.Kind.RESOLUTION, target_minutes=60, started_at=t1.created_at,
                            due_at=t1.created_at + dt.timedelta(minutes=60),
                            breached_at=t1.created_at + dt.timedelta(minutes=60), fulfilled_at=t1.solved_at)
    SlaTimer.objects.create(ticket=t2, kind=SlaTimer.Kind.FIRST_RESPONSE, target_minutes=60, started_at=t2.created_at,
                            due_at=t2.created_at + dt.timedelta(minutes=60), fulfilled_at=t2.first_response_at)
    TicketRating.objects.create(ticket=t1, agent=alice, nonce="n1", language="en", requested_at=t1.solved_at,
                                score=4, rated_at=t1.solved_at + dt.timedelta(hours=1))
    TicketRating.objects.create(ticket=t2, agent=alice, nonce="n2", language="en", requested_at=t2.solved_at)

    ReviewCriterion.objects.all().delete()
    QualityReview.objects.create(agent=alice, reviewer=boss, ticket=t1, score=80, created_at=at(2, 12))
    QualityReview.objects.create(agent=alice, reviewer=boss, conversation=chats["c1"], score=60,
                                 created_at=at(3, 12))
    return {"alice": alice, "bob": bob, "boss": boss, "customer": customer, "chats": chats, "tickets": tickets,
            "team_a": team_a, "team_b": team_b}


@pytest.fixture
def week():
    return Period(start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 8), tz=ZoneInfo("UTC"))


@pytest.fixture(autouse=True)
def _english():
    """Labels (language names, reasons) are in the active language: these tests read them in English."""
    from django.utils import translation

    with translation.override("en"):
        yield
