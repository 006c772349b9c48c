"""Declaring, linking and resolving incidents: validation, the links new tickets and chats get, and the
resolution's notices (one per person, exactly once, in their language, in batches)."""
import threading

import pytest
from django.db import connection

from incidents import selectors, services
from incidents.models import IncidentLink, IncidentNotice, IncidentStatus
from livechat import services as chat_services
from livechat.models import ConversationStatus, SenderKind
from support.models import Notification, OutboundEmail
from support.services import DomainError
from tests.factories import AgentFactory, UserFactory
from tickets import services as ticket_services
from tickets.models import Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_english_is_required_and_keywords_must_be_usable(supervisor):
    """A customer whose language has no text reads English, so English cannot be missing."""
    with pytest.raises(DomainError) as no_english:
        services.incident_declare(by=supervisor, titles={"ja": "出金の遅延"}, notices={"ja": "対応中です"},
                                  keywords=["出金"])
    assert no_english.value.field == "title.en"
    with pytest.raises(DomainError) as no_keywords:
        services.incident_declare(by=supervisor, titles={"en": "Delay"}, notices={"en": "On it"}, keywords=["x", " "])
    assert no_keywords.value.field == "keywords"
    with pytest.raises(DomainError) as bad_language:
        services.incident_declare(by=supervisor, titles={"en": "Delay", "fr": "Retard"}, notices={"en": "On it"},
                                  keywords=["delay"])
    assert bad_language.value.code == "invalid_language"


def test_a_declared_incident_is_open_at_once_and_shows_each_language(declare):
    incident = declare()
    [shown] = selectors.open_incidents()
    assert shown.id == incident.pk
    assert shown.title("ja") == "出金の遅延"
    assert shown.notice("ko").startswith("출금이")
    assert selectors.incident_matching("where is my withdrawal") == shown


def test_a_language_left_empty_reads_english(supervisor):
    services.incident_declare(by=supervisor, titles={"en": "Login problems"}, notices={"en": "Some cannot log in."},
                              keywords=["login"])
    [shown] = selectors.open_incidents()
    assert shown.title("ru") == "Login problems"


def test_the_most_severe_incident_wins_when_several_match(declare):
    declare(keywords=["withdrawal"], severity="minor")
    critical = declare(keywords=["withdrawal", "deposit"], severity="critical")
    assert selectors.incident_matching("withdrawal stuck").id == critical.pk


def test_a_new_ticket_about_the_incident_is_tagged_and_linked(declare, customer):
    incident = declare()
    ticket = ticket_services.ticket_create(requester=customer, subject="Withdrawal pending",
                                           body="My BTC withdrawal has been pending for 3 hours")
    other = ticket_services.ticket_create(requester=customer, subject="Change my email", body="Please help")
    assert incident.tag in ticket.tags and incident.tag not in other.tags
    link = IncidentLink.objects.get(incident=incident)
    assert (link.channel, link.object_id, link.customer, link.language) == ("ticket", ticket.ref, customer, "en")
    assert TicketEvent.objects.filter(ticket=ticket).exists()


def test_emails_and_follow_ups_go_through_the_same_linking(declare, customer):
    """Every ticket comes from ticket_create, so mail-in tickets are linked like web ones."""
    incident = declare()
    ticket = ticket_services.ticket_create(requester=customer, subject="提现", body="到账了吗", channel="email")
    assert incident.tag in ticket.tags


