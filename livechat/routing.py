"""Live chat websocket routes (wired in support/routing.py)."""
from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/chat/<uuid:conversation_id>/", consumers.CustomerChatConsumer.as_asgi()),
]
