"""python manage.py ingest_email < message.eml — for a mail server's pipe (e.g. Postfix `| manage.py ...`).

Exit status: 0 when the mail was stored (accepted, ignored or rejected: the server must not bounce it), 75
(EX_TEMPFAIL) when the database is unreachable (an outage: connection refused or lost), so the mail server keeps the
mail and retries later. A mail the database refuses for its content is stored as rejected (exit 0), never retried.
"""
import sys

from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError

from tickets.inbound import inbound_email_ingest

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one raw email from standard input and file it as a ticket reply or a new ticket."

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        try:
            result = inbound_email_ingest(raw=raw)
        except (OperationalError, InterfaceError) as exc:
            self.stderr.write(f"database unavailable, try again later: {exc}")
            sys.exit(EX_TEMPFAIL)
        record = result.record
        where = f" -> {record.ticket.ref}" if record.ticket_id else ""
        self.stdout.write(f"{'duplicate ' if result.duplicate else ''}{record.status}{where}"
                          f"{': ' + record.reason if record.reason else ''}")
