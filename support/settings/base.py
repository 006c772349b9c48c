"""Settings for every environment. Each value comes from the environment with a safe local default.

Production is this module with production environment variables (DEBUG off, SECRET_KEY set, hosts listed);
tests use support.settings.test, which imports this one and overrides what a test run needs.
"""
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .database import *  # noqa: F401,F403  (DATABASES: the connection pool of each process)
from .env import env_bool, env_float, env_int, env_list, env_str
from .exchange import *  # noqa: F401,F403  (the customer's profile at the exchange, the VIP queue rule)
from .integrations import *  # noqa: F401,F403  (outbound webhooks: WEBHOOK_*)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (set DEBUG=1 for local development).")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "Support")
# Absolute address of the site, used in emails and links that leave the browser.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # modeltranslation must come before django.contrib.admin so its admin integration wins.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "support",
    "helpcenter",
    "chatbot",
    "tickets",
    "livechat",
    "automation",
    "desk",
    "reports",
    "verification",
    "incidents",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "support.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "support.middleware.StaffTwoFactorMiddleware",
    "support.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "support.middleware.RateLimitMiddleware",
]

ROOT_URLCONF = "support.urls"
WSGI_APPLICATION = "support.wsgi.application"
ASGI_APPLICATION = "support.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "support.context_processors.site",
                "incidents.context_processors.incidents",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": "support",
    }
}

CHANNEL_LAYERS = {
    "default": {
        # The pub/sub layer: measured to hold several hundred sockets per process where the list-based core layer
        # exhausted its connection pool (see docs/architecture.md). Postgres stays the source of truth for messages.
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {
            # Several URLs, comma-separated, shard the layer: each channel and group lives on one of them, chosen
            # by a hash of its name (docs/capacity.md says when that is needed).
            "hosts": env_list("CHANNELS_REDIS_URL", [REDIS_URL]),
            "prefix": env_str("CHANNELS_PREFIX", "support"),
        },
    }
}

AUTH_USER_MODEL = "support.User"
AUTHENTICATION_BACKENDS = ["support.backends.RateLimitedModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "support.passwords.RevokeTokensOnPasswordChange"},  # a new password revokes the old API tokens
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)

# Internationalisation: the six languages of the desk. English is the fallback everywhere.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("zh-hans", _("Simplified Chinese")),
    ("es", _("Spanish")),
    ("ru", _("Russian")),
    ("ja", _("Japanese")),
    ("ko", _("Korean")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Email: SMTP in every environment (a local catcher in development). Sender addresses are ours, never an agent's.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("EMAIL_PORT", 1025)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Support <support@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Celery: Redis as the broker; tasks acknowledge after they finish so a killed worker's task runs again.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", None)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "support"
# Reading screenshots takes seconds of CPU each: a queue of its own (the `ocr` worker of Procfile and compose), so a
# flood of pictures never holds back email, SLA timers or routing.
CELERY_TASK_ROUTES = {
    "tickets.tasks.attachment_scan": {"queue": "screenshots"},
    "livechat.tasks.chat_attachment_scan": {"queue": "screenshots"},
    # Embedding an article costs about a second of CPU: an import of many must not hold back email either.
    "helpcenter.tasks.article_embed": {"queue": "screenshots"},
}
# A task whose worker dies is redelivered after this long; longer than any task of ours runs.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULE = {
    "notifications-purge-read": {"task": "support.tasks.notifications_purge_read", "schedule": 60 * 60},
    "webhook-deliveries-sweep": {"task": "support.webhooks.tasks.webhook_deliveries_sweep", "schedule": 60},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
NOTIFICATION_RETENTION_DAYS = env_int("NOTIFICATION_RETENTION_DAYS", 90)

# Sentence-embedding models (support/embeddings.py): the help center's semantic search, and the features of the bot's
# intent classifier.
SEARCH_EMBEDDING_MODEL = env_str("SEARCH_EMBEDDING_MODEL", "e5")
BOT_EMBEDDING_MODELS = [m.strip() for m in env_str("BOT_EMBEDDING_MODELS", "e5,use").split(",") if m.strip()]

# Health checks wait at most this long for each dependency.
HEALTHCHECK_TIMEOUT = env_float("HEALTHCHECK_TIMEOUT", 1.0)

# An API token stops working this many days after it was issued (POST /api/v1/auth/token/ issues a new one); its
# owner can revoke it (DELETE /api/v1/auth/token/current/), and a password reset revokes it.
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a missing login a 401, as API clients expect.
        "support.authentication.ExpiringTokenAuthentication",  # DRF's token, refused API_TOKEN_DAYS after issue
        "support.authentication.SessionAuthentication",  # a failed CSRF check answers csrf_failed
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "support.parsers.JSONParser",  # refuses JSON nested too deeply (a 400, not a 500)
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "support.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "support.api_errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Support platform API",
    "DESCRIPTION": "REST API of the support desk. Errors always have the shape "
    '{"error": {"code": "...", "detail": "...", "fields": {...}}}.',
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "tickets.models.Status",
        "SettableTicketStatusEnum": "tickets.serializers.SETTABLE_STATUSES",
        "ArticleStatusEnum": "helpcenter.models.ArticleStatus",
        "LanguageEnum": "support.languages.LANGUAGE_CODES",
    },
}

