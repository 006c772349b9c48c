"""Agent verification codes are required and unique (0004 gave every existing agent one)."""
from django.db import migrations, models

import support.models


class Migration(migrations.Migration):

    dependencies = [
        ("support", "0004_agent_verification_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="agentprofile",
            name="verification_code",
            field=models.CharField(default=support.models.new_verification_code, editable=False, max_length=8,
                                   unique=True, verbose_name="verification code"),
        ),
    ]
