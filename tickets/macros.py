"""Placeholders in macros and canned replies: {{customer_name}}, {{ticket_ref}}, {{agent_name}}, {{agent_code}}.
Filled where the text is offered (the ticket page, the chat console) with the values of that ticket or chat, so
what the agent sees in the composer is what the customer will read. An unknown placeholder is refused when the
macro is saved, in every language's text."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PLACEHOLDERS = ("customer_name", "ticket_ref", "agent_name", "agent_code")
_PATTERN = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def macro_placeholders_check(text):
    """ValidationError naming the unknown placeholders of `text` (a typo would reach the customer as is)."""
    unknown = sorted({name for name in _PATTERN.findall(text or "") if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(names)s. Use %(known)s."),
            params={"names": ", ".join("{{%s}}" % name for name in unknown),
                    "known": ", ".join("{{%s}}" % name for name in PLACEHOLDERS)},
            code="unknown_placeholder")


def macro_fill(text, values):
    """`text` with its placeholders replaced by `values` (a missing value leaves nothing, never the braces)."""
    return _PATTERN.sub(lambda match: str(values.get(match.group(1), "") or "")
                        if match.group(1) in PLACEHOLDERS else match.group(0), text or "")

