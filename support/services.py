"""Every write of the shared core: accounts, roles, agent profiles and notifications."""
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from . import events
from .authentication import token_expires_at
from .languages import LANGUAGE_CODES, normalize_language
from .models import AgentProfile, Notification, Presence, Team, User, new_verification_code
from .notifications import is_registered
from .organisations.membership import organisation_for_address, user_membership_resolve
from .organisations.models import MembershipSource
from .outbox import outbound_email_queue
from .roles import STAFF_ROLES, Role, ensure_role_groups


class DomainError(Exception):
    """A rule of the desk was broken. `code` is stable and shown to API clients; `detail` is for people."""

    code = "invalid"

    def __init__(self, detail, *, code=None, field=None):
        super().__init__(detail)
        self.detail = detail
        self.field = field
        if code:
            self.code = code


class EmailTaken(DomainError):
    code = "email_taken"


def normalize_email(email):
    return (email or "").strip().lower()


def user_create(
    *, email, password=None, name="", language="en", role=Role.CUSTOMER, email_verified=False, validate=False
):
    """Create a user with a role. Emails are unique ignoring case; `validate` applies the password rules. An account
    created with its address proven joins the organisation of the address's domain, if any."""
    email = normalize_email(email)
    lang = normalize_language(language)
    if lang is None:
        raise DomainError(_("The language must be one of %(languages)s.") % {"languages": ", ".join(LANGUAGE_CODES)},
                          code="invalid_language",
                          field="language")
    user = User(email=email, name=name.strip(), language=lang, email_verified=email_verified)
    if email_verified and (organisation_id := organisation_for_address(email)) is not None:
        user.organisation_id, user.organisation_source = organisation_id, MembershipSource.DOMAIN
    if password:
        if validate:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise DomainError(" ".join(exc.messages), code="weak_password", field="password") from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "") or ""
        if constraint in {"user_email_unique_ci", "support_user_email_key"}:
            raise EmailTaken(_("an account with this email already exists"), field="email") from exc
        raise
    user_set_role(user=user, role=role)
    return user


def api_token_issue(*, user):
    """The user's API token: the current one, or a new one when there is none or it has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_expires_at(token) <= timezone.now():
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


def api_token_revoke(*, user):
    """Revoke the user's API token; True if there was one."""
    return Token.objects.filter(user=user).delete()[0] > 0


def user_password_reset(*, user):
    """A password was set through the link mailed to the account's address: the address is proven, and every API
    token issued before is revoked (a token someone took must not outlive the password it was taken with)."""
    api_token_revoke(user=user)
    if not user.email_verified:
        User.objects.filter(pk=user.pk).update(email_verified=True)
        user.email_verified = True
        user_membership_resolve(user=user)
    return user


def customer_for_email(*, email, name="", language="en"):
    """The account with this email, or a new unverified customer without a password (people who write to us by
    email or leave a message from a chat without logging in); they can set a password by password reset."""
    user = User.objects.filter(email__iexact=normalize_email(email)).first()
    if user is not None:
        return user
    try:
        return user_create(email=email, name=name[:150], language=normalize_language(language) or "en")
    except EmailTaken:  # created meanwhile by a concurrent request
        return User.objects.get(email__iexact=normalize_email(email))


def customer_for_exchange_identity(*, uid, email, name="", language="en"):
    """The account a signed identity from the exchange's site names (livechat/identity.py checked the signature):
    the account already linked to the exchange's `uid`; else the account with that address, now linked; else a new
    one. The exchange vouches for the address, so it counts as proven. An account someone else registered under that
    address without proving it loses its password, its API tokens and (through the password change) its sessions:
    the person the exchange vouches for is the address's owner, as a password reset would have shown."""
    with transaction.atomic():
        linked = User.objects.select_for_update().filter(exchange_uid=uid).first()
        if linked is not None:
            return linked
        user = User.objects.select_for_update().filter(email__iexact=normalize_email(email)).first()
        if user is None:
            try:
                with transaction.atomic():
                    user = user_create(email=email, name=name[:150], language=normalize_language(language) or "en",
                                       email_verified=True)
            except EmailTaken:  # created meanwhile by a concurrent request
                user = User.objects.select_for_update().get(email__iexact=normalize_email(email))
        if user.exchange_uid and user.exchange_uid != uid:
            raise DomainError(_("this address belongs to another exchange account"), code="identity_conflict")
        proven = user.email_verified
        if not proven:
            user.set_unusable_password()
            api_token_revoke(user=user)
        user.exchange_uid, user.email_verified = uid, True
        user.save(update_fields=["exchange_uid", "email_verified", "password"])
        if not proven:
            user_membership_resolve(user=user)
    return user


