"""Reads of the shared core, scoped to the user who asks."""
from .models import Notification, OutboundEmail


def notification_list_for_user(*, user, unread_only=False):
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def notification_unread_count(*, user):
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def outbound_failures_for_topic(*, topic, limit=10):
    """Emails about one thing (e.g. a ticket) that could not be delivered, newest first."""
    return list(OutboundEmail.objects.filter(topic=topic, status=OutboundEmail.Status.FAILED)
                .order_by("-created_at")[:limit])
