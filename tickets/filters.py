"""The ticket filters, shared by the agent inbox page and GET /api/v1/tickets/ so both mean the same thing."""
import django_filters
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.languages import language_choices

from .models import Category, Priority, Status, Ticket
from .selectors import parse_ref

SORTS = {
    "due": ("due_group", F("due_ahead").asc(nulls_last=True), F("next_due").desc(nulls_last=True), "-updated_at",
            "-id"),
    "-updated": ("-updated_at", "-id"),
    "updated": ("updated_at", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "-priority": ("-priority_rank", "-updated_at", "-id"),
    "priority": ("priority_rank", "-updated_at", "-id"),
}


class TicketFilter(django_filters.FilterSet):
    # distinct=False: these filter the ticket's own columns, so no row can repeat; DISTINCT over every column (and
    # a COUNT over that) cost the inbox most of its time (bench/tickets_api.py).
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"), distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"), distinct=False)
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), to_field_name="slug",
                                                label=_("Category"))
    language = django_filters.ChoiceFilter(choices=language_choices, label=_("Language"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("Assignee"))
    q = django_filters.CharFilter(method="filter_search", label=_("Search"))
    sort = django_filters.ChoiceFilter(choices=[
        ("due", _("Due soonest")), ("-updated", _("Recently updated")), ("updated", _("Least recently updated")),
        ("-created", _("Newest")), ("created", _("Oldest")), ("-priority", _("Highest priority")),
        ("priority", _("Lowest priority"))], method="filter_sort", label=_("Sort"))

    class Meta:
        model = Ticket
        fields = []

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value.strip().lower()])

    def filter_assignee(self, queryset, name, value):
        """`none` for unassigned, `me` for the requesting agent, or an agent's email."""
        value = value.strip().lower()
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if value == "me":
            return queryset.filter(assignee=self.request.user) if self.request else queryset.none()
        return queryset.filter(assignee__email__iexact=value)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        number = parse_ref(value)
        condition = Q(subject__icontains=value) | Q(requester__email__icontains=value)
        if number is not None:
            condition |= Q(number=number)
        return queryset.filter(condition)

    def filter_sort(self, queryset, name, value):
        # Declared last, so it orders the already filtered queryset. Without ?sort the selector's order holds.
        order = SORTS[value]
        if value == "due":
            # What is about to breach comes first, soonest first; what has breached already is a group of its own
            # after it, the latest breach first (a ticket breached two weeks ago is not the next thing to do); then
            # tickets with no running timer.
            now = timezone.now()
            queryset = queryset.annotate(
                due_group=Case(When(next_due__gte=now, then=Value(0)), When(next_due__lt=now, then=Value(1)),
                               default=Value(2), output_field=IntegerField()),
                due_ahead=Case(When(next_due__gte=now, then=F("next_due"))))
        if order[0] in ("priority_rank", "-priority_rank"):
            rank = Case(*[When(priority=p, then=Value(i)) for i, p in enumerate(Priority.values)],
                        output_field=IntegerField())
            queryset = queryset.annotate(priority_rank=rank)
        return queryset.order_by(*order)
