"""scripts/system-deps, which `make run`, `make test` and .ci/run call: quiet when everything is there; not root and
something missing, it stops at once with the exact apt-get line; SYSTEM_DEPS=skip skips it."""
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import _absent

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "system-deps"


@pytest.fixture
def bin_dir():
    """A directory anybody may read (pytest's tmp_path is its owner's alone), removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="system-deps-"))
    root.chmod(0o755)
    for name in ("bin", "copy"):
        (root / name).mkdir(mode=0o755)
    yield root / "bin"
    shutil.rmtree(root)


def _path_without(bin_dir, *names):
    """A PATH with every program of the system's PATH but `names` (symlinks in one directory)."""
    for directory in os.environ["PATH"].split(os.pathsep):
        if not os.path.isdir(directory):
            continue
        for entry in os.scandir(directory):
            target = bin_dir / entry.name
            if entry.name not in names and not target.exists() and os.access(entry.path, os.X_OK):
                target.symlink_to(entry.path)
    return str(bin_dir)


def _run(*args, env=None, as_nobody=None):
    """Run the script; as_nobody=<a directory anybody may read>: as user nobody, from a copy there (a checkout
    may sit in a directory only its owner can enter)."""
    command = [str(SCRIPT), *args]
    if as_nobody and os.geteuid() == 0:
        copy = as_nobody / "system-deps"
        shutil.copy(SCRIPT, copy)
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", str(copy), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})


def test_nothing_missing_is_said_in_a_line_per_tool(ocr):
    if not (shutil.which("msgfmt") and Path("/usr/bin/chromium").exists()):
        _absent("Chromium or GNU gettext not found (scripts/system-deps installs them)")
    done = _run()
    assert done.returncode == 0, done.stderr
    assert "present" in done.stdout and "Tesseract: tesseract" in done.stdout and "Chromium" in done.stdout


def test_without_root_a_missing_tool_stops_with_the_apt_get_line(bin_dir):
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        _absent("setpriv (util-linux) not found: running as root, the test cannot drop to another user")
    done = _run("ocr", env={"PATH": _path_without(bin_dir, "tesseract")}, as_nobody=bin_dir.parent / "copy")
    assert done.returncode == 1
    assert ("apt-get install -y tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim tesseract-ocr-jpn "
            "tesseract-ocr-kor tesseract-ocr-rus tesseract-ocr-spa") in done.stderr
    assert "installing" not in done.stdout  # it stopped: nothing was attempted


def test_an_unknown_group_is_refused():
    done = _run("printer")
    assert done.returncode == 2 and "unknown group 'printer'" in done.stderr


def test_it_can_be_skipped():
    done = _run(env={"SYSTEM_DEPS": "skip", "CHROMIUM_PATH": "/nonexistent/chromium"})
    assert done.returncode == 0 and "skipped" in done.stdout
