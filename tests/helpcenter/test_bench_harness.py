"""The search benchmark's harness works at a tiny size (the real run is `make bench`, not part of the suite)."""
import json

import pytest
from django.conf import settings
from django.core.management import call_command

from helpcenter.models import Article

pytestmark = pytest.mark.django_db


def test_search_benchmark_runs_and_reports_every_language(capsys):
    call_command("bench_helpcenter_search", articles=40, rounds=1)
    out = capsys.readouterr().out
    assert "p95 ms" in out
    rows = json.loads((settings.BASE_DIR / "bench" / "results" / "helpcenter_search.json").read_text())
    assert {row["language"] for row in rows} == {"en", "zh-hans", "es", "ru", "ja", "ko"}
    assert all(row["p95_ms"] > 0 for row in rows)
    # The database floor: the same searches' SQL under EXPLAIN ANALYZE, below the end-to-end time.
    assert all(0 < row["sql_explain_analyze_ms"] < row["p95_ms"] * 5 for row in rows)
    assert not Article.objects.filter(key__startswith="bench-").exists()
