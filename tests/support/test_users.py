"""The user model: email login that ignores case, a preferred language from the six, roles as groups."""
import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction

from support import services
from support.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_stored_lower_case_and_unique_ignoring_case():
    """Two accounts cannot share an email that differs only in case."""
    user = services.user_create(email="  Mixed.Case@Example.COM ", password="x")
    assert user.email == "mixed.case@example.com"
    with pytest.raises(services.EmailTaken):
        services.user_create(email="MIXED.case@example.com", password="y")
    assert User.objects.count() == 1


def test_database_refuses_a_case_variant_written_around_the_service():
    """The case-insensitive unique constraint holds even for writes that skip the service."""
    UserFactory(email="dup@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="DUP@example.com")


def test_login_by_email_ignores_case():
    UserFactory(email="login@example.com")
    assert authenticate(username="LOGIN@Example.com", password=PASSWORD) is not None
    assert authenticate(username="login@example.com", password="wrong") is None


def test_preferred_language_must_be_one_of_the_six():
    with pytest.raises(services.DomainError) as exc:
        services.user_create(email="fr@example.com", password="x", language="fr")
    assert exc.value.code == "invalid_language"
    assert not User.objects.filter(email="fr@example.com").exists()


def test_language_aliases_are_normalised():
    user = services.user_create(email="zh@example.com", password="x", language="zh-CN")
    assert user.language == "zh-hans"


def test_database_constraint_rejects_unknown_language():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="raw@example.com", language="xx")


def test_set_language_saves_preference():
    user = UserFactory()
    services.user_set_language(user=user, language="ko")
    user.refresh_from_db()
    assert user.language == "ko"


def test_register_rejects_a_weak_password_and_writes_nothing():
    with pytest.raises(services.DomainError) as exc:
        services.user_register(email="weak@example.com", password="12345678")
    assert exc.value.code == "weak_password"
    assert not User.objects.filter(email="weak@example.com").exists()


def test_register_gives_a_welcome_notification():
    user = services.user_register(email="new@example.com", password="a-long-unusual-pass", language="ja")
    assert list(user.notifications.values_list("kind", flat=True)) == ["welcome"]
