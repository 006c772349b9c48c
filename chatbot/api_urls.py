"""Chatbot API URLs (mounted at /api/v1/)."""
from django.urls import path

from . import apis

urlpatterns = [path("bot/ask", apis.BotAskApi.as_view(), name="api-bot-ask")]
