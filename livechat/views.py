"""Chat pages: the customer's chat (pre-chat form, then the live panel) and the agent console. Both are thin: the
live parts speak the websocket contract of docs/api.md from static/livechat/js/."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt

from support.audit import audit_read
from support.filescan import (
    PROBLEMS,
    AttachmentWithheld,
    original_response,
    scanned_file_response,
    withheld_page,
)
from support.languages import LANGUAGE_CODES, language_choices
from support.models import AuditEvent, Presence, User
from support.notifications import render_body, render_title
from support.permissions import agent_required
from support.secretscan import KIND_LABELS
from support.selectors import notification_list_for_user
from support.shortcuts import shortcut_config

from . import selectors
from .emails import transcript_lines
from .models import ChatAttachment


def _strings():
    """What the scripts say, in the page's language (system message codes included)."""
    return {
        "position": _("You are number {position} in line."),
        "eta": _("Estimated wait: about {low}–{high} minutes."),
        "eta_soon": _("An agent should be with you in about a minute."),
        "guess": _("(a rough guess: no recent chats to measure from)"),
        "no_agents": _("No agent for your language is online right now. You can leave a message and we will "
                       "answer by email, or keep waiting."),
        "assigned": _("{agent} has joined the chat."),
        "agent_code": _("{agent}'s verification code: {code}."),
        "typing": _("{who} is typing…"),
        "agent": _("Agent"), "you": _("You"), "bot": _("Assistant"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "connected": _("Connected."),
        "closed_by_customer": _("You ended the chat."),
        "closed_by_agent": _("The agent ended the chat."),
        "closed_by_system": _("The chat was closed after a period without messages."),
        "transferred_to_agent": _("You have been transferred to another agent."),
        "transferred_to_queue": _("You have been transferred; you keep your place in line."),
        "agent_left": _("The agent was disconnected. You are back at the front of the line."),
        "secret_hidden": _("For your safety we hid a secret in your message (a recovery phrase, key or code). Our "
                           "staff will never ask for it. If you have shared it anywhere, move your funds to a new "
                           "wallet now."),
        "secret_flag": _("Secret detected and hidden: {kinds}. Advise the customer to move their funds."),
        "secret_kinds": {kind: str(label) for kind, label in KIND_LABELS.items()},
        "scan_pending": _("Checking this picture for secrets…"),
        "scan_failed": _("This picture could not be checked for secrets."),
        "scan_pending_file": _("Checking this file for secrets…"),
        "scan_problems": {code: str(notice) for code, notice in PROBLEMS.items()},
        "withheld": _("File withheld: it is not shown to anyone."),
        "original": _("Original (admins only)"),
        "left_message": _("Thank you. Your message is request {ticket}; we will answer by email."),
        "rated": _("Thank you for your rating."),
        "transcript_sent": _("We are emailing you the transcript."),
        "with_bot": _("You are chatting with our assistant. Type \"agent\" at any time to talk to a person."),
        "yes": _("Yes"), "no": _("No"),
        "card": _("Handed over by the assistant"),
        "card_reason": _("Why: {reason}"), "card_asked": _("Asked:"), "card_offered": _("Offered:"),
        "helped": _("helped"), "did_not_help": _("did not help"), "no_answer": _("no answer"),
        "reason_requested": _("asked for a person"), "reason_human_only": _("a topic for people: {topic}"),
        "reason_negative": _("the customer was frustrated"), "reason_low_confidence": _("no good answer found"),
        "reason_unhelpful": _("answers did not help"),
        "sending": _("Sending…"),
        "error": _("Something went wrong: {detail}"),
        "customer": _("Customer"), "waiting": _("waiting"), "longest": _("longest wait {minutes} min"),
        "take": _("Take"), "no_chats": _("No active chats. Chats are assigned to you when you are online."),
        "send": _("Send"), "close": _("End chat"), "transfer": _("Transfer"), "to_ticket": _("Convert to ticket"),
        "canned": _("Canned reply"), "recent_tickets": _("Recent requests"), "none": _("None"),
        "exchange_uid": _("Verified by the exchange · user ID {uid}"),
        "unproven_email": _("Email not proven: typed by the visitor"),
        "your_code": _("Your code in this chat: {code}. Tell it to the customer if they ask you to prove you are "
                       "from our team."),
        "overflowed": _("from another language's queue (overflow)"),
        "incident": _("Incident: {title}"),
        "transfer_prompt": _("Transfer to a language code (en, zh-hans, es, ru, ja, ko) or an agent's email:"),
    }


def _widget_identity(request):
    """The exchange's signed identity the widget put in the chat page's address (widget.js), passed on as it came:
    the API checks it when the chat starts (livechat/identity.py). None without one."""
    names = {"uid": "uid", "uemail": "email", "uname": "name", "uts": "ts", "usig": "signature"}
    values = {field: request.GET.get(param, "")[:200] for param, field in names.items()}
    if not (values["uid"] and values["email"] and values["signature"] and values["ts"].isdigit()):
        return None
    return {**values, "ts": int(values["ts"])}


@xframe_options_exempt  # the embeddable launcher opens this page in a frame; frame-ancestors below limits who
def chat_page(request):
    languages = language_choices()
    response = render(request, "livechat/chat.html", {
        "languages": languages, "strings": _strings(), "embedded": request.GET.get("embed") == "1",
        "max_chars": settings.LIVECHAT_MESSAGE_MAX_CHARS, "widget_identity": _widget_identity(request)})
    response.csp_frame_ancestors = settings.LIVECHAT_EMBED_ORIGINS  # see support.middleware.SecurityHeadersMiddleware
    return response


@agent_required
def console(request):
    return render(request, "livechat/console.html", {
        "strings": _strings(), "presences": Presence.choices, "languages": LANGUAGE_CODES,
        "max_chars": settings.LIVECHAT_MESSAGE_MAX_CHARS, "shortcuts": shortcut_config()})


def _workspace_strings():
    """What the workspace script says, beside the console's texts (queues, chats, errors)."""
    return {
        **_strings(),
        "unread": _("{count} unread"), "open": _("Open"),
        "due_in": _("due in {minutes} min"), "overdue": _("overdue by {minutes} min"), "no_due": _("no SLA timer"),
        "no_tickets": _("Nothing here."), "notifications": _("Notifications"),
        "desktop_on": _("Desktop notifications are on"), "desktop_enable": _("Turn on desktop notifications"),
        "desktop_denied": _("Desktop notifications are blocked in this browser's site settings."),
        "picking": _("Taking the longest-waiting chat…"), "nothing_waiting": _("No chat is waiting."),
    }


@agent_required
def workspace(request):
    """The agent's home: presence, own chats with unread counts, queues, tickets needing them, search and
    notifications, kept live by static/livechat/js/workspace.js over the agent socket."""
    recent = notification_list_for_user(user=request.user, unread_only=True)[:5]
    return render(request, "livechat/workspace.html", {
        "notifications": [{"title": render_title(n), "body": render_body(n), "url": n.url} for n in recent],
        "strings": _workspace_strings(), "presences": Presence.choices, "shortcuts": shortcut_config(),
        "ticket_url": reverse("tickets:agent_detail", args=["T-0"]), "console_url": reverse("livechat:console")})


@agent_required
def workspace_search(request):
    """The search box: straight to the object when exactly one thing matches, else the list."""
    q = request.GET.get("q", "").strip()[:200]
    if not q:
        return redirect("agent:home")
    found = selectors.workspace_search(user=request.user, q=q)
    if found["jump"]:
        return redirect(found["jump"])
    return render(request, "livechat/workspace_search.html", {**found, "shortcuts": shortcut_config()})


def attachment_download(request, attachment_id):
    """A chat file, for the chat's customer (session, or ?token= for visitors) and agents; 404 for anyone else."""
    try:
        attachment = selectors.attachment_get_for_viewer(attachment_id=attachment_id, user=request.user,
                                                         token=request.GET.get("token"))
    except (ChatAttachment.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    audit_read(request, action=AuditEvent.Action.ATTACHMENT_VIEW, object_type="chat_attachment",
               object_id=attachment.pk, customer=attachment.message.conversation.customer_id)
    try:
        return scanned_file_response(attachment)
    except AttachmentWithheld as exc:  # a secret in a PDF or ZIP: 403 with the reason
        return withheld_page(request, exc)


def attachment_original(request, attachment_id):
    """The file as sent, where a secret was found and blurred, masked or withheld (kept by policy): desk admins
    only, 404 for anyone else."""
    try:
        attachment = selectors.attachment_original_for_user(user=request.user, attachment_id=attachment_id)
    except ChatAttachment.DoesNotExist as exc:
        raise Http404 from exc
    return original_response(attachment)


@agent_required
def customer_detail(request, customer_id):
    """One page per customer: profile, language, every ticket and chat, satisfaction history."""
    try:
        overview = selectors.customer_overview(customer_id=customer_id)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    audit_read(request, action=AuditEvent.Action.CUSTOMER_VIEW, object_type="customer", object_id=customer_id,
               customer=customer_id)
    return render(request, "livechat/customer.html", overview)


def transcript_page(request, token):
    """The transcript a link mailed to an unproven address opens (emails.email_transcript): no login, the signed
    link is the permission."""
    chat = selectors.conversation_get_for_transcript_link(token=token)
    if chat is None:
        return render(request, "livechat/transcript.html", {"problem": True}, status=410)
    return render(request, "livechat/transcript.html", {"conversation": chat, "lines": transcript_lines(chat)})
