"""The ticket page's websocket (wired in support/routing.py)."""
from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/agent/tickets/<str:ref>/", consumers.TicketPresenceConsumer.as_asgi()),
]
