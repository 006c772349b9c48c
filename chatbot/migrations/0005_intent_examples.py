from django.db import migrations


def install(apps, schema_editor):
    from chatbot import defaults

    defaults.install(apps.get_model("chatbot", "BotText"), apps.get_model("chatbot", "IntentPhrase"),
                     apps.get_model("chatbot", "HumanOnlyTopic"))
    defaults.install_examples(apps.get_model("chatbot", "IntentExample"))


class Migration(migrations.Migration):
    """The intent classifier's shipped examples (six languages) and the texts for off-topic messages and goodbyes."""

    dependencies = [("chatbot", "0004_intent_classifier")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
