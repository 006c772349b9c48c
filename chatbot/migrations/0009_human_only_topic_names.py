from django.db import migrations, models


def names_fill(apps, schema_editor):
    """The English name is the one a topic had; the shipped topics get their names in the other five languages."""
    from chatbot.defaults import HUMAN_ONLY_TOPIC_NAMES

    for topic in apps.get_model("chatbot", "HumanOnlyTopic").objects.all():
        topic.name_en = topic.name_en or topic.name
        for language, text in HUMAN_ONLY_TOPIC_NAMES.get(topic.name, {}).items():
            field = f"name_{language.replace('-', '_')}"
            setattr(topic, field, getattr(topic, field) or text)
        topic.save()


class Migration(migrations.Migration):
    """Human-only topics' names in six languages (the agent reads them on the bot's handover card)."""

    dependencies = [
        ('chatbot', '0008_calibrated_thresholds'),
    ]

    operations = [
        migrations.AddField(
            model_name='humanonlytopic',
            name='name_en',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='humanonlytopic',
            name='name_es',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='humanonlytopic',
            name='name_ja',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='humanonlytopic',
            name='name_ko',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='humanonlytopic',
            name='name_ru',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='humanonlytopic',
            name='name_zh_hans',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.RunPython(names_fill, migrations.RunPython.noop),
    ]
