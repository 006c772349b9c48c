"""The workspace API: the search box (GET /api/v1/agent/search/), the customer's exchange profile
(GET /api/v1/agent/customers/<id>/profile/, /api/v1/agent/chats/<id>/profile/) and their timeline
(GET /api/v1/agent/customers/<id>/timeline/)."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from livechat.models import Conversation
from support.audit import audit_read
from support.models import AuditEvent, User
from support.permissions import IsAgent
from support.schema import errors

from . import selectors
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
