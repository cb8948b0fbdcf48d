"""Events in the browser: find, register, waitlist, calendar; organise, take attendance, evaluate."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from core.roles import Role
from events import services
from events.models import Event, Registration, Session
from tests.factories import EventFactory, MemberFactory, make_role_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_registers_lands_on_the_waitlist_and_gets_the_seat(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(title="Leergang Begroting lezen", kind="course", capacity=1, sessions=2, price_cents=14900)
    holder = services.register(event=event, member=MemberFactory())
    user = make_role_user(Role.MEMBER)
    login_as(user)
    page.goto("/bijeenkomsten/")
    a11y.check("events")
    page.get_by_label("Soort").select_option("course")
    page.get_by_role("button", name="Filteren").click()
    a11y.check("events-filtered")
    page.get_by_role("link", name="Leergang Begroting lezen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leergang Begroting lezen")
    a11y.check("event-detail")
    page.get_by_role("link", name="Zet mij op de wachtlijst").click()
    a11y.check("event-register")
    page.get_by_label("Dieetwensen of toegankelijkheid (niet verplicht)").fill("Vegetarisch")
    page.get_by_role("button", name="Aanmelding bevestigen").click()
    expect(page.get_by_text("je staat op de wachtlijst", exact=False).first).to_be_visible()
    a11y.check("event-waitlisted")
    services.cancel(registration=holder)
    page.get_by_role("link", name="Mijn aanmelding").click()
    a11y.check("registration-offered")
    page.get_by_role("button", name="Plaats accepteren").click()
    expect(page.get_by_text("De plaats is van jou.")).to_be_visible()
    a11y.check("registration-confirmed")
    assert Registration.objects.get(member=user.member).status == "confirmed"
    page.goto("/agenda/")
    a11y.check("calendar")


def test_guest_registers_for_a_public_event(page: Page, a11y) -> None:  # type: ignore[no-untyped-def]
    event = EventFactory(title="Open avond: democratie dichtbij", audience=Event.Audience.PUBLIC)
    page.goto(event.get_absolute_url())
    a11y.check("public-event")
    page.get_by_role("link", name="Aanmelden als gast").click()
    a11y.check("guest-register")
    page.get_by_label("Naam").fill("Gerrit Gast")
    page.get_by_label("E-mailadres").fill("gerrit@example.org")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kijk in je e-mail")
    a11y.check("guest-check-mail")
    registration = Registration.objects.get(guest_email="gerrit@example.org")
    page.goto(f"/inschrijving/{registration.token}/bevestigen/")
    a11y.check("guest-confirm")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_text("Aangemeld", exact=True)).to_be_visible()
    a11y.check()


def test_organiser_creates_an_event_manages_it_and_takes_attendance(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    organiser = make_role_user(Role.EVENT_ORGANISER)
    login_as(organiser)
    page.goto("/beheer/bijeenkomsten/")
    a11y.check("manage-events")
    page.get_by_role("link", name="Nieuwe bijeenkomst").click()
    a11y.check("event-form")
    day = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    page.locator("#id_title").fill("Netwerkavond wonen")
    page.locator("#id_summary").fill("Raadsleden en Statenleden over de woningbouwopgave.")
    page.locator("#id_status").select_option("published")
    page.locator("#id_capacity").fill("2")
    page.locator("#id_registration_closes").fill(f"{day}T12:00")
    page.locator("#id_cancellation_deadline").fill(f"{day}T12:00")
    page.locator("#id_sessions-0-starts_at").fill(f"{day}T19:00")
    page.locator("#id_sessions-0-ends_at").fill(f"{day}T21:30")
    page.locator("#id_sessions-0-location_name").fill("Provinciehuis Overijssel")
    page.locator("#id_sessions-0-address").fill("Luttenbergstraat 2, Zwolle")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De bijeenkomst is opgeslagen.")).to_be_visible()
    a11y.check("event-manage")
    event = Event.objects.get(title="Netwerkavond wonen")
    member = MemberFactory(email="deelnemer@example.org", given_name="Dirk", family_name="Deelnemer")
    page.get_by_label("E-mailadres van het lid").fill("deelnemer@example.org")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_text("Dirk Deelnemer is toegevoegd.")).to_be_visible()
    page.get_by_label("Aantal plaatsen").fill("5")
    page.get_by_role("button", name="Wijzigen").click()
    expect(page.get_by_text("Het aantal plaatsen is nu 5.")).to_be_visible()
    a11y.check()
    page.get_by_role("link", name=re.compile(r"\d+ \w+ \d{4}, 19:00")).click()
    a11y.check("checkin")
    page.get_by_role("button", name=re.compile("Aanwezig melden.*Dirk Deelnemer")).click()
    expect(page.get_by_role("button", name=re.compile("✓ Aanwezig.*Dirk Deelnemer"))).to_be_visible()
    a11y.check()
    assert event.sessions.get().attendance.filter(registration__member=member, present=True).exists()
    Session.objects.filter(event=event).update(
        starts_at=timezone.now() - datetime.timedelta(days=1), ends_at=timezone.now() - datetime.timedelta(hours=20)
    )
    event.refresh_schedule()
    registration = Registration.objects.get(member=member)
    services.evaluate(registration=registration, overall=5, content=4, organisation=4, comment="Heel nuttig")
    page.goto(f"/beheer/bijeenkomsten/{event.slug}/evaluatie/")
    expect(page.locator("svg.bar-chart").first).to_be_visible()
    a11y.check("evaluation-results")
    page.goto(f"/inschrijving/{registration.token}/evaluatie/")
    a11y.check("evaluate")
