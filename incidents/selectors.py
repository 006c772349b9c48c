"""Reads of incidents. The open incidents are read on every customer page (the banner), by the bot and by every new
ticket and chat, so they are kept in the shared cache (Redis) under one key that every change deletes: one cache
read per page, no query, and every process sees a declaration or resolution at once."""
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import translation

from support.languages import LANGUAGE_CODES

from .matching import keywords_pattern, matches
from .models import Incident, IncidentLink, IncidentStatus, LinkChannel

CACHE_KEY = "incidents:open:v1"
CACHE_SECONDS = 300  # a safety net only: every change deletes the key


def _lang_field(language):
    return language.replace("-", "_")


@dataclass(frozen=True)
class OpenIncident:
    id: int
    severity: str
    titles: dict
    notices: dict
    keywords: tuple
    declared_at: str
    pattern: object = field(default=None, compare=False, repr=False)

    def title(self, language=None):
        return _in(self.titles, language)

    def notice(self, language=None):
        return _in(self.notices, language)

    @property
    def tag(self):
        return f"incident-{self.id}"

    def matches(self, text):
        return matches(self.pattern, text)


def _in(texts, language):
    language = language or translation.get_language() or "en"
    return texts.get(language) or texts.get("en") or ""


def texts_by_language(incident, name):
    """{language: text} of a translated field, languages left empty omitted."""
    result = {}
    for code in LANGUAGE_CODES:
        value = getattr(incident, f"{name}_{_lang_field(code)}", "") or ""
        if value.strip():
            result[code] = value
    return result


def _load():
    rows = []
    for incident in Incident.objects.filter(status=IncidentStatus.OPEN).order_by("-declared_at", "-id"):
        rows.append({"id": incident.pk, "severity": incident.severity,
                     "titles": texts_by_language(incident, "title"), "notices": texts_by_language(incident, "notice"),
                     "keywords": list(incident.keywords), "declared_at": incident.declared_at.isoformat()})
    return rows


def open_incidents():
    """The open incidents, newest first (from the cache)."""
    rows = cache.get(CACHE_KEY)
    if rows is None:
        rows = _load()
        cache.set(CACHE_KEY, rows, CACHE_SECONDS)
    severity_rank = {"critical": 0, "major": 1, "minor": 2}
    incidents = [OpenIncident(id=row["id"], severity=row["severity"], titles=row["titles"], notices=row["notices"],
                              keywords=tuple(row["keywords"]), declared_at=row["declared_at"],
                              pattern=keywords_pattern(row["keywords"])) for row in rows]
    return sorted(incidents, key=lambda i: severity_rank.get(i.severity, 3))


def open_incidents_forget():
    cache.delete(CACHE_KEY)


def incident_matching(*texts):
    """The open incident the texts are about (the most severe when several match), or None."""
    text = "\n".join(t for t in texts if t)
    if not text:
        return None
    for incident in open_incidents():
        if incident.matches(text):
            return incident
    return None


def incident_list(*, status=None):
    """Incidents with their count of linked contacts (one query)."""
    queryset = Incident.objects.annotate(
        linked_count=Count("links", distinct=True),
        ticket_count=Count("links", filter=Q(links__channel=LinkChannel.TICKET), distinct=True),
        chat_count=Count("links", filter=Q(links__channel=LinkChannel.CHAT), distinct=True),
    ).select_related("declared_by", "resolved_by")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("status", "-declared_at", "-id")


def incident_get(*, incident_id):
    """One incident with its counts, or Incident.DoesNotExist."""
    return incident_list().get(pk=incident_id)


def incident_links(*, incident, channel=None):
    queryset = IncidentLink.objects.filter(incident=incident).select_related("customer")
    if channel:
        queryset = queryset.filter(channel=channel)
    return queryset.order_by("-linked_at", "-id")


def incident_for_object(*, channel, object_ids):
    """{object_id: (incident id, title)} for the tickets or chats given (for badges in lists; one query)."""
    links = (IncidentLink.objects.filter(channel=channel, object_id__in=[str(o) for o in object_ids])
             .select_related("incident").order_by("linked_at"))
    return {link.object_id: link.incident for link in links}


def notice_counts(*, incident):
    """How many people are to be told of the resolution, and how many have been."""
    counts = incident.notices.aggregate(total=Count("id"), sent=Count("id", filter=Q(sent_at__isnull=False)))
    return {"total": counts["total"] or 0, "sent": counts["sent"] or 0}


def linked_counts(*, incident_ids):
    """{incident id: linked contacts} for the staff banner and the workspace (one query)."""
    rows = (IncidentLink.objects.filter(incident_id__in=incident_ids).values("incident_id")
            .annotate(count=Count("id")).values_list("incident_id", "count"))
    return dict(rows)
