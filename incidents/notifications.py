"""The in-site notification an incident's resolution sends: its texts are stored in every language and shown in the
reader's (support.notifications)."""
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from support.notifications import register_kind


def text_in_language(texts, language):
    """The text of `texts` (by language) in `language`, else English, else ""."""
    return (texts or {}).get(language) or (texts or {}).get("en") or ""


def _prepare(params):
    language = translation.get_language() or "en"
    message = text_in_language(params.get("messages"), language) or str(standard_resolution_message())
    return {"title": text_in_language(params.get("titles"), language), "message": message}


def standard_resolution_message():
    """What a resolved incident tells people when its resolver wrote nothing in their language."""
    return _("The problem is solved and everything works normally again. Thank you for your patience.")


register_kind("incident_resolved", title=_("Resolved: %(title)s"), body="%(message)s", prepare=_prepare)
