"""An agent's code cannot be replayed (issue #22, finding 4): the code a customer sees belongs to one conversation
and one agent. A scammer who saw a real code (a screenshot of someone else's chat, a forwarded mail) shows it to
another customer, and /verify/ tells that customer it is not the code of anyone in their conversations."""
import pytest

from livechat import services as chat_services
from support.models import AgentProfile, Presence
from tests.factories import AgentFactory, UserFactory
from tickets import services as ticket_services
from tickets.selectors import agent_code_key
from verification.selectors import channel_check, conversation_code

pytestmark = pytest.mark.django_db


def answered_ticket(customer, agent):
    ticket = ticket_services.ticket_create(requester=customer, subject="Withdrawal", body="My withdrawal is stuck")
    ticket_services.ticket_reply(ticket=ticket, author=agent, body="I am looking at it.")
    return ticket


def test_a_code_seen_in_one_customers_request_proves_nothing_to_another_customer():
    agent = AgentFactory(name="Ana")
    victim, other = UserFactory(email="victim@example.com"), UserFactory(email="other@example.com")
    seen = conversation_code(agent, agent_code_key(answered_ticket(other, agent).ref))
    own_ticket = answered_ticket(victim, agent)
    own = conversation_code(agent, agent_code_key(own_ticket.ref))
    assert own != seen
    replayed = channel_check("agent_code", seen, customer=victim)
    assert not replayed.official and not replayed.needs_sign_in
    genuine = channel_check("agent_code", own.lower(), customer=victim)
    assert (genuine.official, genuine.label, genuine.conversation) == (True, "Ana", own_ticket.ref)
    # Nobody learns whose code it is without being in the conversation.
    assert channel_check("agent_code", own).needs_sign_in and not channel_check("agent_code", own).official


def test_each_chat_gets_its_own_code_and_the_customer_can_check_it():
    agent = AgentFactory(name="Minji", languages=["ko"])
    AgentProfile.objects.filter(user=agent).update(presence=Presence.ONLINE)
    customer = UserFactory(email="chat@example.com", language="ko")
    first = chat_services.conversation_start(language="ko", customer=customer, topic="출금")
    second = chat_services.conversation_start(language="ko", customer=customer, topic="입금")
    for chat in (first, second):
        chat_services.conversation_pick(conversation_id=chat.pk, agent=agent)
    codes = {conversation_code(agent, f"chat:{chat.pk}") for chat in (first, second)}
    assert len(codes) == 2
    assert all(channel_check("agent_code", code, customer=customer).official for code in codes)
    assert not any(channel_check("agent_code", code, customer=UserFactory()).official for code in codes)


def test_an_agent_sees_their_code_for_the_request_and_the_customer_gets_it_by_mail(client, mailbox):
    from tests.tickets.test_email_outbound import deliver_all

    agent = AgentFactory(name="Lena", languages=["ru"])
    customer = UserFactory(email="lena.customer@example.com", language="ru")
    ticket = answered_ticket(customer, agent)
    code = conversation_code(agent, agent_code_key(ticket.ref))
    client.force_login(agent)
    html = client.get(f"/ru/agent/tickets/{ticket.ref}/").content.decode()
    assert 'data-testid="my-agent-code"' in html and code in html
    deliver_all()
    reply = next(m["message"] for m in mailbox if "Re:" in str(m["message"]["Subject"]))
    assert code in reply.get_body(("plain",)).get_content()
    assert agent.agent_profile.verification_code not in reply.as_string()
