"""The ticket filters, shared by the agent inbox page, GET /api/v1/tickets/ and the saved inbox views, so all three
mean the same thing.

Custom fields are filtered by `field.<key>=<value>` (a value equal to the stored one; a multi-select: one of its
options; a checkbox: true or false), as containment on the GIN-indexed JSON (custom_fields @> {"key": value}).

The filter form (TicketFilter) validates; what it accepted is put in one canonical form (filters_canonical: plain
values, one order, no empty ones), which is what a saved view stores, and turned into one condition (filters_q). The
list applies that condition; the inbox's sidebar counts many views in one query, one COUNT(*) FILTER (WHERE ...) per
view (selectors.ticket_view_counts), which a chain of queryset filters could not give.
"""
import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.languages import language_choices

from .custom_fields import FILTER_PREFIX, filter_form_field, ticket_fields_active
from .models import Category, Channel, Priority, Status, Ticket
from .selectors import INBOX_VIEWS, parse_ref
from .services import TAG_RE

# The inbox's built-in views (their conditions are selectors.INBOX_VIEWS), in the sidebar's order.
BUILTIN_VIEWS = {
    "unassigned": _("Unassigned"),
    "mine": _("Mine"),
    "open": _("All open"),
    "pending": _("Pending"),
    "solved": _("Solved"),
    "all": _("All"),
}
# What the inbox shows without parameters: the open tickets, what breaches first, first.
INBOX_DEFAULTS = {"view": "open", "sort": "due"}

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
# The parameters, in the order a saved view keeps them; those taking several values, with their values in order.
PARAMS = ("view", "status", "priority", "channel", "category", "language", "tag", "assignee", "q", "sort")
MULTIPLE = {"status": Status.values, "priority": Priority.values, "channel": Channel.values}
MAX_VALUES = 20
# A condition no ticket meets that still compiles to SQL (an empty IN list would drop a whole COUNT ... FILTER).
NOTHING = Q(pk__isnull=True)


def validate_tag(value):
    tag = value.strip().lower()
    if tag and not TAG_RE.match(tag):
        raise ValidationError(_("“%(tag)s” is not a valid tag (letters, digits, - _ . : only).") % {"tag": tag[:60]},
                              code="invalid_tag")


def validate_assignee(value):
    value = value.strip().lower()
    if value in ("", "me", "none"):
        return
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError(_("Use “me”, “none” or an agent’s email address."), code="invalid_assignee") from exc


class TicketFilter(django_filters.FilterSet):
    view = django_filters.ChoiceFilter(choices=list(BUILTIN_VIEWS.items()), label=_("Inbox view"))
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("Status"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("Channel"))
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), to_field_name="slug",
                                                label=_("Category"))
    language = django_filters.ChoiceFilter(choices=language_choices, label=_("Language"))
    tag = django_filters.CharFilter(label=_("Tag"), max_length=50, validators=[validate_tag])
    assignee = django_filters.CharFilter(label=_("Assignee"), max_length=254, validators=[validate_assignee])
    q = django_filters.CharFilter(label=_("Search"), max_length=200)
    sort = django_filters.ChoiceFilter(choices=[
        ("due", _("Due soonest")), ("-updated", _("Recently updated")), ("updated", _("Least recently updated")),
        ("-created", _("Newest")), ("created", _("Oldest")), ("-priority", _("Highest priority")),
        ("priority", _("Lowest priority"))], label=_("Sort"))

    class Meta:
        model = Ticket
        fields = []

    def __init__(self, data=None, *args, ticket_fields=None, **kwargs):
        """`ticket_fields`: the custom fields to offer as filters (the inbox page offers every active one); by
        default only those the query names are read (no query at all when it names none). A `field.<key>` no
        active field has is listed in `unknown_fields` (the API refuses it)."""
        super().__init__(data, *args, **kwargs)
        named = {name[len(FILTER_PREFIX):] for name in (data or {}) if name.startswith(FILTER_PREFIX)}
        if ticket_fields is None:
            ticket_fields = ticket_fields_active(keys=named) if named else []
        for field in ticket_fields:
            self.filters[FILTER_PREFIX + field.key] = FieldFilter(field)
            self.filters[FILTER_PREFIX + field.key].parent = self
        self.unknown_fields = sorted(FILTER_PREFIX + key for key in named - {f.key for f in ticket_fields})

    def filter_queryset(self, queryset):
        """Every filter as one condition (filters_q; `assignee=me` and the view `mine` need the request's user),
        then the order; without `sort` the caller's order holds."""
        params = filters_canonical(self.form.cleaned_data)
        queryset = queryset.filter(filters_q(params, user=self.request.user if self.request else None))
        return sort_tickets(queryset, params["sort"]) if "sort" in params else queryset


class FieldFilter(django_filters.Filter):
    """A custom field's filter: its form field cleans the value to the stored form (filters_q applies it)."""

    def __init__(self, ticket_field):
        super().__init__(label=ticket_field.label)
        self.ticket_field = ticket_field

    @property
    def field(self):
        if not hasattr(self, "_field"):
            self._field = filter_form_field(self.ticket_field)
        return self._field

    def filter(self, qs, value):
        return qs  # TicketFilter.filter_queryset applies every filter as one condition


