"""python manage.py create_agent: creates agents and supervisors with languages and capacity, refuses bad input."""
import pytest
from django.core.management import CommandError, call_command

from support.models import User
from support.roles import PERM_AGENT, PERM_SUPERVISOR, Role, user_role

pytestmark = pytest.mark.django_db


def test_creates_an_agent_who_can_log_in(client):
    call_command("create_agent", email="Ja.Agent@example.com", password="pw-123456", languages="en,ja",
                 capacity=5)
    user = User.objects.get(email="ja.agent@example.com")
    assert user_role(user) == Role.AGENT
    assert user.has_perm(PERM_AGENT) and not user.has_perm(PERM_SUPERVISOR)
    assert user.agent_profile.languages == ["en", "ja"]
    assert user.agent_profile.capacity == 5
    assert client.login(username="ja.agent@example.com", password="pw-123456")


def test_supervisor_flag_gives_the_supervisor_role():
    call_command("create_agent", email="sup@example.com", password="pw-123456", languages="zh-hans",
                 supervisor=True, team="Chinese desk")
    user = User.objects.get(email="sup@example.com")
    assert user_role(user) == Role.SUPERVISOR
    assert user.agent_profile.team.name == "Chinese desk"
    assert user.language == "zh-hans"


def test_unknown_language_is_refused_and_nothing_is_written():
    with pytest.raises(CommandError, match="unknown language"):
        call_command("create_agent", email="x@example.com", password="pw", languages="en,klingon")
    assert not User.objects.filter(email="x@example.com").exists()


def test_capacity_out_of_range_is_refused():
    with pytest.raises(CommandError, match="capacity"):
        call_command("create_agent", email="x@example.com", password="pw", languages="en", capacity=0)
    assert not User.objects.filter(email="x@example.com").exists()


def test_existing_email_is_refused():
    call_command("create_agent", email="dup@example.com", password="pw", languages="en")
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_agent", email="DUP@example.com", password="pw2", languages="ko")
    assert User.objects.get(email="dup@example.com").agent_profile.languages == ["en"]
