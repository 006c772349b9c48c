"""Every write on tickets: create, reply, change, merge, auto-close. One path per action, whoever calls it.

Rows two processes can touch at once (a ticket being replied to, changed and merged) are locked with
SELECT ... FOR UPDATE inside the service's transaction; notifications are created in the same transaction, so
they exist exactly when the change does.
"""
import re
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from incidents.models import IncidentLink, LinkChannel
from incidents.selectors import incident_matching
from incidents.services import incident_link
from support.filescan import file_scan, file_scans_lost, scan_needed
from support.languages import normalize_language
from support.markdown import render_markdown
from support.models import ScanState
from support.notifications import register_kind
from support.numbers import id_from_text
from support.roles import is_agent
from support.secretscan import secrets_mask
from support.services import DomainError, notification_create
from support.uploads import AttachmentRejected, check_upload, make_thumbnail

from . import sla
from .emails import email_requester
from .models import REF_PREFIX, Attachment, Category, Channel, Identity, Message, Priority, Status, Ticket, TicketEvent
from .selectors import ticket_get_for_claim

MAX_SUBJECT = 200
MAX_BODY = 50_000
TAG_RE = re.compile(r"^[\w\-.:]{1,50}$", re.UNICODE)

register_kind("ticket_received", title=_("We received your request %(ref)s"),
              body=_("“%(subject)s”. We will reply here and by email."))
register_kind("ticket_reply", title=_("New reply on %(ref)s"), body=_("%(author)s replied to “%(subject)s”."))
register_kind("ticket_status", title=_("%(ref)s is now %(status)s"), body=_("“%(subject)s”"),
              prepare=lambda p: {**p, "status": Status(p["status"]).label})
register_kind("ticket_assigned", title=_("%(ref)s was assigned to you"), body=_("“%(subject)s”"))
register_kind("ticket_customer_reply", title=_("Customer replied on %(ref)s"), body=_("“%(subject)s”"))
register_kind("ticket_follow_up", title=_("We opened %(ref)s as a follow-up"),
              body=_("Your reply to a closed request was filed as a new request: “%(subject)s”."))


class TicketClosed(DomainError):
    code = "ticket_closed"


class NotAllowed(DomainError):
    code = "permission_denied"


# --- helpers -------------------------------------------------------------------------------------------------


def _next_number():
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('ticket_number_seq')")
        return cursor.fetchone()[0]


