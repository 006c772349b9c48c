from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("status/", views.status_page, name="status"),
    path("status/banner/", views.banner_fragment, name="banner"),
    path("agent/incidents/", views.incident_list, name="list"),
    path("agent/incidents/new/", views.incident_new, name="new"),
    path("agent/incidents/<int:incident_id>/", views.incident_detail, name="detail"),
    path("agent/incidents/<int:incident_id>/edit/", views.incident_edit, name="edit"),
    path("agent/incidents/<int:incident_id>/resolve/", views.incident_resolve, name="resolve"),
]
