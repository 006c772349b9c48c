import django.db.models.deletion
from django.db import migrations, models

# TermStat follows ArticleTerm exactly, whatever writes it (the search service, a cascade from a deleted article):
# statement-level triggers add and subtract the inserted and deleted rows per term, locking stat rows in term
# order so two concurrent article saves cannot deadlock.
TRIGGERS = """
CREATE FUNCTION helpcenter_termstat_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO helpcenter_termstat (language, term, documents)
    SELECT language, term, count(*) FROM new_rows GROUP BY language, term ORDER BY language, term
    ON CONFLICT (language, term) DO UPDATE SET documents = helpcenter_termstat.documents + EXCLUDED.documents;
    RETURN NULL;
END $$;

CREATE FUNCTION helpcenter_termstat_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE helpcenter_termstat s SET documents = s.documents - d.n
    FROM (SELECT language, term, count(*) AS n FROM old_rows GROUP BY language, term ORDER BY language, term) d
    WHERE s.language = d.language AND s.term = d.term;
    DELETE FROM helpcenter_termstat s USING (SELECT DISTINCT language, term FROM old_rows) d
    WHERE s.language = d.language AND s.term = d.term AND s.documents <= 0;
    RETURN NULL;
END $$;

CREATE TRIGGER helpcenter_articleterm_added AFTER INSERT ON helpcenter_articleterm
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION helpcenter_termstat_add();
CREATE TRIGGER helpcenter_articleterm_removed AFTER DELETE ON helpcenter_articleterm
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION helpcenter_termstat_remove();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS helpcenter_articleterm_added ON helpcenter_articleterm;
DROP TRIGGER IF EXISTS helpcenter_articleterm_removed ON helpcenter_articleterm;
DROP FUNCTION IF EXISTS helpcenter_termstat_add();
DROP FUNCTION IF EXISTS helpcenter_termstat_remove();
"""


def index_published(apps, schema_editor):
    from helpcenter.search import terms_index

    Article = apps.get_model("helpcenter", "Article")
    ids = list(Article.objects.filter(status="published").values_list("id", flat=True))
    for start in range(0, len(ids), 500):
        terms_index(ids[start:start + 500])


class Migration(migrations.Migration):
    """The ranked term index behind help-center search (see helpcenter/search.py), filled for the articles
    already published."""

    dependencies = [
        ('helpcenter', '0002_title_trigrams'),
    ]

    operations = [
        migrations.CreateModel(
            name='TermStat',
            fields=[
                ('pk', models.CompositePrimaryKey('language', 'term', blank=True, editable=False, primary_key=True, serialize=False)),
                ('language', models.CharField(max_length=8)),
                ('term', models.TextField()),
                ('documents', models.IntegerField()),
            ],
        ),
        migrations.CreateModel(
            name='ArticleTerm',
            fields=[
                ('pk', models.CompositePrimaryKey('article', 'language', 'term', blank=True, editable=False, primary_key=True, serialize=False)),
                ('language', models.CharField(max_length=8)),
                ('term', models.TextField()),
                ('weight', models.FloatField()),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='helpcenter.article')),
            ],
            options={
                'indexes': [models.Index(models.F('language'), models.F('term'), models.OrderBy(models.F('weight'), descending=True), models.F('article'), name='article_term_rank')],
            },
        ),
        migrations.RunSQL(TRIGGERS, DROP_TRIGGERS),
        migrations.RunPython(index_published, migrations.RunPython.noop),
    ]
