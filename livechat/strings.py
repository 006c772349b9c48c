"""What the chat scripts say, in the page's language: the customer's chat, the agent console, and (through
desk.views) the workspace share these texts, system message codes included."""
from django.conf import settings
from django.utils.translation import gettext as _

from chatbot.models import Label
from support.filescan import PROBLEMS
from support.secretscan import KIND_LABELS

from .models import Disposition


def chat_strings():
    """What the scripts say, in the page's language (system message codes included)."""
    return {
        "position": _("You are number {position} in line."),
        "eta": _("Estimated wait: about {low}–{high} minutes."),
        "eta_soon": _("An agent should be with you in about a minute."),
        "guess": _("(a rough guess: no recent chats to measure from)"),
        "no_agents": _("No agent for your language is online right now. You can leave a message and we will "
                       "answer by email, or keep waiting."),
        "assigned": _("{agent} has joined the chat."),
        "agent_code": _("{agent}'s verification code: {code}."),
        "typing": _("{who} is typing…"),
        "agent": _("Agent"), "you": _("You"), "bot": _("Assistant"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "connected": _("Connected."),
        "closed_by_customer": _("You ended the chat."),
        "closed_by_agent": _("The agent ended the chat."),
        "closed_by_system": _("The chat was closed after a period without messages."),
        "transferred_to_agent": _("You have been transferred to another agent."),
        "transferred_to_queue": _("You have been transferred; you keep your place in line."),
        "agent_left": _("The agent was disconnected. You are back at the front of the line."),
        "secret_hidden": _("For your safety we hid a secret in your message (a recovery phrase, key or code). Our "
                           "staff will never ask for it. If you have shared it anywhere, move your funds to a new "
                           "wallet now."),
        "secret_flag": _("Secret detected and hidden: {kinds}. Advise the customer to move their funds."),
        "secret_kinds": {kind: str(label) for kind, label in KIND_LABELS.items()},
        "scan_pending": _("Checking this picture for secrets…"),
        "scan_failed": _("This picture could not be checked for secrets."),
        "scan_pending_file": _("Checking this file for secrets…"),
        "scan_problems": {code: str(notice) for code, notice in PROBLEMS.items()},
        "withheld": _("File withheld: it is not shown to anyone."),
        "original": _("Original (admins only)"),
        "left_message": _("Thank you. Your message is request {ticket}; we will answer by email."),
        "rated": _("Thank you for your rating."),
        "transcript_sent": _("We are emailing you the transcript."),
        "with_bot": _("You are chatting with our assistant. Type \"agent\" at any time to talk to a person."),
        "yes": _("Yes"), "no": _("No"),
        "card": _("Handed over by the assistant"),
        "card_reason": _("Why: {reason}"), "card_asked": _("Asked:"), "card_offered": _("Offered:"),
        "helped": _("helped"), "did_not_help": _("did not help"), "no_answer": _("no answer"),
        "reason_requested": _("asked for a person"), "reason_human_only": _("a topic for people: {topic}"),
        "reason_negative": _("the customer was frustrated"), "reason_low_confidence": _("no good answer found"),
        "reason_unhelpful": _("answers did not help"),
        # What the bot took the last message for, on the handover card.
        "intents": {**{value: str(label) for value, label in Label.choices}, "human_only": _("a topic for people")},
        "sending": _("Sending…"),
        "fix_fields": _("Please check the fields marked below."),
        "error": _("Something went wrong: {detail}"),
        "customer": _("Customer"), "waiting": _("waiting"), "longest": _("longest wait {minutes} min"),
        "take": _("Take"), "no_chats": _("No active chats. Chats are assigned to you when you are online."),
        "send": _("Send"), "close": _("End chat"), "transfer": _("Transfer"), "to_ticket": _("Convert to ticket"),
        "canned": _("Canned reply"), "recent_tickets": _("Recent requests"), "none": _("None"),
        "exchange_uid": _("Verified by the exchange · user ID {uid}"),
        "unproven_email": _("Email not proven: typed by the visitor"),
        "your_code": _("Your code in this chat: {code}. Tell it to the customer if they ask you to prove you are "
                       "from our team."),
        "overflowed": _("from another language's queue (overflow)"),
        "incident": _("Incident: {title}"),
        # Overflow with assist and machine translation (issue #25): the customer's offer, and the marks.
        "language_names": {code: str(name) for code, name in settings.LANGUAGES},
        "overflow_question": _("The wait for an agent who speaks your language is long right now. How would you "
                               "like to continue?"),
        "overflow_now_translated": _("An agent now (in {language}, with translation)"),
        "overflow_now": _("An agent now (in {language})"),
        "overflow_wait": _("Keep waiting, about {minutes} min, for an agent who speaks your language"),
        "overflow_wait_unknown": _("Keep waiting for an agent who speaks your language"),
        "overflow_accepted": _("Thank you. The next free agent will join you: one who speaks your language, or one "
                               "helped by translation."),
        "overflow_declined": _("You keep your place in line for an agent who speaks your language."),
        "translated_mark": _("Translated"),
        "untranslated_mark": _("Not translated"),
        "show_original": _("Show original"),
        "show_translation": _("Show translation"),
        "translation_into": _("Translation ({language}):"),
        "sent_translated": _("The customer reads ({language}):"),
        "sent_untranslated": _("Not translated: the customer reads your original."),
        "not_translated": _("Not translated."),
        "translate_again": _("Translate again"),
        "assisted_translated": _("Served with translation: the customer writes in {language}; your messages are "
                                 "translated for them."),
        "assisted_plain": _("Served with assist: the customer writes in {language}. Machine translation is off; use "
                            "the suggestions in their language."),
    }


def agent_system_lines():
    """System message codes as agents read them (the console, the chat's page): what happened, not "you"."""
    return {
        "closed_by_customer": _("The customer ended the chat."),
        "closed_by_agent": _("The agent ended the chat."),
        "closed_by_system": _("Closed after a period without messages from the customer."),
        "transferred_to_agent": _("Transferred to another agent."),
        "transferred_to_queue": _("Transferred to a queue."),
        "agent_left": _("The agent was disconnected; the chat went back to the queue."),
        "secret_hidden": _("A secret in the customer's message was hidden, and the customer was warned."),
    }


def console_strings():
    """The console's texts: the chat's, system messages as agents read them, and the wrap-up's."""
    return {
        **chat_strings(),
        "system_lines": agent_system_lines(),
        "dispositions": {value: str(label) for value, label in Disposition.choices},
        "ended": _("This chat has ended. Wrap it up to move it to your history."),
        "csat_waiting": _("The customer has not rated this chat yet."),
        "csat": _("Customer rating: {score}/5"),
        "history_empty": _("No wrapped-up chats yet."),
    }
