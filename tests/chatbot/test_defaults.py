

def test_human_only_topics_install_once_whatever_language_is_active():
    """The topics are found by their English name: installing again under Japanese (a data migration run while a
    request's language is active) neither duplicates them nor clashes with their Japanese names."""
    from django.utils import translation

    from chatbot import defaults
    from chatbot.models import BotText, HumanOnlyTopic, IntentPhrase

    HumanOnlyTopic.objects.all().delete()
    defaults.install(BotText, IntentPhrase, HumanOnlyTopic)
    with translation.override("ja"):
        defaults.install(BotText, IntentPhrase, HumanOnlyTopic)
        names = sorted(HumanOnlyTopic.objects.values_list("name_en", "name_ja"))
        shown = sorted(topic.name for topic in HumanOnlyTopic.objects.all())
    assert names == [("Account frozen", "アカウント凍結"), ("Suspected fraud", "不正の疑い")]
    assert shown == ["アカウント凍結", "不正の疑い"]
