"""Chat pages (mounted under the language prefix)."""
from django.urls import path

from . import views

app_name = "livechat"

urlpatterns = [
    path("chat/", views.chat_page, name="start"),
    path("chat/transcript/<str:token>/", views.transcript_page, name="transcript"),
    path("agent/chats/", views.console, name="console"),
    path("agent/chats/<uuid:conversation_id>/", views.agent_chat_page, name="agent_chat"),
]
