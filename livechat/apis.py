"""Chat API: start a chat, read its history after a sequence number, post a message, close it. The websocket
(livechat/consumers.py) carries the same actions live; both call the same services."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from support import ratelimit
from support.audit import audit_read
from support.models import AuditEvent
from support.permissions import IsAgent
from support.schema import RETRY_AFTER, errors
from support.services import customer_for_exchange_identity
from verification.selectors import conversation_code

from . import selectors, services
from .identity import widget_identity_read
from .models import Conversation, SenderKind
from .serializers import (
    ChatAttachmentInputSerializer,
    ChatContextSerializer,
    ChatOutputSerializer,
    ChatStartInputSerializer,
    MessageInputSerializer,
    MessageOutputSerializer,
    MessagesOutputSerializer,
    OverflowChoiceInputSerializer,
    OverflowOfferOutputSerializer,
    RatingInputSerializer,
)
from .tokens import visitor_token

# Visitors (no account) reach their own chat with the token POST /api/v1/chats/ gave them.
CHAT_TOKEN = OpenApiParameter("X-Chat-Token", str, OpenApiParameter.HEADER,
                              description="visitors: the `token` their chat was started with")


def chat_for_request(request, conversation_id):
    """(chat, as_agent) if the caller may see the chat: a visitor holding its token or its logged-in customer (as
    the customer), or an agent (as an agent). Anyone else gets 404, exactly as for a chat that does not exist."""
    token = request.headers.get("X-Chat-Token") or request.query_params.get("token") or ""
    try:
        conversation, role = selectors.conversation_get_for_viewer(conversation_id=conversation_id,
                                                                   user=request.user, token=token)
    except Conversation.DoesNotExist as exc:
        raise NotFound() from exc
    return conversation, role == selectors.AGENT


def chat_output(conversation, *, token=None):
    position = selectors.queue_position(conversation=conversation)
    data = {"id": conversation.id, "status": conversation.status, "language": conversation.language,
            "topic": conversation.topic, "websocket_url": f"/ws/chat/{conversation.id}/", "position": position,
            "estimate": selectors.queue_estimate(language=conversation.language, position=position)}
    if token:
        data["token"] = token
    return ChatOutputSerializer(data).data


class ChatStartApi(APIView):
    """Anyone may start a chat: logged-in customers as themselves, visitors with a name and an email."""

    permission_classes = [AllowAny]

    @extend_schema(request=ChatStartInputSerializer,
                   responses={201: ChatOutputSerializer, **errors(400, 401, 403, 415, 429)}, parameters=[RETRY_AFTER],
                   tags=["chat"], operation_id="chats_start")
    def post(self, request):
        ratelimit.hit("chat_start", ratelimit.client_ip(request))
        data = ChatStartInputSerializer(data=request.data, context={"signed_in": request.user.is_authenticated})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        customer = request.user if request.user.is_authenticated else None
        vouched = False
        if customer is None and values.get("identity"):
            # Signed by the exchange's site: the chat is that account's (a token still opens it in the widget).
            found = widget_identity_read(values["identity"])
            customer = customer_for_exchange_identity(uid=found.uid, email=found.email, name=found.name,
                                                      language=values["language"])
            vouched = True
        conversation = services.conversation_start(
            language=values["language"], topic=values["topic"], customer=customer,
            visitor_name=values["name"].strip() if customer is None else "",
            visitor_email=values["email"] if customer is None else "", also_speaks=values["also_speaks"])
        token = visitor_token(conversation.id) if customer is None or vouched else None
        return Response(chat_output(conversation, token=token), status=status.HTTP_201_CREATED)


class ChatMessagesApi(APIView):
    """History after a sequence number (to catch up), and posting a message without a websocket."""

    permission_classes = [AllowAny]  # visitors authenticate with their chat token; checked per chat

    @extend_schema(parameters=[OpenApiParameter("after", int, description="last seq the client has (default 0)"),
                               CHAT_TOKEN],
                   responses={200: MessagesOutputSerializer, **errors(400, 401, 404)}, tags=["chat"],
                   operation_id="chats_messages_list")
    def get(self, request, conversation_id):
        conversation, as_agent = chat_for_request(request, conversation_id)
        try:
            after = max(0, int(request.query_params.get("after", 0)))
        except ValueError as exc:
            raise ValidationError({"after": ["Enter a whole number."]}) from exc
        if as_agent and after == 0:  # the whole history (catching up after a reconnect reads only what is new)
            audit_read(request, action=AuditEvent.Action.CHAT_VIEW, object_type="chat", object_id=conversation.id,
                       customer=conversation.customer_id)
        messages = selectors.messages_after(conversation=conversation, after_seq=after)
        return Response(MessagesOutputSerializer(
            {"conversation": conversation.id, "status": conversation.status, "messages": messages}).data)

    @extend_schema(request=MessageInputSerializer, parameters=[CHAT_TOKEN],
                   responses={201: MessageOutputSerializer, 200: MessageOutputSerializer,
                              **errors(400, 401, 403, 404, 415)},
                   tags=["chat"], operation_id="chats_messages_create")
    def post(self, request, conversation_id):
        conversation, as_agent = chat_for_request(request, conversation_id)
        data = MessageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sender = request.user if request.user.is_authenticated else None
        values = data.validated_data
        if as_agent:
            message, created = services.agent_message_post(conversation_id=conversation.id, agent=sender, **values)
        else:
            values.pop("language", None)
            message, created = services.customer_message_post(conversation_id=conversation.id, sender=sender,
                                                              **values)
        return Response(MessageOutputSerializer(message).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ChatOverflowApi(APIView):
    """The waiting customer's answer to the offer of an agent of another language now (with translation), or to
    keep waiting: recorded either way; accepting keeps their place (livechat.services.overflow)."""

    permission_classes = [AllowAny]

    @extend_schema(request=OverflowChoiceInputSerializer, parameters=[CHAT_TOKEN],
                   responses={200: OverflowOfferOutputSerializer, **errors(400, 404, 415)},
                   tags=["chat"], operation_id="chats_overflow_choose")
    def post(self, request, conversation_id):
        conversation, as_agent = chat_for_request(request, conversation_id)
        if as_agent:
            raise NotFound()  # the customer's choice, theirs alone
        data = OverflowChoiceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        accept = data.validated_data["accept"]
        offer = services.overflow_choose(conversation_id=conversation.id, accept=accept)  # refused: 400, its code
        if accept:  # what they wrote so far, translated for the agent they accepted
            services.customer_messages_translate(conversation_id=conversation.id)
        return Response(OverflowOfferOutputSerializer(services.offer_frame(offer)["offer"]).data)


class ChatCloseApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, parameters=[CHAT_TOKEN],
                   responses={200: ChatOutputSerializer, **errors(400, 401, 403, 404)}, tags=["chat"],
                   operation_id="chats_close")
    def post(self, request, conversation_id):
        conversation, as_agent = chat_for_request(request, conversation_id)
        conversation = services.conversation_close(conversation_id=conversation.id,
                                                   by="agent" if as_agent else "customer",
                                                   actor=request.user if request.user.is_authenticated else None)
        return Response(chat_output(conversation))


class ChatContextApi(APIView):
    """For agents: who the customer is, their recent requests, and canned replies in the chat's language."""

    permission_classes = [IsAgent]

    @extend_schema(responses={200: ChatContextSerializer, **errors(401, 403, 404)}, tags=["chat"],
                   operation_id="chats_context")
    def get(self, request, conversation_id):
        try:
            conversation = selectors.conversation_get_for_user(user=request.user, conversation_id=conversation_id)
        except (Conversation.DoesNotExist, DjangoValidationError) as exc:
            raise NotFound() from exc
        audit_read(request, action=AuditEvent.Action.CHAT_VIEW, object_type="chat", object_id=conversation.id,
                   customer=conversation.customer_id)
        code = conversation_code(request.user, selectors.agent_code_key(conversation.id))
        context = selectors.conversation_context(conversation=conversation, agent=request.user, agent_code=code)
        context["your_code"] = code
        return Response(ChatContextSerializer(context).data)


