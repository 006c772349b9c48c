"""Agents who existed before verification codes get one each from the migration: unique, in the alphabet."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from support.models import VERIFICATION_CODE_ALPHABET, AgentProfile

BEFORE = [("support", "0003_agent_last_chat")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_existing_agent_its_own_code():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        User, OldProfile = old.get_model("support", "User"), old.get_model("support", "AgentProfile")
        for number in range(5):
            OldProfile.objects.create(user=User.objects.create(email=f"veteran{number}@example.com"))
        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    codes = list(AgentProfile.objects.filter(user__email__startswith="veteran").values_list("verification_code",
                                                                                           flat=True))
    assert len(codes) == 5 and len(set(codes)) == 5
    assert all(len(code) == 8 and set(code) <= set(VERIFICATION_CODE_ALPHABET) for code in codes)
