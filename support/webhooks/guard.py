"""Which URLs a webhook may reach (no server-side request forgery): an admin's URL must not make the desk's workers
call into the machine or the network they run in (a metadata service, a database's HTTP port, an internal admin).

A URL is https; its host is resolved and every address it resolves to must be public: not private, loopback,
link-local, multicast, reserved, unspecified or shared (carrier NAT), also when an IPv4 address hides inside an IPv6 one
(IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4, Teredo). A webhook whose admin allowed private addresses (a
receiver on this machine or the office network) may use any of those, and plain http, but never a cloud metadata
address. The check runs when the webhook is saved and again at every delivery, and the delivery connects to the very
addresses checked (support/webhooks/client.py), so a name that resolves elsewhere between the check and the connection
(DNS rebinding) gains nothing. Redirects are never followed: a 3xx is a failed attempt.
"""
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy as _

# Cloud instance metadata (AWS, GCP, Azure, OpenStack; AWS's IPv6 one): refused even when private addresses are allowed.
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
NAT64 = ipaddress.ip_network("64:ff9b::/96")
SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT; Alibaba's metadata is 100.100.100.200


class TargetRefused(Exception):
    """The URL or an address it resolves to is not allowed; `reason` is for the admin, `code` for the log."""

    def __init__(self, reason, *, code):
        super().__init__(f"{code}: {reason}")
        self.reason, self.code = reason, code


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (the addresses checked, in the resolver's order) and what to ask for."""

    scheme: str
    hostname: str
    port: int
    path: str  # path and query, as sent in the request line
    addresses: tuple


def embedded_ipv4(address):
    """The IPv4 address an IPv6 one carries (mapped, NAT64, 6to4, Teredo's client), or None."""
    if address.version != 6:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def is_public(address):
    """Whether an address (ipaddress object) is one on the internet, the only kind a webhook reaches by default."""
    inner = embedded_ipv4(address)
    if inner is not None and not is_public(inner):
        return False
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified or (address.version == 4 and address in SHARED)
        or (address.version == 6 and address.is_site_local))


def check_address(address, *, allow_private):
    """Raise TargetRefused unless a webhook may connect to `address` (a string or ipaddress object)."""
    ip = ipaddress.ip_address(str(address).split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") is not part of it
    inner = embedded_ipv4(ip)
    if ip in METADATA or (inner is not None and inner in METADATA):
        raise TargetRefused(_("This is a cloud metadata address."), code="metadata")
    if not allow_private and not is_public(ip):
        raise TargetRefused(_("%(address)s is not a public address: allow private addresses for a receiver on this "
                              "machine or your network.") % {"address": ip}, code="private_address")


def parse(url, *, allow_private):
    """Split and check the URL's form (scheme, host, port, no credentials); raises TargetRefused."""
    try:
        parts = urlsplit(url or "")
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(_("This is not a valid URL."), code="invalid_url") from exc
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TargetRefused(_("The URL must start with https://."), code="invalid_url")
    if parts.scheme == "http" and not allow_private:
        raise TargetRefused(_("Use https: plain http is allowed only with private addresses."), code="http")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(_("The URL must not hold a user name or password."), code="credentials")
    path = parts.path or "/"
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), (
        f"{path}?{parts.query}" if parts.query else path)


def resolve(hostname, port):
    """Every address the name resolves to, in the resolver's order (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(_("The host name cannot be resolved."), code="unresolvable") from exc
    addresses = []
    for _family, _type, _proto, _name, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise TargetRefused(_("The host name cannot be resolved."), code="unresolvable")
    return tuple(addresses)


def check_url(url, *, allow_private):
    """The Target a webhook may post to, every address of its host checked; raises TargetRefused."""
    scheme, hostname, port, path = parse(url, allow_private=allow_private)
    addresses = resolve(hostname, port)
    for address in addresses:
        check_address(address, allow_private=allow_private)
    return Target(scheme=scheme, hostname=hostname, port=port, path=path, addresses=addresses)
