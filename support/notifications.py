"""Notification kinds: each app registers the texts of the notifications it creates.

A notification row stores a kind and parameters, not text, so it reads in whatever language the user has chosen
when they look at it, and a translation fix reaches old notifications too.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NotificationKind:
    title: str
    body: str = ""
    # Turns stored params into display values at read time (e.g. a status code into its translated label).
    prepare: Callable[[dict], dict] | None = None


_KINDS = {}


def register_kind(kind, *, title, body="", prepare=None):
    """Declare how notifications of `kind` read; `title` and `body` are lazy strings with %(name)s parameters."""
    _KINDS[kind] = NotificationKind(title=title, body=body, prepare=prepare)


def is_registered(kind):
    return kind in _KINDS


def _format(kind, template, params):
    if kind.prepare is not None:
        try:
            params = kind.prepare(dict(params))
        except (KeyError, ValueError):
            pass
    text = str(template)
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        # A missing parameter must not break a user's notification list; show the unformatted text.
        return text


# Kinds not registered (e.g. "message", written by a person) carry their own text in params["title"/"body"].


def render_title(notification):
    kind = _KINDS.get(notification.kind)
    if kind is None:
        return str(notification.params.get("title", notification.kind))
    return _format(kind, kind.title, notification.params)


def render_body(notification):
    kind = _KINDS.get(notification.kind)
    if kind is None:
        return str(notification.params.get("body", ""))
    return _format(kind, kind.body, notification.params)


register_kind(
    "welcome",
    title=_("Welcome to %(site)s"),
    body=_("Your account is ready. Search the help center, chat with us or submit a request whenever you need help."),
)
