"""Browser tests: Playwright driving Debian's Chromium against the real server (live_server).

Every page a test visits must be checked with axe-core (`a11y.check()`); a test that navigates to
a page without checking it fails at teardown. So does a test during which the browser reported a
Content-Security-Policy violation or an invalid Permissions-Policy (`page.security_reports`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("RAADHUIS_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (or set RAADHUIS_CHROMIUM)")
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: run npm ci")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@functools.cache
def axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


class A11y:
    """Runs axe-core on the current page and keeps track of which visited pages were checked."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.visited: list[str] = []
        self.checked: set[str] = set()
        page.on("framenavigated", lambda frame: frame == page.main_frame and self.visited.append(frame.url))

    def check(self, name: str | None = None) -> None:
        page = self.page
        page.wait_for_load_state("load")
        # Evaluated through the DevTools protocol rather than added as a <script>: the site's
        # Content-Security-Policy rightly refuses inline scripts, and the test must not weaken it.
        page.evaluate(f"() => {{ if (typeof axe === 'undefined') {{ {axe_source()} }} }}")
        result = page.evaluate(
            "async () => await axe.run(document, {resultTypes: ['violations'],"
            " runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        details = [
            f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}" for v in serious
        ]
        assert not serious, f"Accessibility violations on {page.url}:\n" + "\n".join(details)
        self.checked.add(page.url)
        if name and os.environ.get("RAADHUIS_SCREENSHOTS"):
            self.screenshot(name)

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page = self.page
        original = page.viewport_size
        for label, size in (("desktop", {"width": 1280, "height": 900}), ("phone", {"width": 390, "height": 844})):
            page.set_viewport_size(size)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        if original:
            page.set_viewport_size(original)

    def unchecked(self) -> list[str]:
        return [url for url in dict.fromkeys(self.visited) if url not in self.checked and url != "about:blank"]


# Every document (also frames) reports what the Content-Security-Policy blocked to the console.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` on ${event.documentURI} (${event.sourceFile || ""}:${event.lineNumber || ""})`);
});
"""
SECURITY_MESSAGES = ("CSP violation", "Content Security Policy", "Permissions-Policy", "permissions policy")


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.a11y = A11y(page)  # type: ignore[attr-defined]
    reports: list[str] = []
    page.security_reports = reports  # type: ignore[attr-defined]
    page.on(
        "console",
        lambda message: (
            reports.append(f"{message.text} [{page.url}]")
            if any(marker in message.text for marker in SECURITY_MESSAGES)
            else None
        ),
    )
    yield page
    unchecked = page.a11y.unchecked()  # type: ignore[attr-defined]
    context.close()
    assert not unchecked, f"Pages visited without an accessibility check: {unchecked}"
    assert not reports, "The browser reported security policy problems:\n" + "\n".join(reports)


@pytest.fixture
def a11y(page: Page) -> A11y:
    return page.a11y  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def login_as(page: Page, live_server: Any) -> Any:
    """Log the browser in as `user` without going through the form (the journey test does that)."""

    def login(user: Any) -> None:
        client = Client()
        client.force_login(user)
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )

    return login
