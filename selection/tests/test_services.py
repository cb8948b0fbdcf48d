import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from core.roles import Role
from members.models import BranchOfficial
from selection import services
from selection.models import (
    Advice,
    Application,
    ConflictDeclaration,
    CurriculumVitae,
    Score,
    SelectionProcedure,
)
from selection.tests.factories import (
    applicant_data,
    cv_upload,
    docx_bytes,
    make_official,
    make_procedure,
    member_with_account,
)
from tests.factories import MunicipalityFactory, make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    return make_procedure()


def procedure_data(world, **overrides):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    values = {
        "title": "Kandidaten 2027",
        "election": "provincial",
        "election_date": datetime.date(2027, 3, 17),
        "body": world.province,
        "call_opens": today,
        "applications_close": today + datetime.timedelta(days=20),
    }
    values.update(overrides)
    return services.ProcedureData(**values)


# --- opening and setting up ---------------------------------------------------------------------------


def test_only_the_chair_or_secretary_of_the_branch_opens_a_procedure(world) -> None:  # type: ignore[no-untyped-def]
    treasurer = make_official(world.branch, function=BranchOfficial.Function.TREASURER)
    other_secretary = make_official(world.branch)
    other_secretary.member.branch_functions.update(
        branch=make_procedure(province_code="PV22", province_name="Drenthe").branch
    )
    for user in (treasurer, other_secretary, make_role_user(Role.MEMBER), make_role_user(Role.ADMINISTRATOR)):
        with pytest.raises(PermissionDenied):
            services.open_procedure(user=user, branch=world.branch, data=procedure_data(world))
    chair = make_official(world.branch, function=BranchOfficial.Function.CHAIR)
    procedure = services.open_procedure(user=chair, branch=world.branch, data=procedure_data(world))
    assert procedure.status == SelectionProcedure.Status.DRAFT
    assert procedure.criteria.count() == 5 and procedure.mail_templates.count() == 3
    assert procedure.criteria.first().name == "Motivatie en binding met de partij"
    assert procedure.retention_months == 6


def test_a_procedure_is_for_a_body_in_the_branch_area_and_dates_in_order(world) -> None:  # type: ignore[no-untyped-def]
    elsewhere = MunicipalityFactory()
    with pytest.raises(ValidationError) as error:
        services.open_procedure(
            user=world.secretary, branch=world.branch, data=procedure_data(world, election="municipal", body=elsewhere)
        )
    assert "body" in error.value.error_dict
    in_province = MunicipalityFactory(province=world.province)
    procedure = services.open_procedure(
        user=world.secretary, branch=world.branch, data=procedure_data(world, election="municipal", body=in_province)
    )
    assert procedure.body == in_province
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.open_procedure(
            user=world.secretary,
            branch=world.branch,
            data=procedure_data(world, applications_close=today - datetime.timedelta(days=1)),
        )
    assert "applications_close" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.open_procedure(
            user=world.secretary, branch=world.branch, data=procedure_data(world, election="municipal")
        )
    assert "body" in error.value.error_dict
    assert SelectionProcedure.objects.count() == 2


def test_publishing_needs_profile_criteria_and_a_chair(world) -> None:  # type: ignore[no-untyped-def]
    procedure = services.open_procedure(user=world.secretary, branch=world.branch, data=procedure_data(world))
    with pytest.raises(ValidationError) as error:
        services.publish(procedure=procedure)
    assert len(error.value.messages) == 2  # the profile and the chair
    procedure.profile = "Statenleden gezocht."
    procedure.save()
    services.add_committee_member(procedure=procedure, member=member_with_account(), chair=True)
    services.publish(procedure=procedure)
    assert procedure.status == "open" and procedure.published_at


def test_criteria_are_replaced_in_order_and_scored_ones_stay(world) -> None:  # type: ignore[no-untyped-def]
    first, second, *rest = list(world.procedure.criteria.all())
    kept = services.save_criteria(
        procedure=world.procedure,
        criteria=[
            services.CriterionData(pk=second.pk, name="Communicatie", weight=2),
            services.CriterionData(pk=first.pk, name=first.name),
            *[services.CriterionData(pk=c.pk, name=c.name, delete=True) for c in rest],
            services.CriterionData(name="Kennis van de regio", weight=3),
        ],
    )
    assert [(c.name, c.weight, c.order) for c in kept] == [
        ("Communicatie", 2, 1),
        (first.name, 1, 2),
        ("Kennis van de regio", 3, 3),
    ]
    application = world.apply()
    services.score(application=application, user=world.member, scores={first.pk: (4, "")})
    with pytest.raises(ValidationError, match="gescoord"):
        services.save_criteria(
            procedure=world.procedure, criteria=[services.CriterionData(pk=first.pk, name=first.name, delete=True)]
        )
    assert world.procedure.criteria.count() == 3


