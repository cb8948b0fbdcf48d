"""API tokens in the browser: a member makes a token, sees it once, uses it, and revokes it."""

import pytest
from playwright.sync_api import Page, expect

from api.models import ApiToken
from core.roles import Role
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_makes_uses_and_revokes_an_api_token(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    login_as(user)
    page.goto("/profiel/")
    a11y.check("profile-with-api")
    page.get_by_role("link", name="API-tokens beheren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-tokens")
    expect(page.get_by_text("Je hebt nog geen API-tokens.")).to_be_visible()
    a11y.check("api-tokens-empty")

    # Without a name: an error, nothing made.
    page.get_by_role("button", name="Token maken").click()
    expect(page.get_by_text("Dit veld is verplicht.")).to_be_visible()
    a11y.check("api-tokens-error")
    assert not ApiToken.objects.exists()

    page.get_by_label("Naam").fill("Spreadsheet fractie")
    page.get_by_label("Geldig gedurende").select_option("30")
    page.get_by_role("button", name="Token maken").click()
    expect(page.get_by_role("heading", name="Je nieuwe token “Spreadsheet fractie”")).to_be_visible()
    secret = page.get_by_role("textbox", name="Je nieuwe token").input_value()
    assert secret.startswith("rh_")
    a11y.check("api-token-made")

    # The token works against the API; the browser's own session does not count there.
    me = page.request.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200 and me.json()["email"] == user.email
    assert page.request.get("/api/me").status == 401

    # Shown once: after reloading the list it is gone, only its first characters remain.
    page.goto("/profiel/api-tokens/")
    expect(page.get_by_role("textbox", name="Je nieuwe token")).to_have_count(0)
    assert secret not in page.content()
    row = page.get_by_role("row", name="Spreadsheet fractie")
    expect(row).to_contain_text(secret[:10])
    expect(row).to_contain_text("Actief")
    a11y.check("api-tokens-list")

    row.get_by_role("link", name="Intrekken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Het token “Spreadsheet fractie” intrekken?")
    a11y.check("api-token-revoke")
    page.get_by_role("button", name="Token intrekken").click()
    expect(page.get_by_text("Het token “Spreadsheet fractie” is ingetrokken.")).to_be_visible()
    expect(page.get_by_role("row", name="Spreadsheet fractie")).to_contain_text("Ingetrokken op")
    a11y.check("api-tokens-revoked")
    refused = page.request.get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401 and refused.json()["code"] == "token_revoked"


def test_api_documentation_is_accessible_and_usable(page: Page, a11y) -> None:  # type: ignore[no-untyped-def]
    """/api/docs is Swagger UI inside the site's page; also trying an operation out and the
    Authorize dialog pass axe (and the CSP: the page fixture fails on any violation)."""
    page.goto("/api/docs")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1, name="API-documentatie")).to_be_visible()
    expect(page.get_by_role("main").get_by_role("link", name="het OpenAPI-document")).to_have_attribute(
        "href", "/api/openapi.json"
    )
    operation = page.locator("#operations-library-api_routers_library_documents")
    expect(operation).to_be_visible()
    a11y.check("api-docs")

    operation.get_by_role("button", name="Search or list documents").click()
    operation.get_by_role("button", name="Try it out").click()
    expect(operation.get_by_role("combobox", name="kind")).to_be_visible()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    a11y.check("api-docs-executed")

    page.get_by_role("button", name="Authorize").first.click()
    dialog = page.locator(".dialog-ux")
    expect(dialog.get_by_role("heading", name="Available authorizations")).to_be_visible()
    a11y.check("api-docs-authorize")
    dialog.get_by_role("button", name="Close").first.click()
    expect(dialog).to_have_count(0)
