"""Backup and restore: a backup restored into an empty, separate database is identical (every
table's rows, sequences, encrypted columns, media bytes), and restore refuses what it must refuse.

The restore runs as an operator runs it: `manage.py restore` in its own process
(core/tests/restore_process.py), into a fresh database (PostgreSQL: test_restore_<random>; SQLite: a
new file) and an empty media folder."""

from __future__ import annotations

import io
import json
import os
import secrets
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections

from core.backup import MANIFEST, storage_files
from core.tests.restore_process import table_rows
from desk import services as desk_services
from desk.models import Kind
from events import services as event_services
from library import engine
from library.models import Attachment
from members.models import Member
from tests.factories import DocumentFactory, EventFactory, MandateFactory, MemberFactory, make_role_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)
SECRET_SUBJECT = "Bedreiging na de raadsvergadering"
SECRET_TEXT = "Iemand wacht mij elke avond op bij het gemeentehuis."
KEY_TABLES = [
    "accounts_user",
    "members_member",
    "members_mandate",
    "library_document",
    "library_attachment",
    "desk_case",
    "desk_casemessage",
    "desk_caseattachment",
    "events_event",
    "events_session",
    "events_registration",
]


ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def fill() -> dict[str, Any]:
    """Members with mandates and a photo, shared documents (indexed) with an attachment, an advice
    case with an encrypted attachment, an event with registrations, and a binary media file."""
    members = [MemberFactory() for _ in range(6)]
    for member in members:
        MandateFactory(member=member)
    members[0].photo.save("portret.png", ContentFile(PNG), save=True)
    documents = [DocumentFactory(title=f"Motie over armoedebeleid {n}", text="Verzoekt het college") for n in range(4)]
    Attachment.objects.create(
        document=documents[0], file=ContentFile(PDF, name="bijlage.pdf"), name="Bijlage", text="bijlage"
    )
    engine.index_documents(documents)
    requester = make_role_user("member")
    case = desk_services.open_case(
        requester=requester.member,
        kind=Kind.THREAT_PHYSICAL,
        subject=SECRET_SUBJECT,
        description=SECRET_TEXT,
        files=[SimpleUploadedFile("aangifte.pdf", PDF, content_type="application/pdf")],
    )
    desk_services.add_message(case=case, author=make_role_user("adviser"), body="Bel de wijkagent, hij weet ervan.")
    event = EventFactory(capacity=2)
    for member in members[:4]:  # two seats: two confirmed, two waiting
        event_services.register(event=event, member=member)
    default_storage.save("archief/binair.bin", ContentFile(bytes(range(256)) * 40))
    return {"case": case}


def media() -> dict[str, bytes]:
    found = {}
    for name in storage_files(default_storage):
        with default_storage.open(name, "rb") as handle:
            found[name] = handle.read()
    return found


def clear_media() -> None:
    for name in list(storage_files(default_storage)):
        default_storage.delete(name)


def folder_files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in root.rglob("*") if path.is_file()}


