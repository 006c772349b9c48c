"""Incident API URLs (mounted at /api/v1/)."""
from django.urls import path

from . import apis

urlpatterns = [
    path("incidents/", apis.IncidentListApi.as_view(), name="api-incidents"),
    path("incidents/active/", apis.ActiveIncidentsApi.as_view(), name="api-incidents-active"),
    path("incidents/<int:incident_id>/", apis.IncidentDetailApi.as_view(), name="api-incident"),
    path("incidents/<int:incident_id>/resolve/", apis.IncidentResolveApi.as_view(), name="api-incident-resolve"),
]
