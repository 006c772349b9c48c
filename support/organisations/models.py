"""Organisations' data: the organisation, its email domains (a row each, so the database keeps a domain to one
organisation), and where an account's membership came from. Registered under the support app: support/models.py
imports them; the account's own field (User.organisation) is on the user."""
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Public mailboxes anyone can open: a domain of these would make every one of their users a member.
PUBLIC_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com", "yahoo.co.jp",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "mail.com", "qq.com",
    "163.com", "126.com", "sina.com", "foxmail.com", "naver.com", "daum.net", "hanmail.net", "kakao.com",
    "yandex.ru", "yandex.com", "mail.ru", "rambler.ru", "docomo.ne.jp", "ezweb.ne.jp",
})
_domain_name = DomainNameValidator(accept_idna=True)


def domain_clean(text):
    """An email domain as stored: trimmed, without a leading "@", lower-case; ValidationError when it is not a
    domain name with at least one dot, or is a public mail service's."""
    domain = (text or "").strip().lstrip("@").strip().lower().rstrip(".")
    if not domain or "." not in domain or len(domain) > 253:
        raise ValidationError(_("“%(domain)s” is not an email domain (such as example.com)."),
                              code="invalid_domain", params={"domain": text})
    try:
        _domain_name(domain)
    except ValidationError as exc:
        raise ValidationError(_("“%(domain)s” is not an email domain (such as example.com)."),
                              code="invalid_domain", params={"domain": text}) from exc
    if domain in PUBLIC_MAIL_DOMAINS:
        raise ValidationError(_("“%(domain)s” is a public mail service: anyone can have an address there."),
                              code="public_domain", params={"domain": domain})
    return domain


class MembershipSource(models.TextChoices):
    """How an account came to be in its organisation (or in none)."""

    AUTOMATIC = "", _("Not set")  # follows the domain: none matches, or the address is not verified
    DOMAIN = "domain", _("From the verified email's domain")
    ADMIN = "admin", _("Set by an admin")  # kept whatever the domain says, even "none"


class Organisation(models.Model):
    """An institutional client of the exchange: a market maker, a broker, an OTC desk, a partner app."""

    name = models.CharField(_("name"), max_length=150)
    notes = models.TextField(_("notes"), blank=True,
                             help_text=_("For the desk's staff: the contract, the contacts, what to watch for."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci",
                                               violation_error_message=_("An organisation with this name exists."))]

    def __str__(self):
        return self.name

    def domain_names(self):
        """The organisation's email domains, sorted (prefetch "domains" to read many organisations' at once)."""
        return sorted(row.domain for row in self.domains.all())


class OrganisationDomain(models.Model):
    """An email domain whose verified addresses belong to the organisation; a domain belongs to one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains",
                                     verbose_name=_("organisation"))
    domain = models.CharField(_("email domain"), max_length=253, unique=True,
                              error_messages={"unique": _("This domain belongs to another organisation.")})

    class Meta:
        verbose_name = _("email domain")
        verbose_name_plural = _("email domains")
        ordering = ["domain"]
        constraints = [models.CheckConstraint(condition=models.Q(domain=Lower("domain")),
                                              name="organisation_domain_lower")]

    def __str__(self):
        return self.domain
