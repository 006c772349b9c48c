"""Channel-layer group names and the frames pushed over websockets. The database is the source of truth: these
are doorbells, sent after commit, and a client that missed one catches up from its last sequence number."""
from rest_framework.fields import DateTimeField

from support.events import group_send_frame, group_send_frames

from .serializers import ChatAttachmentOutputSerializer

_DATETIME = DateTimeField()  # the API's date format, for frames built by hand


def chat_group(conversation_id):
    return f"chat.{conversation_id}"


def agent_group(user_id):
    return f"agent.{user_id}"


def queue_group(language):
    return f"queue.{language}"


def message_frame(message):
    """A stored message as clients see it: the same shape as the chat API's messages (MessageOutputSerializer;
    attachments are links that check who asks, see livechat.views), plus the frame type. Built by hand because it is
    on every message's path: the serializer took about 250 us a message, a fifth of the chat's budget at load
    (a test keeps the two shapes equal)."""
    attachments = message.attachments.all()
    return {"type": "message",
            "attachments": ChatAttachmentOutputSerializer(attachments, many=True).data if attachments else [],
            "meta": message.meta, "seq": message.seq, "sender": message.sender_kind, "body": message.body,
            "client_msg_id": message.client_msg_id, "created_at": _DATETIME.to_representation(message.created_at)}


def message_sends(message):
    """The (group, frame) a stored message rings: its chat's sockets (customer and agent alike)."""
    return chat_group(message.conversation_id), {**message_frame(message), "conversation": str(message.conversation_id)}


def _send(group, frame):
    # Consumers handle every pushed frame with one method, "frame", and pass it on as it is.
    group_send_frame(group, frame)


def message_created(message):
    _send(*message_sends(message))


def attachment_scanned(attachment):
    """A picture's scan for secrets finished: the chat's pages show it (to agents it was held back until now), flag
    it, or show its blurred copy. The message is named by its sequence number."""
    message = attachment.message
    _send(chat_group(message.conversation_id), {
        "type": "attachment", "conversation": str(message.conversation_id), "seq": message.seq,
        "attachment": ChatAttachmentOutputSerializer(attachment).data})


def agent_chat(conversation):
    """One of an agent's chats as their sockets list it (snapshot and chat_assigned): unread = messages after the
    agent's read mark; an ended one (status "closed") waits for the agent's wrap-up, with the rating if there is."""
    return {"conversation": str(conversation.id), "language": conversation.language, "topic": conversation.topic,
            "customer": conversation.customer_name, "last_seq": conversation.last_seq,
            "read_seq": conversation.agent_read_seq, "unread": conversation.last_seq - conversation.agent_read_seq,
            "status": conversation.status, "closed_by": conversation.closed_by, "csat": csat_of(conversation)}


def csat_of(conversation):
    if conversation.csat_score is None:
        return None
    return {"score": conversation.csat_score, "comment": conversation.csat_comment}


def history_item(conversation):
    """A wrapped-up chat in the agent's history (the console's "Recent chats"): codes, which the page labels, and
    no link (the page builds it under its own language prefix)."""
    return {"conversation": str(conversation.id), "customer": conversation.customer_name,
            "language": conversation.language, "topic": conversation.topic,
            "disposition": conversation.disposition, "csat": csat_of(conversation),
            "wrapped_up_at": _DATETIME.to_representation(conversation.wrapped_up_at)}


def chat_wrapped_up(conversation):
    """Every tab of the agent moves the chat from the console to its history."""
    _send(agent_group(conversation.agent_id), {"type": "wrapped_up", "conversation": str(conversation.id),
                                                "history": history_item(conversation)})


def chat_rated(conversation):
    """The customer rated an ended chat: its agent sees the rating at wrap-up (or in the history)."""
    if conversation.agent_id:
        _send(agent_group(conversation.agent_id), {"type": "csat", "conversation": str(conversation.id),
                                                    "csat": csat_of(conversation)})


def assigned_frame(conversation_id, agent_name, agent_code):
    """What the customer's page hears when an agent takes the chat: who, and the agent's public verification code,
    which the customer can check on /verify/ (a scammer posing as support has none)."""
    return {"type": "assigned", "conversation": str(conversation_id), "agent": agent_name, "agent_code": agent_code}


def _assigned_frames(conversation, agent_name, agent_code):
    return [(chat_group(conversation.id), assigned_frame(conversation.id, agent_name, agent_code)),
            (agent_group(conversation.agent_id), {"type": "chat_assigned", **agent_chat(conversation)})]


def chats_assigned(conversations, agent_name, agent_codes, languages):
    """Several chats given to one agent at once, and the queues they left: one batch of doorbells. `agent_codes`:
    the agent's code in each chat, by chat id (a code belongs to one conversation)."""
    group_send_frames([*(send for chat in conversations
                         for send in _assigned_frames(chat, agent_name, agent_codes[chat.id])),
                       *((queue_group(language), {"type": "queue_moved", "language": language})
                         for language in languages)])


def chat_read(conversation_id, agent_id, read_seq):
    """Every socket of the agent (console and workspace tabs) updates the chat's unread count."""
    _send(agent_group(agent_id), {"type": "read", "conversation": str(conversation_id), "seq": read_seq})


def chat_closed(conversation):
    _send(chat_group(conversation.id), {"type": "closed", "conversation": str(conversation.id),
                                         "by": conversation.closed_by})


def queue_moved(language):
    """Every waiting customer of the language recomputes their position and wait; agents refresh queue counts."""
    _send(queue_group(language), {"type": "queue_moved", "language": language})


def chat_released(conversation_id, agent_id):
    """The chat left this agent (transfer, requeue): their console drops it."""
    _send(agent_group(agent_id), {"type": "chat_released", "conversation": str(conversation_id)})


def presence_changed(agent_id, presence):
    _send(agent_group(agent_id), {"type": "presence", "presence": presence})


def chat_requeued(conversation_id, language):
    """The chat is waiting again (transferred to a queue, or its agent left): the customer's socket follows it to
    that language's queue and shows the new position."""
    _send(chat_group(conversation_id), {"type": "requeued", "conversation": str(conversation_id),
                                         "language": language})


def message_translated(conversation_id, seq, translation):
    """A message's machine translation arrived or was done again: both sides' pages show it under (agent) or in
    place of (customer) the original."""
    _send(chat_group(conversation_id), {"type": "translated", "conversation": str(conversation_id), "seq": seq,
                                         "translation": translation})


def overflow_offered(conversation_id, offer):
    """The waiting customer is offered an agent of another language now, or to keep waiting (services.overflow)."""
    _send(chat_group(conversation_id), {"type": "overflow_offer", "conversation": str(conversation_id), **offer})
