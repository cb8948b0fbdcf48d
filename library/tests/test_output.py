"""The DOCX and PDF a member hands in to the griffie (library.output)."""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import docx
import pytest
from django.utils import translation
from pypdf import PdfReader

from core.models import Tier
from library.models import Document, Kind
from library.output import file_name, render_docx, render_pdf
from tests.factories import MemberFactory, MunicipalityFactory, ProvinceFactory, WaterBoardFactory

pytestmark = pytest.mark.django_db

CONSIDERING = ["er in Zwolle te weinig betaalbare woningen zijn;", "starters gemiddeld negen jaar wachten;"]
WHEREAS = ["een starterslening de drempel verlaagt;"]
REQUESTS = ["een starterslening in te voeren;", "de raad voor 1 juli te informeren;"]


def make_document(**overrides: Any) -> Document:
    values: dict[str, Any] = {
        "kind": Kind.MOTION,
        "title": "Betaalbare starterswoningen",
        "body": MunicipalityFactory(name="Zwolle"),
        "meeting_date": datetime.date(2026, 3, 12),
        "agenda_item": "Woonvisie 2026-2030",
        "submitter_names": "J. Jansen (PvdA), K. de Vries (GroenLinks, fractievoorzitter)",
        "parties": "CDA, PvdA, GroenLinks",
        "parts": {"considering": CONSIDERING, "whereas": WHEREAS, "request_verb": "requests", "requests": REQUESTS},
        "status": Document.Status.DRAFT,
    }
    values.update(overrides)
    return Document.objects.create(**values)


def with_submitters(document: Document) -> Document:
    # Added out of alphabetical order: the order of adding is the order of signing.
    document.submitters.add(MemberFactory(given_name="Wim", infix="van der", family_name="Zee"))
    document.submitters.add(MemberFactory(given_name="Anna", family_name="Bakker"))
    return document


def docx_of(document: Document) -> docx.document.Document:
    return docx.Document(io.BytesIO(render_docx(document)))


def texts(word: docx.document.Document) -> list[str]:
    return [p.text for p in word.paragraphs]


def full_text(word: docx.document.Document) -> str:
    return "\n".join(texts(word))


def paragraph(word: docx.document.Document, text: str) -> Any:
    return next(p for p in word.paragraphs if p.text == text)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def test_motion_docx_has_heading_meta_opening_sections_items_and_closing() -> None:
    word = docx_of(with_submitters(make_document()))
    text = full_text(word)

    assert paragraph(word, "Motie").style.name == "Heading 1"
    assert paragraph(word, "Betaalbare starterswoningen").style.name == "Heading 2"
    assert "Onderwerp/agendapunt: Woonvisie 2026-2030" in text
    assert "Vergadering: 12 maart 2026" in text
    assert "Partijen: CDA, PvdA, GroenLinks" in text
    assert "De gemeenteraad van Zwolle, in vergadering bijeen op 12 maart 2026, gehoord de beraadslaging," in texts(
        word
    )
    for heading in ("constaterende dat:", "overwegende dat:", "verzoekt het college:"):
        lead = paragraph(word, heading)
        assert all(run.bold for run in lead.runs)
    for item in CONSIDERING + WHEREAS + REQUESTS:
        assert paragraph(word, item).style.name == "List Bullet"
    assert texts(word).index("constaterende dat:") < texts(word).index(CONSIDERING[0])
    assert texts(word).index(REQUESTS[-1]) < texts(word).index("en gaat over tot de orde van de dag.")


def test_submitters_are_listed_in_the_order_they_were_added_then_the_other_names() -> None:
    word = docx_of(with_submitters(make_document()))

    names = "Wim van der Zee, Anna Bakker, J. Jansen (PvdA), K. de Vries (GroenLinks, fractievoorzitter)"
    assert f"Ingediend door: {names}" in texts(word)
    signing = texts(word)[texts(word).index("Ondertekening") :]
    assert [t for t in signing if t and not t.startswith("_")][1:] == names.split(", ", 3)
    assert paragraph(word, "Ondertekening").style.name == "Heading 2"
    assert sum(t.startswith("____") for t in signing) == 4


def test_a_document_without_meeting_date_or_submitters_leaves_lines_to_fill_in() -> None:
    word = docx_of(make_document(meeting_date=None, submitter_names="", parties=""))
    text = full_text(word)

    assert "Vergadering: ____" in text
    assert "in vergadering bijeen op ____" in text
    assert "Ingediend door: ____" in text
    assert "Partijen" not in text
    assert "Naam: ____" in text


