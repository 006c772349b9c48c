"""An official list like a real desk's: a support address, the website with its subdomains, the desk's mail
domain, a phone line, a Telegram account and a retired (inactive) address."""
import pytest
from django.utils import translation

from verification.models import ChannelKind, Platform
from verification.services import official_channel_create

LABELS = {
    "support": {"en": "Customer support email", "zh-hans": "客户支持邮箱", "es": "Correo de atención al cliente",
                "ru": "Почта службы поддержки", "ja": "サポートのメール", "ko": "고객 지원 이메일"},
}


@pytest.fixture(autouse=True)
def _english():
    """Selectors answer in the active language; a page test in another language must not leave it behind."""
    with translation.override("en"):
        yield


@pytest.fixture
def official(db):
    """The official list, by short name."""
    return {
        "support": official_channel_create(kind=ChannelKind.EMAIL, value="Support@Example.com",
                                           labels=LABELS["support"]),
        "website": official_channel_create(kind=ChannelKind.DOMAIN, value="https://www.example.com/",
                                           allow_subdomains=True, labels={"en": "Our website"}),
        "mail": official_channel_create(kind=ChannelKind.DOMAIN, value="mail.example.net", covers_email=True,
                                        labels={"en": "Desk mail"}),
        "blog": official_channel_create(kind=ChannelKind.DOMAIN, value="example.org", labels={"en": "Blog"}),
        "phone": official_channel_create(kind=ChannelKind.PHONE, value="+1 (415) 555-0100",
                                         labels={"en": "Phone line"}),
        "telegram": official_channel_create(kind=ChannelKind.SOCIAL, platform=Platform.TELEGRAM,
                                            value="@Example_Support", labels={"en": "Telegram support"}),
        "retired": _inactive(official_channel_create(kind=ChannelKind.EMAIL, value="old@example.com",
                                                     labels={"en": "Old address"})),
    }


def _inactive(channel):
    channel.is_active = False
    channel.save(update_fields=["is_active"])
    return channel


@pytest.fixture
def limits(settings, rate_limits):
    """Rate limits on (see tests/conftest.py), three checks per address."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "verify": (3, 600)}
    return settings
