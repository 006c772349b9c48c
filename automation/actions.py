"""A trigger's actions: their shape (checked before a trigger is stored) and carrying them out on a locked ticket.

An action is {"type", ...}:

    set_priority, set_status                {"value": a code}
    set_category, set_team                  {"value": an id, or null}
    set_assignee                            {"value": an agent's id, or "least_busy": the online agent of the
                                            ticket's team (else of the team named in "team") who serves the ticket's
                                            language natively and has the fewest open tickets}
    add_tags, remove_tags                   {"value": [tags]}
    notify                                  {"target": "requester" | "assignee" | "team" | "supervisors" | "address",
                                            "address": a NotifyAddress's id, "via": "in_site" | "email",
                                            "message": {lang: text}}
    set_field                               {"key": a custom field's key, "value": its value (checked as an agent's
                                            change; a refused value is skipped, said in the outcome)}
    apply_macro                             {"value": a macro's id}: its status and tags, and its text (in the
                                            ticket's language, placeholders filled) as a public reply from the
                                            ticket's assignee (none: not sent, said in the outcome)
    webhook                                 {"value": a webhook's id}: the event delivered to it (signed, retried;
                                            automations send "automation.fired")

Changes go through the ticket services' one rule for changes (tickets.services.ticket_changes_apply_locked: audit
trail, SLA timers, who is told), as the system and marked made by rules; notes and emails through the notification
and outbox services, in the same transaction as the change.
"""
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import override

from support.languages import LANGUAGE_CODES
from support.models import AgentProfile, Presence, Team, User
from support.outbox import outbound_email_queue
from support.roles import Role, is_agent
from support.services import notification_create
from support.webhooks.models import Webhook
from support.webhooks.services import webhook_event_send
from tickets.macros import macro_fill
from tickets.models import Category, Macro, Priority, Status, Ticket, TicketField
from tickets.services import FieldErrors, normalize_tags, ticket_fields_clean, ticket_reply

from .models import NotifyAddress

TYPES = ("set_priority", "set_status", "set_category", "set_team", "set_assignee", "add_tags", "remove_tags",
         "notify", "set_field", "apply_macro", "webhook")
TARGETS = ("requester", "assignee", "team", "supervisors", "address")
MAX_ACTIONS = 20
MAX_MESSAGE = 2000
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class ActionInvalid(ValueError):
    """An action the engine could not carry out; the message is for the supervisor, in their language."""


def actions_clean(actions):
    """The actions in their stored shape, or ActionInvalid naming the first problem (its position from 1)."""
    if not isinstance(actions, list) or not actions or len(actions) > MAX_ACTIONS:
        raise ActionInvalid(_("Give one to %(count)s actions.") % {"count": MAX_ACTIONS})
    return [_action_clean(action, number) for number, action in enumerate(actions, start=1)]


