import threading

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from core.roles import Role
from programme import services
from programme.models import Application, BudgetRequest, Entitlement, GoodPractice, ProgrammeContact, Track
from tests.factories import MandateFactory, MunicipalityFactory, ProvinceFactory, make_role_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def towns():  # type: ignore[no-untyped-def]
    drenthe = ProvinceFactory(code="PV22", name="Drenthe")
    return {
        "wolden": MunicipalityFactory(code="GM1690", name="De Wolden", province=drenthe),
        "haag": MunicipalityFactory(code="GM0518", name="'s-Gravenhage", official_name="'s-Gravenhage"),
        "fryslan": MunicipalityFactory(code="GM1900", name="Súdwest-Fryslân"),
    }


def form_data(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "municipality": "De Wolden",
        "contact_name": "Greet Griffier",
        "contact_function": "griffier",
        "contact_email": "griffie@dewolden.example",
        "contact_phone": "0528-123456",
        "theme_training": "candidate",
        "theme_support": "",
        "description": "Raadsleden weten niet dat er een opleidingsbudget is.",
        "website": "",
    }
    data.update(overrides)
    return data


def test_a_griffier_registers_and_a_second_registration_is_recognised(
    client, towns, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    make_role_user(Role.PROGRAMME_OFFICER, email="programma@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("programme:apply"), form_data())
    assert first.status_code == 200 and "Bedankt" in first.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["griffie@dewolden.example", "programma@example.org"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(
            reverse("programme:apply"), form_data(contact_name="Raadslid Rik", contact_email="rik@example.org")
        )
    html = second.content.decode()
    assert "al aangemeld" in html and "griffie@dewolden.example" not in html and "Greet" not in html
    first_app, second_app = Application.objects.order_by("pk")
    assert list(services.related_applications(second_app)) == [first_app]


@pytest.mark.parametrize(
    ("typed", "code"), [("Den Haag", "GM0518"), ("sudwest fryslan", "GM1900"), ("de wolden", "GM1690")]
)
def test_municipality_is_found_tolerantly(client, towns, typed, code) -> None:  # type: ignore[no-untyped-def]
    client.post(reverse("programme:apply"), form_data(municipality=typed))
    assert Application.objects.get().municipality.code == code


def test_clear_errors_and_nothing_stored(client, towns) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("programme:apply"), form_data(municipality="Atlantis", contact_email="geen", theme_training="")
    )
    errors = response.context["form"].errors
    assert "Atlantis" in str(errors["municipality"]) and "contact_email" in errors and "__all__" in errors
    assert not Application.objects.exists()


def test_honeypot_and_rate_limit_stop_robots(client, towns) -> None:  # type: ignore[no-untyped-def]
    cache.clear()
    client.post(reverse("programme:apply"), form_data(website="http://spam.example"))
    assert not Application.objects.exists()
    for _ in range(4):
        client.post(reverse("programme:apply"), form_data())
    assert client.post(reverse("programme:apply"), form_data()).status_code == 429


def test_officer_accepts_records_intake_and_plans(client, towns) -> None:  # type: ignore[no-untyped-def]
    services.submit_application(
        municipality=towns["wolden"],
        contact_name="Greet",
        contact_function="griffier",
        contact_email="g@example.org",
        contact_phone="",
        description="x",
        themes={"training": "candidate"},
    )
    application = Application.objects.get()
    officer = make_role_user(Role.PROGRAMME_OFFICER)
    client.force_login(officer)
    refused = client.post(
        reverse("programme:application", kwargs={"pk": application.pk}), {"decision": "declined", "note": ""}
    )
    assert refused.status_code == 200 and Application.objects.get().status == "new"
    client.post(reverse("programme:application", kwargs={"pk": application.pk}), {"decision": "accepted", "note": ""})
    track = Track.objects.get()
    assert track.municipality == towns["wolden"] and track.officer == officer
    url = track.get_absolute_url()
    client.post(
        url,
        {
            "action": "intake",
            "date": "2026-12-01",
            "participants": "Burgemeester Bos\nGriffier Greet\nRaadslid Rik",
            "agreed_goals": "Iedereen kent zijn budget",
        },
    )
    client.post(
        url, {"action": "plan", "kind": "milestone", "title": "Verordening aangepast", "due_date": "2027-03-01"}
    )
    track.refresh_from_db()
    assert track.status == Track.Status.ACTIVE
    assert track.intakes.get().participant_lines == ["Burgemeester Bos", "Griffier Greet", "Raadslid Rik"]
    assert "Verordening aangepast" in client.get(url).content.decode()


def test_griffie_contact_sees_and_comments_on_their_own_track_only(client, towns) -> None:  # type: ignore[no-untyped-def]
    own = Track.objects.create(municipality=towns["wolden"], theme="training", role="candidate")
    other = Track.objects.create(municipality=towns["haag"], theme="training", role="candidate")
    contact = make_role_user(Role.GRIFFIE_CONTACT)
    ProgrammeContact.objects.create(user=contact, municipality=towns["wolden"])
    client.force_login(contact)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    client.post(own.get_absolute_url(), {"action": "comment", "body": "Wanneer is de volgende stap?"})
    assert own.comments.get().body == "Wanneer is de volgende stap?"
    assert client.post(own.get_absolute_url(), {"action": "plan", "kind": "goal", "title": "x"}).status_code == 403


def test_griffie_contact_finds_the_entitlements_page_of_their_own_municipality(client, towns) -> None:  # type: ignore[no-untyped-def]
    contact = make_role_user(Role.GRIFFIE_CONTACT)
    ProgrammeContact.objects.create(user=contact, municipality=towns["wolden"])
    client.force_login(contact)
    year = timezone.localdate().year
    html = client.get(reverse("programme:budget_requests")).content.decode()
    own = reverse("programme:entitlements", kwargs={"code": towns["wolden"].code, "year": year})
    other = reverse("programme:entitlements", kwargs={"code": towns["haag"].code, "year": year})
    assert f'href="{own}"' in html and other not in html
    assert client.get(own).status_code == 200
    # The navigation leads there: the budget requests are the clerk's office's entry in it.
    assert reverse("programme:budget_requests") in client.get("/").content.decode()
    # An administrator (no municipality of their own) sees no such block.
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    assert "/ontwikkeltraject/rechten/" not in client.get(reverse("programme:budget_requests")).content.decode()


def test_entitlements_history_names_the_changed_fields_in_the_reader_s_language(client, towns) -> None:  # type: ignore[no-untyped-def]
    """The history listed code names ("council_seats, source_url"; the crawler)."""
    contact = make_role_user(Role.GRIFFIE_CONTACT)
    ProgrammeContact.objects.create(user=contact, municipality=towns["wolden"])
    year = timezone.localdate().year
    services.save_entitlement(municipality=towns["wolden"], year=year, values={"council_seats": 19}, by=contact)
    services.save_entitlement(municipality=towns["wolden"], year=year, values={"council_seats": 21}, by=contact)
    client.force_login(contact)
    html = client.get(reverse("programme:entitlements", kwargs={"code": towns["wolden"].code, "year": year}))
    history = html.content.decode().split("<h2>Geschiedenis</h2>")[1]
    assert "zetels in de raad" in history
    assert "council_seats" not in history and "updated_at" not in history


def test_dashboard_names_statuses_and_themes_in_the_reader_s_language(client, towns) -> None:  # type: ignore[no-untyped-def]
    """The dashboard showed the stored values ("more_info", "training · active"; the crawler)."""
    for town, theme in (("wolden", "training"), ("haag", "support")):
        services.submit_application(
            municipality=towns[town],
            contact_name="Greet",
            contact_function="griffier",
            contact_email=f"{town}@example.org",
            contact_phone="",
            description="x",
            themes={theme: "candidate"},
        )
    client.force_login(make_role_user(Role.PROGRAMME_OFFICER))
    html = client.get(reverse("programme:dashboard")).content.decode()
    assert '<th scope="row">Nieuw</th><td>2</td>' in html
    assert "new</th>" not in html and "training" not in html
    data = services.dashboard()
    assert [(row["status"], row["n"]) for row in data["applications"]] == [("new", 2)]
    assert data["tracks"] == []
    Track.objects.create(municipality=towns["wolden"], theme="training", role="candidate", status=Track.Status.ACTIVE)
    Track.objects.create(municipality=towns["haag"], theme="training", role="candidate", status=Track.Status.ACTIVE)
    Track.objects.create(municipality=towns["haag"], theme="support", role="candidate", status=Track.Status.INTAKE)
    html = client.get(reverse("programme:dashboard")).content.decode()
    assert "Opleiding en een persoonlijk opleidingsbudget · In behandeling</th><td>2</td>" in html


@pytest.fixture
def councillor(towns):  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    MandateFactory(member=user.member, body=towns["wolden"], start_date=timezone.localdate().replace(month=1, day=1))
    return user


def test_councillor_sees_entitlements_unknown_is_not_zero(client, councillor, towns) -> None:  # type: ignore[no-untyped-def]
    client.force_login(councillor)
    assert "Nog niet bekend" in client.get(reverse("programme:my_entitlements")).content.decode()
    year = timezone.localdate().year
    Entitlement.objects.create(
        municipality=towns["wolden"], year=year, training_budget_cents=150000, faction_per_seat_cents=None
    )
    html = client.get(reverse("programme:my_entitlements")).content.decode()
    assert "€ 1.500,00" in html and "onbekend" in html


def test_budget_request_approved_by_the_griffie_updates_the_balance(
    client, councillor, towns, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    year = timezone.localdate().year
    Entitlement.objects.create(municipality=towns["wolden"], year=year, training_budget_cents=100000)
    contact = make_role_user(Role.GRIFFIE_CONTACT, email="griffie@example.org")
    ProgrammeContact.objects.create(user=contact, municipality=towns["wolden"])
    client.force_login(councillor)
    too_much = client.post(
        reverse("programme:my_entitlements"),
        {"municipality": towns["wolden"].pk, "amount": "1200", "description": "Te duur"},
    )
    assert "meer dan" in too_much.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("programme:my_entitlements"),
            {"municipality": towns["wolden"].pk, "amount": "395", "description": "Leergang Begroting"},
        )
    request = BudgetRequest.objects.get()
    assert [m.to for m in mail.outbox] == [["griffie@example.org"]]
    client.force_login(contact)
    client.post(reverse("programme:budget_requests"), {"request": request.pk, "decision": "approve"})
    request.refresh_from_db()
    assert request.status == BudgetRequest.Status.APPROVED and request.decided_by == contact
    assert services.balance_cents(councillor.member, towns["wolden"], year) == 60500
    other_contact = make_role_user(Role.GRIFFIE_CONTACT)
    client.force_login(other_contact)
    assert client.get(reverse("programme:budget_requests")).context["pending"] == []


def test_balance_never_goes_below_zero() -> None:
    municipality = MunicipalityFactory()
    member_user = make_role_user(Role.MEMBER)
    MandateFactory(
        member=member_user.member, body=municipality, start_date=timezone.localdate().replace(month=1, day=1)
    )
    year = timezone.localdate().year
    Entitlement.objects.create(municipality=municipality, year=year, training_budget_cents=50000)
    first = services.request_budget(
        member=member_user.member, municipality=municipality, amount_cents=40000, description="a"
    )
    second = services.request_budget(
        member=member_user.member, municipality=municipality, amount_cents=40000, description="b"
    )
    admin = make_role_user(Role.ADMINISTRATOR)
    services.decide_budget_request(request=first, approve=True, by=admin)
    with pytest.raises(ValidationError, match="Onvoldoende budget"):
        services.decide_budget_request(request=second, approve=True, by=admin)
    with pytest.raises(ValidationError, match="reden"):
        services.decide_budget_request(request=second, approve=False, by=admin)


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_cannot_overspend() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    municipality = MunicipalityFactory()
    member_user = make_role_user(Role.MEMBER)
    MandateFactory(
        member=member_user.member, body=municipality, start_date=timezone.localdate().replace(month=1, day=1)
    )
    year = timezone.localdate().year
    Entitlement.objects.create(municipality=municipality, year=year, training_budget_cents=100000)
    requests = [
        services.request_budget(
            member=member_user.member, municipality=municipality, amount_cents=30000, description=str(n)
        )
        for n in range(3)
    ]
    Entitlement.objects.filter(municipality=municipality).update(training_budget_cents=50000)
    barrier = threading.Barrier(3)
    admin = make_role_user(Role.ADMINISTRATOR)

    def approve(request) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            services.decide_budget_request(request=request, approve=True, by=admin)
        except ValidationError:
            pass
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=approve, args=(r,)) for r in requests]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert BudgetRequest.objects.filter(status="approved").count() == 1
    assert services.balance_cents(member_user.member, municipality, year) == 20000


