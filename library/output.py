"""A document as the griffie expects it: a motion, amendment or written questions (or any other
library document) as a DOCX to edit in Word and as a PDF to hand in as it is.

Both formats are drawn from one `Layout`, so they always say the same thing. The document is a
Dutch council document whatever the language of the interface, hence the Dutch literals and the
rendering inside `translation.override("nl")`. Nothing in a document is trusted: characters that
XML cannot hold are dropped, the HTML template escapes everything.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core.models import Body, Tier
from core.text import strip_accents

from . import structure
from .models import Document, Kind

KIND_HEADINGS: dict[str, str] = {
    Kind.MOTION: "Motie",
    Kind.AMENDMENT: "Amendement",
    Kind.QUESTIONS: "Schriftelijke vragen",
    Kind.INITIATIVE: "Initiatiefvoorstel",
}
# Left open for the member to fill in by hand.
BLANK = "_" * 24
SIGNATURE_LINE = "_" * 40
FILE_NAME_MAX = 100

# XML 1.0 cannot hold most control characters (python-docx refuses them); pasted text has them.
_LINE_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BLANK_LINES = re.compile(r"\n\s*\n")
# A comma inside parentheses belongs to the name: "J. Jansen (PvdA, fractievoorzitter)".
_NAME_SEPARATOR = re.compile(r",(?![^()]*\))")
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9 ._()-]+|\.{2,}")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))}


@dataclass(frozen=True)
class Block:
    """A labelled part of the document: a section of a motion, the questions, the draft decision."""

    heading: str
    items: list[str]
    style: str  # "bullet", "number" or "text"
    is_heading: bool = False  # a heading of its own ("Vragen") rather than a bold lead-in


@dataclass(frozen=True)
class Layout:
    kind_heading: str
    title: str
    meta: list[tuple[str, str]]
    opening: str = ""
    blocks: list[Block] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    closing: str = ""
    signatories: list[str] = field(default_factory=list)

    @property
    def author(self) -> str:
        return ", ".join(self.signatories)


def clean(value: Any) -> str:
    text = _LINE_BREAKS.sub("\n", str(value or ""))
    return _NOT_XML.sub("", text).strip()


def _without_prefix(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.lower().startswith(prefix.lower()) else name


def council_phrase(body: Body) -> str:
    """The council that meets: "gemeenteraad van Zwolle", "Provinciale Staten van Overijssel",
    "algemeen bestuur van Waterschap Vechtstromen"."""
    name = clean(body.name)
    if body.tier == Tier.MUNICIPAL:
        return f"gemeenteraad van {_without_prefix(name, 'Gemeente ')}"
    if body.tier == Tier.PROVINCIAL:
        return f"Provinciale Staten van {_without_prefix(name, 'Provincie ')}"
    if body.tier == Tier.WATER_BOARD:
        return f"algemeen bestuur van {name}"
    return name


def executive_phrase(body: Body) -> str:
    """Whom written questions are put to."""
    name = clean(body.name)
    if body.tier == Tier.MUNICIPAL:
        return f"het college van burgemeester en wethouders van {_without_prefix(name, 'Gemeente ')}"
    if body.tier == Tier.PROVINCIAL:
        return f"het college van Gedeputeerde Staten van {_without_prefix(name, 'Provincie ')}"
    if body.tier == Tier.WATER_BOARD:
        return f"het dagelijks bestuur van {name}"
    return name


def _opening(kind: str, council: str, date_text: str) -> str:
    text = structure.opening(kind, council, date_text)
    # structure.opening writes "De ..."; "bestuur" is a het-word.
    if council.startswith("algemeen bestuur") and text.startswith("De "):
        text = "Het " + text[3:]
    return text


def signatories(document: Document) -> list[str]:
    """Members on the platform in the order they were added (the first submitter signs first),
    then the other names."""
    through = Document.submitters.through.objects.filter(document=document).select_related("member").order_by("pk")
    names = [clean(row.member.full_name) for row in through]
    names += [clean(name) for name in _NAME_SEPARATOR.split(document.submitter_names)]
    return [name for name in names if name]


def _blocks(kind: str, parts: dict[str, Any]) -> list[Block]:
    # The same (translated) heading that structure.sections() gives the draft decision.
    draft_heading = gettext("het ontwerpbesluit")
    blocks = []
    for section in structure.sections(kind, parts):
        items = [clean(item) for item in section.items]
        if kind == Kind.QUESTIONS:
            blocks.append(Block(clean(section.heading), items, "number", is_heading=True))
        elif kind == Kind.AMENDMENT and section.heading == draft_heading:
            paragraphs = [p.strip() for item in items for p in _BLANK_LINES.split(item) if p.strip()]
            blocks.append(Block("Het ontwerpbesluit:", paragraphs, "text"))
        else:
            blocks.append(Block(f"{section.heading}:", items, "number" if section.numbered else "bullet"))
    return blocks


def layout(document: Document) -> Layout:
    """What the griffie gets to read, in order; the same for DOCX and PDF."""
    with translation.override("nl"):
        kind = document.kind
        body = document.body
        date_text = formats.date_format(document.meeting_date, "j F Y") if document.meeting_date else ""
        names = signatories(document)
        parties = ", ".join(clean(party) for party in document.party_list)
        agenda_item = clean(document.agenda_item)
        if kind == Kind.QUESTIONS:
            meta = [
                ("Aan", executive_phrase(body)),
                ("Onderwerp", agenda_item or clean(document.title)),
                ("Datum", date_text or BLANK),
            ]
        else:
            meta = [
                ("Aan", f"de {council_phrase(body)}"),
                ("Onderwerp/agendapunt", agenda_item or BLANK),
                ("Vergadering", date_text or BLANK),
            ]
        meta.append(("Ingediend door", ", ".join(names) or BLANK))
        if parties:
            meta.append(("Partijen", parties))

        raw_parts = document.parts if isinstance(document.parts, dict) else {}
        blocks = _blocks(kind, structure.clean_parts(kind, raw_parts))
        # Uploaded or imported text (no structured parts) already holds its opening and closing.
        paragraphs = [] if blocks else [p.strip() for p in _BLANK_LINES.split(clean(document.text)) if p.strip()]
        return Layout(
            kind_heading=KIND_HEADINGS.get(kind, ""),
            title=clean(document.title),
            meta=meta,
            opening=_opening(kind, council_phrase(body), date_text or BLANK) if blocks else "",
            blocks=blocks,
            paragraphs=paragraphs,
            closing=structure.closing(kind) if blocks else "",
            signatories=names,
        )


# DOCX


def _set_font(style: Any, name: str, size: float, *, colour: RGBColor | None = None) -> None:
    style.font.name = name
    style.font.size = Pt(size)
    if colour is not None:
        style.font.color.rgb = colour
    # Theme fonts win over the named font in Word: drop them.
    fonts = style.element.rPr.rFonts
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)


def page_field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) at the end of `paragraph`."""
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def _restarted_numbering(docx: Any) -> int:
    """A numbering instance of "List Number" that starts at 1 (Word otherwise continues the
    previous list: the answers would be numbered on from the questions)."""
    numbering = docx.part.numbering_part.element
    style_num_id = docx.styles["List Number"].element.pPr.numPr.numId.val
    abstract_id = numbering.num_having_numId(style_num_id).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return int(num.numId)


