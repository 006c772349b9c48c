"""Quality reviews: supervisors score a closed chat or a solved ticket on an admin-edited rubric; the agent reads
the scores and comments on their own page, and reports follow scores per agent over time."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCORE_CHOICES = [(n, str(n)) for n in range(1, 6)]


class ReviewCriterion(models.Model):
    """One line of the rubric (e.g. accuracy, tone, resolution, compliance), named in all six languages."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("what a 5 looks like"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(weight__gte=1) & models.Q(weight__lte=10),
                                              name="review_criterion_weight_range")]

    def __str__(self):
        return self.name


class QualityReview(models.Model):
    """A supervisor's review of one agent's work on one closed chat or solved ticket."""

    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quality_reviews",
                              verbose_name=_("agent"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="+", verbose_name=_("reviewer"))
    conversation = models.ForeignKey("livechat.Conversation", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="quality_reviews", verbose_name=_("chat"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="quality_reviews", verbose_name=_("ticket"))
    comment = models.TextField(_("comment for the agent"), blank=True)
    # Weighted mean of the criterion scores as a percentage of the best (5 everywhere = 100).
    score = models.FloatField(_("score (%)"), help_text=_("Weighted mean of the criterion scores; 100 is 5 on every "
                                                          "criterion."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(conversation__isnull=True) ^ models.Q(ticket__isnull=True),
                                   name="review_one_subject"),
            models.UniqueConstraint(fields=["reviewer", "conversation"], name="review_once_per_chat",
                                    condition=models.Q(conversation__isnull=False)),
            models.UniqueConstraint(fields=["reviewer", "ticket"], name="review_once_per_ticket",
                                    condition=models.Q(ticket__isnull=False)),
            models.CheckConstraint(condition=models.Q(score__gte=0) & models.Q(score__lte=100),
                                   name="review_score_range"),
        ]
        indexes = [models.Index(fields=["agent", "-created_at"], name="review_agent_recent"),
                   models.Index(fields=["created_at"], name="review_created")]

    def __str__(self):
        return f"{self.agent} · {self.subject_label}"

    @property
    def subject_label(self):
        return self.ticket.ref if self.ticket_id else _("Chat")


class ReviewScore(models.Model):
    review = models.ForeignKey(QualityReview, on_delete=models.CASCADE, related_name="scores",
                               verbose_name=_("quality review"))
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("review criterion"))
    score = models.PositiveSmallIntegerField(_("score"), choices=SCORE_CHOICES)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        ordering = ["criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="review_score_once_per_criterion"),
            models.CheckConstraint(condition=models.Q(score__range=(1, 5)), name="review_score_1_to_5"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"
