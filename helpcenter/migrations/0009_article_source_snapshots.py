"""Snapshots of the English source per translated language (what a translator sees a diff against).

Backfill: for a translation saved after the latest English edit, the English it was made from is the English of
today, so that is recorded. For a translation that is already out of date the English it was made from is unknown:
no row is written and the admin says so instead of showing an invented diff.
"""
from datetime import datetime

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

LANGUAGES = ("zh_hans", "es", "ru", "ja", "ko")  # modeltranslation's column suffixes, English excluded
FIELDS = ("title", "summary", "body")


def _moment(value):
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def backfill(apps, schema_editor):
    Article = apps.get_model("helpcenter", "Article")
    Snapshot = apps.get_model("helpcenter", "ArticleSourceSnapshot")
    rows = []
    columns = ["pk", "translated_at", *(f"{f}_en" for f in FIELDS),
               *(f"{f}_{s}" for s in LANGUAGES for f in ("title", "body"))]
    for article in Article.objects.only(*columns).iterator(chunk_size=500):
        dates = article.translated_at or {}
        source_at = _moment(dates.get("en"))
        if source_at is None:
            continue
        source = {f: getattr(article, f"{f}_en") or "" for f in FIELDS}
        for suffix in LANGUAGES:
            code = suffix.replace("_", "-")
            translated_at = _moment(dates.get(code))
            present = getattr(article, f"title_{suffix}") and getattr(article, f"body_{suffix}")
            if present and translated_at is not None and translated_at >= source_at:
                rows.append(Snapshot(article_id=article.pk, language=code, taken_at=translated_at, **source))
    Snapshot.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('helpcenter', '0008_sample_questions'),
    ]

    operations = [
        migrations.CreateModel(
            name='ArticleSourceSnapshot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('language', models.CharField(max_length=8)),
                ('title', models.TextField(blank=True)),
                ('summary', models.TextField(blank=True)),
                ('body', models.TextField(blank=True)),
                ('taken_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name='source_snapshots', to='helpcenter.article')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('article', 'language'),
                                                        name='article_source_snapshot_once')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
