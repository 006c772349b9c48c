# The VIP rule's queue key (livechat/services/queue.py): the queue's index now orders by it, falling back to queued_at.

import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('livechat', '0005_wrap_up'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='conversation',
            name='conversation_queue',
        ),
        migrations.AddField(
            model_name='conversation',
            name='queue_key',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='conversation',
            index=models.Index(models.F('language'), django.db.models.functions.comparison.Coalesce('queue_key', 'queued_at'), models.F('id'), condition=models.Q(('status', 'queued')), name='conversation_queue_order'),
        ),
    ]