def test_committee_members_are_told_and_an_applicant_cannot_sit_on_the_committee(world, mailed) -> None:  # type: ignore[no-untyped-def]
    newcomer = member_with_account()
    with mailed():
        services.add_committee_member(procedure=world.procedure, member=newcomer)
    assert mail.outbox[-1].to == [newcomer.email] and "selectiecommissie" in mail.outbox[-1].subject
    member = member_with_account()
    application = world.apply(member=member, email=member.email)
    with pytest.raises(ValidationError):
        services.add_committee_member(procedure=world.procedure, member=member)
    assert application.member == member


# --- applying -------------------------------------------------------------------------------------------


def test_an_outsider_applies_and_gets_a_confirmation_with_the_status_link(world, mailed) -> None:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    with mailed():
        submitted = services.apply(procedure=world.procedure, data=applicant_data(), cv=cv_upload())
    application = submitted.application
    assert application.status == Application.Status.SUBMITTED and application.member is None
    assert application.reference.startswith("KAND-")
    assert services.application_for_token(submitted.token) == application
    confirmation = next(m for m in mail.outbox if m.to == ["fatima@example.org"])
    assert application.get_status_url() in confirmation.body
    assert "Beste Fatima Yilmaz" in confirmation.body
    notices = [m for m in mail.outbox if m.to != ["fatima@example.org"]]
    assert {m.to[0] for m in notices} == {world.secretary.email, world.chair.email}
    assert all("Fatima" not in m.body and "Yilmaz" not in m.body for m in notices)


def test_personal_details_and_the_cv_are_encrypted_at_rest(world) -> None:  # type: ignore[no-untyped-def]
    application = world.apply()
    CurriculumVitae.objects.filter(application=application).delete()
    services.apply(
        procedure=world.procedure,
        data=applicant_data(email="tweede@example.org"),
        cv=cv_upload(docx_bytes("Geheime werkgever BV"), name="cv.docx"),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT given_name, family_name, email, phone, street, birth_date, motivation FROM selection_application"
        )
        raw = " ".join(" ".join(row) for row in cursor.fetchall())
        cursor.execute("SELECT content FROM selection_curriculumvitae")
        content = bytes(cursor.fetchone()[0])
    for secret in ("Fatima", "Yilmaz", "fatima@example.org", "06-12345678", "Bloemendal", "1985", "wonen"):
        assert secret not in raw
    assert raw.startswith("enc1:")
    assert b"PK" not in content[:10] and b"Geheime" not in content
    stored = CurriculumVitae.objects.get()
    assert stored.content_type.endswith("wordprocessingml.document")


def test_a_second_application_from_the_same_address_stores_nothing_and_resends_the_link(world, mailed) -> None:  # type: ignore[no-untyped-def]
    first = world.apply()
    mail.outbox.clear()
    with mailed():
        again = services.apply(
            procedure=world.procedure, data=applicant_data(email="FATIMA@example.org"), cv=cv_upload()
        )
    assert again.duplicate and again.application == first
    assert Application.objects.count() == 1
    assert mail.outbox[0].to == ["fatima@example.org"] and first.get_status_url() in mail.outbox[0].body


def test_a_member_applies_linked_to_their_record_once(world) -> None:  # type: ignore[no-untyped-def]
    member = member_with_account()
    world.apply(member=member, email=member.email)
    with pytest.raises(ValidationError, match="al aangemeld"):
        services.apply(
            procedure=world.procedure, data=applicant_data(email="ander@example.org"), cv=cv_upload(), member=member
        )


def test_applications_are_refused_when_the_call_is_not_open_or_from_those_who_read_them(world) -> None:  # type: ignore[no-untyped-def]
    for user in (world.chair, world.secretary):
        with pytest.raises(ValidationError):
            services.apply(
                procedure=world.procedure, data=applicant_data(), cv=cv_upload(), member=user.member, user=user
            )
    services.close_applications(procedure=world.procedure)
    with pytest.raises(ValidationError, match="niet open"):
        services.apply(procedure=world.procedure, data=applicant_data(), cv=cv_upload())
    assert not Application.objects.exists()


