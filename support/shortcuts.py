"""The agents' keyboard shortcuts: what static/support/js/shortcuts.js needs from the server (where the "go to" keys
lead, and every text of its help overlay in the page's language). The agent pages pass it through json_script."""
from django.urls import reverse
from django.utils.translation import gettext as _


def shortcut_config():
    return {
        "urls": {"home": reverse("agent:home"), "chats": reverse("livechat:console"),
                 "tickets": reverse("tickets:inbox")},
        "strings": {
            "title": _("Keyboard shortcuts"),
            "intro": _("Shortcuts work while you are not typing in a field; Esc leaves the field."),
            "close": _("Close"),
            "then": _("then"),
            "help": _("Show this list"),
            "go_home": _("Go to the agent workspace"),
            "go_chats": _("Go to live chats"),
            "go_tickets": _("Go to the ticket inbox"),
            "search": _("Search tickets, customers and chats"),
            "next_chat": _("Next chat (takes the longest-waiting chat when you have none)"),
            "reply": _("Reply: go to the message box"),
            "note": _("Write an internal note"),
            "macro": _("Choose a macro"),
            "close_chat": _("End the chat"),
            "solve": _("Solve the ticket (sends the reply you typed)"),
            "next_row": _("Next ticket in the list"),
            "previous_row": _("Previous ticket in the list"),
            "open_row": _("Open the ticket"),
            "select_row": _("Select or unselect the ticket"),
        },
    }
