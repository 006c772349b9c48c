"""Writes of incidents: declare, update, link a contact, resolve, and tell the linked customers.

Concurrency: linking takes the incident's row FOR SHARE, resolving takes it FOR UPDATE. A link written while the
incident is being resolved therefore either commits before the resolution reads the links (and its customer is
told) or waits and then sees the incident resolved (and is not linked): nobody linked goes untold.
"""
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from support.languages import LANGUAGE_CODES
from support.models import User
from support.outbox import outbound_emails_queue_many
from support.services import DomainError, notifications_create_many

from . import selectors
from .emails import resolved_email
from .matching import MAX_KEYWORDS, keyword_clean
from .models import Incident, IncidentLink, IncidentNotice, IncidentStatus, LinkChannel, Severity


# Work other apps do when an incident is resolved (tickets registers "solve the linked tickets" in its AppConfig):
# the incidents app sits below tickets and cannot import it.
class IncidentClosed(DomainError):
    code = "incident_resolved"


def _field(name, language):
    return f"{name}_{language.replace('-', '_')}"


def _clean_texts(texts, *, name, limit, required):
    """{language: text} checked: known languages, length, English present when required."""
    texts = texts or {}
    unknown = [code for code in texts if code not in LANGUAGE_CODES]
    if unknown:
        raise DomainError(_("Unknown language: %(code)s.") % {"code": ", ".join(unknown)},
                          code="invalid_language", field=name)
    cleaned = {code: (texts.get(code) or "").strip() for code in LANGUAGE_CODES if code in texts}
    for code, value in cleaned.items():
        if len(value) > limit:
            raise DomainError(_("Keep this under %(limit)s characters.") % {"limit": limit}, code="too_long",
                              field=f"{name}.{code}")
    if required and not cleaned.get("en"):
        raise DomainError(_("Write it in English at least: customers whose language is missing read English."),
                          code="required", field=f"{name}.en")
    return cleaned


def _clean_keywords(raw):
    if isinstance(raw, str):
        raw = raw.replace("，", ",").replace("、", ",").replace("\n", ",").split(",")
    keywords = list(dict.fromkeys(k for k in (keyword_clean(str(item)) for item in raw or ()) if k))
    if not keywords:
        raise DomainError(_("Give at least one keyword (two characters or more) that customers would use."),
                          code="required", field="keywords")
    if len(keywords) > MAX_KEYWORDS:
        raise DomainError(_("Give at most %(limit)s keywords.") % {"limit": MAX_KEYWORDS}, code="too_many",
                          field="keywords")
    if any(len(k) > 60 for k in keywords):
        raise DomainError(_("Keep each keyword under %(limit)s characters.") % {"limit": 60}, code="too_long",
                          field="keywords")
    return keywords


def _clean_severity(severity):
    if severity not in Severity.values:
        raise DomainError(_("Unknown severity."), code="invalid_severity", field="severity")
    return severity


def _forget_open():
    """The open incidents changed: drop the cached list now and again after commit (a reader between the two
    could have cached the old list)."""
    selectors.open_incidents_forget()
    transaction.on_commit(selectors.open_incidents_forget)


def incident_declare(*, by, titles, notices, keywords, severity=Severity.MAJOR):
    """A supervisor declares an incident: from now on its notice shows on every customer channel and matching
    contacts are linked to it."""
    titles = _clean_texts(titles, name="title", limit=200, required=True)
    notices = _clean_texts(notices, name="notice", limit=2000, required=True)
    incident = Incident(keywords=_clean_keywords(keywords), severity=_clean_severity(severity), declared_by=by)
    for code in LANGUAGE_CODES:
        setattr(incident, _field("title", code), titles.get(code, ""))
        setattr(incident, _field("notice", code), notices.get(code, ""))
    with transaction.atomic():
        incident.save()
        _forget_open()
    return incident


def incident_update(*, incident, titles=None, notices=None, keywords=None, severity=None):
    """Change an open incident's texts, keywords or severity (the situation evolves; customers see it at once).
    Languages not given keep their text; a language given as "" is cleared (English cannot be)."""
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if not locked.is_open:
            raise IncidentClosed(_("This incident is resolved and can no longer be changed."))
        fields = {"updated_at"}
        for name, texts, limit in (("title", titles, 200), ("notice", notices, 2000)):
            if texts is None:
                continue
            merged = {code: getattr(locked, _field(name, code)) or "" for code in LANGUAGE_CODES}
            merged.update(_clean_texts(texts, name=name, limit=limit, required=False))
            _clean_texts(merged, name=name, limit=limit, required=True)
            for code, value in merged.items():
                setattr(locked, _field(name, code), value)
                fields.add(_field(name, code))
        if keywords is not None:
            locked.keywords = _clean_keywords(keywords)
            fields.add("keywords")
        if severity is not None:
            locked.severity = _clean_severity(severity)
            fields.add("severity")
        locked.updated_at = timezone.now()
        locked.save(update_fields=sorted(fields))
        _forget_open()
    return locked


