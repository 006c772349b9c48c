"""Live chat websocket routes (wired in support/routing.py)."""
from django.urls import path

from . import consumers
from .consumers.presence import ChatPresenceConsumer

websocket_urlpatterns = [
    path("ws/chat/<uuid:conversation_id>/", consumers.CustomerChatConsumer.as_asgi()),
    # Which staff have the chat open, and who is typing (collision detection, issue #24).
    path("ws/agent/chats/<uuid:conversation_id>/", ChatPresenceConsumer.as_asgi()),
]
