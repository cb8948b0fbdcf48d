"""Every package our code imports is declared in requirements.in (runtime) or requirements-dev.in
(tests, benchmarks, CI scripts), not only pulled in as a dependency of another package: a package
we rely on must not disappear when another one stops depending on it."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["raadhuis", "core", "accounts", "members", "events", "desk", "programme", "library", "newsletter"]
APPS += ["selection", "networks", "api", "demo"]
# raadhuis_native: our own C extension, built from native/ by the Makefile.
FIRST_PARTY = {*APPS, "tests", "bench", "manage", "conftest", "raadhuis_native"}


def declared(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        names.add(normalise(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0]))
    return names


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def is_test_code(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "tests" in parts or parts[0] in ("bench", ".ci") or path.name == "conftest.py"


def python_files() -> list[Path]:
    files = [ROOT / "manage.py", ROOT / "conftest.py", *(ROOT / ".ci").glob("*.py"), *(ROOT / "bench").rglob("*.py")]
    for app in [*APPS, "tests"]:
        files += (ROOT / app).rglob("*.py")
    return files


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return {m for m in modules if m not in sys.stdlib_module_names and m not in FIRST_PARTY}


def undeclared(
    files: list[Path] | None = None, runtime: set[str] | None = None, development: set[str] | None = None
) -> dict[str, list[str]]:
    """{"<distribution> in <file it belongs in>": [modules importing it]} for every import whose
    package is not declared where the importing code needs it."""
    runtime = declared(ROOT / "requirements.in") if runtime is None else runtime
    development = runtime | (declared(ROOT / "requirements-dev.in") if development is None else development)
    distributions = importlib.metadata.packages_distributions()
    problems: dict[str, list[str]] = {}
    for path in python_files() if files is None else files:
        test_code = is_test_code(path)
        allowed = development if test_code else runtime
        for module in imported_modules(path):
            names = {normalise(d) for d in distributions.get(module, [])}
            if not names:
                key = f"{module} (not installed)"
            elif not names & allowed:
                key = f"{'/'.join(sorted(names))} in {'requirements-dev.in' if test_code else 'requirements.in'}"
            else:
                continue
            problems.setdefault(key, []).append(str(path.relative_to(ROOT)))
    return problems


def test_every_imported_package_is_declared() -> None:
    problems = undeclared()
    assert not problems, "Imported but not declared: " + "; ".join(
        f"{name} (imported by {', '.join(sorted(paths)[:3])})" for name, paths in sorted(problems.items())
    )


def test_the_check_reports_a_package_that_comes_only_with_another_one() -> None:
    """The check itself: without `cryptography` in requirements.in, core/crypto.py is reported; a
    test-only package used by runtime code is reported too."""
    runtime = declared(ROOT / "requirements.in")
    problems = undeclared([ROOT / "core" / "crypto.py"], runtime=runtime - {"cryptography"})
    assert problems == {"cryptography in requirements.in": ["core/crypto.py"]}
    assert undeclared([ROOT / "tests" / "factories.py"], runtime=runtime, development=set()) == {
        "factory-boy in requirements-dev.in": ["tests/factories.py"]
    }


def test_every_declared_package_is_pinned_in_the_lock_files() -> None:
    """requirements.txt / requirements-dev.txt were regenerated after requirements*.in changed."""

    def pinned(name: str) -> set[str]:
        return {normalise(line.split("==")[0]) for line in (ROOT / name).read_text().splitlines() if "==" in line}

    assert declared(ROOT / "requirements.in") <= pinned("requirements.txt")
    assert declared(ROOT / "requirements-dev.in") <= pinned("requirements-dev.txt")
