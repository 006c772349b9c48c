"""A starting rubric (admins edit it): four criteria a support lead scores, named in the six languages."""
from django.db import migrations

RUBRIC = [
    ("Accuracy", "准确性", "Exactitud", "Точность", "正確さ", "정확성",
     "Every fact, step and amount was correct; nothing the customer was told needs undoing."),
    ("Tone", "语气", "Tono", "Тон", "言葉遣い", "어조",
     "Polite, calm and clear in the customer's language; empathy when they were worried."),
    ("Resolution", "解决问题", "Resolución", "Решение", "解決", "해결",
     "The customer's problem was solved or the next step was clear, without needless back-and-forth."),
    ("Compliance", "合规", "Cumplimiento", "Соблюдение правил", "コンプライアンス", "규정 준수",
     "Identity checked when needed, no secrets asked for, security and privacy policy followed."),
]
LANGS = ["en", "zh_hans", "es", "ru", "ja", "ko"]


def install(apps, schema_editor):
    criterion = apps.get_model("reports", "ReviewCriterion")
    if criterion.objects.exists():
        return
    for position, row in enumerate(RUBRIC):
        names, description = row[:6], row[6]
        fields = {f"name_{lang}": name for lang, name in zip(LANGS, names)}
        criterion.objects.create(name=names[0], description=description, description_en=description,
                                 position=position, weight=2 if position in (0, 3) else 1, **fields)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