def test_a_chat_is_linked_by_its_topic_or_its_first_messages_not_once_an_agent_has_it(declare, customer):
    incident = declare()
    by_topic = chat_services.conversation_start(language="en", customer=customer, topic="withdrawal", with_bot=False)
    by_message = chat_services.conversation_start(language="ja", visitor_name="Ken", visitor_email="ken@example.com",
                                                  with_bot=True)
    chat_services.customer_message_post(conversation_id=by_message.pk, body="出金が届きません")
    links = {link.object_id: link for link in IncidentLink.objects.filter(incident=incident, channel="chat")}
    assert set(links) == {str(by_topic.pk), str(by_message.pk)}
    assert links[str(by_message.pk)].email == "ken@example.com" and links[str(by_message.pk)].language == "ja"

    agent = AgentFactory(languages=["en"])
    active = chat_services.conversation_start(language="en", customer=customer, with_bot=False)
    chat_services.agent_presence_set(agent=agent, presence="online")
    chat_services.conversation_pick(conversation_id=active.pk, agent=agent)
    active.refresh_from_db()
    assert active.status == ConversationStatus.ACTIVE
    chat_services.customer_message_post(conversation_id=active.pk, body="also my withdrawal is late")
    assert not IncidentLink.objects.filter(object_id=str(active.pk)).exists()


def test_linking_is_refused_once_the_incident_is_resolved(declare, supervisor, customer):
    incident = declare()
    services.incident_resolve(incident=incident, by=supervisor, notify=False)
    assert not services.incident_link(incident_id=incident.pk, channel="ticket", object_id="T-1", customer=customer)
    assert selectors.open_incidents() == []
    ticket = ticket_services.ticket_create(requester=customer, subject="Withdrawal pending", body="still late")
    assert incident.tag not in ticket.tags


def test_resolving_twice_is_refused(declare, supervisor):
    incident = declare()
    services.incident_resolve(incident=incident, by=supervisor, notify=False)
    with pytest.raises(services.IncidentClosed):
        services.incident_resolve(incident=incident, by=supervisor)
    with pytest.raises(services.IncidentClosed):
        services.incident_update(incident=incident, severity="minor")


def test_an_update_changes_what_customers_read_and_keeps_other_languages(declare):
    incident = declare()
    services.incident_update(incident=incident, notices={"en": "Withdrawals are back to normal speed soon."},
                             keywords=["withdraw", "payout"], severity="critical")
    [shown] = selectors.open_incidents()
    assert shown.notice("en") == "Withdrawals are back to normal speed soon."
    assert shown.notice("ja").startswith("出金に")
    assert shown.severity == "critical" and shown.matches("payout delayed")
    with pytest.raises(DomainError):
        services.incident_update(incident=incident, titles={"en": ""})


def _people(count, language="en"):
    return [UserFactory(email=f"p{i}.{language}@example.com", language=language) for i in range(count)]


def test_one_notice_per_person_however_many_contacts(declare, supervisor, customer):
    """A customer with two tickets and a chat is one person to tell; a visitor is told by email."""
    incident = declare()
    for subject in ("Withdrawal 1", "Withdrawal 2"):
        ticket_services.ticket_create(requester=customer, subject=subject, body="pending")
    chat_services.conversation_start(language="en", customer=customer, topic="withdrawal", with_bot=False)
    chat_services.conversation_start(language="es", visitor_name="Ana", visitor_email="Ana@Example.com",
                                     topic="retiro", with_bot=False)
    chat_services.conversation_start(language="es", visitor_name="Ana", visitor_email="ana@example.com",
                                     topic="mi retiro", with_bot=False)
    services.incident_resolve(incident=incident, by=supervisor, notify=True)
    notices = IncidentNotice.objects.filter(incident=incident)
    assert sorted(n.recipient for n in notices) == ["email:ana@example.com", f"user:{customer.pk}"]


