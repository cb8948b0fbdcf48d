"""The writes that views used to make themselves now live in services, and each service checks the
permission itself (issue 18): called by someone without it, it refuses and writes nothing. (The
calendar address: events/tests/test_views.py.)"""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.roles import Role
from desk import services as desk_services
from desk.forms import OrganisationForm
from desk.models import Helper, Organisation
from events import services as event_services
from events.forms import EventForm, SessionFormSet
from events.models import Event, Session
from library import services as library_services
from library.models import SavedSearch
from members import services as member_services
from members.forms import ProfileForm
from members.models import ImportBatch, Member
from programme import services as programme_services
from programme.models import Track
from tests.factories import EventFactory, MunicipalityFactory, make_role_user

pytestmark = pytest.mark.django_db


def _data(form: Any, prefix: str = "") -> dict[str, Any]:
    """The POST data that leaves a bound form as its instance is (what a browser sends back)."""
    data = {}
    for field in form:
        value = field.value()
        if value is None or value is False:
            continue
        data[f"{prefix}{field.name}"] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    return data


def _edit_forms(event: Event, **changes: Any) -> tuple[EventForm, Any]:
    sessions = SessionFormSet(instance=event, prefix="sessions")
    data = {**_data(EventForm(instance=event)), **changes}
    data.update({f"sessions-{key}": value for key, value in sessions.management_form.initial.items()})
    data["sessions-TOTAL_FORMS"] = len(sessions.forms)
    for index, session_form in enumerate(sessions.forms):
        data.update(_data(session_form, f"sessions-{index}-"))
    data.update(changes)
    return EventForm(data, instance=event), SessionFormSet(data, instance=event, prefix="sessions")


def test_an_event_is_changed_by_its_organiser_only_and_sessions_are_removed_through_the_service() -> None:
    event = EventFactory(title="Oude titel")
    Session.objects.create(
        event=event,
        starts_at=event.starts_at + datetime.timedelta(days=7),
        ends_at=event.ends_at + datetime.timedelta(days=7),
        location_name="Tweede avond",
    )
    organiser, stranger = make_role_user(Role.EVENT_ORGANISER), make_role_user(Role.EVENT_ORGANISER)
    event.organisers.add(organiser)
    form, sessions = _edit_forms(event, title="Nieuwe titel", **{"sessions-1-DELETE": "on"})
    assert form.is_valid(), form.errors
    assert sessions.is_valid(), sessions.errors
    with pytest.raises(PermissionDenied):
        event_services.save_event(form=form, sessions=sessions, by=stranger)
    assert Event.objects.get(pk=event.pk).title == "Oude titel" and event.sessions.count() == 2
    saved = event_services.save_event(form=form, sessions=sessions, by=organiser)
    assert saved.title == "Nieuwe titel" and list(saved.sessions.values_list("location_name", flat=True)) != [
        "Tweede avond"
    ]
    assert saved.sessions.count() == 1 and saved.ends_at == saved.sessions.get().ends_at


def test_a_member_creates_no_event() -> None:
    member, before = make_role_user(Role.MEMBER), Event.objects.count()
    with pytest.raises(PermissionDenied):
        event_services.save_event(form=SimpleNamespace(instance=Event()), sessions=None, by=member)  # type: ignore[arg-type]
    assert Event.objects.count() == before


def test_the_desk_directory_is_changed_by_the_desk_only() -> None:
    form = OrganisationForm({"name": "Slachtofferhulp", "kind": "legal"})
    member, adviser = make_role_user(Role.MEMBER), make_role_user(Role.ADVISER)
    assert form.is_valid(), form.errors
    with pytest.raises(PermissionDenied):
        desk_services.add_organisation(form=form, by=member)
    assert not Organisation.objects.filter(name="Slachtofferhulp").exists()
    assert desk_services.add_organisation(form=form, by=adviser).name == "Slachtofferhulp"


def test_availability_is_ones_own_and_needs_a_helper_entry() -> None:
    counsellor, adviser, member = (make_role_user(r) for r in (Role.COUNSELLOR, Role.ADVISER, Role.MEMBER))
    helper = Helper.objects.create(user=counsellor, kind="counsellor", available=False, on_duty=False)
    with pytest.raises(PermissionDenied):
        desk_services.set_own_availability(user=member, available=True, on_duty=True)
    with pytest.raises(PermissionDenied):  # an adviser without an entry of their own
        desk_services.set_own_availability(user=adviser, available=True, on_duty=True)
    helper.refresh_from_db()
    assert (helper.available, helper.on_duty) == (False, False)
    desk_services.set_own_availability(user=counsellor, available=True, on_duty=True)
    helper.refresh_from_db()
    assert (helper.available, helper.on_duty) == (True, True)


def test_a_profile_is_changed_by_its_own_member_only() -> None:
    own, other = make_role_user(Role.MEMBER), make_role_user(Role.MEMBER)
    form = ProfileForm({**_data(ProfileForm(instance=other.member)), "phone": "0612345678"}, instance=other.member)
    assert form.is_valid(), form.errors
    with pytest.raises(PermissionDenied):
        member_services.update_profile(form=form, by=own)
    assert Member.objects.get(pk=other.member.pk).phone != "0612345678"
    assert member_services.update_profile(form=form, by=other).phone == "0612345678"


def test_an_import_is_discarded_by_an_administrator_only_and_once() -> None:
    batch = ImportBatch.objects.create(file_name="leden.csv")
    with pytest.raises(PermissionDenied):
        member_services.discard_import(batch=batch, by=make_role_user(Role.BRANCH_OFFICIAL))
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.CHECKED
    admin = make_role_user(Role.ADMINISTRATOR)
    assert member_services.discard_import(batch=batch, by=admin).status == ImportBatch.Status.DISCARDED
    with pytest.raises(ValidationError):
        member_services.discard_import(batch=batch, by=admin)


