"""Writes of the reports app: quality reviews."""
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from livechat.models import Conversation, ConversationStatus
from support.notifications import register_kind
from support.numbers import id_from_text
from support.roles import is_supervisor
from support.services import DomainError, notification_create
from tickets.models import REF_PREFIX, Status, Ticket

from .models import QualityReview, ReviewCriterion, ReviewScore

register_kind("quality_review_ticket", title=gettext_lazy("New quality review"),
              body=gettext_lazy("A supervisor reviewed your work on %(ref)s."))
register_kind("quality_review_chat", title=gettext_lazy("New quality review"),
              body=gettext_lazy("A supervisor reviewed your work on a chat."))


def review_subject_agent(*, conversation=None, ticket=None):
    """The agent whose work a review scores, or a DomainError when the chat or ticket cannot be reviewed yet."""
    if conversation is not None:
        if conversation.status != ConversationStatus.CLOSED or conversation.agent_id is None:
            raise DomainError(_("Only closed chats that an agent handled can be reviewed."), code="not_reviewable")
        return conversation.agent
    if ticket.status not in (Status.SOLVED, Status.CLOSED) or ticket.assignee_id is None:
        raise DomainError(_("Only solved or closed tickets with an assignee can be reviewed."), code="not_reviewable")
    return ticket.assignee


def rubric_score(criteria, scores):
    """The weighted mean of 1-5 scores as a percentage of the best: 5 on every criterion is 100."""
    weights = sum(c.weight for c in criteria)
    return round(100.0 * sum(c.weight * scores[c.pk] for c in criteria) / (5 * weights), 1)


def review_create(*, reviewer, scores, comment="", conversation=None, ticket=None):
    """Score one closed chat or solved ticket on the active rubric; `scores` maps criterion id -> 1..5 and must
    cover every active criterion. The agent is notified. One review per reviewer and subject (a unique
    constraint, so two tabs submitting at once still store one)."""
    if not is_supervisor(reviewer):
        raise DomainError(_("Only supervisors review agents' work."), code="forbidden")
    if (conversation is None) == (ticket is None):
        raise DomainError(_("A review is of one chat or one ticket."), code="invalid")
    agent = review_subject_agent(conversation=conversation, ticket=ticket)
    criteria = list(ReviewCriterion.objects.filter(is_active=True))
    if not criteria:
        raise DomainError(_("The review rubric is empty; an admin adds criteria first."), code="no_rubric")
    missing = [c for c in criteria if scores.get(c.pk) not in range(1, 6)]
    if missing:
        raise DomainError(_("Give every criterion a score from 1 to 5."), code="incomplete", field="scores")
    score = rubric_score(criteria, scores)
    try:
        with transaction.atomic():
            review = QualityReview.objects.create(agent=agent, reviewer=reviewer, conversation=conversation,
                                                  ticket=ticket, comment=comment.strip(), score=score)
            ReviewScore.objects.bulk_create([ReviewScore(review=review, criterion=c, score=scores[c.pk])
                                             for c in criteria])
    except IntegrityError as exc:
        raise DomainError(_("You have already reviewed this."), code="already_reviewed") from exc
    with translation.override(agent.language):
        url = reverse("reports:review", args=[review.pk])
    if ticket is not None:
        notification_create(user=agent, kind="quality_review_ticket", params={"ref": ticket.ref}, url=url)
    else:
        notification_create(user=agent, kind="quality_review_chat", url=url)
    return review


def review_subject_get(*, chat_id=None, ticket_ref=None):
    """The chat or ticket named by a review form's query (DoesNotExist when there is none)."""
    if chat_id:
        return Conversation.objects.select_related("agent").get(pk=chat_id), None
    number = id_from_text(str(ticket_ref or "").upper().removeprefix(REF_PREFIX))
    if number is None:
        raise Ticket.DoesNotExist
    return None, Ticket.objects.select_related("assignee").get(number=number)
