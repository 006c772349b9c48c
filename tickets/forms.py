"""HTML forms for tickets. They parse and validate input; the services apply the rules."""
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from support.models import Team
from support.uploads import ALLOWED_EXTENSIONS

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
