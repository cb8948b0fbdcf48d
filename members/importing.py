"""Importing members from CSV or Excel: check everything first (dry run), write only on
confirmation, and then all rows or none."""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core import uploads
from core.models import Tier
from core.permissions import can
from core.selectors import match_bodies
from core.text import normalise_name

from .models import ROLES_BY_TIER, Branch, ImportBatch, Mandate, MandateRole, Member, Topic

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000

# Column names people use, folded (lower case, no accents or punctuation) -> our field.
COLUMNS = {
    "voornaam": "given_name",
    "given name": "given_name",
    "tussenvoegsel": "infix",
    "tussenvoegsels": "infix",
    "achternaam": "family_name",
    "family name": "family_name",
    "e mail": "email",
    "email": "email",
    "e mailadres": "email",
    "emailadres": "email",
    "telefoon": "phone",
    "telefoonnummer": "phone",
    "gemeente": "body",
    "provincie": "body",
    "waterschap": "body",
    "bestuursorgaan": "body",
    "rol": "role",
    "functie": "role",
    "afdeling": "branch",
    "gewest": "branch",
    "onderwerpen": "topics",
    "expertise": "topics",
    "lid sinds": "member_since",
    "begin mandaat": "mandate_start",
}
REQUIRED = ("given_name", "family_name", "email")

ROLE_NAMES = {
    "raadslid": MandateRole.COUNCILLOR,
    "gemeenteraadslid": MandateRole.COUNCILLOR,
    "wethouder": MandateRole.ALDERMAN,
    "burgemeester": MandateRole.MAYOR,
    "statenlid": MandateRole.PROVINCIAL_COUNCILLOR,
    "gedeputeerde": MandateRole.PROVINCIAL_EXECUTIVE,
    "ab lid": MandateRole.WATER_BOARD_MEMBER,
    "lid algemeen bestuur": MandateRole.WATER_BOARD_MEMBER,
    "waterschapper": MandateRole.WATER_BOARD_MEMBER,
    "heemraad": MandateRole.WATER_BOARD_EXECUTIVE,
    "db lid": MandateRole.WATER_BOARD_EXECUTIVE,
    "dijkgraaf": MandateRole.WATER_BOARD_CHAIR,
    "commissielid": MandateRole.COMMITTEE_MEMBER,
    "burgerlid": MandateRole.COMMITTEE_MEMBER,
    "steunfractielid": MandateRole.COMMITTEE_MEMBER,
    "fractievoorzitter": MandateRole.FACTION_CHAIR,
}


class ImportFileError(Exception):
    """The file cannot be read at all; the message says why (translated)."""


@dataclass
class RowResult:
    line: int
    action: str = "create"  # create | update | error
    values: dict[str, Any] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "action": "error" if self.errors else self.action,
            "values": self.values,
            "changes": self.changes,
            "errors": self.errors,
        }


def _fold(value: str) -> str:
    return normalise_name(value or "").replace("-", " ")


def read_table(name: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a CSV (comma, semicolon or tab; UTF-8 or Windows-1252) or XLSX file, keyed by our
    field names. Unknown columns are ignored."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB."))
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    lower = name.lower()
    if lower.endswith(".xlsx"):
        table = _read_xlsx(content)
    elif lower.endswith((".csv", ".txt")):
        table = _read_csv(content)
    else:
        raise ImportFileError(_("Upload a CSV file or an Excel file (.xlsx)."))
    if not table:
        raise ImportFileError(_("The file has no rows."))
    header, *rows = table
    mapping = {index: COLUMNS[_fold(str(title))] for index, title in enumerate(header) if _fold(str(title)) in COLUMNS}
    missing = [f for f in REQUIRED if f not in mapping.values()]
    if missing:
        names = {"given_name": "voornaam", "family_name": "achternaam", "email": "e-mail"}
        raise ImportFileError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": ", ".join(names[m] for m in missing)}
        )
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
    result = []
    for row in rows:
        values = {mapping[i]: str(cell).strip() for i, cell in enumerate(row) if i in mapping and cell is not None}
        if any(values.values()):
            result.append(values)
    return result


