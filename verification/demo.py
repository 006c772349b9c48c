"""Demo official channels: the support email, the website (and its subdomains), the desk's mail domain and an
official Telegram account, so /verify/ answers green for them and red for everything else."""
from .models import ChannelKind, OfficialChannel, Platform
from .services import official_channel_create

CHANNELS = [
    # kind, platform, value (normalised), flags, labels
    (ChannelKind.EMAIL, "", "support@example.com", {}, {
        "en": "Customer support email", "zh-hans": "客户支持邮箱", "es": "Correo de atención al cliente",
        "ru": "Электронная почта службы поддержки", "ja": "カスタマーサポートのメールアドレス", "ko": "고객 지원 이메일"}),
    (ChannelKind.DOMAIN, "", "example.com", {"allow_subdomains": True}, {
        "en": "Our website", "zh-hans": "我们的官方网站", "es": "Nuestro sitio web", "ru": "Наш сайт",
        "ja": "公式ウェブサイト", "ko": "공식 웹사이트"}),
    (ChannelKind.DOMAIN, "", "support.example.com", {"covers_email": True, "allow_subdomains": True}, {
        "en": "Support desk (its emails and replies)", "zh-hans": "支持服务台（其邮件与回复）",
        "es": "Centro de soporte (sus correos y respuestas)", "ru": "Служба поддержки (её письма и ответы)",
        "ja": "サポートデスク（メールと返信）", "ko": "지원 데스크(이메일 및 답장)"}),
    (ChannelKind.SOCIAL, Platform.TELEGRAM, "example_support", {}, {
        "en": "Official Telegram support account", "zh-hans": "官方 Telegram 支持账号",
        "es": "Cuenta oficial de soporte en Telegram", "ru": "Официальный аккаунт поддержки в Telegram",
        "ja": "公式 Telegram サポートアカウント", "ko": "공식 텔레그램 지원 계정"}),
]


def seed(progress):
    for index, (kind, platform, value, flags, labels) in enumerate(CHANNELS, start=1):
        progress(index, len(CHANNELS), value)
        if OfficialChannel.objects.filter(kind=kind, platform=platform, value=value).exists():
            continue
        official_channel_create(kind=kind, platform=platform, value=value, labels=labels, **flags)