# Security: strict by default outside DEBUG; every value can be set from the environment.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
# Preloading is a promise to browsers that is hard to take back; an operator opts in deliberately.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every response (support.middleware.SecurityHeadersMiddleware): scripts only from our
# own static files (no inline script anywhere, so no 'unsafe-inline' and no nonces needed), nothing framed except
# our own pages and the chat page by LIVECHAT_EMBED_ORIGINS. Inline style attributes stay allowed (the charts
# library writes some); they cannot run code.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"], "font-src": ["'self'", "data:"], "connect-src": ["'self'"],
    "media-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"], "form-action": ["'self'"],
    "frame-src": ["'self'"], "frame-ancestors": ["'none'"],
}

# Rate limits (support.ratelimit): scope -> (attempts, window in seconds). Behind a proxy, TRUSTED_PROXY_HOPS says
# how many X-Forwarded-For entries, from the right, our own proxies added (deploy/nginx.conf: 1).
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", True)
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)
RATE_LIMITS = {
    "login": (env_int("RATE_LIMIT_LOGIN_PER_IP", 30), 600),  # login form, token API and admin login, per address
    "login_failures": (env_int("RATE_LIMIT_LOGIN_FAILURES", 10), 900),  # wrong passwords per account: then locked
    "register": (env_int("RATE_LIMIT_REGISTER_PER_IP", 10), 3600),
    "password_reset": (env_int("RATE_LIMIT_PASSWORD_RESET_PER_IP", 10), 3600),
    "password_reset_email": (3, 3600),  # reset emails to one address
    "ticket_create": (env_int("RATE_LIMIT_TICKETS_PER_ACCOUNT", 30), 3600),  # customers' new requests, per account
    "ticket_create_ip": (env_int("RATE_LIMIT_TICKETS_PER_IP", 60), 3600),
    "chat_start": (env_int("RATE_LIMIT_CHATS_PER_IP", 20), 3600),
    "bot_question": (env_int("RATE_LIMIT_BOT_PER_IP", 60), 600),
    "verify": (env_int("RATE_LIMIT_VERIFY_PER_IP", 30), 600),  # official-contact checks (page and API)
}
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "support.views.csrf_failure"