def incident_link(*, incident_id, channel, object_id, customer=None, email="", language="en", label=""):
    """Link a ticket or chat to an open incident (inside the caller's transaction). Returns False when the
    incident was resolved meanwhile or the contact is already linked."""
    if channel not in LinkChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    with transaction.atomic():
        with connection.cursor() as cursor:  # FOR SHARE: links do not block each other, only a resolution
            cursor.execute(f"SELECT id FROM {Incident._meta.db_table} WHERE id = %s AND status = %s FOR SHARE",
                           [incident_id, IncidentStatus.OPEN])
            if cursor.fetchone() is None:
                return False
        try:
            with transaction.atomic():
                IncidentLink.objects.create(incident_id=incident_id, channel=channel, object_id=str(object_id),
                                            label=label[:200], customer=customer, email=(email or "")[:254],
                                            language=language)
        except IntegrityError:  # linked already (the unique constraint)
            return False
    return True


def incident_resolve(*, incident, by, notify=True, solve_tickets=False, resolutions=None):
    """Resolve an incident: the banner goes, and (when asked) every linked customer is told once, in batches by
    Celery, and the linked tickets are solved. Raises IncidentClosed when it is already resolved."""
    resolutions = _clean_texts(resolutions, name="resolution", limit=2000, required=False)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if not locked.is_open:
            raise IncidentClosed(_("This incident is already resolved."))
        now = timezone.now()
        locked.status, locked.resolved_at, locked.resolved_by = IncidentStatus.RESOLVED, now, by
        locked.notify_customers, locked.solve_tickets = bool(notify), bool(solve_tickets)
        locked.updated_at = now
        for code, value in resolutions.items():
            setattr(locked, _field("resolution", code), value)
        locked.save()
        _forget_open()
        if notify:
            _notices_write(locked, now)
        transaction.on_commit(lambda: _after_resolve(locked.pk, notify=notify, solve_tickets=solve_tickets))
    return locked


def _notices_write(incident, now):
    """One notice row per linked person: by account when there is one (their language is their account's), else
    by email (the language of their contact). One INSERT ... SELECT."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {IncidentNotice._meta.db_table} (incident_id, recipient, customer_id, email, language,
                                                        created_at)
            SELECT DISTINCT ON (recipient) %s, recipient, customer_id, email, language, %s FROM (
                SELECT CASE WHEN l.customer_id IS NOT NULL THEN 'user:' || l.customer_id
                            ELSE 'email:' || lower(l.email) END AS recipient,
                       l.customer_id, COALESCE(u.email, l.email) AS email,
                       COALESCE(u.language, l.language) AS language, l.linked_at
                FROM {IncidentLink._meta.db_table} l
                LEFT JOIN {User._meta.db_table} u ON u.id = l.customer_id
                WHERE l.incident_id = %s AND (l.customer_id IS NOT NULL OR l.email <> '')
            ) contacts
            ORDER BY recipient, linked_at DESC
            ON CONFLICT (incident_id, recipient) DO NOTHING
            """,
            [incident.pk, now, incident.pk],
        )


def _after_resolve(incident_id, *, notify, solve_tickets):
    # cycle: the Celery task <-> service pair (tasks call this module)
    from .tasks import incident_notify, incident_solve_tickets

    if notify:
        incident_notify.delay(incident_id)
    if solve_tickets:
        incident_solve_tickets.delay(incident_id)


def incident_notices_send(*, incident_id, batch_size=None):
    """Tell one batch of the incident's linked customers that it is resolved: an in-site notification (accounts)
    and an email (everyone with an address), in their language. Returns how many were told.

    Exactly once per person: the batch's rows are claimed FOR UPDATE SKIP LOCKED (two workers take different
    rows), and the notifications, the outbox rows and `sent_at` are written in one transaction (a worker killed
    mid-batch leaves every row of its batch pending, and a redelivered task finds the sent ones done)."""
    batch_size = batch_size or settings.INCIDENT_NOTIFY_BATCH
    with transaction.atomic():
        rows = list(IncidentNotice.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(incident_id=incident_id, sent_at__isnull=True).select_related("customer")
                    .order_by("id")[:batch_size])
        if not rows:
            return 0
        incident = Incident.objects.get(pk=incident_id)
        params = notification_params(incident)
        notifications, emails = [], []
        for row in rows:
            if row.customer is not None and row.customer.is_active:
                notifications.append({"user": row.customer, "kind": "incident_resolved", "params": params,
                                      "url": f"/{row.customer.language}/"})
            if row.email and (row.customer is None or row.customer.is_active):
                emails.append(resolved_email(incident=incident, to_email=row.email, user=row.customer,
                                             language=row.language if row.customer is None
                                             else row.customer.language))
        notifications_create_many(notifications)
        outbound_emails_queue_many(emails)
        IncidentNotice.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=timezone.now())
    return len(rows)


def notification_params(incident):
    """The texts of the in-site notification, in every language (it is read in the reader's language)."""
    return {"titles": selectors.texts_by_language(incident, "title"),
            "messages": selectors.texts_by_language(incident, "resolution")}


def incident_pending_notices(*, incident_id):
    return IncidentNotice.objects.filter(incident_id=incident_id, sent_at__isnull=True).exists()
