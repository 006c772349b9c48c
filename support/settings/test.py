"""Settings for the test suite: the real Postgres and Redis, a throwaway database and a Redis db of its own."""
import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from .base import *  # noqa: E402,F401,F403
from .base import CHANNEL_LAYERS, DATABASES, env_bool, env_str  # noqa: E402

# Tests run plain HTTP against the live server, so no HTTPS redirects or secure-only cookies.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

ALLOWED_HOSTS = ["*"]
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "test_support")}
# The test process itself opens a connection per test without a pool (pytest-django wraps tests in transactions on
# one connection); the servers and Celery workers the tests start run with the pool, as deployed (TEST_DATABASE_POOL
# is set for them by tests/conftest.py), or with persistent connections when a test asks (TEST_CONN_MAX_AGE).
if not env_bool("TEST_DATABASE_POOL", False):
    DATABASES["default"]["OPTIONS"].pop("pool", None)
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("TEST_CONN_MAX_AGE", "0"))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Parallel runs (pytest-xdist, `make test`): worker gwN has a database of its own (pytest-django names it
# test_support_gwN), a Redis db of its own (one lower per worker: 13, 12, ...) and an SMTP port of its own (2526,
# 2527, ...). The worker writes what it resolved back into its environment, so the servers and Celery workers its
# tests start use the same ones (or what a test passes them explicitly).
_worker_id = os.environ.get("PYTEST_XDIST_WORKER", "")
_worker = -1 if os.environ.get("TEST_SERVICES_RESOLVED_FOR") == _worker_id or not _worker_id else int(_worker_id[2:])


def _redis_db_for_worker(url, worker):
    if worker < 0:
        return url
    base, _slash, db = url.rpartition("/")
    number = int(db or 0) - 1 - worker
    if number < 0:
        raise RuntimeError(f"too many test workers for Redis databases below {url}")
    return f"{base}/{number}"


TEST_REDIS_URL = _redis_db_for_worker(env_str("TEST_REDIS_URL", "redis://127.0.0.1:6379/14"), _worker)
EMAIL_PORT = int(os.environ.get("TEST_SMTP_PORT", "2525")) + 1 + _worker  # tests start a real SMTP server there
os.environ.update(TEST_REDIS_URL=TEST_REDIS_URL, TEST_SMTP_PORT=str(EMAIL_PORT), TEST_SERVICES_RESOLVED_FOR=_worker_id)
REDIS_URL = TEST_REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": TEST_REDIS_URL,
        "KEY_PREFIX": "support-test",
    }
}
# Redis publish/subscribe ignores the db number: each worker's channel names get a prefix of their own, or a socket
# of one worker hears another's groups ("user_2" exists in both test databases; a flaky bell test showed it).
CHANNEL_LAYERS["default"]["CONFIG"] = {"hosts": [TEST_REDIS_URL], "prefix": f"support-test{_worker_id}"}
CELERY_BROKER_URL = TEST_REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
HEALTHCHECK_TIMEOUT = 0.5
# The suite makes thousands of logins, tickets and chats from one address; tests of the limits turn them on.
RATE_LIMITS_ENABLED = False
LIVECHAT_BOT_ENABLED = env_bool("LIVECHAT_BOT_ENABLED", False)  # most chat tests are about the queue; bot tests turn it on
# The customer-profile panel and the VIP rule read made-up exchange data; tests of the signed HTTP provider point
# CUSTOMER_PROFILE_PROVIDER at it and a local test server (tests/support/exchange_server.py).
CUSTOMER_PROFILE_PROVIDER = env_str("CUSTOMER_PROFILE_PROVIDER", "support.profiles.demo.DemoProfileProvider")
