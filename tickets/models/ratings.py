"""Customer satisfaction: the rating a requester gives a solved ticket (asked and answered in tickets.csat)."""
from django.conf import settings
from django.db import models
from django.utils import timezone

from .ticket import Ticket


class TicketRating(models.Model):
    """Satisfaction with a solved ticket: asked once per solve through a signed, single-use link that works
    without logging in; the answer belongs to the ticket and to the agent who had it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ratings")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="ticket_ratings")
    nonce = models.CharField(max_length=32, unique=True)  # what the signed link names; never reused
    language = models.CharField(max_length=8)
    requested_at = models.DateTimeField(default=timezone.now)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [models.CheckConstraint(condition=models.Q(score__isnull=True) | models.Q(score__range=(1, 5)),
                                              name="ticket_rating_score_range")]
        indexes = [models.Index(fields=["agent", "-rated_at"], name="ticket_rating_agent")]

    def __str__(self):
        return f"{self.ticket.ref}: {self.score or '-'}"
