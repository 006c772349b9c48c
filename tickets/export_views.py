"""The ticket CSV export's two edges: the inbox's "Export CSV" link (the page's own query) and
GET /api/v1/tickets/export.csv (the list's filters). Thin: read the filters, audit, stream (tickets/exports.py)."""
from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from support.audit import audit_read
from support.csv_export import CsvStreamingResponse
from support.models import AuditEvent
from support.permissions import IsAgent, agent_required
from support.schema import errors

from .apis import FILTER_PARAMS
from .custom_fields import ticket_fields_active
from .exports import export_condition, export_filename, ticket_export_for_user
from .filters import inbox_params


def export_response(request, *, condition, ticket_fields):
    """The CSV of the tickets meeting `condition`, streamed; the export is recorded in the audit log (who exported
    what query) before the first row is read."""
    export = ticket_export_for_user(user=request.user, condition=condition, ticket_fields=ticket_fields)
    audit_read(request, action=AuditEvent.Action.EXPORT, object_type="tickets",
               object_id=request.GET.urlencode() or "all")
    response = CsvStreamingResponse(export.chunks(), filename=export_filename())
    response["X-Export-Row-Limit"] = str(export.max_rows)
    if export.truncated():
        response["X-Export-Truncated"] = "true"
    return response


@agent_required
def inbox_export(request):
    """The tickets the inbox shows for this query (its view and filters, with the inbox's defaults), as CSV. Filters
    the inbox would refuse send the agent back to it, where the form says what is wrong."""
    ticket_fields = ticket_fields_active()
    try:
        condition = export_condition(inbox_params(request.GET), user=request.user, ticket_fields=ticket_fields,
                                     strict=False)
    except DjangoValidationError:
        messages.error(request, _("Correct the filters, then export again."))
        query = request.GET.urlencode()
        return redirect(reverse("tickets:inbox") + (f"?{query}" if query else ""))
    return export_response(request, condition=condition, ticket_fields=ticket_fields)


class TicketExportApi(APIView):
    """Agents export the tickets the list's filters select, as CSV."""

    permission_classes = [IsAgent]
    renderer_classes = [JSONRenderer]

    def perform_content_negotiation(self, request, force=False):
        """The answer is CSV and an error is the API's JSON, whatever the client's Accept says (text/csv too)."""
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    @extend_schema(parameters=FILTER_PARAMS, tags=["tickets"], responses={
        (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=(
            "UTF-8 with a byte-order mark; one line per ticket in reference order, at most TICKET_EXPORT_MAX_ROWS "
            "(X-Export-Row-Limit); X-Export-Truncated: true, and a last line saying so, when more matched.")),
        **errors(400, 401, 403)})
    def get(self, request):
        ticket_fields = ticket_fields_active()
        try:
            condition = export_condition(request.query_params, user=request.user, ticket_fields=ticket_fields,
                                         strict=True)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return export_response(request, condition=condition, ticket_fields=ticket_fields)
