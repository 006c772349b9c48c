"""{% presence_strings %}: the live presence line's texts (support.presence.presence_strings) as a JSON blob with the
id "presence-strings", for pages whose views do not pass them (the chat console, a chat's page)."""
from django import template
from django.utils.html import json_script

from support.presence import presence_strings as strings

register = template.Library()


@register.simple_tag
def presence_strings():
    return json_script(strings(), "presence-strings")
