"""The suggestions box's texts and assets for static/desk/js/assist.js (templates/desk/_assist_box.html is the box):
the chat console and the agent's ticket page load the same script. Each language's name is part of its own sentence
("Send in Korean", "No Korean version yet"), so every language can word it naturally."""
from django import template
from django.templatetags.static import static
from django.utils.html import format_html, json_script
from django.utils.translation import gettext as _

register = template.Library()


def assist_strings():
    """Everything the box says beside the suggestions themselves (which the API sends in the agent's language)."""
    return {
        "articles": _("Help articles"),
        "macros": _("Macros"),
        "for": _("For the customer's message:"),
        "waiting": _("Suggestions appear when the customer writes."),
        "empty": _("Nothing to suggest for this message."),
        "failed": _("The suggestions could not be loaded."),
        "fallback": _("Not in your language yet: shown in English."),
        "sending": _("Sending…"),
        "sent": _("Sent."),
        "send_failed": _("Not sent: {detail}"),
        "send": {"en": _("Send in English"), "zh-hans": _("Send in Chinese"), "es": _("Send in Spanish"),
                 "ru": _("Send in Russian"), "ja": _("Send in Japanese"), "ko": _("Send in Korean")},
        "missing": {"en": _("No English version yet"), "zh-hans": _("No Chinese version yet"),
                    "es": _("No Spanish version yet"), "ru": _("No Russian version yet"),
                    "ja": _("No Japanese version yet"), "ko": _("No Korean version yet")},
        "version": {"en": _("English version"), "zh-hans": _("Chinese version"), "es": _("Spanish version"),
                    "ru": _("Russian version"), "ja": _("Japanese version"), "ko": _("Korean version")},
    }


@register.simple_tag
def assist_box_assets():
    """The box's texts (<script type="application/json" id="assist-strings">), its stylesheet and its script."""
    return format_html('{}\n<link rel="stylesheet" href="{}">\n<script src="{}" defer></script>',
                       json_script(assist_strings(), "assist-strings"), static("desk/css/assist.css"),
                       static("desk/js/assist.js"))