def test_integrity_answers_need_explanations_and_a_signature(world) -> None:  # type: ignore[no-untyped-def]
    integrity = applicant_data().integrity
    integrity["criminal"] = {"answer": "yes", "explanation": ""}
    integrity["certificate"] = {"answer": "no", "explanation": ""}
    with pytest.raises(ValidationError) as error:
        services.apply(
            procedure=world.procedure,
            data=applicant_data(integrity=integrity, signed_name=" ", declaration=False),
            cv=cv_upload(),
        )
    assert set(error.value.error_dict) == {
        "integrity_criminal_explanation",
        "integrity_certificate_explanation",
        "declaration",
        "signed_name",
    }
    integrity["criminal"]["explanation"] = "Boete voor te hard rijden, 2009."
    integrity["certificate"]["explanation"] = "Ik heb al een VOG van mijn werk."
    application = services.apply(
        procedure=world.procedure, data=applicant_data(integrity=integrity), cv=cv_upload()
    ).application
    answers = {row["answer"] for row in application.integrity}
    assert answers == {"yes", "no"}
    criminal = application.integrity[0]
    assert criminal["attention"] and criminal["explanation"] == "Boete voor te hard rijden, 2009."
    assert application.signed_name == "Fatima Yilmaz" and application.signed_at


def test_candidates_are_adults_on_election_day(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as error:
        services.apply(
            procedure=world.procedure, data=applicant_data(birth_date=datetime.date(2009, 3, 18)), cv=cv_upload()
        )
    assert "birth_date" in error.value.error_dict
    assert services.apply(
        procedure=world.procedure, data=applicant_data(birth_date=datetime.date(2009, 3, 17)), cv=cv_upload()
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [(b"MZ\x90\x00 not a cv", "cv.pdf"), (b"%PDF-1.4 broken", "cv.pdf"), (b"\x89PNG\r\n\x1a\n", "cv.docx")],
)
def test_a_bad_cv_is_refused_and_nothing_is_stored(world, content, name, mailed) -> None:  # type: ignore[no-untyped-def]
    mail.outbox.clear()
    with mailed(), pytest.raises(ValidationError) as error:
        services.apply(procedure=world.procedure, data=applicant_data(), cv=cv_upload(content, name))
    assert "cv" in error.value.error_dict
    assert not Application.objects.exists() and not CurriculumVitae.objects.exists() and not mail.outbox


def test_withdrawing_tells_the_branch_without_the_name(world, mailed) -> None:  # type: ignore[no-untyped-def]
    application = world.apply()
    mail.outbox.clear()
    with mailed():
        services.withdraw(application=application)
    assert application.status == "withdrawn"
    assert {m.to[0] for m in mail.outbox} == {world.secretary.email, world.chair.email}
    assert all(application.reference in m.body and "Yilmaz" not in m.body for m in mail.outbox)


# --- scoring, conflicts, interviews ------------------------------------------------------------------------


def test_scoring_is_for_committee_members_without_a_conflict(world) -> None:  # type: ignore[no-untyped-def]
    application = world.apply()
    criterion = world.procedure.criteria.first()
    services.score(application=application, user=world.conflicted, scores={criterion.pk: (5, "Goed")})
    services.declare_conflict(application=application, user=world.conflicted, reason="Mijn schoonzus")
    assert not Score.objects.filter(committee_member__member__user=world.conflicted).exists()  # removed
    for user in (world.conflicted, world.secretary, world.adviser, make_role_user(Role.ADMINISTRATOR)):
        with pytest.raises(PermissionDenied):
            services.score(application=application, user=user, scores={criterion.pk: (3, "")})
    services.score(application=application, user=world.member, scores={criterion.pk: (4, "Sterk verhaal")})
    services.score(application=application, user=world.member, scores={criterion.pk: (3, "Toch twijfel")})
    score = Score.objects.get()
    assert (score.score, score.note) == (3, "Toch twijfel")
    with pytest.raises(ValidationError):
        services.score(application=application, user=world.member, scores={criterion.pk: (6, "")})
    assert ConflictDeclaration.objects.get().reason == "Mijn schoonzus"


def test_scores_are_refused_once_the_advice_is_final(world) -> None:  # type: ignore[no-untyped-def]
    application = world.apply()
    criterion = world.procedure.criteria.first()
    services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(application, "Sterk")])
    services.score(application=application, user=world.member, scores={criterion.pk: (4, "")})  # still a draft
    services.finalise_advice(procedure=world.procedure, user=world.chair)
    with pytest.raises(ValidationError, match="definitief"):
        services.score(application=application, user=world.member, scores={criterion.pk: (5, "")})
    assert Score.objects.get().score == 4