def _action_clean(action, number):
    def invalid(message):
        return ActionInvalid(_("Action %(number)s: %(problem)s") % {"number": number, "problem": message})

    if not isinstance(action, dict) or action.get("type") not in TYPES:
        raise invalid(_("unknown action."))
    kind, value = action["type"], action.get("value")
    if kind == "set_priority" and value not in Priority.values:
        raise invalid(_("unknown priority."))
    if kind == "set_status" and (value not in Status.values or value == Status.NEW):
        raise invalid(_("unknown status."))
    if kind in ("set_category", "set_team") and value is not None:
        model = Category if kind == "set_category" else Team
        if not isinstance(value, int) or not model.objects.filter(pk=value).exists():
            raise invalid(_("unknown category.") if kind == "set_category" else _("unknown team."))
    if kind == "set_assignee":
        team = action.get("team")
        if value == "least_busy":
            if team is not None and (not isinstance(team, int) or not Team.objects.filter(pk=team).exists()):
                raise invalid(_("unknown team."))
            return {"type": kind, "value": value, "team": team}
        agent = User.objects.filter(pk=value).first() if isinstance(value, int) else None
        if value is not None and (agent is None or not is_agent(agent)):
            raise invalid(_("the assignee must be an agent, or \"least_busy\"."))
    if kind in ("add_tags", "remove_tags"):
        try:
            value = normalize_tags(value if isinstance(value, list) else [])
        except Exception as exc:  # noqa: BLE001 - the tag rule's own message is the problem to show
            raise invalid(str(getattr(exc, "detail", exc))) from exc
        if not value:
            raise invalid(_("name at least one tag."))
    if kind == "notify":
        return _notify_clean(action, invalid)
    if kind == "set_field":
        key = action.get("key")
        if not isinstance(key, str) or not TicketField.objects.filter(key=key, is_active=True).exists():
            raise invalid(_("unknown custom field."))
        if isinstance(value, (dict, list)) and not isinstance(value, list):
            raise invalid(_("the value must be a single value."))
        return {"type": kind, "key": key, "value": value}
    if kind == "apply_macro" and (not isinstance(value, int) or not Macro.objects.filter(pk=value).exists()):
        raise invalid(_("unknown macro."))
    if kind == "webhook" and (not isinstance(value, int) or not Webhook.objects.filter(pk=value).exists()):
        raise invalid(_("unknown webhook."))
    return {"type": kind, "value": value}


def _notify_clean(action, invalid):
    target, via, message = action.get("target"), action.get("via", "in_site"), action.get("message")
    if target not in TARGETS:
        raise invalid(_("unknown recipient."))
    if via not in ("in_site", "email") or (target == "address" and via != "email"):
        raise invalid(_("an address can only be emailed; others by email or in the site."))
    address = action.get("address")
    if target == "address" and not NotifyAddress.objects.filter(pk=address).exists():
        raise invalid(_("choose an address from the list admins keep."))
    if not isinstance(message, dict) or not message.get("en", "").strip() or any(
            lang not in LANGUAGE_CODES or not isinstance(text, str) or len(text) > MAX_MESSAGE
            for lang, text in message.items()):
        raise invalid(_("write the message in English at least (and in any of the six languages)."))
    return {"type": "notify", "target": target, "via": via, "address": address if target == "address" else None,
            "message": {lang: text.strip() for lang, text in message.items() if text.strip()}}


def least_busy_agent(ticket, team_id=None):
    """The online agent of the team who speaks the ticket's language natively with the fewest open tickets (ties:
    the longest since their last chat, then the lowest id); None when nobody of the team is online in it."""
    team_id = team_id or ticket.team_id
    if team_id is None:
        return None
    profile = (AgentProfile.objects.filter(team_id=team_id, presence=Presence.ONLINE,
                                           languages__contains=[ticket.language])
               .annotate(load=Count("user__assigned_tickets",
                                    filter=Q(user__assigned_tickets__status__in=OPEN_STATUSES)))
               .order_by("load", "last_chat_at", "user_id").select_related("user").first())
    return profile.user if profile is not None else None


def _text(message, lang):
    return message.get(lang) or message["en"]


def _notify(action, ticket):
    """In-site notes or emails, in each reader's language where the rule has it (else English)."""
    message = action["message"]
    if action["target"] == "address":
        address = NotifyAddress.objects.filter(pk=action["address"]).first()
        recipients = [(None, address.email, address.language)] if address else []
    elif action["target"] == "requester":
        recipients = [(ticket.requester, ticket.requester.email, ticket.requester.language)]
    elif action["target"] == "assignee":
        recipients = [(ticket.assignee, ticket.assignee.email, ticket.assignee.language)] if ticket.assignee else []
    elif action["target"] == "supervisors":  # the desk's supervisors (and admins): who leads the teams
        leads = User.objects.filter(is_active=True, groups__name__in=[Role.SUPERVISOR, Role.ADMIN]).distinct()
        recipients = [(user, user.email, user.language) for user in leads]
    else:
        members = User.objects.filter(agent_profile__team_id=ticket.team_id) if ticket.team_id else User.objects.none()
        recipients = [(user, user.email, user.language) for user in members]
    for user, email, lang in recipients:
        text = _text(message, lang)
        if action["via"] == "email":
            with override(lang):
                subject = _("Request %(ref)s: %(subject)s") % {"ref": ticket.ref, "subject": ticket.subject}
            outbound_email_queue(to_email=email, user=user, subject=subject, body_text=text, auto_generated=True,
                                 topic=f"rule:{ticket.pk}")
        elif user is not None:
            notification_create(user=user, kind="rule_message", params={"ticket": ticket.ref, "text": text})
    return len(recipients)


