"""Chat sockets. Protocol adapters: they validate each frame, call a service, and pass on the frames the
services push after commit. The contract is in docs/api.md.

/ws/chat/<id>/ (the customer: session login, or ?token= for visitors)
  in:  message {body, client_msg_id}, typing, resume {after_seq}, leave_message {body}, close, csat {score, comment},
       bot_feedback {helpful}
  out: message (bot messages with meta {articles, ask_helpful}), bot, queue {position, eta_seconds, low, high, guess,
       seats, offer_message}, assigned {agent}, typing, closed, left_message
       {ticket}, rated, error {code, detail}
/ws/agent/ (agents)
  in:  presence {presence}, message {conversation, body, client_msg_id}, typing {conversation}, resume
       {conversation, after_seq}, pick {conversation}, transfer {conversation, to_agent | to_language},
       close {conversation}, to_ticket {conversation}, read {conversation, seq}, tickets, ping
  out: snapshot {presence, languages, queues, chats}, queues, chat_assigned, chat_released, message
       {conversation, ...}, typing, closed, ticket_created, presence, read {conversation, seq},
       tickets {counts, assigned, breaching, replied}, notification {id, kind, title, body, url, unread}, pong, error
"""

from .agent import AgentChatConsumer
from .customer import CustomerChatConsumer
from .frames import FrameConsumer, FrameError, parse_body

__all__ = ["AgentChatConsumer", "CustomerChatConsumer", "FrameConsumer", "FrameError", "parse_body"]
