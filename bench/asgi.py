"""The desk's ASGI application with one more websocket route: a minimal Channels room, the floor our chat consumer
is compared with (same server, same layer; it neither authenticates nor stores anything)."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from support.routing import websocket_urlpatterns  # noqa: E402


class RoomConsumer(AsyncWebsocketConsumer):
    """Join a room; every text frame goes to everyone in the room through the channel layer."""

    async def connect(self):
        self.room = f"benchroom.{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.room, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.room, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(self.room, {"type": "room.message", "text": text_data,
                                                        "sender": self.channel_name})

    async def room_message(self, event):
        if event["sender"] != self.channel_name:
            await self.send(text_data=event["text"])


application = ProtocolTypeRouter({
    "http": django_asgi_app,
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter([
        path("ws/bench/room/<str:room>/", RoomConsumer.as_asgi()), *websocket_urlpatterns]))),
})
