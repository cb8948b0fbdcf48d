"""Backup and restore of the database and the uploaded files (`manage.py backup`, `manage.py
restore`).

A backup is one .tar.gz archive:

- `database.pgdump` (PostgreSQL: `pg_dump` custom format, with sequences, indexes and everything
  else of the schema) or `database.sqlite3` (SQLite: a page-by-page copy made with SQLite's online
  backup API, FTS tables included);
- `media/<name>` for every file in the default storage (local disk or S3, read through the
  storage API);
- `manifest.json`, written last: format version, time, app version, database vendor and the
  dump's SHA-256, the applied migrations, and for every table of every model its row count and a
  checksum over all its rows in primary key order; for every media file its size and SHA-256.

The counts and checksums are taken from the same snapshot as the dump (PostgreSQL: pg_dump runs on
the snapshot exported by our REPEATABLE READ transaction; SQLite: they are read from the copy), so
a backup of a busy site still verifies. A restore goes into an empty database and empty storage
(or replaces their contents with `force`), then recomputes everything in the manifest from the
restored data and reports any difference. The checksums cover the stored bytes: encrypted columns
are compared as ciphertext, so a restore is identical without ever decrypting anything.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_DUMP = "database.sqlite3"
MEDIA_DIR = "media"
FETCH = 2000


class BackupError(Exception):
    """A backup or restore that cannot be done or did not come out identical; the message says
    why and what to do."""


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    media_files: int = 0
    media_bytes: int = 0
    unapplied: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def human_size(size: int | float) -> str:
    """1234567 -> "1.2 MB"."""
    for unit in ("bytes", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


# --- what the manifest describes -----------------------------------------------------------------


def model_tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every concrete model's table, many-to-many tables
    included, sorted by table name."""
    tables: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.pk is None or meta.pk.column is None:
            continue
        tables.setdefault(meta.db_table, meta.pk.column)
    return sorted(tables.items())


