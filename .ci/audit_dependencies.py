#!/usr/bin/env python3
"""Dependency audit for CI: pip-audit over the pinned requirements.

Fails (exit 1) when a pinned package has a known vulnerability, and lists the fixed versions.
Does NOT fail when the vulnerability service cannot be reached (CI machines may only reach the
package index, not PyPI's per-release JSON API or OSV): it then says loudly that nothing was
audited. pip-audit itself reports "No known vulnerabilities found" even when it could check no
package at all, so the skipped packages are counted here and never taken for a clean result.

Usage: .ci/audit_dependencies.py [requirements files...]   (default: requirements.txt and
requirements-dev.txt). PIP_AUDIT_SERVICE=osv uses the OSV database instead of PyPI's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = os.environ.get("PIP_AUDIT", str(ROOT / ".venv" / "bin" / "pip-audit"))
NETWORK_ERRORS = ("ConnectionError", "NameResolutionError", "Max retries exceeded", "Timeout", "SSLError")
UNREACHABLE = "Dependency not found on PyPI"


def main(files: list[str]) -> int:
    files = files or ["requirements.txt", "requirements-dev.txt"]
    command = [PIP_AUDIT, "--disable-pip", "--no-deps", "--progress-spinner", "off", "--format", "json"]
    command += ["--vulnerability-service", os.environ.get("PIP_AUDIT_SERVICE", "pypi")]
    for name in files:
        command += ["--requirement", name]
    # The command is ours; only requirement file names from the CI script are added.
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        if any(error in result.stderr for error in NETWORK_ERRORS):
            print("NOT AUDITED: the vulnerability service could not be reached from this machine.")
            print(result.stderr.strip().splitlines()[-1])
            return 0
        print(result.stdout + result.stderr)
        print("pip-audit failed (not a network problem): see above.")
        return 1

    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            aliases = ", ".join(vuln.get("aliases", []))
            print(
                f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} ({aliases}); fixed in {fixed}"
            )
    if vulnerable:
        print(f"{len(vulnerable)} of {audited} audited packages have known vulnerabilities: update their pins.")
        return 1
    if dependencies and not audited:
        unreachable = all(UNREACHABLE in d["skip_reason"] for d in skipped)
        reason = "the service answered for none of them" if unreachable else "every package was skipped"
        print(f"NOT AUDITED: {len(skipped)} packages, {reason}.")
        print("(PyPI's per-release JSON API, which pip-audit asks, is not reachable from this machine.)")
        return 0
    for dependency in skipped:
        print(f"not audited: {dependency['name']}: {dependency['skip_reason']}")
    print(f"No known vulnerabilities in {audited} audited packages ({len(skipped)} not audited).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
