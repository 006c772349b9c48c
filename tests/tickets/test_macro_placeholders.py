"""Macros with placeholders (issue #24): {{customer_name}}, {{ticket_ref}}, {{agent_name}} and {{agent_code}} are
filled where the text is offered (the ticket page's macros, the chat console's canned replies) with that ticket's
or chat's values, in the customer's language; an unknown placeholder is refused when the macro is saved, in the
language whose text has it."""
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from livechat import services as chat_services
from tests.factories import AgentFactory, UserFactory
from tickets.macros import macro_fill, macro_placeholders_check
from tickets.models import Macro
from tickets.services import ticket_create


def test_fill_replaces_known_placeholders_and_leaves_no_braces_for_missing_values():
    text = "Hi {{ customer_name }}, {{ticket_ref}} is with {{agent_name}} ({{agent_code}}). {{unknown}}"
    assert macro_fill(text, {"customer_name": "美咲", "ticket_ref": "T-10001", "agent_name": "Mei"}) == (
        "Hi 美咲, T-10001 is with Mei (). {{unknown}}")


def test_unknown_placeholders_are_refused_with_their_names():
    macro_placeholders_check("Hello {{customer_name}}")
    with pytest.raises(ValidationError) as refused:
        macro_placeholders_check("Hello {{customer}} and {{ticketref}}")
    assert "{{customer}}" in str(refused.value) and "{{ticketref}}" in str(refused.value)


@pytest.mark.django_db
def test_a_macro_with_a_typo_in_one_language_is_refused_for_that_language():
    macro = Macro(name_en="Hello", body_en="Hi {{customer_name}}", body_ja="{{customer_nam}} 様")
    with pytest.raises(ValidationError) as refused:
        macro.full_clean()
    assert set(refused.value.message_dict) == {"body_ja"}


@pytest.mark.django_db
def test_the_ticket_page_and_the_chat_console_offer_macros_filled_for_this_customer(settings):
    settings.LIVECHAT_BOT_ENABLED = False
    Macro.objects.create(name_en="Greeting", name_ja="挨拶",
                         body_en="Hello {{customer_name}}, about {{ticket_ref}}: {{agent_name}} ({{agent_code}})",
                         body_ja="{{customer_name}} 様、{{ticket_ref}} の件は {{agent_name}}（{{agent_code}}）が担当します")
    agent = AgentFactory(email="mei@example.com", name="Mei", languages=["ja"])
    customer = UserFactory(email="aoi@example.com", name="葵", language="ja")
    ticket = ticket_create(requester=customer, subject="出金", body="?", language="ja")
    client = Client()
    client.force_login(agent)
    with translation.override("ja"):
        page = client.get(f"/ja/agent/tickets/{ticket.ref}/")
    data = json.loads(re.search(r'<script id="macros-data" type="application/json">(.*?)</script>',
                                page.content.decode(), re.S).group(1))
    code = page.context["my_code"]
    assert code and data[0]["body"] == f"葵 様、{ticket.ref} の件は Mei（{code}）が担当します"

    chat = chat_services.conversation_start(language="ja", customer=customer, with_bot=False)
    context = client.get(f"/api/v1/chats/{chat.pk}/context/").json()
    assert context["canned_replies"][0]["body"] == f"葵 様、 の件は Mei（{context['your_code']}）が担当します"
