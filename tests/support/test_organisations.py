"""Organisations (issue #26): institutional clients whose staff write in from their company's addresses. Domains
are email domains, lower-case, each one organisation's; an account belongs by the domain of an address it has
*proven* (never one typed), or as an admin set it; a change of domains moves the accounts in one UPDATE."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from support import services as core
from support.models import MembershipSource, Organisation, OrganisationDomain, User
from support.organisations.membership import memberships_resolve
from support.organisations.selectors import requester_organisation
from support.organisations.services import (
    OrganisationInvalid,
    organisation_create,
    organisation_delete,
    organisation_update,
    user_organisation_set,
)
from tests.factories import UserFactory
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db


def fresh(user):
    return User.objects.get(pk=user.pk)


def test_domains_are_stored_lower_case_without_at_sign_each_once():
    kumo = organisation_create(name="Kumo Markets", domains=[" @Kumo-Markets.EXAMPLE ", "kumo-markets.example",
                                                             "desk.kumo-markets.example", ""])
    assert kumo.domain_names() == ["desk.kumo-markets.example", "kumo-markets.example"]


@pytest.mark.parametrize("typed, code", [
    ("not a domain", "invalid_domain"), ("localhost", "invalid_domain"), ("*.kumo.example", "invalid_domain"),
    ("kumo..example", "invalid_domain"), ("a@b@c.example", "invalid_domain"), ("gmail.com", "public_domain"),
    ("QQ.com", "public_domain"), ("naver.com", "public_domain"),
])
def test_a_domain_that_is_not_one_or_is_a_public_mail_service_is_refused(typed, code):
    """A public mail service would make every one of its users a member: refused, and nothing is written."""
    with pytest.raises(OrganisationInvalid) as refused:
        organisation_create(name="Kumo Markets", domains=[typed])
    assert refused.value.code == code and refused.value.field == "domains"
    assert not Organisation.objects.exists()


def test_a_domain_belongs_to_one_organisation_and_names_ignore_case():
    organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    harbor = organisation_create(name="Harbor OTC", domains=["harbor-otc.example"])
    with pytest.raises(OrganisationInvalid) as taken:
        organisation_create(name="Copycat", domains=["KUMO-markets.example"])
    assert taken.value.code == "domain_taken" and not Organisation.objects.filter(name="Copycat").exists()
    with pytest.raises(OrganisationInvalid) as taken:
        organisation_update(organisation=harbor, domains=["harbor-otc.example", "kumo-markets.example"])
    assert taken.value.code == "domain_taken"
    assert sorted(OrganisationDomain.objects.values_list("domain", flat=True)) == [
        "harbor-otc.example", "kumo-markets.example"]
    with pytest.raises(OrganisationInvalid) as same:
        organisation_create(name="kumo markets")
    assert same.value.code == "name_taken"


def test_a_verified_account_at_the_domain_joins_and_an_unverified_one_never_does():
    """The look-alike typed the same address's domain but never proved the mailbox: it stays outside, even when
    the organisation is created after it, and when its domains change."""
    member = UserFactory(email="mei@kumo-markets.example")
    look_alike = UserFactory(email="ceo@kumo-markets.example", email_verified=False)
    typed = core.customer_for_email(email="ops@kumo-markets.example")  # an email to the desk: nobody proved it
    kumo = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    assert fresh(member).organisation == kumo and fresh(member).organisation_source == MembershipSource.DOMAIN
    assert fresh(look_alike).organisation is None and fresh(typed).organisation is None
    later = UserFactory(email="trader@kumo-markets.example")  # created verified after the organisation
    unverified_later = UserFactory(email="intern@kumo-markets.example", email_verified=False)
    assert later.organisation_id == kumo.pk and unverified_later.organisation_id is None
    organisation_update(organisation=kumo, domains=["kumo-markets.example", "kumo.example"])
    assert fresh(look_alike).organisation is None and fresh(typed).organisation is None
    assert set(kumo.members.values_list("email", flat=True)) == {"mei@kumo-markets.example",
                                                                  "trader@kumo-markets.example"}


def test_an_account_joins_when_it_proves_its_address_by_any_path():
    """The confirmation link, a password reset by the mailed link, the exchange vouching for the address."""
    kumo = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    confirming = UserFactory(email="a@kumo-markets.example", email_verified=False)
    resetting = UserFactory(email="b@kumo-markets.example", email_verified=False)
    vouched = UserFactory(email="c@kumo-markets.example", email_verified=False)
    core.user_email_confirm(user=confirming, token=core.email_confirmation_token(confirming))
    core.user_password_reset(user=resetting)
    core.customer_for_exchange_identity(uid="kumo-77", email="c@kumo-markets.example")
    assert confirming.organisation_id == kumo.pk and resetting.organisation_id == kumo.pk
    assert {fresh(u).organisation_id for u in (confirming, resetting, vouched)} == {kumo.pk}


def test_subdomains_and_look_alike_domains_do_not_match():
    organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    outsiders = [UserFactory(email=email) for email in ("x@evil-kumo-markets.example", "x@kumo-markets.example.evil",
                                                        "x@desk.kumo-markets.example", '"x@kumo-markets.example"@e.example')]
    assert {fresh(user).organisation_id for user in outsiders} == {None}


def test_a_change_of_domains_moves_the_accounts_in_one_update():
    """Added domain: its verified accounts join; removed: its members leave; an admin's choice stays; the accounts
    are moved by one UPDATE, however many."""
    kumo = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    old_domain = [UserFactory(email=f"old{n}@kumo-markets.example") for n in range(3)]
    new_domain = [UserFactory(email=f"new{n}@kumo.example") for n in range(4)]
    pinned = UserFactory(email="pinned@kumo-markets.example")
    user_organisation_set(user=pinned, organisation=kumo)
    with CaptureQueriesContext(connection) as queries:
        organisation_update(organisation=kumo, domains=["kumo.example"])
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "support_user"')]
    assert len(updates) == 1
    assert set(kumo.members.values_list("email", flat=True)) == {u.email for u in new_domain} | {pinned.email}
    assert {fresh(u).organisation_id for u in old_domain} == {None}
    assert {fresh(u).organisation_source for u in old_domain} == {MembershipSource.AUTOMATIC}


def test_memberships_already_right_are_not_written():
    kumo = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    UserFactory(email="a@kumo-markets.example")
    UserFactory(email="b@elsewhere.example")
    assert memberships_resolve(users=User.objects.all()) == 0
    User.objects.filter(email="a@kumo-markets.example").update(organisation=None, organisation_source="")
    assert memberships_resolve(users=User.objects.all()) == 1
    assert User.objects.get(email="a@kumo-markets.example").organisation == kumo


def test_an_admins_choice_is_kept_until_the_account_follows_its_domain_again():
    kumo = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    harbor = organisation_create(name="Harbor OTC", domains=["harbor-otc.example"])
    contractor = UserFactory(email="quant@gmail.com")
    user_organisation_set(user=contractor, organisation=harbor)
    left_out = UserFactory(email="former@kumo-markets.example")
    user_organisation_set(user=left_out, organisation=None)  # an admin said: none
    organisation_update(organisation=kumo, domains=["kumo-markets.example", "kumo.example"])
    assert fresh(contractor).organisation == harbor and fresh(left_out).organisation is None
    user_organisation_set(user=left_out, automatic=True)
    assert fresh(left_out).organisation == kumo and fresh(left_out).organisation_source == MembershipSource.DOMAIN


def test_deleting_an_organisation_releases_its_members():
    kumo = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    member, pinned = UserFactory(email="a@kumo-markets.example"), UserFactory(email="b@elsewhere.example")
    user_organisation_set(user=pinned, organisation=kumo)
    organisation_delete(organisation=kumo)
    assert not OrganisationDomain.objects.exists()
    assert {(u.organisation_id, u.organisation_source) for u in (fresh(member), fresh(pinned))} == {(None, "")}
    again = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    assert fresh(member).organisation == again


def test_the_tickets_requester_organisation_is_read_with_the_requester():
    kumo = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    ticket = ticket_create(requester=UserFactory(email="mei@kumo-markets.example"), subject="API keys", body="...")
    outsider = ticket_create(requester=UserFactory(), subject="Deposit", body="...")
    assert requester_organisation(ticket=ticket) == kumo and requester_organisation(ticket=outsider) is None


def test_the_agents_ticket_page_and_api_show_the_requesters_organisation(client, agent, api_client):
    organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    ticket = ticket_create(requester=UserFactory(email="mei@kumo-markets.example"), subject="API keys", body="...")
    client.force_login(agent)
    html = client.get(f"/ja/agent/tickets/{ticket.ref}/").content.decode()
    assert '<span translate="no" data-testid="requester-organisation">Kumo Markets</span>' in html
    page = client.get(f"/ja/agent/customers/{ticket.requester_id}/").content.decode()
    assert 'data-testid="customer-organisation">Kumo Markets<' in page
    api_client.force_authenticate(agent)
    shown = api_client.get(f"/api/v1/tickets/{ticket.ref}/").json()
    assert shown["requester_organisation"]["name"] == "Kumo Markets"
    api_client.force_authenticate(ticket.requester)
    assert "requester_organisation" not in api_client.get(f"/api/v1/tickets/{ticket.ref}/").json()


def test_the_agents_ticket_list_reads_organisations_without_a_query_per_ticket(api_client, agent):
    kumo = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    api_client.force_authenticate(agent)
    ticket_create(requester=UserFactory(email="a@kumo-markets.example"), subject="One", body="...")
    api_client.get("/api/v1/tickets/")
    with CaptureQueriesContext(connection) as one:
        api_client.get("/api/v1/tickets/")
    for n in range(4):
        ticket_create(requester=UserFactory(email=f"m{n}@kumo-markets.example"), subject="More", body="...")
    with CaptureQueriesContext(connection) as five:
        listed = api_client.get("/api/v1/tickets/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {row["requester_organisation"]["id"] for row in rows} == {kumo.pk} and len(rows) == 5
    assert len(five) == len(one)


@pytest.fixture
def admin_site(client, desk_admin):
    client.force_login(desk_admin)
    return client


def test_an_admin_adds_an_organisation_and_its_verified_accounts_join(admin_site):
    member = UserFactory(email="mei@kumo-markets.example")
    response = admin_site.post("/admin/support/organisation/add/", {
        "name": "Kumo Markets", "domains": "Kumo-Markets.example, kumo.example", "notes": "Market maker"})
    assert response.status_code == 302
    kumo = Organisation.objects.get()
    assert kumo.domain_names() == ["kumo-markets.example", "kumo.example"] and fresh(member).organisation == kumo
    response = admin_site.post(f"/admin/support/organisation/{kumo.pk}/change/", {
        "name": "Kumo Markets", "domains": "kumo.example", "notes": "Market maker"})
    assert response.status_code == 302 and fresh(member).organisation is None


@pytest.mark.parametrize("domains, error", [
    ("gmail.com", "is a public mail service"), ("not a domain", "is not an email domain"),
    ("harbor-otc.example", "These domains belong to another organisation: harbor-otc.example."),
])
def test_the_admin_form_refuses_bad_domains_readably(admin_site, domains, error):
    organisation_create(name="Harbor OTC", domains=["harbor-otc.example"])
    response = admin_site.post("/admin/support/organisation/add/", {"name": "Kumo", "domains": domains})
    assert response.status_code == 200 and error in response.content.decode()
    assert Organisation.objects.count() == 1


def test_the_admin_list_counts_members_without_a_query_per_organisation(admin_site):
    organisation_create(name="Org 0", domains=["org0.example"])
    UserFactory(email="a@org0.example")
    admin_site.get("/admin/support/organisation/")
    with CaptureQueriesContext(connection) as one:
        admin_site.get("/admin/support/organisation/")
    for n in range(1, 6):
        organisation_create(name=f"Org {n}", domains=[f"org{n}.example", f"org{n}-desk.example"])
        UserFactory(email=f"a@org{n}.example")
    with CaptureQueriesContext(connection) as six:
        html = admin_site.get("/admin/support/organisation/").content.decode()
    assert len(six) == len(one)
    assert '<span translate="no">org5-desk.example</span>' in html
    assert f'?organisation__id__exact={Organisation.objects.get(name="Org 5").pk}">1</a>' in html


def test_an_admin_sets_an_accounts_organisation_or_gives_it_back_to_its_domain(admin_site):
    kumo = organisation_create(name="Kumo Markets", domains=["kumo-markets.example"])
    harbor = organisation_create(name="Harbor OTC", domains=["harbor-otc.example"])
    user = UserFactory(email="mei@kumo-markets.example", name="Mei", language="en")
    url = f"/admin/support/user/{user.pk}/change/"
    assert '<option value="automatic" selected>' in admin_site.get(url).content.decode()
    form = {"email": user.email, "name": "Mei", "language": "en", "role": "customer", "is_active": "on",
            "email_verified": "on", "organisation_choice": str(harbor.pk)}
    assert admin_site.post(url, form).status_code == 302
    assert (fresh(user).organisation, fresh(user).organisation_source) == (harbor, MembershipSource.ADMIN)
    assert f'<option value="{harbor.pk}" selected>' in admin_site.get(url).content.decode()
    assert admin_site.post(url, {**form, "organisation_choice": "automatic"}).status_code == 302
    assert (fresh(user).organisation, fresh(user).organisation_source) == (kumo, MembershipSource.DOMAIN)
    # The admin takes away the verification: a domain no longer counts.
    form.pop("email_verified")
    assert admin_site.post(url, {**form, "organisation_choice": "automatic"}).status_code == 302
    assert fresh(user).organisation is None
