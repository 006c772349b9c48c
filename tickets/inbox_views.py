"""The inbox's views as its sidebar and GET /api/v1/ticket-views/ list them: the built-in ones, the agent's own saved
views and the shared ones, each with its number of tickets, all counted in one query."""
from dataclasses import dataclass

from django.http import QueryDict

from . import selectors
from .filters import BUILTIN_VIEWS, INBOX_DEFAULTS, filters_q
from .models import SavedView

BUILTIN, PERSONAL, SHARED = "builtin", "personal", "shared"


@dataclass
class InboxView:
    key: str  # "mine" for a built-in view, "saved-12" for a saved one: the page's JavaScript finds counts by it
    name: str
    kind: str  # BUILTIN, PERSONAL or SHARED
    filters: dict
    count: int = 0
    saved: SavedView | None = None
    editable: bool = False
    active: bool = False

    @property
    def id(self):
        return self.saved.pk if self.saved else None

    @property
    def builtin(self):
        return self.key if self.kind == BUILTIN else None

    @property
    def owner(self):
        return self.saved.owner if self.saved else None

    @property
    def query(self):
        """The inbox's query string that opens the view; a saved view's own id marks it as the one open."""
        query = QueryDict(mutable=True)
        for name, value in self.filters.items():
            query.setlist(name, [query_text(v) for v in (value if isinstance(value, list) else [value])])
        if self.saved:
            query["saved"] = str(self.saved.pk)
        return query.urlencode()


def query_text(value):
    """A filter's value in a query string: a custom checkbox's true and false as the inbox reads them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def saved_inbox_view(saved, user):
    return InboxView(key=f"saved-{saved.pk}", name=saved.name, kind=SHARED if saved.shared else PERSONAL,
                     filters=saved.filters, saved=saved,
                     editable=selectors.saved_view_editable(view=saved, user=user))


def inbox_views_for_user(*, user, current=None, saved_id=None):
    """Every view the agent sees, counted (two queries however many: the saved views, then the counts; the first
    call on a user also reads its permissions). `current`: the canonical filters on screen, and `saved_id` the saved
    view they were opened from, to mark the one open: that saved view while its filters are the ones on screen, else
    the built-in view when nothing but its view and an order is chosen."""
    views = [InboxView(key=key, name=str(label), kind=BUILTIN, filters={**INBOX_DEFAULTS, "view": key})
             for key, label in BUILTIN_VIEWS.items()]
    views += [saved_inbox_view(saved, user) for saved in selectors.saved_view_list_for_user(user=user)]
    counts_fill(views, user)
    if current is not None:
        marked = next((v for v in views if v.saved and v.saved.pk == saved_id and v.filters == current), None)
        if marked is None and set(current) <= {"view", "sort"}:
            marked = next((v for v in views if v.kind == BUILTIN and v.key == current.get("view")), None)
        if marked is not None:
            marked.active = True
    return views


def counts_fill(views, user):
    counts = selectors.ticket_view_counts(user=user, conditions={v.key: filters_q(v.filters, user=user)
                                                                 for v in views})
    for view in views:
        view.count = counts[view.key]
    return views
