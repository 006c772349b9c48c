from django.db import migrations


def install(apps, schema_editor):
    from chatbot import defaults

    defaults.install(apps.get_model("chatbot", "BotText"), apps.get_model("chatbot", "IntentPhrase"),
                     apps.get_model("chatbot", "HumanOnlyTopic"))


class Migration(migrations.Migration):
    """The bot's starting texts (six languages), intent phrases and human-only topics."""

    dependencies = [("chatbot", "0001_bot_configuration")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