def _clean_text(value, *, field, limit, required=True, one_line=False):
    """Trimmed text within `limit`; one_line joins lines with a space (a subject goes into mail headers, where a
    line break is refused as header injection)."""
    text = " ".join((value or "").split()) if one_line else (value or "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), code="required", field=field)
    if len(text) > limit:
        raise DomainError(_("Keep this under %(limit)s characters.") % {"limit": limit}, code="too_long", field=field)
    return text


def normalize_tags(tags):
    """Tags are lower-case words (letters, digits, - _ . :), de-duplicated, order kept."""
    if isinstance(tags, str):
        tags = re.split(r"[,\s]+", tags)
    result = []
    for raw in tags or ():
        tag = str(raw).strip().lower()
        if not tag:
            continue
        if not TAG_RE.match(tag):
            raise DomainError(_("“%(tag)s” is not a valid tag (letters, digits, - _ . : only).") % {"tag": tag[:60]},
                              code="invalid_tag", field="tags")
        if tag not in result:
            result.append(tag)
    return result


def _notify(user, kind, ticket, *, for_agent=False, **params):
    """The one place tickets tell a person something (in-site now; the email channel plugs in here)."""
    if user is None or not user.is_active:
        return
    if not for_agent and user.pk == ticket.requester_id and not ticket.requester_proven:
        return  # the account holding the address has not proven it is the requester (models.Identity)
    url = (f"/{user.language}/agent/tickets/{ticket.ref}/" if for_agent
           else f"/{user.language}/requests/{ticket.ref}/")
    notification_create(user=user, kind=kind, url=url,
                        params={"ref": ticket.ref, "subject": ticket.subject, **params})


def _record(ticket, actor, field, old="", new=""):
    return TicketEvent(ticket=ticket, actor=actor, field=field, old_value=str(old or "")[:500],
                       new_value=str(new or "")[:500])


def _store_attachments(*, ticket, message, uploader, files):
    """Store checked files; pictures, text, PDF and ZIP files are read for secrets in a task after commit
    (attachment_scan)."""
    checked = [check_upload(f) for f in files]
    stored = []
    for item in checked:
        attachment = Attachment(ticket=ticket, message=message, uploaded_by=uploader, filename=item.filename,
                                content_type=item.content_type, kind=item.kind, size=item.size)
        attachment.file.save(attachment.filename, item.upload, save=False)
        if item.kind == "image":
            attachment.thumbnail.save("thumb.png", ContentFile(make_thumbnail(item.upload)), save=False)
        if scan_needed(item.content_type):
            attachment.scan_state = ScanState.PENDING
        attachment.save()
        stored.append(attachment)
    pending = [attachment.pk for attachment in stored if attachment.scan_pending]
    if pending:
        # robust: with the broker down the request still succeeds, and the sweep queues the scans later.
        transaction.on_commit(lambda: _scans_enqueue(pending), robust=True)
    return stored


def _scans_enqueue(attachment_ids):
    from .tasks import attachment_scan

    for attachment_id in attachment_ids:
        attachment_scan.delay(str(attachment_id))


def attachment_scan(*, attachment_id, last_attempt=True, result=None):
    """Read an attachment for secrets with the reader for its kind (support.filescan): where one is found, the file
    (and thumbnail) everyone sees becomes a blurred or masked copy, or a PDF or ZIP is withheld, and the attachment
    is flagged with the kinds; until then only its uploader is shown it (selectors.attachment_shown_to). Safe to
    run twice: returns the state recorded, or None. `result` records a scan read elsewhere instead
    (filescan.file_scan)."""
    language = Attachment.objects.filter(pk=attachment_id).values_list("ticket__language", flat=True).first()
    if language is None:
        return None
    return file_scan(model=Attachment, attachment_id=attachment_id, languages=[language],
                     last_attempt=last_attempt, thumbnail_field="thumbnail", result=result)


def attachment_scans_sweep(*, older_than_seconds=300):
    """Queue again the scans of files sent a while ago whose task was lost or whose worker died."""
    lost = file_scans_lost(Attachment.objects.filter(
        created_at__lt=timezone.now() - timedelta(seconds=older_than_seconds)))
    _scans_enqueue(lost)
    return len(lost)


def _check_file_count(files):
    if len(files) > settings.TICKET_ATTACHMENT_MAX_FILES:
        raise AttachmentRejected(
            ngettext("Attach at most %(count)s file at a time.", "Attach at most %(count)s files at a time.",
                     settings.TICKET_ATTACHMENT_MAX_FILES) % {"count": settings.TICKET_ATTACHMENT_MAX_FILES},
            code="too_many_attachments", field="attachments",
        )


def _delete_files_on_rollback(attachments_holder):
    """Uploaded files are not part of the transaction; remove them if it rolls back."""

    def cleanup():
        for attachment in attachments_holder:
            attachment.file.delete(save=False)
            if attachment.thumbnail:
                attachment.thumbnail.delete(save=False)

    return cleanup


# --- create --------------------------------------------------------------------------------------------------


def _masked(text):
    """(text with secrets masked, kinds found): nothing a customer must keep to themselves is stored."""
    masked = secrets_mask(text)
    return masked.text, list(masked.kinds)


def ticket_create(*, requester, subject, body, channel=Channel.WEB, language=None, category=None,
                  priority=Priority.NORMAL, attachments=(), tags=(), follow_up_of=None, email_message_id="",
                  identity=Identity.ACCOUNT):
    """Open a ticket with its first message, whatever the channel (web form, API, email, chat). `identity` says how
    the requester is known (models.Identity): ACCOUNT only when the account holder is signed in."""
    if identity not in Identity.values:
        raise ValueError(f"unknown identity {identity!r}")
    subject, subject_secrets = _masked(_clean_text(subject, field="subject", limit=MAX_SUBJECT, one_line=True))
    body, secrets = _masked(_clean_text(body, field="body", limit=MAX_BODY))
    secrets = list(dict.fromkeys([*subject_secrets, *secrets]))
    lang = normalize_language(language) or requester.language
    if category is not None and not isinstance(category, Category):
        raise DomainError(_("Unknown category."), code="invalid_category", field="category")
    if priority not in Priority.values:
        raise DomainError(_("Unknown priority."), code="invalid_priority", field="priority")
    files = list(attachments)
    _check_file_count(files)
    stored = []
    try:
        with transaction.atomic():
            now = timezone.now()
            number = _next_number()
            tags = normalize_tags(tags)
            incident = incident_matching(subject, body)  # a known problem: tagged and linked, told when solved
            proven = Ticket(requester=requester, identity=identity).requester_proven
            if incident is not None and incident_link(
                    incident_id=incident.id, channel=LinkChannel.TICKET, object_id=f"{REF_PREFIX}{number}",
                    customer=requester if proven else None, email=requester.email, language=requester.language, label=subject):
                tags = list(dict.fromkeys([*tags, incident.tag]))
            ticket = Ticket.objects.create(
                number=number, requester=requester, subject=subject, language=lang, category=category,
                priority=priority, channel=channel, tags=tags, follow_up_of=follow_up_of, identity=identity,
                created_at=now, updated_at=now, awaiting_agent=True,
            )
            message = Message.objects.create(ticket=ticket, author=requester, body=body,
                                             body_html=render_markdown(body), channel=channel, created_at=now,
                                             email_message_id=email_message_id, secrets=secrets)
            stored = _store_attachments(ticket=ticket, message=message, uploader=requester, files=files)
            events = [_record(ticket, requester, TicketEvent.Field.CREATED, new=channel)]
            if follow_up_of is not None:
                events.append(_record(ticket, requester, TicketEvent.Field.FOLLOW_UP, new=follow_up_of.ref))
            TicketEvent.objects.bulk_create(events)
            sla.sla_ticket_created(ticket, now)
            kind = "ticket_follow_up" if follow_up_of else "ticket_received"
            _notify(requester, kind, ticket)
            email_requester(ticket=ticket, kind=kind)
    except Exception:
        _delete_files_on_rollback(stored)()
        raise
    return ticket


# --- identity ------------------------------------------------------------------------------------------------


class ClaimRefused(DomainError):
    code = "link_invalid"


def ticket_claim(*, token):
    """The owner of an address confirms, by the link mailed only to it (tickets.claims), that a request a chat
    visitor filed under that address is theirs: TYPED becomes ADDRESS (models.Identity), so the account holding the
    address sees it once that account has proven the address. A conditional update: two clicks change it once.
    Returns the ticket; ClaimRefused when the link is altered, expired, or for an address the ticket no longer
    has."""
    ticket = ticket_get_for_claim(token=token)
    if ticket is None:
        raise ClaimRefused(_("This link is not valid or has expired."))
    with transaction.atomic():
        if Ticket.objects.filter(pk=ticket.pk, identity=Identity.TYPED).update(identity=Identity.ADDRESS):
            TicketEvent.objects.create(ticket=ticket, actor=None, field=TicketEvent.Field.IDENTITY,
                                       old_value=Identity.TYPED, new_value=Identity.ADDRESS)
            ticket.identity = Identity.ADDRESS
    return ticket


# --- reply ---------------------------------------------------------------------------------------------------


def ticket_reply(*, ticket, author, body, internal=False, attachments=(), channel=Channel.WEB, status=None,
                 macro=None, email_message_id=""):
    """Add a reply or internal note. Returns the message (on a follow-up ticket if the ticket was closed).

    Customer replies reopen pending and solved tickets; a reply to a closed ticket opens a follow-up. Agent
    replies may set a status and apply a macro's status and tags. Internal notes are for agents only.
    """
    body, secrets = _masked(_clean_text(body, field="body", limit=MAX_BODY))
    agent = is_agent(author)
    if internal and not agent:
        raise NotAllowed(_("Only agents can write internal notes."), field="internal")
    if not agent and author.pk != ticket.requester_id:
        raise NotAllowed(_("You cannot reply to this request."))
    if (status is not None or macro is not None) and not agent:
        raise NotAllowed(_("Only agents can change the status."), field="status")
    files = list(attachments)
    _check_file_count(files)

    stored = []
    try:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            if locked.status == Status.CLOSED:
                if agent:
                    raise TicketClosed(_("This request is closed and can no longer be changed."))
                follow_up = ticket_create(requester=author, subject=locked.subject, body=body, channel=channel,
                                          language=locked.language, category=locked.category,
                                          priority=locked.priority, attachments=files, follow_up_of=locked,
                                          email_message_id=email_message_id, identity=locked.identity)
                return follow_up.messages.get()
            now = timezone.now()
            message = Message.objects.create(ticket=locked, author=author, is_internal=internal, body=body,
                                             body_html=render_markdown(body), channel=channel, created_at=now,
                                             email_message_id=email_message_id, secrets=secrets)
            stored = _store_attachments(ticket=locked, message=message, uploader=author, files=files)
            changes = {}
            if not agent:
                locked.awaiting_agent = True
                if locked.status in (Status.PENDING, Status.SOLVED):
                    changes["status"] = Status.OPEN
                _notify(locked.assignee, "ticket_customer_reply", locked, for_agent=True)
            elif not internal:
                locked.awaiting_agent = False
                if locked.first_response_at is None:
                    locked.first_response_at = now
                _notify(locked.requester, "ticket_reply", locked, author=author.display_name)
                email_requester(ticket=locked, kind="ticket_reply", message=message)
                sla.sla_agent_replied(locked, now)
                if locked.status == Status.NEW:
                    changes["status"] = Status.OPEN
            if macro is not None:
                if macro.set_status:
                    changes["status"] = macro.set_status
                if macro.add_tags:
                    changes["tags"] = list(dict.fromkeys([*locked.tags, *macro.add_tags]))
            if status is not None:
                changes["status"] = status
            locked.updated_at = now
            locked.save(update_fields=["awaiting_agent", "updated_at", "first_response_at"])
            if changes:
                # A public agent reply already emailed the customer; its status change needs no second email.
                _apply_changes(locked, author, changes, now=now, email_status=internal or not agent)
            if not agent:
                sla.sla_customer_replied(locked, now)
    except Exception:
        _delete_files_on_rollback(stored)()
        raise
    ticket.refresh_from_db()
    return message


# --- change --------------------------------------------------------------------------------------------------

AGENT_FIELDS = {"status", "priority", "assignee", "team", "category", "tags"}
CUSTOMER_STATUSES = {Status.SOLVED, Status.OPEN}


def ticket_update(*, ticket, actor, **changes):
    """Change status, priority, assignee, team, category or tags; every change is recorded in the audit trail.

    Agents may change all of them; the requester may only mark their own ticket solved or reopen it.
    """
    unknown = set(changes) - AGENT_FIELDS
    if unknown:
        raise DomainError(_("Unknown field."), code="invalid", field=sorted(unknown)[0])
    agent = is_agent(actor)
    if not agent:
        if actor.pk != ticket.requester_id or set(changes) - {"status"}:
            raise NotAllowed(_("Only agents can change this."), field=sorted(set(changes) - {"status"} or {"status"})[0])
        if changes.get("status") not in CUSTOMER_STATUSES:
            raise NotAllowed(_("You can only close or reopen your request."), field="status")
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status == Status.CLOSED:
            raise TicketClosed(_("This request is closed and can no longer be changed."))
        if not agent and changes["status"] == Status.OPEN and locked.status not in (Status.SOLVED, Status.PENDING):
            return locked
        _apply_changes(locked, actor, changes, now=timezone.now())
    ticket.refresh_from_db()
    return ticket


def _validate_change(field, value):
    from support.models import Team, User

    if field == "status":
        if value not in Status.values or value == Status.NEW:
            raise DomainError(_("Unknown status."), code="invalid_status", field="status")
    elif field == "priority":
        if value not in Priority.values:
            raise DomainError(_("Unknown priority."), code="invalid_priority", field="priority")
    elif field == "assignee":
        if value is not None and (not isinstance(value, User) or not is_agent(value)):
            raise DomainError(_("Tickets can only be assigned to agents."), code="invalid_assignee", field="assignee")
    elif field == "team":
        if value is not None and not isinstance(value, Team):
            raise DomainError(_("Unknown team."), code="invalid_team", field="team")
    elif field == "category":
        if value is not None and not isinstance(value, Category):
            raise DomainError(_("Unknown category."), code="invalid_category", field="category")
    elif field == "tags":
        value = normalize_tags(value)
    return value


def _display(field, value):
    if value is None or value == "":
        return ""
    if field == "assignee":
        return value.display_name
    if field in ("team", "category"):
        return value.slug
    if field == "tags":
        return ", ".join(value)
    return value


def _apply_changes(locked, actor, changes, *, now, email_status=True):
    """Apply validated changes to a locked ticket, write one audit event per changed field, notify."""
    events, update_fields = [], {"updated_at"}
    old_status = locked.status
    for field, raw in changes.items():
        value = _validate_change(field, raw)
        current = getattr(locked, field)
        if field in ("assignee", "team", "category"):
            if (current.pk if current else None) == (value.pk if value else None):
                continue
        elif current == value:
            continue
        events.append(_record(locked, actor, field, _display(field, current), _display(field, value)))
        setattr(locked, field, value)
        update_fields.add(field)
        if field == "assignee" and value is not None and value.pk != getattr(actor, "pk", None):
            _notify(value, "ticket_assigned", locked, for_agent=True)
    if "status" in update_fields:
        if locked.status == Status.SOLVED:
            locked.solved_at = now
            update_fields.add("solved_at")
        elif old_status == Status.SOLVED:
            locked.solved_at = None
            update_fields.add("solved_at")
        if locked.status == Status.CLOSED:
            locked.closed_at = now
            update_fields.add("closed_at")
    if not events:
        return []
    locked.updated_at = now
    locked.save(update_fields=sorted(update_fields))
    created = TicketEvent.objects.bulk_create(events)
    if "status" in update_fields:
        sla.sla_status_changed(locked, old_status, locked.status, now)
    if {"priority", "category"} & update_fields:
        sla.sla_reevaluate(locked, now)
    if "status" in update_fields and locked.status == Status.SOLVED and old_status != Status.SOLVED:
        from .csat import csat_request

        csat_request(ticket=locked, now=now)  # "how did we do?", once per solve
    if "status" in update_fields:
        # The requester hears of status changes others make, except the routine new -> open of a first reply.
        routine = old_status == Status.NEW and locked.status == Status.OPEN
        if not routine and getattr(actor, "pk", None) != locked.requester_id:
            _notify(locked.requester, "ticket_status", locked, status=locked.status)
            if email_status:
                status_event = next(e for e in created if e.field == TicketEvent.Field.STATUS)
                email_requester(ticket=locked, kind="ticket_status", status=locked.status, event_id=status_event.pk)
    return created


def ticket_bulk_update(*, tickets, actor, status=None, assignee=None, unassign=False, add_tags=()):
    """Apply the same change to many tickets (inbox bulk actions); each ticket gets its own audit events."""
    if not is_agent(actor):
        raise NotAllowed(_("Only agents can change tickets."))
    add_tags = normalize_tags(add_tags)
    changed = 0
    for ticket in tickets:
        changes = {}
        if status:
            changes["status"] = status
        if assignee is not None:
            changes["assignee"] = assignee
        elif unassign:
            changes["assignee"] = None
        if add_tags:
            changes["tags"] = list(dict.fromkeys([*ticket.tags, *add_tags]))
        if not changes or ticket.status == Status.CLOSED:
            continue
        ticket_update(ticket=ticket, actor=actor, **changes)
        changed += 1
    return changed


# --- merge ---------------------------------------------------------------------------------------------------


def ticket_merge(*, source, target, actor):
    """Merge a duplicate into another ticket of the same requester: messages move, the duplicate closes.

    Only tickets of one requester merge, so no customer ever sees another customer's messages. Both rows are
    locked in id order, so two merges of the same pair cannot deadlock or interleave.
    """
    if not is_agent(actor):
        raise NotAllowed(_("Only agents can merge tickets."))
    if source.pk == target.pk:
        raise DomainError(_("A ticket cannot be merged into itself."), code="merge_same", field="target")
    with transaction.atomic():
        locked = {t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
                  .order_by("pk")}
        src, dst = locked[source.pk], locked[target.pk]
        if src.requester_id != dst.requester_id:
            raise DomainError(_("Only tickets from the same requester can be merged."), code="merge_requester",
                              field="target")
        if src.status == Status.CLOSED or dst.status == Status.CLOSED:
            raise TicketClosed(_("Closed tickets cannot be merged."), field="target")
        now = timezone.now()
        Message.objects.filter(ticket=src).update(ticket=dst)
        Attachment.objects.filter(ticket=src).update(ticket=dst)
        with translation.override(dst.language):  # written for the agents who work this ticket's language
            note = str(_("%(source)s was merged into this ticket.") % {"source": src.ref})
        Message.objects.create(ticket=dst, author=actor, is_internal=True, body=str(note),
                               body_html=render_markdown(str(note)), created_at=now)
        src.merged_into = dst
        src.tags = list(dict.fromkeys([*src.tags, "merged"]))
        src.save(update_fields=["merged_into", "tags"])
        TicketEvent.objects.bulk_create([
            _record(src, actor, TicketEvent.Field.MERGED, "", dst.ref),
            _record(dst, actor, TicketEvent.Field.MERGED, src.ref, ""),
        ])
        sla.sla_cancel(src, now)
        _apply_changes(src, actor, {"status": Status.CLOSED}, now=now)
        dst.tags = list(dict.fromkeys([*dst.tags, *[t for t in src.tags if t != "merged"]]))
        dst.updated_at = now
        dst.save(update_fields=["tags", "updated_at"])
    target.refresh_from_db()
    source.refresh_from_db()
    return target


def sla_escalate(*, ticket, changes, now):
    """Apply a breached policy's escalation (raise priority, reassign); recorded in the audit trail as the system."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status != Status.CLOSED:
            _apply_changes(locked, None, changes, now=now)


def incident_tickets_solve(*, incident, batch_size=200):
    """A resolved incident's linked tickets are solved (its resolver in the audit trail), a batch per transaction.
    Their requesters were told by the incident's own message when the resolution notified them, so the status
    email is left out then. Connected to incidents.signals.incident_resolved_solve (TicketsConfig.ready)."""
    numbers = []
    for ref in IncidentLink.objects.filter(incident=incident, channel=LinkChannel.TICKET).values_list("object_id",
                                                                                                      flat=True):
        number = id_from_text(ref.removeprefix(REF_PREFIX)) if ref.startswith(REF_PREFIX) else None
        if number is not None:
            numbers.append(number)
    solved = 0
    for start in range(0, len(numbers), batch_size):
        with transaction.atomic():
            now = timezone.now()
            batch = (Ticket.objects.select_for_update()
                     .filter(number__in=numbers[start:start + batch_size], merged_into__isnull=True)
                     .exclude(status__in=[Status.SOLVED, Status.CLOSED]).order_by("pk"))
            for locked in batch:
                _apply_changes(locked, incident.resolved_by, {"status": Status.SOLVED}, now=now,
                               email_status=not incident.notify_customers)
                solved += 1
    return solved


# --- automatic closing ---------------------------------------------------------------------------------------


def tickets_close_solved(*, older_than_days, batch_size=500):
    """Close tickets solved more than N days ago (beat). Conditional update: safe when two runs overlap."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    closed = 0
    while True:
        with transaction.atomic():
            batch = list(Ticket.objects.select_for_update(skip_locked=True)
                         .filter(status=Status.SOLVED, solved_at__lt=cutoff).order_by("solved_at")[:batch_size])
            if not batch:
                return closed
            now = timezone.now()
            ids = [t.pk for t in batch]
            Ticket.objects.filter(pk__in=ids, status=Status.SOLVED).update(status=Status.CLOSED, closed_at=now,
                                                                            updated_at=now)
            TicketEvent.objects.bulk_create(
                [_record(t, None, TicketEvent.Field.STATUS, Status.SOLVED, Status.CLOSED) for t in batch]
            )
            closed += len(batch)
