"""Outbound webhooks (issue #26): an admin registers a URL and the events it wants; the desk posts each event to it,
signed, from an outbox, retried with backoff, logged, and paused when the endpoint keeps failing.

    models.py     Webhook, WebhookDelivery (the outbox), registered under the support app by support/models.py
    guard.py      the SSRF guard: which URLs and addresses a webhook may reach
    signing.py    X-Support-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
    client.py     one bounded POST to a checked address (http.client, one deadline for the whole call)
    services.py   create, pause, resume, send test; queue (the domain-event subscriber), deliver, sweep
    tasks.py      Celery entry points; admin.py the Django admin; wiring.py connects it all at app start

The contract a receiver reads (payload, headers, verification, retries) is in docs/api.md, "Outbound webhooks"; the
design in docs/architecture.md; the address policy in docs/security.md.
"""
