"""Writes go through services, so each access rule lives in one place (issue 18): no view module
(nor API router) saves, deletes, creates or updates a model itself, and none calls a service's
private function.

An AST scan of every app's views: `.save(` (but `save(commit=False)`, which writes nothing),
`.delete(`, `.save_m2m(`, the manager's writes (`X.objects.create(` and the like), a queryset's
`.update(`/`.delete(` and a relation's `.add(`/`.remove(`/`.set(`/`.clear(`. A view that has a good
reason to write goes in ALLOWED with that reason."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MANAGER_WRITES = {"create", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "update", "delete"}
RELATION_WRITES = {"add", "remove", "set", "clear"}

# (module, function, call) -> why the view may write itself. Keep this short.
ALLOWED: dict[tuple[str, str, str], str] = {}


def view_modules() -> list[Path]:
    found = [
        *ROOT.glob("*/views.py"),
        *ROOT.glob("*/views/*.py"),
        *ROOT.glob("*/views_*.py"),
        *ROOT.glob("api/routers/*.py"),
    ]
    return sorted(p for p in found if ".venv" not in p.parts and "node_modules" not in p.parts)


def _is_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    name, receiver = call.func.attr, call.func.value
    text = ast.unparse(receiver)
    if name == "save":
        return not any(
            k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False for k in call.keywords
        )
    if name in {"delete", "save_m2m"}:
        return True
    if name in MANAGER_WRITES and (
        any(f".{manager}" in f".{text}" for manager in ("objects", "_default_manager"))
        or isinstance(receiver, ast.Call)
    ):
        return True  # Model.objects.create(...), ....filter(...).update(...)
    # obj.relation.add(...): an attribute of an object (a set in a local variable is no relation)
    return name in RELATION_WRITES and isinstance(receiver, ast.Attribute) and not text.startswith("request.")


def _imported_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def writes_in(source: str) -> list[tuple[str, str, int]]:
    """(function, call, line) of every write, and of every use of another module's private name
    (`services._lock`, `from .services import _lock`), in a module's source."""
    found = []
    tree = ast.parse(source)
    imported = _imported_names(tree)
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and _is_write(node):
                found.append((function.name, ast.unparse(node.func), node.lineno))
            elif (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr != "_meta"
                and isinstance(node.value, ast.Name)
                and node.value.id in imported
            ):
                found.append((function.name, ast.unparse(node), node.lineno))
    for node in ast.walk(tree):  # from .services import _lock
        if isinstance(node, ast.ImportFrom):
            found.extend(("<module>", alias.name, node.lineno) for alias in node.names if alias.name.startswith("_"))
    return sorted(set(found), key=lambda f: f[2])


def test_the_scan_finds_each_kind_of_write() -> None:
    source = """
def view(request, obj):
    obj.save()
    form.save(commit=False)
    obj.delete()
    form.save_m2m()
    Event.objects.create(title="x")
    Event.objects.filter(pk=1).update(title="y")
    obj.organisers.add(request.user)
    services._private(obj)
    importing._check(obj)
    Event._default_manager.create(title="z")
    seen = set(); seen.add(1); context.update({}); obj._meta.fields; local._cache
    request.session.clear()
from .services import _lock
from . import importing, services
"""
    assert [(f, call) for f, call, _line in writes_in(source)] == [
        ("view", "obj.save"),
        ("view", "obj.delete"),
        ("view", "form.save_m2m"),
        ("view", "Event.objects.create"),
        ("view", "Event.objects.filter(pk=1).update"),
        ("view", "obj.organisers.add"),
        ("view", "services._private"),
        ("view", "importing._check"),
        ("view", "Event._default_manager.create"),
        ("<module>", "_lock"),
    ]


def test_no_view_writes_a_model_itself_or_calls_a_private_service_function() -> None:
    modules = view_modules()
    assert len(modules) >= 10  # the scan does read the apps' views
    offences = []
    for path in modules:
        module = str(path.relative_to(ROOT))
        for function, call, line in writes_in(path.read_text()):
            if (module, function, call) not in ALLOWED:
                offences.append(f"{module}:{line} {function}: {call}(…)")
    assert not offences, "Move these writes into the app's services.py (permission checked there):\n" + "\n".join(
        offences
    )


def test_every_allowed_write_still_exists() -> None:
    """An allow-list entry whose write is gone is removed, so the list never grows stale."""
    present = {
        (str(path.relative_to(ROOT)), function, call)
        for path in view_modules()
        for function, call, _line in writes_in(path.read_text())
    }
    assert set(ALLOWED) <= present, set(ALLOWED) - present
