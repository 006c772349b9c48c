"""The chat transcript by email, in the chat's language, only to the chat's own customer address."""
from datetime import timezone as dt_timezone

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from support.outbox import outbound_email_queue

from .models import SenderKind
from .selectors import agent_display_name
from .tokens import transcript_token

SYSTEM_LINES = {
    "closed_by_customer": lambda: _("You ended the chat."),
    "closed_by_agent": lambda: _("The agent ended the chat."),
    "closed_by_system": lambda: _("The chat was closed after a period without messages."),
    "transferred_to_agent": lambda: _("You have been transferred to another agent."),
    "transferred_to_queue": lambda: _("You have been transferred; you keep your place in line."),
    "agent_left": lambda: _("The agent was disconnected. You are back at the front of the line."),
}


def transcript_lines(conversation):
    """The chat as people read it, in the active language: time (UTC), who, what. Agents by display name only."""
    lines = []
    for message in conversation.messages.select_related("sender").order_by("seq"):
        original = ""
        if message.sender_kind == SenderKind.SYSTEM:
            who, body = "—", SYSTEM_LINES.get(message.body, lambda: message.body)()
        elif message.sender_kind == SenderKind.AGENT:
            who = agent_display_name(message.sender) if message.sender else _("Agent")
            body = message.body
            translation = (message.meta or {}).get("translation") or {}
            if translation.get("state") == "ok" and translation.get("language") == conversation.language:
                # What the customer read, with what the agent wrote (machine translation, issue #25).
                body, original = translation["text"], message.body
        elif message.sender_kind == SenderKind.BOT:
            who, body = _("Assistant"), message.body
        else:
            who, body = _("You"), message.body
        lines.append({"time": message.created_at.astimezone(dt_timezone.utc).strftime("%H:%M"),
                      "who": who, "body": body, "original": original})
    return lines


def email_transcript(*, conversation):
    """Queue the transcript email (the outbox delivers it after commit). To an address nobody has proven (a chat
    visitor's typed address, or an account that has not confirmed its own) the mail is our fixed text and a signed
    link to read the transcript: whoever typed that address wrote the chat, and the desk must not carry their words
    from its own address to someone else's mailbox."""
    customer = conversation.customer
    to_email = customer.email if customer else conversation.visitor_email
    proven = customer is not None and customer.email_verified
    with translation.override(conversation.language):
        context = {"conversation": conversation, "name": conversation.customer_name if proven else to_email,
                   "language": conversation.language, "site_name": settings.SITE_NAME, "proven": proven}
        if proven:
            context["lines"] = transcript_lines(conversation)
        else:
            context["link"] = (f"{settings.SITE_URL}/{conversation.language}/chat/transcript/"
                               f"{transcript_token(conversation.id, to_email)}/")
            context["days"] = settings.LIVECHAT_TRANSCRIPT_LINK_DAYS
        subject = _("Your chat with %(site)s") % {"site": settings.SITE_NAME}
        body_text = render_to_string("email/livechat/transcript.txt", context)
        body_html = render_to_string("email/livechat/transcript.html", context)
    return outbound_email_queue(to_email=to_email, user=customer, subject=subject, body_text=body_text,
                                body_html=body_html, auto_generated=True, topic=f"chat:{conversation.id}")
