"""/<lang>/verify/: anyone checks a contact and is answered on the same page, in their language: green for ours,
a red warning for anything else."""
import re

import pytest

from tests.factories import AgentFactory
from verification.selectors import agent_verification_code

pytestmark = pytest.mark.django_db

WARNINGS = {
    "en": ("Not an official channel", "Do not share anything with it: no passwords, codes, recovery phrases or keys. "
                                      "Our staff will never ask for them."),
    "zh-hans": ("不是官方渠道", "不要向其提供任何信息：不要提供密码、验证码、助记词或密钥。我们的员工绝不会索要这些信息。"),
    "ru": ("Это не официальный канал", "Ничего ему не сообщайте: ни паролей, ни кодов, ни фраз восстановления, "
                                       "ни ключей. Наши сотрудники никогда их не попросят."),
    "ja": ("公式の窓口ではありません", "何も伝えないでください。パスワード、コード、リカバリーフレーズ、鍵は絶対に教えないでください。"
                                   "当社のスタッフがこれらを求めることは決してありません。"),
}


def page(client, lang="en", **query):
    response = client.get(f"/{lang}/verify/", query)
    return response, response.content.decode()


def test_the_page_is_public_and_explains_how_to_reach_real_support(client):
    response, html = page(client)
    assert response.status_code == 200
    assert "Is it really us?" in html and "How to reach our real support" in html
    assert 'name="value"' in html and 'data-testid="verify-warning"' not in html
    assert 'href="/en/chat/"' in html


def test_an_official_email_is_answered_green_with_its_label(client, official):
    response, html = page(client, kind="email", value="SUPPORT@example.com")
    assert response.status_code == 200
    assert 'data-testid="verify-official"' in html and 'data-testid="verify-warning"' not in html
    assert "This is an official channel of Support: Customer support email" in html


@pytest.mark.parametrize("lang", list(WARNINGS))
def test_anything_else_gets_the_red_warning_in_the_visitors_language(client, official, lang):
    response, html = page(client, lang, kind="social", value="@example_support_desk")
    title, warning = WARNINGS[lang]
    assert response.status_code == 200
    assert 'data-testid="verify-warning"' in html and 'role="alert"' in html
    assert title in html and warning in html


def test_the_green_answer_reads_in_the_visitors_language(client, official):
    _response, html = page(client, "ko", kind="email", value="support@example.com")
    assert "Support의 공식 채널입니다: 고객 지원 이메일" in html


def test_a_lookalike_domain_is_shown_in_its_real_form(client, official):
    _response, html = page(client, kind="domain", value="https://exаmple.com/")
    assert 'data-testid="verify-warning"' in html
    assert "xn--exmple-4nf.com" in html and 'data-testid="verify-lookalike"' in html


def test_an_agent_code_answers_with_the_agents_name_to_the_customer_of_its_conversation(client):
    from tests.factories import UserFactory
    from tickets import services as ticket_services
    from tickets.selectors import agent_code_key
    from verification.selectors import conversation_code

    agent = AgentFactory(name="Lucía García")
    customer = UserFactory(email="ana@example.com", language="es")
    ticket = ticket_services.ticket_create(requester=customer, subject="Retiro", body="No llega mi retiro")
    ticket_services.ticket_reply(ticket=ticket, author=agent, body="Lo reviso")
    code = conversation_code(agent, agent_code_key(ticket.ref))
    _response, html = page(client, "es", kind="agent_code", value=code)
    assert 'data-testid="verify-sign-in"' in html and "Lucía García" not in html
    client.force_login(customer)
    _response, html = page(client, "es", kind="agent_code", value=code)
    assert 'data-testid="verify-official"' in html and "Lucía García" in html and ticket.ref in html
    _response, html = page(client, "es", kind="agent_code", value=agent_verification_code(agent))
    assert 'data-testid="verify-warning"' in html


def test_a_platform_left_chosen_from_an_earlier_check_does_not_matter_for_an_email(client, official):
    """The menu only shows for social accounts, but the browser still sends what it was set to."""
    _response, html = page(client, kind="email", value="support@example.com", platform="telegram")
    assert 'data-testid="verify-official"' in html


def test_bad_input_is_shown_on_the_field_and_nothing_is_answered(client, official):
    response, html = page(client, kind="phone", value="555-0100")
    assert response.status_code == 200
    assert "Enter a phone number with its country code" in html
    assert 'data-testid="verify-official"' not in html and 'data-testid="verify-warning"' not in html
    assert 'value="555-0100"' in html  # kept, to correct it


def test_a_link_can_preselect_the_kind_without_checking(client, limits):
    response, html = page(client, kind="phone")
    assert response.status_code == 200
    assert re.search(r'<input type="radio" name="kind" value="phone"[^>]* checked>', html)
    assert "verify-warning" not in html and "field-error" not in html


def test_checks_are_rate_limited_per_address_and_the_page_says_so(client, official, limits):
    for _ in range(3):
        assert page(client, kind="email", value="x@example.com")[0].status_code == 200
    page(client)  # opening the page is not a check
    response, html = page(client, "ru", kind="email", value="x@example.com")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "Слишком много попыток" in html


def test_what_the_visitor_typed_is_shown_escaped(client):
    """A checked value is echoed back twice (the answer and the form); neither may become markup."""
    _response, html = page(client, kind="email", value="<img/src=x/onerror=alert(1)>@example.com")
    assert "Enter an email address, like name@example.com." in html  # not one address: refused, and shown
    assert "<img/src" not in html and "&lt;img/src=x/onerror=alert(1)&gt;@example.com" in html
