"""Saved inbox views: an agent keeps a set of the inbox's filters under a name, for themselves, or (supervisors) for
every agent. The filters come validated and canonical from tickets.filters.saved_filters_clean."""
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from support.roles import is_agent, is_supervisor
from support.services import DomainError

from ..models import SavedView
from ..selectors import saved_view_editable
from .common import NotAllowed, text_clean

MAX_NAME = 60
MAX_PER_OWNER = 50
UNIQUE_NAME = "savedview_name_per_owner"


class ViewNameTaken(DomainError):
    code = "view_name_taken"


def _share_check(actor, shared):
    if shared and not is_supervisor(actor):
        raise NotAllowed(_("Only supervisors can share views with all agents."), field="shared")


def _saved(view, **save_kwargs):
    """Save, the unique constraint deciding between two requests that pick one name at once."""
    try:
        with transaction.atomic():
            view.save(**save_kwargs)
    except IntegrityError as exc:
        if UNIQUE_NAME not in str(exc):
            raise
        raise ViewNameTaken(_("You already have a view with this name."), field="name") from exc
    return view


def saved_view_create(*, owner, name, filters, shared=False):
    """An agent saves the inbox's filters under a name (unique per owner, whatever the case); only supervisors share
    a view with all agents. A new view goes last in its owner's list."""
    if not is_agent(owner):
        raise NotAllowed(_("Only agents can save inbox views."))
    _share_check(owner, shared)
    name = text_clean(name, field="name", limit=MAX_NAME, one_line=True)
    mine = SavedView.objects.filter(owner=owner).aggregate(count=Count("pk"), last=Max("position"))
    if mine["count"] >= MAX_PER_OWNER:
        raise DomainError(_("You can keep up to %(limit)s views; delete one first.") % {"limit": MAX_PER_OWNER},
                          code="too_many")
    position = min((mine["last"] or 0) + 1, 32767)
    return _saved(SavedView(owner=owner, name=name, filters=filters, shared=shared, position=position))


def saved_view_update(*, view, actor, name=None, shared=None, filters=None, position=None):
    """Rename a view, change its filters or place, share or unshare it: its owner for a personal view, supervisors
    for a shared one; a view is shared by supervisors alone."""
    if not saved_view_editable(view=view, user=actor):
        raise NotAllowed(_("Only its owner changes a personal view, and only supervisors a shared one."))
    if shared is not None and shared != view.shared:
        _share_check(actor, True)
        view.shared = shared
    if name is not None:
        view.name = text_clean(name, field="name", limit=MAX_NAME, one_line=True)
    if filters is not None:
        view.filters = filters
    if position is not None:
        view.position = position
    return _saved(view)


def saved_view_delete(*, view, actor):
    """Delete a view (the tickets in it are untouched): its owner for a personal view, supervisors for a shared
    one."""
    if not saved_view_editable(view=view, user=actor):
        raise NotAllowed(_("Only its owner deletes a personal view, and only supervisors a shared one."))
    view.delete()
