"""Websocket URLs of every app, wired together here (the apps' own routing modules list their consumers)."""
websocket_urlpatterns = []
