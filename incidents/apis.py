"""Incident API. Public: the open incidents' notices (for front ends and the embeddable widget). Staff: the list
with linked counts (agents), declare, change and resolve (supervisors)."""
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from support.languages import LANGUAGE_CODES, normalize_language
from support.pagination import StandardPagination
from support.permissions import IsAgent, IsSupervisor
from support.schema import errors
from support.serializers import StrictInputSerializer

from . import selectors, services
from .models import Incident, IncidentStatus, Severity

TEXTS_HELP = "per language: {\"en\": \"...\", \"ja\": \"...\"}; languages: " + ", ".join(LANGUAGE_CODES)


def _texts_field(*, required, max_length, help_text=TEXTS_HELP):
    return serializers.DictField(child=serializers.CharField(max_length=max_length, allow_blank=True, trim_whitespace=True),
                                 required=required, help_text=help_text)


class PublicIncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    severity = serializers.ChoiceField(choices=Severity.values)
    title = serializers.CharField(help_text="in the requested language (English where it has none)")
    notice = serializers.CharField()
    declared_at = serializers.DateTimeField()


class IncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=IncidentStatus.values)
    severity = serializers.ChoiceField(choices=Severity.values)
    title = serializers.DictField(child=serializers.CharField())
    notice = serializers.DictField(child=serializers.CharField())
    resolution = serializers.DictField(child=serializers.CharField())
    keywords = serializers.ListField(child=serializers.CharField())
    tag = serializers.CharField(help_text="the tag its linked tickets carry")
    declared_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    linked_count = serializers.IntegerField(help_text="tickets and chats linked to it")
    ticket_count = serializers.IntegerField()
    chat_count = serializers.IntegerField()
    notify_customers = serializers.BooleanField()
    solve_tickets = serializers.BooleanField()


def _incident_data(incident):
    return IncidentSerializer({
        "id": incident.pk, "status": incident.status, "severity": incident.severity,
        "title": selectors.texts_by_language(incident, "title"),
        "notice": selectors.texts_by_language(incident, "notice"),
        "resolution": selectors.texts_by_language(incident, "resolution"),
        "keywords": incident.keywords, "tag": incident.tag, "declared_at": incident.declared_at,
        "resolved_at": incident.resolved_at, "linked_count": incident.linked_count,
        "ticket_count": incident.ticket_count, "chat_count": incident.chat_count,
        "notify_customers": incident.notify_customers, "solve_tickets": incident.solve_tickets}).data


class DeclareInputSerializer(StrictInputSerializer):
    title = _texts_field(required=True, max_length=200)
    notice = _texts_field(required=True, max_length=2000)
    keywords = serializers.ListField(child=serializers.CharField(max_length=60), max_length=40, allow_empty=False,
                                     help_text="words customers would use, in any language")
    severity = serializers.ChoiceField(choices=Severity.values, default=Severity.MAJOR)


class UpdateInputSerializer(StrictInputSerializer):
    title = _texts_field(required=False, max_length=200)
    notice = _texts_field(required=False, max_length=2000)
    keywords = serializers.ListField(child=serializers.CharField(max_length=60), max_length=40, allow_empty=False,
                                     required=False)
    severity = serializers.ChoiceField(choices=Severity.values, required=False)


class ResolveInputSerializer(StrictInputSerializer):
    notify = serializers.BooleanField(default=True, help_text="tell every linked customer (in-site and email)")
    solve_tickets = serializers.BooleanField(default=False, help_text="solve the linked tickets")
    resolution = _texts_field(required=False, max_length=2000,
                              help_text="what customers are told, per language (a standard text stands in)")


class ActiveIncidentsApi(APIView):
    """No authentication: the same answer for everyone."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("lang", str, enum=list(LANGUAGE_CODES),
                                                description="the language of the texts (default: the request's)")],
                   responses={200: PublicIncidentSerializer(many=True)}, tags=["incidents"],
                   operation_id="incidents_active", summary="The open incidents' notices")
    def get(self, request):
        language = normalize_language(request.query_params.get("lang")) or getattr(request, "LANGUAGE_CODE", "en")
        language = normalize_language(language) or "en"
        rows = [{"id": i.id, "severity": i.severity, "title": i.title(language), "notice": i.notice(language),
                 "declared_at": i.declared_at} for i in selectors.open_incidents()]
        return Response(PublicIncidentSerializer(rows, many=True).data)


class StaffWritePermission(IsAgent):
    """Agents read; supervisors declare, change and resolve."""

    def has_permission(self, request, view):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return super().has_permission(request, view)
        return IsSupervisor().has_permission(request, view)


class IncidentListApi(APIView):
    permission_classes = [StaffWritePermission]
    pagination_class = StandardPagination

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=IncidentStatus.values)],
                   responses={200: IncidentSerializer(many=True), **errors(400, 401, 403, 404)}, tags=["incidents"],
                   operation_id="incidents_list", summary="Incidents with their linked counts (agents)")
    def get(self, request):
        wanted = request.query_params.get("status") or None
        if wanted is not None and wanted not in IncidentStatus.values:
            raise serializers.ValidationError({"status": [f"one of {', '.join(IncidentStatus.values)}"]})
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.incident_list(status=wanted), request, view=self)
        return paginator.get_paginated_response([_incident_data(incident) for incident in page])

    @extend_schema(request=DeclareInputSerializer, responses={201: IncidentSerializer, **errors(400, 401, 403, 415)},
                   tags=["incidents"], operation_id="incidents_declare", summary="Declare an incident (supervisors)")
    def post(self, request):
        data = DeclareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident = services.incident_declare(by=request.user, titles=data.validated_data["title"],
                                             notices=data.validated_data["notice"],
                                             keywords=data.validated_data["keywords"],
                                             severity=data.validated_data["severity"])
        return Response(_incident_data(selectors.incident_get(incident_id=incident.pk)), status=status.HTTP_201_CREATED)


def _get(incident_id):
    try:
        return selectors.incident_get(incident_id=incident_id)
    except Incident.DoesNotExist as exc:
        raise Http404 from exc


class IncidentDetailApi(APIView):
    permission_classes = [StaffWritePermission]

    @extend_schema(responses={200: IncidentSerializer, **errors(401, 403, 404)}, tags=["incidents"],
                   operation_id="incidents_get")
    def get(self, request, incident_id):
        return Response(_incident_data(_get(incident_id)))

    @extend_schema(request=UpdateInputSerializer, responses={200: IncidentSerializer, **errors(400, 401, 403, 404, 415)},
                   tags=["incidents"], operation_id="incidents_update",
                   summary="Change an open incident's texts, keywords or severity (supervisors)")
    def patch(self, request, incident_id):
        incident = _get(incident_id)
        data = UpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.incident_update(incident=incident, titles=values.get("title"), notices=values.get("notice"),
                                 keywords=values.get("keywords"), severity=values.get("severity"))
        return Response(_incident_data(_get(incident_id)))


class IncidentResolveApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(request=ResolveInputSerializer, responses={200: IncidentSerializer, **errors(400, 401, 403, 404, 415)},
                   tags=["incidents"], operation_id="incidents_resolve",
                   summary="Resolve an incident; optionally tell linked customers and solve linked tickets")
    def post(self, request, incident_id):
        incident = _get(incident_id)
        data = ResolveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.incident_resolve(incident=incident, by=request.user, notify=data.validated_data["notify"],
                                  solve_tickets=data.validated_data["solve_tickets"],
                                  resolutions=data.validated_data.get("resolution"))
        return Response(_incident_data(_get(incident_id)))
