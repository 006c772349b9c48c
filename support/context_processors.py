"""Values every page template needs: site name, the user's role flags and unread notification count."""
import functools

from django.conf import settings

from .roles import is_agent, is_desk_admin, is_supervisor
from .selectors import notification_unread_count


def site(request):
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "SITE_NAME": settings.SITE_NAME,
        # A cached callable: templates call it, so pages that never show the count do not pay for the query, and
        # it stays a real int for plural rules (a lazy proxy breaks e.g. Russian's n % 10).
        "unread_notifications": functools.cache(lambda: notification_unread_count(user=user)) if authenticated else 0,
        "user_is_agent": authenticated and is_agent(user),
        "user_is_supervisor": authenticated and is_supervisor(user),
        "user_is_desk_admin": authenticated and is_desk_admin(user),
    }