@pytest.mark.parametrize(
    ("make_body", "phrase"),
    [
        (
            lambda: ProvinceFactory(code="PV23", name="Overijssel"),
            "De Provinciale Staten van Overijssel, in vergadering",
        ),
        (
            lambda: WaterBoardFactory(name="Waterschap Vechtstromen"),
            "Het algemeen bestuur van Waterschap Vechtstromen, in vergadering",
        ),
    ],
)
def test_the_opening_names_the_council_of_the_tier(make_body: Any, phrase: str) -> None:
    body = make_body()
    assert body.tier in (Tier.PROVINCIAL, Tier.WATER_BOARD)

    assert phrase in full_text(docx_of(make_document(body=body)))


def test_amendment_has_the_draft_decision_and_the_changes() -> None:
    document = make_document(
        kind=Kind.AMENDMENT,
        title="Meer sociale huur",
        parts={
            "draft_decision": "1. De woonvisie vast te stellen.\n\n2. Het college op te dragen deze uit te voeren.",
            "change": ["In beslispunt 1 '30%' te vervangen door '40%'."],
        },
    )
    word = docx_of(document)
    lines = texts(word)

    assert paragraph(word, "Amendement").style.name == "Heading 1"
    assert lines[lines.index("Het ontwerpbesluit:") + 1] == "1. De woonvisie vast te stellen."
    assert lines[lines.index("Het ontwerpbesluit:") + 2] == "2. Het college op te dragen deze uit te voeren."
    assert paragraph(word, "besluit het ontwerpbesluit als volgt te wijzigen:").runs[0].bold
    assert paragraph(word, "In beslispunt 1 '30%' te vervangen door '40%'.").style.name == "List Bullet"
    assert lines.index(
        "De gemeenteraad van Zwolle, in vergadering bijeen op 12 maart 2026, gehoord de beraadslaging,"
    ) < (lines.index("Het ontwerpbesluit:"))
    assert "orde van de dag" not in full_text(word)


def test_written_questions_are_numbered_and_the_answers_start_again_at_one() -> None:
    questions = ["Kent u het bericht over de wachtlijsten?", "Hoeveel starters wachten er?", "Wat gaat u doen?"]
    answers = ["Ja.", "Ongeveer 4.000."]
    document = make_document(kind=Kind.QUESTIONS, parts={"questions": questions, "answers": answers})
    word = docx_of(document)
    text = full_text(word)

    assert paragraph(word, "Schriftelijke vragen").style.name == "Heading 1"
    assert "Aan: het college van burgemeester en wethouders van Zwolle" in text
    assert "Datum: 12 maart 2026" in text
    assert paragraph(word, "Vragen").style.name == "Heading 2"
    assert paragraph(word, "Antwoorden").style.name == "Heading 2"
    numbered = [paragraph(word, item) for item in questions + answers]
    assert all(p.style.name == "List Number" for p in numbered)
    question_list = {p._p.pPr.numPr.numId.val for p in numbered[:3]}
    answer_list = {p._p.pPr.numPr.numId.val for p in numbered[3:]}
    assert len(question_list) == len(answer_list) == 1
    assert question_list != answer_list
    numbering = zipfile.ZipFile(io.BytesIO(render_docx(document))).read("word/numbering.xml").decode()
    assert '<w:startOverride w:val="1"/>' in numbering
    assert "in vergadering bijeen" not in text


def test_a_document_with_only_text_renders_its_paragraphs() -> None:
    text = (
        "De raad,\n\ngehoord de beraadslaging,\nconstaterende dat het regent;\n\n\n  draagt het college op te schuilen."
    )
    document = make_document(kind=Kind.OTHER, title="Motie vreemd aan de orde", parts={}, text=text)
    word = docx_of(document)
    lines = texts(word)

    assert paragraph(word, "Motie vreemd aan de orde").style.name == "Heading 1"
    assert "De raad," in lines
    assert "gehoord de beraadslaging,\nconstaterende dat het regent;" in lines
    assert "draagt het college op te schuilen." in lines
    assert "Aan: de gemeenteraad van Zwolle" in lines