class ChatRatingApi(APIView):
    """The customer rates a closed chat once: score 1-5 and an optional comment."""

    permission_classes = [AllowAny]

    @extend_schema(request=RatingInputSerializer, parameters=[CHAT_TOKEN],
                   responses={200: ChatOutputSerializer, **errors(400, 401, 403, 404, 415)}, tags=["chat"],
                   operation_id="chats_rate")
    def post(self, request, conversation_id):
        conversation, as_agent = chat_for_request(request, conversation_id)
        if as_agent:
            raise NotFound()  # only the customer rates; agents see the chat but it is not theirs to rate
        data = RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.conversation_rate(conversation_id=conversation.id, **data.validated_data)
        return Response(chat_output(conversation))


class ChatTranscriptApi(APIView):
    """The customer asks for the transcript of their ended chat by email (to the chat's own address, once)."""

    permission_classes = [AllowAny]

    @extend_schema(request=None, parameters=[CHAT_TOKEN], responses={202: None, **errors(400, 401, 403, 404)},
                   tags=["chat"], operation_id="chats_transcript")
    def post(self, request, conversation_id):
        conversation, as_agent = chat_for_request(request, conversation_id)
        if as_agent:
            raise NotFound()
        services.conversation_transcript_send(conversation_id=conversation.id)
        return Response(status=status.HTTP_202_ACCEPTED)


class ChatAttachmentApi(APIView):
    """Send a file in a chat (multipart: file, body?, client_msg_id?): stored as a message, delivered like one."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ChatAttachmentInputSerializer}, parameters=[CHAT_TOKEN],
                   responses={201: MessageOutputSerializer, 200: MessageOutputSerializer,
                              **errors(400, 401, 403, 404, 415)},
                   tags=["chat"], operation_id="chats_attachments_create")
    def post(self, request, conversation_id):
        conversation, as_agent = chat_for_request(request, conversation_id)
        data = ChatAttachmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        sender = request.user if request.user.is_authenticated else None
        if as_agent:
            message, created = services.agent_message_post(
                conversation_id=conversation.id, agent=sender, body=values["body"].strip(),
                client_msg_id=values["client_msg_id"], upload=values["file"])
        else:
            message, created = services.message_post(
                conversation_id=conversation.id, sender_kind=SenderKind.CUSTOMER, sender=sender,
                body=values["body"].strip(), client_msg_id=values["client_msg_id"], upload=values["file"],
                translation=services.customer_translation(conversation_id=conversation.id))
        return Response(MessageOutputSerializer(message).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
