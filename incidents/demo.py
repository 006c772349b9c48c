"""Demo incident: a resolved delay of deposits on one network (it shows on /status/ under "solved"). Declare a new
one on /<lang>/agent/incidents/new/ as the demo supervisor to see the banner, the bot and the linking at work."""
from support.models import User

from .models import Incident
from .services import incident_declare, incident_resolve

TITLES = {"en": "TRC-20 deposits were delayed", "zh-hans": "TRC-20 充值延迟", "es": "Depósitos TRC-20 retrasados",
          "ru": "Задержка пополнений TRC-20", "ja": "TRC-20 入金の遅延", "ko": "TRC-20 입금 지연"}
NOTICES = {"en": "TRC-20 deposits are arriving late because of network congestion. They are safe and will be credited.",
           "zh-hans": "由于网络拥堵，TRC-20 充值到账延迟。资金安全，将会入账。",
           "es": "Los depósitos TRC-20 llegan con retraso por congestión de la red. Están seguros y se acreditarán.",
           "ru": "Пополнения TRC-20 приходят с задержкой из-за загрузки сети. Они в безопасности и будут зачислены.",
           "ja": "ネットワーク混雑のため TRC-20 の入金が遅れています。資金は安全で、反映されます。",
           "ko": "네트워크 혼잡으로 TRC-20 입금이 지연되고 있습니다. 자금은 안전하며 반영될 예정입니다."}
RESOLUTIONS = {"en": "All delayed TRC-20 deposits have been credited.", "zh-hans": "所有延迟的 TRC-20 充值均已入账。",
               "es": "Todos los depósitos TRC-20 retrasados se han acreditado.",
               "ru": "Все задержанные пополнения TRC-20 зачислены.", "ja": "遅れていた TRC-20 の入金はすべて反映されました。",
               "ko": "지연된 TRC-20 입금이 모두 반영되었습니다."}


def seed(progress):
    progress(1, 1, "incident")
    if Incident.objects.filter(title_en=TITLES["en"]).exists():
        return
    supervisor = User.objects.filter(email="supervisor@example.com").first()
    incident = incident_declare(by=supervisor, titles=TITLES, notices=NOTICES, keywords=["trc-20", "trc20"],
                                severity="minor")
    incident_resolve(incident=incident, by=supervisor, notify=False, resolutions=RESOLUTIONS)
