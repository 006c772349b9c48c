"""The exchange-profile panel's texts and addresses for static/desk/js/profile_panel.js, as one JSON blob
(templates/desk/_profile_panel.html): the console, the agent's ticket page and the customer page load the same
script, which fetches the profile after the page has rendered."""
import uuid

from django import template
from django.urls import reverse
from django.utils.html import json_script
from django.utils.translation import gettext as _

register = template.Library()
ANY_CHAT = uuid.UUID(int=0)


def panel_strings():
    """Everything the panel says beside the labels the API sends (KYC, VIP, flags, statuses come translated)."""
    return {
        "title": _("Exchange account"),
        "loading": _("Loading the exchange account…"),
        "unavailable": _("The exchange account is unavailable right now."),
        "retry": _("Try again"),
        "not_linked": _("Not linked to an exchange account: the customer has not signed in from the exchange, nor "
                        "proven their email address."),
        "not_found": _("The exchange has no account for this customer."),
        "uid": _("UID {uid}"),
        "by_email": _("found by the customer's verified email address"),
        "kyc": _("KYC level {level}"),
        "boost": _("Served up to {minutes} min sooner in the chat queue"),
        "risk": _("Risk flags"),
        "no_risk": _("No risk flags"),
        "unknown": _("unknown code"),
        "transfers": _("Recent deposits and withdrawals"),
        "no_transfers": _("No recent deposits or withdrawals."),
        "col_type": _("Type"), "col_amount": _("Amount"), "col_network": _("Network"),
        "col_tx": _("Transaction"), "col_status": _("Status"), "col_time": _("Time"),
        "copy": _("Copy"), "copied": _("Copied"), "copy_hash": _("Copy the transaction hash"),
        "explorer": _("Open in a block explorer"), "no_hash": _("not broadcast yet"),
    }


@register.simple_tag
def profile_panel_data():
    """<script type="application/json" id="profile-panel-data">: the texts, and the chat profile API's address
    with a placeholder id the script replaces."""
    return json_script({
        "strings": panel_strings(),
        "chat_url": reverse("api-agent-chat-profile", args=[ANY_CHAT]),
        "any_chat": str(ANY_CHAT),
    }, "profile-panel-data")
