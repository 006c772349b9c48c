"""Custom ticket fields: typed values a ticket carries beside its own columns (the network and transaction hash of
a deposit, an amount, the customer's UID), defined by admins with labels in six languages. A ticket keeps its values
in `Ticket.custom_fields` ({key: value}); services.fields cleans them, whatever the channel."""
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_RE = r"^[a-z][a-z0-9_]{0,39}$"
OPTION_RE = r"^[\w.\-]{1,60}$"


class FieldType(models.TextChoices):
    """What a field holds, and so how its value is stored in Ticket.custom_fields."""

    TEXT = "text", _("Text")
    NUMBER = "number", _("Whole number")
    DECIMAL = "decimal", _("Decimal amount")
    DROPDOWN = "dropdown", _("Dropdown")
    MULTISELECT = "multiselect", _("Multi-select")
    CHECKBOX = "checkbox", _("Checkbox")
    DATE = "date", _("Date")
    REGEX = "regex", _("Text checked by a pattern")


class TicketField(models.Model):
    """A field tickets of some categories carry. Stored values (Ticket.custom_fields[key]): text, regex and a
    dropdown's option as a string; a whole number as an integer; a decimal as a string in plain notation ("0.5");
    a date as "YYYY-MM-DD"; a multi-select as a list of option values; a ticked checkbox as true (unticked: absent).
    An empty value is absent. What a definition may be (patterns that compile, options of an existing dropdown, a
    key fixed once tickets carry it) is checked by services.field_admin, for the supervisors' pages and the admin."""

    key = models.CharField(_("key"), max_length=40, unique=True, validators=[RegexValidator(KEY_RE)],
                           help_text=_("Lower-case letters, digits and _; used in the API, filters and triggers. "
                                       "Do not change it once tickets carry the field."))
    type = models.CharField(_("type"), max_length=12, choices=FieldType.choices, default=FieldType.TEXT)
    label = models.CharField(_("label"), max_length=100)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    categories = models.ManyToManyField("tickets.Category", blank=True, related_name="ticket_fields",
                                        verbose_name=_("categories"),
                                        help_text=_("Tickets of these categories carry the field; none: all tickets."))
    customer_visible = models.BooleanField(_("customers fill it in"), default=True,
                                           help_text=_("Shown in the request form and the customer's API; "
                                                       "otherwise only agents see and set it."))
    required_for_customer = models.BooleanField(_("required in the request form"), default=False)
    required_to_solve = models.BooleanField(_("required to solve"), default=False,
                                            help_text=_("Agents cannot solve a ticket while it is empty."))
    pattern = models.CharField(_("pattern"), max_length=300, blank=True,
                               help_text=_("For “Text checked by a pattern”: a Python regular expression the whole "
                                           "value must match, e.g. [0-9]{6,12}."))
    pattern_by = models.CharField(_("pattern depends on"), max_length=40, blank=True,
                                  help_text=_("The key of a dropdown field whose choice picks the pattern, e.g. "
                                              "network."))
    patterns = models.JSONField(_("patterns per option"), default=dict, blank=True,
                                help_text=_('{"option value": "pattern"}, e.g. {"TRC20": "[0-9a-fA-F]{64}"}; an '
                                            'option without one uses the pattern above.'))
    invalid_message = models.CharField(
        _("message when the pattern does not match"), max_length=200, blank=True,
        help_text=_("{option} stands for the chosen option, e.g. “This transaction hash does not look like a "
                    "{option} hash.”"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ticket field")
        verbose_name_plural = _("ticket fields")
        ordering = ["position", "key"]
        constraints = [models.CheckConstraint(condition=models.Q(type__in=FieldType.values),
                                              name="ticketfield_type_valid")]

    def __str__(self):
        return self.label

    def applies_to(self, category):
        """Whether tickets of this category (None: no category) carry the field (categories prefetched)."""
        ids = {c.pk for c in self.categories.all()}
        return not ids or (category is not None and category.pk in ids)

    def option_list(self):
        """The options in order (prefetched by custom_fields.ticket_fields_active)."""
        return list(self.options.all())

    def option_label(self, value):
        return next((o.label for o in self.options.all() if o.value == value), value)


class TicketFieldOption(models.Model):
    """A choice of a dropdown or multi-select field: a stable value (stored on tickets, used by filters, triggers
    and patterns) and a label in six languages."""

    field = models.ForeignKey(TicketField, on_delete=models.CASCADE, related_name="options",
                              verbose_name=_("field"))
    value = models.CharField(_("value"), max_length=60, validators=[RegexValidator(OPTION_RE)],
                             help_text=_("Stored on tickets; letters, digits, - _ . only, e.g. TRC20."))
    label = models.CharField(_("label"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["field", "value"], name="ticketfieldoption_value_unique")]

    def __str__(self):
        return self.label