def test_docx_is_a4_with_page_numbers_and_core_properties() -> None:
    document = with_submitters(make_document())
    content = render_docx(document)
    word = docx.Document(io.BytesIO(content))
    section = word.sections[0]

    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.left_margin.mm) == round(section.right_margin.mm) == 25
    assert word.core_properties.title == "Motie - Betaalbare starterswoningen"
    assert word.core_properties.author.startswith("Wim van der Zee, Anna Bakker")
    assert word.core_properties.language == "nl-NL"
    assert str(word.styles["Heading 1"].font.color.rgb) == "000000"
    assert word.styles["Normal"].font.name == "Arial"
    footer = zipfile.ZipFile(io.BytesIO(content)).read("word/footer1.xml").decode()
    assert 'w:instr="PAGE"' in footer
    assert 'w:instr="NUMPAGES"' in footer


def test_docx_survives_control_characters_and_markup_in_the_text() -> None:
    document = make_document(
        title="Vet <b>&amp;</b>\x01",  # (PostgreSQL cannot store NUL at all)
        parts={"considering": ["het \x0bregent\x01 <script>alert(1)</script> & zo"], "requests": ["iets te doen"]},
    )
    word = docx_of(document)

    assert "Vet <b>&amp;</b>" in texts(word)
    assert "het \nregent <script>alert(1)</script> & zo" in texts(word)


def test_the_document_is_dutch_when_the_interface_is_english() -> None:
    translation.activate("en")
    text = full_text(docx_of(make_document()))

    assert "constaterende dat:" in text
    assert "Vergadering: 12 maart 2026" in text


def test_pdf_has_the_same_content_escaped_with_page_numbers() -> None:
    document = with_submitters(
        make_document(
            parts={"considering": CONSIDERING, "whereas": ["<b>niet vet</b> & <img src=x>"], "requests": REQUESTS}
        )
    )
    content = render_pdf(document)

    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert reader.metadata is not None
    assert reader.metadata.title == "Motie - Betaalbare starterswoningen"
    page = reader.pages[0]
    assert (round(float(page.mediabox.width) / 72 * 25.4), round(float(page.mediabox.height) / 72 * 25.4)) == (210, 297)
    text = pdf_text(content)
    for expected in [
        "Motie",
        "Betaalbare starterswoningen",
        "Vergadering: 12 maart 2026",
        "De gemeenteraad van Zwolle, in vergadering bijeen op 12 maart 2026",
        "constaterende dat:",
        "overwegende dat:",
        "verzoekt het college:",
        *CONSIDERING,
        *REQUESTS,
        "<b>niet vet</b> & <img src=x>",
        "en gaat over tot de orde van de dag.",
        "Ondertekening",
        "Wim van der Zee",
        "K. de Vries (GroenLinks, fractievoorzitter)",
        f"pagina 1 van {len(reader.pages)}",
    ]:
        assert expected in text, expected


def test_pdf_of_written_questions_and_of_a_text_only_document() -> None:
    questions = make_document(kind=Kind.QUESTIONS, parts={"questions": ["Eerste vraag?", "Tweede vraag?"]})
    text = pdf_text(render_pdf(questions))
    assert "Schriftelijke vragen" in text
    assert "1. Eerste vraag?" in text
    assert "2. Tweede vraag?" in text

    plain = make_document(kind=Kind.INITIATIVE, parts={}, text="Eerste alinea.\n\nTweede alinea.")
    text = pdf_text(render_pdf(plain))
    assert "Initiatiefvoorstel" in text
    assert "Eerste alinea. Tweede alinea." in text


@pytest.mark.parametrize(
    ("kind", "title", "expected"),
    [
        (Kind.MOTION, "Betaalbare starterswoningen", "Motie - Betaalbare starterswoningen.docx"),
        (Kind.MOTION, "Motie: a/b?", "Motie a b.docx"),
        (Kind.AMENDMENT, 'Ré-integratie "nu" <script>', "Amendement - Re-integratie nu script.docx"),
        (Kind.QUESTIONS, "../../etc/passwd", "Schriftelijke vragen - etc passwd.docx"),
        (Kind.OTHER, "CON", "CON_.docx"),
        (Kind.OTHER, "???", "document.docx"),
    ],
)
def test_file_name_keeps_only_safe_characters(kind: str, title: str, expected: str) -> None:
    assert file_name(make_document(kind=kind, title=title), "docx") == expected


def test_file_name_is_at_most_100_characters_and_cleans_the_extension() -> None:
    name = file_name(make_document(title="Woningbouw " * 27), ".P/DF")

    assert len(name) <= 100
    assert name.startswith("Motie - Woningbouw Woningbouw")
    assert name.endswith("Woningbouw.pdf")
