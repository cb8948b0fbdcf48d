"""Networks in the browser.

The acceptance journey runs on the demo data (`load_demo`): the demo member joins a topic network
and asks a question, a second member replies and the reply is marked helpful, the weekly digest
reaches a third member, and a reported post is hidden by a moderator. Then: the expert who sees one
network only, and the pages of moderators and administrators."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import User
from core.roles import Role
from networks import services
from networks.models import Membership, Post, Report, Thread
from networks.tests.factories import ask, closed_network, expert, member, topic_network
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo() -> None:
    if not Path(settings.RAADHUIS_DATA_DIR).is_dir():
        pytest.fail(f"reference data not found at {settings.RAADHUIS_DATA_DIR}")
    call_command("load_bodies", verbosity=0)
    call_command("load_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_demo_journey_question_helpful_answer_weekly_digest_and_moderation(  # type: ignore[no-untyped-def]
    page: Page, a11y, login_as, demo
) -> None:
    marieke = User.objects.get(email="lid@demo.example")
    wendy = User.objects.get(email="commissie@demo.example")
    joost = User.objects.get(email="afdeling@demo.example")  # gets the weekly digest of Zorg
    hanneke = User.objects.get(email="adviseur@demo.example")  # moderates the topic networks
    start = timezone.now()

    # 1. The demo member joins the topic network Zorg and asks a question.
    login_as(marieke)
    page.goto("/netwerken/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Netwerken")
    a11y.check("networks-overview")
    page.get_by_role("link", name="Zorg", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zorg")
    a11y.check("network-topic-not-joined")
    page.get_by_role("button", name="Sluit je aan bij Zorg").first.click()
    expect(page.get_by_text("Je zit nu in Zorg.")).to_be_visible()
    a11y.check()
    page.get_by_role("link", name="Stel een vraag of begin een discussie").click()
    a11y.check("network-new-thread")
    page.get_by_label("Titel").fill("Wie heeft ervaring met een motie over betaalbare kinderopvang?")
    page.get_by_label("Je tekst").fill(
        "In Zwolle willen we de kinderopvangtoeslag aanvullen voor lage inkomens. Wie deed dit al, "
        "en hoe hebben jullie het betaald? @Wendy Brouwer, jij weet hier veel van."
    )
    page.get_by_role("button", name="Plaatsen").click()
    expect(page.get_by_text("Je vraag is geplaatst.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Wie heeft ervaring met een motie over betaalbare kinderopvang?"
    )
    expect(page.get_by_text("Nog geen reactie").first).to_be_visible()
    a11y.check("network-question")
    # (Titles are encrypted at rest: found by author, not by title.)
    thread = Thread.objects.filter(author=marieke).latest("created_at")
    assert thread.title == "Wie heeft ervaring met een motie over betaalbare kinderopvang?"
    assert any(m.to == [wendy.email] and "noemde je" in m.subject for m in mail.outbox)

    # 2. A second member (mentioned, so told by e-mail) joins, replies with a quote.
    login_as(wendy)
    page.goto(thread.get_absolute_url())
    a11y.check()
    page.get_by_role("button", name="Sluit je aan bij Zorg").click()
    page.goto(thread.get_absolute_url())
    page.get_by_role("link", name=re.compile("^Citeer")).first.click()
    expect(page.get_by_text("Je citeert Marieke de Vries-Hoekstra:")).to_be_visible()
    a11y.check("network-quote")
    page.get_by_label("Je reactie").fill(
        "Wij deden dit in Hengelo met een motie van GroenLinks-PvdA en de ChristenUnie. Betaald uit de "
        "algemene reserve, twee jaar, daarna geëvalueerd."
    )
    page.get_by_role("button", name="Plaats reactie").click()
    expect(page.get_by_text("Je reactie is geplaatst.")).to_be_visible()
    a11y.check("network-reply")

    # ... and the asker marks it as the helpful answer.
    login_as(marieke)
    page.goto(thread.get_absolute_url())
    page.get_by_role("button", name=re.compile("Markeer als nuttig antwoord")).click()
    expect(page.get_by_text("Dank je: de reactie is gemarkeerd als nuttig antwoord.")).to_be_visible()
    expect(page.locator(".post--solution")).to_contain_text("Hengelo")
    expect(page.locator(".thread-status")).to_contain_text("Beantwoord")
    a11y.check("network-answered")
    thread.refresh_from_db()
    assert thread.solution.author == wendy

    # 3. A week later the weekly digest reaches the third member (the task worker sends it).
    assert Membership.objects.get(network=thread.network, user=joost).notify == "weekly"
    mail.outbox.clear()
    with time_machine.travel(start + datetime.timedelta(days=7, hours=1)):
        call_command("networks_housekeeping", "--now", stdout=open("/dev/null", "w"))  # noqa: SIM115
    (digest,) = [m for m in mail.outbox if m.to == [joost.email]]
    assert digest.subject.endswith("Zorg: nieuw deze week")
    assert "Wie heeft ervaring met een motie over betaalbare kinderopvang?" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = re.search(r"/netwerken/zorg/\d+/", digest.body).group(0)  # type: ignore[union-attr]
    login_as(joost)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Wie heeft ervaring met een motie over betaalbare kinderopvang?"
    )
    a11y.check()

    # He finds the reply through the networks' tab of the search page, by another form of its word.
    page.goto("/netwerken/zoeken/?q=jaren+algemeen+Hengelo")
    expect(page.locator(".result-count")).to_have_text("1 bericht")
    expect(page.locator(".result__meta")).to_contain_text("Wendy Brouwer")
    a11y.check("network-search-journey")
    page.go_back()

    # 4. The third member reports the reply; a moderator hides it.
    page.get_by_role("link", name="Meld het bericht van Wendy Brouwer").click()
    a11y.check("network-report")
    page.get_by_label("Wat is er mis met dit bericht?").fill("Hier staan namen van inwoners in.")
    page.get_by_role("button", name="Melden").click()
    expect(page.get_by_text("De moderatoren van het netwerk bekijken dit bericht.")).to_be_visible()
    assert Report.objects.filter(post__thread=thread, handled_at__isnull=True).count() == 1
    login_as(hanneke)
    page.goto("/netwerken/zorg/")
    page.get_by_role("link", name=re.compile("^Moderatie")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Moderatie van Zorg")
    expect(page.get_by_text("Hier staan namen van inwoners in.")).to_be_visible()
    a11y.check("network-moderation")
    page.get_by_role("button", name="Verberg het bericht").click()
    expect(page.get_by_text("Het bericht is verborgen.")).to_be_visible()
    a11y.check()
    login_as(marieke)
    page.goto(thread.get_absolute_url())
    expect(page.get_by_text("Een moderator heeft dit bericht verborgen")).to_be_visible()
    expect(page.get_by_text("Hengelo")).to_have_count(0)
    a11y.check("network-hidden-reply")
    # A hidden post is not found any more.
    page.goto("/netwerken/zoeken/?q=Hengelo")
    expect(page.locator(".result-count")).to_have_text("0 berichten")
    a11y.check()
    assert Post.objects.get(thread=thread, opening=False).hidden_at is not None


def test_an_expert_sees_their_network_and_nothing_else(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    course = closed_network("Leergang Omgevingswet")
    ria = member("Ria", "Hoekstra")
    services.invite_members(network=course, users=[ria], invited_by=ria)
    services.answer_invitation(invitation=course.invitations.get(), accept=True)
    ask(course, ria, kind="discussion", title="Participatie onder de Omgevingswet", body="Hoe pakken jullie dit aan?")
    topic_network()
    eva = expert(course, name="Dr. Eva Smit")
    login_as(eva)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/netwerken/leergang-omgevingswet/$"))
    expect(page.get_by_text("Je doet mee als deskundige")).to_be_visible()
    expect(page.locator(".main-nav")).not_to_contain_text("Leden")
    a11y.check("network-expert")
    page.goto("/leden/")
    expect(page).to_have_url(re.compile(r"/netwerken/leergang-omgevingswet/$"))
    page.get_by_role("link", name="Participatie onder de Omgevingswet").click()
    a11y.check()
    page.get_by_label("Je reactie").fill(
        "Leg de participatie vast in het omgevingsplan; dat voorkomt discussie achteraf."
    )
    page.get_by_role("button", name="Plaats reactie").click()
    expect(page.get_by_text("Deskundige: hoogleraar bestuursrecht")).to_be_visible()
    expect(page.get_by_role("link", name="Ria Hoekstra", exact=True)).to_have_count(0)
    expect(page.locator(".post__author").first).to_have_text("Ria Hoekstra")
    a11y.check("network-expert-thread")


def test_administrators_make_networks_and_moderators_invite(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    from members.models import Topic

    Topic.objects.get_or_create(slug="klimaat", defaults={"name": "Klimaat"})
    ria = member("Ria", "Hoekstra")
    administrator = make_role_user(Role.ADMINISTRATOR, name="Beheerder Bea")
    login_as(administrator)
    page.goto("/beheer/")
    a11y.check()
    page.get_by_role("link", name="Netwerken", exact=True).last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Netwerken beheren")
    a11y.check("networks-manage")
    page.get_by_label("Besloten netwerk").check()
    page.get_by_label("Naam").fill("Leergang Raadslid in je kracht")
    page.get_by_role("button", name="Maak het netwerk").click()
    expect(page.get_by_text("Het netwerk Leergang Raadslid in je kracht is gemaakt.")).to_be_visible()
    a11y.check("network-settings")
    page.get_by_label("E-mailadres van de nieuwe moderator").fill(administrator.email)
    page.get_by_role("button", name="Benoem moderator").click()
    expect(page.get_by_text("Beheerder Bea modereert dit netwerk nu.")).to_be_visible()
    page.get_by_role("link", name="Naar het netwerk").click()
    a11y.check("network-closed-empty")
    page.get_by_role("link", name=re.compile("^Moderatie")).click()
    a11y.check("network-moderation-closed")
    page.get_by_label("E-mailadressen van leden").fill(ria.email)
    page.get_by_role("button", name="Verstuur uitnodigingen").click()
    expect(page.get_by_text("Uitnodigingen verstuurd: 1.")).to_be_visible()
    page.get_by_label("Naam").fill("Dr. Eva Smit")
    page.get_by_label(re.compile(r"^E-mailadres:?$")).fill("eva.smit@example.org")
    page.get_by_label("Expertise").fill("hoogleraar bestuursrecht")
    page.get_by_role("button", name="Nodig de deskundige uit").click()
    expect(page.get_by_text("Dr. Eva Smit is uitgenodigd als deskundige in dit netwerk.")).to_be_visible()
    a11y.check("network-moderation-invitations")
    login_as(ria)
    page.goto("/netwerken/")
    a11y.check("networks-invitation")
    page.get_by_role("button", name="Sluit je aan bij Leergang Raadslid in je kracht").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Leergang Raadslid in je kracht")
    page.goto("/netwerken/gedragscode/")
    a11y.check("networks-code-of-conduct")
    token = services.unsubscribe_token(Membership.objects.get(user=ria))
    page.goto(f"/netwerken/afmelden/{token}/")
    a11y.check("network-unsubscribe")
    page.get_by_role("button", name="Stoppen met deze e-mails").click()
    expect(page.get_by_text("Je krijgt geen e-mails meer over nieuwe berichten")).to_be_visible()
    a11y.check()


def test_searching_the_networks_in_their_tab_of_the_search_page(page: Page, a11y, login_as, live_server) -> None:  # type: ignore[no-untyped-def]
    """Issue 22, point 5: the search page has a tab for the networks; a member finds a reply by
    another form of its words, not what is hidden or in a closed network they are not in; an
    expert searches their one network only. The tabs are links: they work without JavaScript."""
    zorg = topic_network("zorg", "Zorg")
    marieke, wendy = member("Marieke", "de Vries"), member("Wendy", "Brouwer")
    thread = ask(zorg, marieke, title="Wie heeft ervaring met betaalbare kinderopvang?", body="Wie deed dit al?")
    services.join(network=zorg, user=wendy)
    reply = services.reply(
        thread=thread, author=wendy, body="In Hengelo vult de gemeente de kinderopvangtoeslag aan voor lage inkomens."
    ).post
    rude = services.reply(thread=thread, author=wendy, body="Kinderopvangtoeslag is voor luie mensen.").post
    services.hide_post(post=rude, moderator=make_role_user(Role.ADMINISTRATOR))
    course = closed_network("Leergang Omgevingswet")
    eva = expert(course, name="Dr. Eva Smit")
    services.start_thread(
        network=course, author=eva, kind="discussion", title="Omgevingsplan", body="Lees de begrotingswijziging."
    )

    login_as(marieke)
    page.goto("/bibliotheek/?q=kinderopvangtoeslagen")
    tabs = page.get_by_role("navigation", name="Zoeken in")
    expect(tabs.get_by_role("link", name="Bibliotheek")).to_have_attribute("aria-current", "page")
    a11y.check("library-search-tabs")
    tabs.get_by_role("link", name="Netwerken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zoeken in de netwerken")
    expect(page.get_by_role("navigation", name="Zoeken in").get_by_role("link", name="Netwerken")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("searchbox")).to_have_value("kinderopvangtoeslagen")
    expect(page.locator(".result-count")).to_have_text("1 bericht")  # the hidden reply is not found
    expect(page.locator(".result__snippet mark")).to_have_text("kinderopvangtoeslag")
    a11y.check("networks-search")
    page.get_by_role("link", name="Wie heeft ervaring met betaalbare kinderopvang?").click()
    expect(page).to_have_url(re.compile(rf"/netwerken/zorg/{thread.pk}/#bericht-{reply.pk}$"))
    a11y.check()

    # A closed network she is not in: nothing found.
    page.goto("/netwerken/zoeken/")
    expect(page.get_by_text("Typ waar je naar zoekt")).to_be_visible()
    a11y.check("networks-search-empty")
    page.get_by_role("searchbox").fill("begrotingswijzigingen")
    page.get_by_role("searchbox").press("Enter")
    expect(page.locator(".result-count")).to_have_text("0 berichten")
    expect(page.get_by_text("Geen berichten gevonden.")).to_be_visible()
    a11y.check("networks-search-nothing")

    # From a network's page: only that network.
    page.goto("/netwerken/zorg/")
    a11y.check()
    page.get_by_role("search", name="Zoeken in Zorg").get_by_role("searchbox").fill("kinderopvangtoeslagen")
    page.get_by_role("search", name="Zoeken in Zorg").get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("Alleen in Zorg.")).to_be_visible()
    expect(page.locator(".result-count")).to_have_text("1 bericht")
    a11y.check("networks-search-within")

    # The expert finds what is in their network, nothing of the others, and has no library tab.
    login_as(eva)
    page.goto("/netwerken/zoeken/?q=begrotingswijzigingen")
    expect(page.locator(".result-count")).to_have_text("1 bericht")
    expect(page.get_by_role("navigation", name="Zoeken in")).to_have_count(0)
    a11y.check("networks-search-expert")
    page.goto("/netwerken/zoeken/?q=kinderopvangtoeslag")
    expect(page.locator(".result-count")).to_have_text("0 berichten")
    a11y.check()

    # Without JavaScript: the tab is a link and the search a form.
    context = page.context.browser.new_context(  # type: ignore[union-attr]
        base_url=live_server.url, locale="nl-NL", java_script_enabled=False
    )
    try:
        client = Client()
        client.force_login(marieke)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        plain = context.new_page()
        plain.goto("/bibliotheek/?q=kinderopvangtoeslag")
        plain.get_by_role("navigation", name="Zoeken in").get_by_role("link", name="Netwerken").click()
        expect(plain.locator(".result-count")).to_have_text("1 bericht")
        plain.get_by_role("searchbox").fill("betaalbare kinderopvang")
        plain.get_by_role("button", name="Zoeken").click()
        expect(plain.locator(".result-count")).to_have_text("1 bericht")
        expect(plain.locator(".result__title")).to_have_text("Wie heeft ervaring met betaalbare kinderopvang?")
    finally:
        context.close()
