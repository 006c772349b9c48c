"""Websocket URLs of every app, wired together here (the apps' own routing modules list their consumers)."""
from desk.routing import websocket_urlpatterns as desk_routes
from livechat.routing import websocket_urlpatterns as livechat_routes

websocket_urlpatterns = [*livechat_routes, *desk_routes]
