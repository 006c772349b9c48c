"""Reads of organisations: a ticket's requester's, and the list to choose from (the rules editor)."""
from .models import Organisation


def requester_organisation(*, ticket):
    """The organisation of the ticket's requester, or None: read from the requester already loaded with the ticket
    when it was (select_related), else one query."""
    if ticket.requester.organisation_id is None:
        return None
    return ticket.requester.organisation


def organisation_choices():
    """(id as text, name) of every organisation, for a select."""
    return [(str(pk), name) for pk, name in Organisation.objects.order_by("name", "pk").values_list("pk", "name")]