def _read_csv(content: bytes) -> list[list[str]]:
    if not uploads.is_text(content):
        raise ImportFileError(_("This is not a CSV file. Save the list as CSV or as an Excel file (.xlsx)."))
    text = ""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first_line = text.split("\n", 1)[0]
    delimiter = max([";", ",", "\t"], key=first_line.count)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _read_xlsx(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    # A real XLSX package, checked against zip bombs before openpyxl unpacks anything.
    if uploads.zip_kind(content) != uploads.XLSX:
        raise ImportFileError(_("This Excel file cannot be read. Save it again as .xlsx or CSV."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:
        raise ImportFileError(_("This Excel file cannot be read. Save it again as .xlsx or CSV.")) from error
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(
            [
                "" if cell is None else cell.strftime("%Y-%m-%d") if isinstance(cell, datetime.date) else str(cell)
                for cell in row
            ]
        )
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    return rows


DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")


def _parse_date(value: str) -> datetime.date | None:
    value = value.strip().split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def check_rows(rows: list[dict[str, str]]) -> list[RowResult]:
    """The dry run: what each row would do, and every error. Writes nothing."""
    topics = {_fold(t.name): t for t in Topic.objects.all()} | {_fold(t.slug): t for t in Topic.objects.all()}
    branches = {_fold(b.name): b for b in Branch.objects.all()} | {_fold(b.slug): b for b in Branch.objects.all()}
    existing = {
        m.email.lower(): m for m in Member.objects.filter(email__in=[r.get("email", "").strip().lower() for r in rows])
    }
    seen: dict[str, int] = {}
    results = []
    for number, row in enumerate(rows, start=2):
        result = RowResult(line=number)
        for required in REQUIRED:
            if not row.get(required):
                label = {"given_name": _("given name"), "family_name": _("family name"), "email": _("e-mail address")}[
                    required
                ]
                result.errors.append(_("The %(field)s is missing.") % {"field": label})
        email = row.get("email", "").strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                result.errors.append(_("'%(value)s' is not a valid e-mail address.") % {"value": email})
            if email in seen:
                result.errors.append(_("The same e-mail address as line %(line)d.") % {"line": seen[email]})
            else:
                seen[email] = number
        values: dict[str, Any] = {k: row.get(k, "").strip() for k in ("given_name", "infix", "family_name", "phone")}
        values["email"] = email
        body = None
        if row.get("body"):
            matches = match_bodies(row["body"])
            if not matches:
                result.errors.append(
                    _("Unknown municipality, province or water board: '%(name)s'.") % {"name": row["body"]}
                )
            elif len(matches) > 1:
                result.errors.append(
                    _("'%(name)s' is ambiguous (%(options)s); write it as CBS does, e.g. 'Bergen (NH.)'.")
                    % {"name": row["body"], "options": ", ".join(b.official_name or b.name for b in matches)}
                )
            else:
                body = matches[0]
                values["body"] = body.code
        if row.get("role"):
            role = ROLE_NAMES.get(_fold(row["role"]))
            if role is None:
                result.errors.append(_("Unknown role: '%(name)s'.") % {"name": row["role"]})
            elif body is None and not result.errors:
                result.errors.append(_("A role needs a municipality, province or water board."))
            elif body is not None and role not in ROLES_BY_TIER.get(Tier(body.tier), []):
                result.errors.append(
                    _("The role '%(role)s' does not exist in %(body)s.") % {"role": row["role"], "body": body.name}
                )
            else:
                values["role"] = str(role)
        if row.get("branch"):
            branch = branches.get(_fold(row["branch"])) or branches.get(_fold(slugify(row["branch"])))
            if branch is None:
                result.errors.append(_("Unknown branch: '%(name)s'.") % {"name": row["branch"]})
            else:
                values["branch"] = branch.pk
        if row.get("topics"):
            names = [t for t in re.split(r"[;,]", row["topics"]) if t.strip()]
            unknown = [t.strip() for t in names if _fold(t) not in topics]
            if unknown:
                result.errors.append(_("Unknown topic(s): %(names)s.") % {"names": ", ".join(unknown)})
            values["topics"] = sorted({topics[_fold(t)].pk for t in names if _fold(t) in topics})
        for key in ("member_since", "mandate_start"):
            if row.get(key):
                parsed = _parse_date(row[key])
                if parsed is None:
                    result.errors.append(_("'%(value)s' is not a date (use 31-12-2024).") % {"value": row[key]})
                else:
                    values[key] = parsed.isoformat()
        result.values = values
        member = existing.get(email)
        if member is not None:
            result.action = "update"
            for key in ("given_name", "infix", "family_name", "phone"):
                if values.get(key) and values[key] != getattr(member, key):
                    result.changes.append(f"{key}: {getattr(member, key)} → {values[key]}")
            if values.get("branch") and values["branch"] != member.branch_id:
                result.changes.append("branch")
            if values.get("role"):
                result.changes.append(_("new mandate"))
        results.append(result)
    return results


@transaction.atomic
def check_file(*, name: str, content: bytes, uploaded_by: Any) -> ImportBatch:
    """Read and check a file (the dry run): an ImportBatch with what each row would do, nothing
    else written. Only for who may import members (`members.import`)."""
    if not can(uploaded_by, "members.import"):
        raise PermissionDenied(_("You may not import members."))
    rows = read_table(name, content)
    results = check_rows(rows)
    return ImportBatch.objects.create(
        file_name=name[:200], uploaded_by=uploaded_by, rows=[r.as_json() for r in results]
    )


class ImportRefused(Exception):
    pass


@transaction.atomic
def apply_batch(*, batch: ImportBatch, by: Any) -> dict[str, int]:
    """Write a checked batch: every row or none. Only for who may import members (`members.import`;
    `by` is the person confirming it). Refuses a batch with errors, one already imported, or one
    whose rows no longer check out (the data changed since the dry run)."""
    if not can(by, "members.import"):
        raise PermissionDenied(_("You may not import members."))
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.CHECKED:
        raise ImportRefused(_("This import has already been processed."))
    if batch.error_count:
        raise ImportRefused(_("Correct the errors in the file and upload it again; nothing has been imported."))
    counts = {"created": 0, "updated": 0, "mandates": 0}
    today = timezone.localdate()
    for row in batch.rows:
        values = row["values"]
        member = Member.objects.filter(email__iexact=values["email"]).first()
        if member is None:
            member = Member(email=values["email"], member_since=values.get("member_since") or today)
            counts["created"] += 1
        else:
            counts["updated"] += 1
        for key in ("given_name", "infix", "family_name", "phone"):
            if values.get(key) or member.pk is None:
                setattr(member, key, values.get(key, ""))
        if values.get("branch"):
            member.branch_id = values["branch"]
        member.full_clean(exclude=["photo", "user"])
        member.save()
        if values.get("topics"):
            member.topics.add(*values["topics"])
        if values.get("role"):
            from core.models import Body

            body = Body.objects.get(code=values["body"])
            exists = Mandate.objects.current().filter(member=member, body=body, role=values["role"]).exists()
            if not exists:
                Mandate.objects.create(
                    member=member,
                    body=body,
                    role=values["role"],
                    faction=getattr(body, "faction", None),
                    start_date=values.get("mandate_start") or today,
                )
                counts["mandates"] += 1
    batch.status = ImportBatch.Status.IMPORTED
    batch.imported_at = timezone.now()
    batch.save(update_fields=["status", "imported_at"])
    return counts
