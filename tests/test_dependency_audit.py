"""The CI dependency audit (.ci/audit_dependencies.py) fails on known vulnerabilities, and only
then: an unreachable vulnerability service is reported as "not audited", never as clean."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "audit_dependencies.py"


def run_with_fake_pip_audit(
    tmp_path: Path, *, stdout: str, stderr: str = "", code: int = 0
) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "pip-audit"
    (tmp_path / "out.txt").write_text(stdout)
    (tmp_path / "err.txt").write_text(stderr)
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys, pathlib\n"
        f"here = pathlib.Path({str(tmp_path)!r})\n"
        "(here / 'args.txt').write_text(' '.join(sys.argv[1:]))\n"
        "sys.stdout.write((here / 'out.txt').read_text())\n"
        "sys.stderr.write((here / 'err.txt').read_text())\n"
        f"sys.exit({code})\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    environment = {**os.environ, "PIP_AUDIT": str(fake)}
    return subprocess.run([sys.executable, str(SCRIPT)], env=environment, capture_output=True, text=True, timeout=60)


def test_a_known_vulnerability_fails_with_the_fixed_version(tmp_path: Path) -> None:
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "4.2.0",
                "vulns": [
                    {"id": "PYSEC-2023-61", "fix_versions": ["4.2.1"], "aliases": ["CVE-2023-31047"], "description": ""}
                ],
            },
            {"name": "rules", "version": "3.5", "vulns": []},
        ],
        "fixes": [],
    }
    result = run_with_fake_pip_audit(tmp_path, stdout=json.dumps(report), code=1)
    assert result.returncode == 1
    assert "VULNERABLE django 4.2.0: PYSEC-2023-61 (CVE-2023-31047); fixed in 4.2.1" in result.stdout
    arguments = (tmp_path / "args.txt").read_text()
    assert "--requirement requirements.txt" in arguments and "--requirement requirements-dev.txt" in arguments


def test_a_clean_audit_passes(tmp_path: Path) -> None:
    report = {"dependencies": [{"name": "rules", "version": "3.5", "vulns": []}], "fixes": []}
    result = run_with_fake_pip_audit(tmp_path, stdout=json.dumps(report))
    assert result.returncode == 0
    assert "No known vulnerabilities in 1 audited packages (0 not audited)." in result.stdout


def test_nothing_audited_is_reported_as_such_and_does_not_fail(tmp_path: Path) -> None:
    skipped = "Dependency not found on PyPI and could not be audited: rules (3.5)"
    report = {"dependencies": [{"name": "rules", "skip_reason": skipped}], "fixes": []}
    result = run_with_fake_pip_audit(tmp_path, stdout=json.dumps(report))
    assert result.returncode == 0
    assert result.stdout.startswith("NOT AUDITED: 1 packages")
    assert "No known vulnerabilities" not in result.stdout


def test_an_unreachable_service_does_not_fail_but_another_crash_does(tmp_path: Path) -> None:
    network = "requests.exceptions.ConnectionError: Failed to resolve 'api.osv.dev' (NameResolutionError)"
    result = run_with_fake_pip_audit(tmp_path, stdout="", stderr=network, code=1)
    assert result.returncode == 0 and "NOT AUDITED" in result.stdout
    result = run_with_fake_pip_audit(tmp_path, stdout="", stderr="ERROR: invalid requirement 'django>'", code=1)
    assert result.returncode == 1 and "not a network problem" in result.stdout
