"""`seed_demo` (run by `make run`) fills every app with demo data, and running it twice adds nothing."""
import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from helpcenter.models import Article
from livechat import selectors
from livechat.models import Conversation, LanguageOverflow
from reports import selectors as report_selectors
from reports.selectors import Period
from support.models import User
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_data_in_every_app_and_idempotent(migration_data):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Article.objects.count(), Ticket.objects.count(), Conversation.objects.count())
    assert counts[1] >= 30 and counts[2] >= 5 + 21 * 20 and counts[3] >= 6 * 3 + 1 + 21 * 100
    assert LanguageOverflow.objects.filter(language="ko", overflow_to="en").exists()
    # Handled chats make the wait estimates measured, not guessed, in every language.
    assert all(selectors.average_handle_seconds(language=lang) for lang in ("en", "zh-hans", "es", "ru", "ja", "ko"))
    # Three weeks of history, so the reports show every language, the busy Asian evening and reviews.
    week = Period(start=date.today() - timedelta(days=20), end=date.today(), tz=ZoneInfo("UTC"))
    report = report_selectors.report(week)
    offered = {row["language"]: row["offered"] for row in report["chats"].rows}
    assert len(offered) == 7 and min(offered.values()) > 100
    zh_cells = {(r["hour"]): r for r in report["heatmap"].rows if r["language"] == "zh-hans" and r["weekday_number"] == 3}
    assert zh_cells[13]["offered"] > zh_cells[3]["offered"]  # 21:00 in Shanghai is busier than 11:00
    assert report["quality"].rows and report["csat"].rows[-1]["score"] is not None
    from incidents.models import Incident

    assert Incident.objects.filter(status="resolved", title_ja="TRC-20 入金の遅延").count() == 1  # on /status/
    # Demo staff can finish signing in with the shared demo key (README); demo customers have proven addresses.
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from support.management.commands.seed_demo import DEMO_TOTP_KEY

    staff = User.objects.filter(email__in=["admin@example.com", "supervisor@example.com", "agent.ko@example.com"])
    assert {bytes.fromhex(d.key) for d in TOTPDevice.objects.filter(user__in=staff, confirmed=True)} == {DEMO_TOTP_KEY}
    assert TOTPDevice.objects.filter(user__in=staff).count() == 3
    assert User.objects.get(email="alice@example.com").email_verified
    # A demo institutional client, with a verified member (support/organisations).
    assert User.objects.get(email="mei.chen@kumo-markets.example").organisation.name == "Kumo Markets"
    call_command("seed_demo", stdout=io.StringIO())
    assert Incident.objects.count() == 1
    assert (User.objects.count(), Article.objects.count(), Ticket.objects.count(),
            Conversation.objects.count()) == counts
