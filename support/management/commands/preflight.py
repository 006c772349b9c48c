"""Check that Postgres and Redis answer, and create the database if it is missing; say if Tesseract or one of its
language packs is missing (screenshots are read for secrets with it). Runs before migrate."""
import psycopg
import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql

from support.screenshots import TESSERACT_PACKS, tesseract_missing, tesseract_packages

HOW_TO_START = "Start them with `docker compose up -d db redis`, or set DATABASE_URL / REDIS_URL to reachable servers."


class Command(BaseCommand):
    help = "Check Postgres and Redis are reachable and create the configured database if it does not exist."

    def handle(self, *args, **options):
        db = settings.DATABASES["default"]
        self._check_redis()
        self._ensure_database(db)
        self._check_tesseract()

    def _check_tesseract(self):
        """A warning, not a failure: the desk runs without it, but every screenshot's scan then ends "failed" (and
        is shown to agents unchecked), so a deployment needs it on the worker (docs/security.md)."""
        missing = tesseract_missing()
        if missing:
            what = "Tesseract is not installed" if missing == ["tesseract"] else f"Tesseract lacks {', '.join(missing)}"
            self.stderr.write(self.style.WARNING(
                f"{what}: screenshots cannot be read for secrets. Install: scripts/system-deps ocr "
                f"(apt-get install {' '.join(tesseract_packages(missing))})"))
            return
        self.stdout.write(f"Tesseract reads {', '.join(sorted(TESSERACT_PACKS.values()))}.")

    def _check_redis(self):
        url = settings.REDIS_URL
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
            client.ping()
        except redis.RedisError as exc:
            raise CommandError(f"Redis is not reachable at {_safe(url)} ({exc}). {HOW_TO_START}") from exc
        self.stdout.write(f"Redis is reachable at {_safe(url)}.")

    def _ensure_database(self, db):
        params = {
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
            "connect_timeout": 3,
        }
        where = f"{params['host'] or 'local socket'}:{params['port'] or 5432}"
        try:
            conn = psycopg.connect(dbname="postgres", autocommit=True, **params)
        except psycopg.OperationalError as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(f"PostgreSQL is not reachable at {where} ({first_line}). {HOW_TO_START}") from exc
        with conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone()
            if exists:
                self.stdout.write(f"PostgreSQL is reachable at {where}; database {db['NAME']!r} exists.")
                return
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            self.stdout.write(self.style.SUCCESS(f"Created database {db['NAME']!r} on {where}."))


def _safe(url):
    """The URL without a password, for messages."""
    if "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]:
        scheme, rest = url.split("//", 1)
        creds, host = rest.split("@", 1)
        return f"{scheme}//{creds.split(':', 1)[0]}:***@{host}"
    return url


