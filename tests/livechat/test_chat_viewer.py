"""Who may see a chat is one rule (livechat.selectors.chat_viewer_role, issue #23), used by the customer's socket,
the chat API and chat files: its visitor token or its signed-in customer as the customer, any agent as an agent,
nobody else."""
import pytest
from django.contrib.auth.models import AnonymousUser

from livechat import selectors, services
from livechat.models import Conversation
from livechat.tokens import visitor_token
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_one_rule_for_seeing_a_chat(settings):
    owner, stranger, agent = UserFactory(), UserFactory(), AgentFactory()
    chat = services.conversation_start(language="en", customer=owner)
    visitor_chat = services.conversation_start(language="en", visitor_name="V", visitor_email="v@example.com")
    other_token = visitor_token(visitor_chat.id)

    def role(**who):
        return selectors.chat_viewer_role(conversation=chat, **who)

    assert role(user=owner) == selectors.CUSTOMER
    assert role(token=visitor_token(chat.id)) == selectors.CUSTOMER
    assert role(user=agent) == selectors.AGENT
    assert role(user=stranger) is None and role(user=AnonymousUser()) is None and role() is None
    assert role(token=other_token) is None and role(token="forged") is None
    assert role(user=stranger, token=other_token) is None
    settings.LIVECHAT_VISITOR_TOKEN_MAX_AGE = -1  # an expired token opens nothing
    assert selectors.chat_viewer_role(conversation=visitor_chat, token=other_token) is None
    with pytest.raises(Conversation.DoesNotExist):
        selectors.conversation_get_for_viewer(conversation_id=chat.id, user=stranger)
    with pytest.raises(Conversation.DoesNotExist):
        selectors.conversation_get_for_viewer(conversation_id="not-a-uuid", user=agent)
