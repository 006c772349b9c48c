"""REST endpoints for tickets. Each validates input, calls one selector or service, and serializes."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import slug_re
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from support import ratelimit
from support.api_errors import error_body
from support.audit import audit_read
from support.filescan import AttachmentWithheld
from support.models import AuditEvent, Team, User
from support.pagination import StandardPagination
from support.permissions import IsAgent
from support.roles import is_agent
from support.schema import RETRY_AFTER, errors
from support.uploads import BINARY_TYPES

from . import selectors, services
from .custom_fields import ticket_fields_active
from .downloads import attachment_response
from .filters import TicketFilter, saved_filters_clean
from .inbox_views import counts_fill, inbox_views_for_user, saved_inbox_view
from .models import Attachment, Category, Macro, SavedView, Ticket
from .serializers import (
    AgentMessageOutputSerializer,
    AgentTicketOutputSerializer,
    BulkInputSerializer,
    BulkOutputSerializer,
    CategorySerializer,
    ClaimInputSerializer,
    ClaimOutputSerializer,
    InboxViewOutputSerializer,
    MacroOutputSerializer,
    MergeInputSerializer,
    MessageCreateInputSerializer,
    SavedViewCreateInputSerializer,
    SavedViewUpdateInputSerializer,
    TicketCreateInputSerializer,
    TicketFieldOutputSerializer,
    TicketUpdateInputSerializer,
    message_output,
    ticket_fields_output,
    ticket_output,
    tickets_output,
)


def _get_ticket(request, ref):
    try:
        return selectors.ticket_get_for_user(user=request.user, ref=ref)
    except Ticket.DoesNotExist as exc:
        raise NotFound() from exc


def _category(slug):
    if slug is None:
        return None
    category = Category.objects.filter(slug=slug, is_active=True).first()
    if category is None:
        raise ValidationError({"category": ["Unknown category."]})
    return category


def _fields_refused(exc):
    """services.FieldErrors as the API's error shape: the first problem's code and message, and every field's
    messages under its path, "custom_fields.<key>"."""
    return Response(error_body(exc.code, exc.detail, exc.fields()), status=status.HTTP_400_BAD_REQUEST)


def _agent_by_email(email, field="assignee"):
    if email is None:
        return None
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not is_agent(user):
        raise ValidationError({field: ["No agent with this email."]})
    return user


FILTER_PARAMS = [
    OpenApiParameter("view", str, description="an inbox view: unassigned, mine, open, pending, solved, all"),
    OpenApiParameter("status", str, many=True, description="new, open, pending, on_hold, solved, closed"),
    OpenApiParameter("priority", str, many=True, description="low, normal, high, urgent"),
    OpenApiParameter("channel", str, many=True, description="web, email, chat, api"),
    OpenApiParameter("category", str, description="category slug"),
    OpenApiParameter("language", str, description="en, zh-hans, es, ru, ja, ko"),
    OpenApiParameter("tag", str),
    OpenApiParameter("assignee", str, description="agent email, `me` or `none` (agents only)"),
    OpenApiParameter("q", str, description="reference, subject or requester email"),
    OpenApiParameter("sort", str, description="-updated (default), due, updated, -created, created, -priority, "
                                              "priority"),
    OpenApiParameter("field.<key>", str, description="a custom field equal to a value (a multi-select: has the "
                                                     "option; a checkbox: true or false), e.g. field.network=TRC20"),
]


class TicketListCreateApi(APIView):
    """Customers list and create their own tickets; agents list every ticket with the inbox filters."""

    pagination_class = StandardPagination

    @extend_schema(parameters=FILTER_PARAMS,
                   responses={200: AgentTicketOutputSerializer(many=True), **errors(400, 401, 404)}, tags=["tickets"])
    def get(self, request):
        filterset = TicketFilter(request.query_params, queryset=selectors.ticket_list_for_user(user=request.user),
                                 request=request)
        if filterset.unknown_fields:
            raise ValidationError({name: [_("Unknown field.")] for name in filterset.unknown_fields})
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        return paginator.get_paginated_response(tickets_output(page, request.user))

    @extend_schema(request={"application/json": TicketCreateInputSerializer,
                            "multipart/form-data": TicketCreateInputSerializer},
                   responses={201: AgentTicketOutputSerializer, **errors(400, 401, 403, 415, 429)},
                   parameters=[RETRY_AFTER], tags=["tickets"])
    def post(self, request):
        ratelimit.ticket_create_attempt(request)
        data = TicketCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if "priority" in values and not is_agent(request.user):
            raise ValidationError({"priority": ["Only agents can set the priority."]})
        try:
            ticket = services.ticket_create(
                requester=request.user, subject=values["subject"], body=values["body"], channel="api",
                language=values.get("language"), category=_category(values.get("category")),
                priority=values.get("priority", "normal"), attachments=values.get("attachments", []),
                custom_fields=values.get("custom_fields", {}),
            )
        except services.FieldErrors as exc:
            return _fields_refused(exc)
        return Response(ticket_output(ticket, request.user), status=status.HTTP_201_CREATED)


class TicketDetailApi(APIView):
    @extend_schema(responses={200: AgentTicketOutputSerializer, **errors(401, 404)}, tags=["tickets"])
    def get(self, request, ref):
        ticket = _get_ticket(request, ref)
        audit_read(request, action=AuditEvent.Action.TICKET_VIEW, object_type="ticket", object_id=ticket.ref,
                   customer=ticket.requester_id)
        return Response(ticket_output(ticket, request.user))

    @extend_schema(request=TicketUpdateInputSerializer,
                   responses={200: AgentTicketOutputSerializer, **errors(400, 401, 403, 404, 415)}, tags=["tickets"])
    def patch(self, request, ref):
        """Agents change status, priority, assignee, team, category and tags; customers may only set status to
        `solved` (close) or `open` (reopen) on their own ticket."""
        ticket = _get_ticket(request, ref)
        data = TicketUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not values:
            raise ValidationError(_("Send at least one field to change."))
        if not is_agent(request.user):
            forbidden = sorted(set(values) - {"status"})
            if forbidden:
                raise ValidationError({f: ["Only agents can change this field."] for f in forbidden})
        if "assignee" in values:
            values["assignee"] = _agent_by_email(values["assignee"])
        if "team" in values:
            slug = values["team"]
            values["team"] = None if slug is None else Team.objects.filter(slug=slug).first()
            if slug is not None and values["team"] is None:
                raise ValidationError({"team": ["Unknown team."]})
        if "category" in values:
            values["category"] = _category(values["category"])
        try:
            ticket = services.ticket_update(ticket=ticket, actor=request.user, **values)
        except services.FieldErrors as exc:
            return _fields_refused(exc)
        return Response(ticket_output(ticket, request.user))


class TicketMessagesApi(APIView):
    pagination_class = StandardPagination

    @extend_schema(responses={200: AgentMessageOutputSerializer(many=True), **errors(401, 404)}, tags=["tickets"])
    def get(self, request, ref):
        """The conversation, oldest first; internal notes only for agents."""
        ticket = _get_ticket(request, ref)
        audit_read(request, action=AuditEvent.Action.TICKET_VIEW, object_type="ticket", object_id=ticket.ref,
                   customer=ticket.requester_id)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(selectors.message_list_for_ticket(user=request.user, ticket=ticket),
                                           request, view=self)
        return paginator.get_paginated_response(message_output(page, request.user))

    @extend_schema(request={"application/json": MessageCreateInputSerializer,
                            "multipart/form-data": MessageCreateInputSerializer},
                   responses={201: AgentMessageOutputSerializer, **errors(400, 401, 403, 404, 409, 415)},
                   tags=["tickets"])
    def post(self, request, ref):
        """Reply (agents may post `"internal": true` notes, set a status and apply a macro). A customer's reply to
        a closed ticket opens a follow-up ticket; the response then carries its reference in `ticket`."""
        ticket = _get_ticket(request, ref)
        data = MessageCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        agent = is_agent(request.user)
        for field in ("status", "macro", "seen"):
            if field in values and not agent:
                raise ValidationError({field: [_("Only agents can use this field.")]})
        if values.get("internal") and not agent:
            raise ValidationError({"internal": [_("Only agents can write internal notes.")]})
        macro = None
        if "macro" in values:
            macro = Macro.objects.filter(pk=values["macro"], is_active=True).first()
            if macro is None:
                raise ValidationError({"macro": ["Unknown macro."]})
        try:
            message = services.ticket_reply(
                ticket=ticket, author=request.user, body=values["body"], internal=values.get("internal", False),
                attachments=values.get("attachments", []), channel="api", status=values.get("status"), macro=macro,
                seen=values.get("seen"),
            )
        except services.RepliedMeanwhile as exc:
            # Not sent: what was written meanwhile comes with the refusal, to read before sending again.
            body = error_body(exc.code, exc.detail)
            body["error"]["messages"] = message_output(exc.messages, request.user)
            return Response(body, status=status.HTTP_409_CONFLICT)
        body = dict(message_output(message, request.user, many=False))
        body["ticket"] = f"T-{message.ticket.number}"
        return Response(body, status=status.HTTP_201_CREATED)


class TicketClaimApi(APIView):
    """The owner of an address confirms a request a chat visitor filed under it, with the token from the link
    mailed to that address (the web page /<lang>/requests/confirm/<token>/ does the same)."""

    permission_classes = [AllowAny]

    @extend_schema(request=ClaimInputSerializer, responses={200: ClaimOutputSerializer, **errors(400, 415)},
                   tags=["tickets"])
    def post(self, request):
        data = ClaimInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.ticket_claim(token=data.validated_data["token"])
        return Response(ClaimOutputSerializer(ticket).data)


class TicketMergeApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(request=MergeInputSerializer,
                   responses={200: AgentTicketOutputSerializer, **errors(400, 401, 403, 404, 415)}, tags=["tickets"])
    def post(self, request, ref):
        """Merge this ticket into `into` (same requester); returns the ticket merged into."""
        source = _get_ticket(request, ref)
        data = MergeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            target = selectors.ticket_get_for_user(user=request.user, ref=data.validated_data["into"])
        except Ticket.DoesNotExist as exc:
            raise ValidationError({"into": ["No such ticket."]}) from exc
        target = services.ticket_merge(source=source, target=target, actor=request.user)
        return Response(ticket_output(target, request.user))


class TicketBulkApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(request=BulkInputSerializer, responses={200: BulkOutputSerializer, **errors(400, 401, 403, 415)},
                   tags=["tickets"])
    def post(self, request):
        """Apply a status, an assignee (`null` to unassign) and/or tags to up to 100 tickets at once."""
        data = BulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        numbers = [selectors.parse_ref(ref) for ref in values["refs"]]
        if None in numbers:
            raise ValidationError({"refs": ["Every item must be a ticket reference like T-10001."]})
        tickets = list(selectors.ticket_list_for_user(user=request.user).filter(number__in=numbers))
        missing = sorted(set(numbers) - {t.number for t in tickets})
        if missing:
            raise ValidationError({"refs": [f"No such ticket: T-{n}" for n in missing]})
        changed = services.ticket_bulk_update(
            tickets=tickets, actor=request.user, status=values.get("status"),
            assignee=_agent_by_email(values["assignee"]) if values.get("assignee") else None,
            unassign="assignee" in values and values["assignee"] is None, add_tags=values.get("add_tags", ()),
        )
        return Response({"changed": changed})


# A file is served in the type its content was recognised as when it was uploaded (support.uploads); thumbnails
# are PNG.
ATTACHMENT_MEDIA_TYPES = [*BINARY_TYPES, "text/plain"]


class AttachmentApi(APIView):
    @extend_schema(responses={**{(200, media_type): bytes for media_type in ATTACHMENT_MEDIA_TYPES},
                              **errors(401, 403, 404)}, tags=["tickets"])
    def get(self, request, attachment_id, thumbnail=False):
        """The file itself (images inline, everything else as a download), if the user may see it. A PDF or ZIP in
        which a secret was found is served to nobody: 403 with code `attachment_withheld` and the reason."""
        try:
            attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=attachment_id)
        except Attachment.DoesNotExist as exc:
            raise NotFound() from exc
        if not thumbnail:
            audit_read(request, action=AuditEvent.Action.ATTACHMENT_VIEW, object_type="attachment",
                       object_id=attachment.pk, customer=attachment.ticket.requester_id)
        try:
            return attachment_response(attachment, thumbnail=thumbnail)
        except AttachmentWithheld as exc:
            raise PermissionDenied(exc.detail, code=exc.code) from exc
        except Http404 as exc:
            raise NotFound() from exc


class CategoryListApi(APIView):
    @extend_schema(responses={200: CategorySerializer(many=True), **errors(401)}, tags=["tickets"])
    def get(self, request):
        """Ticket categories, named in the request's language."""
        return Response(CategorySerializer(selectors.category_list(), many=True).data)


