"""The signed-in home page: "what is new for me" for members, "what waits for me" per staff role,
built from the blocks the apps register (core.home). Each role's page is checked for its content,
its empty states, confidentiality, and a query count that does not grow with the data."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from core import home
from core.roles import Role
from desk.models import Case, Confidentiality, Kind, Status
from events.models import Registration
from library.models import Document, SavedSearch
from members.models import BranchOfficial, Message
from networks import services as network_services
from networks.models import Membership, Moderator, Thread
from networks.tests import factories as nf
from newsletter.models import Edition, NewsItem, Publication
from programme.models import Application, BudgetRequest, Entitlement, ProgrammeContact, Track
from selection.models import Application as SelectionApplication
from selection.models import Score
from selection.tests.factories import make_procedure
from tests.factories import (
    DocumentFactory,
    EventFactory,
    MandateFactory,
    MemberFactory,
    MunicipalityFactory,
    enable_totp,
    make_role_user,
)

pytestmark = pytest.mark.django_db

URL = "/"
_numbers = itertools.count(1)


def _n() -> int:
    return next(_numbers)


def _html(client: Any) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def _queries(client: Any) -> int:
    client.get(URL)  # warm the per-process caches (association settings, navigation)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL).status_code == 200
    return len(captured.captured_queries)


def _assert_constant(client: Any, django_assert_num_queries: Any, grow: Any, *, at_most: int) -> str:
    """The home page asks the database as often with twice the data: no N+1 in any block."""
    few = _queries(client)
    assert few <= at_most, f"{few} queries"
    grow()
    with django_assert_num_queries(few):
        response = client.get(URL)
    return response.content.decode()


# --- the registry -------------------------------------------------------------------------------


def test_a_registered_block_appears_and_a_block_for_nobody_does_not(client) -> None:  # type: ignore[no-untyped-def]
    def extra(user: Any) -> home.Block:
        return home.Block(
            key="extra",
            title="Een nieuw blok",
            template="library/home/documents.html",
            more_url="/ergens/",
            more_label="Alles van het nieuwe blok",
            empty="Niets in het nieuwe blok.",
        )

    def nobody(user: Any) -> None:
        return None

    home.register(extra, order=999)
    home.register(nobody, order=998)
    try:
        client.force_login(make_role_user(Role.MEMBER))
        html = _html(client)
        assert "Een nieuw blok" in html
        assert "Niets in het nieuwe blok." in html
        assert 'href="/ergens/"' in html
    finally:
        home._REGISTRY.pop(f"{extra.__module__}.{extra.__qualname__}")
        home._REGISTRY.pop(f"{nobody.__module__}.{nobody.__qualname__}")


def test_a_block_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        home.register(lambda user: None, order=1, kind="sidebar")


def test_every_app_contributes_its_blocks() -> None:
    modules = {registration.function.__module__ for registration in home.registered()}
    assert modules == {
        "accounts.home",
        "members.home",
        "events.home",
        "library.home",
        "networks.home",
        "desk.home",
        "newsletter.home",
        "programme.home",
        "selection.home",
    }


def test_anonymous_visitors_get_the_public_page_not_the_blocks(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(URL)
    assert response.status_code == 200
    assert response.templates[0].name == "core/landing.html"
    assert "Nieuw voor jou" not in response.content.decode()


# --- members: what is new for me ----------------------------------------------------------------


class MemberWorld:
    """A councillor in a municipality with the topic "wonen", and everything that is new for them;
    `grow` adds as much again of everything."""

    def __init__(self) -> None:
        self.council = MunicipalityFactory(name="Zwolle")
        self.user = nf.member("Ria", "Hoekstra", body=self.council, topics=("wonen",))
        self.member = self.user.member
        self.network = nf.topic_network()
        network_services.join(network=self.network, user=self.user)
        self.colleague = nf.member("Sem", "Visser", topics=("wonen",))
        self.outsider = nf.member("Bo", "Jansen")
        network_services.join(network=self.network, user=self.outsider)
        year = timezone.localdate().year
        Entitlement.objects.create(municipality=self.council, year=year, training_budget_cents=150000)
        Edition.objects.create(
            number=41, subject="Lokaal Bestuur 41: de begroting", status=Edition.Status.SENT, sent_at=timezone.now()
        )
        self.grow()

    def grow(self, count: int = 3) -> None:
        now = timezone.now()
        for _ in range(count):
            n = _n()
            event = EventFactory(title=f"Netwerkdag wonen {n}", sessions=2)
            Registration.objects.create(event=event, member=self.member, status=Registration.Status.CONFIRMED)
            document = DocumentFactory(title=f"Motie betaalbaar wonen {n}", body=self.council, shared_at=now)
            about_topic = DocumentFactory(title=f"Motie woningbouw elders {n}", shared_at=now)
            about_topic.topics.add(self.member.topics.first())
            sender = MemberFactory(given_name="Afzender", family_name=f"Nummer{n}")
            Message.objects.create(sender=sender, recipient=self.member, body=f"Hoi Ria, bericht {n}")
            SavedSearch.objects.create(
                member=self.member,
                name=f"Zoekopdracht {n}",
                query_string="q=wonen",
                last_hits_at=now,
                last_hit_count=4,
                last_hit_ids=[document.pk, about_topic.pk],
            )
            thread = nf.ask(self.network, self.colleague, title=f"Ervaring met de woonvisie {n}?")
            network_services.reply(thread=thread, author=self.outsider, body="Ja, in Deventer.", notify=False)
            nf.ask(self.network, self.outsider, title=f"Nog niemand gaf antwoord {n}?")
            Case.objects.create(
                reference=f"HV-{n:05d}",
                kind=Kind.POLITICAL,
                requester=self.member,
                subject=f"Mijn vraag over de woonvisie {n}",
                description="Hoe pak ik dit aan?",
            )


def test_a_member_sees_what_is_new_for_them_with_a_link_to_each_whole_list(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    world = MemberWorld()
    client.force_login(world.user)
    html = _assert_constant(client, django_assert_num_queries, world.grow, at_most=23)
    for text in [
        "Welkom, Ria Hoekstra",
        "Netwerkdag wonen",  # next registrations
        "Motie betaalbaar wonen",  # their council
        "Motie woningbouw elders",  # their topic
        "Zoekopdracht",  # saved searches with their recorded hits
        "4 nieuwe documenten",
        "Afzender Nummer",  # unread messages
        "Hoi Ria, bericht",
        "Ervaring met de woonvisie",  # new in their networks
        "Nog niemand gaf antwoord",  # unanswered in their topic
        "Mijn vraag over de woonvisie",  # their own case: its subject is theirs to see
        "Lokaal Bestuur 41: de begroting",  # the latest edition
        "€ 1.500,00",  # their entitlements
    ]:
        assert text in html, text
    for url in [
        reverse("events:calendar"),
        reverse("library:mine"),
        reverse("members:inbox"),
        reverse("networks:overview"),
        reverse("desk:home"),
        reverse("newsletter:archive"),
        reverse("programme:my_entitlements"),
    ]:
        assert f'href="{url}' in html, url
    # Nothing waits for a member without a staff role.
    assert "Wat op je wacht" not in html


def test_a_new_member_sees_each_block_empty_with_a_way_onward(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    MandateFactory(member=user.member)
    client.force_login(user)
    html = _html(client)
    for text in [
        "Je bent voor geen komende bijeenkomst aangemeld.",
        "Niets nieuws uit je raad of over je onderwerpen in de laatste 30 dagen.",
        "Geen ongelezen berichten.",
        "Niets nieuws in je netwerken in de afgelopen twee weken.",
        "Je hebt de desk nog niets gevraagd.",
        "Er is nog geen editie verstuurd.",
        "Nog niet bekend",
    ]:
        assert text in html, text
    assert f'href="{reverse("events:list")}"' in html
    assert f'href="{reverse("desk:ask")}"' in html


def test_the_home_page_speaks_english_when_chosen(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = _html(client)
    assert 'lang="en"' in html
    for text in ["New for you", "Unread messages", "No unread messages.", "The latest newsletter"]:
        assert text in html, text
    assert "Nieuw voor jou" not in html


def test_a_read_message_and_documents_elsewhere_are_not_new(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    MandateFactory(member=user.member)
    Message.objects.create(
        sender=MemberFactory(), recipient=user.member, body="Al gelezen bericht", read_at=timezone.now()
    )
    DocumentFactory(title="Motie uit een andere raad")
    DocumentFactory(title="Motie van lang geleden", body=user.member.mandates.get().body).__class__.objects.filter(
        title="Motie van lang geleden"
    ).update(shared_at=timezone.now() - datetime.timedelta(days=90))
    client.force_login(user)
    html = _html(client)
    assert "Al gelezen bericht" not in html
    assert "Motie uit een andere raad" not in html
    assert "Motie van lang geleden" not in html


def test_a_saved_search_shows_only_hits_that_are_still_published(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    shown = DocumentFactory(title="Nog gedeelde motie")
    withdrawn = DocumentFactory(title="Teruggetrokken motie", status=Document.Status.DRAFT)
    SavedSearch.objects.create(
        member=user.member,
        name="Kinderopvang",
        query_string="q=kinderopvang",
        last_hits_at=timezone.now(),
        last_hit_count=2,
        last_hit_ids=[shown.pk, withdrawn.pk],
    )
    client.force_login(user)
    html = _html(client)
    assert "Nog gedeelde motie" in html
    assert "Teruggetrokken motie" not in html


def test_hidden_threads_and_closed_networks_one_is_not_in_stay_off_the_home_page(client) -> None:  # type: ignore[no-untyped-def]
    user = nf.member("Ria", "Hoekstra", topics=("wonen",))
    closed = nf.closed_network()
    insider = nf.member("Ina", "Binnen", topics=("wonen",))
    Membership.objects.create(network=closed, user=insider, source=Membership.Source.INVITED)
    network_services.start_thread(
        network=closed,
        author=insider,
        kind=Thread.Kind.QUESTION,
        title="Besloten vraag over wonen",
        body="Alleen voor de leergang.",
        topic=nf.topic(),
        notify=False,
    )
    wonen = nf.topic_network()
    hidden = nf.ask(wonen, insider, title="Verborgen vraag over wonen")
    Thread.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    visible = nf.ask(wonen, insider, title="Open vraag over wonen")
    client.force_login(user)
    html = _html(client)
    assert visible.title in html
    assert "Besloten vraag over wonen" not in html
    assert "Verborgen vraag over wonen" not in html


# --- staff: what waits for me -------------------------------------------------------------------


def _case(n: int, **kwargs: Any) -> Case:
    values: dict[str, Any] = {
        "reference": f"HV-{n:05d}",
        "kind": Kind.INTEGRITY_OWN,
        "requester": MemberFactory(),
        "subject": f"Geheim onderwerp {n}",
        "description": "Vertrouwelijk",
    }
    values.update(kwargs)
    return Case.objects.create(**values)


def test_an_adviser_sees_cases_to_triage_and_their_own_metadata_only(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    adviser = make_role_user(Role.ADVISER)

    def grow() -> None:
        for _ in range(3):
            _case(_n(), kind=Kind.POLITICAL)
            _case(_n(), kind=Kind.MEDIATION, confidentiality=Confidentiality.STRICT)
            _case(_n(), kind=Kind.COACHING, status=Status.ASSIGNED, assigned_to=adviser)

    grow()
    overdue = _case(
        _n(), kind=Kind.THREAT_PHYSICAL, due_by=timezone.now() - datetime.timedelta(hours=2), status=Status.NEW
    )
    client.force_login(adviser)
    html = _assert_constant(client, django_assert_num_queries, grow, at_most=17)
    assert "Zaken om te beoordelen" in html
    assert "Zaken die aan jou zijn toegewezen" in html
    oldest = Case.objects.filter(status=Status.NEW).order_by("created_at", "pk").first()
    assert oldest is not None and oldest.reference in html  # the oldest waits longest: on top
    assert overdue.reference not in html  # (the sixth new case) but counted in the alert
    assert "dreigingsmelding niet op tijd beantwoord" in html
    # Metadata only: never a subject, and what a strictly confidential case is about stays hidden.
    assert "Geheim onderwerp" not in html
    assert "Politiek of inhoudelijk advies" in html
    assert "Bemiddeling" not in html
    assert "Coaching" in html
    assert f'href="{reverse("desk:queue")}?status=new"' in html
    # An adviser without a member record gets no member blocks.
    assert "Nieuw voor jou" not in html


def test_the_assigned_counsellor_sees_what_their_strict_case_is_about(client) -> None:  # type: ignore[no-untyped-def]
    counsellor = make_role_user(Role.COUNSELLOR)
    _case(
        _n(),
        kind=Kind.MEDIATION,
        confidentiality=Confidentiality.STRICT,
        status=Status.ASSIGNED,
        assigned_to=counsellor,
    )
    other = make_role_user(Role.COUNSELLOR)
    client.force_login(counsellor)
    assert "Bemiddeling" in _html(client)
    client.force_login(other)
    html = _html(client)
    assert "Bemiddeling" not in html
    assert "Geheim onderwerp" not in html


def test_a_member_never_sees_other_peoples_cases(client) -> None:  # type: ignore[no-untyped-def]
    _case(_n(), subject="Iemand anders zijn zaak")
    client.force_login(make_role_user(Role.MEMBER))
    html = _html(client)
    assert "Iemand anders zijn zaak" not in html
    assert "Zaken om te beoordelen" not in html


def test_an_organiser_sees_their_coming_events_with_waitlists(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    organiser = make_role_user(Role.EVENT_ORGANISER)
    other_event = EventFactory(title="Andermans bijeenkomst")

    def grow() -> None:
        for _ in range(3):
            event = EventFactory(title=f"Mijn leergang {_n()}", capacity=1, sessions=2)
            event.organisers.add(organiser)
            Registration.objects.create(event=event, member=MemberFactory(), status=Registration.Status.CONFIRMED)
            Registration.objects.create(event=event, member=MemberFactory(), status=Registration.Status.WAITLISTED)

    grow()
    client.force_login(organiser)
    html = _assert_constant(client, django_assert_num_queries, grow, at_most=13)
    assert "Mijn leergang" in html
    assert "1 van 1 plaats bezet" in html
    assert "1 op de wachtlijst" in html
    assert other_event.title not in html
    assert f'href="{reverse("events:manage_list")}"' in html


def test_an_editor_sees_the_next_edition_and_the_drafts(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    editor = make_role_user(Role.EDITOR)
    Edition.objects.create(number=1, subject="Al verstuurd", status=Edition.Status.SENT, sent_at=timezone.now())

    def grow() -> None:
        for _ in range(3):
            n = _n()
            Edition.objects.create(number=100 + n, subject=f"Concept editie {n}")
            NewsItem.objects.create(title=f"Conceptnieuws {n}", slug=f"nieuws-{n}", summary="s", body="b")
            Publication.objects.create(
                title=f"Conceptpublicatie {n}", slug=f"publicatie-{n}", summary="s", date=timezone.localdate()
            )

    grow()
    client.force_login(editor)
    html = _assert_constant(client, django_assert_num_queries, grow, at_most=15)
    assert "Concept editie" in html
    assert "Conceptnieuws" in html
    assert "Conceptpublicatie" in html
    assert "Al verstuurd" not in html


def test_a_branch_official_and_a_committee_member_see_what_waits_in_selection(
    client, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    setup = make_procedure()
    emails = (f"kandidaat{n}@example.org" for n in itertools.count())

    def grow() -> None:
        for _ in range(2):
            setup.apply(email=next(emails))

    grow()
    client.force_login(setup.secretary)
    html = _assert_constant(client, django_assert_num_queries, grow, at_most=22)
    assert setup.procedure.title in html
    assert "4 aanmeldingen nog niet beantwoord" in html
    assert "Yilmaz" not in html  # no applicant's name (Fatima Yilmaz) on a home page; the viewer's is random

    application = setup.applications[0]
    for criterion in setup.procedure.criteria.all():
        Score.objects.create(
            committee_member=setup.procedure.committee.get(member=setup.member.member),
            application=application,
            criterion=criterion,
            score=4,
        )
    client.force_login(setup.member)
    html = _assert_constant(client, django_assert_num_queries, grow, at_most=22)
    assert "Aanmeldingen om te beoordelen" in html
    assert "5 kandidaten die je nog niet beoordeelde" in html
    assert "Yilmaz" not in html
    assert SelectionApplication.objects.filter(procedure=setup.procedure).count() == 6


def test_a_griffie_contact_sees_their_municipality_and_the_requests_to_decide(
    client, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    contact = make_role_user(Role.GRIFFIE_CONTACT)
    municipality = MunicipalityFactory(name="Deventer")
    ProgrammeContact.objects.create(user=contact, municipality=municipality)
    elsewhere = MunicipalityFactory(name="Ergens Anders")
    BudgetRequest.objects.create(
        member=MemberFactory(), municipality=elsewhere, year=2026, amount_cents=100, description="niet van ons"
    )
    themes = iter(["integrity", "safety", "role", "other"])

    def grow() -> None:
        Track.objects.create(municipality=municipality, theme=next(themes), role="raad")
        for _ in range(2):
            BudgetRequest.objects.create(
                member=MemberFactory(),
                municipality=municipality,
                year=timezone.localdate().year,
                amount_cents=25000,
                description="Cursus debatteren",
            )

    grow()
    client.force_login(contact)
    html = _assert_constant(client, django_assert_num_queries, grow, at_most=13)
    assert "Deventer" in html
    assert "4 budgetaanvragen om te beslissen" in html
    assert (
        reverse("programme:entitlements", kwargs={"code": municipality.code, "year": timezone.localdate().year}) in html
    )
    assert "Ergens Anders" not in html


def test_a_programme_officer_sees_the_applications_to_answer(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    officer = make_role_user(Role.PROGRAMME_OFFICER)

    def grow() -> None:
        for _ in range(3):
            Application.objects.create(
                municipality=MunicipalityFactory(name=f"Aanmeldgemeente {_n()}"),
                contact_name="Griffier",
                contact_function="griffier",
                contact_email="griffie@example.org",
                description="Wij willen meedoen.",
            )

    grow()
    client.force_login(officer)
    html = _assert_constant(client, django_assert_num_queries, grow, at_most=14)
    assert "Aanmeldgemeente" in html
    assert "Aanmeldingen om te beantwoorden" in html


def test_an_administrator_sees_invitations_mandates_and_reports(client, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    administrator = make_role_user(Role.ADMINISTRATOR)
    network = nf.topic_network()
    author = nf.member("Sem", "Visser")
    reporter = nf.member("Bo", "Jansen")
    network_services.join(network=network, user=reporter)

    def grow() -> None:
        for _ in range(3):
            n = _n()
            account_services.invite(
                email=f"nieuw{n}@example.org", name=f"Nieuwe Persoon {n}", roles=[Role.MEMBER], invited_by=administrator
            )
            MandateFactory(
                member=MemberFactory(given_name="Te", family_name=f"Controleren{n}"), review_status="pending"
            )
            Message.objects.create(
                sender=MemberFactory(), recipient=MemberFactory(), body="Hinderlijk", reported_at=timezone.now()
            )
            thread = nf.ask(network, author, title=f"Vraag {n}")
            network_services.report_post(post=thread.posts.get(), reporter=reporter, reason="Niet netjes")

    grow()
    client.force_login(administrator)
    html = _assert_constant(client, django_assert_num_queries, grow, at_most=16)
    for text in ["Openstaande uitnodigingen", "Nieuwe Persoon", "Mandaten controleren", "Controleren"]:
        assert text in html, text
    assert "Gemelde berichten tussen leden" in html
    assert "Hinderlijk" not in html  # the message is read in the back office
    assert "Gemelde berichten in netwerken" in html
    assert "6 meldingen om af te handelen" in html


def test_a_network_moderator_sees_the_reports_of_their_network_only(client) -> None:  # type: ignore[no-untyped-def]
    moderator = nf.member("Mo", "Derator")
    mine = nf.topic_network()
    other = nf.topic_network("zorg", "Zorg")
    Moderator.objects.create(network=mine, user=moderator)
    author = nf.member("Sem", "Visser")
    reporter = nf.member("Bo", "Jansen")
    for network in (mine, other):
        network_services.join(network=network, user=reporter)
        thread = nf.ask(network, author, title=f"Vraag in {network.name}")
        network_services.report_post(post=thread.posts.get(), reporter=reporter, reason="Niet netjes")
    client.force_login(moderator)
    html = _html(client)
    assert "Gemelde berichten in netwerken" in html
    assert reverse("networks:moderate", kwargs={"slug": mine.slug}) in html
    assert reverse("networks:moderate", kwargs={"slug": other.slug}) not in html


def test_a_person_with_several_roles_sees_the_blocks_of_each(client) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.BRANCH_OFFICIAL)
    user.groups.add(
        Group.objects.get_or_create(name=Role.EVENT_ORGANISER)[0], Group.objects.get_or_create(name=Role.MEMBER)[0]
    )
    enable_totp(user)  # an organiser is staff
    assert BranchOfficial.objects.filter(member=user.member).exists()
    client.force_login(user)
    html = _html(client)
    assert "Wat op je wacht" in html
    assert "Selectieprocedures" in html  # branch official
    assert "Je komende bijeenkomsten" in html  # organiser
    assert "Nieuw voor jou" in html  # member
    assert "Mijn inschrijvingen" in html