def _hash_rows(cursor: Any, vendor: str, table: str, pk: str, quote: Any) -> tuple[int, str]:
    # Each row as one text computed by the database (PostgreSQL: the row's text form, hashed in
    # the server; SQLite: the SQL literal of every column), so no driver type conversion can make
    # equal rows look different. Table and column names come from the models, quoted.
    if vendor == "postgresql":
        cursor.execute(f"SELECT md5(t::text) FROM {quote(table)} AS t ORDER BY {quote(pk)}")  # noqa: S608
    else:
        cursor.execute(f"PRAGMA table_info({quote(table)})")
        columns = " || ',' || ".join(f"quote({quote(row[1])})" for row in cursor.fetchall())
        cursor.execute(f"SELECT {columns} FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608
    digest = hashlib.sha256()
    rows = 0
    while batch := cursor.fetchmany(FETCH):
        for (text,) in batch:
            rows += 1
            digest.update(text.encode())
            digest.update(b"\n")
    return rows, digest.hexdigest()


def table_stats(
    cursor: Any, vendor: str, tables: Sequence[tuple[str, str]], quote: Any
) -> dict[str, dict[str, int | str]]:
    """Row count and checksum (SHA-256 over the rows in primary key order) per table."""
    stats: dict[str, dict[str, int | str]] = {}
    for table, pk in tables:
        rows, checksum = _hash_rows(cursor, vendor, table, pk, quote)
        stats[table] = {"pk": pk, "rows": rows, "checksum": checksum}
    return stats


def _applied_migrations(cursor: Any) -> list[list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def app_version() -> str:
    """RAADHUIS_VERSION when the deployment sets it, else the git commit of the code, else
    "unknown"."""
    if version := os.environ.get("RAADHUIS_VERSION", ""):
        return version
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],  # noqa: S607  (git from PATH, like an operator)
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except OSError:
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# --- PostgreSQL tools ----------------------------------------------------------------------------


def _pg_command(tool: str, conn: BaseDatabaseWrapper) -> tuple[list[str], dict[str, str]]:
    """The connection options of `conn` for pg_dump/pg_restore, and their environment
    (password, SSL options), as Django's dbshell builds them for psql."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(
            f"{tool} was not found. Install the PostgreSQL client of the server's major version "
            "(Debian: apt-get install postgresql-client)."
        )
    client_args, client_env = conn.client.settings_to_cmd_args_env(conn.settings_dict, [])
    args = [executable, "--no-password"]
    params = list(client_args[1:])
    dbname = conn.settings_dict.get("NAME") or ""
    if params and params[-1] == dbname:
        params = params[:-1]
    args += params
    args += ["--dbname", dbname] if dbname else []
    env = {**os.environ, **(client_env or {})}
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603  (our own arguments)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed (exit {result.returncode}): {result.stderr.strip()}")


# --- backup --------------------------------------------------------------------------------------


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """The names of all files in `storage`, folder by folder."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from storage_files(storage, f"{folder}/{sub}" if folder else sub)


def _dump_postgresql(conn: BaseDatabaseWrapper, target: Path) -> tuple[dict[str, Any], list[list[str]]]:
    args, env = _pg_command("pg_dump", conn)
    quote = conn.ops.quote_name
    conn.ensure_connection()
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run([*args, "--format=custom", f"--snapshot={snapshot}", "--file", str(target)], env)
        stats = table_stats(cursor, "postgresql", model_tables(), quote)
        migrations = _applied_migrations(cursor)
    return stats, migrations


def _dump_sqlite(conn: BaseDatabaseWrapper, target: Path) -> tuple[dict[str, Any], list[list[str]]]:
    conn.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        conn.connection.backup(copy)
        cursor = copy.cursor()
        stats = table_stats(cursor, "sqlite", model_tables(), conn.ops.quote_name)
        migrations = _applied_migrations(cursor)
    finally:
        copy.close()
    return stats, migrations


def create_backup(output: Path, *, using: str = DEFAULT_DB_ALIAS, media: bool = True) -> dict[str, Any]:
    """Write a backup of database `using` and (unless `media` is False) the default storage to
    `output` (.tar.gz); return its manifest. The archive appears only when complete."""
    conn = connections[using]
    vendor = conn.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups of {vendor} databases are not supported.")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    with tempfile.TemporaryDirectory(prefix="raadhuis-backup-") as work:
        dump = Path(work) / (PG_DUMP if vendor == "postgresql" else SQLITE_DUMP)
        created = timezone.now()
        if vendor == "postgresql":
            stats, migrations = _dump_postgresql(conn, dump)
        else:
            stats, migrations = _dump_sqlite(conn, dump)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": created.isoformat(),
            "app_version": app_version(),
            "django_version": django.get_version(),
            "database": {
                "vendor": vendor,
                "file": dump.name,
                "sha256": _sha256_file(dump),
                "size": dump.stat().st_size,
            },
            "migrations": migrations,
            "tables": stats,
            "media": {"included": media, "files": {}},
        }
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as archive:
                archive.add(dump, arcname=dump.name)
                if media:
                    for name in storage_files(default_storage):
                        with default_storage.open(name, "rb") as handle:
                            data = handle.read()
                        info = tarfile.TarInfo(f"{MEDIA_DIR}/{name}")
                        info.size = len(data)
                        info.mtime = int(created.timestamp())
                        info.mode = 0o640
                        archive.addfile(info, io.BytesIO(data))
                        manifest["media"]["files"][name] = {
                            "size": len(data),
                            "sha256": hashlib.sha256(data).hexdigest(),
                        }
                payload = json.dumps(manifest, indent=2, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(payload)
                info.mtime = int(created.timestamp())
                info.mode = 0o640
                archive.addfile(info, io.BytesIO(payload))
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.replace(output)
    return manifest


# --- restore -------------------------------------------------------------------------------------


def _extract(archive_path: Path, work: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(work, filter="data")
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive_path} is not a readable backup archive: {error}") from error
    try:
        manifest: dict[str, Any] = json.loads((work / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{archive_path} has no readable {MANIFEST}: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')!r} is not supported (expected {FORMAT}).")
    return manifest


def _target_is_empty(conn: BaseDatabaseWrapper, storage: Storage, media: bool) -> list[str]:
    problems = []
    with conn.cursor() as cursor:
        tables = conn.introspection.table_names(cursor)
    if tables:
        problems.append(f"database {conn.settings_dict['NAME']!s} has {len(tables)} tables")
    if media:
        files = sum(1 for _ in storage_files(storage))
        if files:
            problems.append(f"the media storage holds {files} files")
    return problems


def _restore_postgresql(conn: BaseDatabaseWrapper, dump: Path, *, force: bool) -> None:
    args, env = _pg_command("pg_restore", conn)
    # With --force, pg_restore's --clean drops what the dump holds inside the same single
    # transaction as the restore: either all of it is restored or the target is left as it was.
    conn.close()
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    _run([*args, *options, *(["--clean", "--if-exists"] if force else []), str(dump)], env)
    with conn.cursor() as cursor:
        cursor.execute("ANALYZE")  # pg_restore does not restore the planner's statistics


def _restore_sqlite(conn: BaseDatabaseWrapper, dump: Path) -> None:
    conn.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(conn.connection)
    finally:
        source.close()
    conn.close()


def _verify(conn: BaseDatabaseWrapper, manifest: dict[str, Any], storage: Storage, media: bool) -> RestoreReport:
    report = RestoreReport(manifest=manifest)
    differences: list[str] = []
    quote = conn.ops.quote_name
    expected = manifest["tables"]
    with conn.cursor() as cursor:
        existing = set(conn.introspection.table_names(cursor))
        present = [(table, str(info["pk"])) for table, info in sorted(expected.items()) if table in existing]
        differences += [f"table {table}: missing" for table in sorted(set(expected) - existing)]
        actual = table_stats(cursor, conn.vendor, present, quote)
        migrations = _applied_migrations(cursor)
    for table, info in actual.items():
        if info["rows"] != expected[table]["rows"]:
            differences.append(f"table {table}: {info['rows']} rows, the backup has {expected[table]['rows']}")
        elif info["checksum"] != expected[table]["checksum"]:
            differences.append(f"table {table}: same number of rows, different contents")
        report.rows += int(info["rows"])
    report.tables = len(actual)
    if migrations != manifest["migrations"]:
        differences.append("the applied migrations differ from the backup's")
    if media and manifest["media"]["included"]:
        for name, info in sorted(manifest["media"]["files"].items()):
            try:
                with storage.open(name, "rb") as handle:
                    data = handle.read()
            except (FileNotFoundError, OSError):
                differences.append(f"media {name}: missing")
                continue
            if hashlib.sha256(data).hexdigest() != info["sha256"]:
                differences.append(f"media {name}: different contents")
            report.media_files += 1
            report.media_bytes += len(data)
    if differences:
        shown = "\n  ".join(differences[:50])
        more = f"\n  ... and {len(differences) - 50} more" if len(differences) > 50 else ""
        raise BackupError(f"The restored data differ from the backup:\n  {shown}{more}")
    # Compare with the code: migrations the code has that the backup lacks (run migrate), and
    # migrations the backup has that the code does not know (the backup is from newer code).
    loader = MigrationLoader(None, ignore_no_migrations=True)
    in_backup = {(app, name) for app, name in manifest["migrations"]}
    in_code = set(loader.disk_migrations)
    report.unapplied = sorted(f"{app}.{name}" for app, name in in_code - in_backup)
    report.unknown = sorted(f"{app}.{name}" for app, name in in_backup - in_code)
    return report


def restore_backup(
    archive_path: Path, *, using: str = DEFAULT_DB_ALIAS, force: bool = False, media: bool = True
) -> RestoreReport:
    """Restore `archive_path` into database `using` and (unless `media` is False) the default
    storage, which must be empty unless `force` (then their contents are replaced); then check
    that every table's count and checksum, the migrations and every media file's checksum equal
    the manifest's. Raises BackupError, before changing anything, when the archive is damaged,
    for another database vendor, or the target is not empty; and after restoring when the result
    differs from the backup."""
    conn = connections[using]
    storage = default_storage
    with tempfile.TemporaryDirectory(prefix="raadhuis-restore-") as work_dir:
        work = Path(work_dir)
        manifest = _extract(archive_path, work)
        database = manifest["database"]
        if database["vendor"] != conn.vendor:
            raise BackupError(
                f"This is a backup of a {database['vendor']} database; it cannot be restored into {conn.vendor}."
            )
        dump = work / database["file"]
        if not dump.is_file() or _sha256_file(dump) != database["sha256"]:
            raise BackupError(f"The database dump in {archive_path} is missing or damaged (checksum differs).")
        media_root = work / MEDIA_DIR
        for name, info in manifest["media"]["files"].items():
            path = media_root / name
            if not path.is_file() or _sha256_file(path) != info["sha256"]:
                raise BackupError(f"Media file {name} in {archive_path} is missing or damaged (checksum differs).")
        problems = _target_is_empty(conn, storage, media)
        if problems and not force:
            raise BackupError(
                "The target is not empty: "
                + "; ".join(problems)
                + ". Restore into an empty database and storage, or use --force to replace their contents."
            )

        if conn.vendor == "postgresql":
            _restore_postgresql(conn, dump, force=force)
        else:
            _restore_sqlite(conn, dump)
        try:
            if media:
                _restore_media(storage, media_root, sorted(manifest["media"]["files"]), force=force)
        finally:
            # Cached pages, settings and content type ids belong to the data that was replaced.
            ContentType.objects.clear_cache()
            if using == DEFAULT_DB_ALIAS:
                cache.clear()
    return _verify(conn, manifest, storage, media)


def _restore_media(storage: Storage, media_root: Path, names: list[str], *, force: bool) -> None:
    """The backup's files into `storage` (after the database: a failure here says so)."""
    done = 0
    try:
        if force:
            for name in list(storage_files(storage)):
                storage.delete(name)
        for name in names:
            with (media_root / name).open("rb") as handle:
                saved = storage.save(name, ContentFile(handle.read()))
            if saved != name:
                raise BackupError(f"Media file {name} was stored as {saved}: the storage was not empty.")
            done += 1
    except BackupError:
        raise
    except Exception as error:
        raise BackupError(
            f"The database is restored, but restoring the media files failed after {done} of {len(names)} "
            f"files ({type(error).__name__}: {error}). Run restore --force again to finish."
        ) from error
