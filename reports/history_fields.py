"""Custom-field values for the generated history's tickets (issue #26), so the reports' "Custom fields" section has
something to show: each active dropdown and multi-select field a ticket's category carries gets an option (most
tickets, not all: some customers skip it), the first options more often than the last; on the demo's networks, the
ones customers use most (TRC20), and slow chains (BTC, ERC20) taking longer to resolve.

Its own random generator, seeded from the history's, so adding fields changes no other figure of the history."""
import random

from tickets.custom_fields import ticket_fields_active
from tickets.models import FieldType

# The demo's networks (tickets.demo_fields): how often customers use each, and how much longer than usual a
# ticket about it takes to resolve (confirmations on a slow or congested chain).
NETWORK_SHARE = {"TRC20": 0.42, "ERC20": 0.2, "BEP20": 0.16, "SOL": 0.1, "BTC": 0.12}
RESOLUTION_FACTOR = {"BTC": 1.8, "ERC20": 1.35, "TRC20": 1.0, "BEP20": 0.9, "SOL": 0.75}
FILLED = 0.88  # share of tickets carrying a field that have a value in it


class FieldHistory:
    def __init__(self, *, seed):
        self.rng = random.Random(f"fields-{seed}")
        self._fields = None

    @property
    def fields(self):
        if self._fields is None:  # read once, on the first ticket (the demo's fields exist by then)
            self._fields = [(field, frozenset(c.pk for c in field.categories.all()),
                             [option.value for option in field.options.all()])
                            for field in ticket_fields_active()
                            if field.type in (FieldType.DROPDOWN, FieldType.MULTISELECT)]
        return self._fields

    def _weights(self, values):
        if set(values) <= set(NETWORK_SHARE):
            return [NETWORK_SHARE[value] for value in values]
        return [1 / (position + 1) for position in range(len(values))]

    def fill(self, ticket):
        """Give an unsaved ticket values for the choice fields of its category, and stretch its resolution by its
        network's factor."""
        values = {}
        for field, categories, options in self.fields:
            if not options or (categories and ticket.category_id not in categories) or self.rng.random() > FILLED:
                continue
            weights = self._weights(options)
            if field.type == FieldType.DROPDOWN:
                values[field.key] = self.rng.choices(options, weights)[0]
            else:
                chosen = set(self.rng.choices(options, weights, k=self.rng.choice([1, 1, 2])))
                values[field.key] = [value for value in options if value in chosen]
        ticket.custom_fields = values
        factor = max((RESOLUTION_FACTOR.get(v, 1.0) for v in values.values() if isinstance(v, str)), default=1.0)
        if ticket.solved_at and ticket.first_response_at and factor != 1.0:
            ticket.solved_at = ticket.first_response_at + (ticket.solved_at - ticket.first_response_at) * factor
            ticket.updated_at = ticket.solved_at
