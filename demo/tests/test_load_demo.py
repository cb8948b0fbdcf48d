import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from accounts.models import User
from core.models import Body
from core.roles import MFA_ROLES, Role
from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, current_code, demo_totp_secret
from members.models import Branch, Mandate, Member

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The bodies and the demo set, loaded once for this module inside a transaction that is
    rolled back at the end (each test runs in a savepoint within it)."""
    from pathlib import Path

    from django.conf import settings
    from django.db import transaction

    if not Path(settings.RAADHUIS_DATA_DIR).is_dir():
        pytest.skip(f"reference data not found at {settings.RAADHUIS_DATA_DIR}")
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("load_bodies", verbosity=0)
            call_command("load_demo", force=True, verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def bodies(demo_data) -> None:  # type: ignore[no-untyped-def]
    """(The demo is loaded already; a test that calls load_demo again checks it changes nothing.)"""


def test_demo_is_believable_deterministic_and_idempotent(bodies, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("load_demo", force=True)
    output = capsys.readouterr().out
    for account in DEMO_ACCOUNTS:
        assert account.email in output
    assert DEMO_PASSWORD in output
    members, mandates = Member.objects.count(), Mandate.objects.count()
    assert members >= 300
    tiers = set(Mandate.objects.values_list("body__tier", flat=True))
    assert tiers == {"municipal", "provincial", "water_board"}
    assert Member.objects.exclude(status="active").exists()
    assert Branch.objects.filter(kind="local").exists() and Branch.objects.filter(kind="regional").count() == 12
    first_names = list(Member.objects.order_by("email").values_list("email", flat=True)[:20])

    call_command("load_demo", force=True)
    assert (Member.objects.count(), Mandate.objects.count()) == (members, mandates)
    assert list(Member.objects.order_by("email").values_list("email", flat=True)[:20]) == first_names


def test_every_role_has_a_demo_account_and_those_who_need_it_have_mfa(bodies) -> None:  # type: ignore[no-untyped-def]
    assert {a.role for a in DEMO_ACCOUNTS} == set(Role.values)
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert account.role in user.roles
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        assert has_totp == (account.role in MFA_ROLES or account.email == "commissie@demo.example")
    member = User.objects.get(email="lid@demo.example").member
    assert member.mandates.filter(body=Body.objects.get(code="GM0193")).exists()


def test_demo_otp_prints_working_codes(bodies, capsys) -> None:  # type: ignore[no-untyped-def]
    from allauth.mfa.totp.internal.auth import validate_totp_code

    call_command("load_demo", force=True, verbosity=0)
    capsys.readouterr()
    call_command("demo_otp")
    printed = capsys.readouterr().out
    for email in ["afdeling", "commissie", "griffie", "adviseur", "beheerder"]:
        assert f"{email}@demo.example: " in printed
    assert "lid@demo.example" not in printed and "deskundige@" not in printed
    call_command("demo_otp", "beheerder@demo.example")
    line = capsys.readouterr().out.splitlines()[0]
    code = line.split(": ")[1]
    assert code == current_code("beheerder@demo.example")
    assert validate_totp_code(demo_totp_secret("beheerder@demo.example"), code)


def test_demo_refuses_to_run_without_debug(settings) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import CommandError

    settings.DEBUG = False
    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="refusing"):
        call_command("load_demo")


def test_the_demo_settings_load_the_demo_with_debug_off(bodies, settings) -> None:  # type: ignore[no-untyped-def]
    """`make demo` runs raadhuis.settings.demo: DEBUG off (the real error pages) and the demo loads."""
    import importlib

    demo_settings = importlib.import_module("raadhuis.settings.demo")
    assert demo_settings.DEBUG is False and demo_settings.DEMO_DATA_ALLOWED is True
    assert importlib.import_module("raadhuis.settings.base").DEMO_DATA_ALLOWED is False
    settings.DEBUG = False
    settings.DEMO_DATA_ALLOWED = True
    call_command("load_demo", verbosity=0)  # (refused before: `make demo` stopped here)


def test_demo_library_has_documents_in_every_state(bodies) -> None:  # type: ignore[no-untyped-def]
    from library import engine, search_index
    from library.models import Document, ImportRun, SavedSearch

    me = User.objects.get(email="lid@demo.example").member
    documents = Document.objects.all()
    assert documents.filter(source="import").count() >= 500
    assert documents.filter(shared_by=me, status="published", visibility="public").exists()
    assert documents.filter(shared_by=me, status="draft", reused_from__isnull=False).exists()
    assert documents.filter(visibility="members", status="published").exclude(shared_by=me).exists()
    assert documents.filter(kind="questions").exclude(parts__answers=[]).exists()
    assert {"adopted", "rejected", "held_over"} <= set(documents.values_list("outcome", flat=True))
    assert SavedSearch.objects.filter(member=me).exists()
    assert ImportRun.objects.filter(imported_at__isnull=True).exists()
    # The demo was loaded once for this module; each test starts with an empty (in-memory) search
    # index, so rebuild it from the database, as `manage.py search_index --rebuild` does.
    search_index.rebuild()
    results = engine.search("armoede", public_only=False)
    assert results.total >= 10 and len(results.facets["body"]) > 3


def test_demo_newsletter_has_content_in_every_state(bodies) -> None:  # type: ignore[no-untyped-def]
    from newsletter.models import Edition, NewsItem, Publication, Subscriber, Suppression

    assert set(Edition.objects.values_list("status", flat=True)) == {"sent", "scheduled", "draft"}
    sent = Edition.objects.filter(status="sent").first()
    assert sent.deliveries.filter(status="sent").count() > 100
    assert NewsItem.objects.filter(published_at__isnull=True).exists()
    assert NewsItem.objects.filter(visibility="members").exists()
    assert all("Raadsleden" in p.text or p.text for p in Publication.objects.all())
    assert {"active", "pending", "unsubscribed"} <= set(Subscriber.objects.values_list("status", flat=True))
    assert Suppression.objects.count() == 2


def test_demo_selection_has_procedures_in_every_state_for_the_demo_accounts(bodies) -> None:  # type: ignore[no-untyped-def]
    from selection import selectors
    from selection.models import Application, SelectionProcedure

    statuses = set(SelectionProcedure.objects.values_list("status", flat=True))
    assert {"open", "closed", "advised", "finished"} <= statuses
    secretary = User.objects.get(email="afdeling@demo.example")
    chair = User.objects.get(email="commissie@demo.example")
    adviser = User.objects.get(email="adviseur@demo.example")
    seen = set(selectors.procedures_for(secretary).values_list("status", flat=True))
    assert {"open", "closed", "advised", "finished"} <= seen
    assert selectors.procedures_for(chair).count() >= 3 and selectors.procedures_for(adviser).count() == 2
    drenthe = SelectionProcedure.objects.get(branch__province__code="PV22")
    assert drenthe not in selectors.procedures_for(secretary) and drenthe in selectors.open_calls()
    closed = SelectionProcedure.objects.get(status="closed")
    assert closed.applications.filter(conflicts__isnull=False).exists()
    assert closed.applications.filter(interviews__took_place=True).exists()
    finished = SelectionProcedure.objects.get(status="finished")
    left = finished.applications.exclude(status="placed")
    assert left.exists() and not left.filter(deletion_notice_at__isnull=True).exists()
    assert Application.objects.filter(status="placed", mailed_status="placed").exists()


def test_demo_networks_have_answered_and_open_questions_an_expert_and_moderation(bodies) -> None:  # type: ignore[no-untyped-def]
    from networks.models import Expert, Membership, Network, Report, Thread
    from networks.selectors import access

    assert set(Network.objects.values_list("kind", flat=True)) == {"tier", "topic", "closed"}
    assert Network.objects.filter(kind="tier").count() == 4 and Network.objects.filter(kind="topic").count() >= 4
    councillors = Network.objects.get(tier_group="councillors")
    assert councillors.memberships.count() > 20  # filled from the demo's mandates (members with an account)
    questions = Thread.objects.filter(kind="question")
    assert questions.filter(solution__isnull=False).exists() and questions.filter(reply_count=0).exists()
    assert Thread.objects.filter(kind="discussion").exists()
    assert Report.objects.filter(handled_at__isnull=True).exists()
    expert = Expert.objects.get(user__email="deskundige@demo.example")
    assert expert.network.slug == "energie" and expert.user is not None
    assert [n.slug for n in Network.objects.all() if access(expert.user, n).read] == ["energie"]
    assert Thread.objects.filter(solution__author=expert.user).exists()
    # The demo member is in Wonen and in the councillors' network, not yet in Zorg (the journey joins it).
    me = User.objects.get(email="lid@demo.example")
    mine = set(Membership.objects.filter(user=me).values_list("network__slug", flat=True))
    assert {"wonen", "raadsleden"} <= mine and "zorg" not in mine
    assert Membership.objects.filter(
        user__email="afdeling@demo.example", network__slug="zorg", notify="weekly"
    ).exists()
    # Its questions and replies are searchable (each test starts with an empty index: rebuilt here
    # from the demo's posts), with the dates the demo gave them.
    from networks import search, search_index
    from networks.models import Post
    from networks.selectors import readable_network_ids

    assert search_index.rebuild() == Post.objects.filter(hidden_at__isnull=True).count() > 10

    found = search.search("energiecoaches", network_ids=readable_network_ids(me))
    assert [p.author for p in found.posts] == [expert.user]
    newest = search.search("woningen OR motie", network_ids=readable_network_ids(me), sort="date").posts
    assert len(newest) >= 3 and [p.created_at for p in newest] == sorted((p.created_at for p in newest), reverse=True)
    assert search.search("respijtzorg", network_ids=readable_network_ids(expert.user)).total == 0
