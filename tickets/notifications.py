"""The notification kinds tickets send, in-site (support.notifications): what the ticket services tell requesters
and agents, and the SLA scan's warnings, breaches and digests. Registered once, when the app is ready
(TicketsConfig.ready), so they read alike in every process whichever ticket module it imported first."""
from django.utils.translation import gettext_lazy as _

from support.notifications import register_kind

from .models import SlaTimer, Status

register_kind("ticket_received", title=_("We received your request %(ref)s"),
              body=_("“%(subject)s”. We will reply here and by email."))
register_kind("ticket_reply", title=_("New reply on %(ref)s"), body=_("%(author)s replied to “%(subject)s”."))
register_kind("ticket_status", title=_("%(ref)s is now %(status)s"), body=_("“%(subject)s”"),
              prepare=lambda p: {**p, "status": Status(p["status"]).label})
register_kind("ticket_assigned", title=_("%(ref)s was assigned to you"), body=_("“%(subject)s”"))
register_kind("ticket_customer_reply", title=_("Customer replied on %(ref)s"), body=_("“%(subject)s”"))
register_kind("ticket_follow_up", title=_("We opened %(ref)s as a follow-up"),
              body=_("Your reply to a closed request was filed as a new request: “%(subject)s”."))

register_kind("sla_warning", title=_("%(ref)s: %(timer)s due soon"),
              body=_("“%(subject)s” — due %(due)s (UTC)."),
              prepare=lambda p: {**p, "timer": SlaTimer.Kind(p["timer"]).label})
register_kind("sla_breach", title=_("%(ref)s: %(timer)s target breached"),
              body=_("“%(subject)s” — was due %(due)s (UTC)."),
              prepare=lambda p: {**p, "timer": SlaTimer.Kind(p["timer"]).label})
# When one scan has many alerts for one person (a surge, or a backlog after downtime), they get one digest instead.
register_kind("sla_warning_digest", title=_("Tickets due soon: %(count)s"), body=_("Including %(refs)s."))
register_kind("sla_breach_digest", title=_("Tickets past their targets: %(count)s"), body=_("Including %(refs)s."))
