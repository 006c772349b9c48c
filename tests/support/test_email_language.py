"""No English leaks in email (issue #24): every email the desk sends a customer (request received, an agent's
reply, a status change with the rating link, the chat transcript, an incident resolved, the address confirmation)
is written in the customer's language, subject, text and HTML alike, whatever language the code that sent it ran
in (an agent's English request, a Celery task): none of our English catalogue's phrases show (tests/leaks.py)."""
import pytest
from django.utils import translation

from incidents.emails import resolved_email
from incidents.services import incident_declare
from livechat import services as chat_services
from support.models import OutboundEmail
from support.outbox import outbound_emails_queue_many
from support.services import user_email_confirmation_send
from tests.factories import AgentFactory, UserFactory
from tests.leaks import english_leaks, visible_text
from tickets.models import Status
from tickets.services import ticket_create, ticket_reply, ticket_update

LANGS = ["zh-hans", "es", "ru", "ja", "ko"]


@pytest.mark.django_db
def test_every_email_to_a_customer_is_in_their_language(settings):
    settings.LIVECHAT_BOT_ENABLED = False
    agent = AgentFactory(email="mei@example.com", name="Mei", languages=LANGS)
    incident = incident_declare(by=agent, titles={lang: f"TRON {lang}" for lang in ["en", *LANGS]},
                                notices={lang: f"notice {lang}" for lang in ["en", *LANGS]}, keywords=["tron"])
    leaks = {}
    for lang in LANGS:
        with translation.override("en"):  # whoever acts works in English; the customer reads their language
            customer = UserFactory(email=f"c.{lang}@example.com", name="林", language=lang, email_verified=False)
            user_email_confirmation_send(user=customer)
            customer.email_verified = True
            customer.save(update_fields=["email_verified"])
            ticket = ticket_create(requester=customer, subject="TRC20", body="?", language=lang)
            ticket_reply(ticket=ticket, author=agent, body="OK")
            ticket_update(ticket=ticket, actor=agent, status=Status.SOLVED)
            chat = chat_services.conversation_start(language=lang, customer=customer, with_bot=False)
            chat_services.conversation_close(conversation_id=chat.pk, by="customer")
            chat_services.conversation_transcript_send(conversation_id=chat.pk)
            outbound_emails_queue_many([resolved_email(incident=incident, to_email=customer.email, user=customer,
                                                       language=lang)])
        emails = list(OutboundEmail.objects.filter(user=customer))
        assert len(emails) >= 6, (lang, [e.subject for e in emails])
        for email in emails:
            text = "\n".join([email.subject, email.body_text, visible_text(email.body_html)])
            found = english_leaks(text, lang, codes=True)
            if found:
                leaks[f"{lang} {email.topic or email.subject}"] = found
    assert leaks == {}
