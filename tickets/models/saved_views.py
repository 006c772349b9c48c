"""Saved inbox views: a name for a set of the inbox's filters, kept by an agent for themselves or shared with the
desk."""
from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """An agent's saved inbox filters. `filters` holds only what tickets.filters.saved_filters_clean accepted: the
    inbox's own parameters (view, status, priority, channel, category, language, tag, assignee, q, sort), in their
    canonical form, so the list, the API and the counts read one meaning. A personal view is seen by its owner
    alone; a shared one by every agent, and only supervisors make or change shared views (services.saved_views)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_ticket_views",
                              verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=60)
    shared = models.BooleanField(_("shared with all agents"), default=False)
    filters = models.JSONField(_("filters"), default=dict)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["position", "id"]
        constraints = [
            # "Urgent" and "urgent" side by side in one sidebar would be two names for one thing.
            models.UniqueConstraint(Lower("name"), "owner", name="savedview_name_per_owner"),
        ]
        indexes = [models.Index(fields=["shared"], condition=models.Q(shared=True), name="savedview_shared")]

    def __str__(self):
        return self.name
