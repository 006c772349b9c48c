"""The bot's configuration as the data migration installs it (a transactional test elsewhere may have flushed it)."""
import pytest

from chatbot import defaults
from chatbot.models import BotText, HumanOnlyTopic, IntentExample, IntentPhrase


@pytest.fixture(autouse=True)
def _bot_defaults(db):
    defaults.install(BotText, IntentPhrase, HumanOnlyTopic)
    defaults.install_examples(IntentExample)
