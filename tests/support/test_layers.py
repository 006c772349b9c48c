"""Who may import whom (../shared/GUIDE.md, docs/architecture.md), held as data: each app sits on a floor and imports
only apps on lower floors, so a change in one place has a known reach. The shell that wires every app in (support's
urls, asgi, routing, celery and the demo seed) may import anything. A higher app tells a lower one things through a
signal or registry it connects in AppConfig.ready() (incidents.signals, verification.register_customer_conversations), never
by the lower one importing it."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FLOORS = {
    "support": 0,
    "helpcenter": 1, "verification": 1, "incidents": 1,
    "chatbot": 2,
    "tickets": 3,
    "livechat": 4,
    "desk": 5,
    "reports": 6,
}
SHELL = {"support/urls.py", "support/asgi.py", "support/routing.py", "support/celery.py",
         "support/management/commands/seed_demo.py"}


def _imported_apps(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in FLOORS:
                yield top, node.lineno


def test_every_app_imports_only_apps_below_it():
    wrong = []
    for app, floor in FLOORS.items():
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative in SHELL:
                continue
            for imported, line in _imported_apps(path):
                if imported != app and FLOORS[imported] >= floor:
                    wrong.append(f"{relative}:{line} imports {imported} (floor {FLOORS[imported]}, {app} is on "
                                 f"{floor})")
    assert wrong == []


def test_the_floors_name_every_app():
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert apps == set(FLOORS)


def test_no_module_imports_another_modules_private_names():
    """A leading underscore means "this module's own": another module that needs it needs a public function."""
    wrong = []
    for app in FLOORS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] in FLOORS):
                    private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                    if private:
                        wrong.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno} imports {private}")
    assert wrong == []
