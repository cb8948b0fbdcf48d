"""One test for each permission check of the programme that the authorization matrix alone does not
catch (issue 18, point 7; see tests/mutation/permission_mutants.py). Each names the check it guards."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from programme import services
from programme.models import BudgetRequest, Entitlement, ProgrammeContact
from tests.factories import MandateFactory, MunicipalityFactory, UserFactory, make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget_request():  # type: ignore[no-untyped-def]
    municipality = MunicipalityFactory(name="De Wolden")
    councillor = make_role_user(Role.MEMBER)
    MandateFactory(member=councillor.member, body=municipality, start_date=timezone.localdate().replace(month=1, day=1))
    Entitlement.objects.create(municipality=municipality, year=timezone.localdate().year, training_budget_cents=90000)
    return services.request_budget(
        member=councillor.member, municipality=municipality, amount_cents=39500, description="Leergang Begroting"
    )


def contact_for(municipality):  # type: ignore[no-untyped-def]
    contact = make_role_user(Role.GRIFFIE_CONTACT)
    ProgrammeContact.objects.create(user=contact, municipality=municipality)
    return contact


def test_the_service_lets_only_the_municipality_s_contact_decide_a_budget_request(budget_request) -> None:  # type: ignore[no-untyped-def]
    """services.decide_budget_request: `programme.decide_budget`, checked by the service itself."""
    for outsider in (contact_for(MunicipalityFactory()), make_role_user(Role.PROGRAMME_OFFICER)):
        with pytest.raises(PermissionDenied):
            services.decide_budget_request(request=budget_request, approve=True, by=outsider)
        assert BudgetRequest.objects.get().status == BudgetRequest.Status.PENDING
    own = contact_for(budget_request.municipality)
    services.decide_budget_request(request=budget_request, approve=True, by=own)
    assert BudgetRequest.objects.get().status == BudgetRequest.Status.APPROVED


def test_a_contact_neither_sees_nor_decides_another_municipality_s_requests(client, budget_request) -> None:  # type: ignore[no-untyped-def]
    """views.budget_requests: only an administrator (`core.use_admin`) sees every municipality's."""
    client.force_login(contact_for(MunicipalityFactory()))
    response = client.get(reverse("programme:budget_requests"))
    assert response.status_code == 200 and response.context["pending"] == []
    assert "Leergang Begroting" not in response.content.decode()
    decision = {"request": budget_request.pk, "decision": "approve"}
    assert client.post(reverse("programme:budget_requests"), decision).status_code == 404
    assert BudgetRequest.objects.get().status == BudgetRequest.Status.PENDING
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    assert "Leergang Begroting" in client.get(reverse("programme:budget_requests")).content.decode()


def test_entitlements_have_no_page_for_a_year_out_of_range(client) -> None:  # type: ignore[no-untyped-def]
    """views.entitlements: a year outside 2000-2100 is not found."""
    municipality = MunicipalityFactory()
    client.force_login(make_role_user(Role.PROGRAMME_OFFICER))
    url = reverse("programme:entitlements", kwargs={"code": municipality.code, "year": 1999})
    assert client.get(url).status_code == 404
    ok = reverse("programme:entitlements", kwargs={"code": municipality.code, "year": 2000})
    assert client.get(ok).status_code == 200


def test_the_member_role_without_a_member_record_has_no_entitlements_page(client) -> None:  # type: ignore[no-untyped-def]
    """views.my_entitlements: the page is about one's own member record; without one it is refused."""
    client.force_login(UserFactory(roles=[Role.MEMBER]))
    assert client.get(reverse("programme:my_entitlements")).status_code == 403
