"""The workspace API: the search box (GET /api/v1/agent/search/), the customer's exchange profile
(GET /api/v1/agent/customers/<id>/profile/, /api/v1/agent/chats/<id>/profile/), their timeline
(GET /api/v1/agent/customers/<id>/timeline/) and the cross-language suggestions for a chat or a ticket
(GET /api/v1/agent/chats/<id>/assist/, /api/v1/agent/tickets/<ref>/assist/)."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from livechat.models import Conversation
from livechat.selectors import conversation_get_for_agent
from support.audit import audit_read
from support.models import AuditEvent, User
from support.permissions import IsAgent
from support.schema import errors
from tickets.models import Ticket
from tickets.selectors import ticket_get_for_user

from . import selectors
from .assist import chat_assist, ticket_assist
from .serializers import (
    CustomerProfileOutputSerializer,
    TimelineOutputSerializer,
    TimelineQuerySerializer,
    WorkspaceSearchOutputSerializer,
    WorkspaceSearchQuerySerializer,
)
from .timeline import customer_timeline


class WorkspaceSearchApi(APIView):
    """For agents: the workspace's search box (ticket reference, customer email, chat id, or ticket subject text)."""

    permission_classes = [IsAgent]

    @extend_schema(parameters=[WorkspaceSearchQuerySerializer],
                   responses={200: WorkspaceSearchOutputSerializer, **errors(400, 401, 403)}, tags=["agent"],
                   operation_id="agent_search")
    def get(self, request):
        query = WorkspaceSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = selectors.workspace_search(user=request.user, q=query.validated_data["q"])
        return Response(WorkspaceSearchOutputSerializer(found).data)


def _audited(request, output, customer_id):
    """Exchange data read by staff is in the audit log (only when there was some to read)."""
    if output["state"] == "ok":
        audit_read(request, action=AuditEvent.Action.CUSTOMER_VIEW, object_type="exchange_profile",
                   object_id=customer_id, customer=customer_id)
    return Response(CustomerProfileOutputSerializer(output).data)


class CustomerProfileApi(APIView):
    """For agents: the customer's account at the exchange (UID, KYC, VIP tier, risk flags, recent deposits and
    withdrawals), or only a state when there is none to show. Answers within CUSTOMER_PROFILE_TIMEOUT."""

    permission_classes = [IsAgent]

    @extend_schema(responses={200: CustomerProfileOutputSerializer, **errors(401, 403, 404)}, tags=["agent"],
                   operation_id="agent_customer_profile")
    def get(self, request, customer_id):
        try:
            customer, output = selectors.customer_profile_for_agent(customer_id=customer_id)
        except User.DoesNotExist as exc:
            raise NotFound() from exc
        return _audited(request, output, customer.pk)


class ChatProfileApi(APIView):
    """For agents: the exchange profile of a chat's customer (not_linked for a visitor's chat)."""

    permission_classes = [IsAgent]

    @extend_schema(responses={200: CustomerProfileOutputSerializer, **errors(401, 403, 404)}, tags=["agent"],
                   operation_id="agent_chat_profile")
    def get(self, request, conversation_id):
        try:
            conversation, output = selectors.chat_profile_for_agent(user=request.user,
                                                                    conversation_id=conversation_id)
        except (Conversation.DoesNotExist, DjangoValidationError) as exc:
            raise NotFound() from exc
        return _audited(request, output, conversation.customer_id)


class CustomerTimelineApi(APIView):
    """For agents: everything about one customer (requests, emails both ways, chats, ratings, incidents), newest
    first, 30 at a time; `?before=` the previous page's `next_before` for older ones. Audited like their page."""

    permission_classes = [IsAgent]

    @extend_schema(parameters=[TimelineQuerySerializer],
                   responses={200: TimelineOutputSerializer, **errors(400, 401, 403, 404)}, tags=["agent"],
                   operation_id="agent_customer_timeline")
    def get(self, request, customer_id):
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            timeline = customer_timeline(customer_id=customer_id, before=query.validated_data.get("before"))
        except User.DoesNotExist as exc:
            raise NotFound() from exc
        audit_read(request, action=AuditEvent.Action.CUSTOMER_VIEW, object_type="customer_timeline",
                   object_id=customer_id, customer=customer_id)
        return Response(TimelineOutputSerializer(timeline).data)


