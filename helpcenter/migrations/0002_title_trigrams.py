from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

LANGS = ["en", "es", "ru"]


class Migration(migrations.Migration):
    """Trigram indexes on the titles of the Latin and Cyrillic languages, for typo-tolerant search."""

    dependencies = [("helpcenter", "0001_initial")]

    operations = [TrigramExtension()] + [
        migrations.RunSQL(
            f"CREATE INDEX article_title_{lang}_trgm ON helpcenter_article USING gin (title_{lang} gin_trgm_ops)",
            f"DROP INDEX IF EXISTS article_title_{lang}_trgm",
        )
        for lang in LANGS
    ]
