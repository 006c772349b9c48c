"""The audit log of staff reading customers' data (issue #22): every time an agent, supervisor or admin opens a
ticket, a chat, a customer's page or an attachment of a customer, or exports a report, one AuditEvent row says who,
what, whose, when and from which address. Customers reading their own things are not recorded (it is theirs).

Append-only by construction: rows are only ever INSERTed here; a database trigger refuses UPDATE and DELETE
(migration support/0006), and the admin shows the log read-only to desk admins. The edges (views, APIs) call
`audit_read`, one INSERT, after the permission-scoped selector has found the object, so a refused or missing object
leaves no row.

Changes to the desk's setup (a custom ticket field) are kept in the same log by `audit_change`: who, when, and the
object before and after, written by the service that made the change, in its transaction.
"""
from .models import AuditEvent
from .ratelimit import client_ip
from .roles import is_agent


def audit_read(request, *, action, object_type, object_id, customer=None):
    """Record that the signed-in staff member behind `request` read something of `customer` (a User, an id, or
    None). Nothing for customers reading their own."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not is_agent(user):
        return None
    customer_id = getattr(customer, "pk", customer)
    if customer_id == user.pk:
        return None
    path = getattr(request, "path", "") or ""
    return AuditEvent.objects.create(
        actor=user, actor_email=user.email, action=action, object_type=object_type, object_id=str(object_id)[:100],
        customer_id=customer_id, ip_address=client_ip(request) or None,
        via="api" if path.startswith("/api/") else "page")


def audit_change(*, actor, object_type, object_id, before, after, via=AuditEvent.Via.PAGE):
    """Record that `actor` (a staff member, or None for the system) changed an object of the desk's setup: `before`
    and `after` are its snapshots as JSON (None: it was created, or removed). Called inside the change's
    transaction, so a rolled-back change leaves no row."""
    return AuditEvent.objects.create(
        actor=actor, actor_email=getattr(actor, "email", "") or "", action=AuditEvent.Action.SETUP_CHANGE,
        object_type=object_type, object_id=str(object_id)[:100], before=before, after=after, via=via)
