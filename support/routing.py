"""Websocket URLs of every app, wired together here (the apps' own routing modules list their consumers)."""
from livechat.routing import websocket_urlpatterns as livechat_routes

websocket_urlpatterns = [*livechat_routes]
