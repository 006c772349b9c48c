"""Staff keep the official list in the Django admin, typing values as people see them; the demo seeds a few."""
import pytest

from verification import demo
from verification.models import OfficialChannel
from verification.selectors import channel_check

pytestmark = pytest.mark.django_db

FORM = {"kind": "domain", "platform": "", "value": "HTTPS://WWW.Example.com/", "label_en": "Our website",
        "label_zh_hans": "", "label_es": "", "label_ru": "", "label_ja": "公式サイト", "label_ko": "",
        "allow_subdomains": "on", "is_active": "on"}


def test_admin_stores_the_normalised_value_and_its_translations(client, desk_admin):
    client.force_login(desk_admin)
    response = client.post("/admin/verification/officialchannel/add/", FORM)
    assert response.status_code == 302, response.content.decode()[-3000:]
    channel = OfficialChannel.objects.get()
    assert (channel.value, channel.allow_subdomains, channel.label_ja) == ("example.com", True, "公式サイト")
    listing = client.get("/admin/verification/officialchannel/?kind__exact=domain&q=example")
    assert listing.status_code == 200 and "example.com" in listing.content.decode()


def test_admin_refuses_a_value_no_check_could_match(client, desk_admin):
    client.force_login(desk_admin)
    response = client.post("/admin/verification/officialchannel/add/", {**FORM, "kind": "phone", "value": "555-0100",
                                                                        "allow_subdomains": ""})
    assert response.status_code == 200
    assert "Enter a phone number with its country code" in response.content.decode()
    assert not OfficialChannel.objects.exists()


def test_only_staff_with_admin_rights_reach_it(client, agent):
    client.force_login(agent)
    assert client.get("/admin/verification/officialchannel/").status_code == 302  # to the admin login


def test_the_demo_seeds_the_support_email_website_and_telegram_once():
    demo.seed(progress=lambda *args: None)
    demo.seed(progress=lambda *args: None)
    assert OfficialChannel.objects.count() == len(demo.CHANNELS)
    assert channel_check("email", "support@example.com").official
    assert channel_check("social", "https://t.me/example_support").official
    assert channel_check("email", "support+T-10001.x@support.example.com").official  # the desk's reply addresses
    assert not channel_check("email", "alice@example.com").official  # a demo customer is not us


def test_an_admin_gives_an_agent_a_new_code_and_the_old_one_stops_being_official(client, desk_admin, agent):
    """Rotating the agent's private code changes every code they showed in conversations at once."""
    from tests.factories import UserFactory
    from tickets import services as ticket_services
    from tickets.selectors import agent_code_key
    from verification.selectors import conversation_code

    customer = UserFactory(email="rotated@example.com")
    ticket = ticket_services.ticket_create(requester=customer, subject="2FA", body="lost my phone")
    ticket_services.ticket_reply(ticket=ticket, author=agent, body="Let us check")
    profile = agent.agent_profile
    old = profile.verification_code
    shown = conversation_code(agent, agent_code_key(ticket.ref))
    assert channel_check("agent_code", shown, customer=customer).official
    client.force_login(desk_admin)
    response = client.post("/admin/support/agentprofile/", {"action": "rotate_verification_codes",
                                                             "_selected_action": [str(profile.pk)]})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.verification_code != old and len(profile.verification_code) == len(old)
    agent.agent_profile.refresh_from_db()
    assert not channel_check("agent_code", shown, customer=customer).official
    assert channel_check("agent_code", conversation_code(agent, agent_code_key(ticket.ref)), customer=customer).official
