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
(for a view), else the app's matrix entries; when those all pass, the app's own tests. A mutant
survives when all of them pass; the script exits 1 if any survives.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

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
SCANNED = ["views.py", "services.py", "selectors.py", "admin.py", "admin_site.py", "permissions.py"]
ALLOW = '__import__("rules").set_rule("mutant.allow", __import__("rules").always_allow) or "mutant.allow"'
PATTERNS = {
    "require": re.compile(r'^(\s*@require\()("[\w.]+")'),
    "can": re.compile(r"(?<![\w.])can\("),
    "denied": re.compile(r"^(\s*)raise PermissionDenied\b.*$"),
    "hidden": re.compile(r"^(\s*)raise Http404\b.*$"),
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


def matrix_keys_by_view() -> dict[tuple[str, str], list[str]]:
    """(module, function name) of each URL's view -> its authorization-matrix keys."""
    code = (
        "import json, django, os\n"
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
        "            while hasattr(f, '__wrapped__'): f = f.__wrapped__\n"
        "            out.append([getattr(f, '__module__', ''), getattr(f, '__name__', ''), key])\n"
        "walk(get_resolver().url_patterns)\n"
        "print(json.dumps(out))\n"
    )
    import json

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=_env()
    )
    keys: dict[tuple[str, str], list[str]] = {}
    for module, function, key in json.loads(result.stdout):
        keys.setdefault((module, function), []).append(key)
    return keys


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "raadhuis.settings.test"}


MATRIX = "tests/test_authorization_matrix.py"


def run(args: list[str]) -> bool:
    """True when the tests pass (the mutant survives them)."""
    command = [sys.executable, "-m", "pytest", "-p", "no:xdist", "-x", "-q", "-p", "no:cacheprovider", *args]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=_env())
    return result.returncode == 0


def test_selections(mutant: Mutant, by_view: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    module = f"{mutant.app}.{mutant.path.stem}"
    keys = by_view.get((module, mutant.function), []) if mutant.path.name == "views.py" else []
    prefix = {"core": "core:", "accounts": "accounts:", "api": "api"}.get(mutant.app, f"{mutant.app}:")
    selections = []
    if keys:
        selections.append([f"{MATRIX}::test_authorization[{key}]" for key in keys])
    selections.append([MATRIX, "-k", f"test_authorization and not staff_without and {prefix.rstrip(':')}"])
    selections.append([f"{mutant.app}/tests"])
    return selections


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("apps", nargs="*", default=APPS)
    parser.add_argument("--list", action="store_true")
    options = parser.parse_args()
    mutants = find_mutants(options.apps)
    if options.list:
        for mutant in mutants:
            print(mutant)
        print(f"{len(mutants)} mutants")
        return 0
    by_view = matrix_keys_by_view()
    survivors = []
    started = time.monotonic()
    for number, mutant in enumerate(mutants, start=1):
        original = mutant.path.read_text()
        try:
            mutant.path.write_text(mutant.apply(original))
            killed_by = ""
            for selection in test_selections(mutant, by_view):
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
    killed = len(mutants) - len(survivors)
    print(f"\n{len(mutants)} mutants, {killed} killed, {len(survivors)} survived ({minutes:.0f} min)")
    for mutant in survivors:
        print(f"  survived: {mutant}")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
