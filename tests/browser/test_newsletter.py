"""The newsletter in the browser, as in the issue's "done when": news, a publication, compose from
suggestions, preview, test, send; unsubscribe with one click; subscribe and confirm; the archive."""

from urllib.parse import urlsplit

import pytest
import weasyprint
from django.core import mail
from django.test import Client
from playwright.sync_api import Page, expect

from core.roles import Role
from newsletter.models import Edition, Subscriber
from tests.factories import MemberFactory, make_role_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_compose_send_unsubscribe_subscribe_archive(page: Page, a11y, login_as, live_server) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        MemberFactory(email=f"lid{n}@example.org")
    editor = make_role_user(Role.EDITOR, email="redactie@example.org")
    login_as(editor)

    # Two news items.
    for title in ("Raadsleden krijgen recht op ondersteuning", "Nieuwe handreiking veilig werken"):
        page.goto("/beheer/nieuws/nieuw/")
        a11y.check("newsletter-news-edit")
        page.get_by_label("Titel").fill(title)
        page.get_by_label("Samenvatting").fill("Kort en helder nieuws voor raadsleden.")
        page.locator("#id_body").fill("Lees **meer** op de website.\n\n- punt een\n- punt twee")
        page.get_by_label("Nu publiceren").check()
        page.get_by_role("button", name="Opslaan").click()
        expect(page.get_by_text("Het nieuwsbericht is opgeslagen.")).to_be_visible()
        a11y.check()
    page.goto("/beheer/nieuws/")
    a11y.check("newsletter-news-manage")

    # A publication with its PDF.
    page.goto("/beheer/publicaties/nieuw/")
    a11y.check("newsletter-publication-edit")
    page.get_by_label("Titel").fill("Raadswerk onder druk")
    page.get_by_label("Samenvatting").fill("Onderzoek naar de werkdruk van raadsleden.")
    page.get_by_label("Auteurs").fill("A. de Boer")
    page.get_by_label("Datum").fill("2026-11-01")
    pdf = weasyprint.HTML(string="<p>Raadsleden besteden zestien uur per week aan hun werk.</p>").write_pdf()
    page.get_by_label("PDF").set_input_files(
        files=[{"name": "rapport.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.get_by_label("Nu publiceren").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De publicatie is opgeslagen.")).to_be_visible()
    a11y.check()

    # Compose from the suggestions, preview, test, send.
    page.goto("/beheer/nieuwsbrief/")
    a11y.check("newsletter-manage")
    page.get_by_label("Onderwerp").fill("Week 48: je rechten")
    page.get_by_role("button", name="Beginnen met samenstellen").click()
    a11y.check("newsletter-compose-empty")
    for title in (
        "Raadsleden krijgen recht op ondersteuning",
        "Raadswerk onder druk",
        "Nieuwe handreiking veilig werken",
    ):
        page.get_by_role("button", name=f"Toevoegen: {title}").click()
        a11y.check()
    page.get_by_role("button", name="Omhoog: Nieuwe handreiking veilig werken").click()
    a11y.check()
    expect(page.locator(".compose-items").first.locator("li").nth(1)).to_contain_text("Nieuwe handreiking")
    page.get_by_label("Inleiding").fill("Beste lezer,\n\nDeze week gaat het over **je rechten**.")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_text("Opgeslagen.")).to_be_visible()
    frame = page.frame_locator("iframe.preview-frame")
    expect(frame.get_by_text("Deze week gaat het over")).to_be_visible()
    a11y.check("newsletter-compose")
    page.get_by_role("button", name="Stuur een test naar redactie@example.org").click()
    expect(page.get_by_text("Er is een test onderweg naar redactie@example.org.")).to_be_visible()
    test_mail = mail.outbox[-1]
    assert test_mail.to == ["redactie@example.org"] and test_mail.subject.startswith("[TEST]")
    page.get_by_role("button", name="Nu versturen").click()
    expect(page.get_by_text("De editie wordt verstuurd.")).to_be_visible()
    expect(page.locator("#progress")).to_contain_text("3 van 3 verstuurd")
    a11y.check("newsletter-sent")
    edition = Edition.objects.get()
    assert edition.status == "sent"
    sent = [m for m in mail.outbox if "Week 48" in m.subject and not m.subject.startswith("[TEST]")]
    assert sorted(m.to[0] for m in sent) == ["lid0@example.org", "lid1@example.org", "lid2@example.org"]

    # A member unsubscribes with one click in the mail program (RFC 8058).
    unsubscribe = sent[0].extra_headers["List-Unsubscribe"].strip("<>")
    response = Client().post(urlsplit(unsubscribe).path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    assert Subscriber.objects.get(email=sent[0].to[0]).status == "unsubscribed"

    # A non-member subscribes and confirms.
    page.context.clear_cookies()
    page.goto("/nieuwsbrief/aanmelden/")
    a11y.check("newsletter-subscribe")
    page.get_by_label("E-mailadres").fill("lezer@example.org")
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Kijk in je mailbox")).to_be_visible()
    a11y.check("newsletter-subscribed")
    confirmation = mail.outbox[-1]
    link = next(line.strip() for line in confirmation.body.splitlines() if "/nieuwsbrief/bevestigen/" in line)
    page.goto(urlsplit(link).path)
    a11y.check("newsletter-confirm")
    page.get_by_role("button", name="Ja, stuur mij Lokaal Bestuur").click()
    expect(page.get_by_text("Je ontvangt Lokaal Bestuur vanaf nu op lezer@example.org.")).to_be_visible()
    a11y.check("newsletter-confirmed")

    # The archive shows the edition.
    page.goto("/nieuwsbrief/")
    a11y.check("newsletter-archive")
    page.get_by_role("link", name="Lokaal Bestuur 1: Week 48: je rechten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 48: je rechten")
    a11y.check("newsletter-edition")
    page.goto("/publicaties/?q=werkdruk")
    a11y.check("newsletter-publications")
    page.get_by_role("link", name="Raadswerk onder druk").click()
    a11y.check("newsletter-publication")
    page.goto("/nieuws/")
    a11y.check("newsletter-news")
    page.get_by_role("link", name="Nieuwe handreiking veilig werken").click()
    a11y.check("newsletter-news-item")


def test_unsubscribe_and_preferences_pages(page: Page, a11y) -> None:  # type: ignore[no-untyped-def]
    from newsletter.sending import recipient_token

    MemberFactory(email="lid@example.org")
    token = recipient_token("lid@example.org")
    page.goto(f"/nieuwsbrief/afmelden/{token}/")
    a11y.check("newsletter-unsubscribe")
    page.get_by_role("button", name="Afmelden").click()
    expect(page.get_by_text("lid@example.org ontvangt Lokaal Bestuur niet meer.")).to_be_visible()
    a11y.check("newsletter-unsubscribed")
    page.get_by_role("link", name="Toch van gedachten veranderd? Je voorkeuren").click()
    a11y.check("newsletter-preferences")
    page.get_by_role("button", name="Weer ontvangen").click()
    expect(page.get_by_text("Je ontvangt de nieuwsbrief weer.")).to_be_visible()
    a11y.check()


def test_subscribers_page(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    from newsletter.bounces import record_bounce

    record_bounce(email="weg@example.org", kind="hard", detail="550 5.1.1 user unknown", source="dsn")
    login_as(make_role_user(Role.EDITOR))
    page.goto("/beheer/nieuwsbrief/abonnees/")
    a11y.check("newsletter-subscribers")
    page.get_by_role("button", name="Opheffen voor weg@example.org").click()
    expect(page.get_by_text("weg@example.org krijgt de nieuwsbrief weer.")).to_be_visible()
    a11y.check()
