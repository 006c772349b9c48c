"""The in-site notification an incident's resolution sends: its texts are stored in every language and shown in the
reader's (support.notifications)."""
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from support.notifications import register_kind


def _pick(texts, language):
    return (texts or {}).get(language) or (texts or {}).get("en") or ""


def _prepare(params):
    language = translation.get_language() or "en"
    message = _pick(params.get("messages"), language) or str(_standard_message())
    return {"title": _pick(params.get("titles"), language), "message": message}


def _standard_message():
    return _("The problem is solved and everything works normally again. Thank you for your patience.")


register_kind("incident_resolved", title=_("Resolved: %(title)s"), body="%(message)s", prepare=_prepare)
