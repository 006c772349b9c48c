"""The email that tells a linked customer an incident is resolved, in their language."""
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .notifications import standard_resolution_message, text_in_language
from .selectors import texts_by_language


def resolved_email(*, incident, to_email, user=None, language="en"):
    """The outbox entry (a dict for support.outbox.outbound_emails_queue_many) for one person."""
    with translation.override(language):
        title = text_in_language(texts_by_language(incident, "title"), language)
        context = {
            "title": title,
            "message": text_in_language(texts_by_language(incident, "resolution"), language) or str(standard_resolution_message()),
            "name": (user.display_name if user is not None else ""),
            "status_url": f"{settings.SITE_URL}{reverse('incidents:status')}",
            "site_name": settings.SITE_NAME,
            "language": language,
        }
        subject = _("Resolved: %(title)s") % {"title": title}
        body_text = render_to_string("email/incidents/resolved.txt", context)
        body_html = render_to_string("email/incidents/resolved.html", context)
    return {"to_email": to_email, "user": user, "subject": subject, "body_text": body_text, "body_html": body_html,
            "auto_generated": True, "topic": f"incident:{incident.pk}"}
