import datetime
import io

import docx
import pypdf
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from selection import services
from selection.models import Application, CurriculumVitae, SelectionProcedure
from selection.tests.factories import application_post, docx_bytes, make_procedure, member_with_account, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    return make_procedure()


def apply_url(world):  # type: ignore[no-untyped-def]
    return reverse("selection:apply", kwargs={"slug": world.procedure.slug})


def cv(content=None, name="cv.pdf"):  # type: ignore[no-untyped-def]
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type="application/pdf")


# --- the public call and the form -----------------------------------------------------------------------


def test_open_calls_are_listed_with_their_profile_and_criteria(client, world) -> None:  # type: ignore[no-untyped-def]
    draft = make_procedure(publish=False, province_code="PV22", province_name="Drenthe")
    listed = list(client.get(reverse("selection:calls")).context["calls"])
    assert listed == [world.procedure]
    page = client.get(world.procedure.get_call_url()).content.decode()
    assert "hart voor de regio" in page and "Motivatie en binding met de partij" in page
    assert client.get(draft.procedure.get_call_url()).status_code == 404
    client.force_login(draft.secretary)
    assert "Voorbeeld" in client.get(draft.procedure.get_call_url()).content.decode()


def test_an_outsider_applies_through_the_form(client, world, mailed) -> None:  # type: ignore[no-untyped-def]
    with mailed():
        response = client.post(apply_url(world), {**application_post(), "cv": cv(docx_bytes(), "mijn cv.docx")})
    assert response.status_code == 200, response.context["form"].errors
    assert "Bedankt voor je aanmelding" in response.content.decode()
    application = Application.objects.get()
    assert (application.full_name, application.town) == ("Fatima Yilmaz", "Zwolle")
    assert CurriculumVitae.objects.get().filename == "mijn cv.docx"
    confirmation = next(m for m in mail.outbox if m.to == ["fatima@example.org"])
    assert "KAND-" in confirmation.body and "/kandidaat-worden/aanmelding/" in confirmation.body
    status = client.get(confirmation.body.split("http://127.0.0.1:8000", 1)[1].split()[0])
    assert status.status_code == 200 and status.context["application"] == application


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00", "cv.pdf", "Upload een PDF of Word-document (.docx)."),
        (b"%PDF-1.7\n%garbage without objects", "cv.pdf", "beschadigd"),
    ],
)
def test_a_bad_cv_gives_a_clear_error_and_stores_nothing(client, world, content, name, message, mailed) -> None:  # type: ignore[no-untyped-def]
    with mailed():
        response = client.post(apply_url(world), {**application_post(), "cv": cv(content, name)})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["cv"] and message in errors["cv"][0]
    assert message in response.content.decode()
    assert not Application.objects.exists() and not CurriculumVitae.objects.exists() and not mail.outbox


def test_missing_answers_are_shown_per_field(client, world) -> None:  # type: ignore[no-untyped-def]
    data = application_post(integrity_criminal="yes", declaration="", signed_name="")
    response = client.post(apply_url(world), {**data, "cv": cv()})
    errors = response.context["form"].errors
    assert set(errors) == {"integrity_criminal_explanation", "declaration", "signed_name"}
    assert not Application.objects.exists()


def test_a_member_finds_their_details_filled_in(client, world) -> None:  # type: ignore[no-untyped-def]
    member = member_with_account(email="raadslid@example.org")
    client.force_login(member.user)
    form = client.get(apply_url(world)).context["form"]
    assert form.initial["email"] == "raadslid@example.org" and form.initial["family_name"] == member.family_name
    response = client.post(apply_url(world), {**application_post(email="raadslid@example.org"), "cv": cv()})
    assert response.status_code == 200
    assert Application.objects.get().member == member


def test_the_committee_cannot_apply(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.chair)
    page = client.get(apply_url(world))
    assert "selectiecommissie van deze procedure" in page.content.decode() and "form" not in page.context


