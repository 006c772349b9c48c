"""Chat pages (mounted under the language prefix)."""
from django.urls import path

from . import views

app_name = "livechat"

urlpatterns = [
    path("chat/", views.chat_page, name="start"),
    path("chat/transcript/<str:token>/", views.transcript_page, name="transcript"),
    path("agent/chats/", views.console, name="console"),
]
