"""Service levels: business calendars (working hours, holidays), the policies that set response and resolution
targets, and the timers that measure one target on one ticket."""
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Channel, Priority
from .ticket import Category, Ticket


class BusinessCalendar(models.Model):
    """Working hours in a time zone, with holidays: for desks that are not staffed around the clock."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC",
                                help_text=_("IANA name, e.g. Asia/Tokyo or America/New_York."))

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self):
        return f"{self.name} ({self.timezone})"

    def clean(self):
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"timezone": _("Unknown time zone.")}) from exc


class BusinessHours(models.Model):
    WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
                (5, _("Saturday")), (6, _("Sunday"))]
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours",
                                 verbose_name=_("business calendar"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        ordering = ["weekday", "start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                              name="business_hours_end_after_start")]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays",
                                 verbose_name=_("business calendar"))
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_per_calendar")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class SlaPolicy(models.Model):
    """Response and resolution targets for the tickets it matches; the first matching policy by position wins."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    priorities = ArrayField(models.CharField(max_length=8, choices=Priority.choices), default=list, blank=True,
                            verbose_name=_("priorities"), help_text=_("Empty: any."))
    languages = ArrayField(models.CharField(max_length=8), default=list, blank=True, verbose_name=_("languages"),
                           help_text=_("Empty: any."))
    channels = ArrayField(models.CharField(max_length=8, choices=Channel.choices), default=list, blank=True,
                          verbose_name=_("channels"), help_text=_("Empty: any."))
    categories = models.ManyToManyField(Category, blank=True, verbose_name=_("categories"))
    first_response_minutes = models.PositiveIntegerField(_("first response target (minutes)"), null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(_("next response target (minutes)"), null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"), null=True, blank=True)
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, null=True, blank=True,
                                 verbose_name=_("business calendar"), help_text=_("Empty: calendar time, 24/7."))
    warning_percent = models.PositiveSmallIntegerField(_("warn at (percent of target)"), default=80)
    escalate_priority = models.BooleanField(_("raise priority on breach"), default=False)
    escalate_team = models.ForeignKey("support.Team", on_delete=models.SET_NULL, null=True, blank=True,
                                      verbose_name=_("reassign to team on breach"))
    escalate_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("reassign to agent on breach"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(warning_percent__gte=1) & models.Q(warning_percent__lte=99), name="sla_warning_range")]

    def __str__(self):
        return self.name


class SlaTimer(models.Model):
    """One target on one ticket: due and warning times (None while paused), and when it was met or breached."""

    class Kind(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        NEXT_RESPONSE = "next_response", _("Next response")
        RESOLUTION = "resolution", _("Resolution")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_timers")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, related_name="timers")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target_minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    # Working time spent paused (pending / on hold), added to the target when the due time is computed.
    paused_seconds = models.BigIntegerField(default=0)
    paused_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "kind"], name="sla_one_running_timer_per_kind",
                                    condition=models.Q(fulfilled_at__isnull=True, cancelled_at__isnull=True)),
        ]
        indexes = [
            # The beat scan: "running timers whose warning / due time has come", answered from small partial indexes.
            models.Index(fields=["warn_at"], name="sla_warn_scan", condition=models.Q(
                warned_at__isnull=True, breached_at__isnull=True, fulfilled_at__isnull=True,
                cancelled_at__isnull=True, warn_at__isnull=False)),
            models.Index(fields=["due_at"], name="sla_due_scan", condition=models.Q(
                breached_at__isnull=True, fulfilled_at__isnull=True, cancelled_at__isnull=True,
                due_at__isnull=False)),
            models.Index(fields=["ticket", "kind"], name="sla_ticket_kind"),
            # The automation sweep's window: targets breached in a span of time.
            models.Index(fields=["breached_at"], name="sla_breached", condition=models.Q(breached_at__isnull=False)),
        ]

    @property
    def is_running(self):
        return self.fulfilled_at is None and self.cancelled_at is None

    @property
    def met(self):
        """True/False once fulfilled; None while running."""
        if self.fulfilled_at is None:
            return None
        return self.breached_at is None and (self.due_at is None or self.fulfilled_at <= self.due_at)
