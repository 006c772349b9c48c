"""Permission checks for staff-only endpoints and pages; they ask for permissions, not groups."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.permissions import BasePermission

from .roles import is_agent, is_supervisor


class IsAgent(BasePermission):
    def has_permission(self, request, view):
        return is_agent(request.user)


class IsSupervisor(BasePermission):
    def has_permission(self, request, view):
        return is_supervisor(request.user)


def _page_requires(check, refusal):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise refusal
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Pages: login required, then agents only; others get the 404 page (the agent area is not advertised).
agent_required = _page_requires(is_agent, Http404)
# Supervisors and admins; everyone else gets 403 (agents know these pages exist and get a readable refusal).
supervisor_required = _page_requires(is_supervisor, PermissionDenied)