# --- assist: the shapes of its answer (kept beside its two views) ----------------------------------------------------

class AssistQuerySerializer(serializers.Serializer):  # query parameters: ?lang= (the agent's language) may come along
    text = serializers.CharField(required=False, allow_blank=True, max_length=2000, trim_whitespace=True,
                                 help_text="suggest for this text instead of the customer's latest message")


class AssistArticleCustomerSerializer(serializers.Serializer):
    language = serializers.CharField()
    available = serializers.BooleanField(help_text="false: the article has no text in the customer's language")
    title = serializers.CharField(allow_blank=True)
    summary = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True, help_text="the article's path in the customer's language")
    text = serializers.CharField(allow_blank=True, help_text="the message to send: title, summary, link (or empty)")


class AssistArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="in the agent's language, else English (fallback)")
    summary = serializers.CharField(allow_blank=True)
    language = serializers.CharField()
    fallback = serializers.BooleanField()
    url = serializers.CharField()
    customer = AssistArticleCustomerSerializer()


class AssistMacroCustomerSerializer(serializers.Serializer):
    language = serializers.CharField()
    available = serializers.BooleanField(help_text="false: the macro has no text in the customer's language")
    name = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True, help_text="the macro's text, filled in (or empty)")


class AssistMacroSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="in the agent's language, else English (fallback)")
    body = serializers.CharField(allow_blank=True)
    language = serializers.CharField()
    fallback = serializers.BooleanField()
    score = serializers.FloatField()
    customer = AssistMacroCustomerSerializer()


class AssistOutputSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text="the text the suggestions are for")
    customer_language = serializers.CharField()
    agent_language = serializers.CharField()
    articles = AssistArticleSerializer(many=True)
    macros = AssistMacroSerializer(many=True)


def _assist_text(request):
    query = AssistQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("text") if "text" in request.query_params else None


class ChatAssistApi(APIView):
    """For the agent of a chat in their console: the help articles and macros for the customer's latest message (or
    `?text=`), in the agent's language, each with what would be sent in the customer's language."""

    permission_classes = [IsAgent]

    @extend_schema(parameters=[AssistQuerySerializer], responses={200: AssistOutputSerializer,
                                                                 **errors(400, 401, 403, 404)},
                   tags=["agent"], operation_id="agent_chat_assist")
    def get(self, request, conversation_id):
        text = _assist_text(request)
        try:
            conversation = conversation_get_for_agent(agent=request.user, conversation_id=conversation_id)
        except Conversation.DoesNotExist as exc:
            raise NotFound() from exc
        audit_read(request, action=AuditEvent.Action.CHAT_VIEW, object_type="chat_assist", object_id=conversation.id,
                   customer=conversation.customer_id)
        return Response(AssistOutputSerializer(chat_assist(conversation=conversation, agent=request.user,
                                                           text=text)).data)


class TicketAssistApi(APIView):
    """For agents: the help articles and macros for the requester's latest public message on a ticket (or
    `?text=`), in the agent's language, each with what would be sent in the ticket's language."""

    permission_classes = [IsAgent]

    @extend_schema(parameters=[AssistQuerySerializer], responses={200: AssistOutputSerializer,
                                                                 **errors(400, 401, 403, 404)},
                   tags=["agent"], operation_id="agent_ticket_assist")
    def get(self, request, ref):
        text = _assist_text(request)
        try:
            ticket = ticket_get_for_user(user=request.user, ref=ref)
        except Ticket.DoesNotExist as exc:
            raise NotFound() from exc
        audit_read(request, action=AuditEvent.Action.TICKET_VIEW, object_type="ticket_assist", object_id=ticket.ref,
                   customer=ticket.requester_id)
        return Response(AssistOutputSerializer(ticket_assist(ticket=ticket, agent=request.user, text=text)).data)