def user_register(*, email, password, language="en", name=""):
    """A customer signs up: the password must pass the validators; they get a welcome notification and a link to
    confirm their address. Until they follow it, the account sees only what it filed itself (tickets.models.Identity):
    someone who registers another person's address first never reads that person's mail."""
    with transaction.atomic():
        user = user_create(email=email, password=password, language=language, name=name, validate=True)
        notification_create(user=user, kind="welcome", params={"site": _site_name()}, url="")
        user_email_confirmation_send(user=user)
    return user


_CONFIRM_SALT = "support.email-confirmation"


class ConfirmationRefused(DomainError):
    code = "link_invalid"


def email_confirmation_token(user):
    """A signed token naming the account and the address it is for; it expires after EMAIL_CONFIRMATION_DAYS."""
    return signing.dumps({"u": user.pk, "e": normalize_email(user.email)}, salt=_CONFIRM_SALT, compress=True)


def user_email_confirmation_send(*, user):
    """Mail the account's address a link that confirms it (user_email_confirm). Nothing for a proven address."""
    if user.email_verified:
        return None
    url = f"{settings.SITE_URL}/{user.language}/accounts/confirm-email/{email_confirmation_token(user)}/"
    with translation.override(user.language):
        context = {"url": url, "site_name": settings.SITE_NAME, "days": settings.EMAIL_CONFIRMATION_DAYS,
                   "language": user.language}
        subject = _("Confirm your email address for %(site)s") % {"site": settings.SITE_NAME}
        body_text = render_to_string("email/account/confirm.txt", context)
        body_html = render_to_string("email/account/confirm.html", context)
    return outbound_email_queue(to_email=user.email, user=user, subject=subject, body_text=body_text,
                                body_html=body_html, auto_generated=True, topic=f"account:{user.pk}:confirm")


def user_email_confirm(*, user, token):
    """The signed-in account holder opened the link mailed to their address: the address is proven. Both are needed
    (the password and the mailbox): the link alone, opened by the mailbox's owner in an account someone else
    registered under their address, would hand that person's mail to the registrant. ConfirmationRefused for an
    altered, expired or someone else's link."""
    try:
        data = signing.loads(str(token), salt=_CONFIRM_SALT, max_age=settings.EMAIL_CONFIRMATION_DAYS * 86400)
    except signing.BadSignature as exc:
        raise ConfirmationRefused(_("This link is not valid or has expired. Ask for a new one.")) from exc
    if not isinstance(data, dict) or data.get("u") != user.pk or data.get("e") != normalize_email(user.email):
        raise ConfirmationRefused(_("This link was sent for another account. Sign in with the account it was "
                                    "sent to."), code="link_other_account")
    if not user.email_verified:
        User.objects.filter(pk=user.pk).update(email_verified=True)
        user.email_verified = True
        user_membership_resolve(user=user)
    return user


def _site_name():
    return settings.SITE_NAME


def user_set_role(*, user, role):
    """Put the user in exactly one role group; admins get Django admin access, everyone else loses it."""
    role = Role(role)
    group = Group.objects.filter(name=role.value).first() or ensure_role_groups()[role]
    role_names = [r.value for r in Role]
    with transaction.atomic():
        user.groups.remove(*Group.objects.filter(name__in=role_names).exclude(pk=group.pk))
        user.groups.add(group)
        staff = role == Role.ADMIN
        superuser = role == Role.ADMIN
        if user.is_staff != staff or user.is_superuser != superuser:
            user.is_staff, user.is_superuser = staff, superuser
            user.save(update_fields=["is_staff", "is_superuser"])
        if role in STAFF_ROLES:
            AgentProfile.objects.get_or_create(user=user)
    # Django caches permissions on the user object; a role change must be visible at once.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)
    return user


