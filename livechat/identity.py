"""Who a widget chat belongs to, vouched for by the exchange's own site (issue #22), the way Intercom's identity
verification works: the exchange's server signs its logged-in user's id, email and the current time with a secret
only it and the desk know (LIVECHAT_IDENTITY_SECRET), the page passes the signature to the widget, and the desk files
the chat under that account, with the exchange's user id shown to the agent. Nothing the browser types is believed:
without a valid, fresh signature a chat is a visitor's.

The signature, as the exchange computes it:

    message   = f"{uid}\\n{email}\\n{ts}"          (ts: Unix seconds when the page was made)
    signature = hex(HMAC-SHA256(secret, message))

It is accepted for LIVECHAT_IDENTITY_MAX_AGE seconds (a day) around `ts`, so a signature copied from a page stops
working, and it names the address too, so it cannot be reused for another address.
"""
import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from support.services import DomainError


class IdentityRefused(DomainError):
    code = "identity_invalid"


@dataclass(frozen=True)
class WidgetIdentity:
    uid: str
    email: str
    name: str


def identity_signature(uid, email, ts, *, secret=None):
    """What the exchange sends: the hex HMAC-SHA256 of the id, the address and the time (also what tests sign)."""
    secret = settings.LIVECHAT_IDENTITY_SECRET if secret is None else secret
    message = f"{uid}\n{email}\n{ts}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def widget_identity_read(data, *, now=None):
    """The identity a widget passed (uid, email, name, ts, signature), checked; IdentityRefused with a reason."""
    if not settings.LIVECHAT_IDENTITY_SECRET:
        raise IdentityRefused(_("This site does not accept signed identities."), code="identity_not_configured")
    uid, email, ts = str(data["uid"]).strip(), str(data["email"]).strip(), data["ts"]
    expected = identity_signature(uid, email, ts)
    if not hmac.compare_digest(expected, str(data["signature"]).strip().lower()):
        raise IdentityRefused(_("The identity's signature does not match."), field="identity")
    if abs((now or time.time()) - ts) > settings.LIVECHAT_IDENTITY_MAX_AGE:
        raise IdentityRefused(_("The identity's signature has expired; reload the page."), code="identity_expired",
                              field="identity")
    return WidgetIdentity(uid=uid, email=email.lower(), name=str(data.get("name") or "").strip()[:150])
