"""Roles are Django groups with a fixed set of permissions; checks ask for permissions, never for group names.

customer < agent < supervisor < admin: each role holds the permissions of the ones before it.
"""
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _

PERM_AGENT = "support.work_as_agent"
PERM_SUPERVISOR = "support.supervise_desk"
PERM_ADMIN = "support.administer_desk"


class Role(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Admin")


# Permission codenames (app "support") each role's group holds.
ROLE_PERMISSIONS = {
    Role.CUSTOMER: [],
    Role.AGENT: ["work_as_agent"],
    Role.SUPERVISOR: ["work_as_agent", "supervise_desk"],
    Role.ADMIN: ["work_as_agent", "supervise_desk", "administer_desk"],
}
# Highest first, so a user in two groups by accident is treated as the higher role.
ROLE_ORDER = [Role.ADMIN, Role.SUPERVISOR, Role.AGENT, Role.CUSTOMER]
STAFF_ROLES = {Role.AGENT, Role.SUPERVISOR, Role.ADMIN}


def ensure_role_groups():
    """Create the role groups and give each exactly its permissions. Safe to run any number of times."""
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="support")}
    groups = {}
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set([perms[c] for c in codenames if c in perms])
        groups[role] = group
    return groups


def ensure_role_groups_after_migrate(sender, **kwargs):
    """post_migrate receiver (SupportConfig.ready): after migrate and after a test database flush, the role groups
    must always exist with their permissions."""
    ensure_role_groups()


def user_role(user):
    """The user's role, read from their groups (prefetched groups are used when present)."""
    if not user.is_authenticated:
        return None
    names = {g.name for g in user.groups.all()}
    for role in ROLE_ORDER:
        if role.value in names:
            return role
    return Role.CUSTOMER


def is_agent(user):
    return user.is_authenticated and user.is_active and user.has_perm(PERM_AGENT)


def is_supervisor(user):
    return user.is_authenticated and user.is_active and user.has_perm(PERM_SUPERVISOR)


def is_desk_admin(user):
    return user.is_authenticated and user.is_active and user.has_perm(PERM_ADMIN)