def user_set_language(*, user, language):
    """Remember the user's preferred language (it drives emails and the pages after login)."""
    lang = normalize_language(language)
    if lang is None:
        raise DomainError(_("The language must be one of %(languages)s.") % {"languages": ", ".join(LANGUAGE_CODES)},
                          code="invalid_language",
                          field="language")
    if user.language != lang:
        User.objects.filter(pk=user.pk).update(language=lang)
        user.language = lang
    return user


def team_get_or_create(*, name):
    team, _created = Team.objects.get_or_create(name=name, defaults={"slug": slugify(name) or "team"})
    return team


def agent_create(*, email, password, languages, capacity=3, supervisor=False, name="", team=None, language=None,
                 assisted_languages=()):
    """Create an agent (or supervisor) account with the profile routing needs: the languages they speak natively,
    and those they may serve with agent assist and machine translation (given only chats whose customer accepted)."""
    if not languages:
        raise DomainError(_("an agent must serve at least one language"), code="invalid_languages", field="languages")
    bad = [code for code in [*languages, *assisted_languages] if code not in LANGUAGE_CODES]
    if bad:
        raise DomainError(_("Unknown languages: %(languages)s.") % {"languages": ", ".join(bad)},
                          code="invalid_languages", field="languages")
    if not 1 <= capacity <= 50:
        raise DomainError(_("capacity must be between 1 and 50"), code="invalid_capacity", field="capacity")
    with transaction.atomic():
        user = user_create(
            email=email,
            password=password,
            name=name,
            language=language or languages[0],
            role=Role.SUPERVISOR if supervisor else Role.AGENT,
            email_verified=True,
        )
        profile = user.agent_profile
        profile.languages = list(languages)
        profile.assisted_languages = [code for code in dict.fromkeys(assisted_languages) if code not in languages]
        profile.capacity = capacity
        profile.team = team
        profile.save(update_fields=["languages", "assisted_languages", "capacity", "team"])
    return user


def agent_set_presence(*, agent, presence):
    """Set an agent's presence and last-seen time."""
    presence = Presence(presence)
    now = timezone.now()
    AgentProfile.objects.filter(user=agent).update(presence=presence, last_seen_at=now)
    profile = agent.agent_profile
    profile.presence, profile.last_seen_at = presence, now
    return profile


def agent_verification_code_rotate(*, profile):
    """Give an agent a new public verification code (their old one stops being official at once): after a code
    was shown in a scam, or when someone leaves a team. A clash with another agent's code is drawn again."""
    for _attempt in range(5):
        code = new_verification_code()
        try:
            with transaction.atomic():
                AgentProfile.objects.filter(pk=profile.pk).update(verification_code=code)
        except IntegrityError:
            continue
        profile.verification_code = code
        return code
    raise DomainError(_("could not draw a unique verification code"), code="code_clash")


def notification_create(*, user, kind, params=None, url=""):
    """Create one in-site notification. Unregistered kinds must carry their own title in params."""
    return notifications_create_many([{"user": user, "kind": kind, "params": params, "url": url}])[0]


def notifications_create_many(items):
    """Create many in-site notifications (dicts of user, kind, params, url) in one INSERT; each user's open
    sockets (the agent workspace) hear of theirs once the transaction commits, in one batch of doorbells."""
    rows = []
    for item in items:
        params = dict(item.get("params") or {})
        if not is_registered(item["kind"]) and not params.get("title"):
            raise DomainError(f"notification kind {item['kind']!r} is not registered and has no title",
                              code="invalid_kind")
        rows.append(Notification(user=item["user"], kind=item["kind"], params=params, url=item.get("url") or ""))
    created = Notification.objects.bulk_create(rows)
    transaction.on_commit(lambda: events.notifications_created(created))
    return created


def notification_mark_read(*, user, notification_id):
    """Mark one of the user's own notifications read. Returns False when it is not theirs or does not exist."""
    updated = Notification.objects.filter(pk=notification_id, user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        return True
    return Notification.objects.filter(pk=notification_id, user=user).exists()


def notification_mark_all_read(*, user):
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


def notifications_purge_read(*, older_than_days):
    """Delete read notifications older than the retention period; unread ones are kept whatever their age."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _detail = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
