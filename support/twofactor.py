"""Staff sign in with two factors: the password, then a code from an authenticator app (TOTP, RFC 6238) or one of
ten single-use recovery codes. Customers are not asked (issue #22: agents, supervisors and admins can read every
customer's data, so a stolen staff password alone must open nothing).

django-otp does the cryptography and the throttling of wrong codes (each failure doubles the wait before the device
accepts another code); this module holds the desk's rules on top of it:

- Who: every account with a staff role or Django admin access (`required_for`).
- Where: a staff session that has not passed the second factor reaches only the pages that complete it, logout and
  the language switch (StaffTwoFactorMiddleware): everything else, pages, the session-authenticated API and the
  agent's websocket (livechat.consumers), is closed. A staff account without a device is sent to set one up first.
- API tokens: a staff account exchanges its password for a token only with a current code (support.apis.TokenApi).
- The session records the device that verified it (django_otp's session key), and the device must still be
  confirmed and the user's own: a device removed by an admin ends the sessions it verified.
"""
import base64
import io
import secrets

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .roles import is_agent

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def required_for(user):
    """Whether the user must pass a second factor: staff roles (every one holds the agent permission) and Django
    admin access. Asked through the permission cache the views' own checks fill anyway."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or is_agent(user))


def has_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_device(user, session):
    """The confirmed device of this user that verified the session, or None."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    if not persistent_id:
        return None
    device = Device.from_persistent_id(persistent_id, for_verify=False)
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def session_verified(user, session):
    """Whether this session may act for the user: customers always, staff once a second factor verified it."""
    return not required_for(user) or session_device(user, session) is not None


def setup_begin(*, user):
    """A new, unconfirmed authenticator device for the user (any earlier unconfirmed one is replaced). It signs
    nothing in until setup_confirm has seen a code from it."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def setup_device(*, user, device_id):
    """The unconfirmed device this user's setup began with, or None."""
    return TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first() if device_id else None


def setup_secret(device):
    """The device's key as people type it into an app (base32), and the otpauth:// link its QR code carries."""
    secret = base64.b32encode(device.bin_key).decode("ascii")
    return secret, device.config_url


def setup_qr_svg(device):
    """The QR code of the device's otpauth:// link, as inline SVG (no image file, nothing stored)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode("utf-8")


def setup_confirm(*, user, device_id, code):
    """The user typed a code their app shows for the new device: it becomes their only authenticator, and they get
    a fresh set of recovery codes (returned once, in clear; stored only by django-otp). None when the code is
    wrong (the device's throttling applies)."""
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None or not device.verify_token("".join(ch for ch in str(code or "") if ch.isdigit())):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_renew(user=user)
    return device, codes


def recovery_codes_renew(*, user):
    """Ten new single-use recovery codes; the old ones stop working."""
    with transaction.atomic():
        static, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME,
                                                              defaults={"confirmed": True})
        static.token_set.all().delete()
        codes = [_recovery_code() for _n in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=static, token=code.replace("-", "")) for code in codes])
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(*, user, code):
    """The device that accepts this code: the authenticator (6 digits) or a recovery code (used up); None when
    none does. Wrong codes count towards each device's throttling."""
    compact = str(code or "").replace(" ", "").replace("-", "").lower()
    if compact.isdigit() and len(compact) == 6:
        devices, token = TOTPDevice.objects.filter(user=user, confirmed=True), compact
    else:
        devices, token = StaticDevice.objects.filter(user=user, confirmed=True), compact
    if not token:
        return None
    for device in devices:
        if device.verify_token(token):
            return device
    return None


def current_code(device):
    """The code the device's app shows now (what the tests' sign-in types, as a person reads it off their phone)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _recovery_code():
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper
    raw = "".join(secrets.choice(alphabet) for _n in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def two_factor_reset(*, user):
    """An admin resets a staff member's second factor (a lost phone): their authenticator and recovery codes are
    removed, which ends the sessions they verified; at their next sign-in they set up a new one. Returns how many
    devices were removed."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += StaticDevice.objects.filter(user=user).delete()[0]
    return removed
