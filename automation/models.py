"""Workflow rules supervisors write without a deploy (issue #26): triggers run when something happens to a ticket
(automation.engine), each firing recorded once per event and ticket.

A trigger's conditions and actions are JSON lists in a documented shape (automation.conditions, automation.actions;
docs/api.md), checked by automation.services before they are stored, so the engine never meets one it cannot read.
"""
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Match(models.TextChoices):
    ALL = "all", _("All conditions")
    ANY = "any", _("Any condition")


class Trigger(models.Model):
    """When one of `events` happens to a ticket and the conditions hold, the actions run, in `position` order among
    the active triggers; at most once per event and ticket."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    events = ArrayField(models.CharField(max_length=40), verbose_name=_("events"))
    match = models.CharField(_("match"), max_length=3, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # How often and when it last fired: the supervisors' list shows it.
    fire_count = models.PositiveIntegerField(_("times fired"), default=0)
    last_fired_at = models.DateTimeField(_("last fired"), null=True, blank=True)

    class Meta:
        verbose_name = _("trigger")
        verbose_name_plural = _("triggers")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["position", "id"], name="trigger_active_order",
                                condition=models.Q(is_active=True))]

    def __str__(self):
        return self.name


class TriggerFiring(models.Model):
    """A trigger fired for one event on one ticket: the unique key is what makes "at most once per event and
    ticket" hold with any number of processes."""

    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="firings",
                                verbose_name=_("trigger"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket"))
    event_id = models.UUIDField(_("event"))
    event = models.CharField(_("event name"), max_length=40)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    fired_at = models.DateTimeField(_("fired at"), default=timezone.now)
    # What the actions did (codes), for the supervisor who asks why a ticket changed.
    outcome = models.JSONField(_("outcome"), default=list, blank=True)

    class Meta:
        verbose_name = _("trigger firing")
        verbose_name_plural = _("trigger firings")
        constraints = [models.UniqueConstraint(fields=["trigger", "event_id", "ticket"], name="trigger_once_per_event")]
        indexes = [models.Index(fields=["ticket", "-fired_at"], name="trigger_firing_ticket")]

    def __str__(self):
        return f"{self.trigger_id} @ {self.ticket_id}"


class RulesPass(models.Model):
    """A pass of the rules for one event that the loop guard cut (its rules kept changing the ticket): recorded so
    a supervisor sees which triggers feed each other."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket"))
    event_id = models.UUIDField(_("event"))
    event = models.CharField(_("event name"), max_length=40)
    rounds = models.PositiveSmallIntegerField(_("rounds"))
    fired = ArrayField(models.PositiveIntegerField(), default=list, verbose_name=_("triggers fired"))
    cut = models.BooleanField(_("cut by the loop guard"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("rules pass")
        verbose_name_plural = _("rules passes")
        indexes = [models.Index(fields=["-created_at"], name="rules_pass_created")]

    def __str__(self):
        return f"{self.ticket_id} ({self.rounds})"


class NotifyAddress(models.Model):
    """An address rules may email (a team lead's, a compliance desk's): only addresses on this list, which admins
    keep, so a rule cannot be made to mail anyone."""

    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"), unique=True)
    language = models.CharField(_("language"), max_length=8, default="en")

    class Meta:
        verbose_name = _("notification address")
        verbose_name_plural = _("notification addresses")

    def __str__(self):
        return f"{self.name} <{self.email}>"


class Automation(models.Model):
    """A time-based rule: every sweep (Celery beat), the open tickets its conditions select (how long since created,
    updated, pending, solved or an SLA breach, with the ticket conditions the database can test) get its actions,
    once until the ticket changes again (automation.sweep)."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    conditions = models.JSONField(_("conditions"), default=list)
    actions = models.JSONField(_("actions"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    fire_count = models.PositiveIntegerField(_("times fired"), default=0)
    last_fired_at = models.DateTimeField(_("last fired"), null=True, blank=True)
    # The sweep looked at every ticket that could have become due up to this time (automation.sweep): the next one
    # looks only at what changed or crossed a threshold since. None: the next sweep looks at every ticket.
    swept_until = models.DateTimeField(_("swept until"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("automation")
        verbose_name_plural = _("automations")
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class AutomationRun(models.Model):
    """An automation acted on a ticket as it stood at `version` (its updated_at after the actions): the sweep skips
    the ticket until it changes again, and the unique key lets two sweeps at once act only once."""

    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs",
                                   verbose_name=_("automation"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+", verbose_name=_("ticket"))
    version = models.DateTimeField(_("ticket as of"))
    acted_at = models.DateTimeField(_("acted at"), default=timezone.now)
    outcome = models.JSONField(_("outcome"), default=list, blank=True)

    class Meta:
        verbose_name = _("automation run")
        verbose_name_plural = _("automation runs")
        constraints = [models.UniqueConstraint(fields=["automation", "ticket", "version"],
                                               name="automation_once_per_version")]
        indexes = [models.Index(fields=["automation", "ticket", "-version"], name="automation_run_latest")]

    def __str__(self):
        return f"{self.automation_id} @ {self.ticket_id}"


class TriggerChange(models.Model):
    """Every change to a trigger or an automation: who, when, and the rule before and after (append-only; a deleted
    rule keeps its history under its name). The changes supervisors make to webhooks and to the list of notification
    addresses are kept here too (`kind`), so the rules pages tell one history of what rules act with."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        UPDATED = "updated", _("changed")
        DELETED = "deleted", _("deleted")
        REORDERED = "reordered", _("moved")
        PAUSED = "paused", _("paused")
        RESUMED = "resumed", _("resumed")
        NEW_SECRET = "new_secret", _("given a new signing secret")

    class Kind(models.TextChoices):
        RULE = "rule", _("rule")
        WEBHOOK = "webhook", _("webhook")
        ADDRESS = "address", _("notification address")

    trigger = models.ForeignKey(Trigger, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes",
                                verbose_name=_("trigger"))
    # The changes of automations are kept here too (trigger empty): one history of the desk's rules.
    automation = models.ForeignKey(Automation, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="changes", verbose_name=_("automation"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RULE)
    webhook = models.ForeignKey("support.Webhook", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("webhook"))
    trigger_name = models.CharField(_("trigger name"), max_length=120)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("changed by"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("trigger change")
        verbose_name_plural = _("trigger changes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["trigger", "-created_at"], name="trigger_change_trigger")]

    def __str__(self):
        return f"{self.trigger_name}: {self.get_action_display()}"
