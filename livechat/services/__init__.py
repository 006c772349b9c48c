"""Live chat writes, as a package in layers, each module with one job (lower ones never import higher ones):

    errors        the domain errors and the one ownership rule
    messages      storing a message: one statement for every kind of sender
    queue         joining a queue, routing, the one assignment rule, pick and transfer
    attachments   the scan of files sent in a chat
    presence      agents coming and going, their chats back to the queue
    bot           the bot stage: carrying out the chatbot's decision
    conversations a chat's life: start, customer messages, read marks, close, ticket, rating, transcript
    wrapup        after the end: the agent's wrap-up, and the system's for chats left unwrapped
    translation   machine translation of chat messages for agents who serve a language with assist
    overflow      the customer's choice: an agent of another language now, or keep waiting

Callers import `livechat.services`; the names below are its public face."""
from .attachments import chat_attachment_scan, chat_attachment_scans_sweep
from .bot import bot_feedback, bot_greet, bot_reply
from .conversations import (
    agent_message_post,
    conversation_close,
    conversation_leave_message,
    conversation_mark_read,
    conversation_rate,
    conversation_start,
    conversation_transcript_send,
    conversations_close_idle,
    customer_message_post,
    incident_link_chat,
)
from .errors import ChatClosed, ChatNotAvailable, RatingRefused, TranscriptRefused, agent_owns_check
from .messages import attachment_scans_enqueue, message_append_locked, message_post, secret_warning_post
from .overflow import OverflowRefused, offer_frame, overflow_choose, overflow_offers_make, pending_offer
from .presence import agent_presence_set, agent_seen, agents_dropped_requeue, conversations_requeue_for_agent
from .queue import (
    agent_has_seat_locked,
    agent_route,
    agent_take_waiting,
    chats_give_locked,
    conversation_assign_next,
    conversation_enqueue_locked,
    conversation_pick,
    conversation_transfer,
    conversations_route,
    conversations_route_all,
    queue_changed,
)
from .translation import agent_translation, customer_messages_translate, customer_translation, message_translate
from .wrapup import WrapUpRefused, conversation_wrap_up, conversations_wrap_up_stale, wrap_up_tags_clean

__all__ = [
    "ChatClosed", "ChatNotAvailable", "RatingRefused", "TranscriptRefused", "agent_has_seat_locked",
    "agent_owns_check", "agent_presence_set", "agent_route", "agent_seen", "agent_take_waiting",
    "agents_dropped_requeue", "attachment_scans_enqueue", "bot_feedback", "bot_greet", "bot_reply",
    "chat_attachment_scan", "chat_attachment_scans_sweep", "chats_give_locked", "conversation_assign_next",
    "conversation_close", "conversation_enqueue_locked", "conversation_leave_message", "conversation_mark_read",
    "conversation_pick", "conversation_rate", "conversation_start", "conversation_transcript_send",
    "conversation_transfer", "conversations_close_idle", "conversations_requeue_for_agent", "conversations_route",
    "conversations_route_all", "customer_message_post", "incident_link_chat", "message_append_locked",
    "message_post", "queue_changed", "secret_warning_post", "WrapUpRefused", "conversation_wrap_up",
    "conversations_wrap_up_stale", "wrap_up_tags_clean", "OverflowRefused", "overflow_choose",
    "overflow_offers_make", "pending_offer", "agent_translation", "customer_messages_translate",
    "customer_translation", "message_translate", "agent_message_post", "offer_frame",
]
