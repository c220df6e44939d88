"""`access` is the bottom layer (issue 10): it imports only `org` among Orbit's apps, and no other app's table
names appear in its SQL — the apps above register what widens visibility (orbit/access/registry.py)."""

import ast
import pathlib

from django.apps import apps

ACCESS = pathlib.Path(__file__).resolve().parents[2] / "orbit" / "access"
ALLOWED = {"orbit.access", "orbit.org"}


def _imports(path: pathlib.Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names if node.module == "orbit"}
    return found


def test_access_imports_nothing_of_orbit_but_org():
    wrong = {
        f"{path.relative_to(ACCESS)}: {name}"
        for path in ACCESS.rglob("*.py")
        if "migrations" not in path.parts
        for name in _imports(path)
        if name.startswith("orbit") and not any(name == a or name.startswith(f"{a}.") for a in ALLOWED)
    }
    assert not wrong, sorted(wrong)


def test_no_other_apps_table_names_in_its_sql():
    others = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in ("access", "org")
    }
    texts = [
        node.value
        for path in ACCESS.rglob("*.py")
        if "migrations" not in path.parts
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    leaks = sorted({table for table in others for text in texts if table in text})
    assert not leaks, leaks


def test_the_apps_register_their_widenings():
    from orbit.access import registry

    assert registry.accounts().model._meta.label == "accounts.Account"
    assert {w.name for w in registry.widenings()} >= {"accounts.team", "handoffs.receiver", "handoffs.cover"}