class Target:
    """A new, empty database (PostgreSQL: test_restore_<random> on the test server; SQLite: a new
    file) and media folder, restored into by `manage.py restore` in a separate process."""

    def __init__(self, tmp_path: Path) -> None:
        settings = connections["default"].settings_dict
        self.media_root = tmp_path / "restored-media"
        self.report_path = tmp_path / "report.json"
        self.admin_dsn = ""
        if connections["default"].vendor == "postgresql":
            import psycopg

            self.name = f"test_restore_{secrets.token_hex(4)}"
            password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
            server = f"postgres://{settings['USER']}{password}@{settings['HOST']}:{settings['PORT'] or 5432}"
            self.admin_dsn = f"{server}/postgres"
            with psycopg.connect(self.admin_dsn, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.name}"')
            self.url = f"{server}/{self.name}"
        else:
            self.name = str(tmp_path / "restored.sqlite3")
            self.url = f"sqlite:///{self.name}"

    def restore(self, archive: Path, *flags: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "DATABASE_URL": self.url, "DJANGO_SETTINGS_MODULE": "raadhuis.settings.test"}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "core.tests.restore_process",
                str(archive),
                str(self.media_root),
                str(self.report_path),
                *flags,
            ],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def report(self) -> dict[str, Any]:
        return dict(json.loads(self.report_path.read_text()))

    def drop(self) -> None:
        if self.admin_dsn:
            import psycopg

            with psycopg.connect(self.admin_dsn, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    made = Target(tmp_path)
    try:
        yield made
    finally:
        made.drop()


@pytest.fixture(autouse=True)
def _empty_media(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    # A media storage of its own: the test settings' in-memory storage lives as long as the process
    # and holds what earlier tests in it uploaded.
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    yield
    clear_media()


def rewrite(archive: Path, target: Path, change: Any) -> None:
    """A copy of `archive` with `change(name, data) -> data` applied to each member."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as copy:
        for member in source.getmembers():
            handle = source.extractfile(member)
            assert handle is not None
            data = change(member.name, handle.read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))


def test_a_backup_restores_identically_into_an_empty_database(tmp_path, target, capsys) -> None:  # type: ignore[no-untyped-def]
    world = fill()
    original_media = media()
    assert len(original_media) == 3  # photo, library attachment, binary file
    archive = tmp_path / "backup.tar.gz"

    call_command("backup", output=archive)
    output = capsys.readouterr().out
    assert f"Backup written to {archive}" in output
    assert "media: 3 files" in output
    with tarfile.open(archive, "r:gz") as contents:
        names = contents.getnames()
        manifest = json.load(contents.extractfile(MANIFEST))  # type: ignore[arg-type]
    assert names[-1] == MANIFEST
    assert {f"media/{name}" for name in original_media} <= set(names)
    assert manifest["tables"]["members_member"]["rows"] == Member.objects.count()
    assert manifest["tables"]["desk_case"]["rows"] == 1
    assert ["core", "0005_worker_heartbeat"] in manifest["migrations"]

    result = target.restore(archive)
    assert result.returncode == 0, result.stderr
    assert "counts and checksums identical" in result.stdout
    assert "media: 3 files" in result.stdout
    report = target.report()

    # Every table has the same rows in the restored database, compared independently of the
    # manifest's checksums; the key tables are not empty (so the comparison means something).
    original = table_rows()
    assert set(report["tables"]) == set(original)
    for table, rows in original.items():
        assert report["tables"][table] == rows, table
    for table in KEY_TABLES:
        assert original[table], f"{table} has no rows to compare"
    assert folder_files(target.media_root) == original_media

    # Encrypted columns are the same ciphertext, so they decrypt with the same keys.
    assert report["cases"] == [[world["case"].pk, SECRET_SUBJECT, SECRET_TEXT, [PDF.hex()]]]
    # Sequences are restored: a new row gets the next id, not one that is taken.
    newest, added = report["new_member"]
    assert newest == Member.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert added == newest + 1


def test_restore_refuses_a_target_that_is_not_empty_unless_forced(tmp_path, target) -> None:  # type: ignore[no-untyped-def]
    fill()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)

    result = target.restore(archive, "--add-extra")
    assert result.returncode == 1
    assert "The target is not empty: database " in result.stderr
    assert "use --force to replace their contents" in result.stderr

    # With --force the contents are replaced (the extra row and file disappear) and verified.
    result = target.restore(archive, "--add-extra", "--force")
    assert result.returncode == 0, result.stderr
    assert "counts and checksums identical" in result.stdout
    assert target.report()["tables"] == table_rows()
    assert folder_files(target.media_root) == media()


def test_restore_reports_data_that_do_not_match_the_manifest(tmp_path, target) -> None:  # type: ignore[no-untyped-def]
    fill()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, no_media=True)

    def wrong_checksum(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["tables"]["members_member"]["checksum"] = "0" * 64
        manifest["tables"]["desk_case"]["rows"] += 1
        return json.dumps(manifest).encode()

    tampered = tmp_path / "tampered.tar.gz"
    rewrite(archive, tampered, wrong_checksum)
    result = target.restore(tampered)
    assert result.returncode == 1
    assert "The restored data differ from the backup" in result.stderr
    assert "table members_member: same number of rows, different contents" in result.stderr
    assert "table desk_case: 1 rows, the backup has 2" in result.stderr


def test_restore_refuses_a_damaged_archive_before_changing_anything(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fill()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)
    before = table_rows()

    def flip_a_byte(name: str, data: bytes) -> bytes:
        if name.startswith("database."):
            return data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
        return data

    damaged = tmp_path / "damaged.tar.gz"
    rewrite(archive, damaged, flip_a_byte)
    # These checks come before the one for an empty target, so the (full) test database serves.
    with pytest.raises(CommandError, match=r"database dump .* is missing or damaged"):
        call_command("restore", damaged, force=True)

    def other_vendor(name: str, data: bytes) -> bytes:
        if name != MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["database"]["vendor"] = "oracle"
        return json.dumps(manifest).encode()

    foreign = tmp_path / "foreign.tar.gz"
    rewrite(archive, foreign, other_vendor)
    with pytest.raises(CommandError, match="backup of a oracle database; it cannot be restored into"):
        call_command("restore", foreign, force=True)

    (tmp_path / "not-a-backup.tar.gz").write_bytes(b"nonsense")
    with pytest.raises(CommandError, match="is not a readable backup archive"):
        call_command("restore", tmp_path / "not-a-backup.tar.gz", force=True)
    assert table_rows() == before


def test_backup_archive_appears_only_when_complete(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fill()
    archive = tmp_path / "backup.tar.gz"

    def broken_open(*args: Any, **kwargs: Any) -> Any:
        raise OSError("storage unavailable")

    from django.core.files.storage import storages

    monkeypatch.setattr(storages["default"], "open", broken_open)
    with pytest.raises(OSError, match="storage unavailable"):
        call_command("backup", output=archive)
    assert os.listdir(tmp_path) == []


def test_a_media_failure_after_the_database_is_restored_says_so(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.storage import storages

    fill()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)

    def full_disk(*args: Any, **kwargs: Any) -> Any:
        raise OSError("No space left on device")

    monkeypatch.setattr(storages["default"], "save", full_disk)
    with pytest.raises(CommandError, match="database is restored, but restoring the media files failed after 0 of 3"):
        call_command("restore", archive, force=True)
