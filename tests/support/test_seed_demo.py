"""`seed_demo` (run by `make run`) fills every app with demo data, and running it twice adds nothing."""
import io

import pytest
from django.core.management import call_command

from helpcenter.models import Article
from livechat import selectors
from livechat.models import Conversation, LanguageOverflow
from support.models import User
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_demo_data_in_every_app_and_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Article.objects.count(), Ticket.objects.count(), Conversation.objects.count())
    assert counts[1] >= 30 and counts[2] >= 5 and counts[3] == 6 * 3 + 1
    assert LanguageOverflow.objects.filter(language="ko", overflow_to="en").exists()
    # Handled chats make the wait estimates measured, not guessed, in every language.
    assert all(selectors.average_handle_seconds(language=lang) for lang in ("en", "zh-hans", "es", "ru", "ja", "ko"))
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Article.objects.count(), Ticket.objects.count(),
            Conversation.objects.count()) == counts
