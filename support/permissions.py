"""DRF permission classes for staff-only endpoints; they ask for permissions, not groups."""
from rest_framework.permissions import BasePermission

from .roles import is_agent, is_supervisor


class IsAgent(BasePermission):
    def has_permission(self, request, view):
        return is_agent(request.user)


class IsSupervisor(BasePermission):
    def has_permission(self, request, view):
        return is_supervisor(request.user)
