"""Incident resolution in a surge: N customers linked to one incident (a withdrawal outage), resolved with "tell every
linked customer". Measures the resolving transaction (one notice row per person, in one INSERT ... SELECT) and
how fast the batches tell people (in-site notification + outbox email + sent_at per batch, exactly as the Celery
task runs them; the email delivery itself is the outbox's job and not timed here). Also: what the incident check
costs a new message or ticket while incidents are open (the cached list, matched in Python)."""
import statistics
import time

EMAIL = "bench.incident{n}@example.com"
OPEN_INCIDENTS = 5  # open at once while the matching cost is measured


def _customers(total):
    """N customer accounts (bulk, kept between runs): one linked contact each."""
    from support.models import User

    have = User.objects.filter(email__startswith="bench.incident").count()
    if have < total:
        started = time.monotonic()
        User.objects.bulk_create(
            [User(email=EMAIL.format(n=n), language=("en", "zh-hans", "es", "ru", "ja", "ko")[n % 6],
                  password="!") for n in range(have, total)], batch_size=5000)
        print(f"  added {total - have:,} customers in {time.monotonic() - started:.1f} s", flush=True)
    return list(User.objects.filter(email__startswith="bench.incident").order_by("pk").values_list("pk", flat=True)
                [:total])


def _declare(by, keywords=("withdrawal", "提现", "出金")):
    from incidents.services import incident_declare

    return incident_declare(by=by, titles={"en": "Withdrawals delayed", "ja": "出金の遅延"},
                            notices={"en": "Withdrawals take up to 2 hours.", "ja": "出金に最大2時間かかっています。"},
                            keywords=list(keywords), severity="critical")


def _link_all(incident, customer_ids):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO incidents_incidentlink (incident_id, channel, object_id, label, customer_id, email, language,
                                                linked_at)
            SELECT %s, 'ticket', 'T-' || u.id, 'withdrawal', u.id, u.email, u.language, now()
            FROM support_user u WHERE u.id = ANY(%s)""", [incident.pk, customer_ids])


def _clean(incident):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM support_notification WHERE kind = 'incident_resolved'")
        cursor.execute("DELETE FROM support_outboundemail WHERE topic = %s", [f"incident:{incident.pk}"])
    incident.delete()


def run(results, *, customers, batch=200):
    from django.db import connection

    from incidents.selectors import incident_matching, open_incidents_forget
    from incidents.services import incident_notices_send, incident_resolve
    from support.models import User

    ids = _customers(customers)
    supervisor = User.objects.filter(is_superuser=True).first() or User.objects.order_by("pk").first()
    incident = _declare(supervisor)
    _link_all(incident, ids)
    started = time.perf_counter()
    incident_resolve(incident=incident, by=supervisor, notify=True)
    resolve_ms = (time.perf_counter() - started) * 1000
    batches, told = [], 0
    drain_started = time.perf_counter()
    while True:
        started = time.perf_counter()
        sent = incident_notices_send(incident_id=incident.pk, batch_size=batch)
        if not sent:
            break
        batches.append(time.perf_counter() - started)
        told += sent
        if len(batches) % 25 == 0:
            print(f"  told {told:,} of {len(ids):,}", flush=True)
    drain = time.perf_counter() - drain_started
    with connection.cursor() as cursor:
        cursor.execute("""SELECT count(*), count(DISTINCT user_id) FROM support_notification
                          WHERE kind = 'incident_resolved'""")
        notifications, people = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM support_outboundemail WHERE topic = %s", [f"incident:{incident.pk}"])
        emails = cursor.fetchone()[0]
    _clean(incident)
    exact = notifications == people == emails == len(ids)
    results.add("incidents", f"resolve: notice rows for {len(ids):,} linked customers", round(resolve_ms, 1), "ms",
                target="< 2000 ms", ok=resolve_ms < 2000)
    rate = told / drain if drain else 0.0
    results.add("incidents", f"tell {len(ids):,} customers (in-site + email, batches of {batch})", round(rate),
                "people/s", target=">= 1000 people/s", ok=rate >= 1000, seconds=round(drain, 1),
                batch_p50_ms=round(statistics.median(batches) * 1000, 1) if batches else None,
                batch_max_ms=round(max(batches) * 1000, 1) if batches else None)
    results.add("incidents", "people told more or less than once", abs(notifications - len(ids)) +
                abs(emails - len(ids)) + (people != len(ids)), "count", target="0", ok=exact)

    # The check every new ticket and bot-stage message pays while incidents are open.
    opened = [_declare(supervisor, keywords=(f"outage{n}", f"障害{n}", f"login{n}")) for n in range(OPEN_INCIDENTS)]
    open_incidents_forget()
    texts = ["My withdrawal from yesterday has still not arrived, what is going on?", "提现还没到账，怎么回事？",
             "出金がまだ届きません", "I forgot my password and cannot log in"]
    samples = []
    for round_ in range(2000):
        started = time.perf_counter()
        incident_matching(texts[round_ % len(texts)])
        samples.append(time.perf_counter() - started)
    samples.sort()
    p95_us = samples[int(len(samples) * 0.95)] * 1e6
    for each in opened:
        each.delete()
    open_incidents_forget()
    results.add("incidents", f"match a message against {OPEN_INCIDENTS} open incidents: p95", round(p95_us), "us",
                target="< 1000 us", ok=p95_us < 1000, p50_us=round(samples[len(samples) // 2] * 1e6))
