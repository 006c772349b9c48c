"""Chat pages: the customer's chat (pre-chat form, then the live panel) and the agent console. Both are thin: the
live parts speak the websocket contract of docs/api.md from static/livechat/js/."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt

from support.audit import audit_read
from support.filescan import (
    AttachmentWithheld,
    original_response,
    scanned_file_response,
    withheld_page,
)
from support.languages import LANGUAGE_CODES, language_choices
from support.models import AuditEvent, Presence
from support.permissions import agent_required
from support.shortcuts import shortcut_config

from . import selectors
from .emails import transcript_lines
from .models import ChatAttachment, Conversation, Disposition
from .strings import agent_system_lines, chat_strings, console_strings


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
        "languages": languages, "strings": chat_strings(), "embedded": request.GET.get("embed") == "1",
        "max_chars": settings.LIVECHAT_MESSAGE_MAX_CHARS, "widget_identity": _widget_identity(request)})
    response.csp_frame_ancestors = settings.LIVECHAT_EMBED_ORIGINS  # see support.middleware.SecurityHeadersMiddleware
    return response


@agent_required
def console(request):
    return render(request, "livechat/console.html", {
        "strings": console_strings(), "presences": Presence.choices, "dispositions": Disposition.choices,
        "languages": LANGUAGE_CODES,
        "language_names": language_choices(),
        "max_chars": settings.LIVECHAT_MESSAGE_MAX_CHARS, "shortcuts": shortcut_config()})


@agent_required
def agent_chat_page(request, conversation_id):
    """One chat for agents, any time (from the console's history, the customer's page, search): the transcript with
    its files, the wrap-up and the rating. Reading it is audited like opening a ticket."""
    try:
        chat = selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)
    except Conversation.DoesNotExist as exc:
        raise Http404 from exc
    audit_read(request, action=AuditEvent.Action.CHAT_VIEW, object_type="chat", object_id=chat.pk,
               customer=chat.customer_id)
    system_lines, kinds = agent_system_lines(), chat_strings()["secret_kinds"]
    lines = selectors.conversation_transcript(conversation=chat)
    for line in lines:  # codes to the reader's words
        line["label"] = system_lines.get(line["body"], line["body"]) if line["kind"] == "system" else ""
        line["secret_labels"] = [kinds.get(kind, kind) for kind in line["secrets"]]
    return render(request, "livechat/agent_chat.html", {
        "chat": chat, "lines": lines,
        "in_console": chat.agent_id == request.user.pk and chat.wrapped_up_at is None})


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


def transcript_page(request, token):
    """The transcript a link mailed to an unproven address opens (emails.email_transcript): no login, the signed
    link is the permission."""
    chat = selectors.conversation_get_for_transcript_link(token=token)
    if chat is None:
        return render(request, "livechat/transcript.html", {"problem": True}, status=410)
    return render(request, "livechat/transcript.html", {"conversation": chat, "lines": transcript_lines(chat)})
