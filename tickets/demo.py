"""Demo content for tickets: categories, macros and custom fields in six languages, and tickets in several languages
and states."""
from datetime import date, time

from django.db import transaction

from support.models import User

from . import services
from .demo_fields import TICKET_VALUES, seed_fields
from .models import BusinessCalendar, BusinessHours, Category, Holiday, Macro, SlaPolicy, Ticket

CATEGORIES = [
    ("account-security", 10, {"en": "Account & security", "zh_hans": "账户与安全", "es": "Cuenta y seguridad",
                              "ru": "Аккаунт и безопасность", "ja": "アカウントとセキュリティ", "ko": "계정 및 보안"}),
    ("deposits-withdrawals", 20, {"en": "Deposits & withdrawals", "zh_hans": "充值与提现",
                                  "es": "Depósitos y retiros", "ru": "Пополнения и выводы", "ja": "入金と出金",
                                  "ko": "입금 및 출금"}),
    ("trading", 30, {"en": "Trading", "zh_hans": "交易", "es": "Trading", "ru": "Торговля", "ja": "取引",
                     "ko": "거래"}),
    ("verification", 40, {"en": "Verification (KYC)", "zh_hans": "身份认证 (KYC)", "es": "Verificación (KYC)",
                          "ru": "Верификация (KYC)", "ja": "本人確認 (KYC)", "ko": "본인 인증 (KYC)"}),
    ("other", 90, {"en": "Other", "zh_hans": "其他", "es": "Otro", "ru": "Другое", "ja": "その他", "ko": "기타"}),
]

MACROS = [
    {
        "position": 10, "set_status": "pending", "add_tags": ["needs-txid"],
        "name": {"en": "Ask for the transaction ID", "zh_hans": "索取交易哈希", "es": "Pedir el ID de transacción",
                 "ru": "Запросить ID транзакции", "ja": "トランザクションIDを確認", "ko": "거래 ID 요청"},
        "body": {
            "en": "Thank you for contacting us. To trace your deposit, please send us the transaction ID (TxID), the "
                  "network you used and the amount. We will check it as soon as we have them.",
            "zh_hans": "感谢您的联系。为了追踪您的充值，请提供交易哈希 (TxID)、所用网络和金额。收到后我们会尽快核查。",
            "es": "Gracias por escribirnos. Para rastrear tu depósito, envíanos el ID de la transacción (TxID), la red "
                  "que usaste y el importe. Lo revisaremos en cuanto lo tengamos.",
            "ru": "Спасибо за обращение. Чтобы найти ваше пополнение, пришлите ID транзакции (TxID), сеть и сумму. "
                  "Мы проверим всё, как только получим эти данные.",
            "ja": "お問い合わせありがとうございます。入金を確認するため、トランザクションID (TxID)、使用したネットワーク、"
                  "金額をお知らせください。確認でき次第、調査いたします。",
            "ko": "문의해 주셔서 감사합니다. 입금 내역을 확인하려면 거래 ID(TxID), 사용한 네트워크, 금액을 알려 주세요. "
                  "받는 즉시 확인해 드리겠습니다.",
        },
    },
    {
        "position": 20, "set_status": "solved", "add_tags": [],
        "name": {"en": "Solved, thank you", "zh_hans": "已解决，感谢", "es": "Resuelto, gracias",
                 "ru": "Решено, спасибо", "ja": "解決済み（お礼）", "ko": "해결됨, 감사 인사"},
        "body": {
            "en": "We are glad this is sorted out. If anything else comes up, just reply to this message.",
            "zh_hans": "很高兴问题已经解决。如有其他问题，直接回复此消息即可。",
            "es": "Nos alegra que esté resuelto. Si surge algo más, responde a este mensaje.",
            "ru": "Рады, что всё решилось. Если появятся вопросы, просто ответьте на это сообщение.",
            "ja": "解決してよかったです。ほかにご不明な点があれば、このメッセージにご返信ください。",
            "ko": "문제가 해결되어 다행입니다. 다른 문의가 있으면 이 메시지에 답장해 주세요.",
        },
    },
    {
        "position": 30, "set_status": "", "add_tags": ["security"],
        "name": {"en": "Never share your secrets", "zh_hans": "切勿泄露密钥", "es": "Nunca compartas tus claves",
                 "ru": "Никому не сообщайте секреты", "ja": "秘密情報を共有しない", "ko": "비밀 정보 공유 금지"},
        "body": {
            "en": "For your safety: our staff will never ask for your password, 2FA codes, API secret or recovery "
                  "phrase. Please do not share them with anyone.",
            "zh_hans": "为了您的安全：我们的工作人员绝不会索要您的密码、二次验证码、API 密钥或助记词。请勿向任何人透露。",
            "es": "Por tu seguridad: nuestro personal nunca te pedirá tu contraseña, códigos 2FA, secreto de API ni "
                  "frase de recuperación. No los compartas con nadie.",
            "ru": "Для вашей безопасности: наши сотрудники никогда не попросят пароль, коды 2FA, API-секрет или "
                  "фразу восстановления. Никому их не сообщайте.",
            "ja": "安全のため、当社スタッフがパスワード、2段階認証コード、APIシークレット、リカバリーフレーズを尋ねることは"
                  "ありません。誰にも共有しないでください。",
            "ko": "안전을 위해 안내드립니다. 저희 직원은 비밀번호, 2단계 인증 코드, API 시크릿, 복구 문구를 절대 요청하지 "
                  "않습니다. 누구에게도 공유하지 마세요.",
        },
    },
]

