"""One test for each permission check of the desk that the authorization matrix alone does not
catch (issue 18, point 7: removing any single check makes a test fail; see
tests/mutation/permission_mutants.py). Each names the check it guards."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.roles import Role
from desk import services
from desk.models import Case, Confidentiality, Helper, Kind, Status
from tests.factories import UserFactory, make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester():  # type: ignore[no-untyped-def]
    return make_role_user(Role.MEMBER, email="raadslid@example.org")


def open_case(requester, level=Confidentiality.NORMAL):  # type: ignore[no-untyped-def]
    return services.open_case(
        requester=requester.member,
        kind=Kind.INTEGRITY_OWN,
        subject="Nevenfunctie bij woningcorporatie",
        description="Mijn eigen dilemma",
        confidentiality=level,
    )


def manage_url(case: Case) -> str:
    return reverse("desk:manage", kwargs={"reference": case.reference})


def state(case: Case) -> tuple[str, str, str, int | None]:
    case = Case.objects.get(pk=case.pk)
    return case.kind, case.confidentiality, case.status, case.assigned_to_id


def test_a_member_role_without_a_member_record_asks_nothing(client) -> None:  # type: ignore[no-untyped-def]
    """views._member: the member role alone (no member record) does not open the form to ask."""
    client.force_login(UserFactory(roles=[Role.MEMBER]))
    assert client.get(reverse("desk:ask")).status_code == 403
    assert not Case.objects.exists()


def test_the_desk_home_offers_asking_to_members_only(client, requester) -> None:  # type: ignore[no-untyped-def]
    """views.home: `desk.ask` decides whether the home page offers to ask the desk."""
    client.force_login(make_role_user(Role.ADVISER))
    response = client.get(reverse("desk:home"))
    assert response.status_code == 200
    assert response.context["can_ask"] is False and response.context["is_desk"] is True
    client.force_login(requester)
    response = client.get(reverse("desk:home"))
    assert response.context["can_ask"] is True and response.context["is_desk"] is False


def test_the_requester_gets_no_link_to_triage_their_own_case(client, requester) -> None:  # type: ignore[no-untyped-def]
    """views.case_detail: `desk.manage_case` decides the link to triage and the desk's actions."""
    case = open_case(requester)
    client.force_login(requester)
    response = client.get(case.get_absolute_url())
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert manage_url(case) not in response.content.decode()


def test_an_adviser_on_a_strict_case_is_offered_neither_its_kind_nor_its_content(client, requester) -> None:  # type: ignore[no-untyped-def]
    """views.manage and _triage_form: `desk.see_details`, `desk.set_kind` and `desk.read_case`
    decide what the triage page shows of a strictly confidential case that is not the adviser's."""
    case = open_case(requester, Confidentiality.STRICT)
    services.assign(case=case, user=make_role_user(Role.COUNSELLOR))
    client.force_login(make_role_user(Role.ADVISER))
    response = client.get(manage_url(case))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["details"] is False and response.context["readable"] is False
    assert 'name="kind"' not in html
    assert case.get_absolute_url() not in html and "Zaak openen" not in html


def test_posting_a_kind_for_a_strict_case_one_may_not_know_is_ignored_by_the_form(client, requester) -> None:  # type: ignore[no-untyped-def]
    """views.manage: the posted triage form has no kind field for who may not set it
    (`desk.set_kind`), so the rest of the triage goes through and the kind stays."""
    case = open_case(requester, Confidentiality.STRICT)
    client.force_login(make_role_user(Role.ADVISER))
    response = client.post(manage_url(case), {"action": "triage", "kind": Kind.COACHING}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert state(case)[0] == Kind.INTEGRITY_OWN and state(case)[2] == Status.TRIAGED


def test_a_counsellor_may_not_assign_and_does_not_see_the_form(client, requester) -> None:  # type: ignore[no-untyped-def]
    """views.manage: `desk.assign` (advisers only) decides the form and refuses the post."""
    case = open_case(requester)
    before = state(case)
    counsellor = make_role_user(Role.COUNSELLOR)
    client.force_login(counsellor)
    response = client.get(manage_url(case))
    assert response.status_code == 200 and response.context["can_assign"] is False
    assert client.post(manage_url(case), {"action": "assign", "user": counsellor.pk}).status_code == 403
    assert state(case) == before


def test_the_triage_page_of_a_purged_case_is_gone(client, requester) -> None:  # type: ignore[no-untyped-def]
    """views.manage: a purged case has no triage page left."""
    case = open_case(requester)
    services.purge(case=case)
    client.force_login(make_role_user(Role.ADVISER))
    assert client.get(manage_url(case)).status_code == 404


def test_the_service_refuses_a_kind_to_who_may_not_know_it(requester) -> None:
    """services.triage: `desk.set_kind`, checked by the service itself."""
    case = open_case(requester, Confidentiality.STRICT)
    before = state(case)
    with pytest.raises(PermissionDenied):
        services.triage(case=case, by=make_role_user(Role.ADVISER), kind=Kind.COACHING)
    assert state(case) == before


def test_only_the_desk_triages_also_when_the_service_is_called_directly(requester) -> None:
    """services.triage: `desk.triage`, checked by the service itself: a member marks no case as
    triaged (without a kind or level to change, nothing else would stop them)."""
    case = open_case(requester)
    before = state(case)
    with pytest.raises(PermissionDenied):
        services.triage(case=case, by=make_role_user(Role.MEMBER))
    assert state(case) == before and before[2] == Status.NEW
    services.triage(case=case, by=make_role_user(Role.COUNSELLOR), confidentiality=Confidentiality.CONFIDENTIAL)
    assert state(case)[1:3] == (Confidentiality.CONFIDENTIAL, Status.TRIAGED)


def test_a_former_helper_without_a_desk_role_no_longer_changes_their_availability() -> None:
    """services.set_own_availability: `desk.manage_directory` counts, not only the entry in the list
    (an entry stays when the person's desk role is taken away)."""
    former = make_role_user(Role.MEMBER)
    helper = Helper.objects.create(user=former, kind="coach", available=False, on_duty=False)
    with pytest.raises(PermissionDenied):
        services.set_own_availability(user=former, available=True, on_duty=True)
    helper.refresh_from_db()
    assert (helper.available, helper.on_duty) == (False, False)


def test_the_queue_links_only_the_cases_the_reader_may_open() -> None:
    """views.queue: `desk.read_case` decides whether a row's reference links to the case; the
    strictly confidential case of another counsellor is listed by reference only. (No fixtures: the
    permission-mutant script runs this in process too.)"""
    from django.test import Client

    requester = make_role_user(Role.MEMBER)
    strict, normal = open_case(requester, Confidentiality.STRICT), open_case(requester)
    services.assign(case=strict, user=make_role_user(Role.COUNSELLOR))
    client = Client()
    client.force_login(make_role_user(Role.ADVISER))
    html = client.get(reverse("desk:queue"), {"status": "open"}).content.decode()
    assert strict.reference in html and f'href="{strict.get_absolute_url()}"' not in html
    assert f'href="{normal.get_absolute_url()}"' in html