def test_honeypot_and_rate_limit_stop_robots(client, world) -> None:  # type: ignore[no-untyped-def]
    response = client.post(apply_url(world), {**application_post(website="http://spam.example"), "cv": cv()})
    assert response.status_code == 200 and not Application.objects.exists()
    for _ in range(8):
        client.post(apply_url(world), {"given_name": "x"})
    assert client.post(apply_url(world), {**application_post(), "cv": cv()}).status_code == 200
    assert client.post(apply_url(world), {**application_post(), "cv": cv()}).status_code == 429
    assert Application.objects.count() == 1


def test_a_closed_call_takes_no_applications(client, world) -> None:  # type: ignore[no-untyped-def]
    services.close_applications(procedure=world.procedure)
    response = client.post(apply_url(world), {**application_post(), "cv": cv()})
    assert "niet open" in response.content.decode() and not Application.objects.exists()


# --- setting up ---------------------------------------------------------------------------------------


def test_the_secretary_opens_and_publishes_a_procedure_through_the_pages(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.secretary)
    assert client.get(reverse("selection:procedure_create")).status_code == 200
    today = timezone.localdate()
    response = client.post(
        reverse("selection:procedure_create"),
        {
            "branch": world.branch.pk,
            "title": "Waterschap Vechtstromen 2027",
            "election": "provincial",
            "election_date": "2027-03-17",
            "body": world.province.pk,
            "call_opens": today.isoformat(),
            "applications_close": (today - datetime.timedelta(days=3)).isoformat(),
            "retention_months": "6",
        },
    )
    assert response.status_code == 200
    assert "applications_close" in response.context["form"].errors
    response = client.post(
        reverse("selection:procedure_create"),
        {
            "branch": world.branch.pk,
            "title": "Tweede ronde Provinciale Staten",
            "election": "provincial",
            "election_date": "2027-03-17",
            "body": world.province.pk,
            "call_opens": today.isoformat(),
            "applications_close": (today + datetime.timedelta(days=10)).isoformat(),
            "profile": "Wie durft?",
            "retention_months": "4",
        },
    )
    procedure = SelectionProcedure.objects.get(title="Tweede ronde Provinciale Staten")
    assert response.url == procedure.get_absolute_url() and procedure.retention_months == 4
    committee = reverse("selection:committee", kwargs={"pk": procedure.pk})
    response = client.post(committee, {"action": "add", "email": "niemand@example.org"})
    assert "geen actief lid" in response.content.decode()
    chair = member_with_account()
    client.post(committee, {"action": "add", "email": chair.email, "chair": "on"})
    client.post(reverse("selection:procedure_action", kwargs={"pk": procedure.pk}), {"action": "publish"})
    procedure.refresh_from_db()
    assert procedure.status == "open" and procedure.committee.get().member == chair


def test_criteria_are_edited_as_a_list(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.secretary)
    url = reverse("selection:criteria", kwargs={"pk": world.procedure.pk})
    formset = client.get(url).context["formset"]
    data = {"form-TOTAL_FORMS": "6", "form-INITIAL_FORMS": "5", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "20"}
    for index, form in enumerate(formset.forms[:5]):
        data |= {
            f"form-{index}-pk": form.initial["pk"],
            f"form-{index}-name": form.initial["name"],
            f"form-{index}-weight": "1",
        }
    data |= {"form-0-delete": "on", "form-5-name": "Kennis van mobiliteit", "form-5-weight": "3"}
    client.post(url, data)
    names = list(world.procedure.criteria.values_list("name", "weight"))
    assert len(names) == 5 and names[-1] == ("Kennis van mobiliteit", 3)


# --- the committee's work ---------------------------------------------------------------------------------


