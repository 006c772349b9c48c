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
    "livechat": 4, "automation": 4,
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


def _product_modules():
    """(dotted module name, path) of every module of the apps, migrations excluded."""
    for app in FLOORS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            yield ".".join(parts), path


def _function_imports(tree):
    """(function name, import node, the line numbers of every import inside that function) for each import
    statement inside a function body."""
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        imports = [node for node in ast.walk(function) if isinstance(node, (ast.Import, ast.ImportFrom))]
        import_lines = {line for node in imports for line in range(node.lineno, node.end_lineno + 1)}
        for node in imports:
            yield function.name, node, import_lines


def test_imports_inside_functions_name_the_cycle_they_break():
    """Imports go at the top of a module, where they show what it depends on. One inside a function is allowed
    only with a comment directly above it (or above its group of imports) that names the cycle it breaks
    (`# cycle:`), or says which heavy library it loads only when first used (`# on first use:`); and in an
    AppConfig.ready(), where Django wants them."""
    wrong = []
    for _name, path in _product_modules():
        lines = path.read_text(encoding="utf-8").splitlines()
        for function, node, import_lines in _function_imports(ast.parse("\n".join(lines), filename=str(path))):
            if path.name == "apps.py" and function == "ready":
                continue
            line = node.lineno - 1
            while line >= 1 and (line in import_lines or not lines[line - 1].strip()):
                line -= 1
            above = lines[line - 1].strip() if line >= 1 else ""
            if not (above.startswith("#") and ("cycle:" in above or "on first use:" in above)):
                wrong.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}")
    assert wrong == []


def _imported_modules(node, module, known):
    """The modules of `known` an import statement in `module` names (`from x import y` names x.y when that is a
    module, else x)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in known}
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if not known[module].name == "__init__.py":
            package = package[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join([*package, *([node.module] if node.module else [])])
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in known:
            found.add(f"{base}.{alias.name}")
        elif base in known:
            found.add(base)
    return found


def test_no_import_cycle_inside_live_chat_but_the_celery_pair():
    """Live chat's modules import downwards only (services in layers, see livechat/services/__init__.py); the one
    allowed loop is Celery's: tasks call services, and services enqueue tasks."""
    known = dict(_product_modules())
    graph = {}
    for module, path in known.items():
        if not module.startswith("livechat"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        graph[module] = {target for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                         for target in _imported_modules(node, module, known)
                         if target.startswith("livechat") and target != "livechat.tasks"}
    cycles, state = [], {}

    def visit(module, trail):
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                cycles.append(" -> ".join([*trail[trail.index(target):], target]))
            elif target not in state:
                visit(target, [*trail, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert "livechat.services.messages" in graph and graph["livechat.services.conversations"]
    assert cycles == []


def test_no_product_module_is_over_450_lines():
    """A module that grows past 450 lines holds more than one job: it becomes a package (GUIDE.md)."""
    long = [f"{path.relative_to(ROOT).as_posix()} ({count} lines)" for _name, path in _product_modules()
            if (count := len(path.read_text(encoding="utf-8").splitlines())) > 450]
    assert long == []
