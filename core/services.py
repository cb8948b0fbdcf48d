"""Writes of reference data: loading bodies of government from CSV files."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from .models import Body, Tier


class ReferenceDataError(Exception):
    """The input cannot be loaded; nothing was written."""


@dataclass
class BodyRecord:
    code: str
    tier: str
    name: str
    official_name: str = ""
    province_code: str | None = None
    province_codes: tuple[str, ...] = ()
    population: int | None = None


@dataclass
class LoadReport:
    added: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0
    ended: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    kept_referenced: list[str] = field(default_factory=list)

    def lines(self) -> Iterator[str]:
        yield _("added: %(n)d") % {"n": len(self.added)}
        for code in self.added:
            yield f"  + {code}"
        yield _("changed: %(n)d") % {"n": len(self.changed)}
        for code, changes in self.changed.items():
            yield f"  ~ {code}: {'; '.join(changes)}"
        yield _("unchanged: %(n)d") % {"n": self.unchanged}
        if self.ended:
            yield _("ended (no longer in the list): %(n)d") % {"n": len(self.ended)}
            for code in self.ended:
                yield f"  - {code}"
        if self.deleted:
            yield _("deleted (nothing referred to them): %(n)d") % {"n": len(self.deleted)}
        if self.kept_referenced:
            yield _("kept because other data refers to them: %(n)d") % {"n": len(self.kept_referenced)}


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReferenceDataError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    rows = list(csv.DictReader(io.StringIO(text), dialect=dialect))
    return [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in rows]


def _require_columns(path: Path, rows: list[dict[str, str]], columns: Iterable[str]) -> None:
    if not rows:
        raise ReferenceDataError(_("%(path)s has no rows.") % {"path": path})
    missing = [c for c in columns if c not in rows[0]]
    if missing:
        raise ReferenceDataError(
            _("%(path)s lacks the column(s) %(columns)s.") % {"path": path, "columns": ", ".join(missing)}
        )


def _cbs_code(prefix: str, value: str, width: int) -> str:
    value = value.strip().upper()
    if value.startswith(prefix):
        value = value[len(prefix) :]
    if not value.isdigit():
        raise ReferenceDataError(_("'%(value)s' is not a valid %(prefix)s code.") % {"value": value, "prefix": prefix})
    return f"{prefix}{int(value):0{width}d}"


def read_reference_directory(data_dir: Path) -> list[BodyRecord]:
    """Records from the project's reference files: provinces.csv, municipalities.csv and
    water_boards.csv (see SOURCES.md in that directory)."""
    if not data_dir.is_dir():
        raise ReferenceDataError(
            _("Reference data directory %(path)s not found; set RAADHUIS_DATA_DIR.") % {"path": data_dir}
        )
    records: list[BodyRecord] = []
    provinces = _read_csv(data_dir / "provinces.csv")
    _require_columns(data_dir / "provinces.csv", provinces, ["code", "name"])
    for row in provinces:
        records.append(BodyRecord(code=_cbs_code("PV", row["code"], 2), tier=Tier.PROVINCIAL, name=row["name"]))
    municipalities = _read_csv(data_dir / "municipalities.csv")
    _require_columns(data_dir / "municipalities.csv", municipalities, ["code", "name", "province_code"])
    for row in municipalities:
        population = row.get("population") or ""
        records.append(
            BodyRecord(
                code=_cbs_code("GM", row["code"], 4),
                tier=Tier.MUNICIPAL,
                name=row["name"],
                official_name=row.get("cbs_name_2025") or row["name"],
                province_code=_cbs_code("PV", row["province_code"], 2),
                population=int(population) if population.isdigit() else None,
            )
        )
    water_boards = _read_csv(data_dir / "water_boards.csv")
    _require_columns(data_dir / "water_boards.csv", water_boards, ["code", "name"])
    for row in water_boards:
        records.append(
            BodyRecord(
                code=_cbs_code("WS", row["code"], 4),
                tier=Tier.WATER_BOARD,
                name=row["name"],
                official_name=row.get("tooi_short_name", ""),
                province_codes=tuple(
                    _cbs_code("PV", c, 2) for c in (row.get("main_provinces") or "").split(";") if c.strip()
                ),
            )
        )
    return records


# Column names in the list CBS publishes every year ("Gemeenten alfabetisch"), in its CSV form.
CBS_COLUMNS = {
    "code": ("GemeentecodeGM", "Gemeentecode"),
    "name": ("Gemeentenaam",),
    "province_code": ("ProvinciecodePV", "Provinciecode"),
    "province_name": ("Provincienaam",),
}


def _pick(row: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if row.get(name):
            return row[name]
    return ""


def read_cbs_municipality_list(path: Path) -> list[BodyRecord]:
    """Records from the municipality list in the format CBS publishes yearly (code, name, province).

    Accepts comma, semicolon or tab separated files, codes with or without GM/PV prefix, and the
    provinces named in the file.
    """
    rows = _read_csv(path)
    if not rows:
        raise ReferenceDataError(_("%(path)s has no rows.") % {"path": path})
    header = rows[0].keys()
    for key, names in CBS_COLUMNS.items():
        if key != "province_name" and not any(n in header for n in names):
            raise ReferenceDataError(
                _("%(path)s is not a CBS municipality list: no column %(column)s.")
                % {"path": path, "column": " / ".join(names)}
            )
    records: dict[str, BodyRecord] = {}
    municipalities: list[BodyRecord] = []
    for number, row in enumerate(rows, start=2):
        try:
            code = _cbs_code("GM", _pick(row, CBS_COLUMNS["code"]), 4)
            province_code = _cbs_code("PV", _pick(row, CBS_COLUMNS["province_code"]), 2)
        except ReferenceDataError as exc:
            raise ReferenceDataError(_("Line %(line)d: %(error)s") % {"line": number, "error": exc}) from exc
        name = _pick(row, CBS_COLUMNS["name"])
        if not name:
            raise ReferenceDataError(_("Line %(line)d: the name is empty.") % {"line": number})
        province_name = _pick(row, CBS_COLUMNS["province_name"])
        if province_name and province_code not in records:
            records[province_code] = BodyRecord(code=province_code, tier=Tier.PROVINCIAL, name=province_name)
        municipalities.append(
            BodyRecord(
                code=code,
                tier=Tier.MUNICIPAL,
                name=name,
                official_name=name,
                province_code=province_code,
            )
        )
    return list(records.values()) + municipalities


def is_referenced(body: Body) -> bool:
    """True when any other row (mandate, document, another body...) refers to this body."""
    for relation in Body._meta.related_objects:
        related = relation.related_model._base_manager  # type: ignore[union-attr]
        if related.filter(**{relation.field.name: body}).exists():
            return True
    return False


def _apply(body: Body, record: BodyRecord, provinces: dict[str, Body]) -> list[str]:
    changes = []
    province = provinces.get(record.province_code) if record.province_code else None
    wanted = {
        "tier": record.tier,
        "name": record.name,
        "official_name": record.official_name or body.official_name,
        "province": province if record.province_code else body.province,
        "population": record.population if record.population is not None else body.population,
    }
    for attribute, value in wanted.items():
        if getattr(body, attribute) != value:
            changes.append(f"{attribute}: {getattr(body, attribute)!s} -> {value!s}")
            setattr(body, attribute, value)
    return changes


@transaction.atomic
def load_bodies(
    records: list[BodyRecord],
    *,
    valid_from: datetime.date | None = None,
    end_missing_tiers: Iterable[str] = (),
    successors: dict[str, str] | None = None,
    prune: bool = False,
) -> LoadReport:
    """Create or update bodies from `records`; idempotent (a second run reports no changes).

    Bodies of a tier in `end_missing_tiers` that are absent from `records` get `valid_until` set to
    the day before `valid_from` (a merger or split), never deleted; with `prune`, such a body that
    nothing refers to is deleted instead. `successors` maps an old code to the code it merged into.
    Everything happens in one transaction: an error leaves the database as it was.
    """
    report = LoadReport()
    seen = {r.code for r in records}
    if len(seen) != len(records):
        duplicates = sorted({r.code for r in records if sum(1 for o in records if o.code == r.code) > 1})
        raise ReferenceDataError(_("Duplicate codes in the input: %(codes)s") % {"codes": ", ".join(duplicates)})

    existing = {b.code: b for b in Body.objects.select_for_update().all()}
    provinces = {code: b for code, b in existing.items() if b.tier == Tier.PROVINCIAL}
    # Provinces first so that municipalities can point to them.
    for record in sorted(records, key=lambda r: r.tier != Tier.PROVINCIAL):
        if record.province_code and record.province_code not in provinces:
            raise ReferenceDataError(
                _("%(code)s refers to unknown province %(province)s.")
                % {"code": record.code, "province": record.province_code}
            )
        body = existing.get(record.code)
        is_new = body is None
        if body is None:
            body = Body(code=record.code, valid_from=valid_from)
        changes = _apply(body, record, provinces)
        if not is_new and body.valid_until is not None and (valid_from is None or body.valid_until < valid_from):
            changes.append(f"valid_until: {body.valid_until} -> None")
            body.valid_until = None
        if is_new:
            body.full_clean(exclude=["successor", "province"])
            body.save()
            existing[body.code] = body
            report.added.append(body.code)
        elif changes:
            body.save()
        if body.tier == Tier.PROVINCIAL:
            provinces[body.code] = body
        if body.tier == Tier.WATER_BOARD:
            wanted_provinces = {provinces[c].pk for c in record.province_codes if c in provinces}
            current = set() if is_new else {p.pk for p in body.provinces.all()}
            if current != wanted_provinces:
                body.provinces.set(wanted_provinces)
                changes.append("provinces")
        if not is_new:
            if changes:
                report.changed[body.code] = changes
            else:
                report.unchanged += 1

    end_tiers = set(end_missing_tiers)
    if end_tiers:
        if valid_from is None:
            raise ReferenceDataError(_("Give the date the new list takes effect to end missing bodies."))
        last_day = valid_from - datetime.timedelta(days=1)
        for code, body in sorted(existing.items()):
            if body.tier not in end_tiers or code in seen:
                continue
            if prune and not is_referenced(body):
                body.delete()
                report.deleted.append(code)
                continue
            if prune:
                report.kept_referenced.append(code)
            if body.valid_until is None or body.valid_until > last_day:
                body.valid_until = last_day
                body.save(update_fields=["valid_until"])
                report.ended.append(code)

    for old_code, new_code in (successors or {}).items():
        old, new = existing.get(old_code), existing.get(new_code)
        if old is None or new is None:
            raise ReferenceDataError(
                _("Successor %(old)s -> %(new)s: unknown code.") % {"old": old_code, "new": new_code}
            )
        if old.successor_id != new.pk:
            old.successor = new
            old.save(update_fields=["successor"])
            report.changed.setdefault(old_code, []).append(f"successor -> {new_code}")
    return report