def test_dashboard_queries_do_not_grow_with_the_applicants(client, world) -> None:  # type: ignore[no-untyped-def]
    criteria = list(world.procedure.criteria.all())

    def add(n: int) -> None:
        for i in range(n):
            application = world.apply(email=f"kandidaat{len(world.applications)}-{i}@example.org")
            services.score(application=application, user=world.member, scores={c.pk: (3, "") for c in criteria})
            if i == 0:
                services.declare_conflict(application=application, user=world.conflicted, reason="Buurman")

    add(2)
    client.force_login(world.member)
    url = world.procedure.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 10
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(few.captured_queries) <= 20


def test_scoring_through_the_page(client, world) -> None:  # type: ignore[no-untyped-def]
    application = world.apply()
    client.force_login(world.member)
    url = reverse("selection:score", kwargs={"pk": world.procedure.pk, "application": application.pk})
    criteria = list(world.procedure.criteria.all())
    incomplete = {f"score_{criteria[0].pk}": "4"}
    response = client.post(url, incomplete)
    assert response.status_code == 200 and response.context["form"].errors
    data = {f"score_{c.pk}": str(1 + i % 5) for i, c in enumerate(criteria)} | {f"note_{criteria[0].pk}": "Sterk"}
    assert client.post(url, data).status_code == 302
    row = next(r for r in client.get(world.procedure.get_absolute_url()).context["rows"])
    assert row.my_scored == len(criteria) and row.score_count == len(criteria)
    assert "Sterk</textarea>" in client.get(url).content.decode()


def test_interviews_and_status_through_the_pages(client, world) -> None:  # type: ignore[no-untyped-def]
    application = world.apply()
    client.force_login(world.chair)
    kwargs = {"pk": world.procedure.pk, "application": application.pk}
    client.post(
        reverse("selection:interview_add", kwargs=kwargs),
        {"starts_at": "2026-12-14T19:30", "location": "Provinciehuis Zwolle, kamer 2"},
    )
    interview = application.interviews.get()
    assert timezone.localtime(interview.starts_at).hour == 19
    client.post(
        reverse("selection:interview", kwargs={**kwargs, "interview": interview.pk}),
        {"notes": "Kent de regio goed.", "took_place": "on"},
    )
    application.refresh_from_db()
    assert application.status == "interviewed"
    client.post(reverse("selection:application_status", kwargs=kwargs), {"status": "not_selected"})
    application.refresh_from_db()
    assert application.status == "not_selected"
    client.force_login(world.member)  # not the chair: no status changes
    assert client.post(reverse("selection:application_status", kwargs=kwargs), {"status": "invited"}).status_code == 404


def test_the_chair_ranks_finalises_and_the_list_exports(client, world) -> None:  # type: ignore[no-untyped-def]
    first = world.apply(given_name="Anouk", family_name="Brink", email="a@example.org")
    second = world.apply(given_name="Bram", family_name="Dekker", email="b@example.org")
    third = world.apply(given_name="Céline", family_name="Eefting", email="c@example.org")
    url = reverse("selection:advice", kwargs={"pk": world.procedure.pk})
    client.force_login(world.member)
    assert client.get(url).context["form"] is None
    assert client.post(url, {}).status_code == 404
    client.force_login(world.chair)
    data = {
        f"rank_{second.pk}": "1",
        f"rationale_{second.pk}": "Ervaren Statenlid",
        f"rank_{first.pk}": "2",
        f"rationale_{first.pk}": "Sterk op wonen",
        "summary": "Unaniem advies.",
    }
    response = client.post(url, {**data, f"rank_{third.pk}": "2"})
    assert "zonder gaten of dubbele" in response.content.decode()
    client.post(url, {**data, "action": "finalise"})
    statuses = dict(Application.objects.values_list("family_name", "status"))
    assert sorted(statuses.values()) == ["not_selected", "placed", "placed"]
    client.force_login(world.secretary)
    pdf = client.get(reverse("selection:advice_pdf", kwargs={"pk": world.procedure.pk}))
    assert pdf["Content-Type"] == "application/pdf" and pdf["Cache-Control"] == "private, no-store"
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert text.index("Bram Dekker") < text.index("Anouk Brink") and "Céline" not in text
    assert "Advies van de kandidatencommissie" in text and "Ervaren Statenlid" in text
    word = client.get(reverse("selection:advice_docx", kwargs={"pk": world.procedure.pk}))
    table = docx.Document(io.BytesIO(word.content)).tables[0]
    assert [[c.text for c in row.cells] for row in table.rows][1:] == [
        ["1", "Bram Dekker", "Ervaren Statenlid"],
        ["2", "Anouk Brink", "Sterk op wonen"],
    ]
    assert (
        'filename="Advies kandidatencommissie - Kandidaten Provinciale Staten Overijssel 2027.docx"'
        in word["Content-Disposition"]
    )


