"""The open incidents for the banner every page shows (help center, request form, chat widget, workspace)."""
import functools

from django.conf import settings

from support.roles import is_agent

from . import selectors


def incidents(request):
    user = getattr(request, "user", None)
    staff = bool(user and user.is_authenticated and is_agent(user))

    def banner():
        found = selectors.open_incidents()
        if not found or not staff:
            return [(incident, None) for incident in found]
        counts = selectors.linked_counts(incident_ids=[incident.id for incident in found])
        return [(incident, counts.get(incident.id, 0)) for incident in found]

    # A cached callable: a page that never renders the banner (the API, a JSON view) costs nothing.
    return {"incident_banner": functools.cache(banner),
            "INCIDENT_BANNER_REFRESH_SECONDS": settings.INCIDENT_BANNER_REFRESH_SECONDS}