def test_notices_are_sent_in_batches_exactly_once_in_each_persons_language(declare, supervisor, settings):
    incident = declare()
    people = _people(3, "ja") + _people(2, "es")
    for person in people:
        ticket_services.ticket_create(requester=person, subject="出金" if person.language == "ja" else "retiro",
                                      body="?")
    services.incident_resolve(incident=incident, by=supervisor, notify=True,
                              resolutions={"ja": "出金は正常に戻りました。"})
    sent = [services.incident_notices_send(incident_id=incident.pk, batch_size=2) for _ in range(4)]
    assert sent == [2, 2, 1, 0]
    for person in people:
        [note] = Notification.objects.filter(user=person, kind="incident_resolved")
        [mail] = OutboundEmail.objects.filter(to_email=person.email, topic=f"incident:{incident.pk}")
        if person.language == "ja":
            assert mail.subject == "解決済み: 出金の遅延"
            assert "出金は正常に戻りました。" in mail.body_text
        else:  # no Spanish message was written: the standard one, in Spanish
            assert mail.subject.endswith("Retiros retrasados")
            assert "Retiros retrasados" in mail.body_text
    assert not IncidentNotice.objects.filter(incident=incident, sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_tell_each_person_once(declare, supervisor):
    """Rows are claimed FOR UPDATE SKIP LOCKED: concurrent batches take different people."""
    incident = declare()
    people = _people(12)
    for person in people:
        ticket_services.ticket_create(requester=person, subject="withdrawal", body="late")
    services.incident_resolve(incident=incident, by=supervisor, notify=True)
    barrier = threading.Barrier(3)
    results = []

    def worker():
        barrier.wait()
        try:
            while True:
                sent = services.incident_notices_send(incident_id=incident.pk, batch_size=3)
                results.append(sent)
                if not sent:
                    break
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 12
    for person in people:
        assert Notification.objects.filter(user=person, kind="incident_resolved").count() == 1
        assert OutboundEmail.objects.filter(to_email=person.email, topic=f"incident:{incident.pk}").count() == 1


def test_solving_linked_tickets_skips_the_status_email_when_customers_are_told(declare, supervisor, customer):
    from incidents.tasks import incident_solve_tickets

    incident = declare()
    linked = ticket_services.ticket_create(requester=customer, subject="withdrawal", body="late")
    unrelated = ticket_services.ticket_create(requester=customer, subject="profile", body="change my name")
    services.incident_resolve(incident=incident, by=supervisor, notify=True, solve_tickets=True)
    assert incident_solve_tickets.run(incident.pk) == 1
    linked.refresh_from_db()
    unrelated.refresh_from_db()
    assert linked.status == Status.SOLVED and unrelated.status == Status.NEW
    assert TicketEvent.objects.filter(ticket=linked, field="status", actor=supervisor).exists()
    assert not OutboundEmail.objects.filter(topic=f"ticket:{linked.ref}", subject__contains="solved").exists()
    assert Ticket.objects.get(pk=linked.pk).solved_at is not None


def test_a_resolution_without_notify_tells_nobody(declare, supervisor, customer):
    incident = declare()
    ticket_services.ticket_create(requester=customer, subject="withdrawal", body="late")
    resolved = services.incident_resolve(incident=incident, by=supervisor, notify=False)
    assert resolved.status == IncidentStatus.RESOLVED
    assert not IncidentNotice.objects.filter(incident=incident).exists()
    assert services.incident_notices_send(incident_id=incident.pk) == 0


def test_the_bot_stage_message_is_linked_even_when_it_carries_a_secret(declare):
    incident = declare()
    chat = chat_services.conversation_start(language="en", visitor_name="V", visitor_email="v@example.com",
                                            with_bot=True)
    message, _created = chat_services.customer_message_post(conversation_id=chat.pk, body="withdrawal stuck")
    assert message.sender_kind == SenderKind.CUSTOMER
    assert IncidentLink.objects.filter(incident=incident, object_id=str(chat.pk)).exists()


def test_the_confirmation_of_a_linked_request_carries_the_notice_in_the_customers_language(declare):
    declare()
    person = UserFactory(email="kim@example.com", language="ko")
    ticket = ticket_services.ticket_create(requester=person, subject="출금이 안 돼요", body="3시간째 대기 중")
    mail = OutboundEmail.objects.get(to_email="kim@example.com", topic=f"ticket:{ticket.ref}")
    assert "출금 지연" in mail.body_text and "출금이 최대 2시간 지연되고 있습니다" in mail.body_text
    assert "출금이 최대 2시간 지연되고 있습니다" in mail.body_html
    other = ticket_services.ticket_create(requester=person, subject="비밀번호 변경", body="도와주세요")
    plain = OutboundEmail.objects.get(topic=f"ticket:{other.ref}")
    assert "출금 지연" not in plain.body_text