class TicketFieldListApi(APIView):
    @extend_schema(parameters=[OpenApiParameter("category", str, description="only the fields of this category")],
                   responses={200: TicketFieldOutputSerializer(many=True), **errors(400, 401)}, tags=["tickets"])
    def get(self, request):
        """Custom ticket fields, labelled in the request's language: customers get those they fill in."""
        fields = ticket_fields_active()
        if not is_agent(request.user):
            fields = [field for field in fields if field.customer_visible]
        slug = request.query_params.get("category")
        if slug:
            if not slug_re.match(slug):
                raise ValidationError({"category": [_("Unknown category.")]})
            category = _category(slug)
            fields = [field for field in fields if field.applies_to(category)]
        return Response(ticket_fields_output(fields, request.user))


class MacroListApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(responses={200: MacroOutputSerializer(many=True), **errors(401, 403)}, tags=["tickets"])
    def get(self, request):
        """Canned replies, in the request's language (English where a translation is missing)."""
        return Response(MacroOutputSerializer(selectors.macro_list(), many=True).data)


# --- the inbox's saved views ------------------------------------------------------------------------------------


def _saved_filters(data):
    try:
        return saved_filters_clean(data)
    except DjangoValidationError as exc:
        raise ValidationError({"filters": exc.message_dict}) from exc


