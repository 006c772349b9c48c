"""python -m bench.compare BASE_REV [--rounds N] [bench options ...]

Before and after, in one run on one machine: checks out BASE_REV in a git worktree (var/bench-base), then runs the
same benchmark command (`python -m bench` with the options given, e.g. `--only chat,routing`) on the base and on
this checkout in turns, base, head, base, head ..., so drift of the machine over the run falls on both sides alike.
Prints, per figure, the median of each side and the ratio head / base, and writes bench/results/compare.json and
bench/results/compare.svg (a bar per figure: how far head is from base, with the spread of the runs).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
WORKTREE = ROOT / "var" / "bench-base"

# Which way is better, by unit (a figure whose unit is not here is shown but not judged).
HIGHER_IS_BETTER = {"msg/s", "req/s", "tps", "assign/s", "x baseline"}
LOWER_IS_BETTER = {"ms", "ms p99", "s", "MB"}
# Figures measured against a baseline of the same run (the room relay, the bare routing SQL): shown as figures of
# their own, since they hold when the machine's speed drifts.
RATIOS = {"ratio_to_room_relay": "x room relay", "ratio_to_sql_floor": "x pgbench"}


def _worktree(rev):
    """A clean checkout of `rev` beside this one (made again each run: the base must be exactly that commit)."""
    if WORKTREE.exists():
        subprocess.run(["git", "worktree", "remove", "--force", str(WORKTREE)], cwd=ROOT, check=False)
    subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=True)
    WORKTREE.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "worktree", "add", "--detach", str(WORKTREE), rev], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    return WORKTREE


def _run(checkout, bench_args, label, round_number):
    """One `python -m bench` in `checkout`, its results kept apart; returns its result rows."""
    out = RESULTS / "compare-runs"
    out.mkdir(parents=True, exist_ok=True)
    print(f"\n== {label}, round {round_number}: python -m bench {' '.join(bench_args)}  (in {checkout})", flush=True)
    started = time.monotonic()
    env = {**os.environ, "BENCH_RESULTS_DIR": str(out / f"{label}-{round_number}")}
    subprocess.run([sys.executable, "-m", "bench", *bench_args], cwd=checkout, env=env, check=True)
    print(f"   ({label} round {round_number}: {time.monotonic() - started:.0f} s)", flush=True)
    return json.loads((out / f"{label}-{round_number}" / "latest.json").read_text())["results"]


def _key(row):
    return f"{row['benchmark']}: {row['measure']}"


def summarize(runs_by_side):
    """{figure: {unit, base: [values], head: [values], base_median, head_median, ratio, better}} over the figures
    both sides measured (numbers only)."""
    figures = {}
    for side, runs in runs_by_side.items():
        for rows in runs:
            for row in rows:
                if isinstance(row["value"], (int, float)) and not isinstance(row["value"], bool):
                    entry = figures.setdefault(_key(row), {"unit": row["unit"], "base": [], "head": []})
                    entry[side].append(float(row["value"]))
                for field, label in RATIOS.items():
                    if isinstance(row.get(field), (int, float)):
                        entry = figures.setdefault(f"{_key(row)}, {label}", {"unit": "x baseline", "base": [],
                                                                               "head": []})
                        entry[side].append(float(row[field]))
    summary = {}
    for name, entry in figures.items():
        if not entry["base"] or not entry["head"]:
            continue
        base, head = statistics.median(entry["base"]), statistics.median(entry["head"])
        ratio = head / base if base else None
        unit = entry["unit"]
        better = None
        # The baselines are the machine's own speed (the same code on both sides): shown, never judged.
        if ratio is not None and not name.startswith("baseline:"):
            if unit in HIGHER_IS_BETTER:
                better = ratio >= 1
            elif unit in LOWER_IS_BETTER:
                better = ratio <= 1
        summary[name] = {**entry, "base_median": base, "head_median": head, "ratio": ratio, "better": better}
    return summary


def table(summary, base_rev, head_rev):
    width = max((len(name) for name in summary), default=20)
    lines = [f"\n{'figure':<{width}} {'base ' + base_rev[:8]:>16} {'head ' + head_rev[:8]:>16} {'head/base':>10}"]
    for name, row in summary.items():
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "-"
        verdict = {True: "", False: "  worse", None: ""}[row["better"]]
        lines.append(f"{name:<{width}} {row['base_median']:>12,.1f} {row['unit']:<3} {row['head_median']:>12,.1f} "
                     f"{row['unit']:<3} {ratio:>10}{verdict}")
    return "\n".join(lines)


def svg(summary, base_rev, head_rev):
    """A horizontal bar per figure: head / base - 1 (right of the line: head is higher), green where that is
    better, red where worse; a thin line spans the lowest to the highest ratio of single runs."""
    rows = [(name, row) for name, row in summary.items() if row["ratio"] is not None]
    label_w = 20 + 7 * max((len(f"{name} ({row['unit']})") for name, row in rows), default=40)
    plot_w, row_h, top = 360, 22, 48
    height = top + row_h * len(rows) + 30
    centre = label_w + plot_w / 2
    limit = max([0.25, *(abs(r["ratio"] - 1) for _n, r in rows),
                 *(abs(v / r["base_median"] - 1) for _n, r in rows if r["base_median"] for v in r["head"])])
    scale = (plot_w / 2 - 10) / limit
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 70}" height="{height}" '
             f'font-family="sans-serif" font-size="12">',
             f'<text x="8" y="18" font-size="14" font-weight="bold">head {escape(head_rev[:8])} against base '
             f'{escape(base_rev[:8])} (median of runs; line: single runs)</text>',
             f'<text x="{centre}" y="36" text-anchor="middle" fill="#555">same as base</text>',
             f'<line x1="{centre}" y1="40" x2="{centre}" y2="{height - 24}" stroke="#333"/>']
    for index, (name, row) in enumerate(rows):
        y = top + index * row_h
        delta = row["ratio"] - 1
        colour = {True: "#2e7d32", False: "#c62828", None: "#777"}[row["better"]]
        x, w = (centre, delta * scale) if delta >= 0 else (centre + delta * scale, -delta * scale)
        parts.append(f'<text x="{label_w - 8}" y="{y + 14}" text-anchor="end">{escape(name)} ({escape(row["unit"])})'
                     f'</text>')
        parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row_h - 8}" fill="{colour}"/>')
        if row["base_median"]:
            singles = [v / row["base_median"] - 1 for v in row["head"]]
            parts.append(f'<line x1="{centre + min(singles) * scale:.1f}" y1="{y + row_h / 2}" '
                         f'x2="{centre + max(singles) * scale:.1f}" y2="{y + row_h / 2}" stroke="#000"/>')
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 14}">{row["ratio"]:.2f}x</text>')
    parts.append(f'<text x="{label_w}" y="{height - 8}" fill="#555">-{limit:.0%}</text>'
                 f'<text x="{label_w + plot_w}" y="{height - 8}" text-anchor="end" fill="#555">+{limit:.0%}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.splitlines()[0])
    parser.add_argument("base", help="the commit to compare against (e.g. main~5 or a hash)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side, alternating (default 2)")
    args, bench_args = parser.parse_known_args(argv)
    base_rev = subprocess.run(["git", "rev-parse", args.base], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout.strip()
    head_rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout.strip()
    checkout = _worktree(base_rev)
    runs = {"base": [], "head": []}
    for round_number in range(1, args.rounds + 1):
        runs["base"].append(_run(checkout, bench_args, "base", round_number))
        runs["head"].append(_run(ROOT, bench_args, "head", round_number))
    summary = summarize(runs)
    print(table(summary, base_rev, head_rev))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "compare.json").write_text(json.dumps(
        {"base": base_rev, "head": head_rev, "bench_args": bench_args, "rounds": args.rounds, "figures": summary},
        indent=2))
    (RESULTS / "compare.svg").write_text(svg(summary, base_rev, head_rev))
    print(f"\nwritten: {RESULTS / 'compare.json'}, {RESULTS / 'compare.svg'}")


if __name__ == "__main__":
    main()
