"""The agent workspace (mounted under the language prefix): /<lang>/agent/ and its search. It lives in livechat
because it shows chats and tickets together, and livechat is the app allowed to import tickets."""
from django.urls import path

from . import views

app_name = "agent"

urlpatterns = [
    path("agent/", views.workspace, name="home"),
    path("agent/search/", views.workspace_search, name="search"),
]
