"""Permission checks for staff-only endpoints and pages; they ask for permissions, not groups."""
from rest_framework.permissions import BasePermission

from .roles import is_agent, is_supervisor


class IsAgent(BasePermission):
    def has_permission(self, request, view):
        return is_agent(request.user)


class IsSupervisor(BasePermission):
    def has_permission(self, request, view):
        return is_supervisor(request.user)


def agent_required(view):
    """Pages: login required, then agents only; others get the 404 page (the agent area is not advertised)."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.http import Http404

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_agent(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def supervisor_required(view):
    """Pages for supervisors and admins: login required, then 403 for everyone else (agents know these pages exist
    and get a readable refusal)."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_supervisor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
