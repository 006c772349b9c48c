"""Ticket pages: customers file and follow requests; agents work the inbox and the ticket page."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from support import ratelimit
from support.audit import audit_read
from support.filescan import AttachmentWithheld, original_response, withheld_page
from support.models import AuditEvent
from support.numbers import id_from_text
from support.organisations.selectors import requester_organisation
from support.permissions import agent_required
from support.roles import is_agent, is_supervisor
from support.selectors import outbound_failures_for_topic
from support.services import DomainError
from support.shortcuts import shortcut_config
from verification.selectors import conversation_code

from . import csat, selectors, services, sla
from .collision import collision_strings, last_public_message_id, replied_meanwhile
from .custom_fields import FILTER_PREFIX, events_labelled, ticket_field_values, ticket_fields_active
from .downloads import attachment_response
from .filters import TicketFilter, inbox_filters, inbox_params
from .forms import AgentReplyForm, BulkForm, MergeForm, ReplyForm, TicketFieldsForm, TicketForm, TicketPropertiesForm
from .inbox_views import inbox_views_for_user
from .macros import macro_fill
from .models import Attachment, Status, Ticket
from .views_saved import views_config


def _ticket_or_404(request, ref):
    try:
        return selectors.ticket_get_for_user(user=request.user, ref=ref)
    except Ticket.DoesNotExist as exc:
        raise Http404 from exc


def fields_problem(exc, ticket_fields):
    """services.FieldErrors in one line: "Transaction hash: This transaction hash does not look like …"."""
    labels = {field.key: field.label for field in ticket_fields}
    return " ".join(f"{labels.get(key, key)}: {message}" for key, (_code, message) in exc.errors.items())


def _form_error(form, exc):
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.detail)


# --- customers -----------------------------------------------------------------------------------------------


@login_required
def ticket_new(request):
    if request.method == "POST":
        ratelimit.ticket_create_attempt(request)
        form = TicketForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                ticket = services.ticket_create(
                    requester=request.user, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                    category=form.cleaned_data["category"], channel="web", language=translation.get_language(),
                    attachments=form.cleaned_data["attachments"], custom_fields=form.custom_values(),
                )
            except services.FieldErrors as exc:
                form.add_field_errors(exc)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Thank you. Your request %(ref)s was received; we will reply here and by "
                                            "email.") % {"ref": ticket.ref})
                return redirect("tickets:detail", ref=ticket.ref)
    else:
        form = TicketForm()
    return render(request, "tickets/ticket_new.html", {"form": form})


@login_required
def my_tickets(request):
    qs = selectors.ticket_list_for_user(user=request.user).filter(requester=request.user)
    show = request.GET.get("show", "open")
    if show == "open":
        qs = qs.exclude(status__in=[Status.SOLVED, Status.CLOSED])
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "tickets/my_tickets.html", {"page": page, "show": show})


@login_required
def ticket_detail(request, ref):
    ticket = _ticket_or_404(request, ref)
    if is_agent(request.user) and ticket.requester_id != request.user.pk:
        return redirect("tickets:agent_detail", ref=ticket.ref)
    form = ReplyForm()
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                message = services.ticket_reply(ticket=ticket, author=request.user, body=form.cleaned_data["body"],
                                                attachments=form.cleaned_data["attachments"], channel="web")
            except DomainError as exc:
                _form_error(form, exc)
            else:
                if message.ticket_id != ticket.pk:
                    messages.info(request, _("That request was closed, so your reply was filed as a new request "
                                             "%(ref)s.") % {"ref": message.ticket.ref})
                    return redirect("tickets:detail", ref=message.ticket.ref)
                messages.success(request, _("Your reply was sent."))
                return redirect("tickets:detail", ref=ticket.ref)
    conversation = selectors.message_list_for_ticket(user=request.user, ticket=ticket)
    return render(request, "tickets/ticket_detail.html", {
        "ticket": ticket, "conversation": conversation, "form": form,
        # The values of the fields customers fill in, retired ones too, labelled in the page's language.
        "field_values": ticket_field_values(ticket.custom_fields, customer=True)})


@login_required
@require_POST
def ticket_set_status(request, ref):
    """The requester closes (marks solved) or reopens their own request."""
    ticket = _ticket_or_404(request, ref)
    target = request.POST.get("status")
    try:
        services.ticket_update(ticket=ticket, actor=request.user, status=target)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your request is marked as solved.") if target == Status.SOLVED
                         else _("Your request is open again."))
    return redirect("tickets:detail", ref=ticket.ref)


@login_required
def attachment_download(request, attachment_id, thumbnail=False):
    try:
        attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=attachment_id)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc
    if not thumbnail:
        audit_read(request, action=AuditEvent.Action.ATTACHMENT_VIEW, object_type="attachment",
                   object_id=attachment.pk, customer=attachment.ticket.requester_id)
    try:
        return attachment_response(attachment, thumbnail=thumbnail)
    except AttachmentWithheld as exc:  # a secret in a PDF or ZIP: 403 with the reason
        return withheld_page(request, exc)


@login_required
def attachment_original(request, attachment_id):
    """The file as sent, where a secret was found and blurred, masked or withheld (kept by policy): desk admins
    only, 404 for anyone else."""
    try:
        attachment = selectors.attachment_original_for_user(user=request.user, attachment_id=attachment_id)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc
    return original_response(attachment)


# --- agents --------------------------------------------------------------------------------------------------

@agent_required
def inbox(request):
    params = inbox_params(request.GET)
    base = selectors.ticket_list_for_user(user=request.user)
    filterset = TicketFilter(params, queryset=base, request=request, ticket_fields=ticket_fields_active())
    valid = filterset.is_valid()
    page = Paginator(filterset.qs if valid else base.none(), 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    current = inbox_filters(filterset.form.cleaned_data) if valid else None
    views = inbox_views_for_user(user=request.user, current=current,
                                 saved_id=id_from_text(request.GET.get("saved", "")))
    return render(request, "tickets/inbox.html", {
        "page": page, "filterset": filterset, "view": params["view"], "query": query.urlencode(),
        "builtin_views": [v for v in views if v.kind == "builtin"], "can_share": is_supervisor(request.user),
        "my_views": [v for v in views if v.kind == "personal"], "shared_views": [v for v in views if v.kind == "shared"],
        "bulk_form": BulkForm(),
        "status_choices": [(v, label) for v, label in Status.choices if v != Status.NEW],
        "shortcuts": shortcut_config(), "views_config": views_config(request),
        "fields_filtered": any(k.startswith(FILTER_PREFIX) and v for k, v in request.GET.items()),
    })


@agent_required
@require_POST
def inbox_bulk(request):
    form = BulkForm(request.POST)
    numbers = [selectors.parse_ref(v) for v in request.POST.getlist("tickets")]
    numbers = [n for n in numbers if n is not None]
    back = request.POST.get("back") or reverse("tickets:inbox")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None) or not back.startswith("/"):
        back = reverse("tickets:inbox")  # only a path on this site: "//elsewhere" is another host
    if not numbers:
        messages.error(request, _("Select at least one ticket."))
        return redirect(back)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    tickets = list(selectors.ticket_list_for_user(user=request.user).filter(number__in=numbers))
    action = form.cleaned_data["action"]
    try:
        changed = services.ticket_bulk_update(
            tickets=tickets, actor=request.user,
            status=form.cleaned_data["status"] if action == "status" else None,
            assignee=(request.user if action == "assign_me" else form.cleaned_data["assignee"]
                      if action == "assign" else None),
            unassign=action == "unassign",
            add_tags=[form.cleaned_data["tag"]] if action == "tag" else (),
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, ngettext("%(count)s ticket updated.", "%(count)s tickets updated.", changed)
                         % {"count": changed})
    return redirect(back)


@agent_required
def agent_ticket_detail(request, ref):
    ticket = _ticket_or_404(request, ref)
    audit_read(request, action=AuditEvent.Action.TICKET_VIEW, object_type="ticket", object_id=ticket.ref,
               customer=ticket.requester_id)
    reply_form, meanwhile = AgentReplyForm(), None
    if request.method == "POST":
        reply_form = AgentReplyForm(request.POST, request.FILES)
        if reply_form.is_valid():
            data = reply_form.cleaned_data
            try:
                services.ticket_reply(ticket=ticket, author=request.user, body=data["body"],
                                      internal=data["internal"], attachments=data["attachments"], channel="web",
                                      status=data["status"] or None, macro=data["macro"],
                                      seen=None if data["confirm"] else data["seen"])
            except services.RepliedMeanwhile as exc:
                # Not sent: the page shows what was written meanwhile, keeps the text, and offers "send anyway".
                meanwhile = replied_meanwhile(exc.messages, files_dropped=bool(data["attachments"]))
            except DomainError as exc:
                _form_error(reply_form, exc)
            else:
                messages.success(request, _("Internal note added.") if data["internal"] else _("Reply sent."))
                return redirect("tickets:agent_detail", ref=ticket.ref)
    properties_form = TicketPropertiesForm(initial={
        "status": ticket.status if ticket.status != Status.NEW else Status.OPEN, "priority": ticket.priority,
        "assignee": ticket.assignee, "team": ticket.team, "category": ticket.category, "tags": ", ".join(ticket.tags),
    })
    my_code = conversation_code(request.user, selectors.agent_code_key(ticket.ref))
    values = {"customer_name": ticket.requester.display_name, "ticket_ref": ticket.ref,
              "agent_name": request.user.display_name, "agent_code": my_code}
    with translation.override(ticket.language):
        # Macros are offered in the ticket's language, the language the customer reads, their placeholders filled.
        macros = [{"id": m.id, "name": m.name, "body": macro_fill(m.body, values), "status": m.set_status,
                   "tags": m.add_tags} for m in selectors.macro_list()]
    conversation = list(selectors.message_list_for_ticket(user=request.user, ticket=ticket))
    ticket_fields = ticket_fields_active()
    # Values of retired fields: no longer inputs, still shown (read only) on the card.
    retired_values = ticket_field_values(ticket.custom_fields, skip={field.key for field in ticket_fields})
    seen = last_public_message_id(conversation)
    if request.method == "POST" and meanwhile is None and getattr(reply_form, "cleaned_data", {}).get("seen"):
        seen = min(seen, reply_form.cleaned_data["seen"])  # refused for a field: still what the agent had seen
    return render(request, "tickets/agent_ticket.html", {
        "ticket": ticket, "conversation": conversation, "meanwhile": meanwhile,
        "seen_message": seen, "collision_strings": collision_strings(),
        "events": events_labelled(selectors.event_list_for_ticket(ticket=ticket),
                                  [*ticket_fields, *(field for field, _value in retired_values)]),
        "fields_form": TicketFieldsForm(ticket=ticket, fields=ticket_fields), "retired_values": retired_values,
        "others": selectors.other_open_tickets(ticket=ticket),
        "reply_form": reply_form, "properties_form": properties_form, "merge_form": MergeForm(), "macros": macros,
        "email_failures": outbound_failures_for_topic(topic=f"ticket:{ticket.ref}"),
        "sla_timers": sla.timers_for_ticket(ticket), "shortcuts": shortcut_config(),
        # The agent's code in this request, which its customer sees by their replies (verification.selectors).
        "my_code": my_code, "requester_organisation": requester_organisation(ticket=ticket),
    })


@agent_required
@require_POST
def agent_ticket_update(request, ref):
    ticket = _ticket_or_404(request, ref)
    if request.POST.get("assign_to_me"):
        changes = {"assignee": request.user}
    elif request.POST.get("part") == "fields":  # the custom fields' card
        form = TicketFieldsForm(request.POST, ticket=ticket)
        form.is_valid()  # inputs only read what was sent; the service checks the values
        changes = {"custom_fields": form.changes()}
    else:
        form = TicketPropertiesForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(f"{form.fields[f].label}: {e}" for f, errs in form.errors.items()
                                             for e in errs))
            return redirect("tickets:agent_detail", ref=ticket.ref)
        changes = dict(form.cleaned_data)
    try:
        services.ticket_update(ticket=ticket, actor=request.user, **changes)
    except services.FieldErrors as exc:
        messages.error(request, fields_problem(exc, ticket_fields_active()))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Ticket updated."))
    return redirect("tickets:agent_detail", ref=ticket.ref)


@agent_required
@require_POST
def agent_ticket_merge(request, ref):
    ticket = _ticket_or_404(request, ref)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["into"]))
        return redirect("tickets:agent_detail", ref=ticket.ref)
    target = Ticket.objects.filter(number=form.cleaned_data["into"]).first()
    if target is None:
        messages.error(request, _("No such ticket."))
        return redirect("tickets:agent_detail", ref=ticket.ref)
    try:
        if request.POST.get("confirm") != "1":
            # A typed number is easy to get wrong and a merge cannot be undone: show both tickets and ask first.
            services.ticket_merge_check(source=ticket, target=target)
            return render(request, "tickets/merge_confirm.html", {
                "source": ticket, "target": target, "moving": ticket.messages.count()})
        services.ticket_merge(source=ticket, target=target, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("tickets:agent_detail", ref=ticket.ref)
    messages.success(request, _("%(source)s was merged into %(target)s.") % {"source": ticket.ref,
                                                                             "target": target.ref})
    return redirect("tickets:agent_detail", ref=target.ref)


def ticket_rate(request, token):
    """The rating page a solved ticket's link opens: no login needed, the signed link is the permission."""
    context = {"token": token, "scores": range(1, 6)}
    try:
        rating = csat.rating_for_token(token)
    except csat.RatingLinkInvalid as exc:
        return render(request, "tickets/rate.html", {**context, "problem": exc.detail}, status=410)
    context.update({"rating": rating, "ticket": rating.ticket})
    if rating.rated_at is not None:
        return render(request, "tickets/rate.html", {**context, "done": True})
    if request.method == "POST":
        try:
            score = int(request.POST.get("score", ""))
        except ValueError:
            score = None
        try:
            csat.rating_submit(token=token, score=score, comment=request.POST.get("comment", ""))
        except csat.RatingLinkInvalid as exc:
            return render(request, "tickets/rate.html", {**context, "problem": exc.detail}, status=410)
        except DomainError as exc:
            return render(request, "tickets/rate.html", {**context, "error": exc.detail}, status=400)
        return render(request, "tickets/rate.html", {**context, "done": True})
    return render(request, "tickets/rate.html", context)



def ticket_claim(request, token):
    """The page the link in a visitor's request mail opens (claims.py): the owner of the address confirms the request
    is theirs. No login needed, the signed link is the permission; a GET only asks (mail scanners open links), the
    button's POST confirms."""
    context = {"token": token}
    ticket = selectors.ticket_get_for_claim(token=token)
    if ticket is None:
        return render(request, "tickets/claim.html", {**context, "problem": True}, status=410)
    if request.method == "POST":
        try:
            ticket = services.ticket_claim(token=token)
        except services.ClaimRefused:
            return render(request, "tickets/claim.html", {**context, "problem": True}, status=410)
        requester = ticket.requester
        return render(request, "tickets/claim.html", {
            **context, "ticket": ticket, "done": True,
            "signed_in_as_requester": request.user.is_authenticated and request.user.pk == requester.pk,
            "visible": ticket.requester_proven, "has_password": requester.has_usable_password()})
    return render(request, "tickets/claim.html", {**context, "ticket": ticket})
