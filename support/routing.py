"""Websocket URLs of every app, wired together here (the apps' own routing modules list their consumers)."""
from django.urls import path

from desk.routing import websocket_urlpatterns as desk_routes
from livechat.routing import websocket_urlpatterns as livechat_routes
from tickets.routing import websocket_urlpatterns as ticket_routes

from .consumers import NotificationBellConsumer

websocket_urlpatterns = [
    *livechat_routes, *ticket_routes, *desk_routes,
    # The header's bell on every page of a signed-in person (support.consumers).
    path("ws/notifications/", NotificationBellConsumer.as_asgi()),
]
