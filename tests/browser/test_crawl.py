"""The crawler: every role (and an anonymous visitor) on the demo data, every page it can reach.

Starting at the front page and at a list of detail pages with demo objects (`detail_pages`), each
role follows the same-origin links of every page it finds, breadth-first, and checks each page:

- the answer is not a server error (>= 500), not Django's debug page, and a link never answers 404;
- `<html lang>` is the chosen language;
- no leftover of the other language: English UI words on a Dutch page (`ENGLISH`), Dutch UI words
  on an English page (`DUTCH`, in the interface's own elements only: the content stays Dutch);
  names and terms that are the same in both languages are in `ALLOWED`;
- axe-core finds no violation of impact serious or critical, at 1280 px;
- at 390 px (a phone) the page does not scroll sideways.

Each role signs in with its session (as `login_as` does): the demo gives the roles that need a
second factor a TOTP device (demo.services.needs_mfa), so the MFA middleware lets them in; the
sign-in form with a code is test_journey.py's. A role that ends up at the MFA set-up sees only a
few pages: every crawl must visit at least `MIN_PAGES_PER_ROLE`.

axe runs at 1280 px, once per URL across the roles (a page is the same for each role that may see
it) and on each role's front page, in the Dutch crawl (axe does not read the language): axe at
both widths for every role doubled the crawl's time, and what differs on a phone (the menu
button, stacked tables) is checked by axe in test_phone_layout.py. At 390 px every page is checked
for its width. Screenshots of the pages axe checks, at both widths, go to var/crawl/ (or the
folder in CRAWL_SCREENSHOTS; CRAWL_SCREENSHOTS=0: none), a folder that is not committed, for a
person to look through. While working on a page: CRAWL_ROLES=lid,anonymous crawls only those
roles, CRAWL_VERBOSE=1 prints each page and the time of each step (run pytest with -s).

Not followed: logging out, the language switch, downloads and feeds (`SKIPPED_VIEWS`), the API,
Django's admin beyond its index and lists, links to other sites. Of one view (one URL pattern) a
role visits at most `PER_VIEW` pages (the first it finds): the second news item is built like the
first. Links not visited are still asked for, without rendering, and must not answer 404 or >= 500.

To add a page that no link leads to (a page reached from an e-mail, a token link): add it to
`detail_pages` for the roles that open it. A new view is crawled without any change here as soon as
a page links to it.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize
from playwright.sync_api import Error as PlaywrightError

from accounts.models import User
from events import documents
from events import services as event_services
from events.models import Registration
from library.models import SavedSearch
from networks import services as network_services
from networks.models import Membership, NetworkInvitation
from newsletter import sending
from newsletter.models import Subscriber
from programme.models import Entitlement, ProgrammeContact
from tests.browser.conftest import REPORT_CSP_VIOLATIONS, ROOT, SECURITY_MESSAGES, axe_source

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}

# Demo accounts (demo.services.DEMO_ACCOUNTS) by the part before @demo.example; None: anonymous.
ROLES: list[str | None] = [
    None,
    "lid",
    "afdeling",
    "commissie",
    "adviseur",
    "vertrouwenspersoon",
    "redacteur",
    "organisator",
    "programma",
    "griffie",
    "beheerder",
    "deskundige",
]
# Also crawled with the English interface (the language switch's cookie).
ENGLISH_ROLES: list[str | None] = [None, "lid", "beheerder"]

PER_VIEW = 1
LINKS_PER_VIEW = 2
MIN_DISTINCT_PAGES = 120
MIN_PAGES_PER_ROLE = 10

# Views whose links are not followed: they log out, switch language, or answer a file or a feed.
SKIPPED_VIEWS = {
    "account_logout",
    "set_language",
    "healthz",
    "theme_css",
    "association_logo",
    "members:member_photo",
    "members:export",
    "events:ics",
    "events:feed",
    "events:invoice",
    "events:certificate",
    "events:export",
    "desk:attachment",
    "library:download_docx",
    "library:download_pdf",
    "library:original",
    "library:attachment",
    "newsletter:news_image",
    "newsletter:publication_file",
    "selection:advice_pdf",
    "selection:advice_docx",
    "selection:cv",
    "networks:attachment",
    "mfa_download_recovery_codes",
    # The e-mail itself (e-mail HTML: tables and inline styles), shown in a frame on the compose
    # page; axe does not enter frames here (iframes: false), newsletter/tests check the e-mail.
    "newsletter:preview",
}
SKIPPED_PREFIXES = ("/api/", "/static/", "/media/", "/anymail/")

# English interface words that must not appear on a Dutch page (whole words, case-sensitive).
ENGLISH = [
    "Save", "Cancel", "Delete", "Search", "Submit", "Next", "Previous", "Log in", "Log out", "Sign in",
    "Sign up", "Password", "Settings", "Edit", "Back to", "Required", "This field", "Welcome",
    "Members", "Events", "Library", "Newsletter", "News", "Register", "Apply", "Name", "Date", "Title",
    "Description", "Show", "Hide", "Read more", "None", "Yes", "Page", "Send", "Close", "Add", "Remove",
    "Change", "Create", "New", "Total", "Loading", "Error", "Warning", "Message", "Messages", "Reply",
    "Confirm", "Accept", "Decline", "Reject", "Approve", "Attachment", "Overview", "Calendar", "Invite",
    "Invitation", "Session", "Full name", "First name", "Last name", "Email address", "Today",
    "Yesterday", "Tomorrow", "ago", "the", "and", "you", "your", "with", "for", "this", "from", "not",
    "has", "have", "will", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "June", "July", "August", "October",  # (the others are Dutch too)
]  # fmt: skip
# Stored values shown instead of their label ("— create", "more_info", "training · active"). Not
# checked in Django's admin, whose lists show the data as stored (group names are role slugs).
STORED = [
    "create", "name", "email", "title", "new", "accepted", "declined", "rejected", "pending", "approved",
    "draft", "published", "cancelled", "active", "completed",
]  # fmt: skip
RAW_KEY = r"\b[a-z]+_[a-z_]+\b"  # a stored value in snake case ("more_info")
# English month abbreviations in a date ("1 Dec 2026"); Dutch writes "1 dec. 2026" or "1 december".
ENGLISH_DATE = r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
# Dutch interface words that must not appear in an English page's interface elements.
DUTCH = [
    "Opslaan", "Annuleren", "Verwijderen", "Zoeken", "Volgende", "Vorige", "Inloggen", "Uitloggen",
    "Wachtwoord", "Bewerken", "Versturen", "Toevoegen", "Aanmelden", "Afmelden", "Bekijken",
    "Bestuurslaag", "Soort", "Provincie", "Nieuws", "Bibliotheek", "Bijeenkomsten", "Leden", "Berichten",
    "Netwerken", "Beheer", "Instellingen", "Uitnodiging", "Pagina", "Geen", "Alle", "Naam", "Datum",
    "Titel", "Onderwerp", "Omschrijving", "Terug", "Nee", "niet", "wordt", "worden", "voor",
    "jouw", "je", "uw", "deze", "een", "het", "alle", "geen", "naar",
]  # fmt: skip
# Pages whose words are not checked, with the reason.
LANGUAGE_EXEMPT = {
    # django-auditlog has no Dutch; its records name actions and changed fields by their code names.
    "admin:auditlog_logentry_changelist",
}
# Names and terms that are allowed in both languages (demo names, product names, loan words).
ALLOWED: list[str] = [
    "Centrum voor Lokaal Bestuur",  # the demo association's name
    # The fixed words of a Dutch motion: the library's motions are Dutch texts in either interface.
    "verzoekt het college",
    "draagt het college op",
    "constaterende dat",
    "overwegende dat",
]

# The interface's own elements on an English page (the content in them stays Dutch).
INTERFACE_TEXT = """() => {
  const parts = [];
  // Text for screen readers only often names the content an element is about ("Status of <title>").
  const skip = (el) => el.closest('[lang]:not(html)') || el.closest('code, pre, kbd, samp, .visually-hidden');
  for (const el of document.querySelectorAll(
      'button, label, legend, th, summary, .main-nav, footer, .pagination, .site-tools, h2, h3')) {
    // A heading or row heading with a link names content (a news item, an admin row), and a
    // label around a checkbox or radio button is often a choice from the data (a title).
    if (skip(el) || (['H2', 'H3', 'TH'].includes(el.tagName) && el.querySelector('a'))
        || (el.tagName === 'LABEL' && el.querySelector('input[type=checkbox], input[type=radio]'))) continue;
    if (el.tagName === 'LABEL' && el.closest('.facets, .filters')) {
      parts.push([...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(' '));
      continue;
    }
    parts.push(el.innerText);
  }
  // (Not aria-label: on an English page it names the content too, "Select this object - <title>".)
  for (const el of document.querySelectorAll('[placeholder], input[type=submit]')) {
    if (!skip(el)) parts.push(el.getAttribute('placeholder') || el.value || '');
  }
  return parts.join('\\n');
}"""
# All visible text of a Dutch page, without code and without text marked as another language.
PAGE_TEXT = """() => {
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('[lang], code, pre, kbd, samp, script, style, [hidden], .visually-hidden')
    .forEach(el => el.remove());
  const hidden = [...document.body.querySelectorAll('.visually-hidden')].map(el => el.textContent);
  const labels = [...document.querySelectorAll('[aria-label]:not([lang] *), [placeholder], [title]')]
    .map(el => el.getAttribute('aria-label') || el.getAttribute('placeholder') || el.getAttribute('title'));
  return [clone.textContent, ...hidden, ...labels].join('\\n');
}"""
LINKS = """() => [...document.querySelectorAll('a[href]:not([download])')].map(a => a.href)"""
AXE_RUN = """async () => await Promise.race([
  axe.run(document, {resultTypes: ['violations'], iframes: false,
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}),
  new Promise(resolve => setTimeout(() => resolve(null), 30000)),
])"""
DEBUG_MARKERS = ("You're seeing this error because you have", "Using the URLconf defined in", "Traceback")


def _words(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")


ENGLISH_WORDS = re.compile("|".join([_words(ENGLISH).pattern, ENGLISH_DATE]))
STORED_VALUES = re.compile("|".join([_words(STORED).pattern, RAW_KEY]))
DUTCH_WORDS = _words(DUTCH)


@dataclass
class Crawl:
    role: str | None
    language: str
    visited: dict[str, str] = field(default_factory=dict)  # url -> view name
    problems: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # link not visited -> page it was found on
    refused: list[str] = field(default_factory=list)  # links that answered 403 (reported, not failed)

    @property
    def who(self) -> str:
        return f"{self.role or 'anonymous'} ({self.language})"

    def problem(self, url: str, text: str) -> None:
        self.problems.append(f"{self.who} {url}: {text}")
        print(self.problems[-1], flush=True)  # seen while the crawl runs (-s)


def _view(path: str) -> str | None:
    """The view's name (namespace:name) of a path, or None when no URL pattern matches."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _admin_followed(path: str, query: str) -> bool:
    """Of Django's admin only the index, the app pages and the lists (not every object's form, nor
    every sort order and filter of a list)."""
    parts = [p for p in path.split("/") if p]
    return len(parts) <= 3 and "add" not in parts and not query


def _screenshots() -> Path | None:
    value = os.environ.get("CRAWL_SCREENSHOTS", "")
    if value == "0":
        return None
    return Path(value) if value else ROOT / "var" / "crawl"


@pytest.fixture
def demo() -> None:
    if not Path(settings.RAADHUIS_DATA_DIR).is_dir():
        pytest.fail(f"reference data not found at {settings.RAADHUIS_DATA_DIR}")
    call_command("load_bodies", verbosity=0)
    call_command("load_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


def detail_pages(role: str | None) -> list[str]:
    """Pages with demo objects that a role opens without a link on the site: from an e-mail (token
    links), a PDF (the certificate's check), or typed. Add a page here when no page links to it."""

    def first(queryset: Any) -> Any:
        found = queryset.first()
        assert found is not None, f"the demo has no {queryset.model.__name__} for the crawler's detail pages"
        return found

    if role is None:
        subscriber = first(Subscriber.objects.filter(status=Subscriber.Status.ACTIVE))
        token = sending.recipient_token(subscriber.email)
        confirmed = Registration.objects.filter(status="confirmed")
        certified = [r for r in confirmed if event_services.certificate_available(r)]
        assert certified, "the demo has no registration with a certificate"
        return [
            reverse("newsletter:preferences", args=[token]),
            reverse("newsletter:unsubscribe", args=[token]),
            reverse("events:certificate_verify", args=[certified[0].pk, documents.certificate_code(certified[0])]),
        ]
    user = User.objects.get(email=f"{role}@demo.example")
    pages = []
    if role == "lid":
        membership = first(Membership.objects.filter(user=user))
        pages.append(reverse("networks:unsubscribe", args=[network_services.unsubscribe_token(membership)]))
        saved = SavedSearch.objects.filter(member__user=user).first()
        if saved:
            pages.append(reverse("library:unsubscribe", args=[saved.token]))
        past = [r for r in Registration.objects.filter(member__user=user, status="confirmed") if r.event.is_past]
        if past:
            pages.append(reverse("events:evaluate", args=[past[0].token]))
    if role == "organisator":
        registration = first(Registration.objects.filter(status="confirmed"))
        pages.append(reverse("events:checkin_scan", args=[registration.token]))
    if role == "griffie":
        contact = first(ProgrammeContact.objects.filter(user=user))
        entitlement = first(Entitlement.objects.filter(municipality=contact.municipality).order_by("-year"))
        pages.append(reverse("programme:entitlements", args=[entitlement.municipality.code, entitlement.year]))
    if role == "deskundige":
        invitation = NetworkInvitation.objects.filter(user=user).first()
        if invitation:
            pages.append(reverse("networks:answer_invitation", args=[invitation.pk]))
    return pages


def _context(browser: Browser, base_url: str, role: str | None, language: str) -> BrowserContext:
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, locale="nl-NL")
    context.set_default_timeout(20_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    cookies = [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
    if role:
        client = Client()
        client.force_login(User.objects.get(email=f"{role}@demo.example"))
        cookies.append({"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url})
    context.add_cookies(cookies)  # type: ignore[arg-type]
    return context


TIMES: dict[str, float] = {}  # seconds per step, printed at the end (-s)


def _t(name: str, started: float) -> float:
    now = time.monotonic()
    if os.environ.get("CRAWL_VERBOSE"):
        print(f"  {name} {now - started:.2f}s", flush=True)
    TIMES[name] = TIMES.get(name, 0) + now - started
    return now


def crawl(
    browser: Browser, base_url: str, role: str | None, language: str, shots: Path | None, checked: set[str]
) -> Crawl:
    result = Crawl(role, language)
    context = _context(browser, base_url, role, language)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            result.problem(page.url, message.text) if any(m in message.text for m in SECURITY_MESSAGES) else None
        ),
    )
    origin = urlsplit(base_url).netloc
    queue: deque[tuple[str, str]] = deque((url, "start") for url in ["/", *detail_pages(role)])
    seen: set[str] = set()
    per_view: dict[str, int] = {}
    while queue:
        url, found_on = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "") or (parts.netloc and parts.netloc != origin):
            continue  # mailto:, tel:, another site
        path = parts.path or "/"
        url = urlunsplit(("", "", path, parts.query, ""))
        if url in seen or path.startswith(SKIPPED_PREFIXES):
            continue
        seen.add(url)
        view = _view(path)
        if view is None:
            result.problem(url, f"linked from {found_on}, but no URL pattern matches")
            continue
        if view in SKIPPED_VIEWS or (view.startswith("admin:") and not _admin_followed(path, parts.query)):
            continue
        key = view + ("?" if parts.query else "")
        visits = per_view.get(key, 0)
        if visits >= PER_VIEW:
            result.links.setdefault(url, found_on)
            continue
        per_view[key] = visits + 1
        # axe and the screenshots: once per page across the roles (a page is built the same for
        # each role that may see it), and on each role's own front page; the Dutch crawl only (axe
        # does not read the language; the English crawl is there for the words).
        full = language == "nl" and (url not in checked or path == "/")
        checked.add(url)
        for link in visit(page, url, found_on, view, result, shots if full else None, axe=full):
            queue.append((link, url))
    started = time.monotonic()
    check_links(context, result)
    _t("links", started)
    context.close()
    return result


def visit(page: Page, url: str, found_on: str, view: str, result: Crawl, shots: Path | None, *, axe: bool) -> list[str]:
    t = time.monotonic()
    if os.environ.get("CRAWL_VERBOSE"):
        print(f"{result.who} {url}", flush=True)
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        if "Download is starting" not in str(error):
            raise
        # A file (a data export): asked for again without the browser, for its status only.
        status = page.context.request.get(url).status
        if status == 404 or status >= 500:
            result.problem(url, f"answers {status} (linked from {found_on})")
        return []
    status = response.status if response else 0
    t = _t("goto", t)
    if status >= 500 or status == 404 or status == 0:
        result.problem(url, f"answers {status} (linked from {found_on})")
    if status == 403:
        result.refused.append(f"{url} (linked from {found_on})")
    if "text/html" not in (response.headers.get("content-type", "") if response else ""):
        return []
    final = urlsplit(page.url)
    final_url = urlunsplit(("", "", final.path, final.query, ""))
    if final_url != url and final_url in result.visited:
        return []  # a redirect to a page checked already (the login page, for an anonymous visitor)
    result.visited[final_url] = view
    text = page.evaluate("document.documentElement.textContent")
    t = _t("content", t)
    if any(marker in text for marker in DEBUG_MARKERS):
        result.problem(url, "Django's debug page")
        return []
    lang = page.evaluate("document.documentElement.lang")
    if lang != result.language:
        result.problem(url, f'<html lang="{lang}">, not "{result.language}"')
    if view in LANGUAGE_EXEMPT:
        pass
    elif result.language == "nl":
        text = page.evaluate(PAGE_TEXT)
        leftovers = _leftovers(ENGLISH_WORDS, text)
        if not view.startswith("admin:"):
            leftovers += _leftovers(STORED_VALUES, text)
        if leftovers:
            result.problem(url, f"English on a Dutch page: {leftovers}")
    else:
        leftovers = _leftovers(DUTCH_WORDS, page.evaluate(INTERFACE_TEXT))
        if leftovers:
            result.problem(url, f"Dutch in the English interface: {leftovers}")
    t = _t("text", t)
    if axe:
        page.evaluate(f"() => {{ if (typeof axe === 'undefined') {{ {axe_source()} }} }}")
        found = page.evaluate(AXE_RUN)
        if found is None:
            result.problem(url, "axe did not finish within 30 s")
            found = {"violations": []}
        for violation in found["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"]][:3]
                result.problem(url, f"axe {violation['id']} ({violation['impact']}) {targets}")
        t = _t("axe", t)
    links: list[str] = page.evaluate(LINKS)
    name = f"{result.role or 'anonymous'}-{result.language}-{final_url.strip('/').replace('/', '_') or 'home'}"
    name = re.sub(r"[^\w.-]+", "_", name)[:150]
    if shots:
        page.screenshot(path=str(shots / f"{name}-1280.png"), full_page=True)
        t = _t("screenshot", t)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    if width > 0:
        result.problem(url, f"scrolls sideways at 390 px ({width} px too wide)")
    t = _t("phone", t)
    if shots:
        page.screenshot(path=str(shots / f"{name}-390.png"), full_page=True)
        t = _t("screenshot", t)
    page.set_viewport_size(DESKTOP)
    return links


def _leftovers(words: re.Pattern[str], text: str) -> list[str]:
    text = re.sub(r"\{\w+\}", "", text)  # placeholders of a mail text ("{name}") are code, not words
    for allowed in ALLOWED:
        text = text.replace(allowed, "")
    return sorted({match.group(0) for match in words.finditer(text)})


def check_links(context: BrowserContext, result: Crawl) -> None:
    """Links that were not visited (more pages of a view than PER_VIEW) must lead somewhere too: a
    few of each view, asked for without rendering, with the role's own session (what is hidden
    from a role answers 404 to it, and no page should link there)."""
    per_view: dict[str, int] = {}
    for url, found_on in result.links.items():
        view = _view(urlsplit(url).path) or ""
        if per_view.get(view, 0) >= LINKS_PER_VIEW:
            continue
        per_view[view] = per_view.get(view, 0) + 1
        response = context.request.get(url, max_redirects=0)
        if response.status == 404 or response.status >= 500:
            result.problem(url, f"answers {response.status} (linked from {found_on})")


def test_every_role_every_page(browser: Browser, live_server: Any, demo: None) -> None:  # type: ignore[no-untyped-def]
    shots = _screenshots()
    if shots:
        shots.mkdir(parents=True, exist_ok=True)
    results = []
    checked: set[str] = set()
    only = os.environ.get("CRAWL_ROLES")  # while working on a page: CRAWL_ROLES=lid,anonymous
    for language, roles in (("nl", ROLES), ("en", ENGLISH_ROLES)):
        for role in roles:
            if only and (role or "anonymous") not in only.split(","):
                continue
            started = time.monotonic()
            result = crawl(browser, live_server.url, role, language, shots, checked)
            print(
                f"{result.who}: {len(result.visited)} pages, {len(result.links)} more links,"
                f" {len(result.refused)} refused, {time.monotonic() - started:.0f}s"
            )
            results.append(result)
    problems = [p for r in results for p in r.problems]
    distinct = {url for r in results for url in r.visited}
    print(f"{len(distinct)} distinct pages", TIMES)
    for r in results:
        for refused in r.refused:
            print(f"403 for {r.who}: {refused}")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
    few = [f"{r.who}: {len(r.visited)}" for r in results if len(r.visited) < MIN_PAGES_PER_ROLE]
    assert not few, f"roles that reached fewer than {MIN_PAGES_PER_ROLE} pages (sent to the MFA set-up?): {few}"
    if not only:
        assert len(distinct) >= MIN_DISTINCT_PAGES, f"only {len(distinct)} distinct pages crawled"
