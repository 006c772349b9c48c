"""A resolution's notices through a real Celery worker and a real SMTP server: batches chain until everyone is told,
and each person gets exactly one email and one in-site notification, in their language."""
import time

import pytest
from django.db import transaction

from incidents import services
from incidents.models import IncidentNotice
from incidents.tasks import incident_notices_sweep
from support.models import Notification
from tests.factories import UserFactory
from tickets import services as ticket_services


@pytest.fixture
def small_batches(monkeypatch, settings):
    """Batches of 3 in the worker process (it reads the environment) and here."""
    monkeypatch.setenv("INCIDENT_NOTIFY_BATCH", "3")
    settings.INCIDENT_NOTIFY_BATCH = 3


@pytest.mark.django_db(transaction=True)
def test_every_linked_person_is_emailed_exactly_once_in_batches(small_batches, declare, supervisor, mailbox,
                                                                 celery_worker_process):
    incident = declare()
    people = [UserFactory(email=f"linked{n}@example.com", language="ja" if n % 2 else "en") for n in range(8)]
    for person in people:
        ticket_services.ticket_create(requester=person, subject="出金" if person.language == "ja" else "withdrawal",
                                      body="still pending")
    with transaction.atomic():
        services.incident_resolve(incident=incident, by=supervisor, notify=True,
                                  resolutions={"en": "Withdrawals are fast again.", "ja": "出金は正常に戻りました。"})

    def incident_mail():
        return [m for m in mailbox if "Withdrawals are fast again." in m["message"].get_body(("plain",)).get_content()
                or "出金は正常に戻りました。" in m["message"].get_body(("plain",)).get_content()]

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(incident_mail()) < len(people):
        time.sleep(0.2)
    time.sleep(1)  # a double would arrive now
    received = sorted(m["message"]["To"] for m in incident_mail())
    assert received == sorted(p.email for p in people)
    for message in incident_mail():
        person = next(p for p in people if p.email == message["message"]["To"])
        body = message["message"].get_body(("plain",)).get_content()
        assert ("出金は正常に戻りました。" if person.language == "ja" else "Withdrawals are fast again.") in body
    for person in people:
        assert Notification.objects.filter(user=person, kind="incident_resolved").count() == 1
    assert not IncidentNotice.objects.filter(incident=incident, sent_at__isnull=True).exists()
    assert incident_notices_sweep() == 0  # nothing left for the beat to pick up