def _saved_view_output(saved, user):
    return InboxViewOutputSerializer(counts_fill([saved_inbox_view(saved, user)], user)[0]).data


class SavedViewListCreateApi(APIView):
    permission_classes = [IsAgent]
    # JSON only: `filters` is an object, and a form's missing checkbox would read as `"shared": false`.
    parser_classes = [JSONParser]

    @extend_schema(responses={200: InboxViewOutputSerializer(many=True), **errors(401, 403)}, tags=["tickets"])
    def get(self, request):
        """The inbox's views the agent sees, built-in, their own and the shared ones, each with its number of
        tickets (all counted in one query): what the inbox's sidebar polls."""
        return Response(InboxViewOutputSerializer(inbox_views_for_user(user=request.user), many=True).data)

    @extend_schema(request=SavedViewCreateInputSerializer,
                   responses={201: InboxViewOutputSerializer, **errors(400, 401, 403, 415)}, tags=["tickets"])
    def post(self, request):
        """Save inbox filters under a name (unique per agent); `shared` (all agents see it) for supervisors."""
        data = SavedViewCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        filters = _saved_filters(values["filters"])
        try:
            saved = services.saved_view_create(owner=request.user, name=values["name"], filters=filters,
                                               shared=values["shared"])
        except services.NotAllowed as exc:
            raise PermissionDenied(exc.detail) from exc
        return Response(_saved_view_output(saved, request.user), status=status.HTTP_201_CREATED)


