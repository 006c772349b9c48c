"""One canonical form per contact, so the official list and what visitors type compare as equals.

- Email: one address only (a second `@`, a comma or a semicolon is refused: `evil@evil.test,x@example.com` is not
  `x@example.com`); the local part lower-cased, the domain as below (no www stripping: mail goes where it says).
- Website: the host a browser would open for what was typed: scheme, userinfo (`example.com@evil.test` opens
  evil.test), port, path and a trailing dot dropped, a leading `www.` too, and the name mapped and encoded the way
  browsers do (IDNA with UTS #46 mapping, the `idna` package): `EXAMPLE.com`, full-width letters or an invisible
  zero-width space give `example.com`, which a browser would open as well, while a lookalike letter from another
  alphabet (Cyrillic `а` in `exаmple.com`) stays a different name, `xn--exmple-4nf.com`, and never matches.
- Phone: `+` and the digits with country code (`+1 (415) 555-0100`, `0014155550100` and `14155550100` are
  `+14155550100`); a number without a country code is refused, as it cannot be compared.
- Social account: the name lower-cased without `@`; a profile link (`https://t.me/Name`) gives the name and the
  platform, read as a browser reads it (a backslash is a slash); a link with a user name before its host
  (`https://evil.test@t.me/...`) or with dot segments (`/name/../other`) is refused. Nothing is mapped to look-alike
  ASCII: an account name in fancy letters is not ours.
- Agent code: ASCII letters and digits only (a long s `ſ` would upper-case to `S`), upper case, spaces and dashes
  dropped.

Bad input raises ChannelValueInvalid with a message for the visitor. When in doubt the rules answer "not
official", never "official".
"""
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import idna
from django.utils.translation import gettext as _

from support.services import DomainError

from .models import AGENT_CODE, CHECK_KINDS, ChannelKind, Platform

MAX_INPUT = 320

# Profile links people paste, by host (without www. or m.): the platform and the path's first part is the name.
PROFILE_HOSTS = {
    "t.me": Platform.TELEGRAM, "telegram.me": Platform.TELEGRAM, "telegram.dog": Platform.TELEGRAM,
    "x.com": Platform.X, "twitter.com": Platform.X, "mobile.twitter.com": Platform.X,
    "instagram.com": Platform.INSTAGRAM, "facebook.com": Platform.FACEBOOK, "fb.com": Platform.FACEBOOK,
    "youtube.com": Platform.YOUTUBE, "tiktok.com": Platform.TIKTOK, "vk.com": Platform.VK,
}
HANDLE = re.compile(r"[\w.\-]{1,64}")
PHONE_PUNCTUATION = set(" \u00a0-\u2010\u2011\u2012\u2013\u2014\u2212().+\uff0b/")


class ChannelValueInvalid(DomainError):
    code = "invalid"


@dataclass(frozen=True)
class Normalised:
    kind: str
    value: str
    platform: str = ""


def _refuse(message, field="value"):
    raise ChannelValueInvalid(message, field=field)


def _clean(raw):
    text = str(raw or "").strip()
    if not text:
        _refuse(_("Enter what you want to check."))
    if len(text) > MAX_INPUT:
        _refuse(_("This is too long to be an address, a number or a name."))
    if any(unicodedata.category(char) == "Cc" for char in text):
        _refuse(_("This contains control characters; type or paste it again."))
    return text


def _host(host, *, message):
    """A host name as browsers encode it: UTS #46 mapping, then punycode; lower case, no trailing dot."""
    try:
        encoded = idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        _refuse(message)
    encoded = encoded.removesuffix(".")  # the root: `example.com.` is `example.com`
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", encoded):
        _refuse(message)
    return encoded


def normalize_domain(raw):
    """The host of a web address (see the module's docstring)."""
    message = _("Enter a website address, like example.com.")
    # What browsers do before parsing: tabs and newlines vanish, a backslash is a slash (`evil.test\@example.com`
    # opens evil.test).
    text = re.sub(r"[\t\r\n]", "", _clean(raw)).replace("\\", "/")
    if "://" not in text:
        text = "//" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        _refuse(message)
    if parts.scheme not in ("", "http", "https") or not host:
        _refuse(message)
    domain = _host(host, message=message)
    while domain.startswith("www.") and domain.count(".") > 1:  # all of them, so the result normalises to itself
        domain = domain[len("www."):]
    return domain


