"""The agent's websocket (wired in support/routing.py)."""
from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/agent/", consumers.DeskConsumer.as_asgi()),
]