def test_comparison_leaves_unknown_amounts_out_and_exports_csv(client, towns) -> None:  # type: ignore[no-untyped-def]
    year = timezone.localdate().year
    Entitlement.objects.create(
        municipality=towns["wolden"],
        year=year,
        council_seats=19,
        training_budget_cents=100000,
        faction_per_seat_cents=120000,
    )
    Entitlement.objects.create(
        municipality=towns["haag"],
        year=year,
        council_seats=45,
        training_budget_cents=None,
        faction_per_seat_cents=300000,
    )
    data = services.comparison(year)
    assert [(r["label"], r["average"]) for r in data["training_by_province"]] == [("Drenthe", 100000)]
    client.force_login(make_role_user(Role.MEMBER))
    csv_text = client.get(reverse("programme:comparison"), {"format": "csv"}).content.decode("utf-8-sig")
    assert "De Wolden;Drenthe;19;1000.00;1200.00" in csv_text
    assert ";45;;3000.00" in csv_text.split("'s-Gravenhage")[1].splitlines()[0]


def test_good_practices_are_searchable(client, towns) -> None:  # type: ignore[no-untyped-def]
    GoodPractice.objects.create(
        municipality=towns["wolden"],
        theme="training",
        title="Opleidingsbudget van 1500 euro",
        arrangement="Elk raadslid krijgt jaarlijks een persoonlijk opleidingsbudget.",
        bylaw="Verordening rechtspositie art. 12",
    )
    GoodPractice.objects.create(
        municipality=towns["haag"], theme="support", title="Fractieassistenten", arrangement="Ondersteuning per zetel."
    )
    response = client.get(reverse("programme:practices"), {"q": "opleidingsbudgetten"})
    assert [p.title for p in response.context["page"]] == ["Opleidingsbudget van 1500 euro"]
