"""One progress bar for long management commands (seeding, benchmarks), redrawn in place on one line."""


def draw_progress(stream, done, total, label, width=30):
    filled = int(width * done / total) if total else width
    stream.write(f"\r  [{'#' * filled}{'-' * (width - filled)}] {done}/{total} {label}", ending="")
    stream.flush()