def test_a_tracks_status_is_set_by_a_programme_officer_only() -> None:
    track = Track.objects.create(municipality=MunicipalityFactory(), theme="training", role="candidate")
    with pytest.raises(PermissionDenied):
        programme_services.set_track_status(track=track, status="active", by=make_role_user(Role.GRIFFIE_CONTACT))
    assert Track.objects.get(pk=track.pk).status == Track.Status.INTAKE
    officer = make_role_user(Role.PROGRAMME_OFFICER)
    with pytest.raises(ValidationError):
        programme_services.set_track_status(track=track, status="weg", by=officer)
    programme_services.set_track_status(track=track, status="active", by=officer)
    assert Track.objects.get(pk=track.pk).status == Track.Status.ACTIVE


def test_a_saved_search_is_deleted_by_its_member_only() -> None:
    own, other = make_role_user(Role.MEMBER), make_role_user(Role.MEMBER)
    saved = library_services.save_search(member=own.member, name="Wonen", params={"q": "wonen"}, frequency="weekly")
    with pytest.raises(PermissionDenied):
        library_services.delete_saved_search(saved=saved, by=other)
    assert SavedSearch.objects.filter(pk=saved.pk).exists()
    library_services.delete_saved_search(saved=saved, by=own)
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()


def test_an_import_is_checked_and_applied_by_an_administrator_only() -> None:
    from members import importing

    csv = b"Voornaam;Achternaam;E-mail\nIlse;Import-Proef;ilse.importproef@example.org\n"
    official = make_role_user(Role.BRANCH_OFFICIAL)
    with pytest.raises(PermissionDenied):
        importing.check_file(name="leden.csv", content=csv, uploaded_by=official)
    assert not ImportBatch.objects.filter(uploaded_by=official).exists()
    admin = make_role_user(Role.ADMINISTRATOR)
    batch = importing.check_file(name="leden.csv", content=csv, uploaded_by=admin)
    assert batch.error_count == 0
    with pytest.raises(PermissionDenied):
        importing.apply_batch(batch=batch, by=official)
    assert not Member.objects.filter(email="ilse.importproef@example.org").exists()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.CHECKED
    assert importing.apply_batch(batch=batch, by=admin)["created"] == 1
    assert Member.objects.get(email="ilse.importproef@example.org").family_name == "Import-Proef"


def test_members_are_invited_in_bulk_by_an_administrator_only() -> None:
    from accounts.models import Invitation
    from members import invitations
    from members.models import InvitationRun
    from tests.factories import MemberFactory

    to_invite = MemberFactory(email="uit.te.nodigen@example.org")
    with_account = make_role_user(Role.MEMBER).member
    official = make_role_user(Role.BRANCH_OFFICIAL)
    with pytest.raises(PermissionDenied):
        invitations.start_run(member_ids=[to_invite.pk], started_by=official)
    assert not InvitationRun.objects.filter(started_by=official).exists()
    admin = make_role_user(Role.ADMINISTRATOR)
    # Only members still to be invited are taken: not one who has an account.
    run = invitations.start_run(member_ids=[to_invite.pk, with_account.pk], started_by=admin)
    assert run.member_ids == [to_invite.pk]
    with pytest.raises(ValidationError):
        invitations.start_run(member_ids=[with_account.pk], started_by=admin)
    # The worker acts for the starter: one who may no longer invite gets nobody invited.
    admin.groups.clear()
    invitations.process_run(run.pk)
    run.refresh_from_db()
    assert run.sent == 0 and len(run.failures) == 1 and run.finished_at is not None
    assert not Invitation.objects.filter(email="uit.te.nodigen@example.org").exists()
    colleague = make_role_user(Role.ADMINISTRATOR)
    second = InvitationRun.objects.create(started_by=colleague, member_ids=[to_invite.pk])
    invitations.process_run(second.pk)
    assert Invitation.objects.get(email="uit.te.nodigen@example.org").member == to_invite


def test_branch_officials_are_appointed_and_removed_by_an_administrator_only() -> None:
    from members.models import BranchOfficial
    from tests.factories import BranchFactory, MemberFactory

    branch = BranchFactory()
    official = make_role_user(Role.BRANCH_OFFICIAL)
    appointee = make_role_user(Role.MEMBER).member
    with pytest.raises(PermissionDenied):
        member_services.save_official(
            official=BranchOfficial(branch=branch, member=appointee, function="secretary"), by=official
        )
    assert not branch.officials.exists()
    own = official.member.branch_functions.get()
    with pytest.raises(PermissionDenied):
        member_services.remove_official(official=own, by=official)
    assert BranchOfficial.objects.filter(pk=own.pk).exists()
    admin = make_role_user(Role.ADMINISTRATOR)
    MemberFactory(user=admin, email=admin.email)
    with pytest.raises(ValidationError):  # not their own member record
        member_services.save_official(
            official=BranchOfficial(branch=branch, member=admin.member, function="chair"), by=admin
        )
    assert not branch.officials.exists()
    member_services.save_official(
        official=BranchOfficial(branch=branch, member=appointee, function="secretary"), by=admin
    )
    assert list(branch.officials.values_list("member_id", flat=True)) == [appointee.pk]
    member_services.remove_official(official=own, by=admin)
    assert not BranchOfficial.objects.filter(pk=own.pk).exists()
