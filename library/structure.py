"""The structure of council documents: the parts of a motion, an amendment and written questions,
and how they read as text (for search, display and the DOCX/PDF for the griffie)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .models import Kind

REQUEST_VERBS = {
    "requests": "verzoekt het college",
    "instructs": "draagt het college op",
}


@dataclass
class Section:
    heading: str
    items: list[str]
    numbered: bool = False

    @property
    def lang(self) -> str:
        """ "nl" where the heading is one of the Dutch fixed words of a council document ("verzoekt
        het college"), which stay Dutch in the English interface, so the page marks them as Dutch;
        "" where the heading is in the interface's language."""
        return "nl" if self.heading in dutch_fixed_words() else ""


def dutch_fixed_words() -> set[str]:
    """The Dutch headings sections() can give (before any translation)."""
    return {
        *REQUEST_VERBS.values(),
        "constaterende dat",
        "overwegende dat",
        "het ontwerpbesluit",
        "besluit het ontwerpbesluit als volgt te wijzigen",
        "Vragen",
        "Antwoorden",
    }


def lines(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def clean_parts(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Only the parts that belong to the kind, as lists of non-empty lines."""
    if kind == Kind.MOTION:
        verb = data.get("request_verb") if data.get("request_verb") in REQUEST_VERBS else "requests"
        return {
            "considering": lines(data.get("considering")),
            "whereas": lines(data.get("whereas")),
            "request_verb": verb,
            "requests": lines(data.get("requests")),
        }
    if kind == Kind.AMENDMENT:
        return {"draft_decision": str(data.get("draft_decision") or "").strip(), "change": lines(data.get("change"))}
    if kind == Kind.QUESTIONS:
        return {"questions": lines(data.get("questions")), "answers": lines(data.get("answers"))}
    return {}


def sections(kind: str, parts: dict[str, Any]) -> list[Section]:
    if kind == Kind.MOTION:
        return [
            s
            for s in [
                Section(_("constaterende dat"), parts.get("considering", [])),
                Section(_("overwegende dat"), parts.get("whereas", [])),
                Section(
                    REQUEST_VERBS.get(parts.get("request_verb", "requests"), REQUEST_VERBS["requests"]),
                    parts.get("requests", []),
                ),
            ]
            if s.items
        ]
    if kind == Kind.AMENDMENT:
        result = []
        if parts.get("draft_decision"):
            result.append(Section(_("het ontwerpbesluit"), [parts["draft_decision"]]))
        if parts.get("change"):
            result.append(Section(_("besluit het ontwerpbesluit als volgt te wijzigen"), parts["change"]))
        return result
    if kind == Kind.QUESTIONS:
        result = []
        if parts.get("questions"):
            result.append(Section(_("Vragen"), parts["questions"], numbered=True))
        if parts.get("answers"):
            result.append(Section(_("Antwoorden"), parts["answers"], numbered=True))
        return result
    return []


def has_structure(kind: str, parts: dict[str, Any]) -> bool:
    return bool(sections(kind, parts))


def opening(kind: str, council: str, date_text: str) -> str:
    if kind in (Kind.MOTION, Kind.AMENDMENT):
        return f"De {council}, in vergadering bijeen op {date_text}, gehoord de beraadslaging,".replace("  ", " ")
    return ""


def closing(kind: str) -> str:
    return "en gaat over tot de orde van de dag." if kind == Kind.MOTION else ""


def as_text(kind: str, parts: dict[str, Any]) -> str:
    """The structured parts as plain text (indexed as the "structured parts" of a document)."""
    out = []
    for section in sections(kind, parts):
        out.append(section.heading + ":")
        for index, item in enumerate(section.items, start=1):
            out.append(f"{index}. {item}" if section.numbered else f"- {item}")
    if closing(kind) and out:
        out.append(closing(kind))
    return "\n".join(out)
