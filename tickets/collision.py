"""Collision detection on the agent's ticket page (issue #24), the page's side: the last public message it shows (the
reply form's hidden `seen` field, which services.collision checks on sending), the warning when someone wrote
meanwhile, and the texts the live part (static/tickets/js/collision.js, over tickets.consumers) shows."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from support.presence import presence_strings

REPLIED = gettext_noop("{names} replied while you were writing: read it, then send again.")


def last_public_message_id(conversation):
    """The id of the newest public message among those on the page (0 for none): what the agent has seen."""
    return max((message.id for message in conversation if not message.is_internal), default=0)


def author_name(message):
    return message.author.display_name if message.author_id else _("System")


def replied_meanwhile(messages, *, files_dropped):
    """What the warning shows: who wrote (each once, in order), their messages, and whether the files the agent
    had chosen must be chosen again (a browser never sends a file input back)."""
    names = presence_strings()["separator"].join(dict.fromkeys(author_name(message) for message in messages))
    return {"warning": _(REPLIED).replace("{names}", names), "messages": messages, "files_dropped": files_dropped}


def collision_strings():
    """The live line's and the live warning's texts, in the page's language ({name}, {names} filled in by JS)."""
    return {**presence_strings(), "replied": _(REPLIED), "send_anyway": _("Send anyway"), "system": _("System")}
