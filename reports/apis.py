"""Reports over the API: the same tables as the page (supervisors), and the wallboard (agents)."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from support.permissions import IsAgent, IsSupervisor
from support.schema import errors

from . import selectors
from .forms import ReportFilterForm


class ReportColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["int", "text", "pct", "seconds", "minutes", "score", "date"])


class ReportTableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = ReportColumnSerializer(many=True)
    rows = serializers.ListField(child=serializers.DictField())


class ReportPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    time_zone = serializers.CharField()
    language = serializers.CharField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)


class ReportOutputSerializer(serializers.Serializer):
    period = ReportPeriodSerializer()
    tables = ReportTableSerializer(many=True)


class ReportsApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(
        operation_id="reports_get",
        summary="Supervisor report for a period (the tables of /agent/reports/)",
        parameters=[
            OpenApiParameter("start", str, description="First day, YYYY-MM-DD (default: 28 days before end)"),
            OpenApiParameter("end", str, description="Last day, YYYY-MM-DD, inclusive (default: today)"),
            OpenApiParameter("language", str, description="One language code; all when absent"),
            OpenApiParameter("team", int, description="A team id; all when absent"),
            OpenApiParameter("tz", str, description="IANA time zone days and hours are counted in (default UTC)"),
        ],
        responses={200: ReportOutputSerializer, **errors(400, 401, 403)})
    def get(self, request):
        form = ReportFilterForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError({
                "non_field_errors" if key == "__all__" else key: [e["message"] for e in errors]
                for key, errors in form.errors.get_json_data().items()})
        period = form.period()
        tables = selectors.report(period)
        return Response({
            "period": {"start": period.start, "end": period.end, "time_zone": str(period.tz),
                       "language": period.language, "team": period.team.pk if period.team else None},
            "tables": [table.as_dict() for table in tables.values()]})


class WallboardLanguageSerializer(serializers.Serializer):
    language = serializers.CharField()
    label = serializers.CharField()
    waiting = serializers.IntegerField()
    longest_wait = serializers.IntegerField(help_text="seconds")
    agents_online = serializers.IntegerField()


class WallboardSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    languages = WallboardLanguageSerializer(many=True)
    sla_today = serializers.FloatField(allow_null=True, help_text="percent of SLA timers finished today that were met")
    sla_finished_today = serializers.IntegerField()
    csat_today = serializers.FloatField(allow_null=True, help_text="mean 1-5 score of today's ratings")
    csat_answers_today = serializers.IntegerField()


class WallboardApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="reports_wallboard", summary="The live desk: waiting, agents online, today's SLA "
                   "and CSAT", responses={200: WallboardSerializer, **errors(401, 403)})
    def get(self, request):
        return Response(WallboardSerializer(selectors.wallboard()).data)
