"""Reply addresses and thread Message-IDs that name a ticket, prove it with an HMAC token, and expire.

support+T-10001.9b2.3f9a0c1d2b@support.example.com and <ticket-T-10001.9b2.3f9a0c1d2b-m42@support.example.com>
carry the reference, the day they were issued (days since 2020-01-01, in hex) and a token over both that only we
can compute: nobody can attach mail to a ticket by guessing its number, and an address stops opening the ticket
EMAIL_REPLY_ADDRESS_DAYS after it was issued (a leaked or forwarded address is not a key for ever). A mail to an
expired or forged address is filed as a new request of its sender, with the reason on its record.

The thread root (the confirmation's Message-ID) is stamped with the ticket's creation day, so it stays the same in
every later mail's References.
"""
import datetime as dt
import hashlib
import hmac
import re

from django.conf import settings
from django.utils import timezone

TOKEN_LENGTH = 10
EPOCH = dt.date(2020, 1, 1)
_REF = r"T-(\d{1,17})"
_STAMPED = rf"{_REF}\.([0-9a-f]{{1,6}})\.([0-9a-f]{{{TOKEN_LENGTH}}})"
_UNSTAMPED = rf"{_REF}\.([0-9a-f]{{{TOKEN_LENGTH}}})"  # before addresses expired: recognised, never accepted

VALID, EXPIRED, FORGED = "", "expired", "forged"


def _key():
    return hashlib.sha256(("ticket-reply-address:" + settings.SECRET_KEY).encode()).digest()


def ticket_token(ref, stamp=None):
    message = ref if stamp is None else f"{ref}.{stamp}"
    return hmac.new(_key(), message.encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def _stamp(day):
    return format((day - EPOCH).days, "x")


def _signed(ticket, day):
    stamp = _stamp(day)
    return f"{ticket.ref}.{stamp}.{ticket_token(ticket.ref, stamp)}"


def _today():
    return timezone.localdate()


def reply_address(ticket):
    return f"{settings.EMAIL_REPLY_LOCALPART}+{_signed(ticket, _today())}@{settings.EMAIL_REPLY_DOMAIN}"


def thread_root_id(ticket):
    created = timezone.localdate(ticket.created_at) if ticket.created_at else _today()
    return f"ticket-{_signed(ticket, created)}@{settings.EMAIL_DOMAIN}"


def thread_message_id(ticket, suffix):
    return f"ticket-{_signed(ticket, _today())}-{suffix}@{settings.EMAIL_DOMAIN}"


def _checked(match_stamped, match_unstamped):
    """(ticket number or None, VALID | EXPIRED | FORGED) for a stamped or an old unstamped reference."""
    if match_stamped:
        number, stamp, token = match_stamped.groups()
        ref = f"T-{number}"
        if not hmac.compare_digest(ticket_token(ref, stamp), token.lower()):
            return None, FORGED
        issued = EPOCH + dt.timedelta(days=int(stamp, 16))
        if (_today() - issued).days > settings.EMAIL_REPLY_ADDRESS_DAYS:
            return None, EXPIRED
        return int(number), VALID
    if match_unstamped:
        number, token = match_unstamped.groups()
        valid = hmac.compare_digest(ticket_token(f"T-{number}"), token.lower())
        return None, EXPIRED if valid else FORGED
    return None, None


def check_address(address):
    """(ticket number or None, VALID | EXPIRED | FORGED, or None when it is not one of our reply addresses)."""
    head = rf"^{re.escape(settings.EMAIL_REPLY_LOCALPART)}\+"
    tail = rf"@{re.escape(settings.EMAIL_REPLY_DOMAIN)}$"
    text = (address or "").strip()
    found = _checked(re.match(head + _STAMPED + tail, text, re.IGNORECASE),
                     re.match(head + _UNSTAMPED + tail, text, re.IGNORECASE))
    if found[1] is None and re.match(head + r"T-\d+", text, re.IGNORECASE):
        return None, FORGED  # names a ticket without a token we could have issued
    return found


def check_message_id(message_id):
    """As check_address, for a thread Message-ID we issued."""
    head, tail = r"^<?ticket-", rf"(?:-[\w.-]+)?@{re.escape(settings.EMAIL_DOMAIN)}>?$"
    text = (message_id or "").strip()
    return _checked(re.match(head + _STAMPED + tail, text, re.IGNORECASE),
                    re.match(head + _UNSTAMPED + tail, text, re.IGNORECASE))


def number_from_address(address):
    """The ticket number in a valid, unexpired reply address we issued, or None."""
    return check_address(address)[0]


def number_from_message_id(message_id):
    """The ticket number in a valid, unexpired thread Message-ID we issued, or None."""
    return check_message_id(message_id)[0]
