"""Quality reviews: the report's tables of review scores (per agent and week, per rubric criterion) and the
permission-scoped reads of reviews for the review pages."""
from django.db.models import Avg, Count
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext_lazy as _

from support.numbers import id_from_text
from support.roles import is_supervisor

from ..models import QualityReview, ReviewCriterion, ReviewScore
from .periods import reviews_in_period
from .tables import Column, Table, round_or_none


def quality_by_week(period):
    """Quality review scores per agent and week (the Monday it starts), to see who improves and who needs help."""
    rows = (reviews_in_period(period).annotate(week=TruncWeek("created_at", tzinfo=period.tz))
            .values("agent", "agent__name", "agent__email", "week")
            .annotate(reviews=Count("id"), score=Avg("score")).order_by("agent__name", "agent__email", "week"))
    return Table("quality", _("Quality reviews by agent and week"), [
        Column("agent", _("Agent"), "text"), Column("week", _("Week of"), "date"), Column("reviews", _("Reviews")),
        Column("score", _("Quality score"), "pct")],
        [{"agent": r["agent__name"] or r["agent__email"].split("@")[0], "week": r["week"].date().isoformat(),
          "reviews": r["reviews"], "score": round_or_none(r["score"])} for r in rows])


def quality_by_criterion(period):
    rows = (ReviewScore.objects.filter(review__in=reviews_in_period(period))
            .values("criterion_id", "criterion__position")
            .annotate(reviews=Count("id"), score=Avg("score")).order_by("criterion__position", "criterion_id"))
    names = {c.pk: c.name for c in ReviewCriterion.objects.filter(pk__in=[r["criterion_id"] for r in rows])}
    return Table("quality_criteria", _("Quality by rubric criterion"), [
        Column("criterion", _("Criterion"), "text"), Column("reviews", _("Reviews")),
        Column("score", _("Average (1-5)"), "score")],
        [{"criterion": names.get(r["criterion_id"], ""), "reviews": r["reviews"], "score": round_or_none(r["score"], 2)}
         for r in rows])


def review_list_for_user(*, user, agent_param=None):
    """Quality reviews the user may read: an agent their own; a supervisor everyone's, or one agent's with
    `agent_param` (an id as typed). QualityReview.DoesNotExist for an id that is not a number, or for an agent asking
    for someone else's."""
    reviews = QualityReview.objects.select_related("agent", "reviewer", "ticket").prefetch_related(
        "scores__criterion")
    if is_supervisor(user):
        if agent_param:
            number = id_from_text(agent_param)
            if number is None:
                raise QualityReview.DoesNotExist
            reviews = reviews.filter(agent_id=number)
        return reviews
    if agent_param and agent_param != str(user.pk):
        raise QualityReview.DoesNotExist  # another agent's reviews are not theirs to read
    return reviews.filter(agent=user)


def review_get_for_user(*, user, review_id):
    """One review: its agent's, or any for a supervisor; QualityReview.DoesNotExist otherwise."""
    review = (QualityReview.objects.select_related("agent", "reviewer", "ticket", "conversation")
              .prefetch_related("scores__criterion").get(pk=review_id))
    if review.agent_id != user.pk and not is_supervisor(user):
        raise QualityReview.DoesNotExist
    return review
