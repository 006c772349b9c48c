"""The list of our official contacts: email addresses, web domains, phone numbers and social media accounts.

Values are stored normalised (verification.normalize), the form every check compares against; the admin form
normalises what staff type through OfficialChannel.clean().
"""
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from support.services import DomainError


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email address")
    DOMAIN = "domain", _("Website")
    PHONE = "phone", _("Phone number")
    SOCIAL = "social", _("Social media account")


# What a visitor can check: the kinds above, and an agent's verification code (support.AgentProfile).
AGENT_CODE = "agent_code"
CHECK_KINDS = [*ChannelKind.values, AGENT_CODE]


class Platform(models.TextChoices):
    # Brand names: the same in every language.
    TELEGRAM = "telegram", "Telegram"
    X = "x", "X (Twitter)"
    DISCORD = "discord", "Discord"
    INSTAGRAM = "instagram", "Instagram"
    FACEBOOK = "facebook", "Facebook"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    REDDIT = "reddit", "Reddit"
    LINKEDIN = "linkedin", "LinkedIn"
    WHATSAPP = "whatsapp", "WhatsApp"
    WECHAT = "wechat", "WeChat"
    WEIBO = "weibo", "Weibo"
    LINE = "line", "LINE"
    KAKAOTALK = "kakaotalk", "KakaoTalk"
    VK = "vk", "VK"


class OfficialChannel(models.Model):
    """One of our official contacts. A domain row can also vouch for the email addresses at it (`covers_email`) and
    for its subdomains (`allow_subdomains`); both are off unless staff say so, because a domain's mail or
    subdomains are not always ours (a hosted blog, a mail service shared with others)."""

    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices, blank=True,
                                help_text=_("Only for social media accounts."))
    value = models.CharField(
        _("value"), max_length=320,
        help_text=_("As people see it (an address, a link, a number, @name); it is stored normalised: lower case, "
                    "no www or https://, international domain names as punycode, phone numbers as +digits."))
    label = models.CharField(_("label"), max_length=200,
                             help_text=_("What visitors are told this is, e.g. “Customer support email”."))
    covers_email = models.BooleanField(
        _("its email addresses are ours"), default=False,
        help_text=_("Domains only: every address at this domain counts as official."))
    allow_subdomains = models.BooleanField(
        _("its subdomains are ours"), default=False,
        help_text=_("Domains only: e.g. support.example.com counts as official under example.com."))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("official channel")
        verbose_name_plural = _("official channels")
        ordering = ["kind", "platform", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "platform", "value"], name="official_channel_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=ChannelKind.values), name="official_channel_kind"),
            # A social account belongs to a platform; nothing else has one.
            models.CheckConstraint(
                condition=(models.Q(kind=ChannelKind.SOCIAL) & ~models.Q(platform=""))
                | (~models.Q(kind=ChannelKind.SOCIAL) & models.Q(platform="")),
                name="official_channel_platform"),
            models.CheckConstraint(
                condition=models.Q(kind=ChannelKind.DOMAIN) | models.Q(covers_email=False, allow_subdomains=False),
                name="official_channel_domain_flags"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self):
        """Normalise the value as checks will; refuse what no check could ever match."""
        # cycle: verification.normalize imports verification.models (its channel kinds and platforms)
        from .normalize import normalize_channel

        errors = {}
        if self.kind == ChannelKind.SOCIAL and not self.platform:
            errors["platform"] = _("Choose the platform of this account.")
        if self.kind != ChannelKind.SOCIAL and self.platform:
            errors["platform"] = _("Only social media accounts have a platform.")
        if self.kind != ChannelKind.DOMAIN:
            for flag in ("covers_email", "allow_subdomains"):
                if getattr(self, flag):
                    errors[flag] = _("Only for websites (domains).")
        if self.kind in ChannelKind.values and self.value and "platform" not in errors:
            try:
                normalised = normalize_channel(self.kind, self.value, platform=self.platform)
            except DomainError as exc:
                errors[exc.field or "value"] = exc.detail
            else:
                self.value, self.platform = normalised.value, normalised.platform or self.platform
        if errors:
            raise ValidationError(errors)
