"""The wheel pyproject.toml builds holds every app of the desk, with every file the app has (migrations, management
commands, the bot's examples and weights, the demo help center): an app left out of the package list works from a
checkout and breaks only once installed."""
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from django.apps import apps
from django.conf import settings

SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


def _our_apps():
    """The installed apps whose package is a directory of this checkout (not a library's)."""
    base = Path(settings.BASE_DIR)
    return sorted({config.name.split(".")[0] for config in apps.get_app_configs()
                   if (base / config.name.split(".")[0] / "__init__.py").exists()})


def test_the_wheel_holds_every_app_and_all_of_its_files(tmp_path):
    base = Path(settings.BASE_DIR)
    source = tmp_path / "source"  # a copy, so the build leaves nothing behind in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(base / name, source / name)
    packages = [path for path in base.iterdir() if (path / "__init__.py").exists() and path.name != "tests"]
    for package in packages:
        shutil.copytree(package, source / package.name, ignore=SKIP)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            str(source), "-w", str(tmp_path / "dist")], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr[-3000:]
    wheel, = (tmp_path / "dist").glob("support_platform-*.whl")
    inside = set(zipfile.ZipFile(wheel).namelist())

    our_apps = _our_apps()
    assert {"support", "tickets", "livechat", "helpcenter", "chatbot", "reports", "verification",
            "incidents"} <= set(our_apps)
    for app in our_apps:
        files = {path.relative_to(source).as_posix() for path in (source / app).rglob("*") if path.is_file()}
        assert files, app
        assert not files - inside, f"{app}: missing from the wheel: {sorted(files - inside)[:10]}"
    # The data an installed desk reads from its packages, by name, in case a directory of it were left out whole.
    assert {"chatbot/intent_examples/weights.npz", "chatbot/intent_examples/ja.json",
            "helpcenter/demo_content/vectors-e5.npz"} <= inside
    assert not any(name.startswith("tests/") for name in inside)