def actions_apply(trigger, ticket: Ticket, *, now, apply_changes, event=None):
    """Carry out the trigger's actions on the locked ticket: field changes first, in one call of `apply_changes`
    (the services' rule for changes, which returns the audit events it wrote), then notifications. Returns (what was
    done, as codes; the fields that changed)."""
    changes, outcome = {}, []
    tags = list(ticket.tags)
    for action in trigger.actions:
        kind, value = action["type"], action.get("value")
        if kind in ("set_priority", "set_status"):
            changes[kind[4:]] = value
        elif kind == "set_category":
            changes["category"] = Category.objects.filter(pk=value).first() if value else None
        elif kind == "set_team":
            changes["team"] = Team.objects.filter(pk=value).first() if value else None
        elif kind == "set_assignee":
            if value == "least_busy":
                team = action.get("team") or (changes["team"].pk if changes.get("team") else None)
                agent = least_busy_agent(ticket, team)
                if agent is None:
                    outcome.append("no_agent_online")
                    continue
                changes["assignee"] = agent
            else:
                changes["assignee"] = User.objects.filter(pk=value).first() if value else None
        elif kind == "add_tags":
            tags = list(dict.fromkeys([*tags, *value]))
        elif kind == "remove_tags":
            tags = [tag for tag in tags if tag not in value]
        elif kind == "set_field":
            try:
                ticket_fields_clean(values={action["key"]: value}, category=ticket.category, for_agent=True,
                                    current=ticket.custom_fields)
            except FieldErrors:
                outcome.append(f"field_refused:{action['key']}")
                continue
            changes.setdefault("custom_fields", {})[action["key"]] = value
        elif kind == "apply_macro":
            macro = Macro.objects.filter(pk=value).first()
            if macro is None:
                outcome.append("macro_missing")
                continue
            if macro.set_status:
                changes["status"] = macro.set_status
            tags = list(dict.fromkeys([*tags, *macro.add_tags]))
    if tags != list(ticket.tags):
        changes["tags"] = tags
    changed = list(dict.fromkeys(row.field for row in apply_changes(changes))) if changes else []
    outcome += [f"changed:{field}" for field in changed]
    for action in trigger.actions:
        if action["type"] == "notify":
            outcome.append(f"notified:{action['target']}:{_notify(action, ticket)}")
        elif action["type"] == "apply_macro":
            outcome.append(_macro_reply(action["value"], ticket))
        elif action["type"] == "webhook":
            webhook = Webhook.objects.filter(pk=action["value"]).first()
            sent = webhook is not None and webhook_event_send(webhook=webhook, event=event) is not None
            outcome.append(f"webhook:{action['value']}:{'queued' if sent else 'off'}")
    return outcome, changed


def _macro_reply(macro_id, ticket):
    """The macro's text as a public reply from the ticket's assignee, in the ticket's language."""
    macro = Macro.objects.filter(pk=macro_id).first()
    if macro is None or ticket.assignee is None:
        return "macro_reply:no_assignee" if macro is not None else "macro_missing"
    with override(ticket.language):
        body = macro_fill(macro.body, {"customer_name": ticket.requester.display_name, "ticket_ref": ticket.ref,
                                       "agent_name": ticket.assignee.display_name})
    if not body.strip():
        return "macro_reply:empty"
    ticket_reply(ticket=ticket, author=ticket.assignee, body=body)
    return "macro_reply:sent"
