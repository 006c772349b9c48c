"""Authentication: Django's ModelBackend behind the login limits of support.ratelimit. Every password check goes
through here (the login page, the token API, the admin's login), so all three share one count per address and
one lock per account."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, Value
from django.db.models.functions import Concat

from . import ratelimit


def permission_names(user_ref="pk"):
    """The user's permissions ("app_label.codename": their own and their groups') as an array, for the same statement
    that reads the user. Every page and API request asks whether the user is an agent, which cost Django's backend
    two more queries per request (its permissions, its groups' permissions)."""
    user = OuterRef(OuterRef(user_ref))
    own = get_user_model().user_permissions.through.objects.filter(user_id=user).values("permission_id")
    through_groups = Group.permissions.through.objects.filter(group__user=user).values("permission_id")
    return ArraySubquery(Permission.objects.filter(Q(id__in=own) | Q(id__in=through_groups)).order_by()
                         .annotate(qualified=Concat("content_type__app_label", Value("."), "codename"))
                         .values("qualified"))


def remember_permissions(user, names):
    """Seed Django's per-object permission cache (what ModelBackend fills on the first has_perm) with what was read
    alongside the user. A superuser is left alone: Django answers has_perm for them without the backend."""
    if not user.is_superuser:
        user._perm_cache = set(names)
    return user


class RateLimitedModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None:  # not a login attempt from outside (tests' client.login, scripts)
            return super().authenticate(request, username=username, password=password, **kwargs)
        ratelimit.login_attempt(request, username)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            ratelimit.login_failed(username)
        else:
            ratelimit.login_succeeded(username)
        return user

    def get_user(self, user_id):
        """The user of a session (pages, the API with a cookie, sockets), with their permissions in the same query."""
        user = get_user_model()._default_manager.annotate(permission_names=permission_names()).filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        return remember_permissions(user, user.permission_names)
