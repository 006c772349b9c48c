"""Ticket pages (mounted under the language prefix)."""
from django.urls import path

from . import export_views, field_views, views, views_saved

app_name = "tickets"

urlpatterns = [
    path("requests/new/", views.ticket_new, name="new"),
    path("requests/", views.my_tickets, name="my_list"),
    path("requests/confirm/<str:token>/", views.ticket_claim, name="claim"),
    path("requests/<str:ref>/", views.ticket_detail, name="detail"),
    path("requests/<str:ref>/status/", views.ticket_set_status, name="set_status"),
    path("rate/<str:token>/", views.ticket_rate, name="rate"),
    path("agent/tickets/", views.inbox, name="inbox"),
    path("agent/tickets/bulk/", views.inbox_bulk, name="inbox_bulk"),
    path("agent/tickets/export.csv", export_views.inbox_export, name="inbox_export"),
    path("agent/tickets/views/", views_saved.inbox_view_save, name="inbox_view_save"),
    path("agent/tickets/views/<int:view_id>/rename/", views_saved.inbox_view_rename, name="inbox_view_rename"),
    path("agent/tickets/views/<int:view_id>/delete/", views_saved.inbox_view_delete, name="inbox_view_delete"),
    path("agent/fields/", field_views.fields_list, name="fields"),
    path("agent/fields/new/", field_views.field_new, name="field_new"),
    path("agent/fields/<int:field_id>/", field_views.field_edit, name="field_edit"),
    path("agent/fields/<int:field_id>/toggle/", field_views.field_toggle, name="field_toggle"),
    path("agent/fields/<int:field_id>/move/", field_views.field_move, name="field_move"),
    path("agent/tickets/<str:ref>/", views.agent_ticket_detail, name="agent_detail"),
    path("agent/tickets/<str:ref>/update/", views.agent_ticket_update, name="agent_update"),
    path("agent/tickets/<str:ref>/merge/", views.agent_ticket_merge, name="agent_merge"),
]