# What a mailbox name may hold here: RFC 5322's dot-atom characters. Anything else (a second "@", a comma or a
# semicolon joining two addresses, quotes, brackets) makes the text something other than one address.
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


def normalize_email(raw):
    message = _("Enter an email address, like name@example.com.")
    text = _clean(raw)
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:"):].split("?", 1)[0]
    bracketed = re.search(r"<([^<>]*)>\s*$", text)  # "Support <support@example.com>"
    if bracketed:
        text = bracketed.group(1).strip()
    local, at, domain = text.rpartition("@")
    # One address only: `evil@evil.test,x@example.com` is two, and must not pass as the second.
    if not at or len(local) > 64 or not _LOCAL_PART.fullmatch(local):
        _refuse(message)
    return f"{local.lower()}@{_host(domain, message=message)}"


def normalize_phone(raw):
    message = _("Enter a phone number with its country code, like +1 415 555 0100.")
    text = _clean(raw)
    if text.lower().startswith("tel:"):
        text = text[len("tel:"):].strip()
    international = text.startswith(("+", "\uff0b"))
    digits = []
    for index, char in enumerate(text):
        if char.isdecimal():
            digits.append(str(unicodedata.decimal(char)))
        elif char not in PHONE_PUNCTUATION or (char in "+\uff0b" and index > 0):
            _refuse(message)
    number = "".join(digits)
    if not international and number.startswith("00"):  # the international call prefix of most countries
        number = number[2:]
    if not 8 <= len(number) <= 15 or number.startswith("0"):
        _refuse(message)
    return f"+{number}"


def normalize_handle(raw, platform=""):
    """(platform, name): the name of a social media account, from `@Name`, `Name` or a profile link."""
    message = _("Enter the account name, like @example, or a link to its profile.")
    not_a_profile = _("This link is not a profile on a platform we know. Enter the account name instead.")
    text = _clean(raw)
    if "/" in text or "\\" in text:
        # Read as a browser reads it: a backslash is a slash (`https://evil.test\@t.me/x` opens evil.test).
        link = re.sub(r"[\t\r\n]", "", text).replace("\\", "/")
        try:
            parts = urlsplit(link if "://" in link else "//" + link.lstrip("/"))
            host = (parts.hostname or "").removeprefix("www.").removeprefix("m.")
        except ValueError:
            _refuse(message)
        # A user name before the host hides where the link goes; dot segments (`/name/../other`) change the
        # account a browser opens. Neither is ever part of a real profile link.
        segments = [unquote(segment) for segment in parts.path.split("/")]
        if "@" in parts.netloc or any(segment in (".", "..") for segment in segments):
            _refuse(not_a_profile)
        linked = PROFILE_HOSTS.get(host)
        if linked is None:
            _refuse(not_a_profile)
        if platform and platform != linked:
            _refuse(_("This link is a profile on another platform than the one you chose."), field="platform")
        platform = linked.value
        path = [part for part in parts.path.split("/") if part]
        if platform == Platform.TELEGRAM and path[:1] == ["s"]:  # t.me/s/name: the public preview of a channel
            path = path[1:]
        text = path[0] if path else ""
    name = text.removeprefix("@").lower()
    if not HANDLE.fullmatch(name):
        _refuse(message)
    return platform, name


def normalize_agent_code(raw):
    # ASCII before upper-casing: "ſ".upper() is "S", so a code typed with a long s would pass as another.
    code = re.sub(r"[\s\-]", "", _clean(raw))
    code = code.upper() if code.isascii() else ""
    if not re.fullmatch(r"[A-Z0-9]{8}", code):
        _refuse(_("Enter the agent's code: 8 letters and digits, like 7KQ4M2XZ."))
    return code


def normalize_channel(kind, value, *, platform=""):
    """The canonical form of `value` as a `kind` (one of CHECK_KINDS); raises ChannelValueInvalid."""
    if kind not in CHECK_KINDS:
        _refuse(_("Choose what you want to check."), field="kind")
    if platform and (kind != ChannelKind.SOCIAL or platform not in Platform.values):
        _refuse(_("Choose a platform from the list, for social media accounts only."), field="platform")
    if kind == ChannelKind.SOCIAL:
        platform, handle = normalize_handle(value, platform)
        return Normalised(kind, handle, platform)
    normaliser = {ChannelKind.EMAIL: normalize_email, ChannelKind.DOMAIN: normalize_domain,
                  ChannelKind.PHONE: normalize_phone, AGENT_CODE: normalize_agent_code}[kind]
    return Normalised(kind, normaliser(value))
