"""No English leaks (issue #24): every page a customer, an agent or a supervisor opens, in the five other languages,
with live data on it (a chat handed over by the bot, tickets in the worklist with SLA timers, a notification, weeks
of report figures), shows none of our English catalogue's phrases (tests/leaks.py). Data a person typed is written
in the page's language or is a code, so whatever English shows came from us. Screenshots: test-artifacts/leaks-*.png.
"""
import pytest

from livechat import services as chat_services
from livechat.models import ConversationStatus
from reports.history import History
from support.models import AgentProfile, Presence
from tests.factories import PASSWORD, AgentFactory, UserFactory
from tests.leaks import english_on_page
from tickets import services
from tickets.models import Category, Priority

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = ["zh-hans", "es", "ru", "ja", "ko"]
# Words in each language for the data a person types (a ticket's subject and body, a chat's messages).
TYPED = {"zh-hans": ("提现卡住了", "我的提现一直在处理中。"), "es": ("Retiro atascado", "Mi retiro sigue pendiente."),
         "ru": ("Вывод завис", "Мой вывод всё ещё в обработке."), "ja": ("出金が止まっています", "出金が処理中のままです。"),
         "ko": ("출금이 멈췄어요", "출금이 계속 처리 중입니다.")}
# Asking for a person, as a customer of each language would.
PERSON = {"zh-hans": "转人工", "es": "quiero hablar con un agente", "ru": "позовите оператора",
          "ja": "オペレーターと話したいです", "ko": "상담원 연결해 주세요"}


def _data(lang):
    """A customer with a ticket and a chat the bot handed to the agent; the ticket is the agent's (in the worklist, and
    the assignment is a notification)."""
    subject, body = TYPED[lang]
    customer = UserFactory(email=f"kunde.{lang}@example.com", name="林 美", language=lang)
    agent = AgentFactory(email=f"agente.{lang}@example.com", name="王 芳", languages=[lang], capacity=3,
                         language=lang)
    category = Category.objects.create(slug=f"retiro-{lang}", name_en="Withdrawals", name_zh_hans="提现",
                                       name_es="Retiros", name_ru="Вывод", name_ja="出金", name_ko="출금")
    ticket = services.ticket_create(requester=customer, subject=subject, body=body, category=category,
                                    priority=Priority.HIGH, language=lang)
    boss = AgentFactory(email=f"jefe.{lang}@example.com", name="陈 静", supervisor=True)
    services.ticket_update(ticket=ticket, actor=boss, assignee=agent)
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    chat = chat_services.conversation_start(language=lang, customer=customer, with_bot=True)
    chat_services.customer_message_post(conversation_id=chat.pk, body=body, sender=customer)
    chat_services.customer_message_post(conversation_id=chat.pk, body=PERSON[lang], sender=customer)
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.ACTIVE, chat.status
    return customer, agent, ticket, chat


def test_no_english_on_any_page_in_the_other_five_languages(new_page, asgi_server):
    History(days=14, chats_per_day=40, tickets_per_day=10, seed=7).run()
    server = asgi_server.start()  # the live parts (sockets) need the real ASGI server
    boss = AgentFactory(email="jefa@example.com", name="陈 静", supervisor=True, languages=["en"])
    leaks = {}
    ARTIFACTS.mkdir(exist_ok=True)
    for lang in LANGS:
        customer, agent, ticket, chat = _data(lang)
        tabs = {"customer": new_page(base_url=server), "agent": new_page(base_url=server),
                "supervisor": new_page(base_url=server)}
        log_in(tabs["customer"], customer.email, PASSWORD, lang=lang)
        log_in(tabs["agent"], agent.email, PASSWORD, lang=lang)
        log_in(tabs["supervisor"], boss.email, PASSWORD, lang=lang)
        pages = {
            "customer": ["/", "/requests/new/", "/requests/", f"/requests/{ticket.ref}/", "/notifications/", "/help/",
                         "/chat/", "/status/", "/verify/"],
            "agent": ["/agent/", "/agent/tickets/", f"/agent/tickets/{ticket.ref}/", "/agent/chats/",
                      f"/agent/chats/{chat.pk}/",
                      f"/agent/customers/{customer.pk}/", f"/agent/search/?q={customer.email}", "/notifications/",
                      "/agent/incidents/"],
            "supervisor": ["/agent/reports/", "/agent/wallboard/", "/agent/reviews/", f"/agent/reviews/new/?ticket={ticket.ref}",
                           "/agent/incidents/new/"],
        }
        for who, paths in pages.items():
            tab = tabs[who]
            for path in paths:
                response = tab.goto(f"/{lang}{path}")
                assert response.status in (200, 400), (lang, path, response.status)  # 400: a review of an open ticket
                tab.wait_for_load_state("networkidle")
                if path.startswith(("/agent/", "/chat/")):
                    tab.wait_for_timeout(1000)  # the socket's frames (snapshot, chats, worklist) render the live parts
                found = english_on_page(tab)
                if found:
                    leaks[f"{lang} {who} {path}"] = found
                name = (path.replace(ticket.ref, "ticket").replace(str(chat.pk), "chat").split("?")[0].strip("/")
                        .replace("/", "_") or "home")
                tab.screenshot(path=str(ARTIFACTS / f"leaks-{lang}-{who}-{name}.png"), full_page=True)
    assert leaks == {}