class SavedViewDetailApi(APIView):
    """One saved view: its owner changes a personal one, supervisors a shared one; another agent's personal view
    answers 404, like a missing one."""

    permission_classes = [IsAgent]
    parser_classes = [JSONParser]

    def _get(self, request, view_id):
        try:
            return selectors.saved_view_get_for_user(user=request.user, view_id=view_id)
        except SavedView.DoesNotExist as exc:
            raise NotFound() from exc

    @extend_schema(request=SavedViewUpdateInputSerializer,
                   responses={200: InboxViewOutputSerializer, **errors(400, 401, 403, 404, 415)}, tags=["tickets"])
    def patch(self, request, view_id):
        """Rename, change the filters or the position, share or unshare."""
        saved = self._get(request, view_id)
        if not selectors.saved_view_editable(view=saved, user=request.user):
            # Before the body is read: whoever may not change the view hears that, whatever they sent.
            raise PermissionDenied(_("Only its owner changes a personal view, and only supervisors a shared one."))
        data = SavedViewUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if not values:
            raise ValidationError(_("Send at least one field to change."))
        if "filters" in values:
            values["filters"] = _saved_filters(values["filters"])
        try:
            saved = services.saved_view_update(view=saved, actor=request.user, **values)
        except services.NotAllowed as exc:
            raise PermissionDenied(exc.detail) from exc
        return Response(_saved_view_output(saved, request.user))

    @extend_schema(responses={204: None, **errors(401, 403, 404)}, tags=["tickets"])
    def delete(self, request, view_id):
        saved = self._get(request, view_id)
        try:
            services.saved_view_delete(view=saved, actor=request.user)
        except services.NotAllowed as exc:
            raise PermissionDenied(exc.detail) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)
