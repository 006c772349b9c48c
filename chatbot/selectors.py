"""Reads of the bot's configuration (a few small queries per message)."""
from django.utils import translation

from .intents import matching
from .models import BotText, HumanOnlyTopic, Intent, IntentPhrase


def intent_phrases(language):
    """{intent: [phrase, ...]}: the active phrases for any language, for this language, and the English ones
    (crypto customers everywhere type "agent" or "KYC")."""
    phrases = {intent: [] for intent in Intent.values}
    rows = (IntentPhrase.objects.filter(is_active=True, language__in=["", language, "en"])
            .values_list("intent", "phrase"))
    for intent, phrase in rows:
        phrases[intent].append(phrase)
    return phrases


def human_only_topic(text):
    """The English name (its key on the handover card) of the first active human-only topic one of whose keywords
    the text contains, or ""."""
    for topic in HumanOnlyTopic.objects.filter(is_active=True).only("name_en", "name", "keywords"):
        if matching(text, topic.keywords):
            return topic.name_en or topic.name
    return ""


def human_only_topic_label(key):
    """A human-only topic's name in the active language, from the English name a handover card keeps (the key
    itself when the topic is gone)."""
    topic = HumanOnlyTopic.objects.filter(name_en=key).first() if key else None
    return topic.name if topic is not None else key


def bot_text(key, language):
    """A bot text in the language (English where it has no translation); "" when the key does not exist."""
    text = BotText.objects.filter(key=key).first()
    if text is None:
        return ""
    with translation.override(language):
        return text.text  # modeltranslation reads text_<language>, falling back to English
