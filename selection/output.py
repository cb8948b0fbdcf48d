"""The committee's advice as documents for the members' meeting: a DOCX to edit in Word and a PDF
to hand out, both drawn from one `AdviceLayout` so they always say the same thing.

Like the library's documents (library/output.py, whose text cleaning this reuses), the advice is a
Dutch document whatever the language of the interface, hence the Dutch literals and the rendering
inside `translation.override("nl")`. It holds the ranked names and the rationale per place, never
the applicants' personal details, scores or interview notes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import formats, timezone, translation
from docx.shared import Pt

from library.output import a4_document, clean, docx_bytes, render_dutch_pdf, safe_file_name

from .models import Advice, Election, SelectionProcedure


@dataclass(frozen=True)
class Place:
    rank: int
    name: str
    rationale: str


@dataclass(frozen=True)
class AdviceLayout:
    title: str
    meta: list[tuple[str, str]]
    final: bool
    summary: list[str]
    places: list[Place]


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", clean(text)) if p.strip()]


def layout(procedure: SelectionProcedure) -> AdviceLayout:
    advice: Advice = procedure.advice
    places = advice.places.select_related("application").order_by("rank")
    with translation.override("nl"):
        date = formats.date_format
        meta = [
            ("Afdeling", clean(procedure.branch.name)),
            ("Verkiezing", f"{Election(procedure.election).label}, {date(procedure.election_date, 'j F Y')}"),
            ("Orgaan", clean(procedure.body.name)),
        ]
        if procedure.members_meeting:
            meta.append(("Ledenvergadering", date(procedure.members_meeting, "j F Y")))
        if advice.finalised_at:
            meta.append(("Advies vastgesteld", date(timezone.localdate(advice.finalised_at), "j F Y")))
        else:
            meta.append(("Status", "Concept, nog niet vastgesteld"))
        return AdviceLayout(
            title=clean(procedure.title),
            meta=meta,
            final=advice.is_final,
            summary=_paragraphs(advice.summary),
            places=[
                Place(rank=p.rank, name=clean(p.application.full_name), rationale=clean(p.rationale)) for p in places
            ],
        )


def render_docx(procedure: SelectionProcedure) -> bytes:
    """The advice as a Word file: A4, real headings, a table of the places, page numbers."""
    content = layout(procedure)
    docx = a4_document(
        title=f"Advies kandidatencommissie - {content.title}",
        subject="Advies kandidatencommissie",
        author="Kandidatencommissie",
    )

    docx.add_heading("Advies van de kandidatencommissie" if content.final else "Concept-advies", level=1)
    docx.add_heading(content.title, level=2)
    for label, value in content.meta:
        line = docx.add_paragraph()
        line.paragraph_format.space_after = Pt(2)
        line.add_run(f"{label}: ").bold = True
        line.add_run(value)
    for paragraph in content.summary:
        docx.add_paragraph(paragraph)
    docx.add_heading("Voorgestelde kandidatenlijst", level=2)
    table = docx.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, ("Plaats", "Naam", "Motivering"), strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(label).bold = True
    for place in content.places:
        cells = table.add_row().cells
        cells[0].text = str(place.rank)
        cells[1].text = place.name
        cells[2].text = place.rationale
    return docx_bytes(docx)


def render_pdf(procedure: SelectionProcedure) -> bytes:
    """The same advice as a PDF (A4, "pagina 1 van 2"), through WeasyPrint."""
    return render_dutch_pdf("selection/advice_pdf.html", {"layout": layout(procedure)})


def file_name(procedure: SelectionProcedure, extension: str) -> str:
    return safe_file_name(f"Advies kandidatencommissie - {procedure.title}", extension)
