"""A case's confidentiality only goes up, except by the people it protects; strictly confidential
cases are invisible (kind, subject, existence in the back office) to everyone who may not read
them."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from desk import rules, selectors, services
from desk.models import (
    Case,
    CaseAccess,
    Confidentiality,
    ConfidentialityChange,
    ConfidentialityConsent,
    Kind,
    Status,
)
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db
SECRET = "Mijn eigen dilemma over een nevenfunctie"
REFUSED = "Je mag de vertrouwelijkheid van deze zaak niet verlagen"


@pytest.fixture
def requester():  # type: ignore[no-untyped-def]
    return make_role_user(Role.MEMBER, email="raadslid@example.org", name="Rita Raadslid")


@pytest.fixture
def counsellor():  # type: ignore[no-untyped-def]
    return make_role_user(Role.COUNSELLOR, name="Vera Vertrouwenspersoon")


def open_case(requester, level=Confidentiality.NORMAL, kind=Kind.INTEGRITY_OWN):  # type: ignore[no-untyped-def]
    return services.open_case(
        requester=requester.member,
        kind=kind,
        subject="Nevenfunctie bij woningcorporatie",
        description=SECRET,
        confidentiality=level,
    )


def strict_case(requester, counsellor):  # type: ignore[no-untyped-def]
    case = open_case(requester, Confidentiality.STRICT)
    services.assign(case=case, user=counsellor)
    return case


def row_of(html: str, reference: str) -> str:
    """The table row of the case with this reference."""
    at = html.index(reference)
    return html[html.rindex("<tr", 0, at) : html.index("</tr>", at)]


def state(case: Case) -> tuple:
    case.refresh_from_db()
    return (case.confidentiality, case.kind, case.status, case.assigned_to_id, ConfidentialityChange.objects.count())


# --- the acceptance scenario ---------------------------------------------------------------------


def test_adviser_not_on_a_strict_case_cannot_lower_it_and_read_it(client, requester, counsellor) -> None:  # type: ignore[no-untyped-def]
    """The issue's scenario: an adviser opens the triage page of a strictly confidential case that
    is not theirs, sets it to normal and saves, then opens the case. Refused with a translated
    message; nothing changes; the case stays hidden."""
    case = strict_case(requester, counsellor)
    before = state(case)
    adviser = make_role_user(Role.ADVISER)
    client.force_login(adviser)
    manage_url = reverse("desk:manage", kwargs={"reference": case.reference})
    page = client.get(manage_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="confidentiality"' not in html  # nothing to choose: the level cannot go higher
    assert "Integriteit" not in html  # nor is the kind shown
    response = client.post(manage_url, {"action": "triage", "confidentiality": "normal"}, follow=True)
    assert REFUSED in response.content.decode()
    assert state(case) == before
    assert client.get(case.get_absolute_url()).status_code == 404
    # Posting the kind as well changes nothing either.
    client.post(manage_url, {"action": "triage", "confidentiality": "normal", "kind": Kind.COACHING})
    assert state(case) == before
    assert not CaseAccess.objects.filter(user=adviser).exists()


def test_the_back_office_cannot_lower_a_case_either(client, requester, counsellor) -> None:  # type: ignore[no-untyped-def]
    administrator = make_role_user(Role.ADMINISTRATOR, is_superuser=True)
    administrator.user_permissions.set(Permission.objects.all())
    client.force_login(administrator)
    for case in (strict_case(requester, counsellor), open_case(requester, Confidentiality.CONFIDENTIAL)):
        before = state(case)
        response = client.post(
            reverse("admin:desk_case_change", args=[case.pk]), {"confidentiality": "normal", "kind": "political"}
        )
        assert response.status_code in (302, 403)
        assert state(case) == before


def test_no_api_operation_touches_cases(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/openapi.json").json()
    paths = " ".join(schema["paths"]).lower()
    assert "case" not in paths and "hulp" not in paths and "desk" not in paths
    assert "confidentiality" not in str(schema).lower()


# --- the desk raises ----------------------------------------------------------------------------


def test_triage_offers_only_the_levels_the_person_may_choose(client, requester, counsellor) -> None:  # type: ignore[no-untyped-def]
    adviser = make_role_user(Role.ADVISER)
    normal = open_case(requester)
    confidential = open_case(requester, Confidentiality.CONFIDENTIAL)
    strict = strict_case(requester, counsellor)
    assert rules.levels_at_triage(adviser, normal) == ["normal", "confidential", "strict"]
    assert rules.levels_at_triage(adviser, confidential) == ["confidential", "strict"]
    assert rules.levels_at_triage(adviser, strict) == ["strict"]
    assert rules.levels_at_triage(counsellor, strict) == ["strict"]  # no consent yet
    assert rules.levels_at_triage(requester, normal) == ["normal"]  # not the desk
    client.force_login(adviser)
    html = client.get(reverse("desk:manage", kwargs={"reference": confidential.reference})).content.decode()
    assert 'value="confidential"' in html and 'value="strict"' in html and 'value="normal"' not in html


def test_the_desk_raises_a_level_which_is_recorded_and_told_to_the_requester(
    client, requester, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    case = open_case(requester)
    counsellor = make_role_user(Role.COUNSELLOR, name="Carla Counsellor")
    client.force_login(counsellor)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("desk:manage", kwargs={"reference": case.reference}),
            {"action": "triage", "confidentiality": "confidential"},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.confidentiality == Confidentiality.CONFIDENTIAL and case.status == Status.TRIAGED
    change = ConfidentialityChange.objects.get(case=case)
    assert (change.changed_by, change.from_level, change.to_level) == (counsellor, "normal", "confidential")
    assert abs(change.changed_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert [m.to for m in mail.outbox] == [["raadslid@example.org"]]
    assert case.reference in mail.outbox[0].body and SECRET not in mail.outbox[0].body
    assert "vertrouwelijkheid/" in mail.outbox[0].body
    # The trail is shown to the requester.
    client.force_login(requester)
    log = client.get(reverse("desk:access_log", kwargs={"reference": case.reference})).content.decode()
    assert "Carla Counsellor" in log and "Vertrouwelijk" in log


def test_assigned_adviser_cannot_lower_a_confidential_case(client, requester) -> None:  # type: ignore[no-untyped-def]
    adviser = make_role_user(Role.ADVISER)
    case = open_case(requester, Confidentiality.CONFIDENTIAL)
    services.assign(case=case, user=adviser)
    before = state(case)
    client.force_login(adviser)
    response = client.post(
        reverse("desk:manage", kwargs={"reference": case.reference}),
        {"action": "triage", "confidentiality": "normal"},
        follow=True,
    )
    assert REFUSED in response.content.decode()
    assert state(case) == before
    with pytest.raises(services.LevelRefused):
        services.triage(case=case, by=adviser, confidentiality="normal")
    assert state(case) == before


def test_a_member_cannot_use_the_triage_page(client, requester) -> None:  # type: ignore[no-untyped-def]
    case = open_case(requester, Confidentiality.CONFIDENTIAL)
    client.force_login(requester)
    response = client.post(
        reverse("desk:manage", kwargs={"reference": case.reference}), {"action": "triage", "confidentiality": "normal"}
    )
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).confidentiality == Confidentiality.CONFIDENTIAL


# --- the requester chooses -----------------------------------------------------------------------


def test_requester_sees_who_would_read_at_each_level_and_lowers_after_confirming(
    client, requester, counsellor, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    adviser = make_role_user(Role.ADVISER, name="Anne Adviseur")
    case = strict_case(requester, counsellor)
    url = reverse("desk:confidentiality", kwargs={"reference": case.reference})
    client.force_login(requester)
    assert url in client.get(case.get_absolute_url()).content.decode()
    html = client.get(url).content.decode()
    # Normal: every adviser (and the counsellor on it); strict: the assigned counsellor only.
    normal_part = html[html.index('id="level-normal-readers"') :]
    normal_part = normal_part[: normal_part.index("</p>")]
    strict_part = html[html.index('id="level-strict-readers"') :]
    strict_part = strict_part[: strict_part.index("</p>")]
    assert "Anne Adviseur" in normal_part and "Vera Vertrouwenspersoon" in normal_part
    assert "Anne Adviseur" not in strict_part and "Vera Vertrouwenspersoon" in strict_part
    # Lowering without confirming changes nothing.
    response = client.post(url, {"action": "level", "confidentiality": "normal"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).confidentiality == Confidentiality.STRICT
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "level", "confidentiality": "normal", "understood": "on"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.confidentiality == Confidentiality.NORMAL
    change = ConfidentialityChange.objects.get()
    assert (change.changed_by, change.from_level, change.to_level, change.lowered) == (
        requester,
        "strict",
        "normal",
        True,
    )
    assert [m.to for m in mail.outbox] == [["raadslid@example.org"]]
    client.force_login(adviser)
    assert client.get(case.get_absolute_url()).status_code == 200  # the requester chose so


def test_only_the_requester_uses_the_level_page(client, requester) -> None:  # type: ignore[no-untyped-def]
    case = open_case(requester)
    url = reverse("desk:confidentiality", kwargs={"reference": case.reference})
    client.force_login(make_role_user(Role.ADVISER))  # reads the case, but it is not theirs
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "level", "confidentiality": "strict"}).status_code == 403
    client.force_login(make_role_user(Role.MEMBER))
    assert client.get(url).status_code == 404
    assert Case.objects.get(pk=case.pk).confidentiality == Confidentiality.NORMAL
    with pytest.raises(services.LevelRefused):
        services.change_level_as_requester(case=case, level="strict", by=make_role_user(Role.ADVISER))


# --- the counsellor with consent -----------------------------------------------------------------


def test_counsellor_lowers_a_strict_case_only_as_far_as_the_requester_consented(client, requester, counsellor) -> None:  # type: ignore[no-untyped-def]
    case = strict_case(requester, counsellor)
    manage_url = reverse("desk:manage", kwargs={"reference": case.reference})
    client.force_login(counsellor)
    client.post(manage_url, {"action": "triage", "confidentiality": "confidential"})
    assert Case.objects.get(pk=case.pk).confidentiality == Confidentiality.STRICT  # no consent yet
    # The requester records their consent on their own page.
    client.force_login(requester)
    level_url = reverse("desk:confidentiality", kwargs={"reference": case.reference})
    assert "Vera Vertrouwenspersoon" in client.get(level_url).content.decode()
    client.post(level_url, {"action": "consent", "level": "confidential"})
    consent = ConfidentialityConsent.objects.get()
    assert (consent.level, consent.counsellor, consent.given_by) == ("confidential", counsellor, requester)
    case.refresh_from_db()
    assert rules.levels_at_triage(counsellor, case) == ["confidential", "strict"]
    client.force_login(counsellor)
    assert 'value="confidential"' in client.get(manage_url).content.decode()
    client.post(manage_url, {"action": "triage", "confidentiality": "normal"})  # further than consented
    assert Case.objects.get(pk=case.pk).confidentiality == Confidentiality.STRICT
    client.post(manage_url, {"action": "triage", "confidentiality": "confidential"})
    case.refresh_from_db()
    assert case.confidentiality == Confidentiality.CONFIDENTIAL
    change = ConfidentialityChange.objects.get()
    assert (change.changed_by, change.consent) == (counsellor, consent)
    consent.refresh_from_db()
    assert consent.used_at is not None  # used once


def test_consent_is_for_the_assigned_counsellor_and_can_be_withdrawn(client, requester, counsellor) -> None:  # type: ignore[no-untyped-def]
    case = strict_case(requester, counsellor)
    services.give_consent(case=case, level="normal", by=requester)
    other = make_role_user(Role.COUNSELLOR)
    services.assign(case=case, user=other)
    case.refresh_from_db()
    assert rules.levels_at_triage(other, case) == ["strict"]  # the consent was for someone else
    assert rules.levels_at_triage(counsellor, case) == ["strict"]  # no longer assigned
    services.assign(case=case, user=counsellor)
    case.refresh_from_db()
    assert rules.levels_at_triage(counsellor, case) == ["normal", "confidential", "strict"]
    client.force_login(requester)
    client.post(reverse("desk:confidentiality", kwargs={"reference": case.reference}), {"action": "withdraw"})
    assert rules.levels_at_triage(counsellor, case) == ["strict"]
    with pytest.raises(services.LevelRefused):
        services.triage(case=case, by=counsellor, confidentiality="normal")
    with pytest.raises(services.PermissionDenied):
        services.give_consent(case=case, level="normal", by=counsellor)


# --- strictly confidential cases are invisible ---------------------------------------------------


def test_queue_overdue_and_triage_page_do_not_tell_what_a_strict_case_is_about(client, requester, counsellor) -> None:  # type: ignore[no-untyped-def]
    threat = open_case(requester, Confidentiality.STRICT, kind=Kind.THREAT_DIGITAL)
    services.assign(case=threat, user=counsellor)
    adviser = make_role_user(Role.ADVISER)
    other_counsellor = make_role_user(Role.COUNSELLOR)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=6)):
        assert list(selectors.overdue(counsellor)) == [threat]
        for outsider in (adviser, other_counsellor):
            assert not selectors.overdue(outsider).exists()
            client.force_login(outsider)
            row = row_of(client.get(reverse("desk:queue")).content.decode(), threat.reference)
            assert "Strikt vertrouwelijk" in row  # it exists for triage and assignment ...
            assert "Bedreiging" not in row and "te laat" not in row  # ... but not what it is
            filtered = client.get(reverse("desk:queue"), {"kind": Kind.THREAT_DIGITAL}).content.decode()
            assert threat.reference not in filtered
            assert threat.reference not in client.get(reverse("desk:overdue")).content.decode()
            manage = client.get(reverse("desk:manage", kwargs={"reference": threat.reference})).content.decode()
            facts = manage[manage.index('<dl class="facts">') : manage.index("</dl>")]
            assert "Bedreiging" not in facts and "Antwoord nodig" not in facts
            assert "Alleen de vertrouwenspersoon" in facts
        client.force_login(counsellor)
        queue = client.get(reverse("desk:queue"), {"kind": Kind.THREAT_DIGITAL}).content.decode()
        row = row_of(queue, threat.reference)
        assert "Bedreiging of haat online" in row and "te laat" in row


def test_statistics_count_strict_cases_without_details(requester) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        open_case(requester, Confidentiality.STRICT, kind=Kind.INTEGRITY_OWN)
    for _ in range(5):
        open_case(requester, kind=Kind.COACHING)
    overview = services.statistics_overview()
    assert overview["total"] == 10 and overview["strict"] == 5 and overview["open"] == 10
    assert dict(overview["by_kind"]) == {Kind.COACHING: 5}
    assert sum(n or 0 for _k, n in overview["by_month"]) == 5


def test_back_office_shows_no_strict_case_even_with_every_permission(client, requester, counsellor) -> None:  # type: ignore[no-untyped-def]
    strict = strict_case(requester, counsellor)
    normal = open_case(requester, kind=Kind.COACHING)
    CaseAccess.objects.create(case=strict, user=counsellor, what="case")
    CaseAccess.objects.create(case=normal, user=counsellor, what="case")
    administrator = make_role_user(Role.ADMINISTRATOR, is_superuser=True)
    # Whatever the permission screens grant, the restriction is in code.
    administrator.user_permissions.set(Permission.objects.all())
    client.force_login(administrator)
    pages = [
        client.get(reverse("admin:desk_case_changelist")),
        client.get(reverse("admin:desk_case_changelist"), {"kind": Kind.INTEGRITY_OWN, "_facets": "True"}),
        client.get(reverse("admin:desk_caseaccess_changelist")),
        client.get(reverse("admin:desk_case_change", args=[strict.pk]), follow=True),
        client.get(reverse("admin:desk_case_history", args=[strict.pk]), follow=True),
    ]
    for page in pages:
        assert strict.reference not in page.content.decode()
    assert normal.reference in pages[0].content.decode()
    # Searching for its reference finds nothing (the term itself is only echoed in the search box).
    for name in ("admin:desk_case_changelist", "admin:desk_caseaccess_changelist"):
        html = client.get(reverse(name), {"q": strict.reference}).content.decode()
        assert "0 resultaten" in html
        assert reverse("admin:desk_case_change", args=[strict.pk]) not in html
    # The facet counts do not count it either.
    facets = client.get(reverse("admin:desk_case_changelist"), {"_facets": "True"}).content.decode()
    assert "Integriteit: mijn eigen dilemma (1)" not in facets and "Coaching (1)" in facets


def test_back_office_links_and_lookups_do_not_lead_to_a_strict_case(client, requester, counsellor) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.contenttypes.models import ContentType

    strict = strict_case(requester, counsellor)
    access = CaseAccess.objects.create(case=strict, user=counsellor, what="case")
    administrator = make_role_user(Role.ADMINISTRATOR, is_superuser=True)
    administrator.user_permissions.set(Permission.objects.filter(content_type__app_label="desk"))
    client.force_login(administrator)
    # "View on site" would redirect to the case's address, which names its reference.
    on_site = client.get(reverse("admin:view_on_site", args=[ContentType.objects.get_for_model(Case).pk, strict.pk]))
    assert strict.reference not in on_site.get("Location", "") and strict.reference not in on_site.content.decode()
    for name in ("change", "history", "delete"):
        response = client.get(reverse(f"admin:desk_caseaccess_{name}", args=[access.pk]), follow=True)
        assert strict.reference not in response.content.decode(), name
    # Nor is the site's own case page any more open to this administrator.
    assert client.get(reverse("desk:case", kwargs={"reference": strict.reference})).status_code == 404
    manage = client.get(reverse("desk:manage", kwargs={"reference": strict.reference}))
    assert manage.status_code == 403 and "Nevenfunctie" not in manage.content.decode()  # not a desk role
