"""The supervisors' pages for custom ticket fields (issue #26), in the agent area: the list (in order, retire or
bring back, move up or down, the latest changes) and the editor (labels, help texts and options in six languages,
the supervisor's own first; categories; who fills it in; patterns for "text checked by a pattern"), with the field's
history. Thin: parse, call services.field_admin (which checks and records every change in the audit log) or a
reader, render; a refusal is shown beside the part it names, in the page's language, with what was typed kept."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from support.permissions import supervisor_required

from .custom_fields import (
    field_key_used,
    ticket_field_changes,
    ticket_field_get,
    ticket_field_ids_in_order,
    ticket_field_list,
)
from .field_forms import (
    TicketFieldForm,
    field_initial,
    languages_ordered,
    option_rows,
    options_from_post,
    pattern_sources,
    stored_options,
)
from .field_history import change_diffs, change_kind, change_name, change_parts
from .models import FieldType, TicketField
from .services.field_admin import (
    CHOICE_TYPES,
    FieldDefinitionInvalid,
    ticket_field_save,
    ticket_field_set_active,
    ticket_fields_reorder,
)


def _field(field_id):
    try:
        return ticket_field_get(field_id=field_id)
    except TicketField.DoesNotExist as exc:
        raise Http404 from exc


@supervisor_required
def fields_list(request):
    """Every field in order, retired ones too, then the latest changes to fields."""
    changes = [(change, change_kind(change), change_parts(change), change_name(change))
               for change in ticket_field_changes(limit=10)]
    return render(request, "tickets/fields_list.html", {"fields": ticket_field_list(), "changes": changes})


def _place_errors(form, errors):
    """The service's refusals beside their inputs; those about options and patterns stay for their sections."""
    rest = {}
    for name, texts in errors.items():
        if name in form.fields:
            for text in texts:
                form.add_error(name, text)
        else:
            rest[name] = texts
    return rest


def _editor(request, field=None):
    locked = field is not None and field_key_used(field.key)
    errors = {}
    if request.method == "POST":
        form = TicketFieldForm(request.POST, initial=field_initial(field), field=field, locked=locked)
        options, shown = options_from_post(request.POST)
        if form.is_valid():
            try:
                saved = ticket_field_save(actor=request.user, field=field, values=form.values(), options=options,
                                          categories=form.cleaned_data["categories"])
            except FieldDefinitionInvalid as exc:
                errors = _place_errors(form, exc.errors)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": saved.label})
                return redirect("tickets:field_edit", saved.pk)
        options = [{"value": row["value"], "labels": row["labels"]} for row in shown]
        sources = pattern_sources(field, request.POST)
    else:
        form = TicketFieldForm(initial=field_initial(field), field=field, locked=locked)
        options, sources = stored_options(field), pattern_sources(field)
    texts = [{"code": code, "name": name, "label": form[f"label_{suffix}"], "help": form[f"help_text_{suffix}"],
              "message": form[f"invalid_message_{suffix}"]} for code, suffix, name in languages_ordered()]
    history = []
    if field is not None:
        history = [(change, change_kind(change), change_diffs(change))
                   for change in ticket_field_changes(field_id=field.pk)]
    return render(request, "tickets/fields_editor.html", {
        "form": form, "field": field, "locked": locked, "errors": errors, "texts": texts,
        "options": option_rows(options, errors), "blank_option": {**option_rows([], {})[0], "n": "__n__", "order": ""},
        "option_words": {"option": _("Option %(number)s")},
        "sources": sources, "history": history, "choice_types": " ".join(CHOICE_TYPES), "regex_type": FieldType.REGEX,
    }, status=400 if form.errors or errors else 200)


@supervisor_required
def field_new(request):
    return _editor(request)


@supervisor_required
def field_edit(request, field_id):
    return _editor(request, _field(field_id))


@require_POST
@supervisor_required
def field_toggle(request, field_id):
    """Retire a field (out of every form; the values tickets carry stay) or bring it back (`active`: the state the
    button asked for, so two supervisors pressing "retire" at once both retire it); recorded."""
    field = _field(field_id)
    wanted = {"1": True, "0": False}.get(request.POST.get("active"), not field.is_active)
    field = ticket_field_set_active(field=field, actor=request.user, active=wanted)
    text = _("“%(name)s” is active again.") if field.is_active else _(
        "“%(name)s” is retired: it is no longer in any form, and tickets keep its values.")
    messages.success(request, text % {"name": field.label})
    return redirect("tickets:fields")


@require_POST
@supervisor_required
def field_move(request, field_id):
    """Swap a field with the one before it (direction=up) or after it (down)."""
    field = _field(field_id)
    ids = ticket_field_ids_in_order()
    here = ids.index(field.pk)
    direction = request.POST.get("direction")
    there = here + (-1 if direction == "up" else 1)
    if direction in ("up", "down") and 0 <= there < len(ids):
        ids[here], ids[there] = ids[there], ids[here]
        try:
            ticket_fields_reorder(actor=request.user, ids=ids)
        except FieldDefinitionInvalid as exc:  # a field added or removed meanwhile: the list shows the new order
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("“%(name)s” is now number %(position)s.") % {
                "name": field.label, "position": there + 1})
    return redirect("tickets:fields")
