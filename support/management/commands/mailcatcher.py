"""A local SMTP server for development: keeps every mail the desk sends as an .eml file and prints a line for it.

`make run` starts it on 127.0.0.1:1025 (the default EMAIL_HOST/EMAIL_PORT), so password resets and ticket emails
can be read in var/mail/ without a real mail server.
"""
import email
import time
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand


class _Keep:
    def __init__(self, folder, write):
        self.folder = folder
        self.write = write
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        path = self.folder / f"{time.strftime('%Y%m%d-%H%M%S')}-{self.count:04d}.eml"
        path.write_bytes(envelope.content)
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        self.write(f"mail to {', '.join(envelope.rcpt_tos)}: {str(parsed['Subject']).strip()} -> {path}")
        return "250 OK"


class Command(BaseCommand):
    help = "Run a local SMTP server that saves every message to var/mail/ (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=1025)
        parser.add_argument("--folder", default=str(Path(settings.BASE_DIR) / "var" / "mail"))

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        folder.mkdir(parents=True, exist_ok=True)
        controller = Controller(_Keep(folder, self.stdout.write), hostname=options["host"], port=options["port"])
        controller.start()
        self.stdout.write(f"Catching mail on {options['host']}:{options['port']}, saving to {folder}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
