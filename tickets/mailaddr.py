"""Reply addresses and thread Message-IDs that name a ticket and prove it with an HMAC token.

support+T-10001.3f9a0c1d2b@support.example.com and <ticket-T-10001.3f9a0c1d2b-m42@support.example.com> both carry the
reference and a token only we can compute, so nobody can attach mail to a ticket by guessing its number.
"""
import hashlib
import hmac
import re

from django.conf import settings

TOKEN_LENGTH = 10
_REF = r"T-(\d{1,17})"


def ticket_token(ref):
    key = hashlib.sha256(("ticket-reply-address:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, ref.encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def reply_address(ticket):
    return (f"{settings.EMAIL_REPLY_LOCALPART}+{ticket.ref}.{ticket_token(ticket.ref)}"
            f"@{settings.EMAIL_REPLY_DOMAIN}")


def thread_root_id(ticket):
    return f"ticket-{ticket.ref}.{ticket_token(ticket.ref)}@{settings.EMAIL_DOMAIN}"


def thread_message_id(ticket, suffix):
    return f"ticket-{ticket.ref}.{ticket_token(ticket.ref)}-{suffix}@{settings.EMAIL_DOMAIN}"


def _verified(number, token):
    ref = f"T-{number}"
    return int(number) if hmac.compare_digest(ticket_token(ref), token.lower()) else None


def number_from_address(address):
    """The ticket number in a reply address we issued, or None (wrong domain, no token, forged token)."""
    pattern = (rf"^{re.escape(settings.EMAIL_REPLY_LOCALPART)}\+{_REF}\.([0-9a-f]{{{TOKEN_LENGTH}}})"
               rf"@{re.escape(settings.EMAIL_REPLY_DOMAIN)}$")
    match = re.match(pattern, (address or "").strip().lower(), re.IGNORECASE)
    return _verified(match.group(1), match.group(2)) if match else None


def number_from_message_id(message_id):
    """The ticket number in a thread Message-ID we issued, or None."""
    pattern = rf"^<?ticket-{_REF}\.([0-9a-f]{{{TOKEN_LENGTH}}})(?:-[\w.-]+)?@{re.escape(settings.EMAIL_DOMAIN)}>?$"
    match = re.match(pattern, (message_id or "").strip(), re.IGNORECASE)
    return _verified(match.group(1), match.group(2)) if match else None