# Tickets
TICKET_ATTACHMENT_MAX_BYTES = env_int("TICKET_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024)
HELP_IMAGE_MAX_BYTES = env_int("HELP_IMAGE_MAX_BYTES", 5 * 1024 * 1024)
TICKET_ATTACHMENT_MAX_FILES = env_int("TICKET_ATTACHMENT_MAX_FILES", 10)
# Attachments are read for secrets (support.filescan); where one is found people see a blurred or masked copy (a PDF
# or ZIP is withheld), and the file as sent is deleted unless this keeps it, for desk admins alone (docs/security.md).
SCREENSHOT_KEEP_ORIGINALS = env_bool("SCREENSHOT_KEEP_ORIGINALS", False)
# Live chat: the estimate averages the handle time of the last N hours (a default when there is none, flagged as a
# guess); message bodies over the limit are refused; visitor tokens expire.
LIVECHAT_ESTIMATE_WINDOW_HOURS = env_int("LIVECHAT_ESTIMATE_WINDOW_HOURS", 24)
LIVECHAT_DEFAULT_HANDLE_SECONDS = env_int("LIVECHAT_DEFAULT_HANDLE_SECONDS", 300)
LIVECHAT_MESSAGE_MAX_CHARS = env_int("LIVECHAT_MESSAGE_MAX_CHARS", 4000)
LIVECHAT_VISITOR_TOKEN_MAX_AGE = env_int("LIVECHAT_VISITOR_TOKEN_MAX_AGE", 24 * 3600)
LIVECHAT_IDLE_MINUTES = env_int("LIVECHAT_IDLE_MINUTES", 15)
# An ended chat waits in its agent's console for their wrap-up; after this the system wraps it up.
LIVECHAT_WRAP_UP_MINUTES = env_int("LIVECHAT_WRAP_UP_MINUTES", 30)
LIVECHAT_AGENT_GRACE_SECONDS = env_int("LIVECHAT_AGENT_GRACE_SECONDS", 90)
LIVECHAT_OFFER_MESSAGE_AFTER_SECONDS = env_int("LIVECHAT_OFFER_MESSAGE_AFTER_SECONDS", 600)
LIVECHAT_ATTACHMENT_MAX_BYTES = env_int("LIVECHAT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Chats start with the chatbot, which hands over to the queue when it should.
LIVECHAT_BOT_ENABLED = env_bool("LIVECHAT_BOT_ENABLED", True)
# Frames one chat socket may send per 10 seconds; beyond it frames are refused with a rate_limited error.
LIVECHAT_FRAMES_PER_10S = env_int("LIVECHAT_FRAMES_PER_10S", 30)
# Threads (each with its own database connection) that websocket consumers run their database work on, per process.
ASYNC_DB_THREADS = env_int("ASYNC_DB_THREADS", 8)
# Sites allowed to embed the chat (the launcher script opens it in a frame), e.g. "https://www.example.com".
LIVECHAT_EMBED_ORIGINS = env_list("LIVECHAT_EMBED_ORIGINS", [])
# Identity from the exchange's own site (livechat/identity.py): the exchange signs its logged-in user's id, email
# and the time with this secret (HMAC-SHA256), the widget passes it along, and the chat belongs to that account.
# Empty: the widget's chats are visitors' (a signed identity is refused as not configured).
LIVECHAT_IDENTITY_SECRET = env_str("LIVECHAT_IDENTITY_SECRET", "")
LIVECHAT_IDENTITY_MAX_AGE = env_int("LIVECHAT_IDENTITY_MAX_AGE", 24 * 3600)  # seconds a signature is accepted
TICKET_VIEW_COUNTS_REFRESH_SECONDS = env_int("TICKET_VIEW_COUNTS_REFRESH_SECONDS", 25)  # inbox views' counts, 0: off
# The most tickets one CSV export holds (tickets/exports.py); past it the file's last line says it was cut.
TICKET_EXPORT_MAX_ROWS = env_int("TICKET_EXPORT_MAX_ROWS", 100_000)
# Rating links for solved tickets stay valid this long.
CSAT_LINK_MAX_AGE_DAYS = env_int("CSAT_LINK_MAX_AGE_DAYS", 14)
# Supervisor reports: the time zone days and hours are counted in (changeable per report), the default period and
# the longest period one report may cover.
REPORTS_TIME_ZONE = env_str("REPORTS_TIME_ZONE", "UTC")
REPORTS_DEFAULT_DAYS = env_int("REPORTS_DEFAULT_DAYS", 28)
REPORTS_MAX_DAYS = env_int("REPORTS_MAX_DAYS", 366)
# Sort memory for a report's own transaction (percentiles sort the period's rows; the default 4 MB spills to disk).
REPORTS_WORK_MEM = env_str("REPORTS_WORK_MEM", "64MB")
# Database connections one report may use at once (its tables are independent queries on one shared snapshot).
REPORTS_PARALLEL = env_int("REPORTS_PARALLEL", 3)
# How many days of history `seed_demo` generates for the reports (0: none).
DEMO_HISTORY_DAYS = env_int("DEMO_HISTORY_DAYS", 21)
# Uploads above this size are streamed to a temporary file rather than held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = TICKET_ATTACHMENT_MAX_FILES + 5
# Time-based automations (automation.sweep; the default "Close 4 days after solved" replaced TICKET_AUTO_CLOSE_DAYS).
CELERY_BEAT_SCHEDULE["automations-sweep"] = {"task": "automation.tasks.automations_sweep", "schedule": 5 * 60}
CELERY_BEAT_SCHEDULE["automations-full"] = {"task": "automation.tasks.automations_sweep", "schedule": 24 * 3600,
                                            "kwargs": {"full": True}}

if env_str("S3_BUCKET"):
    # S3-compatible storage for uploads (needs the [s3] extra: django-storages with boto3).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
# modeltranslation's tabbed admin loads jQuery UI from a CDN by default; we serve our own copy (make vendor).
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

# Email channel
# Domain of our Message-IDs and reply addresses (support+T-10001.<day>.<token>@EMAIL_REPLY_DOMAIN).
EMAIL_DOMAIN = env_str("EMAIL_DOMAIN", "support.example.com")
EMAIL_REPLY_DOMAIN = env_str("EMAIL_REPLY_DOMAIN", EMAIL_DOMAIN)
EMAIL_REPLY_LOCALPART = env_str("EMAIL_REPLY_LOCALPART", "support")
# A reply address (and a thread Message-ID) stops opening its ticket this many days after it was issued; mail to it
# is then filed as a new request of its sender (tickets/mailaddr.py).
EMAIL_REPLY_ADDRESS_DAYS = env_int("EMAIL_REPLY_ADDRESS_DAYS", 90)
# Staff two-factor sign-in (support/twofactor.py): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = SITE_NAME
# Admins can remove a staff member's device (who then sets up a new one) but never see its key or QR code: whoever
# reads a key can make that person's codes.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# How long the link proving an address stays valid: a chat visitor's request confirmed by the address's owner
# (tickets.claims), and a new account's address confirmation (support.services.user_email_confirmation_send).
TICKET_CLAIM_DAYS = env_int("TICKET_CLAIM_DAYS", 14)
EMAIL_CONFIRMATION_DAYS = env_int("EMAIL_CONFIRMATION_DAYS", 7)
# A chat transcript asked for by someone whose address is not proven is mailed as a link to read it (livechat.emails).
LIVECHAT_TRANSCRIPT_LINK_DAYS = env_int("LIVECHAT_TRANSCRIPT_LINK_DAYS", 7)
OUTBOUND_EMAIL_MAX_ATTEMPTS = env_int("OUTBOUND_EMAIL_MAX_ATTEMPTS", 10)
OUTBOUND_EMAIL_SWEEP_AFTER = env_int("OUTBOUND_EMAIL_SWEEP_AFTER", 120)
# How long a worker holds an outbox row it is sending: a worker killed mid-send leaves the row to the sweep after
# this. Keep it far longer than one SMTP conversation (each step waits at most EMAIL_TIMEOUT): a send that outlasts
# it may be taken over and sent twice.
OUTBOUND_EMAIL_LEASE_SECONDS = env_int("OUTBOUND_EMAIL_LEASE_SECONDS", 300)
INBOUND_EMAIL_MAX_BYTES = env_int("INBOUND_EMAIL_MAX_BYTES", 30 * 1024 * 1024)
CELERY_BEAT_SCHEDULE["outbound-emails-sweep"] = {"task": "support.tasks.outbound_emails_sweep", "schedule": 60}
# Inbound mail by IMAP (optional; a mail server can also pipe into `manage.py ingest_email`).
IMAP_HOST = env_str("IMAP_HOST", "")
IMAP_PORT = env_int("IMAP_PORT", 993)
IMAP_USER = env_str("IMAP_USER", "")
IMAP_PASSWORD = env_str("IMAP_PASSWORD", "")
IMAP_FOLDER = env_str("IMAP_FOLDER", "INBOX")
IMAP_SSL = env_bool("IMAP_SSL", True)
if IMAP_HOST:
    CELERY_BEAT_SCHEDULE["inbound-email-poll"] = {"task": "tickets.tasks.inbound_email_poll", "schedule": 60}
# More SLA alerts than this for one person in one scan become one digest notification and email.
SLA_ALERT_DIGEST_AFTER = env_int("SLA_ALERT_DIGEST_AFTER", 10)
CELERY_BEAT_SCHEDULE["sla-scan"] = {"task": "tickets.tasks.sla_scan", "schedule": 60}
CELERY_BEAT_SCHEDULE["livechat-close-idle"] = {"task": "livechat.tasks.livechat_close_idle", "schedule": 60}
CELERY_BEAT_SCHEDULE["livechat-wrap-up-stale"] = {"task": "livechat.tasks.livechat_wrap_up_stale", "schedule": 60}
CELERY_BEAT_SCHEDULE["livechat-requeue-dropped"] = {"task": "livechat.tasks.livechat_requeue_dropped", "schedule": 30}
CELERY_BEAT_SCHEDULE["livechat-route-all"] = {"task": "livechat.tasks.livechat_route_all", "schedule": 30}
AUTOMATION_MAX_ROUNDS = env_int("AUTOMATION_MAX_ROUNDS", 5)  # a rules pass is cut after this many rounds
LIVECHAT_OVERFLOW_RESERVE_SEATS = env_int("LIVECHAT_OVERFLOW_RESERVE_SEATS", 0)  # kept free of overflow offers
CELERY_BEAT_SCHEDULE["livechat-overflow-offers"] = {"task": "livechat.tasks.livechat_overflow_offers", "schedule": 15}
# Screenshot scans whose task was lost are queued again.
CELERY_BEAT_SCHEDULE["attachment-scans-sweep"] = {"task": "tickets.tasks.attachment_scans_sweep", "schedule": 300}
CELERY_BEAT_SCHEDULE["chat-attachment-scans-sweep"] = {"task": "livechat.tasks.chat_attachment_scans_sweep",
                                                       "schedule": 300}

# Incidents: customers linked to an incident are told of its resolution in Celery tasks of this many people each.
INCIDENT_NOTIFY_BATCH = env_int("INCIDENT_NOTIFY_BATCH", 200)
CELERY_BEAT_SCHEDULE["incident-notices-sweep"] = {"task": "incidents.tasks.incident_notices_sweep", "schedule": 300}
# Pages left open (the agent workspace, a chat) fetch the incident banner again this often (0: never).
INCIDENT_BANNER_REFRESH_SECONDS = env_int("INCIDENT_BANNER_REFRESH_SECONDS", 60)
