"""Renders the documents of the judged relevance set (bench/relevance/documents.jsonl) from the
hand-written sources in bench/relevance/source/*.txt.

Every document's content (its title, the considerations, the requests, the questions and
answers, the changes of an amendment, letters and proposals) is written out by hand in the
sources. This script only puts the written parts into the forms councils use: the heading of a
motion of a municipal council, of Provinciale Staten or of a water board's general assembly, the
numbering, the closing formula and the signatures, in one of a few house styles per document
(chosen from its identifier, so the output is stable). It also turns the source's short notation
for councils, dates, submitters, votes and topics into the record fields of docs/IMPORT_ORI.md.

    .venv/bin/python bench/relevance/render.py [--check]

--check: exit 1 when documents.jsonl differs from what the sources give (the test suite does the
same check).

Source notation (one block per document):

    === slug                       the document's identifier is "rel:" + slug
    kind: motie                    motie, amendement, vragen, antwoord, initiatief, overig
    org: GM0344                    the council's code (reference data in RAADHUIS_DATA_DIR)
    date: 2019-07-04
    title: ...
    by: A. Bakker (GroenLinks); SP submitters: "name (party)" or a party alone
    result: aangenomen 28-17       aangenomen/verworpen [for-against], ingetrokken, aangehouden
    topics: jeugd; sport           slugs of the managed topic list
    subject: ...                   agenda item
    answers: slug                  an answer: the questions it answers
    amends: ...                    an amendment: the proposal it changes
    doctype: ...                   other documents: Raadsinformatiebrief, Statenbrief, ...
    con: / ove: / verzoekt: / draagt: / spreekt: / wijziging: / vragen: / antwoorden:
        lists, one "- item" per line (continued on lines indented by two spaces)
    intro: / toelichting: / text:  paragraphs (blank line between paragraphs)
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCES = HERE / "source"
OUTPUT = HERE / "documents.jsonl"
PREFIX = "rel:"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")

SCALARS = {
    "kind",
    "org",
    "date",
    "title",
    "by",
    "also",
    "result",
    "topics",
    "subject",
    "answers",
    "amends",
    "doctype",
    "nr",
}
LISTS = {"con", "ove", "verzoekt", "draagt", "spreekt", "wijziging", "vragen", "antwoorden", "besluit"}
ALIASES = {"verzoekt": "verzoekt", "verzoeken": "verzoekt", "draagt": "draagt", "dragen": "draagt"}
PARAGRAPHS = {"intro", "toelichting", "text", "slot"}
TYPES = {
    "motie": ("Motion", "motie"),
    "amendement": ("Amendment", "amendement"),
    "vragen": ("WrittenQuestions", "Question"),
    "antwoord": ("Answer", "Answer"),
    "initiatief": ("InitiativeProposal", "initiatiefvoorstel"),
    "overig": ("MediaObject", "Document"),
}
TOPICS = {
    "wonen",
    "zorg",
    "jeugd",
    "armoede",
    "klimaat",
    "energie",
    "verkeer",
    "veiligheid",
    "onderwijs",
    "financien",
    "cultuur",
    "sport",
    "landbouw",
    "water",
    "integriteit",
    "democratie",
    "economie",
    "ruimtelijke-ordening",
    "digitalisering",
    "sociaal-domein",
}
MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
# Fictional submitters for a source that names only the party (initials and common surnames).
INITIALS = ["A.", "B.", "C.", "D.", "E.", "F.", "G.", "H.", "I.", "J.", "K.", "L.", "M.", "N.", "P.", "R.", "S.", "T."]
SURNAMES = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van den Berg",
    "Kuipers",
    "Schouten",
    "Willems",
    "Postma",
    "Kaya",
    "Yilmaz",
    "El Idrissi",
    "Boukhari",
    "Wijnands",
    "Hoekstra",
    "Koster",
    "Prins",
]


@dataclass
class Source:
    slug: str
    where: str
    scalars: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    paragraphs: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.scalars.get(name, default)


class SourceError(Exception):
    pass


# --- reading the sources ------------------------------------------------------------------------


def parse(text: str, name: str) -> list[Source]:
    sources: list[Source] = []
    current: Source | None = None
    block: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        where = f"{name}:{number}"
        if line.startswith("#"):
            continue
        if line.startswith("==="):
            current = Source(slug=line[3:].strip(), where=where)
            if not current.slug or " " in current.slug:
                raise SourceError(f"{where}: a block needs a slug without spaces")
            sources.append(current)
            block = None
            continue
        if current is None:
            if line.strip():
                raise SourceError(f"{where}: text before the first block")
            continue
        key, sep, value = line.partition(":")
        # "verzoekt het college:", "verzoeken Gedeputeerde Staten:" as written in a motion
        key = ALIASES.get(key.split(" ", 1)[0], key) if " " in key else key
        if sep and not line.startswith(" ") and key in SCALARS | LISTS | PARAGRAPHS:
            if key in SCALARS:
                current.scalars[key] = value.strip()
                block = None
            elif value.strip():
                raise SourceError(f"{where}: '{key}:' starts a block; write its content on the next lines")
            else:
                block = key
                if key in LISTS:
                    current.lists[key] = []
                else:
                    current.paragraphs[key] = []
            continue
        if block is None:
            if line.strip():
                raise SourceError(f"{where}: text outside a block: {line[:40]!r}")
            continue
        if block in LISTS:
            items = current.lists[block]
            if line.startswith("- "):
                items.append(line[2:].strip())
            elif line.startswith("  ") and items:
                items[-1] += " " + line.strip()
            elif line.strip():
                raise SourceError(f"{where}: a list item starts with '- '")
        else:
            # Paragraphs are separated by a blank line; the lines of one paragraph keep their breaks.
            paragraphs = current.paragraphs[block]
            if not line.strip():
                if paragraphs and paragraphs[-1]:
                    paragraphs.append("")
            elif paragraphs and paragraphs[-1]:
                paragraphs[-1] += "\n" + line.strip()
            elif paragraphs:
                paragraphs[-1] = line.strip()
            else:
                paragraphs.append(line.strip())
    for source in sources:
        for name_, paragraphs in source.paragraphs.items():
            source.paragraphs[name_] = [p for p in paragraphs if p]
    return sources


def read_sources(directory: Path = SOURCES) -> list[Source]:
    sources: list[Source] = []
    for path in sorted(directory.glob("*.txt")):
        sources.extend(parse(path.read_text(encoding="utf-8"), path.name))
    return sources


# --- the councils -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Council:
    code: str
    name: str  # as a council calls itself: "Utrecht", "Gelderland", "Waterschap Vechtstromen"

    @property
    def tier(self) -> str:
        return {"GM": "municipal", "PV": "provincial", "WS": "water_board"}[self.code[:2]]

    @property
    def display(self) -> str:
        if self.tier == "municipal":
            return f"Gemeente {self.name}"
        if self.tier == "provincial":
            return f"Provincie {self.name}"
        return self.name


def councils() -> dict[str, Council]:
    data = Path(os.environ.get("RAADHUIS_DATA_DIR", ROOT.parent / "shared" / "data"))
    result: dict[str, Council] = {}
    spoken = {"'s-Gravenhage": "Den Haag", "Bergen (NH.)": "Bergen", "Bergen (L.)": "Bergen"}
    for file_name in ("municipalities.csv", "provinces.csv", "water_boards.csv"):
        with (data / file_name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                name = spoken.get(row["name"], row["name"])
                result[row["code"]] = Council(row["code"], name)
    return result


# --- rendering ----------------------------------------------------------------------------------


def choice(slug: str, salt: str, options: list[Any] | tuple[Any, ...]) -> Any:
    digest = hashlib.sha256(f"{slug}/{salt}".encode()).digest()
    return options[int.from_bytes(digest[:4], "big") % len(options)]


def long_date(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def people(source: Source) -> list[tuple[str, str]]:
    """(name, party) of each submitter; a party alone gets a fictional name."""
    result = []
    for index, entry in enumerate(e.strip() for e in source.get("by").split(";") if e.strip()):
        if entry.endswith(")") and "(" in entry:
            name, party = entry[:-1].split("(", 1)
            result.append((name.strip(), party.strip()))
        else:
            initial = choice(source.slug, f"initial{index}", INITIALS)
            surname = choice(source.slug, f"surname{index}", SURNAMES)
            result.append((f"{initial} {surname}", entry))
    return result


def parties(source: Source) -> list[str]:
    found = [party for _name, party in people(source)]
    found += [p.strip() for p in source.get("also").split(";") if p.strip()]
    return list(dict.fromkeys(found))


def signatures(source: Source) -> str:
    names = people(source)
    if not names:
        return ""
    style = choice(source.slug, "signature", ["list", "line", "ingediend", "fracties"])
    if style == "list":
        return "\n".join(f"{name}\n{party}" for name, party in names)
    if style == "line":
        return ", ".join(f"{name} ({party})" for name, party in names)
    if style == "fracties":
        return "Namens de fractie(s) van " + ", ".join(parties(source))
    return "Ingediend door:\n" + "\n".join(f"{name}, {party}" for name, party in names)


def items(entries: list[str], style: str, last: str = ".") -> str:
    lines = []
    for index, entry in enumerate(entries, start=1):
        end = last if index == len(entries) else ";"
        text = entry.rstrip(".;")
        if text.endswith(('."', ".'")):
            text = text[:-2] + text[-1]
        if style == "dash":
            lines.append(f"- {text}{end}")
        elif style == "number":
            lines.append(f"{index}. {text}{end}")
        elif style == "bullet":
            lines.append(f"• {text}{end}")
        else:
            lines.append(f"{text}{end}")
    return "\n".join(lines)


def assembly(council: Council, source: Source) -> tuple[str, str, str]:
    """(who meets, whom they ask, their plural/singular verb form)."""
    if council.tier == "provincial":
        addressee = choice(source.slug, "gs", ["Gedeputeerde Staten", "het college van Gedeputeerde Staten"])
        return f"Provinciale Staten van {council.name}", addressee, "plural"
    if council.tier == "water_board":
        body = council.name
        if body.startswith("Hoogheemraadschap"):
            return f"De verenigde vergadering van het {body}", "het college van dijkgraaf en hoogheemraden", "singular"
        return f"Het algemeen bestuur van {body}", "het dagelijks bestuur", "singular"
    who = choice(
        source.slug, "raad", [f"De raad van de gemeente {council.name}", f"De gemeenteraad van {council.name}"]
    )
    return who, "het college", "singular"


def verb(form: str, singular: str, plural: str) -> str:
    return plural if form == "plural" else singular


def motion_text(source: Source, council: Council, day: datetime.date) -> str:
    who, addressee, form = assembly(council, source)
    style = choice(source.slug, "motion", ["blocks", "repeat", "numbered", "blocks", "numbered"])
    parts: list[str] = []
    heading = choice(
        source.slug,
        "heading",
        ["Motie", "MOTIE", "Motie vreemd aan de orde van de dag", f"Motie {source.get('title')}", ""],
    )
    if heading:
        parts.append(heading)
    if source.get("subject") and choice(source.slug, "agenda", [True, False]):
        parts.append(f"Agendapunt: {source.get('subject')}")
    opening = choice(source.slug, "opening", ["in vergadering bijeen op", "in vergadering bijeen d.d.", "bijeen op"])
    date_text = long_date(day) if "d.d." not in opening else day.strftime("%d-%m-%Y")
    heard = choice(
        source.slug, "heard", ["", ", gehoord de beraadslaging", ", gelet op de behandeling van dit agendapunt"]
    )
    parts.append(f"{who}, {opening} {date_text}{heard},")
    request_entries = source.lists.get("draagt") or source.lists.get("verzoekt") or []
    if source.lists.get("draagt"):
        request = verb(form, "draagt", "dragen") + f" {addressee} op"
    else:
        request = verb(form, "verzoekt", "verzoeken") + f" {addressee}"
    sections = [
        ("constaterende dat", source.lists.get("con", [])),
        ("overwegende dat", source.lists.get("ove", [])),
        (verb(form, "spreekt uit dat", "spreken uit dat"), source.lists.get("spreekt", [])),
        (request, request_entries),
    ]
    sections = [(h, e) for h, e in sections if e]
    for number, (heading_, entries) in enumerate(sections):
        last = "," if number == len(sections) - 1 else ";"
        if style == "repeat" and heading_ in {"constaterende dat", "overwegende dat"}:
            parts.append("\n".join(f"{heading_.capitalize()} {e.rstrip('.;')};" for e in entries))
        elif style == "numbered":
            parts.append(f"{heading_}:\n{items(entries, 'number', last)}")
        else:
            parts.append(f"{heading_}:\n{items(entries, choice(source.slug, 'bullets', ['dash', 'bullet']), last)}")
    parts.append(verb(form, "en gaat over tot de orde van de dag.", "en gaan over tot de orde van de dag."))
    if source.paragraphs.get("toelichting"):
        parts.append("Toelichting\n" + "\n\n".join(source.paragraphs["toelichting"]))
    if signatures(source):
        parts.append(signatures(source))
    return "\n\n".join(parts)


def amendment_text(source: Source, council: Council, day: datetime.date) -> str:
    who, _addressee, form = assembly(council, source)
    parts = [choice(source.slug, "heading", ["Amendement", "AMENDEMENT", f"Amendement {source.get('nr') or 'A'}"])]
    if source.get("amends"):
        parts.append(choice(source.slug, "betreft", ["Betreft", "Onderwerp", "Bij"]) + f": {source.get('amends')}")
    parts.append(f"{who}, in vergadering bijeen op {long_date(day)},")
    if source.get("amends") and choice(source.slug, "gelezen", [True, False]):
        parts.append(f"gelezen het voorstel '{source.get('amends')}',")
    if source.lists.get("con"):
        parts.append("constaterende dat:\n" + items(source.lists["con"], "dash", ";"))
    if source.lists.get("ove"):
        parts.append("overwegende dat:\n" + items(source.lists["ove"], "dash", ";"))
    decide = choice(
        source.slug,
        "besluit",
        [
            "het ontwerpbesluit als volgt te wijzigen",
            "het voorgestelde besluit als volgt te wijzigen",
            "het besluit als volgt te wijzigen",
        ],
    )
    parts.append(
        f"{verb(form, 'besluit', 'besluiten')} {decide}:\n" + items(source.lists.get("wijziging", []), "number")
    )
    if source.lists.get("besluit"):
        parts.append("en daarmee te besluiten:\n" + items(source.lists["besluit"], "dash"))
    if source.paragraphs.get("toelichting"):
        parts.append("Toelichting:\n" + "\n\n".join(source.paragraphs["toelichting"]))
    if signatures(source):
        parts.append(signatures(source))
    return "\n\n".join(parts)


def question_heading(source: Source, council: Council) -> str:
    if council.tier == "provincial":
        article = choice(source.slug, "article", ["artikel 47", "artikel 44", "artikel 45"])
        return (
            f"Schriftelijke vragen ex {article} van het Reglement van Orde voor de vergaderingen van Provinciale Staten"
        )
    if council.tier == "water_board":
        return "Schriftelijke vragen van een lid van het algemeen bestuur"
    article = choice(source.slug, "article", ["artikel 40", "artikel 41", "artikel 42", "artikel 38"])
    return choice(
        source.slug,
        "qheading",
        [f"Schriftelijke vragen ex {article} RvO", f"Schriftelijke vragen ({article} Reglement van Orde)", "Vragen"],
    )


def addressee_of(council: Council) -> str:
    return {
        "municipal": "het college van burgemeester en wethouders",
        "provincial": "Gedeputeerde Staten",
        "water_board": "het dagelijks bestuur",
    }[council.tier]


def questions_text(source: Source, council: Council, day: datetime.date) -> str:
    parts = [question_heading(source, council)]
    names = people(source)
    header = [f"Datum: {day.strftime('%d-%m-%Y')}"]
    if names:
        header.append("Van: " + ", ".join(f"{n} ({p})" for n, p in names))
    header.append(f"Aan: {addressee_of(council)}")
    header.append(f"Onderwerp: {source.get('title')}")
    parts.append("\n".join(header))
    parts.extend(source.paragraphs.get("intro", []))
    questions = source.lists.get("vragen", [])
    answers = source.lists.get("antwoorden", [])
    inline = answers and choice(source.slug, "inline", [True, False])
    if inline:
        blocks = []
        for number, question in enumerate(questions, start=1):
            block = f"Vraag {number}\n{question}"
            if number <= len(answers):
                block += f"\n\nAntwoord {number}\n{answers[number - 1]}"
            blocks.append(block)
        parts.append("\n\n".join(blocks))
    else:
        parts.append("Vragen:\n" + "\n".join(f"{n}. {q}" for n, q in enumerate(questions, start=1)))
        if answers:
            parts.append(
                f"Antwoorden van {addressee_of(council)}:\n"
                + "\n".join(f"{n}. {a}" for n, a in enumerate(answers, start=1))
            )
    if source.paragraphs.get("slot"):
        parts.extend(source.paragraphs["slot"])
    return "\n\n".join(parts)


def answer_text(source: Source, council: Council, day: datetime.date, questions: Source | None) -> str:
    sender = {
        "municipal": f"Het college van burgemeester en wethouders van {council.name}",
        "provincial": f"Gedeputeerde Staten van {council.name}",
        "water_board": f"Het dagelijks bestuur van {council.name}",
    }[council.tier]
    parts = [
        f"Beantwoording schriftelijke vragen\n\nDatum: {day.strftime('%d-%m-%Y')}\nOnderwerp: {source.get('title')}"
    ]
    parts.extend(source.paragraphs.get("intro", []))
    asked = questions.lists.get("vragen", []) if questions else []
    blocks = []
    for number, answer in enumerate(source.lists.get("antwoorden", []), start=1):
        question = f"Vraag {number}\n{asked[number - 1]}\n\n" if number <= len(asked) else ""
        blocks.append(f"{question}Antwoord {number}\n{answer}")
    parts.append("\n\n".join(blocks))
    parts.extend(source.paragraphs.get("slot", []))
    parts.append(choice(source.slug, "groet", ["Met vriendelijke groet,", "Hoogachtend,"]) + f"\n{sender}")
    return "\n\n".join(parts)


def letter_text(source: Source, council: Council, day: datetime.date) -> str:
    kind = source.get("kind")
    parts: list[str] = []
    doctype = source.get("doctype")
    if kind == "initiatief":
        names = parties(source)
        parts.append(f"Initiatiefvoorstel {source.get('title')}")
        if names:
            parts.append("Ingediend door de fractie(s) van " + ", ".join(names))
    elif doctype:
        parts.append(f"{doctype}\n\nDatum: {day.strftime('%d-%m-%Y')}\nOnderwerp: {source.get('title')}")
    parts.extend(source.paragraphs.get("text", []))
    if source.lists.get("besluit"):
        parts.append("Beslispunten:\n" + items(source.lists["besluit"], "number"))
    if kind == "initiatief" and signatures(source):
        parts.append(signatures(source))
    return "\n\n".join(parts)


def record_title(source: Source, day: datetime.date) -> str:
    title = source.get("title")
    kind = source.get("kind")
    if kind == "motie":
        number = int(hashlib.sha256(source.slug.encode()).hexdigest()[:4], 16) % 60 + 1
        return choice(
            source.slug,
            "title",
            [title, f"Motie {title}", f"Motie: {title}", f"M{day.year % 100:02d}-{number:02d} {title}", title],
        )
    if kind == "amendement":
        return choice(source.slug, "title", [title, f"Amendement {title}", f"Amendement: {title}"])
    return title


def outcome(source: Source) -> dict[str, Any]:
    text = source.get("result")
    if not text:
        return {}
    word, _sep, count = text.partition(" ")
    result: dict[str, Any] = {"result": word}
    if count:
        votes_for, votes_against = (int(n) for n in count.split("-"))
        if choice(source.slug, "votes", [True, False]):
            result["votes"] = {"for": votes_for, "against": votes_against}
        else:
            result["votes"] = [{"option": "yes", "value": votes_for}, {"option": "no", "value": votes_against}]
    return result


def record(source: Source, council_list: dict[str, Council], by_slug: dict[str, Source]) -> dict[str, Any]:
    kind = source.get("kind")
    if kind not in TYPES:
        raise SourceError(f"{source.where}: unknown kind {kind!r}")
    council = council_list.get(source.get("org"))
    if council is None:
        raise SourceError(f"{source.where}: unknown council code {source.get('org')!r}")
    try:
        day = datetime.date.fromisoformat(source.get("date"))
    except ValueError as error:
        raise SourceError(f"{source.where}: bad date {source.get('date')!r}") from error
    if not source.get("title"):
        raise SourceError(f"{source.where}: no title")
    topics = [t.strip() for t in source.get("topics").split(";") if t.strip()]
    unknown = set(topics) - TOPICS
    if unknown:
        raise SourceError(f"{source.where}: unknown topics {sorted(unknown)}")
    if kind == "motie":
        text = motion_text(source, council, day)
    elif kind == "amendement":
        text = amendment_text(source, council, day)
    elif kind == "vragen":
        text = questions_text(source, council, day)
    elif kind == "antwoord":
        target = by_slug.get(source.get("answers"))
        if target is None:
            raise SourceError(f"{source.where}: answers an unknown document {source.get('answers')!r}")
        text = answer_text(source, council, day, target)
    else:
        text = letter_text(source, council, day)
    if len(text.split()) < 25:
        raise SourceError(f"{source.where}: too short ({len(text.split())} words)")
    organisation: Any = {"name": council.display, "identifier": council.code}
    if choice(source.slug, "org", [False, False, False, True]):
        organisation = council.code
    meeting = day.isoformat()
    if choice(source.slug, "datetime", [False, False, True]):
        hour, minute = choice(source.slug, "hour", [(19, 30), (20, 0), (14, 0), (10, 0)])
        moment = datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM)
        meeting = moment.isoformat()
    type_names = TYPES[kind]
    result: dict[str, Any] = {
        "@id": PREFIX + source.slug,
        "@type": choice(source.slug, "type", list(type_names)),
        "name": record_title(source, day),
        "date": meeting,
        "organization": organisation,
        "text": text,
    }
    if source.get("subject"):
        result["subject"] = source.get("subject")
    names = people(source)
    if names:
        if choice(source.slug, "creator", [True, False]):
            result["creator"] = [{"name": n, "party": p} for n, p in names]
        else:
            result["creator"] = [f"{n} ({p})" for n, p in names]
        result["parties"] = parties(source)
    result.update(outcome(source))
    if topics:
        result["topics"] = topics
    if kind == "antwoord":
        result["answers"] = PREFIX + source.get("answers")
    if kind == "amendement" and source.get("amends"):
        result["amends"] = {"@id": f"{PREFIX}voorstel/{source.slug}", "name": source.get("amends")}
    return result


def render(sources: list[Source] | None = None) -> list[dict[str, Any]]:
    sources = read_sources() if sources is None else sources
    by_slug: dict[str, Source] = {}
    for source in sources:
        if source.slug in by_slug:
            raise SourceError(f"{source.where}: slug {source.slug!r} used twice")
        by_slug[source.slug] = source
    council_list = councils()
    return [record(source, council_list, by_slug) for source in sources]


def as_lines(records: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only check that documents.jsonl is up to date")
    args = parser.parse_args()
    try:
        text = as_lines(render())
    except SourceError as error:
        print(error, file=sys.stderr)
        return 1
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print("documents.jsonl is not what the sources give: run bench/relevance/render.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{text.count(chr(10))} documents written to {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
