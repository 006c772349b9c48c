"""The project's Postgres backend (support/postgres/base.py): with server-side binding, one statement can bind at most
65,535 parameters; bulk inserts, updates and deletes of more rows than that allows are split instead of failing."""
import pytest
from django.db import connection

from chatbot.models import IntentExample

pytestmark = pytest.mark.django_db


def test_a_bulk_insert_update_and_delete_beyond_the_parameter_limit_are_split():
    assert connection.settings_dict["OPTIONS"].get("server_side_binding") is True  # what the limit is about
    rows = 70_000 // 3 + 1  # three columns each: more than 65,535 parameters in one statement
    made = IntentExample.objects.bulk_create(
        [IntentExample(label="greeting", language="en", text=f"hello number {n}") for n in range(rows)])
    assert IntentExample.objects.filter(text__startswith="hello number ").count() == rows
    for example in made:
        example.text = example.text.replace("hello", "hi")
    IntentExample.objects.bulk_update(made, ["text"])
    assert IntentExample.objects.filter(text__startswith="hi number ").count() == rows
    assert IntentExample.objects.filter(pk__in=[example.pk for example in made]).delete()[0] == rows