# (customer email, category, subject, body, agent email, agent reply, final status)
TICKETS = [
    ("alice@example.com", "deposits-withdrawals", "USDT deposit not credited after 2 hours",
     "I sent 500 USDT on Tron to my deposit address two hours ago and it still does not show in my balance.",
     "agent.en@example.com", "Thanks Alice, could you send us the TxID so we can trace it?", "pending"),
    ("alice@example.com", "account-security", "Lost my phone with the authenticator app",
     "I lost my phone and cannot log in because of 2FA. How do I reset it?", None, None, "new"),
    ("wang.fang@example.com", "verification", "身份认证一直在审核中",
     "我三天前提交了身份认证，到现在还显示审核中，请问需要多久？", "agent.zh@example.com",
     "您好，您的资料已进入人工审核，通常在 24 小时内完成。", "solved"),
    ("carlos@example.com", "trading", "No puedo cerrar mi posición de futuros",
     "Al intentar cerrar mi posición en BTCUSDT me aparece un error de margen insuficiente.",
     "agent.es@example.com", "Hola Carlos, ¿puedes enviarnos una captura del error?", "open"),
    ("olga@example.com", "deposits-withdrawals", "Вывод средств задерживается",
     "Я вывела 0,1 BTC вчера, статус всё ещё «в обработке». Когда придут деньги?", "agent.ru@example.com",
     "Здравствуйте, Ольга! Вывод прошёл проверку и будет отправлен в течение часа.", "solved"),
    ("tanaka@example.com", "account-security", "ログイン通知に心当たりがありません",
     "知らない場所からのログイン通知が届きました。アカウントは安全でしょうか？", None, None, "new"),
    ("jisoo@example.com", "other", "수수료 등급 문의",
     "VIP 등급이 되면 거래 수수료가 얼마나 할인되나요?", "agent.ko@example.com",
     "안녕하세요, VIP 1 등급부터 현물 거래 수수료가 10% 할인됩니다.", "closed"),
]


SLA_TARGETS = [  # priority, first response, next response, resolution (minutes), 24/7
    ("urgent", 15, 30, 4 * 60),
    ("high", 60, 120, 8 * 60),
    ("normal", 4 * 60, 8 * 60, 24 * 60),
    ("low", 24 * 60, 24 * 60, 72 * 60),
]


def seed_sla():
    if not BusinessCalendar.objects.exists():
        calendar = BusinessCalendar.objects.create(name="Seoul office hours", timezone="Asia/Seoul")
        for weekday in range(5):
            BusinessHours.objects.create(calendar=calendar, weekday=weekday, start=time(9), end=time(18))
        for day, name in [(date(2026, 12, 25), "Christmas"), (date(2027, 1, 1), "New Year's Day"),
                          (date(2027, 2, 16), "Seollal"), (date(2027, 2, 17), "Seollal")]:
            Holiday.objects.create(calendar=calendar, date=day, name=name)
    if not SlaPolicy.objects.exists():
        for position, (priority, first, next_response, resolution) in enumerate(SLA_TARGETS, start=1):
            SlaPolicy.objects.create(
                name=f"{priority.capitalize()} 24/7", position=position * 10, priorities=[priority],
                first_response_minutes=first, next_response_minutes=next_response, resolution_minutes=resolution,
                escalate_priority=priority == "high")


def seed(progress):
    with transaction.atomic():
        seed_sla()
        if not Category.objects.exists():
            for slug, position, names in CATEGORIES:
                Category.objects.create(slug=slug, position=position,
                                        **{f"name_{lang}": name for lang, name in names.items()})
        seed_fields()
        if not Macro.objects.exists():
            for macro in MACROS:
                Macro.objects.create(
                    position=macro["position"], set_status=macro["set_status"], add_tags=macro["add_tags"],
                    **{f"name_{lang}": text for lang, text in macro["name"].items()},
                    **{f"body_{lang}": text for lang, text in macro["body"].items()},
                )
        customers = {u.email: u for u in User.objects.filter(email__in={t[0] for t in TICKETS})}
        if Ticket.objects.filter(requester__in=customers.values()).exists():
            return
        agents = {u.email: u for u in User.objects.filter(email__in={t[4] for t in TICKETS if t[4]})}
        for index, (email, category, subject, body, agent_email, reply, final) in enumerate(TICKETS, start=1):
            progress(index, len(TICKETS), subject)
            customer = customers.get(email)
            if customer is None:
                continue
            ticket = services.ticket_create(requester=customer, subject=subject, body=body,
                                            category=Category.objects.get(slug=category), channel="web",
                                            language=customer.language, custom_fields=TICKET_VALUES.get(subject))
            agent = agents.get(agent_email)
            if agent is None:
                continue
            services.ticket_update(ticket=ticket, actor=agent, assignee=agent)
            services.ticket_reply(ticket=ticket, author=agent, body="Checked the account history: nothing unusual.",
                                  internal=True)
            services.ticket_reply(ticket=ticket, author=agent, body=reply,
                                  status=final if final in ("pending", "solved") else None)
            if final == "closed":
                services.ticket_update(ticket=ticket, actor=agent, status="solved")
                services.ticket_update(ticket=ticket, actor=agent, status="closed")
