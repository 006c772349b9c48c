"""Is this contact ours? The one check behind the /verify/ page and GET /api/v1/verify/, and agents' codes."""
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings

from support.models import VERIFICATION_CODE_ALPHABET, VERIFICATION_CODE_LENGTH, AgentProfile
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
    conversation: str = ""  # an agent code: the customer's conversation it belongs to (a ticket's reference)
    needs_sign_in: bool = False  # an agent code asked about by someone not signed in


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


def channel_check(kind, value, *, platform="", customer=None):
    """Whether `value` (as typed or pasted) is one of our official channels of `kind` (email, domain, phone,
    social, agent_code), with its label. Raises normalize.ChannelValueInvalid for input that is not such a thing.

    Matches are exact on the normalised value, except: an email address at a domain row with `covers_email`, and
    a subdomain of a domain row with `allow_subdomains`. A social account matches on its platform when one is
    given (or the pasted link names one), on any platform otherwise. An agent code is checked only for a signed-in
    `customer`, against the agents of their own conversations (conversation_code)."""
    normalised = normalize_channel(kind, value, platform=platform)
    not_official = CheckResult(kind=normalised.kind, value=normalised.value, official=False,
                               platform=normalised.platform)
    if kind == AGENT_CODE:
        if customer is None or not customer.is_authenticated:
            # A code belongs to one conversation: only the customer in it can tell whether it is right.
            return CheckResult(kind=kind, value=normalised.value, official=False, needs_sign_in=True)
        found = agent_code_check(normalised.value, customer=customer)
        if found is None:
            return not_official
        return CheckResult(kind=kind, value=normalised.value, official=True, label=found[0], conversation=found[1])

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


# --- agent codes: per conversation ---------------------------------------------------------------------------------
# An agent's code used to be one public code per agent, shown under every reply and confirmed to anyone on /verify/:
# whoever saw it once could "prove" to be that agent to anyone (issue #22, finding 4). Now the code a customer sees
# belongs to one conversation and one agent (an HMAC of both, keyed with the site's secret and the agent's private
# profile code, so rotating that code changes all of the agent's conversation codes at once). The customer sees it
# by the agent's replies (email, chat) and the agent in the desk; /verify/ confirms a code only to a signed-in
# customer, and only for an agent in one of that customer's own conversations. A scammer who saw a code can show it
# to no one else: it names another person's conversation.

_CONVERSATION_SOURCES = []


def register_customer_conversations(source):
    """Apps that hold conversations (tickets, chats) register, in their AppConfig.ready(), a function taking a
    customer and yielding (conversation key, label, agent) for the agents who talked with them."""
    if source not in _CONVERSATION_SOURCES:
        _CONVERSATION_SOURCES.append(source)


def conversation_code(agent, conversation_key):
    """The code `agent` shows in the conversation `conversation_key` ("ticket:T-10001", "chat:<uuid>"); None for
    anyone who is not an active agent."""
    private = agent_verification_code(agent)
    if private is None:
        return None
    digest = hmac.new(settings.SECRET_KEY.encode(), f"agent-code|{conversation_key}|{private}".encode(),
                      hashlib.sha256).digest()
    number = int.from_bytes(digest[:10], "big")
    letters = []
    for _position in range(VERIFICATION_CODE_LENGTH):
        number, index = divmod(number, len(VERIFICATION_CODE_ALPHABET))
        letters.append(VERIFICATION_CODE_ALPHABET[index])
    return "".join(letters)


def agent_code_check(code, *, customer):
    """Whether `code` (normalised) is the code of an agent in one of this signed-in customer's conversations:
    (agent's display name, the conversation's label), or None."""
    for source in _CONVERSATION_SOURCES:
        for key, label, agent in source(customer):
            if hmac.compare_digest(conversation_code(agent, key) or "", code):
                return agent.display_name, label
    return None


def agent_verification_code(user):
    """The public verification code an agent shows customers (checkable on /verify/), or None for anyone who is
    not an active agent."""
    if user is None or not is_agent(user):
        return None
    try:
        return user.agent_profile.verification_code
    except AgentProfile.DoesNotExist:
        return None