def filters_canonical(cleaned):
    """The form's cleaned filters as plain values in one order, empty ones left out: several values in their choices'
    order without repeats, the category by slug, tag and assignee in lower case; then custom fields by key."""
    params = {}
    for name in PARAMS:
        value = cleaned.get(name)
        if name in MULTIPLE:
            chosen = set(value or ())
            value = [choice for choice in MULTIPLE[name] if choice in chosen]
        elif name == "category":
            value = value.slug if value else ""
        elif isinstance(value, str):
            value = value.strip().lower() if name in ("tag", "assignee") else value.strip()
        if value:
            params[name] = value
    for name in sorted(n for n in cleaned if n.startswith(FILTER_PREFIX)):
        if cleaned[name] is not None and cleaned[name] != "":
            params[name] = cleaned[name]
    return params


def filters_q(params, *, user):
    """One condition for canonical filters (filters_canonical), for the agent `user` who is looking (`me`, `mine`)."""
    condition = Q()
    if "view" in params:
        view = INBOX_VIEWS.get(params["view"])
        condition &= view(user) if view and user is not None else NOTHING
    for name in MULTIPLE:
        if name in params:
            condition &= Q(**{f"{name}__in": params[name]})
    if "category" in params:
        condition &= Q(category__slug=params["category"])
    if "language" in params:
        condition &= Q(language=params["language"])
    if "tag" in params:
        condition &= Q(tags__contains=[params["tag"]])
    if "assignee" in params:
        condition &= assignee_q(params["assignee"], user)
    if "q" in params:
        condition &= search_q(params["q"])
    for name, value in params.items():
        if name.startswith(FILTER_PREFIX):
            condition &= field_q(name[len(FILTER_PREFIX):], value)
    return condition


def field_q(key, value):
    """A custom field equal to a value in its stored form (a multi-select's one option as a list); `false` for a
    checkbox: not ticked (an unticked box is not stored)."""
    if value is False:
        return ~Q(custom_fields__contains={key: True})
    return Q(custom_fields__contains={key: value})


def assignee_q(value, user):
    """`none` for unassigned, `me` for the agent looking, or an agent's email."""
    if value == "none":
        return Q(assignee__isnull=True)
    if value == "me":
        return Q(assignee=user) if user is not None else NOTHING
    return Q(assignee__email__iexact=value)


def search_q(value):
    """A reference, or text in the subject or the requester's email."""
    number = parse_ref(value)
    condition = Q(subject__icontains=value) | Q(requester__email__icontains=value)
    if number is not None:
        condition |= Q(number=number)
    return condition


def sort_tickets(queryset, value):
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


def inbox_params(query):
    """The inbox's parameters from its query string: an unknown view is the default one (an old link still opens),
    and the default order is the due time."""
    params = query.copy()
    if params.get("view") not in BUILTIN_VIEWS:
        params["view"] = INBOX_DEFAULTS["view"]
    if not params.get("sort"):
        params["sort"] = INBOX_DEFAULTS["sort"]
    return params


def saved_filters_clean(data, *, strict=True):
    """A saved view's filters from what a client sent: a dict (the API: several values as a list, an unknown name is
    an error) or the inbox's query string (the page: other parameters, such as the page number, are left out).
    Validated by the inbox's own filter form, canonical, with the inbox's defaults filled in, so the saved view opens
    what the inbox showed. Raises ValidationError with the messages per parameter."""
    errors = {}
    query = QueryDict(mutable=True)
    items = data.lists() if isinstance(data, QueryDict) else (data or {}).items()
    for name, value in items:
        if name not in PARAMS and not (isinstance(name, str) and name.startswith(FILTER_PREFIX)):
            if strict:
                errors[name] = [_("Unknown filter.")]
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        if len(values) > (MAX_VALUES if name in MULTIPLE else 1) or not all(isinstance(v, str) for v in values):
            errors[name] = [_("Give one text value.") if name not in MULTIPLE
                            else _("Give a list of at most %(count)s values.") % {"count": MAX_VALUES}]
            continue
        query.setlist(name, values)
    filterset = TicketFilter(query, queryset=Ticket.objects.none())
    form = filterset.form
    if not form.is_valid():
        errors.update({name: list(messages) for name, messages in form.errors.items()})
    if strict:
        errors.update({name: [_("Unknown filter.")] for name in filterset.unknown_fields})
    if errors:
        raise ValidationError(errors)
    return inbox_filters(form.cleaned_data)


def inbox_filters(cleaned):
    """What the inbox shows for these cleaned filters, canonical: its defaults filled in, in the parameters' order."""
    params = {**INBOX_DEFAULTS, **filters_canonical(cleaned)}
    return {name: params[name] for name in [*PARAMS, *sorted(params)] if name in params}
