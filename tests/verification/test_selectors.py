"""channel_check: official only on an exact normalised match, or where a domain row explicitly vouches for its
subdomains or its email addresses; agents' codes only for active agents."""
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from support import services as core_services
from support.models import VERIFICATION_CODE_ALPHABET, AgentProfile
from support.roles import Role
from tests.factories import AgentFactory, UserFactory
from verification.models import ChannelKind, OfficialChannel
from verification.normalize import ChannelValueInvalid
from verification.selectors import agent_verification_code, channel_check
from verification.services import official_channel_create

pytestmark = pytest.mark.django_db


def check(kind, value, platform=""):
    return channel_check(kind, value, platform=platform)


def test_the_official_list_is_stored_normalised(official):
    assert official["support"].value == "support@example.com"
    assert official["website"].value == "example.com"
    assert official["phone"].value == "+14155550100"
    assert (official["telegram"].platform, official["telegram"].value) == ("telegram", "example_support")


@pytest.mark.parametrize("kind, typed, label", [
    ("email", "SUPPORT@example.com", "Customer support email"),
    ("domain", "https://example.com/account", "Our website"),
    ("phone", "14155550100", "Phone line"),
    ("phone", "+1 (415) 555-0100", "Phone line"),
    ("social", "https://t.me/example_support", "Telegram support"),
    ("social", "@EXAMPLE_SUPPORT", "Telegram support"),
])
def test_each_kind_is_official_on_its_normalised_value(official, kind, typed, label):
    result = check(kind, typed)
    assert result.official and result.label == label


@pytest.mark.parametrize("kind, typed", [
    ("email", "support@exаmple.com"),          # Cyrillic а
    ("email", "support.example@gmail.com"),
    ("email", "old@example.com"),              # retired: inactive rows vouch for nothing
    ("domain", "exаmple.com"),
    ("domain", "example.com.evil.test"),
    ("domain", "example-support.com"),
    ("domain", "notexample.com"),
    ("phone", "+1 415 555 0199"),
    ("social", "@example_support_team"),
    ("social", "@example_suppоrt"),            # Cyrillic о
])
def test_anything_else_is_not_official(official, kind, typed):
    result = check(kind, typed)
    assert not result.official and result.label is None


def test_a_lookalike_is_answered_with_its_real_form(official):
    result = check("domain", "https://exаmple.com/login")
    assert (result.official, result.value) == (False, "xn--exmple-4nf.com")


def test_subdomains_count_only_where_the_row_allows_them(official):
    """example.com allows its subdomains; example.org (a hosted blog, say) does not."""
    assert check("domain", "support.example.com").official
    assert check("domain", "a.b.example.com").label == "Our website"
    assert check("domain", "example.org").official
    assert not check("domain", "shop.example.org").official


def test_an_email_domain_counts_only_where_the_row_says_its_addresses_are_ours(official):
    """mail.example.net covers its addresses; example.com (the website) does not, so anyone@example.com is not
    vouched for just because the website is ours."""
    assert check("email", "anyone@mail.example.net").label == "Desk mail"
    assert check("email", "support+T-10001.abc@MAIL.example.net").official
    assert not check("email", "anyone@example.com").official
    assert not check("email", "anyone@support.example.com").official


def test_a_covering_domain_vouches_for_subdomain_addresses_only_when_it_allows_subdomains(official):
    assert not check("email", "x@eu.mail.example.net").official
    official["mail"].allow_subdomains = True
    official["mail"].save()
    assert check("email", "x@eu.mail.example.net").official


def test_the_most_specific_domain_row_names_the_answer(official):
    official_channel_create(kind=ChannelKind.DOMAIN, value="status.example.com", labels={"en": "Status page"})
    assert check("domain", "status.example.com").label == "Status page"
    assert check("domain", "other.example.com").label == "Our website"


def test_a_social_account_matches_on_the_platform_asked_about(official):
    """The same name on another platform is someone else's account."""
    assert check("social", "@example_support", platform="telegram").official
    assert not check("social", "@example_support", platform="x").official
    assert not check("social", "https://x.com/example_support").official


def test_the_label_is_answered_in_the_current_language(official):
    with translation.override("ja"):
        assert check("email", "support@example.com").label == "サポートのメール"
    with translation.override("ko"):
        assert check("email", "support@example.com").label == "고객 지원 이메일"
        assert check("domain", "example.com").label == "Our website"  # English when not translated


def test_garbage_raises_a_validation_error(official):
    with pytest.raises(ChannelValueInvalid):
        check("email", "nonsense")
    with pytest.raises(ChannelValueInvalid):
        check("carrier-pigeon", "coo")


def test_the_admin_model_validation_refuses_what_no_check_could_match(db):
    for bad in ({"kind": ChannelKind.SOCIAL, "value": "@x"},                                   # no platform
                {"kind": ChannelKind.EMAIL, "value": "a@example.com", "covers_email": True},  # domains only
                {"kind": ChannelKind.PHONE, "value": "555-0100"}):
        with pytest.raises(ValidationError):
            official_channel_create(labels={"en": "x"}, **bad)
    official_channel_create(kind=ChannelKind.EMAIL, value="a@example.com", labels={"en": "A"})
    with pytest.raises(ValidationError):  # the same address, typed differently
        official_channel_create(kind=ChannelKind.EMAIL, value="A@EXAMPLE.COM", labels={"en": "A again"})
    assert OfficialChannel.objects.count() == 1


# --- agents' verification codes -------------------------------------------------------------------------------------

def test_every_agent_gets_a_unique_unambiguous_code(db):
    agents = [AgentFactory() for _ in range(5)]
    codes = [agent_verification_code(agent) for agent in agents]
    assert len(set(codes)) == 5
    assert all(len(code) == 8 and set(code) <= set(VERIFICATION_CODE_ALPHABET) for code in codes)
    assert not set("01OIL") & set(VERIFICATION_CODE_ALPHABET)


def test_an_agents_private_code_is_never_official_by_itself(db):
    """The profile's code only keys the per-conversation codes (tests/verification/test_agent_codes.py)."""
    agent = AgentFactory(name="Emma English")
    code = agent_verification_code(agent)
    result = check("agent_code", f"{code[:4].lower()}-{code[4:]}")
    assert (result.official, result.value, result.needs_sign_in) == (False, code, True)


def test_customers_have_no_code_and_unknown_codes_are_not_official(db):
    customer = UserFactory()
    assert agent_verification_code(customer) is None
    assert agent_verification_code(None) is None
    AgentFactory()
    assert not check("agent_code", "ZZZZ2222").official


def test_a_deactivated_or_demoted_agents_code_is_no_longer_official(db):
    gone, demoted = AgentFactory(), AgentFactory()
    gone_code, demoted_code = agent_verification_code(gone), agent_verification_code(demoted)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    core_services.user_set_role(user=demoted, role=Role.CUSTOMER)
    assert AgentProfile.objects.filter(user=demoted).exists()  # the profile stays; the role is what counts
    assert not check("agent_code", gone_code).official
    assert not check("agent_code", demoted_code).official
    assert agent_verification_code(demoted) is None


def test_supervisors_are_agents_too(db):
    supervisor = AgentFactory(supervisor=True, name="Sam Supervisor")
    assert agent_verification_code(supervisor) is not None