def _number(paragraph: Any, num_id: int) -> None:
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = num_id


def a4_document(*, title: str, subject: str, author: str) -> Any:
    """A new Word document as the association sends them: A4, Arial, Dutch, real heading styles,
    "pagina 1 van 2" in the footer, and these properties."""
    docx = new_docx()
    section = docx.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)

    black = RGBColor(0, 0, 0)
    normal = docx.styles["Normal"]
    _set_font(normal, "Arial", 11)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "nl-NL")
    normal.element.get_or_add_rPr().append(language)
    _set_font(docx.styles["Heading 1"], "Arial", 18, colour=black)
    _set_font(docx.styles["Heading 2"], "Arial", 14, colour=black)
    _set_font(docx.styles["Footer"], "Arial", 9)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("pagina ")
    page_field(footer, "PAGE")
    footer.add_run(" van ")
    page_field(footer, "NUMPAGES")

    properties = docx.core_properties
    # Core properties are limited to 255 characters.
    properties.title = title[:255]
    properties.subject = subject[:255]
    properties.author = properties.last_modified_by = author[:255]
    properties.comments = ""
    properties.keywords = ""
    properties.language = "nl-NL"
    properties.created = properties.modified = timezone.now()
    properties.revision = 1
    return docx


def docx_bytes(docx: Any) -> bytes:
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


