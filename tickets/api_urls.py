"""Ticket API URLs (mounted at /api/v1/)."""
from django.urls import path

from . import apis, export_views

urlpatterns = [
    path("tickets/", apis.TicketListCreateApi.as_view(), name="api-tickets"),
    path("tickets/bulk/", apis.TicketBulkApi.as_view(), name="api-tickets-bulk"),
    path("tickets/export.csv", export_views.TicketExportApi.as_view(), name="api-tickets-export"),
    path("tickets/claim/", apis.TicketClaimApi.as_view(), name="api-tickets-claim"),
    path("tickets/<str:ref>/", apis.TicketDetailApi.as_view(), name="api-ticket"),
    path("tickets/<str:ref>/messages/", apis.TicketMessagesApi.as_view(), name="api-ticket-messages"),
    path("tickets/<str:ref>/merge/", apis.TicketMergeApi.as_view(), name="api-ticket-merge"),
    path("ticket-categories/", apis.CategoryListApi.as_view(), name="api-ticket-categories"),
    path("ticket-fields/", apis.TicketFieldListApi.as_view(), name="api-ticket-fields"),
    path("macros/", apis.MacroListApi.as_view(), name="api-macros"),
    path("ticket-views/", apis.SavedViewListCreateApi.as_view(), name="api-ticket-views"),
    path("ticket-views/<int:view_id>/", apis.SavedViewDetailApi.as_view(), name="api-ticket-view"),
    path("attachments/<uuid:attachment_id>/", apis.AttachmentApi.as_view(), name="api-attachment"),
    path("attachments/<uuid:attachment_id>/thumbnail/", apis.AttachmentApi.as_view(), {"thumbnail": True},
         name="api-attachment-thumbnail"),
]
