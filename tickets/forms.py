"""HTML forms for tickets. They parse and validate input; the services apply the rules."""
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from support.models import Team
from support.uploads import ALLOWED_EXTENSIONS

from .custom_fields import FORM_PREFIX, form_field, form_initial, ticket_fields_active, value_display
from .models import Category, Macro, Priority, Status
from .selectors import agent_list, parse_ref


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs["accept"] = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def attachments_help():
    return _("Screenshots, recordings or documents (%(types)s), up to %(size)s MB each.") % {
        "types": ", ".join(ALLOWED_EXTENSIONS), "size": settings.TICKET_ATTACHMENT_MAX_BYTES // 1_048_576}


class TicketForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    category = forms.ModelChoiceField(label=_("What is it about?"), queryset=Category.objects.none(),
                                      to_field_name="slug", required=False, empty_label=_("Choose a topic"))
    body = forms.CharField(label=_("Description"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Tell us what happened, what you expected and any order or transaction ID. "
                                       "Never share your password, 2FA codes or recovery phrase."))
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("position", "slug")
        self.fields["attachments"].help_text = attachments_help()
        # Every category's fields, after the category (static/tickets/js/custom_fields.js shows the chosen one's).
        self.ticket_fields = [field for field in ticket_fields_active() if field.customer_visible]
        fields, self.fields = self.fields, {}
        for name, field in fields.items():
            self.fields[name] = field
            if name == "category":
                self.fields.update({FORM_PREFIX + f.key: form_field(f, in_request_form=True)
                                    for f in self.ticket_fields})

    def custom_values(self):
        """The custom field values sent for the chosen category (others' inputs, shown without JavaScript, are
        left out), for services.ticket_create to check."""
        category = self.cleaned_data.get("category")
        return {f.key: self.cleaned_data.get(FORM_PREFIX + f.key) for f in self.ticket_fields
                if f.applies_to(category)}

    def add_field_errors(self, exc):
        """services.FieldErrors beside the inputs they are about."""
        for key, (_code, message) in exc.errors.items():
            name = FORM_PREFIX + key
            self.add_error(name if name in self.fields else None, message)


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class AgentReplyForm(ReplyForm):
    internal = forms.BooleanField(label=_("Internal note (only agents see it)"), required=False)
    status = forms.ChoiceField(label=_("Submit as"), required=False)
    macro = forms.ModelChoiceField(label=_("Macro"), queryset=Macro.objects.none(), required=False,
                                   empty_label=_("No macro"))
    # Collision detection: the last public message on the agent's screen (a hidden field the page renders), and
    # "send anyway" after the warning that someone wrote meanwhile (services.collision).
    seen = forms.CharField(required=False, widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].label = _("Reply")
        self.fields["status"].choices = [("", _("Keep the status"))] + [
            (value, label) for value, label in Status.choices if value not in (Status.NEW, Status.CLOSED)]
        self.fields["macro"].queryset = Macro.objects.filter(is_active=True).order_by("position", "id")

    def clean_seen(self):
        """A message id, or None (a page from before this field, or a mangled value): then nothing is checked."""
        value = self.cleaned_data["seen"].strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


class TicketPropertiesForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=agent_list(), required=False,
                                      empty_label=_("Unassigned"))
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.all(), required=False,
                                  empty_label=_("No team"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all(), required=False,
                                      empty_label=_("No category"))
    tags = forms.CharField(label=_("Tags"), required=False, max_length=1000,
                           help_text=_("Separate tags with commas or spaces."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(v, label) for v, label in Status.choices if v != Status.NEW]
        self.fields["assignee"].queryset = agent_list()
        self.fields["assignee"].label_from_instance = lambda user: user.display_name


class TicketFieldsForm(forms.Form):
    """The agent's card of a ticket's custom fields: those of its category, and any others it has values for."""

    def __init__(self, *args, ticket, fields=None, **kwargs):
        fields = ticket_fields_active() if fields is None else fields
        self.ticket, values = ticket, ticket.custom_fields or {}
        self.ticket_fields = [f for f in fields if f.applies_to(ticket.category) or f.key in values]
        kwargs["initial"] = {FORM_PREFIX + f.key: form_initial(f, values.get(f.key)) for f in self.ticket_fields}
        super().__init__(*args, **kwargs)
        for f in self.ticket_fields:
            self.fields[FORM_PREFIX + f.key] = form_field(f)

    def rows(self):
        """Per field, for the card: its input, its definition and its value as people read it."""
        values = self.ticket.custom_fields or {}
        return [{"input": self[FORM_PREFIX + f.key], "field": f, "value": value_display(f, values.get(f.key))}
                for f in self.ticket_fields]

    def changes(self):
        """{key: value} of the inputs the agent changed, for services.ticket_update(custom_fields=...)."""
        return {name.removeprefix(FORM_PREFIX): self.cleaned_data[name] for name in self.changed_data}


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Merge into ticket"), max_length=30,
                           widget=forms.TextInput(attrs={"placeholder": "T-10001"}))

    def clean_into(self):
        number = parse_ref(self.cleaned_data["into"])
        if number is None:
            raise forms.ValidationError(_("Enter a ticket reference like T-10001."))
        return number


class BulkForm(forms.Form):
    ACTIONS = [("assign_me", _("Assign to me")), ("assign", _("Assign to")), ("unassign", _("Unassign")),
               ("status", _("Set status")), ("tag", _("Add tag"))]
    action = forms.ChoiceField(choices=ACTIONS)
    status = forms.ChoiceField(required=False)
    assignee = forms.ModelChoiceField(queryset=agent_list(), required=False)
    tag = forms.CharField(required=False, max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "")] + [(v, l) for v, l in Status.choices if v != Status.NEW]
        self.fields["assignee"].queryset = agent_list()

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "status" and not cleaned.get("status"):
            self.add_error("status", _("Choose a status."))
        if action == "assign" and not cleaned.get("assignee"):
            self.add_error("assignee", _("Choose an agent."))
        if action == "tag" and not (cleaned.get("tag") or "").strip():
            self.add_error("tag", _("Enter a tag."))
        return cleaned
