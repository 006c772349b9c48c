"""The customer view for agents: profile, every ticket and chat, satisfaction history, in a fixed number of
queries; customers never see it."""
import pytest
from django.utils import timezone

from livechat import services as chat_services
from tests.factories import UserFactory
from tickets import services
from tickets.models import Status, TicketRating

pytestmark = pytest.mark.django_db


def test_agents_see_everything_about_a_customer_in_few_queries(client, agent, django_assert_max_num_queries):
    customer = UserFactory(email="olga@example.com", name="Ольга", language="ru")
    tickets = [services.ticket_create(requester=customer, subject=f"Вопрос {n}", body="…") for n in range(4)]
    services.ticket_update(ticket=tickets[0], actor=agent, assignee=agent)
    services.ticket_update(ticket=tickets[0], actor=agent, status=Status.SOLVED)
    TicketRating.objects.filter(ticket=tickets[0]).update(score=4, comment="Спасибо", rated_at=timezone.now())
    for n in range(3):
        chat = chat_services.conversation_start(language="ru", customer=customer, with_bot=False)
    chat_services.conversation_close(conversation_id=chat.pk, by="customer")
    chat_services.conversation_rate(conversation_id=chat.pk, score=5, comment="Быстро")
    client.force_login(agent)
    with django_assert_max_num_queries(14):
        page = client.get(f"/ru/agent/customers/{customer.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "olga@example.com" in html
    assert html.count("Вопрос ") == 4 and "Спасибо" in html and "Быстро" in html
    assert html.count('data-testid="customer-chats"') == 1


def test_customers_and_strangers_get_404(client, customer, agent):
    client.force_login(customer)
    assert client.get(f"/en/agent/customers/{customer.pk}/").status_code == 404
    client.force_login(agent)
    assert client.get("/en/agent/customers/999999/").status_code == 404
