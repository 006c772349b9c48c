from django.db import migrations


def install(apps, schema_editor):
    from chatbot import defaults

    defaults.install_examples(apps.get_model("chatbot", "IntentExample"))


class Migration(migrations.Migration):
    """Shipped examples added later (problem reports and polite requests that are questions, "how are you"
    greetings, praise as thanks, "nice talking to you" goodbyes): a desk that upgrades gets them too; an admin's own
    examples and edits are left as they are."""

    dependencies = [("chatbot", "0006_handover_sure_threshold")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
