"""Every page a person uses, on its main path, checked with axe-core (and screenshotted on request:
RAADHUIS_SCREENSHOTS=1)."""

import pytest
from playwright.sync_api import Page, expect

from accounts import services
from core.models import Body
from core.roles import Role
from tests.factories import MandateFactory, MemberFactory, MunicipalityFactory, ProvinceFactory, make_role_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def zwolle() -> Body:
    overijssel = ProvinceFactory(code="PV23", name="Overijssel")
    zwolle = MunicipalityFactory(code="GM0193", name="Zwolle", province=overijssel)
    MunicipalityFactory(code="GM0153", name="Enschede", province=overijssel)
    for given, family, role in [
        ("Eline", "Brinkman", "alderman"),
        ("Daan", "Postma", "councillor"),
        ("Roos", "Kampen", "councillor"),
    ]:
        MandateFactory(
            member=MemberFactory(given_name=given, family_name=family),
            body=zwolle,
            role=role,
            portfolios="Wonen" if role == "alderman" else "",
        )
    return zwolle


def test_public_pages(page: Page, a11y) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Centrum voor Lokaal Bestuur")
    a11y.check("landing")
    page.goto("/account/login/")
    a11y.check("login")
    page.get_by_label("E-mail").fill("niemand@example.org")
    page.get_by_label("Wachtwoord").fill("verkeerd-wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator(".errorlist, .message--error").first).to_be_visible()
    a11y.check("login-error")
    page.goto("/account/password/reset/")
    a11y.check("password-reset")
    page.goto("/account/signup/")
    a11y.check("signup-closed")
    page.goto("/bestaat-niet/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
    a11y.check("404")
    page.goto("/uitnodiging/onzin/")
    a11y.check("invitation-invalid")


def test_member_pages(page: Page, a11y, login_as, zwolle: Body) -> None:  # type: ignore[no-untyped-def]
    user = make_role_user(Role.MEMBER)
    MandateFactory(member=user.member, body=zwolle)
    login_as(user)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    a11y.check("home-member")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Bestuursorganen").click()
    a11y.check("body-list")
    page.get_by_label("Naam of code").fill("zwol")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    a11y.check("body-list-search")
    page.get_by_role("link", name="Zwolle").click()
    expect(page.get_by_role("heading", level=2, name="Onze mensen in de gemeenteraad van Zwolle")).to_be_visible()
    a11y.check("body-detail")
    page.get_by_role("link", name="Eline Brinkman").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Eline Brinkman")
    a11y.check("member-detail")
    page.goto("/bestuursorganen/PV23/")
    a11y.check("province-detail")
    page.goto("/account/email/")
    a11y.check("account-email")
    page.goto("/account/password/change/")
    a11y.check("account-password")
    page.goto("/account/2fa/")
    a11y.check("account-mfa")
    page.goto("/beheer/uitnodigingen/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    a11y.check("403")


def test_administrator_pages(page: Page, a11y, login_as) -> None:  # type: ignore[no-untyped-def]
    admin = make_role_user(Role.ADMINISTRATOR)
    services.invite(email="open@example.org", name="Open Uitnodiging", roles=[Role.MEMBER], invited_by=admin)
    login_as(admin)
    page.goto("/beheer/uitnodigingen/")
    a11y.check("invitation-list")
    page.get_by_role("link", name="Iemand uitnodigen").click()
    a11y.check("invitation-form")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    a11y.check("invitation-form-errors")
    page.get_by_label("Naam").fill("Sanne Scholten")
    page.get_by_label("E-mailadres").fill("sanne@example.org")
    page.get_by_label("Redacteur").check()
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.get_by_text("Uitnodiging verstuurd naar sanne@example.org.")).to_be_visible()
    a11y.check("invitation-sent")
    page.get_by_role("button", name="Intrekken (sanne@example.org)").click()
    expect(page.get_by_text("De uitnodiging voor sanne@example.org is ingetrokken.")).to_be_visible()
    a11y.check()
    page.goto("/admin/")
    a11y.check("admin-index")
    page.goto("/admin/core/body/")
    a11y.check("admin-bodies")
