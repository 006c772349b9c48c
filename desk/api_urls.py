"""Workspace API URLs (mounted at /api/v1/)."""
from django.urls import path

from . import apis

urlpatterns = [
    path("agent/search/", apis.WorkspaceSearchApi.as_view(), name="api-agent-search"),
    path("agent/customers/<int:customer_id>/profile/", apis.CustomerProfileApi.as_view(),
         name="api-agent-customer-profile"),
    path("agent/customers/<int:customer_id>/timeline/", apis.CustomerTimelineApi.as_view(),
         name="api-agent-customer-timeline"),
    path("agent/chats/<uuid:conversation_id>/profile/", apis.ChatProfileApi.as_view(), name="api-agent-chat-profile"),
    path("agent/chats/<uuid:conversation_id>/assist/", apis.ChatAssistApi.as_view(), name="api-agent-chat-assist"),
    path("agent/tickets/<str:ref>/assist/", apis.TicketAssistApi.as_view(), name="api-agent-ticket-assist"),
]