def test_summary_averages_every_score_with_its_count(world) -> None:  # type: ignore[no-untyped-def]
    from selection.selectors import score_summary

    application = world.apply()
    first, second, *_rest = list(world.procedure.criteria.all())
    second.weight = 3
    second.save()
    services.score(application=application, user=world.member, scores={first.pk: (4, ""), second.pk: (2, "")})
    services.score(application=application, user=world.chair, scores={first.pk: (5, "Helder")})
    summary = score_summary(application)
    by_name = {s.criterion.name: (s.average, s.count) for s in summary.criteria}
    assert by_name[first.name] == (4.5, 2) and by_name[second.name] == (2.0, 1)
    assert summary.weighted == pytest.approx((4.5 * 1 + 2 * 3) / 4)
    assert [name for name, _rows in summary.by_member] == sorted(
        [world.member.member.full_name, world.chair.member.full_name]
    )


def test_interviews_move_the_applicant_along(world) -> None:  # type: ignore[no-untyped-def]
    application = world.apply()
    interview = services.schedule_interview(
        application=application,
        starts_at=timezone.now() + datetime.timedelta(days=3),
        location="Provinciehuis, Zwolle",
        user=world.chair,
    )
    assert application.status == "invited"
    services.record_interview(interview=interview, notes="Overtuigend over mobiliteit.", took_place=True)
    application.refresh_from_db()
    assert application.status == "interviewed"
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM selection_interview")
        assert "mobiliteit" not in cursor.fetchone()[0]


# --- the advice --------------------------------------------------------------------------------------------


def test_only_the_chair_drafts_and_finalises_the_advice(world) -> None:  # type: ignore[no-untyped-def]
    first, second, third = world.apply(), world.apply(email="b@example.org"), world.apply(email="c@example.org")
    for user in (world.member, world.secretary, world.adviser):
        with pytest.raises(PermissionDenied):
            services.save_advice(procedure=world.procedure, user=user, summary="", places=[(first, "")])
    with pytest.raises(ValidationError):
        services.finalise_advice(procedure=world.procedure, user=world.chair)  # nothing on the list
    services.withdraw(application=third)
    with pytest.raises(ValidationError):
        services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(third, "")])
    services.save_advice(
        procedure=world.procedure, user=world.chair, summary="Unaniem.", places=[(second, "Ervaren"), (first, "Nieuw")]
    )
    advice = services.finalise_advice(procedure=world.procedure, user=world.chair)
    assert [(p.rank, p.application) for p in advice.places.all()] == [(1, second), (2, first)]
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "placed", second.pk: "placed", third.pk: "withdrawn"}
    world.procedure.refresh_from_db()
    assert world.procedure.status == "advised"
    with pytest.raises(ValidationError):
        services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[])
    assert Advice.objects.get().summary == "Unaniem."


def test_applicants_left_off_the_list_are_not_selected(world) -> None:  # type: ignore[no-untyped-def]
    first, second = world.apply(), world.apply(email="b@example.org")
    services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(first, "")])
    services.finalise_advice(procedure=world.procedure, user=world.chair)
    second.refresh_from_db()
    assert second.status == "not_selected"
    with pytest.raises(ValidationError):
        services.set_status(application=second, status="invited")


def test_a_chair_with_a_conflict_cannot_place_that_applicant(world) -> None:  # type: ignore[no-untyped-def]
    from selection.selectors import dashboard

    first, second = world.apply(), world.apply(email="b@example.org")
    services.declare_conflict(application=second, user=world.chair, reason="Mijn buurman")
    with pytest.raises(PermissionDenied):
        services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(second, "Goed")])
    assert not Advice.objects.filter(places__isnull=False).exists()
    services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(first, "Goed")])
    rows = {row.application.pk: row for row in dashboard(world.procedure, world.chair)}
    assert rows[second.pk].conflicted and not rows[second.pk].has_cv and rows[second.pk].conflict_count == 0
    assert rows[first.pk].has_cv and not rows[first.pk].conflicted


def test_nothing_changes_behind_a_final_advice_and_a_withdrawn_applicant_is_never_placed(world) -> None:  # type: ignore[no-untyped-def]
    first, second = world.apply(), world.apply(email="b@example.org")
    services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(first, ""), (second, "")])
    services.withdraw(application=Application.objects.get(pk=second.pk))  # after the draft, before finalising
    with pytest.raises(ValidationError, match="teruggetrokken"):
        services.finalise_advice(procedure=world.procedure, user=world.chair)
    assert Application.objects.get(pk=second.pk).status == "withdrawn"
    assert not Advice.objects.get().is_final
    services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(first, "")])
    services.finalise_advice(procedure=world.procedure, user=world.chair)
    with pytest.raises(ValidationError, match="definitief"):
        services.declare_conflict(application=first, user=world.member, reason="Te laat bedacht")
    assert not ConflictDeclaration.objects.exists()


