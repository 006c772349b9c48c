"""The few lines `make test` ends with: how many tests ran, how long it took, and which groups were skipped and why
(a skipped group is a tool missing on this machine: scripts/system-deps installs it)."""
import time
from collections import defaultdict

_started = {}


def pytest_sessionstart(session):
    _started["at"] = time.monotonic()


def _duration(seconds):
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def _group(nodeid):
    """tests/browser/test_chatbot.py::test_x -> tests/browser."""
    return "/".join(nodeid.split("::", 1)[0].split("/")[:2])


def skip_groups(reports):
    """{reason: {group: count}} of skipped test reports, the reason as the test gave it."""
    groups = defaultdict(lambda: defaultdict(int))
    for report in reports:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        groups[reason.removeprefix("Skipped: ")][_group(report.nodeid)] += 1
    return groups


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = terminalreporter.stats
    passed, failed, errors = (len(stats.get(kind, [])) for kind in ("passed", "failed", "error"))
    skipped = stats.get("skipped", [])
    elapsed = time.monotonic() - _started.get("at", time.monotonic())
    ran = passed + failed
    write = terminalreporter.write_line
    terminalreporter.section("run summary", sep="-", bold=True)
    verdict = "all passed" if not (failed or errors) else f"{failed} failed, {errors} errors"
    write(f"{ran + len(skipped):,} tests in {_duration(elapsed)}: {passed:,} passed, {len(skipped):,} skipped, "
          f"{verdict}")
    for reason, groups in sorted(skip_groups(skipped).items(), key=lambda item: -sum(item[1].values())):
        where = ", ".join(f"{group} ({n})" for group, n in sorted(groups.items()))
        write(f"  skipped {sum(groups.values()):>4}: {reason}  [{where}]")
