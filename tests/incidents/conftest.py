"""Helpers for incident tests: declare one the way a supervisor does."""
import pytest

from incidents import services


@pytest.fixture
def declare(supervisor):
    def make(keywords=("withdrawal", "提现", "retiro", "вывод", "出金", "출금"), severity="major", **texts):
        titles = texts.get("titles") or {
            "en": "Withdrawals are delayed", "zh-hans": "提现延迟", "es": "Retiros retrasados",
            "ru": "Вывод средств задерживается", "ja": "出金の遅延", "ko": "출금 지연"}
        notices = texts.get("notices") or {
            "en": "Withdrawals are taking up to 2 hours. Your funds are safe; no need to contact us.",
            "zh-hans": "提现最多需要2小时。您的资金安全，无需联系我们。",
            "es": "Los retiros tardan hasta 2 horas. Sus fondos están seguros.",
            "ru": "Вывод занимает до 2 часов. Ваши средства в безопасности.",
            "ja": "出金に最大2時間かかっています。資金は安全です。",
            "ko": "출금이 최대 2시간 지연되고 있습니다. 자금은 안전합니다."}
        return services.incident_declare(by=supervisor, titles=titles, notices=notices, keywords=list(keywords),
                                         severity=severity)

    return make
