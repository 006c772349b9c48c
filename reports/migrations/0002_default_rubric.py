"""A starting rubric (admins edit it): four criteria a support lead scores, named in the six languages."""
from django.db import migrations

RUBRIC = [
    (("Accuracy", "准确性", "Exactitud", "Точность", "正確さ", "정확성"),
     ("Every fact, step and amount was correct; nothing the customer was told needs undoing.",
      "每个事实、步骤和金额都正确，告诉客户的内容无需更正。",
      "Cada dato, paso e importe fue correcto; nada de lo dicho al cliente hay que corregir.",
      "Все факты, шаги и суммы верны; ничего из сказанного клиенту не нужно исправлять.",
      "事実・手順・金額がすべて正しく、お客様に伝えた内容を訂正する必要がない。",
      "모든 사실, 절차, 금액이 정확하여 고객에게 안내한 내용을 바로잡을 필요가 없다.")),
    (("Tone", "语气", "Tono", "Тон", "言葉遣い", "어조"),
     ("Polite, calm and clear in the customer's language; empathy when they were worried.",
      "用客户的语言礼貌、冷静、清楚地沟通；在客户担心时表达理解。",
      "Educado, sereno y claro en el idioma del cliente; empatía cuando estaba preocupado.",
      "Вежливо, спокойно и ясно на языке клиента; сочувствие, когда он волновался.",
      "お客様の言語で丁寧・冷静・明快に。不安なときには寄り添う。",
      "고객의 언어로 정중하고 차분하며 명확하게, 걱정할 때는 공감하며.")),
    (("Resolution", "解决问题", "Resolución", "Решение", "解決", "해결"),
     ("The customer's problem was solved or the next step was clear, without needless back-and-forth.",
      "客户的问题得到解决，或下一步清楚明确，没有不必要的来回。",
      "El problema se resolvió o el siguiente paso quedó claro, sin idas y venidas innecesarias.",
      "Проблема клиента решена или следующий шаг ясен, без лишней переписки.",
      "問題が解決したか、次の手順が明確で、無駄なやり取りがない。",
      "고객의 문제가 해결되었거나 다음 단계가 분명하며, 불필요한 주고받기가 없다.")),
    (("Compliance", "合规", "Cumplimiento", "Соблюдение правил", "コンプライアンス", "규정 준수"),
     ("Identity checked when needed, no secrets asked for, security and privacy policy followed.",
      "必要时核验身份，从不索要密钥或密码，遵守安全和隐私政策。",
      "Identidad verificada cuando hacía falta, sin pedir secretos, política de seguridad y privacidad cumplida.",
      "Личность проверена, когда нужно; секреты не запрашивались; правила безопасности соблюдены.",
      "必要に応じて本人確認し、秘密情報を求めず、セキュリティとプライバシーの方針を守った。",
      "필요할 때 본인 확인, 비밀 정보 요구 없음, 보안 및 개인정보 정책 준수.")),
]
LANGS = ["en", "zh_hans", "es", "ru", "ja", "ko"]


def install(apps, schema_editor):
    criterion = apps.get_model("reports", "ReviewCriterion")
    if criterion.objects.exists():
        return
    for position, (names, descriptions) in enumerate(RUBRIC):
        fields = {f"name_{lang}": name for lang, name in zip(LANGS, names)}
        fields.update({f"description_{lang}": text for lang, text in zip(LANGS, descriptions)})
        criterion.objects.create(name=names[0], description=descriptions[0], position=position,
                                 weight=2 if position in (0, 3) else 1, **fields)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
