"""API input and output shapes for tickets. Outputs differ by audience: customers never see internal fields."""
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from support.languages import LANGUAGE_CODES
from support.roles import is_agent
from support.serializers import ScannedImageOutputSerializer, StrictInputSerializer

from .custom_fields import customer_field_keys
from .models import Identity, Priority, SlaTimer, Status
from .selectors import sla_timers_prefetch
from .sla import timer_state

# Statuses a change may set: a ticket is only ever "new" when it is created.
SETTABLE_STATUSES = [s for s in Status.values if s != Status.NEW]


class TicketCreateInputSerializer(StrictInputSerializer):
    subject = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=50_000)
    category = serializers.SlugField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False)
    priority = serializers.ChoiceField(choices=Priority.values, required=False)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, max_length=50)
    custom_fields = serializers.DictField(
        required=False, help_text="custom field values by key (GET /api/v1/ticket-fields/ lists the fields); "
                                  "fields of the category required of customers must be given. Multipart: "
                                  "custom_fields.<key> per field")

    def to_internal_value(self, data):
        """Multipart sends a custom field as custom_fields.<key> (the DictField reads those): not an unknown field."""
        if hasattr(data, "getlist"):
            unknown = {key: [_("Unknown field.")] for key in data.keys()
                       if key not in self.fields and not key.startswith("custom_fields.")}
            if unknown:
                raise serializers.ValidationError(unknown)
            return super(StrictInputSerializer, self).to_internal_value(data)
        return super().to_internal_value(data)


class TicketUpdateInputSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=SETTABLE_STATUSES, required=False)
    priority = serializers.ChoiceField(choices=Priority.values, required=False)
    assignee = serializers.EmailField(required=False, allow_null=True)
    team = serializers.SlugField(required=False, allow_null=True)
    category = serializers.SlugField(required=False, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=50)
    custom_fields = serializers.DictField(
        required=False, help_text="agents: custom field values to change, by key; null or \"\" empties a field")


class MessageCreateInputSerializer(StrictInputSerializer):
    body = serializers.CharField(max_length=50_000)
    internal = serializers.BooleanField(required=False, default=False)
    status = serializers.ChoiceField(choices=SETTABLE_STATUSES, required=False)
    macro = serializers.IntegerField(required=False, min_value=1)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, max_length=50)
    seen = serializers.IntegerField(
        required=False, min_value=0,
        help_text="agents: the id of the last public message shown when the reply was written (0: none). A public "
                  "reply is then refused with 409 replied_meanwhile if someone else wrote after it; leave it out to "
                  "send anyway")


class MergeInputSerializer(StrictInputSerializer):
    into = serializers.CharField(max_length=30)


class BulkInputSerializer(StrictInputSerializer):
    refs = serializers.ListField(child=serializers.CharField(max_length=30), min_length=1, max_length=100)
    status = serializers.ChoiceField(choices=SETTABLE_STATUSES, required=False)
    assignee = serializers.EmailField(required=False, allow_null=True)
    add_tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=20)


class ClaimInputSerializer(StrictInputSerializer):
    token = serializers.CharField(max_length=500)


class ClaimOutputSerializer(serializers.Serializer):
    ref = serializers.CharField()
    identity = serializers.ChoiceField(choices=Identity.choices)
    visible_to_account = serializers.BooleanField(
        source="requester_proven", help_text="whether the account holding the address sees the request now (false "
                                             "until that account has proven its address, e.g. by setting a password "
                                             "through the emailed reset link)")


class PersonSerializer(serializers.Serializer):
    name = serializers.CharField(source="display_name")


# Fields only agents receive are documented as optional (required=False: output only), since one schema
# describes what each audience gets (ticket_output, message_output).
AGENTS_ONLY = "agents only"


class AgentPersonSerializer(PersonSerializer):
    email = serializers.EmailField(required=False, help_text=AGENTS_ONLY)


class CategorySerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class TicketOutputSerializer(serializers.Serializer):
    """What a customer sees of a ticket."""

    ref = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    language = serializers.CharField()
    channel = serializers.CharField()
    category = CategorySerializer(allow_null=True)
    requester = PersonSerializer()
    assignee = PersonSerializer(allow_null=True)
    merged_into = serializers.SerializerMethodField()
    follow_up_of = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    solved_at = serializers.DateTimeField(allow_null=True)
    custom_fields = serializers.SerializerMethodField(
        help_text="custom field values by key (customers: the fields they fill in); an empty field is absent")

    def to_representation(self, ticket):
        """The declared fields' output, built by hand: DRF's generic walk over the fields was most of a list
        request's serialising time (tests/tickets/test_output.py holds it equal to DRF's, field by field)."""
        category, assignee = ticket.category, ticket.assignee
        return {
            "ref": ticket.ref, "subject": str(ticket.subject), "status": str(ticket.status),
            "priority": str(ticket.priority), "language": str(ticket.language), "channel": str(ticket.channel),
            "category": None if category is None else {"slug": str(category.slug), "name": str(category.name)},
            "requester": self.person(ticket.requester),
            "assignee": None if assignee is None else self.person(assignee),
            "merged_into": self.get_merged_into(ticket), "follow_up_of": self.get_follow_up_of(ticket),
            "created_at": _when(ticket.created_at), "updated_at": _when(ticket.updated_at),
            "solved_at": _when(ticket.solved_at), "custom_fields": self.custom_fields_shown(ticket),
        }

    @staticmethod
    def person(user):
        return {"name": str(user.display_name)}

    def custom_fields_shown(self, ticket):
        return self.get_custom_fields(ticket)

    def get_custom_fields(self, ticket) -> dict:
        if "customer_field_keys" not in self.context:  # once per list: the context is the list's
            self.context["customer_field_keys"] = customer_field_keys()
        keys = self.context["customer_field_keys"]
        return {key: value for key, value in (ticket.custom_fields or {}).items() if key in keys}

    def get_merged_into(self, ticket) -> str | None:
        return f"T-{ticket.merged_into.number}" if ticket.merged_into_id else None

    def get_follow_up_of(self, ticket) -> str | None:
        return f"T-{ticket.follow_up_of.number}" if ticket.follow_up_of_id else None


class SlaTimerOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SlaTimer.Kind.choices)
    state = serializers.SerializerMethodField()
    target_minutes = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True, help_text="null while paused")
    breached_at = serializers.DateTimeField(allow_null=True)
    fulfilled_at = serializers.DateTimeField(allow_null=True)

    def get_state(self, timer) -> str:
        """running, paused, met, missed, breached or cancelled"""
        return timer_state(timer)


class NextDueField(serializers.DateTimeField):
    """The soonest due time of a running SLA timer: the list's annotation, or worked out from the timers. An output
    field that is not read-only, so the schema lists it as optional: customers' tickets do not carry it."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, allow_null=True, **kwargs)

    def to_representation(self, ticket):
        due = _next_due(ticket)
        return None if due is None else super().to_representation(due)


def _next_due(ticket):
    if hasattr(ticket, "next_due"):
        return ticket.next_due
    return min((t.due_at for t in ticket.sla_timers.all() if timer_state(t) == "running" and t.due_at), default=None)


_DATETIME = serializers.DateTimeField()  # DRF's rendering of a time (the current time zone, ISO 8601, "Z")


def _when(value):
    return None if value is None else _DATETIME.to_representation(value)


def _timer(timer):
    return {"kind": str(timer.kind), "state": timer_state(timer), "target_minutes": int(timer.target_minutes),
            "started_at": _when(timer.started_at), "due_at": _when(timer.due_at),
            "breached_at": _when(timer.breached_at), "fulfilled_at": _when(timer.fulfilled_at)}


class OrganisationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AgentTicketOutputSerializer(TicketOutputSerializer):
    """What an agent sees: also tags, team, contact details and whether the customer waits for us."""

    requester = AgentPersonSerializer()
    requester_organisation = OrganisationOutputSerializer(
        source="requester.organisation", allow_null=True, required=False,
        help_text=f"{AGENTS_ONLY}: the institutional client the requester belongs to (by an address they have "
                  "verified, or as an admin set it); null for none")
    assignee = AgentPersonSerializer(allow_null=True)
    custom_fields = serializers.DictField(help_text="custom field values by key; an empty field is absent")
    tags = serializers.ListField(child=serializers.CharField(), required=False, help_text=AGENTS_ONLY)
    team = serializers.CharField(source="team.slug", allow_null=True, required=False,
                                 help_text=f"{AGENTS_ONLY}: the team's slug")
    awaiting_agent = serializers.BooleanField(required=False, help_text=f"{AGENTS_ONLY}: the customer wrote last")
    next_due_at = NextDueField(help_text=f"{AGENTS_ONLY}: the soonest due time of a running SLA timer (null: none runs)")
    sla = SlaTimerOutputSerializer(source="sla_timers", many=True, required=False,
                                   help_text=f"{AGENTS_ONLY}: the ticket's SLA timers, oldest first")
    identity = serializers.ChoiceField(
        choices=Identity.choices, required=False,
        help_text=f"{AGENTS_ONLY}: how the requester was known when it was filed: account (signed in), address (an "
                  "email address only: a mail's From, or a typed address its owner confirmed), typed (a chat "
                  "visitor typed the address; nobody has proven it)")
    requester_proven = serializers.BooleanField(
        required=False, help_text=f"{AGENTS_ONLY}: false when nothing proves the requester is the account holder: "
                                  "do not act on account changes (withdrawal address, 2FA) asked in it")

    def to_representation(self, ticket):
        shown = super().to_representation(ticket)
        organisation, team = ticket.requester.organisation, ticket.team
        shown.update({
            "requester_organisation": None if organisation is None else {"id": int(organisation.id),
                                                                         "name": str(organisation.name)},
            "tags": [str(tag) for tag in ticket.tags], "team": None if team is None else str(team.slug),
            "awaiting_agent": bool(ticket.awaiting_agent), "next_due_at": _when(_next_due(ticket)),
            "sla": [_timer(timer) for timer in ticket.sla_timers.all()], "identity": str(ticket.identity),
            "requester_proven": bool(ticket.requester_proven),
        })
        return shown

    @staticmethod
    def person(user):
        return {"name": str(user.display_name), "email": str(user.email)}

    def custom_fields_shown(self, ticket):
        fields = ticket.custom_fields  # every value (DictField), not only the customers' fields
        return None if fields is None else {str(key): value for key, value in fields.items()}


class BulkOutputSerializer(serializers.Serializer):
    changed = serializers.IntegerField()


def ticket_output(ticket, user):
    if not is_agent(user):
        return TicketOutputSerializer(ticket).data
    prefetch_related_objects([ticket], sla_timers_prefetch())  # read once for two fields (none if already read)
    return AgentTicketOutputSerializer(ticket).data


def tickets_output(tickets, user):
    """A page of tickets through one list serializer: its fields are built once, not once per ticket (building
    them was most of the list's time, measured by bench/tickets_api.py)."""
    serializer = AgentTicketOutputSerializer if is_agent(user) else TicketOutputSerializer
    return serializer(tickets, many=True).data


class AttachmentOutputSerializer(ScannedImageOutputSerializer):
    id = serializers.UUIDField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    kind = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return reverse("api-attachment", args=[attachment.id])

    def get_thumbnail_url(self, attachment) -> str | None:
        return reverse("api-attachment-thumbnail", args=[attachment.id]) if attachment.thumbnail else None


class MessageOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    author_role = serializers.SerializerMethodField()
    body = serializers.CharField()
    body_html = serializers.CharField()
    channel = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentOutputSerializer(many=True)

    def get_author(self, message) -> str:
        return message.author.display_name if message.author else "System"

    def get_author_role(self, message) -> str:
        if message.author_id is None:
            return "system"
        return "customer" if message.author_id == message.ticket.requester_id else "agent"


class AgentMessageOutputSerializer(MessageOutputSerializer):
    internal = serializers.BooleanField(source="is_internal", required=False, help_text=AGENTS_ONLY)


def message_output(messages, user, *, many=True):
    serializer = AgentMessageOutputSerializer if is_agent(user) else MessageOutputSerializer
    return serializer(messages, many=many).data


class TicketFieldOptionOutputSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class TicketFieldOutputSerializer(serializers.Serializer):
    """A custom field's definition, labelled in the request's language."""

    key = serializers.CharField()
    type = serializers.CharField(help_text="text, number, decimal, dropdown, multiselect, checkbox, date, regex")
    label = serializers.CharField()
    help_text = serializers.CharField()
    categories = serializers.SerializerMethodField()
    customer_visible = serializers.BooleanField(required=False, help_text=AGENTS_ONLY)
    required_for_customer = serializers.BooleanField()
    required_to_solve = serializers.BooleanField()
    options = TicketFieldOptionOutputSerializer(many=True, source="option_list")
    pattern = serializers.CharField(help_text="regex: the pattern the whole value matches (empty: none)")
    pattern_by = serializers.CharField(help_text="regex: the dropdown field whose choice picks the pattern")
    patterns = serializers.DictField(child=serializers.CharField(), help_text="regex: {option value: pattern}")

    def get_categories(self, field) -> list[str]:
        """the slugs of the categories whose tickets carry it; empty: all"""
        return sorted(category.slug for category in field.categories.all())


def ticket_fields_output(fields, user):
    data = TicketFieldOutputSerializer(fields, many=True).data
    if not is_agent(user):
        for item in data:
            item.pop("customer_visible")
    return data


class MacroOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    body = serializers.CharField()
    set_status = serializers.CharField()
    add_tags = serializers.ListField(child=serializers.CharField())


class SavedViewCreateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=60)
    shared = serializers.BooleanField(required=False, default=False, help_text="supervisors only")
    filters = serializers.DictField(
        required=False, default=dict,
        help_text="the inbox's filters: view, status, priority, channel (lists), category, language, tag, assignee, "
                  "q, sort, field.<key> (a custom field's value); checked like GET /api/v1/tickets/ checks them")


class SavedViewUpdateInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=60, required=False)
    shared = serializers.BooleanField(required=False, help_text="supervisors only")
    filters = serializers.DictField(required=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=32767)


class InboxViewOutputSerializer(serializers.Serializer):
    """A view of the inbox, built in or saved, with its number of tickets for the agent asking."""

    id = serializers.IntegerField(allow_null=True, help_text="a saved view's id; null for a built-in view")
    builtin = serializers.CharField(allow_null=True, help_text="a built-in view's key (mine, unassigned, ...)")
    kind = serializers.ChoiceField(choices=["builtin", "personal", "shared"])
    name = serializers.CharField()
    filters = serializers.DictField(help_text="canonical: the defaults view=open and sort=due filled in")
    count = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    owner = AgentPersonSerializer(allow_null=True)
    editable = serializers.BooleanField(help_text="whether the agent asking may rename, change or delete it")

    def get_url(self, view) -> str:
        return f"{reverse('tickets:inbox')}?{view.query}"
