"""`make demo` as a newcomer runs it: the demo settings (DEBUG off), a new SQLite database, the
reference data and the demo data set, each command in its own process as the Makefile runs them.
(Twice it broke without a test seeing it: load_demo refused without DEBUG, then the field
encryption refused without a key.)"""

import os
import subprocess
import sys
from pathlib import Path

from demo.services import DEMO_ACCOUNTS

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_commands_of_the_makefile_run_with_the_demo_settings(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "SECRET_KEY"}}
    environment.update(
        DJANGO_SETTINGS_MODULE="raadhuis.settings.demo",
        DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        LIBRARY_SEARCH_INDEX_DIR=str(tmp_path / "search-index"),
        NETWORKS_SEARCH_INDEX_DIR=str(tmp_path / "network-search-index"),
    )
    output = ""
    for command in (["migrate", "--noinput", "-v", "0"], ["load_bodies"], ["load_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, f"manage.py {' '.join(command)}:\n{result.stderr[-3000:]}"
        output = result.stdout
    # load_demo prints every demo account for the newcomer to log in with.
    for account in DEMO_ACCOUNTS:
        assert account.email in output
