"""Load demo data: staff covering all six languages and a few customers. Safe to run again: it keeps what exists.

Later apps add their own demo content by providing a `demo` module with `seed(progress)` (see SEED_STEPS).
"""
import base64
import importlib
from binascii import hexlify

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from support import services
from support.models import Organisation, User
from support.organisations.services import organisation_create
from support.progress import draw_progress
from support.roles import Role

DEMO_PASSWORD = "demo-pass-2026"
# Staff sign in with a second factor (support/twofactor.py). Demo staff share this authenticator key, printed below and
# in the README, so that whoever tries the demo can add it to any authenticator app (or run `oathtool --totp -b KEY`).
# Demo data only: real staff set up their own key on their first sign-in.
DEMO_TOTP_KEY = b"support-desk-demo-2fa"
DEMO_TOTP_KEY_BASE32 = base64.b32encode(DEMO_TOTP_KEY).decode()

STAFF = [
    # email, name, role, languages, capacity, team
    ("admin@example.com", "Ada Admin", Role.ADMIN, ["en"], 3, None),
    ("supervisor@example.com", "Sam Supervisor", Role.SUPERVISOR, ["en", "zh-hans", "ja"], 3, "Global"),
    ("agent.en@example.com", "Emma English", Role.AGENT, ["en"], 4, "English desk"),
    ("agent.zh@example.com", "Li Wei", Role.AGENT, ["zh-hans", "en"], 4, "Chinese desk"),
    ("agent.es@example.com", "Lucía García", Role.AGENT, ["es", "en"], 3, "Spanish desk"),
    ("agent.ru@example.com", "Ivan Petrov", Role.AGENT, ["ru", "en"], 3, "Russian desk"),
    ("agent.ja@example.com", "Sato Yuki", Role.AGENT, ["ja", "en"], 3, "Japanese desk"),
    ("agent.ko@example.com", "Kim Minji", Role.AGENT, ["ko", "en"], 3, "Korean desk"),
]
# Languages served with agent assist and machine translation (issue #25): the English desk takes the Korean and
# Japanese customers who accept an agent now when their own queues are long.
ASSISTED = {"agent.en@example.com": ["ko", "ja"]}

CUSTOMERS = [
    ("alice@example.com", "Alice Brown", "en"),
    ("wang.fang@example.com", "王芳", "zh-hans"),
    ("carlos@example.com", "Carlos Ruiz", "es"),
    ("olga@example.com", "Ольга Смирнова", "ru"),
    ("tanaka@example.com", "田中 花子", "ja"),
    ("jisoo@example.com", "박지수", "ko"),
    # A trader at the market maker below: a verified address at its domain makes her one of its members.
    ("mei.chen@kumo-markets.example", "Mei Chen", "en"),
]
# Institutional clients (support/organisations): staff who prove an address at one of their domains belong to them.
ORGANISATIONS = [
    ("Kumo Markets", ["kumo-markets.example"],
     "Market maker on the spot and perpetual books. Quote outages are urgent: escalate to the trading desk."),
    ("Harbor OTC", ["harbor-otc.example", "harbor-otc-desk.example"],
     "OTC desk: large USDT settlements to whitelisted addresses only."),
]

# Apps that contribute demo content, in dependency order. A missing module means the app has none yet.
SEED_STEPS = ["helpcenter.demo", "chatbot.demo", "tickets.demo", "livechat.demo", "reports.demo", "verification.demo",
              "incidents.demo"]


class Command(BaseCommand):
    help = "Create demo users (and each app's demo content). Existing rows are kept; running twice adds nothing."

    def handle(self, *args, **options):
        total = len(STAFF) + len(CUSTOMERS)
        done = 0
        with transaction.atomic():
            for name, domains, notes in ORGANISATIONS:
                if not Organisation.objects.filter(name__iexact=name).exists():
                    organisation_create(name=name, domains=domains, notes=notes)
            for email, name, role, languages, capacity, team_name in STAFF:
                done += 1
                self._progress(done, total, email)
                if User.objects.filter(email__iexact=email).exists():
                    continue
                team = services.team_get_or_create(name=team_name) if team_name else None
                if role == Role.ADMIN:
                    user = services.user_create(email=email, password=DEMO_PASSWORD, name=name, role=role,
                                                email_verified=True)
                    profile = user.agent_profile
                    profile.languages, profile.capacity = languages, capacity
                    profile.save(update_fields=["languages", "capacity"])
                else:
                    user = services.agent_create(email=email, password=DEMO_PASSWORD, languages=languages,
                                                 capacity=capacity, supervisor=role == Role.SUPERVISOR, name=name,
                                                 team=team, assisted_languages=ASSISTED.get(email, ()))
                _demo_authenticator(user)
            for email, name, language in CUSTOMERS:
                done += 1
                self._progress(done, total, email)
                if User.objects.filter(email__iexact=email).exists():
                    continue
                # Demo customers have confirmed their address already (a real sign-up mails a link to confirm it).
                user = services.user_create(email=email, password=DEMO_PASSWORD, language=language, name=name,
                                            email_verified=True)
                services.notification_create(user=user, kind="welcome", params={"site": settings.SITE_NAME})
        self.stdout.write("")
        for module_name in SEED_STEPS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            self.stdout.write(f"Seeding {module_name.split('.')[0]} ...")
            module.seed(progress=self._progress)
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Admin:      admin@example.com / {DEMO_PASSWORD}")
        self.stdout.write(f"  Supervisor: supervisor@example.com / {DEMO_PASSWORD}")
        self.stdout.write(f"  Agents:     agent.en|zh|es|ru|ja|ko@example.com / {DEMO_PASSWORD}")
        self.stdout.write(f"  Customer:   alice@example.com (and 5 more, one per language) / {DEMO_PASSWORD}")
        self.stdout.write(f"  Organisation member: mei.chen@kumo-markets.example (Kumo Markets) / {DEMO_PASSWORD}")
        self.stdout.write(f"  Staff sign in with a second factor: add the key {DEMO_TOTP_KEY_BASE32} to an "
                          "authenticator app (or: oathtool --totp -b KEY)")

    def _progress(self, done, total, label):
        draw_progress(self.stdout, done, total, f"{label[:40]:<40}")


def _demo_authenticator(user):
    """A confirmed authenticator with the shared demo key for a demo staff account."""
    TOTPDevice.objects.get_or_create(user=user, name="authenticator",
                                     defaults={"confirmed": True, "key": hexlify(DEMO_TOTP_KEY).decode()})
