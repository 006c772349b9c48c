"""Settings of the desk's outbound integrations: webhooks (support/webhooks; the contract a receiver reads in
docs/api.md, "Outbound webhooks"). Imported by base.py; a module of its own so base.py stays readable."""
from django.core.exceptions import ImproperlyConfigured

from .env import env_float, env_int, env_list

# One delivery's deadline in seconds: connecting (TLS included), sending and waiting for the answer's status line and
# headers, all together. A receiver that has not answered by then counts as a failed attempt.
WEBHOOK_TIMEOUT = env_float("WEBHOOK_TIMEOUT", 5.0)
# Seconds to wait before each retry of a failed delivery (the first retry, the second, ...; past the list, its last
# value), and how many attempts in all before a delivery is given up as failed.
try:
    WEBHOOK_RETRY_DELAYS = [int(delay) for delay in env_list("WEBHOOK_RETRY_DELAYS", ["30", "120", "600", "3600",
                                                                                       "21600"])]
except ValueError as exc:
    raise ImproperlyConfigured(f"WEBHOOK_RETRY_DELAYS takes whole seconds, comma-separated: {exc}") from exc
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 6)
# Failed attempts in a row (any of a webhook's deliveries) before the webhook is paused and the desk admins are told.
WEBHOOK_PAUSE_AFTER_FAILURES = env_int("WEBHOOK_PAUSE_AFTER_FAILURES", 10)
# How long a worker holds a delivery it is sending: a worker killed mid-request leaves it to the sweep after this.
# Keep it well above WEBHOOK_TIMEOUT: a delivery still in flight when its lease runs out may be sent a second time.
WEBHOOK_LEASE_SECONDS = env_int("WEBHOOK_LEASE_SECONDS", 60)
# The sweep (beat, every minute) queues again a delivery whose retry is this many seconds overdue: its task was lost.
WEBHOOK_SWEEP_AFTER = env_int("WEBHOOK_SWEEP_AFTER", 120)

if not WEBHOOK_RETRY_DELAYS or min(WEBHOOK_RETRY_DELAYS) < 0 or WEBHOOK_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured("WEBHOOK_RETRY_DELAYS needs at least one delay (seconds, not negative) and "
                               "WEBHOOK_MAX_ATTEMPTS at least 1")
if WEBHOOK_LEASE_SECONDS <= WEBHOOK_TIMEOUT:
    raise ImproperlyConfigured("WEBHOOK_LEASE_SECONDS must be longer than WEBHOOK_TIMEOUT: a delivery still in "
                               "flight when its lease runs out may be sent twice")