def test_no_export_before_the_advice_is_final_and_the_page_says_why(client, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.secretary)
    advice_url = reverse("selection:advice", kwargs={"pk": world.procedure.pk})
    for name in ("selection:advice_pdf", "selection:advice_docx"):
        response = client.get(reverse(name, kwargs={"pk": world.procedure.pk}))
        assert response.status_code == 404
        assert "Het advies is nog niet definitief" in response.content.decode()
        assert f'href="{advice_url}"' in response.content.decode()
    # A draft with a list: still no files, and the advice page shows no links to them.
    applicant = world.apply(given_name="Anouk", family_name="Brink", email="a@example.org")
    client.force_login(world.chair)
    client.post(advice_url, {f"rank_{applicant.pk}": "1", f"rationale_{applicant.pk}": "Sterk", "summary": "Concept."})
    client.force_login(world.secretary)
    page = client.get(advice_url).content.decode()
    assert "advies.pdf" not in page and "advies.docx" not in page
    assert "zodra het advies definitief is" in page
    draft = client.get(reverse("selection:advice_pdf", kwargs={"pk": world.procedure.pk}))
    assert draft.status_code == 404 and "nog een concept" in draft.content.decode()
    client.force_login(world.chair)
    client.post(
        advice_url,
        {
            f"rank_{applicant.pk}": "1",
            f"rationale_{applicant.pk}": "Sterk",
            "summary": "Concept.",
            "action": "finalise",
        },
    )
    client.force_login(world.secretary)
    assert "advies.pdf" in client.get(advice_url).content.decode()
    final = client.get(reverse("selection:advice_pdf", kwargs={"pk": world.procedure.pk}))
    assert final.status_code == 200 and final["Content-Type"] == "application/pdf"


def test_the_secretary_sends_status_mails_from_the_page(client, world, mailed) -> None:  # type: ignore[no-untyped-def]
    first = world.apply(email="a@example.org")
    world.apply(email="b@example.org")
    services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(first, "")])
    services.finalise_advice(procedure=world.procedure, user=world.chair)
    client.force_login(world.secretary)
    url = reverse("selection:mails", kwargs={"pk": world.procedure.pk})
    page = client.get(url)
    sections = {s["kind"]: s for s in page.context["sections"]}
    assert sections["placed"]["due"] == 1 and sections["not_selected"]["due"] == 1
    assert first.token not in page.content.decode()  # the preview never shows a real link
    response = client.post(
        url,
        {
            "kind": "not_selected",
            "action": "save",
            "not_selected-subject": "Helaas",
            "not_selected-body": "Beste {naam}",
        },
    )
    assert "{naam}" in response.content.decode() and response.status_code == 200
    mail.outbox.clear()
    with mailed():
        client.post(url, {"kind": "placed", "action": "send"})
    assert [m.to for m in mail.outbox] == [["a@example.org"]]
    assert first.get_status_url() in mail.outbox[0].body
    client.force_login(world.chair)  # the chair advises; the branch sends
    assert client.get(url).status_code == 404
