"""POST /api/v1/bot/ask: the bot's decision for a text, exactly as a chat would get it (for testing and other
front ends)."""
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from support import ratelimit
from support.schema import RETRY_AFTER, errors

from .engine import bot_decide, reply_text
from .serializers import AskInputSerializer, AskOutputSerializer


class BotAskApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=AskInputSerializer, responses={200: AskOutputSerializer, **errors(400, 401, 403, 415, 429)},
                   parameters=[RETRY_AFTER], tags=["chatbot"], operation_id="bot_ask")
    def post(self, request):
        ratelimit.hit("bot_question", ratelimit.client_ip(request))
        data = AskInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hint = data.validated_data.get("lang") or getattr(request.user, "language", None) or "en"
        decision = bot_decide(text=data.validated_data["text"], language_hint=hint)
        return Response(AskOutputSerializer({
            "language": decision.language, "action": decision.action, "intent": str(decision.intent),
            "confidence": decision.confidence, "handover": decision.handover, "reason": decision.reason,
            "topic": decision.topic, "reply": reply_text(decision), "articles": decision.articles,
            "incident": decision.incident}).data)
