"""Is this contact ours? The one check behind the /verify/ page and GET /api/v1/verify/, and agents' codes."""
from dataclasses import dataclass

from support.models import AgentProfile
from support.roles import is_agent

from .models import AGENT_CODE, ChannelKind, OfficialChannel
from .normalize import normalize_channel


@dataclass(frozen=True)
class CheckResult:
    kind: str
    value: str  # normalised: what was compared
    official: bool
    label: str | None = None  # the channel's label in the current language, or the agent's display name
    platform: str = ""


def _parents(domain):
    """The domain and each parent that is still a name of its own: a.b.example.com -> itself, b.example.com,
    example.com (never the bare top-level domain)."""
    labels = domain.split(".")
    return [".".join(labels[index:]) for index in range(len(labels) - 1)]


def _domain_row(domain, *, for_email=False):
    """The most specific active domain row vouching for `domain`: the same name, or a parent that allows
    subdomains; for an email's domain, only rows whose addresses are official (`covers_email`)."""
    rows = OfficialChannel.objects.filter(kind=ChannelKind.DOMAIN, is_active=True, value__in=_parents(domain))
    if for_email:
        rows = rows.filter(covers_email=True)
    matching = [row for row in rows if row.value == domain or row.allow_subdomains]
    return max(matching, key=lambda row: len(row.value), default=None)


def _agent_with_code(code):
    profile = (AgentProfile.objects.select_related("user").filter(verification_code=code, user__is_active=True)
               .first())
    return profile.user if profile and is_agent(profile.user) else None


def channel_check(kind, value, *, platform=""):
    """Whether `value` (as typed or pasted) is one of our official channels of `kind` (email, domain, phone,
    social, agent_code), with its label. Raises normalize.ChannelValueInvalid for input that is not such a thing.

    Matches are exact on the normalised value, except: an email address at a domain row with `covers_email`, and
    a subdomain of a domain row with `allow_subdomains`. A social account matches on its platform when one is
    given (or the pasted link names one), on any platform otherwise. An agent code matches an active agent's."""
    normalised = normalize_channel(kind, value, platform=platform)
    not_official = CheckResult(kind=normalised.kind, value=normalised.value, official=False,
                               platform=normalised.platform)
    if kind == AGENT_CODE:
        agent = _agent_with_code(normalised.value)
        if agent is None:
            return not_official
        return CheckResult(kind=kind, value=normalised.value, official=True, label=agent.display_name)

    rows = OfficialChannel.objects.filter(kind=kind, value=normalised.value, is_active=True)
    if normalised.platform:
        rows = rows.filter(platform=normalised.platform)
    row = rows.order_by("platform").first()
    if row is None and kind == ChannelKind.DOMAIN:
        row = _domain_row(normalised.value)
    if row is None and kind == ChannelKind.EMAIL:
        row = _domain_row(normalised.value.rpartition("@")[2], for_email=True)
    if row is None:
        return not_official
    return CheckResult(kind=normalised.kind, value=normalised.value, official=True, label=row.label,
                       platform=row.platform)


def agent_verification_code(user):
    """The public verification code an agent shows customers (checkable on /verify/), or None for anyone who is
    not an active agent."""
    if user is None or not is_agent(user):
        return None
    try:
        return user.agent_profile.verification_code
    except AgentProfile.DoesNotExist:
        return None