def test_a_rejection_that_was_mailed_is_not_undone(world, mailed) -> None:  # type: ignore[no-untyped-def]
    application = world.apply()
    services.set_status(application=application, status="not_selected")
    with mailed():
        assert services.send_status_mails(procedure=world.procedure, kind="not_selected") == 1
    stale = Application.objects.get(pk=application.pk)
    with pytest.raises(ValidationError, match="niet geselecteerd"):
        services.set_status(application=stale, status="invited")
    assert Application.objects.get(pk=application.pk).status == "not_selected"


# --- status e-mails ----------------------------------------------------------------------------------------


def test_status_mails_go_once_per_status_from_the_procedure_texts(world, mailed) -> None:  # type: ignore[no-untyped-def]
    placed, left = world.apply(), world.apply(email="b@example.org", given_name="Bram", family_name="Bakker")
    template = world.procedure.mail_templates.get(kind="not_selected")
    services.save_mail_template(
        template=template, subject="Helaas, {name}", body="Beste {name}, dank voor {procedure}. {status_link}"
    )
    services.save_advice(procedure=world.procedure, user=world.chair, summary="", places=[(placed, "")])
    services.finalise_advice(procedure=world.procedure, user=world.chair)
    mail.outbox.clear()
    with mailed():
        assert services.send_status_mails(procedure=world.procedure, kind="not_selected") == 1
        assert services.send_status_mails(procedure=world.procedure, kind="not_selected") == 0
        assert services.send_status_mails(procedure=world.procedure, kind="placed") == 1
    rejection, congratulation = mail.outbox
    assert rejection.to == ["b@example.org"] and rejection.subject.endswith("Helaas, Bram Bakker")
    assert left.get_status_url() in rejection.body and world.procedure.title in rejection.body
    assert congratulation.to == ["fatima@example.org"] and "Gefeliciteerd" in congratulation.body


def test_unknown_placeholders_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    template = world.procedure.mail_templates.get(kind="invited")
    with pytest.raises(ValidationError) as error:
        services.save_mail_template(template=template, subject="Uitnodiging", body="Beste {naam}")
    assert "{naam}" in error.value.error_dict["body"][0].messages[0]
    template.refresh_from_db()
    assert "{name}" in template.body


def test_key_rotation_re_encrypts_applications_and_cvs(world, settings) -> None:  # type: ignore[no-untyped-def]
    from allauth.mfa.models import Authenticator
    from django.core.management import call_command

    from core import crypto
    from core.models import OutgoingMail

    # The fixture's mails were stored under the default key and, outside a committed transaction,
    # never sent: in a real run the worker has sent and deleted them before any rotation.
    OutgoingMail.objects.all().delete()
    # Likewise the committee's second factors were set up under the default key, which this test
    # then drops from the configuration (their own rotation: accounts/tests/test_mfa_secrets.py).
    Authenticator.objects.all().delete()
    old, new = crypto.generate_key(), crypto.generate_key()
    settings.RAADHUIS_ENCRYPTION_KEYS = [old]
    crypto.reset_keys()
    try:
        application = world.apply()
        criterion = world.procedure.criteria.first()
        services.score(application=application, user=world.member, scores={criterion.pk: (4, "Sterk")})
        services.declare_conflict(application=application, user=world.conflicted, reason="Familie")
        services.save_advice(
            procedure=world.procedure, user=world.chair, summary="Unaniem", places=[(application, "Top")]
        )
        settings.RAADHUIS_ENCRYPTION_KEYS = [new, old]
        crypto.reset_keys()
        call_command("rotate_encryption_keys", verbosity=0)
        settings.RAADHUIS_ENCRYPTION_KEYS = [new]
        crypto.reset_keys()
        application = Application.objects.get()
        assert (application.full_name, application.motivation) == ("Fatima Yilmaz", applicant_data().motivation)
        assert services.application_for_token(application.token) == application
        assert crypto.decrypt_bytes(bytes(CurriculumVitae.objects.get().content)).startswith(b"%PDF")
        assert Score.objects.get().note == "Sterk" and ConflictDeclaration.objects.get().reason == "Familie"
        assert Advice.objects.get().summary == "Unaniem" and Advice.objects.get().places.get().rationale == "Top"
        # The applicant's queued confirmation (with the status link) was re-encrypted as well.
        assert OutgoingMail.objects.exists()
        assert all(stored.payload.startswith("{") for stored in OutgoingMail.objects.all())
    finally:
        crypto.reset_keys()
