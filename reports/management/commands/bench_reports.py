"""python manage.py bench_reports [--days 90] [--messages 1000000] — supervisor reports over a busy desk.

Loads `--days` days of history (about `--messages` chat messages, with their chats, tickets, SLA timers, ratings
and reviews; skipped when the database already holds that much), then times the report for the whole period:
each table's queries, the whole report, and the page as a supervisor's browser gets it (HTML rendered, through the
Django test client). Median of --rounds runs, after a warm-up. Target: the page under 2 seconds.
Run it against a throwaway database (`make bench` does). Results go to bench/results/reports.json.
"""
import datetime as dt
import json
import statistics
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import timezone

from livechat.models import ChatMessage, Conversation
from reports import selectors
from reports.history import History
from reports.selectors import Period
from support import services
from support.models import User
from support.progress import bench_results_dir, draw_progress
from tickets.models import Ticket

TARGET_SECONDS = 2.0


class Command(BaseCommand):
    help = "Measure the supervisor report over 90 days of a busy desk (about a million chat messages)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--messages", type=int, default=1_000_000)
        parser.add_argument("--rounds", type=int, default=3)

    def handle(self, *args, **options):
        days, wanted = options["days"], options["messages"]
        self._load(days, wanted)
        counts = self._counts()
        self.stdout.write("Database: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

        today = timezone.now().date()
        period = Period(start=today - dt.timedelta(days=days), end=today, tz=ZoneInfo("UTC"))
        query = f"start={period.start}&end={period.end}"
        # As a browser would ask, under production settings: HTTPS and an allowed host name.
        host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
        client = Client(HTTP_HOST=host)
        call_command("collectstatic", interactive=False, verbosity=0)  # production pages name hashed static files
        client.force_login(self._supervisor())

        def page():
            response = client.get(f"/en/agent/reports/?{query}", secure=True)
            assert response.status_code == 200, response.status_code

        measures = {build.table_key: (lambda build=build: selectors.report_table(period, build.table_key))
                    for build in selectors.REPORT_TABLES}
        measures["report (all tables)"] = lambda: selectors.report(period)
        measures["page (HTML)"] = page
        measures["CSV agents"] = lambda: client.get(f"/en/agent/reports/agents.csv?{query}", secure=True)
        for fn in measures.values():  # warm up: connection, caches, query plans
            fn()
        results = []
        for name, fn in measures.items():
            runs = []
            for _ in range(options["rounds"]):
                started = time.perf_counter()
                fn()
                runs.append(time.perf_counter() - started)
            results.append({"benchmark": "reports", "measure": name, "days": days, **counts,
                            "median_ms": round(statistics.median(runs) * 1000, 1),
                            "runs_ms": [round(r * 1000, 1) for r in runs]})
        self._report(results)

    def _load(self, days, wanted):
        """`days` days of history with about `wanted` chat messages, unless the database holds that much already."""
        have = ChatMessage.objects.count()
        if have >= wanted * 0.9:
            return
        # About 6.3 stored messages per chat offered (bot-only and abandoned chats have none), 10 per answered.
        chats_per_day = round((wanted - have) / days / 6.3)
        self.stdout.write(f"Loading {days} days of history, about {wanted - have:,} messages "
                          f"({chats_per_day:,} chats a day) ...")
        History(days=days, chats_per_day=chats_per_day, tickets_per_day=max(50, chats_per_day // 4),
                messages_per_chat=10, seed=11, progress=self._bar).run()
        self.stdout.write("")
        with connection.cursor() as cursor:
            for table in ("livechat_conversation", "livechat_chatmessage", "tickets_ticket", "tickets_slatimer",
                          "tickets_ticketrating", "reports_qualityreview"):
                cursor.execute(("" if connection.in_atomic_block else "VACUUM ") + f"ANALYZE {table}")

    def _counts(self):
        return {"messages": ChatMessage.objects.count(), "chats": Conversation.objects.count(),
                "tickets": Ticket.objects.count()}

    def _supervisor(self):
        email = "bench.supervisor@example.com"
        user = User.objects.filter(email=email).first()
        return user or services.agent_create(email=email, password=None, languages=["en"], supervisor=True)

    def _report(self, results):
        width = 40
        scale = max(max(r["median_ms"] for r in results), TARGET_SECONDS * 1000)
        self.stdout.write(f"\nReports over {results[0]['days']} days (target: page < {TARGET_SECONDS:.0f} s)")
        self.stdout.write(f"{'measure':<24}{'median ms':>11}  ")
        for row in results:
            bar = "#" * max(1, round(width * row["median_ms"] / scale))
            mark = ""
            if row["measure"] == "page (HTML)":
                mark = " ok" if row["median_ms"] < TARGET_SECONDS * 1000 else " SLOW"
            self.stdout.write(f"{row['measure']:<24}{row['median_ms']:>11.1f}  {bar}{mark}")
        out = bench_results_dir()
        (out / "reports.json").write_text(json.dumps(results, indent=2))
        for row in results:
            self.stdout.write(json.dumps(row))

    def _bar(self, done, total, label):
        draw_progress(self.stdout, done, total, label)
