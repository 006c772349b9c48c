"""Workspace API URLs (mounted at /api/v1/)."""
from django.urls import path

from . import apis

urlpatterns = [
    path("agent/search/", apis.WorkspaceSearchApi.as_view(), name="api-agent-search"),
]
