"""In-site notifications: created by one service, shown with an unread count, readable only by their owner."""
from datetime import timedelta

import pytest
from django.utils import timezone

from support import services
from support.models import Notification
from support.tasks import notifications_purge_read

pytestmark = pytest.mark.django_db


def make(user, n=1, **kwargs):
    return [
        services.notification_create(user=user, kind="message", params={"title": f"Hello {i}", "body": "Body"},
                                     **kwargs)
        for i in range(n)
    ]


def test_unregistered_kind_needs_its_own_title(customer):
    with pytest.raises(services.DomainError):
        services.notification_create(user=customer, kind="mystery")
    assert not Notification.objects.filter(user=customer).exists()


def test_header_shows_the_unread_count(client, customer):
    make(customer, 3)
    client.force_login(customer)
    html = client.get("/en/").content.decode()
    assert 'data-testid="unread-count">3<' in html


def test_header_shows_no_badge_when_all_read(client, customer):
    make(customer, 2)
    services.notification_mark_all_read(user=customer)
    client.force_login(customer)
    assert 'data-testid="unread-count"' not in client.get("/en/").content.decode()


def test_registered_kind_reads_in_the_viewers_language(client, customer):
    services.notification_create(user=customer, kind="welcome", params={"site": "Desk"})
    client.force_login(customer)
    assert "Welcome to Desk" in client.get("/en/notifications/").content.decode()
    assert "欢迎使用 Desk" in client.get("/zh-hans/notifications/").content.decode()


def test_list_page_shows_only_my_notifications(client, customer, other_customer):
    services.notification_create(user=other_customer, kind="message", params={"title": "Secret of B"})
    make(customer, 1)
    client.force_login(customer)
    html = client.get("/en/notifications/").content.decode()
    assert "Hello 0" in html
    assert "Secret of B" not in html


def test_mark_read_from_the_page(client, customer):
    (note,) = make(customer, 1)
    client.force_login(customer)
    response = client.post(f"/en/notifications/{note.id}/read/")
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.read_at is not None


def test_open_marks_read_and_goes_to_the_link(client, customer):
    (note,) = make(customer, 1, url="/en/")
    client.force_login(customer)
    response = client.post(f"/en/notifications/{note.id}/read/", {"next": "/en/"})
    assert response["Location"] == "/en/"
    response = client.post(f"/en/notifications/{note.id}/read/", {"next": "https://evil.example/"})
    assert response["Location"] == "/en/notifications/"


def test_cannot_mark_another_users_notification(client, customer, other_customer):
    (theirs,) = make(other_customer, 1)
    client.force_login(customer)
    assert client.post(f"/en/notifications/{theirs.id}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_notifications_page_needs_login(client):
    response = client.get("/en/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_api_lists_mine_with_unread_count_in_constant_queries(customer_api, customer, other_customer,
                                                               django_assert_max_num_queries):
    make(customer, 5)
    make(other_customer, 2)
    with django_assert_max_num_queries(3):
        response = customer_api.get("/api/v1/notifications/")
    body = response.json()
    assert body["count"] == 5 and body["unread"] == 5
    assert {item["title"] for item in body["results"]} == {f"Hello {i}" for i in range(5)}
    make(customer, 20)
    with django_assert_max_num_queries(3):
        customer_api.get("/api/v1/notifications/")


def test_api_mark_read_and_read_all(customer_api, customer, other_customer):
    notes = make(customer, 3)
    (theirs,) = make(other_customer, 1)
    assert customer_api.post(f"/api/v1/notifications/{notes[0].id}/read/").status_code == 204
    assert customer_api.post(f"/api/v1/notifications/{theirs.id}/read/").status_code == 404
    assert customer_api.get("/api/v1/notifications/?unread=1").json()["count"] == 2
    assert customer_api.post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_purge_deletes_only_old_read_notifications(customer, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 30
    old_read, old_unread, new_read = make(customer, 3)
    long_ago = timezone.now() - timedelta(days=31)
    Notification.objects.filter(pk__in=[old_read.pk, old_unread.pk]).update(created_at=long_ago)
    Notification.objects.filter(pk__in=[old_read.pk, new_read.pk]).update(read_at=timezone.now())
    assert notifications_purge_read() == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {old_unread.pk, new_read.pk}
