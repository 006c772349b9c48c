"""The agent's socket, /ws/agent/: live chat's agent protocol (livechat.consumers.AgentChatConsumer: presence,
chats, queues) plus what the workspace shows beside the chats: the ticket worklist and notifications. The desk
owns the socket because it is the one connection of the agent's workspace; live chat keeps the chat protocol and
knows nothing of tickets' worklist or notifications. The contract is in docs/api.md."""
from django.utils import translation

from desk.selectors import agent_worklist
from livechat.consumers import AgentChatConsumer
from support.asyncdb import db
from support.events import user_group
from support.selectors import notification_list_for_user, notification_unread_count
from support.serializers import NotificationOutputSerializer


def _tickets_frame(agent, language):
    """The agent's ticket worklist (agent_worklist), in the socket's language."""

    def item(ticket):
        return {"ref": ticket.ref, "subject": ticket.subject, "status": ticket.get_status_display(),
                "priority": ticket.get_priority_display(), "requester": ticket.requester.display_name,
                "awaiting_agent": ticket.awaiting_agent,
                "next_due": ticket.next_due.isoformat() if ticket.next_due else None}

    with translation.override(language):
        worklist = agent_worklist(agent=agent)
        return {"type": "tickets", "counts": worklist["counts"],
                **{name: [item(t) for t in worklist[name]] for name in ("assigned", "breaching", "replied")}}


def _notification_frame(agent, notification_id, language):
    """A new notification of this agent, rendered in the socket's language, with their unread count; None if it is
    gone."""
    notification = notification_list_for_user(user=agent).filter(pk=notification_id).first()
    if notification is None:
        return None
    with translation.override(language):
        return {"type": "notification", **NotificationOutputSerializer(notification).data,
                "unread": notification_unread_count(user=agent)}


class DeskConsumer(AgentChatConsumer):
    watching_tickets = False

    def extra_groups(self):
        return [user_group(self.agent.pk)]  # the agent's notifications (support.events)

    async def on_ping(self, content):
        await super().on_ping(content)
        if self.watching_tickets:  # SLA time passes without any event: the heartbeat refreshes the worklist
            await self.send_tickets()

    async def on_tickets(self, content):
        """The workspace wants the ticket worklist now and whenever it may have changed."""
        self.watching_tickets = True
        await self.send_tickets()

    async def send_tickets(self):
        await self.send_json(await db(_tickets_frame)(self.agent, self.language))

    handlers = {**AgentChatConsumer.handlers, "ping": on_ping, "tickets": on_tickets}

    async def frame(self, event):
        frame = event["frame"]
        if frame["type"] != "notification":
            return await super().frame(event)
        # Assignments, customer replies and SLA alerts all notify the agent: the one doorbell for the worklist.
        shown = await db(_notification_frame)(self.agent, frame["notification"], self.language)
        if shown is not None:
            await self.send_json(shown)
        if self.watching_tickets:
            await self.send_tickets()
