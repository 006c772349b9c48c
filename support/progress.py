"""One progress bar for long management commands (seeding, benchmarks), redrawn in place on one line."""
import os
from pathlib import Path

from django.conf import settings


def draw_progress(stream, done, total, label, width=30):
    filled = int(width * done / total) if total else width
    stream.write(f"\r  [{'#' * filled}{'-' * (width - filled)}] {done}/{total} {label}", ending="")
    stream.flush()


def bench_results_dir():
    """Where benchmark commands write their JSON: BENCH_RESULTS_DIR, or bench/results/ in the project."""
    path = Path(os.environ.get("BENCH_RESULTS_DIR") or Path(settings.BASE_DIR) / "bench" / "results")
    path.mkdir(parents=True, exist_ok=True)
    return path
