"""Demo content for live chat: an overflow rule (Korean to English after 3 minutes; and, when the Korean wait estimate
is over 2 minutes, the waiting customer is offered the English agent now, who serves Korean with assist and
translation), a day of handled chats per
language (so wait estimates are measured, not guessed), and one Japanese customer waiting in the queue."""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from support.models import User

from .models import ChatMessage, Conversation, ConversationStatus, LanguageOverflow, SenderKind

HISTORY = {
    # language: (customer email, agent email, [(customer line, agent line)], handled minutes)
    "en": ("alice@example.com", "agent.en@example.com", ("Is the BTC network congested?", "A little; deposits need 3 confirmations, about 30 minutes."), 6),
    "zh-hans": ("wang.fang@example.com", "agent.zh@example.com", ("充值USDT选哪个网络？", "TRC20 和 ERC20 都支持，请和提现平台保持一致。"), 8),
    "es": ("carlos@example.com", "agent.es@example.com", ("¿Cómo activo el 2FA?", "Ve a Seguridad > Autenticación en dos pasos y escanea el código QR."), 5),
    "ru": ("olga@example.com", "agent.ru@example.com", ("Где найти историю выводов?", "Кошелёк → История → Выводы."), 4),
    "ja": ("tanaka@example.com", "agent.ja@example.com", ("本人確認はどのくらいかかりますか？", "通常24時間以内に完了します。"), 7),
    "ko": ("jisoo@example.com", "agent.ko@example.com", ("API 키는 어디서 만드나요?", "계정 > API 관리에서 만들 수 있습니다."), 6),
}


def seed(progress):
    with transaction.atomic():
        LanguageOverflow.objects.get_or_create(language="ko", overflow_to="en",
                                               defaults={"after_seconds": 180, "offer_above_seconds": 120})
        LanguageOverflow.objects.get_or_create(language="ja", overflow_to="en",
                                               defaults={"after_seconds": 300, "offer_above_seconds": 180})
        if Conversation.objects.exists():
            return
        users = {u.email: u for u in User.objects.filter(
            email__in=[e for c, a, _l, _m in HISTORY.values() for e in (c, a)])}
        now = timezone.now()
        for index, (language, (customer, agent, (question, answer), minutes)) in enumerate(HISTORY.items(), start=1):
            progress(index, len(HISTORY) + 1, f"chats in {language}")
            for hours_ago in (20, 9, 2):
                start = now - timedelta(hours=hours_ago)
                chat = Conversation.objects.create(
                    customer=users.get(customer), language=language, status=ConversationStatus.CLOSED,
                    agent=users.get(agent), created_at=start, queued_at=start,
                    assigned_at=start + timedelta(minutes=1), first_agent_reply_at=start + timedelta(minutes=2),
                    last_customer_message_at=start + timedelta(minutes=1),
                    closed_at=start + timedelta(minutes=1 + minutes), closed_by="agent", last_seq=3,
                    csat_score=5 if hours_ago != 9 else 4, rated_at=start + timedelta(minutes=2 + minutes))
                ChatMessage.objects.bulk_create([
                    ChatMessage(conversation=chat, seq=1, sender_kind=SenderKind.CUSTOMER, sender=users.get(customer),
                                body=question, created_at=start + timedelta(minutes=1)),
                    ChatMessage(conversation=chat, seq=2, sender_kind=SenderKind.AGENT, sender=users.get(agent),
                                body=answer, created_at=start + timedelta(minutes=2)),
                    ChatMessage(conversation=chat, seq=3, sender_kind=SenderKind.SYSTEM, body="closed_by_agent",
                                created_at=start + timedelta(minutes=1 + minutes)),
                ])
        progress(len(HISTORY) + 1, len(HISTORY) + 1, "a customer waiting")
        Conversation.objects.create(customer=users.get("tanaka@example.com"), language="ja",
                                    topic="出金が保留中のままです", status=ConversationStatus.QUEUED,
                                    queued_at=now - timedelta(minutes=2))
