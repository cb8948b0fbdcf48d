"""Remove each permission check in turn and show that some test fails (issue 18, point 7).

Run by hand (or in CI) from the project root:

    .venv/bin/python tests/mutation/permission_mutants.py            # every mutant
    .venv/bin/python tests/mutation/permission_mutants.py --list     # what would be tried
    .venv/bin/python tests/mutation/permission_mutants.py desk        # the mutants of one app

A mutant removes one check (the file is restored afterwards, also on Ctrl-C):
- rule:     a rule of an app's rules.py is replaced by `rules.always_allow` (whoever asks may);
- require:  a view's `@require("...")` decorator asks a rule that always allows;
- can:      one `can(...)` call in a view, service, selector or back-office class answers True;
- denied:   one `raise PermissionDenied` becomes `pass`;
- hidden:   one `raise Http404` becomes `pass`.
The tests run for a mutant: the authorization-matrix entries of the URLs whose view holds the check
(for a rule: the views that ask it; for a service: the views that call it), else the app's matrix
entries; when those all pass, tests/test_no_self_widening.py, tests/test_service_permissions.py and
the app's own tests. A mutant survives when all of them pass; the script exits 1 if any survives.
`--in-process` (the fast way, minutes instead of hours): one pytest session, each mutant applied in
memory, tried against the matrix entries, the zero-argument tests of tests/test_service_permissions.py
and of each app's tests/test_permission_checks.py (services called directly: write the test of a
service's check there, without fixtures), and the self-widening attempts; what survives that is then
confirmed in the default mode (a pytest run per mutant with the app's own tests).

A few mutants cannot make any test fail because removing the check changes nothing; they are listed
in EQUIVALENT below, each with its reason, reported as "equivalent" and not counted as survivors.
Keep that list short and honest: a check that matters gets a test instead.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "api",
    "core",
    "desk",
    "events",
    "library",
    "members",
    "networks",
    "newsletter",
    "programme",
    "selection",
]
SCANNED = [
    "views.py",
    "services.py",
    "selectors.py",
    "admin.py",
    "admin_site.py",
    "permissions.py",
    "importing.py",
    "invitations.py",
    "home.py",
    "navigation.py",
]  # (core/files.py's one 404 is for a stored file that is missing, not a permission check)
ALLOW = '__import__("rules").set_rule("mutant.allow", __import__("rules").always_allow) or "mutant.allow"'
PATTERNS = {
    "require": re.compile(r'^(\s*@require\()("[\w.]+")'),
    "can": re.compile(r"(?<![\w.])can\("),
    "denied": re.compile(r"^(\s*)raise PermissionDenied\b.*$"),
    "hidden": re.compile(r"^(\s*)raise Http404\b.*$"),
}

# (kind, file relative to the project, function or rule) -> why removing this check changes nothing.
EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("rule", "programme/rules.py", "programme.apply"): "rules.always_allow already: anyone may apply",
    ("rule", "programme/rules.py", "programme.view_practices"): "rules.always_allow already: public page",
    ("rule", "selection/rules.py", "selection.apply"): "rules.always_allow already: anyone may apply",
    ("require", "selection/views.py", "calls"): "asks selection.apply, which always allows (public list of calls)",
    ("require", "selection/views.py", "call"): "asks selection.apply, which always allows (a draft: _published's 404)",
    ("require", "selection/views.py", "apply"): "asks selection.apply, which always allows (anyone may apply)",
    ("require", "selection/views.py", "status"): "asks selection.apply, which always allows (the token decides)",
    ("require", "programme/views.py", "apply"): "asks programme.apply, which always allows",
    ("require", "programme/views.py", "practices"): "asks programme.view_practices, which always allows",
    ("require", "programme/views.py", "practice"): "asks programme.view_practices, which always allows",
    ("rule", "networks/rules.py", "networks.unsubscribe"): "rules.always_allow already: the signed token decides",
    ("require", "networks/views.py", "unsubscribe"): "asks networks.unsubscribe, which always allows",
    ("rule", "library/rules.py", "library.search"): "rules.always_allow already: the library is public",
    ("rule", "library/rules.py", "library.unsubscribe"): "rules.always_allow already: the link's token decides",
    ("require", "library/views.py", "search_view"): "asks library.search, which always allows",
    ("require", "library/views.py", "unsubscribe_view"): "asks library.unsubscribe, which always allows",
    ("rule", "newsletter/rules.py", "newsletter.read"): "rules.always_allow already: public pages",
    ("rule", "newsletter/rules.py", "newsletter.subscribe"): "rules.always_allow already: anyone may subscribe",
    ("require", "newsletter/views.py", "news_list"): "asks newsletter.read, which always allows",
    ("require", "newsletter/views.py", "publication_list"): "asks newsletter.read, which always allows",
    ("require", "newsletter/views.py", "archive"): "asks newsletter.read, which always allows",
    ("require", "newsletter/views.py", "subscribe"): "asks newsletter.subscribe, which always allows",
    ("require", "newsletter/views.py", "confirm"): "asks newsletter.subscribe, which always allows",
    ("require", "newsletter/views.py", "unsubscribe"): "asks newsletter.subscribe, which always allows",
    ("require", "newsletter/views.py", "preferences"): "asks newsletter.subscribe, which always allows",
    ("require", "newsletter/views.py", "my_subscription"): "asks newsletter.subscribe, which always allows",
    ("rule", "events/rules.py", "events.view_list"): "rules.always_allow already: the list is public",
    ("require", "events/views.py", "event_list"): "asks events.view_list, which always allows",
    ("hidden", "members/views.py", "_own_member"): (
        "every caller's rule asks for a member record (members.edit_profile, members.use_messages); "
        "_own_mandate, run before the rule, finds no mandate of a None member: 404 too"
    ),
    ("can", "core/admin.py", "_allowed"): (
        "every back-office request passes RaadhuisAdminSite.guarded (core.use_admin) first and no ModelAdmin "
        "sets a stricter admin_permission yet; the first that does makes this mutant killable"
    ),
    ("hidden", "desk/views.py", "_int"): "without the raise it returns None: get_object_or_404(pk=None) is a 404 too",
}


@dataclass
class Mutant:
    app: str
    path: Path
    line: int  # 1-based; 0 for a rule (appended at the end)
    kind: str
    what: str
    function: str = ""

    def apply(self, source: str) -> str:
        if self.kind == "rule":
            return source + f'\nrules.set_rule("{self.what}", rules.always_allow)  # mutant\n'
        lines = source.splitlines(keepends=True)
        text = lines[self.line - 1]
        if self.kind == "require":
            text = PATTERNS["require"].sub(lambda m: m.group(1) + ALLOW, text, count=1)
        elif self.kind == "can":
            text = PATTERNS["can"].sub("(lambda *_a, **_k: True)(", text, count=1)
        else:
            text = PATTERNS[self.kind].sub(lambda m: m.group(1) + "pass  # mutant", text, count=1)
        lines[self.line - 1] = text
        return "".join(lines)

    @property
    def equivalent(self) -> str:
        """Why this mutant cannot be killed (EQUIVALENT), or ''."""
        key = (self.kind, str(self.path.relative_to(ROOT)), self.what if self.kind == "rule" else self.function)
        return EQUIVALENT.get(key, "")

    def __str__(self) -> str:
        where = f"{self.path.relative_to(ROOT)}:{self.line}" if self.line else str(self.path.relative_to(ROOT))
        return f"{self.kind:8} {where:32} {self.function or self.what}"


def enclosing_functions(source: str) -> dict[int, str]:
    names: dict[int, str] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            for line in range(start, (node.end_lineno or node.lineno) + 1):
                names[line] = node.name  # ast.walk visits outer functions first: the innermost wins
    return names


def find_mutants(apps: list[str]) -> list[Mutant]:
    mutants = []
    for app in apps:
        rules_py = ROOT / app / "rules.py"
        if rules_py.exists():
            for name in re.findall(r'rules\.add_rule\(\s*"([\w.]+)"', rules_py.read_text()):
                mutants.append(Mutant(app, rules_py, 0, "rule", name))
        for file_name in SCANNED:
            path = ROOT / app / file_name
            if not path.exists():
                continue
            source = path.read_text()
            functions = enclosing_functions(source)
            for number, text in enumerate(source.splitlines(), start=1):
                if text.lstrip().startswith("#"):
                    continue
                for kind, pattern in PATTERNS.items():
                    if kind == "can" and (text.lstrip().startswith(("def ", "from ", "import ")) or "@require" in text):
                        continue
                    if pattern.search(text):
                        mutants.append(Mutant(app, path, number, kind, text.strip(), functions.get(number, "")))
    return mutants


@dataclass
class UrlView:
    key: str  # the authorization matrix's key
    module: str
    function: str
    permission: str  # of its @require, if any
    source: str  # of the view function


def url_views() -> list[UrlView]:
    """Every URL with the function behind it (unwrapped), its @require permission and its code."""
    code = (
        "import inspect, json, django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'raadhuis.settings.test')\n"
        "django.setup()\n"
        "from django.urls import URLPattern, URLResolver, get_resolver\n"
        "out = []\n"
        "def walk(patterns, ns=None, prefix=''):\n"
        "    for p in patterns:\n"
        "        if isinstance(p, URLResolver):\n"
        "            n = (f'{ns}:{p.namespace}' if ns else p.namespace) if p.namespace else ns\n"
        "            walk(p.url_patterns, n, prefix + str(p.pattern))\n"
        "        else:\n"
        "            key = (f'{ns}:{p.name}' if ns else p.name) if p.name else prefix + str(p.pattern)\n"
        "            f = p.callback\n"
        "            permission = ''\n"
        "            while True:\n"
        "                permission = permission or getattr(f, 'permission', '')\n"
        "                if not hasattr(f, '__wrapped__'): break\n"
        "                f = f.__wrapped__\n"
        "            try: source = inspect.getsource(f)\n"
        "            except (OSError, TypeError): source = ''\n"
        "            out.append([key, getattr(f, '__module__', ''), getattr(f, '__name__', ''), permission, source])\n"
        "walk(get_resolver().url_patterns)\n"
        "print(json.dumps(out))\n"
    )
    import json

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=_env()
    )
    return [UrlView(*row) for row in json.loads(result.stdout)]


def matrix_keys(mutant: Mutant, views: list[UrlView]) -> list[str]:
    """The matrix entries whose view holds the check: for a rule, the views that @require it or
    name it in their code; for a view, its URLs; for a service or selector function, the views of
    the same app that call it."""
    if mutant.kind == "rule":
        return [v.key for v in views if v.permission == mutant.what or f'"{mutant.what}"' in v.source]
    if mutant.path.name == "views.py":
        module = f"{mutant.app}.views"
        own = [v.key for v in views if (v.module, v.function) == (module, mutant.function)]
        if own:
            return own
    if mutant.function:
        return [
            v.key
            for v in views
            if v.module.startswith(f"{mutant.app}.") and re.search(rf"\b{re.escape(mutant.function)}\(", v.source)
        ]
    return []


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "raadhuis.settings.test"}


MATRIX = "tests/test_authorization_matrix.py"


def run(args: list[str]) -> bool:
    """True when the tests pass (the mutant survives them)."""
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-x", "-q", "-p", "no:cacheprovider", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=_env())
    return result.returncode == 0


def test_selections(mutant: Mutant, views: list[UrlView]) -> list[list[str]]:
    prefix = {"core": "core:", "accounts": "accounts:", "api": "api"}.get(mutant.app, f"{mutant.app}:")
    selections = []
    keys = matrix_keys(mutant, views)
    if keys:
        selections.append([f"{MATRIX}::test_authorization[{key}]" for key in sorted(set(keys))])
    else:
        selections.append([MATRIX, "-k", f"test_authorization and not staff_without and {prefix.rstrip(':')}"])
    selections.append(["tests/test_no_self_widening.py", "tests/test_service_permissions.py", f"{mutant.app}/tests"])
    return selections


# --- in process: one pytest session, the matrix's world built once, each mutant applied in memory ---
# (a pytest run per mutant builds the world again each time: minutes per mutant on a busy machine).
# `--in-process` runs this file under pytest; test_mutants below applies each mutant to the live
# code (a rule replaced in the rule set, a @require's permission swapped in its closure, a function's
# code object replaced by the mutated one), makes the requests of the matrix entries of the views
# that hold the check and the attempts of tests/test_no_self_widening.py, and puts it back.


def _live_functions(module: Any) -> list[Any]:
    found = []
    for value in list(vars(module).values()):
        candidates = [value]
        if isinstance(value, type) and value.__module__ == module.__name__:
            candidates = list(vars(value).values())
        for candidate in candidates:
            function = candidate
            while function is not None:
                if hasattr(function, "__code__"):
                    found.append(function)
                function = getattr(function, "__wrapped__", None)
    return found


def _code_objects(code: Any) -> list[Any]:
    found = [code]
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            found.extend(_code_objects(const))
    return found


@contextlib.contextmanager
def applied(mutant: Mutant) -> Any:
    import importlib

    import rules

    if mutant.kind == "rule":
        original = rules.rulesets.default_rules[mutant.what]
        rules.set_rule(mutant.what, rules.always_allow)
        try:
            yield True
        finally:
            rules.set_rule(mutant.what, original)
        return
    module = importlib.import_module(f"{mutant.app}.{mutant.path.stem}")
    source = mutant.path.read_text()
    if mutant.kind == "require":
        rules.set_rule("mutant.allow", rules.always_allow)
        cells = []
        for function in _live_functions(module):
            inner = function
            while hasattr(inner, "__wrapped__"):
                inner = inner.__wrapped__
            if getattr(function, "permission", None) and inner.__name__ == mutant.function:
                for name, cell in zip(function.__code__.co_freevars, function.__closure__ or (), strict=False):
                    if name == "permission":
                        cells.append((cell, cell.cell_contents))
                        cell.cell_contents = "mutant.allow"
        try:
            yield bool(cells)
        finally:
            for cell, value in cells:
                cell.cell_contents = value
        return
    compiled = compile(mutant.apply(source), str(mutant.path), "exec")
    new_codes = {(c.co_name, c.co_firstlineno): c for c in _code_objects(compiled)}
    old_codes = {(c.co_name, c.co_firstlineno): c for c in _code_objects(compile(source, str(mutant.path), "exec"))}
    swapped = []
    for function in _live_functions(module):
        key = (function.__code__.co_name, function.__code__.co_firstlineno)
        new, old = new_codes.get(key), old_codes.get(key)
        # (code objects compare with their constants: a change inside a comprehension counts too)
        changed = new is not None and old is not None and new != old
        if changed and len(new.co_freevars) == len(function.__code__.co_freevars):
            swapped.append((function, function.__code__))
            function.__code__ = new
    try:
        yield bool(swapped)
    finally:
        for function, code in swapped:
            function.__code__ = code


@pytest.mark.django_db
def test_mutants(world: Any) -> None:  # run by --in-process only
    import logging

    from django.db import transaction

    from tests import test_no_self_widening as widening
    from tests.test_authorization_matrix import FULL_MATRIX, check_cases

    logging.disable(logging.CRITICAL)  # the refusals a mutant's requests get are expected
    apps = os.environ.get("PERMISSION_MUTANT_APPS", "").split() or APPS
    mutants = find_mutants(apps)
    views = url_views()
    only = os.environ.get("PERMISSION_MUTANT_ONLY", "")
    mutants = [m for m in mutants if only in str(m)]
    service_tests = _zero_argument_tests()
    for test in list(service_tests):  # a test that fails without a mutant (e.g. on the world's data) proves nothing
        if failure := _service_tests_fail([test]):
            service_tests.remove(test)
            print(f"not used in process, fails without a mutant: {failure}", flush=True)
    survivors, not_applied, equivalent = [], [], []
    started = time.monotonic()
    for number, mutant in enumerate(mutants, start=1):
        if mutant.equivalent:
            equivalent.append(mutant)
            print(f"[{number}/{len(mutants)}] {mutant}: equivalent ({mutant.equivalent})", flush=True)
            continue
        keys = sorted(set(matrix_keys(mutant, views))) or sorted(
            k for k in FULL_MATRIX if k.startswith(f"{mutant.app}:") or k.startswith(f"admin:{mutant.app}_")
        )
        killed_by = ""
        with applied(mutant) as ok:
            if not ok:
                not_applied.append(mutant)
                print(f"[{number}/{len(mutants)}] {mutant}: not applied (no live code found)", flush=True)
                continue
            for key in keys:
                try:
                    with transaction.atomic():
                        check_cases(FULL_MATRIX[key], world, stop_early=True)
                        transaction.set_rollback(True)
                except (Exception, pytest.fail.Exception) as error:  # noqa: BLE001  (assertion, pytest.raises, mutant error)
                    killed_by = f"matrix {key}: {(str(error).splitlines() or [type(error).__name__])[0][:90]}"
                    break
            if not killed_by:
                killed_by = _service_tests_fail(service_tests)
            if not killed_by:
                for attempt in widening.ATTEMPTS:
                    try:
                        widening.test_no_role_can_widen_its_own_access_through_a_field_it_may_write(attempt, world)
                    except (Exception, pytest.fail.Exception) as error:  # noqa: BLE001
                        first = (str(error).splitlines() or [type(error).__name__])[0]
                        killed_by = f"self-widening {attempt.label}: {first[:60]}"
                        break
        print(
            f"[{number}/{len(mutants)}] {mutant}: {'killed by ' + killed_by if killed_by else 'SURVIVED'}", flush=True
        )
        if not killed_by:
            survivors.append(mutant)
    minutes = (time.monotonic() - started) / 60
    tried = len(mutants) - len(not_applied) - len(equivalent)
    print(f"\n{tried} mutants tried, {tried - len(survivors)} killed, {len(survivors)} survived ({minutes:.0f} min)")
    for mutant in survivors:
        print(f"  survived: {mutant}")
    for mutant in not_applied:
        print(f"  not applied: {mutant}")
    for mutant in equivalent:
        print(f"  equivalent: {mutant} ({mutant.equivalent})")
    if report := os.environ.get("PERMISSION_MUTANT_SURVIVORS"):
        Path(report).write_text("".join(f"{mutant}\n" for mutant in survivors))
    else:
        assert not survivors


# Modules whose zero-argument tests (services called directly) also run in process for each mutant.
SERVICE_TEST_MODULES = ["tests.test_service_permissions", *(f"{app}.tests.test_permission_checks" for app in APPS)]


def _zero_argument_tests() -> list[Any]:
    import importlib
    import inspect

    tests = []
    for name in SERVICE_TEST_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        for attribute, test in vars(module).items():
            if attribute.startswith("test_") and callable(test) and not inspect.signature(test).parameters:
                tests.append(test)
    return tests


def _service_tests_fail(tests: list[Any]) -> str:
    """The first zero-argument service test that fails under the mutant, each in a rolled-back transaction."""
    from django.core import mail
    from django.db import transaction

    for test in tests:
        mail.outbox = []
        try:
            with transaction.atomic():
                test()
                transaction.set_rollback(True)
        except (Exception, pytest.fail.Exception) as error:  # noqa: BLE001  (assertion, pytest.raises, mutant error)
            first = (str(error).splitlines() or [type(error).__name__])[0]
            return f"{test.__module__}.{test.__name__}: {first[:60]}"
    return ""


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    from tests.test_authorization_matrix import rolled_back_world

    yield from rolled_back_world(django_db_blocker)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", default=APPS)
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--only", default="", metavar="TEXT", help="only the mutants whose --list line holds TEXT")
    parser.add_argument("--in-process", action="store_true", help="one pytest session, mutants applied in memory")
    options = parser.parse_args()
    mutants = [m for m in find_mutants(options.apps) if options.only in str(m)]
    if options.in_process:
        with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
            env = {
                **_env(),
                "PERMISSION_MUTANT_APPS": " ".join(options.apps),
                "PERMISSION_MUTANT_ONLY": options.only,
                "PERMISSION_MUTANT_SURVIVORS": report.name,
            }
            command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-q", "-s", "-p", "no:cacheprovider"]
            if subprocess.run([*command, __file__ + "::test_mutants"], cwd=ROOT, env=env).returncode:
                return 2
            left = set(report.read().splitlines())
        if not left:
            return 0
        # What survived the matrix, the service tests and the self-widening attempts in process may
        # still be killed by the app's own tests: confirm each in the default mode.
        print(f"\nConfirming the {len(left)} survivors with the app tests (a pytest run each):", flush=True)
        mutants = [m for m in mutants if str(m) in left]
    # Stopped from outside: leave through `finally`, which puts the mutated file back.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(2))
    if options.list:
        for mutant in mutants:
            print(f"{mutant}  (equivalent: {mutant.equivalent})" if mutant.equivalent else mutant)
        print(f"{len(mutants)} mutants")
        return 0
    views = url_views()
    survivors, equivalent = [], []
    started = time.monotonic()
    for number, mutant in enumerate(mutants, start=1):
        if mutant.equivalent:
            equivalent.append(mutant)
            print(f"[{number}/{len(mutants)}] {mutant}: equivalent ({mutant.equivalent})", flush=True)
            continue
        original = mutant.path.read_text()
        try:
            mutant.path.write_text(mutant.apply(original))
            killed_by = ""
            for selection in test_selections(mutant, views):
                if not run(selection):
                    killed_by = " ".join(selection)[:80]
                    break
        finally:
            mutant.path.write_text(original)
        status = f"killed ({killed_by})" if killed_by else "SURVIVED"
        print(f"[{number}/{len(mutants)}] {mutant}: {status}", flush=True)
        if not killed_by:
            survivors.append(mutant)
    minutes = (time.monotonic() - started) / 60
    tried = len(mutants) - len(equivalent)
    killed = tried - len(survivors)
    print(f"\n{tried} mutants, {killed} killed, {len(survivors)} survived ({minutes:.0f} min)")
    for mutant in survivors:
        print(f"  survived: {mutant}")
    for mutant in equivalent:
        print(f"  equivalent: {mutant} ({mutant.equivalent})")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
