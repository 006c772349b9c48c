"""Roles are groups holding permissions; each role includes the ones below it; admins alone reach Django admin."""
import pytest
from django.contrib.auth.models import Group

from support import services
from support.models import AgentProfile
from support.roles import PERM_ADMIN, PERM_AGENT, PERM_SUPERVISOR, Role, is_agent, is_supervisor, user_role
from tests.factories import AgentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_their_permissions():
    """Created by migrate (post_migrate), so a fresh database has them."""
    perms = {
        g.name: {p.codename for p in g.permissions.all()} for g in Group.objects.prefetch_related("permissions")
    }
    assert perms["customer"] == set()
    assert perms["agent"] == {"work_as_agent"}
    assert perms["supervisor"] == {"work_as_agent", "supervise_desk"}
    assert perms["admin"] == {"work_as_agent", "supervise_desk", "administer_desk"}


def test_sign_up_makes_a_customer_without_staff_permissions():
    user = services.user_register(email="c@example.com", password="a-long-unusual-pass")
    assert user_role(user) == Role.CUSTOMER
    assert not user.has_perm(PERM_AGENT)
    assert not user.is_staff
    assert not AgentProfile.objects.filter(user=user).exists()


def test_each_role_has_exactly_its_permissions():
    customer = UserFactory()
    agent = AgentFactory()
    supervisor = AgentFactory(supervisor=True)
    admin = UserFactory(role=Role.ADMIN)
    assert [is_agent(u) for u in (customer, agent, supervisor, admin)] == [False, True, True, True]
    assert [is_supervisor(u) for u in (customer, agent, supervisor, admin)] == [False, False, True, True]
    assert [u.has_perm(PERM_ADMIN) for u in (customer, agent, supervisor, admin)] == [False, False, False, True]
    assert [u.is_staff for u in (customer, agent, supervisor, admin)] == [False, False, False, True]


def test_changing_role_replaces_the_group_and_takes_effect_at_once():
    user = UserFactory()
    services.user_set_role(user=user, role=Role.SUPERVISOR)
    assert user.has_perm(PERM_SUPERVISOR)
    assert list(user.groups.values_list("name", flat=True)) == ["supervisor"]
    services.user_set_role(user=user, role=Role.CUSTOMER)
    assert not user.has_perm(PERM_AGENT)
    assert list(user.groups.values_list("name", flat=True)) == ["customer"]


def test_demoting_an_admin_removes_admin_site_access():
    user = UserFactory(role=Role.ADMIN)
    assert user.is_staff and user.is_superuser
    services.user_set_role(user=user, role=Role.AGENT)
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser


def test_inactive_agent_is_not_treated_as_agent():
    agent = AgentFactory()
    agent.is_active = False
    agent.save()
    assert not is_agent(agent)


def test_agent_profile_validates_languages_and_capacity():
    with pytest.raises(services.DomainError) as exc:
        AgentFactory(languages=["en", "fr"])
    assert exc.value.code == "invalid_languages"
    with pytest.raises(services.DomainError) as exc:
        AgentFactory(languages=[])
    assert exc.value.code == "invalid_languages"
    with pytest.raises(services.DomainError) as exc:
        AgentFactory(capacity=0)
    assert exc.value.code == "invalid_capacity"


def test_agent_presence_records_last_seen():
    agent = AgentFactory()
    assert agent.agent_profile.presence == "offline"
    services.agent_set_presence(agent=agent, presence="online")
    profile = AgentProfile.objects.get(user=agent)
    assert profile.presence == "online"
    assert profile.last_seen_at is not None
