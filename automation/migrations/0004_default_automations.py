"""The automations a desk starts with (issue #26): they replace the hard-coded closing of solved tickets."""
from django.db import migrations

REMIND = {
    "en": "We are still waiting for your answer on this request. Reply to this email or on the request's page when "
          "you can; if we do not hear from you, the request will be closed.",
    "zh-hans": "我们仍在等待您对此请求的回复。方便时请直接回复此邮件，或在请求页面中回复；如果没有收到您的回复，此请求将被关闭。",
    "es": "Seguimos esperando su respuesta sobre esta solicitud. Responda a este correo o en la página de la solicitud "
          "cuando pueda; si no sabemos de usted, la solicitud se cerrará.",
    "ru": "Мы всё ещё ждём вашего ответа по этому запросу. Ответьте на это письмо или на странице запроса, когда "
          "сможете; если ответа не будет, запрос будет закрыт.",
    "ja": "このリクエストについて、お客様からのご返信をお待ちしています。お手数ですが、このメールまたはリクエストのページからご返信ください。"
          "ご返信がない場合、リクエストはクローズされます。",
    "ko": "이 요청에 대한 고객님의 답변을 기다리고 있습니다. 편하실 때 이 이메일이나 요청 페이지에서 답장해 주세요. 답변이 없으면 요청이 "
          "종료됩니다.",
}
URGENT = {
    "en": "An urgent request has had no one assigned for 15 minutes.",
    "zh-hans": "一个紧急请求已 15 分钟无人处理。",
    "es": "Una solicitud urgente lleva 15 minutos sin nadie asignado.",
    "ru": "Срочный запрос уже 15 минут ни на кого не назначен.",
    "ja": "緊急のリクエストに 15 分間担当者が割り当てられていません。",
    "ko": "긴급 요청에 15분 동안 담당자가 지정되지 않았습니다.",
}
NAMES = {
    "remind": {"en": "Remind the customer after 3 days pending", "zh-hans": "待处理 3 天后提醒客户",
               "es": "Recordar al cliente tras 3 días pendiente", "ru": "Напомнить клиенту через 3 дня ожидания",
               "ja": "保留 3 日後にお客様へリマインド", "ko": "대기 3일 후 고객에게 알림"},
    "close": {"en": "Close 4 days after solved", "zh-hans": "解决 4 天后关闭", "es": "Cerrar 4 días después de resuelto",
              "ru": "Закрыть через 4 дня после решения", "ja": "解決から 4 日後にクローズ", "ko": "해결 4일 후 종료"},
    "urgent": {"en": "Alert the supervisors when an urgent request is unassigned for 15 minutes",
               "zh-hans": "紧急请求 15 分钟无人处理时提醒主管",
               "es": "Avisar a los supervisores si una solicitud urgente lleva 15 minutos sin asignar",
               "ru": "Предупредить руководителей, если срочный запрос 15 минут ни на кого не назначен",
               "ja": "緊急のリクエストが 15 分間未割り当てならスーパーバイザーに通知",
               "ko": "긴급 요청이 15분 동안 미배정이면 관리자에게 알림"},
}
DEFAULTS = [
    ("remind",
     [{"field": "hours_since", "of": "pending", "op": "gte", "value": 72}],
     [{"type": "notify", "target": "requester", "via": "email", "address": None, "message": REMIND}]),
    ("close",
     [{"field": "status", "op": "is", "value": "solved"},
      {"field": "hours_since", "of": "solved", "op": "gte", "value": 96}],
     [{"type": "set_status", "value": "closed"}]),
    ("urgent",
     [{"field": "priority", "op": "is", "value": "urgent"}, {"field": "assignee", "op": "is", "value": None},
      {"field": "status", "op": "in", "value": ["new", "open"]},
      {"field": "hours_since", "of": "created", "op": "gte", "value": 0.25}],
     [{"type": "notify", "target": "supervisors", "via": "in_site", "address": None, "message": URGENT}]),
]


def create(apps, schema_editor):
    Automation = apps.get_model("automation", "Automation")
    for position, (key, conditions, actions) in enumerate(DEFAULTS):
        names = {f"name_{lang.replace('-', '_')}": text for lang, text in NAMES[key].items()}
        if not Automation.objects.filter(name_en=names["name_en"]).exists():
            Automation.objects.create(name=names["name_en"], position=position, conditions=conditions,
                                      actions=actions, **names)


class Migration(migrations.Migration):
    dependencies = [("automation", "0003_automation_names")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