def render_dutch_pdf(template: str, context: dict[str, Any]) -> bytes:
    """A template rendered in Dutch (whatever the language of the interface) as PDF, through WeasyPrint."""
    from weasyprint import HTML

    with translation.override("nl"):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=settings.RAADHUIS_BASE_URL).write_pdf()


def render_docx(document: Document) -> bytes:
    """The document as Word file: real Word styles (headings, lists), A4, page numbers."""
    content = layout(document)
    docx = a4_document(
        title=" - ".join(part for part in (content.kind_heading, content.title) if part),
        subject=content.kind_heading,
        author=content.author,
    )

    if content.kind_heading:
        docx.add_heading(content.kind_heading, level=1)
        docx.add_heading(content.title, level=2)
    else:
        docx.add_heading(content.title, level=1)
    for label, value in content.meta:
        line = docx.add_paragraph()
        line.paragraph_format.space_after = Pt(2)
        line.add_run(f"{label}: ").bold = True
        line.add_run(value)
    docx.add_paragraph()

    if content.opening:
        docx.add_paragraph(content.opening)
    for block in content.blocks:
        if block.is_heading:
            docx.add_heading(block.heading, level=2)
        else:
            lead = docx.add_paragraph()
            lead.paragraph_format.keep_with_next = True
            lead.paragraph_format.space_before = Pt(6)
            lead.add_run(block.heading).bold = True
        num_id = _restarted_numbering(docx) if block.style == "number" else 0
        for item in block.items:
            if block.style == "bullet":
                docx.add_paragraph(item, style="List Bullet")
            elif block.style == "number":
                _number(docx.add_paragraph(item, style="List Number"), num_id)
            else:
                docx.add_paragraph(item)
    for paragraph in content.paragraphs:
        docx.add_paragraph(paragraph)
    if content.closing:
        docx.add_paragraph(content.closing).paragraph_format.space_before = Pt(6)

    docx.add_heading("Ondertekening", level=2).paragraph_format.space_before = Pt(18)
    for name in content.signatories or ["Naam: " + BLANK]:
        line = docx.add_paragraph(SIGNATURE_LINE)
        line.paragraph_format.space_before = Pt(30)
        line.paragraph_format.space_after = Pt(0)
        line.paragraph_format.keep_with_next = True
        docx.add_paragraph(name)
    return docx_bytes(docx)


# PDF


def render_pdf(document: Document) -> bytes:
    """The same document as PDF (A4, "pagina 1 van 2" in the footer), through WeasyPrint."""
    return render_dutch_pdf("library/document_pdf.html", {"layout": layout(document)})


def safe_file_name(stem: str, extension: str) -> str:
    """`stem.extension` safe as a download name on every system: ASCII letters, digits, spaces and
    ._()- only, at most 100 characters (cut at a word where that loses little), no reserved
    Windows names."""
    extension = re.sub(r"[^A-Za-z0-9]", "", extension).lower()[:10] or "bin"
    stem = " ".join(_UNSAFE_IN_FILE_NAME.sub(" ", strip_accents(clean(stem))).split()).strip(" .-") or "document"
    limit = FILE_NAME_MAX - len(extension) - 1
    if len(stem) > limit:
        cut = stem[:limit]
        if " " in cut[limit // 2 :]:
            cut = cut.rsplit(" ", 1)[0]
        stem = cut.strip(" .-") or "document"
    if stem.split(".", 1)[0].upper() in _WINDOWS_RESERVED:
        stem = f"{stem}_"
    return f"{stem}.{extension}"


def file_name(document: Document, extension: str) -> str:
    """ "Motie - Betaalbare starterswoningen.docx" (see `safe_file_name`)."""
    label = KIND_HEADINGS.get(document.kind, "")
    title = " ".join(_UNSAFE_IN_FILE_NAME.sub(" ", strip_accents(clean(document.title))).split())
    if label and title.split(" ", 1)[0].lower() != label.split(" ", 1)[0].lower():
        title = f"{label} - {title}" if title else label
    return safe_file_name(title.strip(" .-") or label, extension)
