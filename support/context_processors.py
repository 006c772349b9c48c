"""Values every page template needs: site name, the user's role flags and unread notification count."""
from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .roles import is_agent, is_desk_admin, is_supervisor
from .selectors import notification_unread_count


def site(request):
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "SITE_NAME": settings.SITE_NAME,
        # Lazy, so pages that never show the header do not pay for the query.
        "unread_notifications": SimpleLazyObject(lambda: notification_unread_count(user=user)) if authenticated else 0,
        "user_is_agent": authenticated and is_agent(user),
        "user_is_supervisor": authenticated and is_supervisor(user),
        "user_is_desk_admin": authenticated and is_desk_admin(user),
    }
