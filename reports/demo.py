"""Demo history for the reports: three weeks of chats, tickets, ratings and reviews in six languages, so the
reports, heat map and wallboard show something meaningful on first run. Skipped when it is already there."""
from django.conf import settings

from .history import History, history_exists


def seed(progress):
    if history_exists():
        return
    History(days=settings.DEMO_HISTORY_DAYS, chats_per_day=140, tickets_per_day=45, progress=progress).run()
