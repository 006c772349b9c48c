"""The core's doorbells over the channel layer (Channels is a library, not an app, so the core may ring them): a
per-user group that any socket of that user can join, and the one helper every app's events use to send a frame.
The database is the source of truth; a frame is sent after commit and delivered at most once."""
import asyncio
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def user_group(user_id):
    return f"user.{user_id}"


def group_send_frame(group, frame):
    """Send `frame` to every socket in `group`; consumers handle it with their `frame` method."""
    layer = get_channel_layer()
    if layer is None:
        return
    send = async_to_sync(layer.group_send)
    message = {"type": "frame", "frame": frame}
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send(group, message)  # the usual case: a sync caller (a request, a task, a consumer's database thread)
        return
    # Called from a thread that runs an event loop (async_to_sync refuses to block it): ring from a helper thread.
    helper = threading.Thread(target=send, args=(group, message), daemon=True)
    helper.start()
    helper.join(timeout=5)


def notification_created(notification):
    """A doorbell naming the new notification; the user's socket loads and renders it in their language."""
    group_send_frame(user_group(notification.user_id), {"type": "notification", "notification": notification.id})
