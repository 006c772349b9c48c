"""Every agent gets a public verification code. Existing agents get theirs here, one by one: AddField with a
callable default would give every existing row the same value, which a unique constraint refuses. The constraint
comes in 0005, in its own transaction (Postgres will not alter a table with pending trigger events from the updates
made here)."""
from django.db import migrations, models

import support.models


def fill_codes(apps, schema_editor):
    AgentProfile = apps.get_model("support", "AgentProfile")
    taken = set()
    for profile in AgentProfile.objects.filter(verification_code__isnull=True).only("pk"):
        code = support.models.new_verification_code()
        while code in taken:
            code = support.models.new_verification_code()
        taken.add(code)
        AgentProfile.objects.filter(pk=profile.pk).update(verification_code=code)


class Migration(migrations.Migration):

    dependencies = [
        ("support", "0003_agent_last_chat"),
    ]

    operations = [
        migrations.AddField(
            model_name="agentprofile",
            name="verification_code",
            field=models.CharField(editable=False, max_length=8, null=True, verbose_name="verification code"),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
    ]
