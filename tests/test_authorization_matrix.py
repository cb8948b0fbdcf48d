"""The authorization matrix: every URL of the project, every role, own vs. another's object.

`test_every_url_is_in_the_matrix` fails when a URL pattern is added without an entry here; each
entry then states, per role (and anonymous), the status a request must get:
  200/403/404/405/409/410: that status;
  LOGIN: a redirect to the login page;
  302: another redirect (for example after a successful POST).
This is the gate for every new page: add the URL here with the expectations it must meet.
"""

from __future__ import annotations

import datetime
import inspect
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from accounts import services as account_services
from accounts.models import Invitation, User, hash_token
from core.models import Association, Body
from core.roles import MFA_ROLES, STAFF_ROLES, Role
from desk.models import CaseAccess, Helper, IntervisionGroup, IntervisionSignup, Organisation
from events.documents import certificate_code
from events.models import Attendance, CalendarFeed, Evaluation, InvoiceSequence, Registration, Session
from library.models import SynonymGroup
from members.models import Block, ErasureRequest, ImportBatch, InvitationRun, Member, Message, PrivateFieldView, Topic
from newsletter.tests.anymail_matrix import anymail_cases
from tests.factories import (
    BranchFactory,
    EventFactory,
    MandateFactory,
    MemberFactory,
    MunicipalityFactory,
    ProvinceFactory,
    UserFactory,
    enable_totp,
    make_role_user,
)

ANONYMOUS = "anonymous"
ROLES = [ANONYMOUS, *Role.values]
LOGIN = "login"
STAFF = set(STAFF_ROLES)
WITH_MFA = set(MFA_ROLES)  # the roles that sign in with a second factor
MEMBERS = {Role.MEMBER, Role.BRANCH_OFFICIAL}
EVERYONE = set(Role.values)


def expect(anonymous: int | str, default: int | str, **per_role: int | str) -> dict[str, int | str]:
    """Expected outcome per role: `default` for every role not named."""
    table: dict[str, int | str] = {ANONYMOUS: anonymous}
    for role in Role.values:
        table[role] = per_role.get(role, default)
    return table


def only(
    roles: set[str], allowed: int | str, denied: int | str = 403, anonymous: int | str = LOGIN
) -> dict[str, int | str]:
    return {ANONYMOUS: anonymous, **{role: (allowed if role in roles else denied) for role in Role.values}}


@dataclass
class World:
    """Objects the URLs point at, created fresh for every test."""

    users: dict[str, User]
    body: Body
    other_member: Member
    lapsed_member: Member
    hidden_photo_member: Member
    tokens: dict[str, str]
    invitation: Invitation
    other_webauthn: Authenticator
    other_mandate: Any = None
    admin_attendance: Any = None
    admin_evaluation: Any = None
    messages_to: dict[str, Any] = field(default_factory=dict)
    others_message: Any = None
    pending_mandate: Any = None
    import_batch: Any = None
    invitation_run: Any = None
    event: Any = None
    invited_event: Any = None
    public_event: Any = None
    event_registrations: dict[str, Any] = field(default_factory=dict)
    other_registration: Any = None
    paid_registration: Any = None
    past_registration: Any = None
    feed_token: str = ""
    cases: dict[str, Any] = field(default_factory=dict)
    programme: dict[str, Any] = field(default_factory=dict)
    library: dict[str, Any] = field(default_factory=dict)
    news: dict[str, Any] = field(default_factory=dict)
    selection: dict[str, Any] = field(default_factory=dict)
    api_tokens: dict[str, Any] = field(default_factory=dict)
    networks: dict[str, Any] = field(default_factory=dict)
    admin_objects: dict[str, Any] = field(default_factory=dict)

    def own_member(self, role: str) -> Member | None:
        user = self.users.get(role)
        return getattr(user, "member", None) if user else None


def png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "navy").save(buffer, "PNG")
    return ContentFile(buffer.getvalue(), name="foto.png")


def build_world() -> World:
    users = {role: make_role_user(role) for role in Role.values}
    for role in MEMBERS:
        member = users[role].member
        member.photo.save("eigen.png", png())
    body = MunicipalityFactory(code="GM0193", name="Zwolle")
    other = MemberFactory(photo=png())
    MandateFactory(member=other, body=body)
    lapsed = MemberFactory(status=Member.Status.LAPSED)
    hidden = MemberFactory(photo=png(), photo_visibility="nobody")
    tokens = {}
    for state in ("pending", "accepted", "expired"):
        _invitation, token = account_services.invite(
            email=f"{state}@example.org", name=state, roles=[Role.MEMBER], invited_by=None
        )
        tokens[state] = token
    account_services.accept_invitation(token=tokens["accepted"], password="een-sterk-wachtwoord-9")
    Invitation.objects.filter(email="expired@example.org").update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    invitation, _token = account_services.invite(
        email="actie@example.org", name="Actie", roles=[Role.MEMBER], invited_by=None
    )
    stranger = UserFactory()
    other_webauthn = Authenticator.objects.create(
        user=stranger, type=Authenticator.Type.WEBAUTHN, data={"name": "Sleutel", "credential": {}}
    )
    task = DBTaskResult.objects.create(
        task_path="core.tasks.deliver_mail",
        args_kwargs={"args": [], "kwargs": {}},
        queue_name="default",
        backend_name="database",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )
    world = World(users, body, other, lapsed, hidden, tokens, invitation, other_webauthn)
    world.other_mandate = other.mandates.first()
    for role in MEMBERS:
        MandateFactory(member=users[role].member, body=body)
        world.messages_to[role] = Message.objects.create(sender=other, recipient=users[role].member, body="Hallo")
    world.others_message = Message.objects.create(sender=users[Role.MEMBER].member, recipient=other, body="Hoi")
    world.pending_mandate = MandateFactory(member=other, body=body, role="alderman", review_status="pending")
    world.import_batch = ImportBatch.objects.create(file_name="leden.csv", rows=[])
    world.invitation_run = InvitationRun.objects.create(member_ids=[other.pk])
    _events_world(world, users, other)
    _desk_world(world, users, other)
    _programme_world(world, users, body)
    _library_world(world, users, body, other)
    _newsletter_world(world, users)
    _selection_world(world, users)
    _api_world(world, users)
    _networks_world(world, users)
    block = Block.objects.create(blocker=other, blocked=lapsed)
    erasure = ErasureRequest.objects.create(member=lapsed)
    view = PrivateFieldView.objects.create(viewer=stranger, member=other, fields="email", path="/leden/")
    world.admin_objects = {
        "core.body": body,
        # The row itself, not the cached copy: a copy cached by an earlier test is no row in this
        # database, and a refused request would then be seen writing it.
        "core.association": Association.objects.get_or_create(pk=1)[0],
        "accounts.user": stranger,
        "accounts.invitation": invitation,
        "auth.group": Group.objects.get(name=Role.EDITOR),
        "account.emailaddress": stranger.emailaddress_set.first(),
        "mfa.authenticator": other_webauthn,
        "auditlog.logentry": LogEntry.objects.first(),
        "django_tasks_database.dbtaskresult": task,
        "members.member": other,
        "members.mandate": other.mandates.first(),
        "members.faction": _faction(body),
        "members.branch": users[Role.BRANCH_OFFICIAL].member.branch_functions.first().branch,
        "members.branchofficial": users[Role.BRANCH_OFFICIAL].member.branch_functions.first(),
        "members.topic": Topic.objects.first(),
        # The back office holds reported messages only (members/tests/test_messages.py).
        "members.message": Message.objects.create(
            sender=other, recipient=lapsed, body="Gemeen", reported_at=timezone.now(), report_reason="Intimiderend"
        ),
        "members.block": block,
        "members.privatefieldview": view,
        "members.erasurerequest": erasure,
        "members.importbatch": world.import_batch,
        "members.invitationrun": world.invitation_run,
        "events.event": world.event,
        "events.session": world.event.sessions.first(),
        "events.registration": world.other_registration,
        "events.attendance": world.admin_attendance,
        "events.evaluation": world.admin_evaluation,
        "events.calendarfeed": CalendarFeed.objects.first(),
        "events.invoicesequence": InvoiceSequence.objects.first(),
        # Strictly confidential cases are not in the back office at all (desk/admin.py).
        "desk.case": world.cases["confidential-other"],
        "desk.caseaccess": CaseAccess.objects.create(case=world.cases["normal-other"], user=stranger, what="case"),
        "desk.organisation": world.organisation,
        "desk.helper": world.helper,
        "desk.intervisionsignup": world.signup,
        "desk.intervisiongroup": world.group,
        "programme.application": world.programme["application"],
        "programme.track": world.programme["own_track"],
        "programme.intakemeeting": world.programme["own_track"].intakes.create(
            date=timezone.localdate(), participants="x"
        ),
        "programme.programmecontact": users[Role.GRIFFIE_CONTACT].programme_contacts.first(),
        "programme.learninggroup": world.programme["own_group"],
        "programme.goodpractice": world.programme["practice"],
        "programme.entitlement": world.programme["own_town"].entitlements.first(),
        "programme.budgetrequest": world.programme["request"],
        "library.document": world.library["members"],
        "library.savedsearch": world.library["own_search"],
        "library.importrun": world.library["run"],
        "library.syncsource": world.library["sync_source"],
        "library.withdrawal": world.library["withdrawal"],
        "library.synonymgroup": SynonymGroup.objects.order_by("pk").first(),  # the default list (migration)
        "newsletter.newsitem": world.news["public"],
        "newsletter.publication": world.news["publication"],
        "newsletter.edition": world.news["sent"],
        "newsletter.subscriber": world.news["subscriber"],
        "newsletter.suppression": world.news["suppression"],
        "newsletter.bounce": world.news["bounce"],
        "newsletter.delivery": world.news["delivery"],
    }
    return world


def _events_world(world: World, users: dict[str, User], other: Member) -> None:
    """An event organised by the organiser role, an invitation-only and a public event, and
    registrations in several states."""
    from events import services as event_services

    world.event = EventFactory(slug="netwerk", capacity=5, price_cents=2500)
    world.event.organisers.add(users[Role.EVENT_ORGANISER])
    world.invited_event = EventFactory(slug="besloten", audience="invited")
    world.public_event = EventFactory(slug="open-avond", audience="public")
    for role in MEMBERS:
        world.event_registrations[role] = event_services.register(event=world.event, member=users[role].member)
    world.other_registration = event_services.register(event=world.event, member=other)
    past = EventFactory(slug="afgelopen", kind="course", certificate_share=0)
    Session.objects.filter(event=past).update(
        starts_at=timezone.now() - datetime.timedelta(days=5),
        ends_at=timezone.now() - datetime.timedelta(days=5, hours=-2),
    )
    past.refresh_schedule()
    world.past_registration = Registration.objects.create(event=past, member=other, status="confirmed")
    world.admin_evaluation = Evaluation.objects.create(
        registration=world.past_registration, overall=4, content=4, organisation=4
    )
    world.admin_attendance = Attendance.objects.create(
        registration=world.past_registration, session=past.sessions.first()
    )
    world.feed_token = "agenda-van-een-ander-lid"  # only its hash is stored
    CalendarFeed.objects.create(member=other, token_hash=hash_token(world.feed_token))


def _desk_world(world: World, users: dict[str, User], other: Member) -> None:
    """Cases at every confidentiality level, asked by the member role (own) and by another member
    (other's); normal and confidential ones assigned to the adviser role with the counsellor role
    on the confidential ones, strictly confidential ones assigned to the counsellor role."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from desk import services as desk_services

    for owner_label, owner in (("own", users[Role.MEMBER].member), ("other", other)):
        for level in ("normal", "confidential", "strict"):
            case = desk_services.open_case(
                requester=owner,
                kind="political",
                subject="Vraag",
                description="Inhoud",
                confidentiality=level,
                files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", content_type="application/pdf")],
            )
            if level == "strict":
                desk_services.assign(case=case, user=users[Role.COUNSELLOR])
            else:
                desk_services.assign(case=case, user=users[Role.ADVISER])
            if level == "confidential":
                desk_services.add_counsellor(case=case, user=users[Role.COUNSELLOR])
            world.cases[f"{level}-{owner_label}"] = case
    world.organisation = Organisation.objects.create(name="Politie Eenheid Oost", kind="police")
    world.helper = Helper.objects.create(user=users[Role.COUNSELLOR], kind="counsellor")
    world.signup = IntervisionSignup.objects.create(member=other, tier="municipal")
    world.group = IntervisionGroup.objects.create(name="Groep Oost")


def _programme_world(world: World, users: dict[str, User], body: Body) -> None:
    """The griffie contact role is the contact for `body` (own); another municipality is not theirs."""
    from programme.models import (
        Application,
        BudgetRequest,
        Entitlement,
        GoodPractice,
        LearningGroup,
        ProgrammeContact,
        Track,
    )

    other_town = MunicipalityFactory(code="GM9998", name="Andersdorp")
    ProgrammeContact.objects.create(user=users[Role.GRIFFIE_CONTACT], municipality=body)
    application = Application.objects.create(
        municipality=body,
        contact_name="Greet",
        contact_function="griffier",
        contact_email="g@example.org",
        description="x",
    )
    year = timezone.localdate().year
    Entitlement.objects.create(municipality=body, year=year, training_budget_cents=100000)
    group = LearningGroup.objects.create(name="Leergroep Noord", theme="training")
    group.municipalities.add(body)
    other_group = LearningGroup.objects.create(name="Leergroep Zuid", theme="support")
    other_group.municipalities.add(other_town)
    world.programme = {
        "application": application,
        "own_track": Track.objects.create(municipality=body, theme="training", role="candidate"),
        "other_track": Track.objects.create(municipality=other_town, theme="training", role="candidate"),
        "own_group": group,
        "other_group": other_group,
        "practice": GoodPractice.objects.create(municipality=body, theme="training", title="Budget", arrangement="x"),
        "own_town": body,
        "other_town": other_town,
        "year": year,
        "request": BudgetRequest.objects.create(
            member=users[Role.MEMBER].member, municipality=body, year=year, amount_cents=1000, description="Boek"
        ),
    }


def _library_world(world: World, users: dict[str, User], body: Body, other: Member) -> None:
    """Documents shared by another member (public with a file, members-only with an attachment, a
    draft), one shared by the member role and that role's draft; saved searches of both."""
    from library import engine
    from library.models import Attachment, Document, ImportRun, SavedSearch, SyncSource, Withdrawal

    def document(**kwargs: Any) -> Document:
        return Document.objects.create(body=body, title="Motie starterswoningen", text="Bouw meer woningen.", **kwargs)

    own_member = users[Role.MEMBER].member
    public = document(shared_by=other, visibility="public", source="upload")
    public.file.save("motie.pdf", ContentFile(b"%PDF-1.4 motie"), save=True)
    members = document(shared_by=other, visibility="members")
    Attachment.objects.create(document=members, name="bijlage.pdf", file=ContentFile(b"%PDF-1.4 x", name="b.pdf"))
    world.library = {
        "public": public,
        "members": members,
        "other_draft": document(shared_by=other, status="draft"),
        "own": document(shared_by=own_member),
        "own_draft": document(shared_by=own_member, status="draft"),
        "own_search": SavedSearch.objects.create(member=own_member, name="Wonen", query_string="q=wonen"),
        "other_search": SavedSearch.objects.create(member=other, name="Zorg", query_string="q=zorg"),
        "run": ImportRun.objects.create(file_name="moties.csv", rows=[]),
        "sync_source": SyncSource.objects.create(name="zwolle", kind="ori", location="/srv/ori/zwolle"),
        "withdrawal": Withdrawal.objects.create(source_id="ori:1", document_pk=999_999, title="Motie", reason="Dubbel"),
    }
    engine.index_documents(Document.objects.all())


def _newsletter_world(world: World, users: dict[str, User]) -> None:
    """Published news and publications (public and members only) and a draft; a sent public
    edition, a sent members-only one and a draft with an item; a pending subscriber; a suppressed
    address with its bounce."""
    from newsletter import services as news_services
    from newsletter.models import Bounce, Delivery, Edition, Publication, Subscriber, Suppression

    def item(title: str, **kwargs: Any) -> Any:
        return news_services.save_news_item(title=title, summary="Kort.", body="Tekst.", **kwargs)

    public = item("Openbaar nieuws", publish=True)
    public.image.save("foto.png", png(), save=True)
    publication = Publication.objects.create(
        title="Onderzoek",
        slug="onderzoek",
        summary="x",
        authors="A",
        date=timezone.localdate(),
        published_at=timezone.now(),
    )
    publication.file.save("onderzoek.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
    members_publication = Publication.objects.create(
        title="Intern onderzoek",
        slug="intern-onderzoek",
        summary="x",
        authors="A",
        date=timezone.localdate(),
        published_at=timezone.now(),
        visibility="members",
    )
    members_publication.file.save("intern.pdf", ContentFile(b"%PDF-1.4 x"), save=True)
    sent = Edition.objects.create(number=1, subject="Week 1", status="sent", sent_at=timezone.now())
    members_sent = Edition.objects.create(
        number=2, subject="Week 2", status="sent", sent_at=timezone.now(), public=False
    )
    draft = news_services.create_edition(subject="Week 3", created_by=None)
    news_services.add_item(edition=draft, kind="news", target=public)
    subscriber = Subscriber.objects.create(email="lezer@example.org")
    world.news = {
        "public": public,
        "members": item("Ledennieuws", visibility="members", publish=True),
        "draft": item("Concept"),
        "publication": publication,
        "members_publication": members_publication,
        "sent": sent,
        "members_sent": members_sent,
        "draft_edition": draft,
        "subscriber": subscriber,
        "confirm": news_services.confirm_token(subscriber),
        "token": __import__("newsletter.sending", fromlist=["x"]).recipient_token("lezer@example.org"),
        "suppression": Suppression.objects.create(email="weg@example.org", reason="hard_bounce"),
        "bounce": Bounce.objects.create(email="weg@example.org", kind="hard"),
        "delivery": Delivery.objects.create(edition=sent, email="lezer@example.org", status="sent"),
    }


def _api_world(world: World, users: dict[str, User]) -> None:
    """An API token of each member role (own) and one of another member (someone else's)."""
    from api import services as api_services

    for role in MEMBERS:
        world.api_tokens[role] = api_services.create_token(user=users[role], name="Eigen", expires_in_days=None)[0]
    stranger = make_role_user(Role.MEMBER)
    world.api_tokens["other"] = api_services.create_token(user=stranger, name="Ander", expires_in_days=30)[0]


# People in the selection procedure besides the roles (see _selection_world); they are asked for
# every URL whose expectations name them.
SELECTION_PERSONAS = [
    "selection_chair",
    "selection_committee",
    "selection_conflicted",
    "selection_other_official",
    "selection_applicant",
]


def _selection_world(world: World, users: dict[str, User]) -> None:
    """A published procedure of the branch the branch official role is secretary of, with the
    adviser role invited; its committee (a chair, a member, and a member who declared a conflict of
    interest with the outsider's application); an application by an outsider and one by a member;
    an interview, a draft advice; a draft procedure of the same branch; and the secretary of
    another branch."""
    from selection import services as selection_services
    from selection.models import Criterion, SelectionProcedure, StatusMailTemplate
    from selection.tests.factories import applicant_data, cv_upload, make_official

    branch = users[Role.BRANCH_OFFICIAL].member.branch_functions.first().branch
    province = ProvinceFactory(code="PV23", name="Overijssel")
    today = timezone.localdate()

    def procedure(slug: str, status: str) -> SelectionProcedure:
        created = SelectionProcedure.objects.create(
            branch=branch,
            election="provincial",
            election_date=datetime.date(2027, 3, 17),
            body=province,
            title=f"Provinciale Staten 2027 ({slug})",
            slug=slug,
            profile="Statenleden gezocht.",
            status=status,
            call_opens=today - datetime.timedelta(days=1),
            applications_close=today + datetime.timedelta(days=30),
        )
        Criterion.objects.create(procedure=created, name="Motivatie")
        for kind, (subject, body) in selection_services.default_mail_texts().items():
            StatusMailTemplate.objects.create(procedure=created, kind=kind, subject=subject, body=body)
        return created

    published = procedure("ps-2027", "open")
    draft = procedure("ps-2027-concept", "draft")
    selection_services.set_adviser(procedure=published, adviser=users[Role.ADVISER])
    for persona, chair in (("selection_chair", True), ("selection_committee", False), ("selection_conflicted", False)):
        users[persona] = make_role_user(Role.MEMBER)
        enable_totp(users[persona])  # a committee seat requires a second factor
        selection_services.add_committee_member(procedure=published, member=users[persona].member, chair=chair)
    users["selection_other_official"] = make_official(BranchFactory())
    users["selection_applicant"] = make_role_user(Role.MEMBER)
    outsider = selection_services.apply(procedure=published, data=applicant_data(), cv=cv_upload()).application
    own = selection_services.apply(
        procedure=published,
        data=applicant_data(email=users["selection_applicant"].email),
        cv=cv_upload(),
        member=users["selection_applicant"].member,
    ).application
    selection_services.declare_conflict(application=outsider, user=users["selection_conflicted"], reason="Familie")
    interview = selection_services.schedule_interview(
        application=outsider, starts_at=timezone.now(), location="Zwolle", user=users["selection_chair"]
    )
    selection_services.save_advice(
        procedure=published, user=users["selection_chair"], summary="", places=[(outsider, "Sterk")]
    )
    world.selection = {
        "procedure": published,
        "draft": draft,
        "conflicted": outsider,
        "own": own,
        "interview": interview,
        "access": outsider.accesses.create(user=users["selection_chair"], what="application"),
    }


def _faction(body: Body) -> Any:
    from members.models import Faction

    return Faction.objects.create(body=body, name="Fractie Zwolle")


@dataclass
class Case:
    url: Callable[[World, str], str | None]
    expected: dict[str, int | str]
    method: str = "get"
    # The form data, or a function of the world that gives it (for ids of the world's objects).
    data: dict[str, Any] | Callable[[World], dict[str, Any]] = field(default_factory=dict)
    label: str = ""

    def form(self, world: World) -> dict[str, Any]:
        return self.data(world) if callable(self.data) else self.data


def fixed(path: str) -> Callable[[World, str], str]:
    return lambda world, role: path


def named(name: str, **kwargs: Any) -> Callable[[World, str], str]:
    return lambda world, role: reverse(name, kwargs=kwargs or None)


def own_member_url(name: str) -> Callable[[World, str], str | None]:
    def build(world: World, role: str) -> str | None:
        member = world.own_member(role)
        return reverse(name, kwargs={"pk": member.pk}) if member else None

    return build


MEMBER_PAGE = {**only(STAFF | MEMBERS, 200), Role.GRIFFIE_CONTACT: 403}
ADMINISTRATOR_PAGE = only({Role.ADMINISTRATOR}, 200)
# The event organiser role organises world.event; administrators manage every event.
ORGANISER_PAGE = only({Role.ADMINISTRATOR, Role.EVENT_ORGANISER}, 200)
MEMBER_PAGE_WITH_ORGANISER = {**only(STAFF | MEMBERS, 200), Role.GRIFFIE_CONTACT: 404, ANONYMOUS: LOGIN}
OWN_MEMBER_PAGE = only(MEMBERS, 200)


# Who reads each case (see desk/rules.py): the requester (the member role for "own" cases), the
# advisers' team for normal cases, the assigned adviser and counsellors on the case for
# confidential ones, only the assigned counsellor for strictly confidential ones. Nobody else,
# administrators included; the case is hidden (404).
CASE_READERS = {
    "normal-own": {Role.MEMBER, Role.ADVISER},
    "normal-other": {Role.ADVISER},
    "confidential-own": {Role.MEMBER, Role.ADVISER, Role.COUNSELLOR},
    "confidential-other": {Role.ADVISER, Role.COUNSELLOR},
    "strict-own": {Role.MEMBER, Role.COUNSELLOR},
    "strict-other": {Role.COUNSELLOR},
}


def case_cases(name: str, status: int | str = 200, *, requester_only: bool = False, method: str = "get") -> list[Case]:
    cases = []
    for key, readers in CASE_READERS.items():
        if requester_only:
            # Only the requester may ask for deletion; other readers get 403, the rest 404.
            table = only(readers, 403, denied=404)
            if key.endswith("-own"):
                table[Role.MEMBER] = status
        else:
            table = only(readers, status, denied=404)
        cases.append(
            Case(
                lambda w, r, key=key: reverse(name, kwargs={"reference": w.cases[key].reference}),
                table,
                method=method,
                label=key,
            )
        )
    return cases


def case_attachment_cases() -> list[Case]:
    return [
        Case(
            lambda w, r, key=key: reverse(
                "desk:attachment",
                kwargs={"reference": w.cases[key].reference, "pk": w.cases[key].attachments.first().pk},
            ),
            only(readers, 200, denied=404),
            label=key,
        )
        for key, readers in CASE_READERS.items()
    ]


DESK_STAFF = {Role.ADVISER, Role.COUNSELLOR}
PROGRAMME_OFFICE = {Role.PROGRAMME_OFFICER, Role.ADMINISTRATOR}
PROGRAMME_OFFICERS = only(PROGRAMME_OFFICE, 200)


def own_mandate_url(world: World, role: str) -> str | None:
    member = world.own_member(role)
    return reverse("members:mandate_change", kwargs={"pk": member.mandates.first().pk}) if member else None


def received_message_url(world: World, role: str) -> str | None:
    message = world.messages_to.get(role)
    return reverse("members:report_message", kwargs={"pk": message.pk}) if message else None


def library_url(name: str, key: str) -> Callable[[World, str], str]:
    return lambda w, r: reverse(name, kwargs={"pk": w.library[key].pk})


READERS = MEMBERS | STAFF
MODERATORS = {Role.EDITOR, Role.ADMINISTRATOR}
# The member role's own document or draft: the member and moderators; hidden from everyone else.
OWN_DOCUMENT = only({Role.MEMBER} | MODERATORS, 200, denied=404)
LIBRARY_MATRIX: dict[str, list[Case]] = {
    "library:search": [Case(named("library:search"), expect(200, 200))],
    "library:share": [Case(named("library:share"), only(MEMBERS, 200))],
    "library:mine": [Case(named("library:mine"), only(MEMBERS, 200))],
    "library:document": [
        Case(library_url("library:document", "public"), expect(200, 200), label="public, other's"),
        Case(library_url("library:document", "members"), only(READERS, 200, denied=404), label="members, other's"),
        Case(library_url("library:document", "own"), only(READERS, 200, denied=404), label="members, own"),
        Case(library_url("library:document", "own_draft"), OWN_DOCUMENT, label="own draft"),
        Case(library_url("library:document", "other_draft"), only(MODERATORS, 200, denied=404), label="other's draft"),
    ],
    "library:edit": [
        Case(library_url("library:edit", "own"), OWN_DOCUMENT, label="own"),
        Case(library_url("library:edit", "members"), only(MODERATORS, 200, denied=404), label="other's"),
    ],
    "library:delete": [
        Case(library_url("library:delete", "own"), OWN_DOCUMENT, label="own"),
        Case(library_url("library:delete", "public"), only(MODERATORS, 200, denied=404), label="other's"),
    ],
    "library:publish": [
        Case(library_url("library:publish", "own_draft"), expect(405, 405), label="GET"),
        Case(
            library_url("library:publish", "own_draft"),
            only({Role.MEMBER} | MODERATORS, 302, denied=404),
            method="post",
            label="own draft",
        ),
        Case(
            library_url("library:publish", "other_draft"),
            only(MODERATORS, 302, denied=404),
            method="post",
            label="other's draft",
        ),
    ],
    "library:reuse": [
        Case(library_url("library:reuse", "public"), only(MEMBERS, 200, denied=404), label="public"),
        Case(library_url("library:reuse", "other_draft"), only(set(), 200, denied=404), label="other's draft"),
    ],
    "library:download_docx": [
        Case(library_url("library:download_docx", "members"), only(READERS, 200, denied=404)),
        Case(library_url("library:download_docx", "own_draft"), OWN_DOCUMENT, label="own draft"),
    ],
    "library:download_pdf": [Case(library_url("library:download_pdf", "members"), only(READERS, 200, denied=404))],
    "library:original": [
        Case(library_url("library:original", "public"), expect(200, 200)),
        Case(library_url("library:original", "members"), only(READERS, 404, denied=404), label="no file"),
    ],
    "library:attachment": [
        Case(
            lambda w, r: reverse("library:attachment", kwargs={"pk": w.library["members"].attachments.first().pk}),
            only(READERS, 200, denied=404),
        )
    ],
    "library:save_search": [
        Case(named("library:save_search"), expect(405, 405), label="GET"),
        Case(
            named("library:save_search"),
            only(MEMBERS, 302),
            method="post",
            data={"query_string": "q=armoede", "frequency": "weekly"},
        ),
    ],
    "library:delete_search": [
        Case(library_url("library:delete_search", "own_search"), expect(405, 405), label="GET"),
        Case(
            library_url("library:delete_search", "own_search"),
            only({Role.MEMBER}, 302, denied=404),
            method="post",
            label="own",
        ),
        Case(
            library_url("library:delete_search", "other_search"),
            only(set(), 302, denied=404),
            method="post",
            label="other's",
        ),
    ],
    "library:unsubscribe": [
        Case(
            lambda w, r: reverse("library:unsubscribe", kwargs={"token": w.library["other_search"].token}),
            expect(200, 200),
        ),
        Case(fixed("/bibliotheek/afmelden/onzin/"), expect(404, 404), label="unknown token"),
    ],
    "library:import_upload": [Case(named("library:import_upload"), only(MODERATORS, 200))],
    "library:import_review": [Case(library_url("library:import_review", "run"), only(MODERATORS, 200))],
}


def news_url(name: str, key: str, field: str = "slug", kwarg: str = "slug") -> Callable[[World, str], str]:
    return lambda w, r: reverse(name, kwargs={kwarg: getattr(w.news[key], field)})


EDITORS = {Role.EDITOR, Role.ADMINISTRATOR}
EDITOR_PAGE = only(EDITORS, 200)
NEWSLETTER_MATRIX: dict[str, list[Case]] = {
    "newsletter:news_list": [Case(named("newsletter:news_list"), expect(200, 200))],
    "newsletter:news_item": [
        Case(news_url("newsletter:news_item", "public"), expect(200, 200), label="public"),
        Case(news_url("newsletter:news_item", "members"), only(READERS, 200, denied=404), label="members only"),
        Case(news_url("newsletter:news_item", "draft"), only(EDITORS, 200, denied=404), label="draft"),
    ],
    "newsletter:news_image": [
        Case(news_url("newsletter:news_image", "public"), expect(200, 200)),
        Case(news_url("newsletter:news_image", "members"), only(READERS, 404, denied=404), label="no image"),
    ],
    "newsletter:publications": [Case(named("newsletter:publications"), expect(200, 200))],
    "newsletter:publication": [
        Case(news_url("newsletter:publication", "publication"), expect(200, 200), label="public"),
        Case(
            news_url("newsletter:publication", "members_publication"), only(READERS, 200, denied=404), label="members"
        ),
    ],
    "newsletter:publication_file": [
        Case(news_url("newsletter:publication_file", "publication"), expect(200, 200), label="public"),
        Case(
            news_url("newsletter:publication_file", "members_publication"),
            only(READERS, 200, denied=404),
            label="members",
        ),
    ],
    "newsletter:archive": [Case(named("newsletter:archive"), expect(200, 200))],
    "newsletter:edition": [
        Case(news_url("newsletter:edition", "sent", "number", "number"), expect(200, 200), label="public"),
        Case(
            news_url("newsletter:edition", "members_sent", "number", "number"),
            only(READERS, 200, denied=404),
            label="members only",
        ),
        Case(
            news_url("newsletter:edition", "draft_edition", "number", "number"),
            only(EDITORS, 200, denied=404),
            label="draft",
        ),
    ],
    "newsletter:subscribe": [Case(named("newsletter:subscribe"), expect(200, 200))],
    "newsletter:confirm": [
        Case(lambda w, r: reverse("newsletter:confirm", kwargs={"token": w.news["confirm"]}), expect(200, 200))
    ],
    "newsletter:unsubscribe": [
        Case(lambda w, r: reverse("newsletter:unsubscribe", kwargs={"token": w.news["token"]}), expect(200, 200)),
        Case(fixed("/nieuwsbrief/afmelden/vervalst/"), expect(404, 404), label="forged token"),
    ],
    "newsletter:preferences": [
        Case(lambda w, r: reverse("newsletter:preferences", kwargs={"token": w.news["token"]}), expect(200, 200)),
        Case(fixed("/nieuwsbrief/voorkeuren/vervalst/"), expect(404, 404), label="forged token"),
    ],
    "newsletter:my_subscription": [
        Case(named("newsletter:my_subscription"), expect(302, 302), label="GET: to the newsletter page"),
        Case(named("newsletter:my_subscription"), only(MEMBERS, 302, denied=404, anonymous=404), method="post"),
    ],
    "newsletter:manage": [Case(named("newsletter:manage"), EDITOR_PAGE)],
    "newsletter:edition_create": [
        Case(named("newsletter:edition_create"), expect(405, 405), label="GET"),
        Case(named("newsletter:edition_create"), only(EDITORS, 302), method="post", data={"subject": "Week 9"}),
    ],
    "newsletter:compose": [Case(news_url("newsletter:compose", "draft_edition", "pk", "pk"), EDITOR_PAGE)],
    "newsletter:preview": [Case(news_url("newsletter:preview", "draft_edition", "pk", "pk"), EDITOR_PAGE)],
    "newsletter:progress": [Case(news_url("newsletter:progress", "draft_edition", "pk", "pk"), EDITOR_PAGE)],
    "newsletter:send_test": [
        Case(news_url("newsletter:send_test", "draft_edition", "pk", "pk"), expect(405, 405), label="GET"),
        Case(news_url("newsletter:send_test", "draft_edition", "pk", "pk"), only(EDITORS, 302), method="post"),
    ],
    "newsletter:schedule": [
        Case(news_url("newsletter:schedule", "draft_edition", "pk", "pk"), expect(405, 405), label="GET"),
        Case(
            news_url("newsletter:schedule", "draft_edition", "pk", "pk"),
            only(EDITORS, 302),
            method="post",
            data={"when": "2099-01-01T10:00"},
        ),
    ],
    "newsletter:unschedule": [
        Case(news_url("newsletter:unschedule", "draft_edition", "pk", "pk"), expect(405, 405), label="GET"),
        Case(news_url("newsletter:unschedule", "draft_edition", "pk", "pk"), only(EDITORS, 302), method="post"),
    ],
    "newsletter:subscribers": [Case(named("newsletter:subscribers"), EDITOR_PAGE)],
    "newsletter:lift_suppression": [
        Case(news_url("newsletter:lift_suppression", "suppression", "pk", "pk"), expect(405, 405), label="GET"),
        Case(news_url("newsletter:lift_suppression", "suppression", "pk", "pk"), only(EDITORS, 302), method="post"),
    ],
    "newsletter:news_manage": [Case(named("newsletter:news_manage"), EDITOR_PAGE)],
    "newsletter:news_create": [Case(named("newsletter:news_create"), EDITOR_PAGE)],
    "newsletter:news_edit": [Case(news_url("newsletter:news_edit", "draft", "pk", "pk"), EDITOR_PAGE)],
    "newsletter:publications_manage": [Case(named("newsletter:publications_manage"), EDITOR_PAGE)],
    "newsletter:publication_create": [Case(named("newsletter:publication_create"), EDITOR_PAGE)],
    "newsletter:publication_edit": [
        Case(news_url("newsletter:publication_edit", "publication", "pk", "pk"), EDITOR_PAGE)
    ],
}


def own_api_token_url(world: World, role: str) -> str | None:
    token = world.api_tokens.get(role)
    return reverse("api_tokens:revoke", kwargs={"pk": token.pk}) if token else None


def others_api_token_url(world: World, role: str) -> str:
    return reverse("api_tokens:revoke", kwargs={"pk": world.api_tokens["other"].pk})


# The JSON API reads only a bearer token, never the session: logged in or not, a browser gets the
# public data (200), a 404 for what needs a token and a 401 from the member operations.
PUBLIC_API = expect(200, 200)
TOKEN_ONLY_API = expect(401, 401)
API_MATRIX: dict[str, list[Case]] = {
    "api_tokens:list": [
        Case(named("api_tokens:list"), only(MEMBERS, 200)),
        Case(
            named("api_tokens:list"),
            only(MEMBERS, 200),
            method="post",
            data={"name": "Matrix", "expires_in_days": "30"},
            label="make a token",
        ),
    ],
    "api_tokens:revoke": [
        Case(own_api_token_url, only(MEMBERS, 200, denied=404), label="own token: confirmation"),
        Case(own_api_token_url, only(MEMBERS, 302, denied=404), method="post", label="own token: revoke"),
        Case(others_api_token_url, expect(LOGIN, 404), label="someone else's token"),
        Case(others_api_token_url, expect(LOGIN, 404), method="post", label="someone else's token: revoke"),
    ],
    "api:api-root": [Case(fixed("/api/"), expect(404, 404))],
    "api:openapi-view": [Case(named("api:openapi-view"), PUBLIC_API)],
    "api:openapi-json": [Case(named("api:openapi-json"), PUBLIC_API)],
    "api:documents": [Case(named("api:documents"), PUBLIC_API)],
    "api:document": [
        Case(lambda w, r: f"/api/documents/{w.library['public'].pk}", PUBLIC_API, label="public"),
        Case(lambda w, r: f"/api/documents/{w.library['members'].pk}", expect(404, 404), label="members only"),
    ],
    "api:news": [Case(named("api:news"), PUBLIC_API)],
    "api:news_item": [
        Case(lambda w, r: f"/api/news/{w.news['public'].slug}", PUBLIC_API, label="public"),
        Case(lambda w, r: f"/api/news/{w.news['members'].slug}", expect(404, 404), label="members only"),
    ],
    "api:publications": [Case(named("api:publications"), PUBLIC_API)],
    "api:publication": [
        Case(lambda w, r: f"/api/publications/{w.news['publication'].slug}", PUBLIC_API, label="public"),
        Case(
            lambda w, r: f"/api/publications/{w.news['members_publication'].slug}",
            expect(404, 404),
            label="members only",
        ),
    ],
    "api:editions": [Case(named("api:editions"), PUBLIC_API)],
    "api:edition": [
        Case(lambda w, r: f"/api/editions/{w.news['sent'].number}", PUBLIC_API, label="public"),
        Case(lambda w, r: f"/api/editions/{w.news['members_sent'].number}", expect(404, 404), label="members only"),
    ],
    "api:events": [Case(named("api:events"), PUBLIC_API)],
    "api:event": [
        Case(lambda w, r: f"/api/events/{w.public_event.slug}", PUBLIC_API, label="public"),
        Case(lambda w, r: f"/api/events/{w.event.slug}", expect(404, 404), label="members only"),
    ],
    "api:bodies": [Case(named("api:bodies"), PUBLIC_API)],
    "api:body": [Case(lambda w, r: f"/api/bodies/{w.body.code}", PUBLIC_API)],
    "api:members": [Case(named("api:members"), TOKEN_ONLY_API)],
    "api:member": [Case(lambda w, r: f"/api/members/{w.other_member.pk}", TOKEN_ONLY_API)],
    "api:me": [Case(named("api:me"), TOKEN_ONLY_API)],
    "api:my_registrations": [Case(named("api:my_registrations"), TOKEN_ONLY_API)],
}


def sel(default: int | str, anonymous: int | str = LOGIN, **per: int | str) -> dict[str, int | str]:
    """Expected outcome for anonymous, every role and every selection persona: `default` for
    those not named."""
    table: dict[str, int | str] = {ANONYMOUS: anonymous}
    for key in [*Role.values, *SELECTION_PERSONAS]:
        table[key] = per.get(key, default)
    return table


def selection_url(name: str, key: str = "procedure", **extra: Any) -> Callable[[World, str], str]:
    def build(w: World, r: str) -> str:
        kwargs: dict[str, Any] = {"pk": w.selection["procedure"].pk}
        if key != "procedure":
            kwargs["application"] = w.selection[key].pk
        for name_, attribute in extra.items():
            kwargs[name_] = w.selection[attribute].pk
        return reverse(name, kwargs=kwargs)

    return build


def final_advice_url(name: str) -> Callable[[World, str], str]:
    """The URL after the chair has finalised the world's draft advice (undone with the test's
    savepoint, like every other change a case makes)."""

    def build(w: World, r: str) -> str:
        from selection import services as selection_services
        from selection.models import Advice, SelectionProcedure

        # A fresh copy: finalising changes the object, and the world's own must stay as built.
        procedure = SelectionProcedure.objects.get(pk=w.selection["procedure"].pk)
        if not Advice.objects.filter(procedure=procedure, finalised_at__isnull=False).exists():
            selection_services.finalise_advice(procedure=procedure, user=w.users["selection_chair"])
        return reverse(name, kwargs={"pk": procedure.pk})

    return build


# Who sees the procedure: the branch's secretary (the branch official role), the invited adviser (the
# adviser role) and the committee. Everyone else, administrators included, is told it does not exist.
PROCEDURE_READERS = {
    "branch_official": 200,
    "adviser": 200,
    "selection_chair": 200,
    "selection_committee": 200,
    "selection_conflicted": 200,
}
# The outsider's application: as above, but not for the committee member with a conflict of interest.
CONFLICTED_READERS = {**PROCEDURE_READERS, "selection_conflicted": 404}
SECRETARY_ONLY = sel(404, branch_official=200)
MEMBER_RECORDS = {
    "member": 200,
    "branch_official": 200,
    **dict.fromkeys(SELECTION_PERSONAS, 200),
}
SELECTION_MATRIX: dict[str, list[Case]] = {
    "selection:calls": [Case(named("selection:calls"), sel(200, anonymous=200))],
    "selection:call": [
        Case(lambda w, r: w.selection["procedure"].get_call_url(), sel(200, anonymous=200), label="published"),
        Case(
            lambda w, r: w.selection["draft"].get_call_url(),
            sel(404, anonymous=404, branch_official=200),
            label="draft: a preview for the branch",
        ),
    ],
    # Those who read the applications get an explanation why they cannot apply (also a 200).
    "selection:apply": [
        Case(
            lambda w, r: reverse("selection:apply", kwargs={"slug": w.selection["procedure"].slug}),
            sel(200, anonymous=200),
        ),
        Case(
            lambda w, r: reverse("selection:apply", kwargs={"slug": w.selection["draft"].slug}),
            sel(404, anonymous=404, branch_official=200),
            label="draft",
        ),
    ],
    # The status page is reached with the secret link from the e-mails, by anyone holding it.
    "selection:status": [
        Case(lambda w, r: w.selection["own"].get_status_url(), sel(200, anonymous=200)),
        Case(fixed("/kandidaat-worden/aanmelding/vervalst/"), sel(404, anonymous=404), label="forged link"),
    ],
    "selection:my_applications": [Case(named("selection:my_applications"), sel(403, **MEMBER_RECORDS))],
    "selection:procedures": [
        Case(named("selection:procedures"), sel(403, **{**PROCEDURE_READERS, "selection_other_official": 200}))
    ],
    "selection:procedure_create": [
        Case(named("selection:procedure_create"), sel(403, branch_official=200, selection_other_official=200))
    ],
    "selection:procedure": [Case(selection_url("selection:procedure"), sel(404, **PROCEDURE_READERS))],
    "selection:procedure_edit": [Case(selection_url("selection:procedure_edit"), SECRETARY_ONLY)],
    "selection:criteria": [Case(selection_url("selection:criteria"), SECRETARY_ONLY)],
    "selection:committee": [Case(selection_url("selection:committee"), SECRETARY_ONLY)],
    "selection:mails": [Case(selection_url("selection:mails"), SECRETARY_ONLY)],
    "selection:procedure_action": [
        Case(selection_url("selection:procedure_action"), sel(405, anonymous=405), label="GET"),
        Case(
            selection_url("selection:procedure_action"),
            sel(404, branch_official=302),
            method="post",
            data={"action": "nothing"},
        ),
    ],
    "selection:advice": [Case(selection_url("selection:advice"), sel(404, **PROCEDURE_READERS))],
    # The files exist once the advice is final: before that everybody gets the 404 that says why.
    "selection:advice_pdf": [
        Case(selection_url("selection:advice_pdf"), sel(404), label="draft advice"),
        Case(final_advice_url("selection:advice_pdf"), sel(404, **PROCEDURE_READERS), label="final advice"),
    ],
    "selection:advice_docx": [
        Case(selection_url("selection:advice_docx"), sel(404), label="draft advice"),
        Case(final_advice_url("selection:advice_docx"), sel(404, **PROCEDURE_READERS), label="final advice"),
    ],
    "selection:application": [
        Case(selection_url("selection:application", "conflicted"), sel(404, **CONFLICTED_READERS), label="conflict"),
        Case(selection_url("selection:application", "own"), sel(404, **PROCEDURE_READERS), label="no conflict"),
    ],
    "selection:cv": [
        Case(selection_url("selection:cv", "conflicted"), sel(404, **CONFLICTED_READERS), label="conflict"),
        Case(selection_url("selection:cv", "own"), sel(404, **PROCEDURE_READERS), label="no conflict"),
    ],
    # The committee scores; the secretary and the adviser read only.
    "selection:score": [
        Case(
            selection_url("selection:score", "conflicted"),
            sel(404, selection_chair=200, selection_committee=200),
            label="conflict",
        ),
        Case(
            selection_url("selection:score", "own"),
            sel(404, selection_chair=200, selection_committee=200, selection_conflicted=200),
            label="no conflict",
        ),
    ],
    "selection:conflict": [
        Case(
            selection_url("selection:conflict", "own"),
            sel(404, selection_chair=200, selection_committee=200, selection_conflicted=200),
        )
    ],
    "selection:application_status": [
        Case(selection_url("selection:application_status", "conflicted"), sel(405, anonymous=405), label="GET"),
        Case(
            selection_url("selection:application_status", "conflicted"),
            sel(404, branch_official=302, selection_chair=302),
            method="post",
            data={"status": "invited"},
            label="conflict",
        ),
    ],
    "selection:interview_add": [
        Case(selection_url("selection:interview_add", "conflicted"), sel(405, anonymous=405), label="GET"),
        Case(
            selection_url("selection:interview_add", "conflicted"),
            sel(404, branch_official=302, selection_chair=302, selection_committee=302),
            method="post",
            label="conflict",
        ),
    ],
    "selection:interview": [
        Case(
            selection_url("selection:interview", "conflicted", interview="interview"),
            sel(404, branch_official=200, selection_chair=200, selection_committee=200),
            label="conflict",
        )
    ],
}


# === networks (issue 22) ====================================================================
# A topic network "wonen" (the member role joined it and asked a question; another member asked
# one with an attachment, replied, and wrote a post a moderator hid), the tier network of
# councillors (the member and branch official roles are councillors in Zwolle), and a closed
# network with the expert role's account in it. Personas: a member who moderates "wonen".
NETWORK_PERSONAS = ["network_moderator"]
# Where an expert is sent from any address outside networks (networks.middleware).
TO_OWN_NETWORK = "to own network"


def _networks_world(world: World, users: dict[str, User]) -> None:
    from networks import services as network_services
    from networks.models import Network
    from networks.tests import factories as network_factories

    wonen = network_factories.topic_network()
    councillors = network_factories.tier_network(Network.TierGroup.COUNCILLORS)
    course = network_factories.closed_network("Leergang matrix")
    other = network_factories.member("Otto", "Ander", body=world.body)
    own = users[Role.MEMBER]
    users[Role.EXPERT] = network_factories.expert(course, email="deskundige.matrix@example.org")
    users["network_moderator"] = network_factories.member("Mo", "Derator", mandate=False)
    network_services.appoint_moderator(
        network=wonen, email=users["network_moderator"].email, appointed_by=users[Role.ADMINISTRATOR]
    )
    own_question = network_factories.ask(wonen, own, title="Eigen vraag")
    others_question = network_factories.ask(
        wonen, other, title="Vraag van een ander", files=[network_factories.pdf_upload()]
    )
    others_reply = network_services.reply(thread=own_question, author=other, body="Antwoord van een ander").post
    hidden = network_services.reply(thread=others_question, author=other, body="Verborgen").post
    network_services.hide_post(post=hidden, moderator=users["network_moderator"])
    # A conversation the moderator hid (its opening post): only the moderators still open it.
    hidden_thread = network_factories.ask(wonen, other, title="Verborgen gesprek")
    network_services.hide_post(post=hidden_thread.posts.get(opening=True), moderator=users["network_moderator"])
    tier_thread = network_factories.ask(councillors, other, title="Raadsvraag")
    course_thread = network_services.start_thread(
        network=course, author=users[Role.EXPERT], kind="discussion", title="Van de deskundige", body="x"
    ).post.thread
    network_services.invite_members(network=course, users=[own, other], invited_by=users[Role.ADMINISTRATOR])
    world.networks = {
        "wonen": wonen,
        "councillors": councillors,
        "course": course,
        "own_question": own_question,
        "others_question": others_question,
        "own_post": own_question.posts.get(opening=True),
        "others_post": others_question.posts.get(opening=True),
        "others_reply": others_reply,
        "hidden": hidden,
        "hidden_thread": hidden_thread,
        "attachment": others_question.posts.get(opening=True).attachments.get(),
        "tier_thread": tier_thread,
        "course_thread": course_thread,
        "own_invitation": course.invitations.get(user=own),
        "others_invitation": course.invitations.get(user=other),
        "token": network_services.unsubscribe_token(wonen.memberships.get(user=other)),
        "expert_home": course.get_absolute_url(),
    }


def net(default: int | str, anonymous: int | str = LOGIN, **per: int | str) -> dict[str, int | str]:
    """Expected outcome for anonymous, every role (the expert included) and the network personas."""
    table: dict[str, int | str] = {ANONYMOUS: anonymous}
    for key in [*Role.values, *NETWORK_PERSONAS]:
        table[key] = per.get(key, default)
    return table


def network_url(name: str, key: str = "wonen") -> Callable[[World, str], str]:
    """The URL `name` for world.networks[key]: a network (slug), a thread (slug and pk), or a post,
    attachment or invitation (pk)."""

    def build(w: World, r: str) -> str:
        target = w.networks[key]
        if name in ("networks:thread", "networks:mark_helpful"):
            kwargs: dict[str, Any] = {"slug": target.network.slug, "pk": target.pk}
        elif hasattr(target, "slug"):
            kwargs = {"slug": target.slug}
        else:
            kwargs = {"pk": target.pk}
        return reverse(name, kwargs=kwargs)

    return build


# Readers of the topic network: association members, the advisers and administrators, its moderator.
WONEN_READERS = {"member": 200, "branch_official": 200, "adviser": 200, "administrator": 200, "network_moderator": 200}
# Who posts there: who joined (the member role), advisers, the moderator; the others read only.
WONEN_POSTERS = {"member": 302, "adviser": 302, "network_moderator": 302, "branch_official": 403, "administrator": 403}
NETWORKS_MATRIX: dict[str, list[Case]] = {
    "networks:overview": [
        Case(
            named("networks:overview"),
            net(
                403,
                member=200,
                branch_official=200,
                adviser=200,
                administrator=200,
                network_moderator=200,
                expert=TO_OWN_NETWORK,
            ),
        )
    ],
    "networks:code_of_conduct": [
        Case(
            named("networks:code_of_conduct"),
            net(
                403, member=200, branch_official=200, adviser=200, administrator=200, network_moderator=200, expert=200
            ),
        )
    ],
    # Search: everybody who uses networks (the expert too: their one network); the results are
    # limited to the networks each may read (networks/tests/test_search.py).
    "networks:search": [
        Case(
            lambda w, r: reverse("networks:search") + "?q=vraag",
            net(
                403, member=200, branch_official=200, adviser=200, administrator=200, network_moderator=200, expert=200
            ),
        )
    ],
    "networks:manage": [
        Case(named("networks:manage"), net(403, administrator=200)),
        Case(
            named("networks:manage"),
            net(403, administrator=302),
            method="post",
            data={"kind": "closed", "name": "Matrixnetwerk"},
            label="make a network",
        ),
    ],
    # The link in the e-mails works for whoever holds it; a forged token for nobody.
    "networks:unsubscribe": [
        Case(lambda w, r: reverse("networks:unsubscribe", kwargs={"token": w.networks["token"]}), net(200, 200)),
        Case(
            lambda w, r: reverse("networks:unsubscribe", kwargs={"token": w.networks["token"]}),
            net(204, 204),
            method="post",
            data={"List-Unsubscribe": "One-Click"},
            label="one click",
        ),
        Case(fixed("/netwerken/afmelden/vervalst/"), net(404, 404), label="forged token"),
    ],
    "networks:answer_invitation": [
        Case(network_url("networks:answer_invitation", "own_invitation"), net(405, 405), label="GET"),
        Case(
            network_url("networks:answer_invitation", "own_invitation"),
            net(404, member=302),
            method="post",
            data={"answer": "accept"},
            label="own invitation",
        ),
        Case(
            network_url("networks:answer_invitation", "others_invitation"),
            net(404),
            method="post",
            data={"answer": "accept"},
            label="someone else's invitation",
        ),
    ],
    "networks:report_post": [
        Case(network_url("networks:report_post", "others_post"), net(404, **WONEN_READERS), label="another's post"),
        Case(
            network_url("networks:report_post", "others_post"),
            net(404, **dict.fromkeys(WONEN_READERS, 302)),
            method="post",
            data={"reason": "Op de persoon"},
            label="another's post: report",
        ),
        Case(
            network_url("networks:report_post", "own_post"),
            net(404, **{**WONEN_READERS, "member": 403}),
            label="own post",
        ),
        Case(
            network_url("networks:report_post", "hidden"),
            net(404, administrator=403, network_moderator=403),
            label="a hidden post",
        ),
    ],
    "networks:moderate_post": [
        Case(network_url("networks:moderate_post", "others_post"), net(405, 405), label="GET"),
        Case(
            network_url("networks:moderate_post", "others_post"),
            net(404, administrator=302, network_moderator=302),
            method="post",
            data={"action": "hide"},
        ),
    ],
    "networks:attachment": [
        Case(network_url("networks:attachment", "attachment"), net(404, **WONEN_READERS)),
    ],
    "networks:network": [
        Case(network_url("networks:network", "wonen"), net(404, **WONEN_READERS), label="topic network"),
        Case(
            network_url("networks:network", "councillors"),
            net(404, member=200, branch_official=200, adviser=200, administrator=200),
            label="tier network",
        ),
        Case(
            network_url("networks:network", "course"),
            net(404, adviser=200, administrator=200, expert=200),
            label="closed network",
        ),
    ],
    "networks:new_thread": [
        Case(
            network_url("networks:new_thread", "wonen"),
            net(404, **{**WONEN_READERS, "branch_official": 403, "administrator": 403}),
            label="topic network",
        ),
        Case(
            network_url("networks:new_thread", "wonen"),
            net(404, **WONEN_POSTERS),
            method="post",
            data={"kind": "question", "title": "Matrixvraag", "body": "Tekst"},
            label="topic network: post",
        ),
        Case(
            network_url("networks:new_thread", "course"),
            net(404, adviser=200, administrator=403, expert=200),
            label="closed network",
        ),
    ],
    "networks:membership": [
        Case(network_url("networks:membership", "wonen"), net(405, 405), label="GET"),
        # (In this order: joining changes who may choose e-mails.)
        Case(
            network_url("networks:membership", "wonen"),
            net(404, **{**dict.fromkeys(WONEN_READERS, 403), "member": 302}),
            method="post",
            data={"action": "notify", "notify": "daily"},
            label="e-mails",
        ),
        # Refused before the choice is read: who may not choose gets 403 for a wrong choice too.
        Case(
            network_url("networks:membership", "wonen"),
            net(404, **{**dict.fromkeys(WONEN_READERS, 403), "member": 302}),
            method="post",
            data={"action": "notify", "notify": "nooit-bestaand"},
            label="e-mails: no valid choice",
        ),
        Case(
            network_url("networks:membership", "wonen"),
            net(404, **{**dict.fromkeys(WONEN_READERS, 403), "branch_official": 302, "network_moderator": 302}),
            method="post",
            data={"action": "join"},
            label="join",
        ),
        Case(
            network_url("networks:membership", "councillors"),
            net(404, member=403, branch_official=403, adviser=403, administrator=403),
            method="post",
            data={"action": "leave"},
            label="leave a tier network",
        ),
    ],
    "networks:moderate": [
        Case(network_url("networks:moderate", "wonen"), net(404, administrator=200, network_moderator=200)),
        Case(
            network_url("networks:moderate", "wonen"),
            net(404, administrator=302, network_moderator=302),
            method="post",
            data={"action": "nothing"},
        ),
        # A topic network has no invitations (networks.invite_members: closed networks only).
        Case(
            network_url("networks:moderate", "wonen"),
            net(404, administrator=403, network_moderator=403),
            method="post",
            data={"action": "invite_members", "emails": "", "event": ""},
            label="invite members",
        ),
        Case(network_url("networks:moderate", "course"), net(404, administrator=200), label="another network"),
    ],
    "networks:settings": [
        Case(network_url("networks:settings", "wonen"), net(403, administrator=200)),
        Case(
            network_url("networks:settings", "wonen"),
            net(403, administrator=302),
            method="post",
            data={"action": "nothing"},
        ),
    ],
    "networks:thread": [
        Case(network_url("networks:thread", "others_question"), net(404, **WONEN_READERS), label="topic network"),
        Case(
            network_url("networks:thread", "others_question"),
            net(404, **WONEN_POSTERS),
            method="post",
            data={"body": "Een reactie"},
            label="topic network: reply",
        ),
        # Refused before the form is read: who may not reply gets 403 for an empty reply too.
        Case(
            network_url("networks:thread", "others_question"),
            net(404, **{**dict.fromkeys(WONEN_POSTERS, 200), "branch_official": 403, "administrator": 403}),
            method="post",
            data={"body": ""},
            label="topic network: empty reply",
        ),
        Case(
            network_url("networks:thread", "hidden_thread"),
            net(404, administrator=200, network_moderator=200),
            label="a hidden conversation",
        ),
        Case(
            network_url("networks:thread", "hidden_thread"),
            net(404, administrator=403, network_moderator=403),
            method="post",
            data={"body": "Een reactie"},
            label="a hidden conversation: reply",
        ),
        Case(
            network_url("networks:thread", "tier_thread"),
            net(404, member=200, branch_official=200, adviser=200, administrator=200),
            label="tier network",
        ),
        Case(
            network_url("networks:thread", "course_thread"),
            net(404, adviser=200, administrator=200, expert=200),
            label="closed network",
        ),
    ],
    "networks:mark_helpful": [
        Case(network_url("networks:mark_helpful", "own_question"), net(405, 405), label="GET"),
        Case(
            lambda w, r: reverse(
                "networks:mark_helpful", kwargs={"slug": "wonen", "pk": w.networks["own_question"].pk}
            ),
            net(404, **{**dict.fromkeys(WONEN_READERS, 403), "member": 302}),
            method="post",
            data={"post": "none"},
            label="own question",
        ),
        Case(
            network_url("networks:mark_helpful", "others_question"),
            net(404, **dict.fromkeys(WONEN_READERS, 403)),
            method="post",
            data={"post": "none"},
            label="another's question",
        ),
        # Refused before the choice is read: a reply that is not in the question gets 403 too.
        Case(
            network_url("networks:mark_helpful", "others_question"),
            net(404, **dict.fromkeys(WONEN_READERS, 403)),
            method="post",
            data={"post": "0"},
            label="another's question: no such reply",
        ),
    ],
}
# === end of networks ==========================================================================


MATRIX: dict[str, list[Case]] = {
    # --- core ---
    "core:home": [Case(named("core:home"), expect(200, 200))],
    "core:body_list": [Case(named("core:body_list"), expect(LOGIN, 200))],
    "core:body_detail": [
        Case(lambda w, r: reverse("core:body_detail", kwargs={"code": w.body.code}), expect(LOGIN, 200)),
        Case(fixed("/bestuursorganen/GM9999/"), expect(LOGIN, 404), label="unknown body"),
    ],
    "healthz": [Case(named("healthz"), expect(200, 200))],
    "theme_css": [Case(named("theme_css"), expect(200, 200))],
    "association_logo": [Case(named("association_logo"), expect(404, 404), label="no logo set")],
    "set_language": [
        Case(named("set_language"), expect(302, 302), method="post", data={"language": "en", "next": "/"}),
    ],
    # --- accounts ---
    "accounts:accept_invitation": [
        Case(
            lambda w, r: reverse("accounts:accept_invitation", kwargs={"token": w.tokens["pending"]}), expect(200, 409)
        ),
        Case(
            lambda w, r: reverse("accounts:accept_invitation", kwargs={"token": w.tokens["accepted"]}), expect(410, 410)
        ),
        Case(
            lambda w, r: reverse("accounts:accept_invitation", kwargs={"token": w.tokens["expired"]}), expect(410, 410)
        ),
        Case(fixed("/uitnodiging/onzin/"), expect(404, 404)),
    ],
    "accounts:invitation_list": [Case(named("accounts:invitation_list"), only({Role.ADMINISTRATOR}, 200))],
    "accounts:invitation_create": [Case(named("accounts:invitation_create"), only({Role.ADMINISTRATOR}, 200))],
    "accounts:invitation_resend": [
        Case(lambda w, r: reverse("accounts:invitation_resend", kwargs={"pk": w.invitation.pk}), expect(405, 405)),
        Case(
            lambda w, r: reverse("accounts:invitation_resend", kwargs={"pk": w.invitation.pk}),
            only({Role.ADMINISTRATOR}, 302),
            method="post",
        ),
    ],
    "accounts:invitation_revoke": [
        Case(lambda w, r: reverse("accounts:invitation_revoke", kwargs={"pk": w.invitation.pk}), expect(405, 405)),
        Case(
            lambda w, r: reverse("accounts:invitation_revoke", kwargs={"pk": w.invitation.pk}),
            only({Role.ADMINISTRATOR}, 302),
            method="post",
        ),
    ],
    # --- members ---
    "members:member_detail": [
        Case(own_member_url("members:member_detail"), expect(LOGIN, 200), label="own"),
        # Member pages are hidden (404, not 403) from roles outside the association.
        Case(
            lambda w, r: reverse("members:member_detail", kwargs={"pk": w.other_member.pk}),
            only(STAFF | MEMBERS, 200, denied=404),
            label="other",
        ),
        Case(
            lambda w, r: reverse("members:member_detail", kwargs={"pk": w.lapsed_member.pk}),
            only(STAFF, 200, denied=404),
            label="lapsed member",
        ),
    ],
    "members:member_photo": [
        Case(own_member_url("members:member_photo"), expect(LOGIN, 200), label="own"),
        Case(
            lambda w, r: reverse("members:member_photo", kwargs={"pk": w.other_member.pk}), MEMBER_PAGE, label="other"
        ),
        Case(
            lambda w, r: reverse("members:member_photo", kwargs={"pk": w.hidden_photo_member.pk}),
            {**only(STAFF | MEMBERS, 404), Role.GRIFFIE_CONTACT: 403},
            label="photo visible to nobody",
        ),
    ],
    "members:directory": [Case(named("members:directory"), MEMBER_PAGE)],
    "members:branch_detail": [
        Case(
            lambda w, r: reverse(
                "members:branch_detail",
                kwargs={"slug": w.users[Role.BRANCH_OFFICIAL].member.branch_functions.first().branch.slug},
            ),
            MEMBER_PAGE,
        )
    ],
    "members:profile": [Case(named("members:profile"), OWN_MEMBER_PAGE)],
    "members:mandate_propose": [Case(named("members:mandate_propose"), OWN_MEMBER_PAGE)],
    "members:mandate_change": [
        Case(own_mandate_url, OWN_MEMBER_PAGE, label="own"),
        Case(
            lambda w, r: reverse("members:mandate_change", kwargs={"pk": w.other_mandate.pk}),
            only(MEMBERS, 404),
            label="another member's",
        ),
    ],
    "members:data_export": [Case(named("members:data_export"), OWN_MEMBER_PAGE)],
    "members:erasure_request": [Case(named("members:erasure_request"), OWN_MEMBER_PAGE)],
    "members:inbox": [Case(named("members:inbox"), OWN_MEMBER_PAGE)],
    "members:thread": [
        Case(lambda w, r: reverse("members:thread", kwargs={"pk": w.other_member.pk}), OWN_MEMBER_PAGE),
        Case(
            lambda w, r: reverse("members:thread", kwargs={"pk": w.lapsed_member.pk}),
            only(MEMBERS, 404),
            label="lapsed member",
        ),
    ],
    "members:block": [
        Case(lambda w, r: reverse("members:block", kwargs={"pk": w.other_member.pk}), expect(405, 405)),
        Case(
            lambda w, r: reverse("members:block", kwargs={"pk": w.other_member.pk}), only(MEMBERS, 302), method="post"
        ),
    ],
    "members:report_message": [
        Case(received_message_url, OWN_MEMBER_PAGE, label="a message I received"),
        Case(
            lambda w, r: reverse("members:report_message", kwargs={"pk": w.others_message.pk}),
            only(MEMBERS, 404),
            label="a message someone else received",
        ),
    ],
    "members:mandate_reviews": [Case(named("members:mandate_reviews"), ADMINISTRATOR_PAGE)],
    "members:mandate_review": [
        Case(lambda w, r: reverse("members:mandate_review", kwargs={"pk": w.pending_mandate.pk}), expect(405, 405)),
        Case(
            lambda w, r: reverse("members:mandate_review", kwargs={"pk": w.pending_mandate.pk}),
            only({Role.ADMINISTRATOR}, 302),
            method="post",
            data={"decision": "approve"},
        ),
    ],
    "members:import_upload": [Case(named("members:import_upload"), ADMINISTRATOR_PAGE)],
    "members:import_detail": [
        Case(lambda w, r: reverse("members:import_detail", kwargs={"pk": w.import_batch.pk}), ADMINISTRATOR_PAGE)
    ],
    "members:invite_bulk": [Case(named("members:invite_bulk"), ADMINISTRATOR_PAGE)],
    "members:invite_run": [
        Case(lambda w, r: reverse("members:invite_run", kwargs={"pk": w.invitation_run.pk}), ADMINISTRATOR_PAGE)
    ],
    "members:export": [Case(named("members:export"), ADMINISTRATOR_PAGE)],
    "core:manage": [
        Case(
            named("core:manage"),
            only({Role.ADMINISTRATOR, Role.EDITOR, Role.EVENT_ORGANISER, Role.PROGRAMME_OFFICER} | DESK_STAFF, 200),
        )
    ],
    # --- events ---
    "events:list": [Case(named("events:list"), expect(200, 200))],
    "events:archive": [Case(named("events:archive"), expect(200, 200))],
    "events:detail": [
        Case(lambda w, r: w.event.get_absolute_url(), MEMBER_PAGE_WITH_ORGANISER, label="members' event"),
        Case(
            lambda w, r: w.invited_event.get_absolute_url(),
            {**only({Role.ADMINISTRATOR}, 200, denied=404)},
            label="by invitation, nobody invited",
        ),
        Case(lambda w, r: w.public_event.get_absolute_url(), expect(200, 200), label="public"),
    ],
    "events:register": [
        # Members get the form; everyone else has no member record to register with.
        Case(
            lambda w, r: reverse("events:register", kwargs={"slug": w.event.slug}),
            {**MEMBER_PAGE_WITH_ORGANISER, **dict.fromkeys(STAFF, 403)},
        ),
        Case(
            lambda w, r: reverse("events:register", kwargs={"slug": w.public_event.slug}),
            {**expect(302, 302), **dict.fromkeys(MEMBERS, 200)},
            label="public: non-members go to the guest form",
        ),
    ],
    "events:guest_register": [
        Case(lambda w, r: reverse("events:guest_register", kwargs={"slug": w.public_event.slug}), expect(200, 200)),
        Case(
            lambda w, r: reverse("events:guest_register", kwargs={"slug": w.event.slug}),
            expect(404, 404),
            label="members only",
        ),
    ],
    "events:ics": [Case(lambda w, r: reverse("events:ics", kwargs={"slug": w.event.slug}), MEMBER_PAGE_WITH_ORGANISER)],
    # Registration pages are reached with the private token from the e-mail, by anyone holding it.
    "events:registration": [
        Case(
            lambda w, r: reverse("events:registration", kwargs={"token": w.other_registration.token}), expect(200, 200)
        ),
        Case(fixed("/inschrijving/onzin/"), expect(404, 404), label="unknown token"),
    ],
    "events:guest_confirm": [
        Case(
            lambda w, r: reverse("events:guest_confirm", kwargs={"token": w.other_registration.token}), expect(200, 200)
        )
    ],
    "events:invoice": [
        Case(lambda w, r: reverse("events:invoice", kwargs={"token": w.other_registration.token}), expect(200, 200))
    ],
    "events:certificate": [
        Case(lambda w, r: reverse("events:certificate", kwargs={"token": w.past_registration.token}), expect(200, 200))
    ],
    "events:evaluate": [
        Case(lambda w, r: reverse("events:evaluate", kwargs={"token": w.past_registration.token}), expect(200, 200)),
        Case(
            lambda w, r: reverse("events:evaluate", kwargs={"token": w.other_registration.token}),
            expect(404, 404),
            label="before the event",
        ),
    ],
    "events:certificate_verify": [
        Case(
            lambda w, r: reverse(
                "events:certificate_verify",
                kwargs={"pk": w.past_registration.pk, "code": certificate_code(w.past_registration)},
            ),
            expect(200, 200),
        ),
        Case(
            lambda w, r: reverse("events:certificate_verify", kwargs={"pk": w.past_registration.pk, "code": "x"}),
            expect(404, 404),
            label="forged",
        ),
    ],
    "events:calendar": [Case(named("events:calendar"), OWN_MEMBER_PAGE)],
    "events:feed": [
        Case(lambda w, r: reverse("events:feed", kwargs={"token": w.feed_token}), expect(200, 200)),
        Case(fixed("/agenda/onzin.ics"), expect(404, 404), label="unknown token"),
    ],
    "events:manage_list": [Case(named("events:manage_list"), ORGANISER_PAGE)],
    "events:create": [Case(named("events:create"), ORGANISER_PAGE)],
    "events:manage": [Case(lambda w, r: reverse("events:manage", kwargs={"slug": w.event.slug}), ORGANISER_PAGE)],
    "events:edit": [Case(lambda w, r: reverse("events:edit", kwargs={"slug": w.event.slug}), ORGANISER_PAGE)],
    "events:export": [Case(lambda w, r: reverse("events:export", kwargs={"slug": w.event.slug}), ORGANISER_PAGE)],
    "events:results": [Case(lambda w, r: reverse("events:results", kwargs={"slug": w.event.slug}), ORGANISER_PAGE)],
    "events:checkin": [
        Case(
            lambda w, r: reverse("events:checkin", kwargs={"slug": w.event.slug, "pk": w.event.sessions.first().pk}),
            ORGANISER_PAGE,
        ),
        Case(
            lambda w, r: reverse(
                "events:checkin", kwargs={"slug": w.invited_event.slug, "pk": w.event.sessions.first().pk}
            ),
            expect(LOGIN, 404),
            label="session of another event",
        ),
    ],
    "events:checkin_scan": [
        Case(
            lambda w, r: reverse("events:checkin_scan", kwargs={"token": w.other_registration.token}),
            {**ORGANISER_PAGE, Role.ADMINISTRATOR: 302, Role.EVENT_ORGANISER: 302},
            label="no session today: back to the event",
        )
    ],
    # --- library ---
    **LIBRARY_MATRIX,
    # --- newsletter ---
    **NEWSLETTER_MATRIX,
    # --- api ---
    **API_MATRIX,
    **anymail_cases(Case, fixed, expect),
    # --- desk ---
    "desk:home": [Case(named("desk:home"), expect(LOGIN, 200))],
    "desk:ask": [Case(named("desk:ask"), only(MEMBERS, 200))],
    "desk:report": [Case(named("desk:report"), only(MEMBERS, 200))],
    "desk:intervision": [Case(named("desk:intervision"), only(MEMBERS, 200))],
    "desk:case": case_cases("desk:case"),
    "desk:safety": case_cases("desk:safety"),
    "desk:access_log": case_cases("desk:access_log"),
    "desk:attachment": case_attachment_cases(),
    "desk:delete_request": case_cases("desk:delete_request", requester_only=True),
    "desk:case_action": [
        *[Case(c.url, expect(405, 405), label=c.label) for c in case_cases("desk:case_action")],
        *[
            Case(
                lambda w, r, key=key: reverse("desk:case_action", kwargs={"reference": w.cases[key].reference}),
                only(readers & DESK_STAFF, 302, denied=404),
                method="post",
                data={"action": "nothing"},
                label=key,
            )
            for key, readers in CASE_READERS.items()
        ],
    ],
    "desk:queue": [Case(named("desk:queue"), only(DESK_STAFF, 200))],
    "desk:overdue": [Case(named("desk:overdue"), only(DESK_STAFF, 200))],
    "desk:statistics": [Case(named("desk:statistics"), only(DESK_STAFF, 200))],
    "desk:intervision_groups": [Case(named("desk:intervision_groups"), only(DESK_STAFF, 200))],
    "desk:organisations": [Case(named("desk:organisations"), only(DESK_STAFF, 200))],
    "desk:helpers": [Case(named("desk:helpers"), only(DESK_STAFF, 200))],
    "desk:manage": [
        Case(
            lambda w, r, key=key: reverse("desk:manage", kwargs={"reference": w.cases[key].reference}),
            only(DESK_STAFF, 200),
            label=f"{key}: metadata only",
        )
        for key in CASE_READERS
    ],
    # --- selection ---
    **SELECTION_MATRIX,
    # --- networks ---
    **NETWORKS_MATRIX,
    # --- programme ---
    "programme:apply": [Case(named("programme:apply"), expect(200, 200))],
    "programme:practices": [Case(named("programme:practices"), expect(200, 200))],
    "programme:practice": [Case(lambda w, r: w.programme["practice"].get_absolute_url(), expect(200, 200))],
    "programme:dashboard": [Case(named("programme:dashboard"), PROGRAMME_OFFICERS)],
    "programme:applications": [Case(named("programme:applications"), PROGRAMME_OFFICERS)],
    "programme:application": [
        Case(
            lambda w, r: reverse("programme:application", kwargs={"pk": w.programme["application"].pk}),
            PROGRAMME_OFFICERS,
        )
    ],
    "programme:tracks": [Case(named("programme:tracks"), PROGRAMME_OFFICERS)],
    "programme:learning_groups": [Case(named("programme:learning_groups"), PROGRAMME_OFFICERS)],
    "programme:track": [
        Case(
            lambda w, r: w.programme["own_track"].get_absolute_url(),
            {**only(PROGRAMME_OFFICE, 200, denied=404), Role.GRIFFIE_CONTACT: 200},
            label="own municipality",
        ),
        Case(
            lambda w, r: w.programme["other_track"].get_absolute_url(),
            only(PROGRAMME_OFFICE, 200, denied=404),
            label="another municipality",
        ),
    ],
    "programme:learning_group": [
        Case(
            lambda w, r: w.programme["own_group"].get_absolute_url(),
            {**only(PROGRAMME_OFFICE, 200, denied=404), Role.GRIFFIE_CONTACT: 200},
            label="with own municipality",
        ),
        Case(
            lambda w, r: w.programme["other_group"].get_absolute_url(),
            only(PROGRAMME_OFFICE, 200, denied=404),
            label="without",
        ),
    ],
    "programme:entitlements": [
        Case(
            lambda w, r: reverse(
                "programme:entitlements", kwargs={"code": w.programme["own_town"].code, "year": w.programme["year"]}
            ),
            {**only(PROGRAMME_OFFICE, 200, denied=404), Role.GRIFFIE_CONTACT: 200},
            label="own municipality",
        ),
        Case(
            lambda w, r: reverse(
                "programme:entitlements", kwargs={"code": w.programme["other_town"].code, "year": w.programme["year"]}
            ),
            only(PROGRAMME_OFFICE, 200, denied=404),
            label="another municipality",
        ),
    ],
    "programme:my_entitlements": [Case(named("programme:my_entitlements"), only(MEMBERS, 200))],
    "programme:budget_requests": [
        Case(named("programme:budget_requests"), only({Role.ADMINISTRATOR, Role.GRIFFIE_CONTACT}, 200))
    ],
    "programme:comparison": [Case(named("programme:comparison"), expect(LOGIN, 200))],
    # --- allauth: account ---
    "account_login": [Case(named("account_login"), expect(200, 302))],
    "account_logout": [Case(named("account_logout"), expect(302, 200))],
    "account_inactive": [Case(named("account_inactive"), expect(200, 200))],
    "account_signup": [Case(named("account_signup"), expect(200, 302))],
    "account_reauthenticate": [Case(named("account_reauthenticate"), expect(LOGIN, 200))],
    "account_email": [Case(named("account_email"), expect(LOGIN, 200))],
    "account_email_verification_sent": [Case(named("account_email_verification_sent"), expect(200, 200))],
    "account_change_password": [Case(named("account_change_password"), expect(LOGIN, 200))],
    "account_set_password": [Case(named("account_set_password"), expect(LOGIN, 302))],
    "account_reset_password": [Case(named("account_reset_password"), expect(200, 200))],
    "account_confirm_login_code": [Case(named("account_confirm_login_code"), expect(LOGIN, 302))],
    "account_confirm_email": [Case(fixed("/account/confirm-email/onzin/"), expect(200, 200))],
    "account_reset_password_from_key_done": [Case(named("account_reset_password_from_key_done"), expect(200, 200))],
    "account_reset_password_from_key": [Case(fixed("/account/password/reset/key/1-onzin/"), expect(200, 200))],
    "account_reset_password_done": [Case(named("account_reset_password_done"), expect(200, 200))],
    # --- allauth: MFA ---
    "mfa_index": [Case(named("mfa_index"), expect(LOGIN, 200))],
    "mfa_authenticate": [Case(named("mfa_authenticate"), expect(LOGIN, 302))],
    # Reauthenticating with a second factor needs one: members without MFA are sent on.
    "mfa_reauthenticate": [Case(named("mfa_reauthenticate"), {**expect(LOGIN, 302), **dict.fromkeys(WITH_MFA, 200)})],
    "mfa_activate_totp": [Case(named("mfa_activate_totp"), expect(LOGIN, 302))],
    "mfa_deactivate_totp": [Case(named("mfa_deactivate_totp"), {**expect(LOGIN, 404), **dict.fromkeys(WITH_MFA, 302)})],
    # Nobody in the matrix has recovery codes yet.
    "mfa_view_recovery_codes": [Case(named("mfa_view_recovery_codes"), expect(LOGIN, 404))],
    "mfa_generate_recovery_codes": [Case(named("mfa_generate_recovery_codes"), expect(LOGIN, 302))],
    "mfa_download_recovery_codes": [Case(named("mfa_download_recovery_codes"), expect(LOGIN, 404))],
    "mfa_list_webauthn": [Case(named("mfa_list_webauthn"), expect(LOGIN, 200))],
    "mfa_add_webauthn": [Case(named("mfa_add_webauthn"), expect(LOGIN, 302))],
    "mfa_reauthenticate_webauthn": [Case(named("mfa_reauthenticate_webauthn"), expect(LOGIN, 302))],
    "mfa_remove_webauthn": [
        Case(lambda w, r: reverse("mfa_remove_webauthn", kwargs={"pk": w.other_webauthn.pk}), expect(LOGIN, 302))
    ],
    "mfa_edit_webauthn": [
        Case(lambda w, r: reverse("mfa_edit_webauthn", kwargs={"pk": w.other_webauthn.pk}), expect(LOGIN, 302))
    ],
}


# --- h18a: confidentiality levels, the requester's level page (issue 18) -------------------------
# Who may change a case's level: the desk may raise it at triage (adviser, counsellor), only the
# requester (and, with consent, the counsellor of a strict case) may lower it. A refused level is
# a redirect back to the triage page with the reason (desk/tests/test_confidentiality.py checks
# that nothing changes); here: who may post at all.
def _case_url(name: str, key: str) -> Callable[[World, str], str]:
    return lambda w, r: reverse(name, kwargs={"reference": w.cases[key].reference})


H18A_MATRIX: dict[str, list[Case]] = {
    "desk:confidentiality": [
        *case_cases("desk:confidentiality", requester_only=True),
        *[
            Case(
                _case_url("desk:confidentiality", key),
                {**only(readers, 403, denied=404), **({Role.MEMBER: 302} if key.endswith("-own") else {})},
                method="post",
                # The level it has (changes nothing, so the order of the roles does not matter).
                data={"action": "level", "confidentiality": key.split("-")[0]},
                label=f"{key}: keep the level",
            )
            for key, readers in CASE_READERS.items()
        ],
    ],
    "desk:manage": [
        *[
            Case(
                _case_url("desk:manage", key),
                only(DESK_STAFF, 302),
                method="post",
                data={"action": "triage", "confidentiality": "normal"},
                label=f"{key}: triage to normal (refused with a message unless allowed)",
            )
            for key in CASE_READERS
        ],
        Case(
            _case_url("desk:manage", "normal-other"),
            {**only({Role.ADVISER}, 404), Role.COUNSELLOR: 403},
            method="post",
            data={"action": "assign", "user": "0"},
            label="assign an unknown user: advisers only get that far",
        ),
    ],
}
for _key, _cases in H18A_MATRIX.items():
    MATRIX.setdefault(_key, []).extend(_cases)
# --- end of h18a block ----------------------------------------------------------------------------


# --- h18b: every view that accepts POST is posted to (issue 18, point 7) ----------------------------
# `posted` makes the POST twin of an entry's GET cases: whoever is refused the page (403, 404, the
# login page) is refused the POST in the same way, and test_authorization then also checks that the
# refused request wrote nothing. Whoever may use the page gets `ok` (200: the form again, with its
# errors; 302: done), or what is named per role. Cases with valid data follow where a POST changes
# something that matters for access.
def posted(
    key: str, ok: int | str = 200, data: dict[str, Any] | None = None, label: str = "", **per_role: int | str
) -> list[Case]:
    cases = []
    for case in MATRIX[key]:
        if case.method != "get":
            continue
        table = {role: (per_role.get(role, ok) if wanted == 200 else wanted) for role, wanted in case.expected.items()}
        cases.append(
            Case(case.url, table, method="post", data=data or {}, label=f"POST {label or 'empty'} {case.label}")
        )
    return cases


def _budget_request_posts() -> list[Case]:
    """The clerk's office of the municipality (the griffie contact role) and the administrator
    decide the member role's budget request; nobody else gets that far (refused, nothing written)."""
    return [
        Case(
            named("programme:budget_requests"),
            only({Role.ADMINISTRATOR, Role.GRIFFIE_CONTACT}, 302),
            method="post",
            data=lambda w: {"request": w.programme["request"].pk, "decision": "approve"},
            label="POST approve the member's request",
        )
    ]


H18B_POSTS: dict[str, list[Case]] = {
    # allauth: the account pages; an empty form is answered with its errors (200), or sent on (302).
    "account_change_password": posted("account_change_password"),
    "account_confirm_email": posted("account_confirm_email", 404, label="(unknown key)"),
    "account_confirm_login_code": posted("account_confirm_login_code"),
    "account_email": posted("account_email", 302),
    "account_login": posted("account_login"),
    "account_logout": posted("account_logout", 302),
    "account_reauthenticate": posted("account_reauthenticate"),
    "account_reset_password": posted("account_reset_password"),
    "account_reset_password_from_key": posted("account_reset_password_from_key"),
    "account_set_password": posted("account_set_password"),
    "account_signup": posted("account_signup"),
    "mfa_activate_totp": posted("mfa_activate_totp"),
    "mfa_add_webauthn": posted("mfa_add_webauthn"),
    "mfa_authenticate": posted("mfa_authenticate"),
    "mfa_deactivate_totp": posted("mfa_deactivate_totp"),
    "mfa_edit_webauthn": posted("mfa_edit_webauthn"),
    "mfa_generate_recovery_codes": posted("mfa_generate_recovery_codes"),
    "mfa_reauthenticate": posted("mfa_reauthenticate"),
    "mfa_reauthenticate_webauthn": posted("mfa_reauthenticate_webauthn"),
    "mfa_remove_webauthn": posted("mfa_remove_webauthn"),
    # accounts
    "accounts:accept_invitation": posted("accounts:accept_invitation"),
    "accounts:invitation_create": [
        *posted("accounts:invitation_create"),
        *posted(
            "accounts:invitation_create",
            302,
            data={"email": "nieuw.h18b@example.org", "name": "Nieuw", "roles": [Role.EDITOR]},
            label="invite an editor",
        ),
        # The desk's roles are not offered: the form again with the error, nothing written.
        *posted(
            "accounts:invitation_create",
            data={"email": "nieuw.h18b@example.org", "name": "Nieuw", "roles": [Role.COUNSELLOR]},
            label="invite a counsellor",
        ),
    ],
    # desk
    "desk:ask": posted("desk:ask"),
    "desk:report": posted("desk:report"),
    "desk:intervision": posted("desk:intervision"),
    "desk:organisations": posted("desk:organisations"),
    # The counsellor role has a helper entry (world.helper) and saves its availability.
    "desk:helpers": posted("desk:helpers", counsellor=302),
    "desk:intervision_groups": posted("desk:intervision_groups", 302),
    # Reading a case by POST is reading it (and logged like a GET).
    "desk:case": posted("desk:case"),
    "desk:delete_request": posted("desk:delete_request", 302),
    # events
    # A new feed address, shown once on the page.
    "events:calendar": posted("events:calendar"),
    "events:checkin": posted("events:checkin", 404, label="(no registration)"),
    "events:checkin_scan": posted("events:checkin_scan"),
    "events:evaluate": posted("events:evaluate"),
    "events:guest_confirm": posted("events:guest_confirm", 302),
    "events:guest_register": posted("events:guest_register"),
    "events:manage": posted("events:manage", 302),
    "events:register": posted("events:register"),
    "events:registration": posted("events:registration", 302),
    # library
    "library:delete": posted("library:delete", 302),
    "library:edit": posted("library:edit"),
    "library:import_review": posted("library:import_review", 302),
    "library:import_upload": posted("library:import_upload"),
    "library:reuse": posted("library:reuse"),
    "library:share": posted("library:share"),
    "library:unsubscribe": posted("library:unsubscribe"),
    # members
    "members:erasure_request": posted("members:erasure_request"),
    "members:import_detail": posted("members:import_detail", 302),
    "members:import_upload": posted("members:import_upload"),
    "members:invite_bulk": posted("members:invite_bulk"),
    "members:mandate_change": posted("members:mandate_change"),
    "members:mandate_propose": posted("members:mandate_propose"),
    "members:profile": posted("members:profile"),
    "members:report_message": posted("members:report_message"),
    "members:thread": posted("members:thread"),
    # newsletter
    "newsletter:compose": posted("newsletter:compose"),
    "newsletter:confirm": posted("newsletter:confirm"),
    "newsletter:news_create": posted("newsletter:news_create"),
    "newsletter:news_edit": posted("newsletter:news_edit"),
    "newsletter:preferences": posted("newsletter:preferences", 302),
    "newsletter:publication_create": posted("newsletter:publication_create"),
    "newsletter:publication_edit": posted("newsletter:publication_edit"),
    "newsletter:subscribe": posted("newsletter:subscribe"),
    "newsletter:unsubscribe": posted("newsletter:unsubscribe"),
    # programme
    "programme:application": posted("programme:application"),
    "programme:apply": posted("programme:apply"),
    "programme:budget_requests": [
        *posted("programme:budget_requests", 404, label="(no request)"),
        *_budget_request_posts(),
    ],
    "programme:entitlements": posted("programme:entitlements"),
    "programme:my_entitlements": posted("programme:my_entitlements"),
    # Without an action: the officers are told so (302), the griffie contact may only comment.
    "programme:track": [
        *posted("programme:track", 302, griffie_contact=403),
        *posted(
            "programme:track",
            302,
            data={"action": "intake", "date": "2026-01-05", "participants": "Griffier"},
            label="intake",
            griffie_contact=403,
        ),
        *posted("programme:track", 302, data={"action": "comment", "body": "Goed plan"}, label="comment"),
    ],
    # selection
    "selection:advice": posted("selection:advice", 404, selection_chair=200),
    "selection:apply": posted("selection:apply"),
    "selection:committee": posted("selection:committee"),
    "selection:conflict": posted("selection:conflict"),
    "selection:criteria": posted("selection:criteria"),
    "selection:interview": posted("selection:interview"),
    "selection:mails": posted("selection:mails", 404, label="(no kind)"),
    "selection:procedure_create": posted("selection:procedure_create"),
    "selection:procedure_edit": posted("selection:procedure_edit"),
    "selection:score": posted("selection:score"),
    "selection:status": posted("selection:status"),
}
for _key, _cases in H18B_POSTS.items():
    MATRIX.setdefault(_key, []).extend(_cases)
# --- end of h18b block ----------------------------------------------------------------------------


# --- h18b: attacks by id (issue 18, point 8) ------------------------------------------------------
# The desk's, selection's and programme's objects addressed by id the way an attacker would: an id
# of someone else's object inside the address of one's own (a second member), of another branch's
# procedure (a second branch), of another municipality (a second municipality), through the site,
# the API (which has no such objects: every guess is a 404) and the back office. Every role and
# person of the world tries; a refused request must write nothing (check_cases).
def _other_towns_request(w: World) -> dict[str, Any]:
    """A budget request in the other municipality, made inside the request's savepoint."""
    from programme.models import BudgetRequest

    other = make_role_user(Role.MEMBER)
    request = BudgetRequest.objects.create(
        member=other.member,
        municipality=w.programme["other_town"],
        year=w.programme["year"],
        amount_cents=500,
        description="Cursus",
    )
    return {"request": request.pk, "decision": "approve"}


def _other_tracks_item(w: World) -> dict[str, Any]:
    item = w.programme["other_track"].plan.create(title="Andermans plan")
    return {"action": "plan_status", "item": item.pk, "status": "done"}


def _mixed_attachment(w: World, r: str) -> str:
    """The member role's own case, with the attachment of another member's case."""
    return reverse(
        "desk:attachment",
        kwargs={"reference": w.cases["normal-own"].reference, "pk": w.cases["normal-other"].attachments.first().pk},
    )


NOBODY = expect(404, 404)
EVERYONE_404 = {**expect(LOGIN, 404), **dict.fromkeys(SELECTION_PERSONAS, 404)}
ATTACKS: dict[str, list[Case]] = {
    "desk": [
        Case(_mixed_attachment, expect(LOGIN, 404), label="own case, another case's attachment"),
        Case(
            lambda w, r: reverse(
                "desk:attachment",
                kwargs={"reference": "HV-0000-0000", "pk": w.cases["normal-other"].attachments.first().pk},
            ),
            expect(LOGIN, 404),
            label="a made-up reference",
        ),
        # The back office never holds a strictly confidential case: its page sends the administrator
        # back ("does not exist"), and what would change or delete it is refused before it is looked up.
        *[
            Case(
                lambda w, r, view=view: reverse(f"admin:desk_case_{view}", args=[w.cases["strict-other"].pk]),
                only({Role.ADMINISTRATOR}, status),
                method=method,
                data={"post": "yes"} if method == "post" else {},
                label=f"back office: {view} a strict case ({method.upper()})",
            )
            for view, method, status in (
                ("change", "get", 302),
                ("history", "get", 302),
                ("change", "post", 403),
                ("delete", "get", 403),
                ("delete", "post", 403),
            )
        ],
        Case(lambda w, r: f"/api/cases/{w.cases['normal-other'].pk}", NOBODY, label="API"),
    ],
    "selection": [
        Case(
            lambda w, r: reverse(
                "selection:application", kwargs={"pk": w.selection["draft"].pk, "application": w.selection["own"].pk}
            ),
            EVERYONE_404,
            label="an application under another procedure's id",
        ),
        Case(
            lambda w, r: reverse(
                "selection:cv", kwargs={"pk": w.selection["draft"].pk, "application": w.selection["own"].pk}
            ),
            EVERYONE_404,
            label="a CV under another procedure's id",
        ),
        Case(
            lambda w, r: reverse(
                "selection:interview",
                kwargs={
                    "pk": w.selection["procedure"].pk,
                    "application": w.selection["own"].pk,
                    "interview": w.selection["interview"].pk,
                },
            ),
            EVERYONE_404,
            label="another application's interview",
        ),
        Case(
            lambda w, r: reverse(
                "selection:application_status",
                kwargs={"pk": w.selection["draft"].pk, "application": w.selection["own"].pk},
            ),
            {**EVERYONE_404, ANONYMOUS: LOGIN},
            method="post",
            data={"status": "rejected"},
            label="reject an application under another procedure's id",
        ),
        *[
            Case(fixed(path), {**only({Role.ADMINISTRATOR}, 404), ANONYMOUS: LOGIN}, label=f"back office {path}")
            for path in ("/admin/selection/application/1/change/", "/admin/selection/application/1/delete/")
        ],
        Case(
            lambda w, r: f"/api/applications/{w.selection['own'].pk}",
            {**NOBODY, **dict.fromkeys(SELECTION_PERSONAS, 404)},
            label="API",
        ),
    ],
    "programme": [
        # Decide a request of another municipality: the griffie contact does not find it (404).
        Case(
            named("programme:budget_requests"),
            {**only({Role.ADMINISTRATOR, Role.GRIFFIE_CONTACT}, 302), Role.GRIFFIE_CONTACT: 404},
            method="post",
            data=_other_towns_request,
            label="decide another municipality's budget request",
        ),
        # Another track's plan item through one's own track: not found for the officers, refused
        # before that to the griffie contact (who may only comment).
        Case(
            lambda w, r: w.programme["own_track"].get_absolute_url(),
            {**only(PROGRAMME_OFFICE, 404, denied=404), Role.GRIFFIE_CONTACT: 403},
            method="post",
            data=_other_tracks_item,
            label="another track's plan item",
        ),
        Case(
            lambda w, r: reverse("admin:programme_track_delete", args=[w.programme["other_track"].pk]),
            only({Role.ADMINISTRATOR}, 200),
            label="back office: delete a track (administrators only)",
        ),
        Case(lambda w, r: f"/api/tracks/{w.programme['other_track'].pk}", NOBODY, label="API"),
    ],
}
# --- end of h18b attacks ---------------------------------------------------------------------------

ADMINISTRATOR_ONLY = only({Role.ADMINISTRATOR}, 200)
# What the back office refuses even to administrators: history is never deleted, the association
# settings are one row, accounts are deactivated rather than deleted, logs are read-only.
ADMIN_REFUSED = {
    "core.body": {"delete"},
    "core.association": {"add", "delete"},
    "accounts.user": {"add", "delete"},
    "accounts.invitation": {"add"},
    # Roles are groups named by their slug; sign-in addresses are their owners' (SECURITY.md).
    "auth.group": {"add", "delete"},
    "account.emailaddress": {"add"},
    "mfa.authenticator": {"add"},
    "auditlog.logentry": {"add", "delete"},
    "django_tasks_database.dbtaskresult": {"add", "delete"},
    "members.message": {"add"},
    "members.block": {"add"},
    "members.privatefieldview": {"add", "delete"},
    "members.erasurerequest": {"add", "delete"},
    "members.importbatch": {"add", "delete"},
    "members.invitationrun": {"add", "delete"},
    "desk.case": {"add", "delete"},
    "programme.budgetrequest": {"add", "delete"},
    "library.document": {"add", "delete"},
    "library.savedsearch": {"add", "delete"},
    "library.importrun": {"add"},
    "library.withdrawal": {"add", "delete"},
    "newsletter.publication": {"add", "delete"},
    "newsletter.edition": {"add", "delete"},
    "newsletter.subscriber": {"add", "delete"},
    "newsletter.bounce": {"add", "delete"},
    "newsletter.delivery": {"add", "delete"},
    "desk.caseaccess": {"add", "delete"},
    "events.registration": {"add", "delete"},
    "events.attendance": {"add", "delete"},
    "events.evaluation": {"add", "delete"},
    "events.calendarfeed": {"add"},
    "events.invoicesequence": {"add", "delete"},
}


# What the back office shows but lets nobody change (records, logs, what a service writes): a
# POST to the change page is refused (403) to administrators too.
ADMIN_READ_ONLY = {
    "account.emailaddress",
    "auth.group",
    "auditlog.logentry",
    "desk.case",
    "desk.caseaccess",
    "django_tasks_database.dbtaskresult",
    "events.attendance",
    "events.calendarfeed",
    "events.evaluation",
    "events.invoicesequence",
    "events.registration",
    "library.document",
    "library.importrun",
    "library.savedsearch",
    "library.withdrawal",
    "members.block",
    "members.importbatch",
    "members.invitationrun",
    "members.message",
    "members.privatefieldview",
    "mfa.authenticator",
    "newsletter.bounce",
    "newsletter.delivery",
    "newsletter.edition",
    "newsletter.suppression",
    "programme.budgetrequest",
}
# What a confirmed delete gives the administrator where the back office allows deleting: 302 (deleted)
# unless named here.
ADMIN_DELETED: dict[str, dict[str, int | str]] = {
    # In a newsletter edition (protected): the page that says so, nothing deleted.
    "newsletter.newsitem": {Role.ADMINISTRATOR: 200},
    # A branch with officials or procedures (protected): the same.
    "members.branch": {Role.ADMINISTRATOR: 200},
    # With rows the back office may not delete (an event's registrations, a member's messages and
    # registrations): Django refuses the whole deletion.
    "events.event": {Role.ADMINISTRATOR: 403},
    "members.member": {Role.ADMINISTRATOR: 403},
}
# Other answers to the back office's POSTs than the rule in admin_cases gives: (model, page) -> status.
ADMIN_POSTED: dict[tuple[str, str], int] = {
    # Every field of an erasure request but its decision is read-only: an empty form is valid, saved.
    ("members.erasurerequest", "change"): 302,
    # Its own action (carry out the erasure) exists without deletion: nothing chosen, back to the list.
    ("members.erasurerequest", "changelist"): 302,
}


def admin_cases() -> dict[str, list[Case]]:
    cases: dict[str, list[Case]] = {
        "admin:index": [Case(named("admin:index"), ADMINISTRATOR_ONLY)],
        "admin:login": [
            Case(named("admin:login"), {**only({Role.ADMINISTRATOR}, 302), ANONYMOUS: LOGIN}),
            Case(
                named("admin:login"),
                {**only({Role.ADMINISTRATOR}, 302), ANONYMOUS: LOGIN},
                method="post",
                data={"username": "x@example.org", "password": "x"},
                label="POST",
            ),
        ],
        "admin:logout": [
            Case(named("admin:logout"), only({Role.ADMINISTRATOR}, 405)),
            Case(named("admin:logout"), only({Role.ADMINISTRATOR}, 200), method="post", label="POST"),
        ],
        "admin:password_change": [
            Case(named("admin:password_change"), ADMINISTRATOR_ONLY),
            Case(named("admin:password_change"), ADMINISTRATOR_ONLY, method="post", label="POST empty form"),
        ],
        "admin:password_change_done": [Case(named("admin:password_change_done"), ADMINISTRATOR_ONLY)],
        "admin:jsi18n": [Case(named("admin:jsi18n"), ADMINISTRATOR_ONLY)],
        "admin:autocomplete": [
            Case(
                fixed("/admin/autocomplete/?app_label=members&model_name=mandate&field_name=body&term=zw"),
                ADMINISTRATOR_ONLY,
            )
        ],
        "admin:view_on_site": [
            Case(
                lambda w, r: reverse(
                    "admin:view_on_site", args=[ContentType.objects.get_for_model(Body).pk, w.body.pk]
                ),
                only({Role.ADMINISTRATOR}, 302),
            )
        ],
        "admin:app_list": [Case(fixed("/admin/core/"), ADMINISTRATOR_ONLY)],
        "admin/(?P<url>.*)$": [Case(fixed("/admin/bestaat/niet/"), only({Role.ADMINISTRATOR}, 404))],
    }
    for model, _model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        refused = ADMIN_REFUSED.get(label, set()) | ({"change"} if label in ADMIN_READ_ONLY else set())

        def status(action: str, refused: set[str] = refused) -> dict[str, int | str]:
            return only({Role.ADMINISTRATOR}, 403 if action in refused else 200)

        def obj_url(name: str, label: str = label) -> Callable[[World, str], str]:
            return lambda w, r: reverse(name, args=[w.admin_objects[label].pk])

        cases[f"{prefix}_changelist"] = [
            Case(named(f"{prefix}_changelist"), status("view")),
            # An action without rows: back to the list with the notice that nothing was chosen
            # (302), or, where nothing may be deleted and so no action exists, the list again (200).
            Case(
                named(f"{prefix}_changelist"),
                only(
                    {Role.ADMINISTRATOR}, ADMIN_POSTED.get((label, "changelist"), 200 if "delete" in refused else 302)
                ),
                method="post",
                data={"action": "delete_selected", "index": "0"},
                label="POST action, no rows",
            ),
        ]
        cases[f"{prefix}_add"] = [
            Case(named(f"{prefix}_add"), status("add")),
            Case(named(f"{prefix}_add"), status("add"), method="post", label="POST empty form"),
        ]
        cases[f"{prefix}_change"] = [
            Case(obj_url(f"{prefix}_change"), status("view")),
            Case(
                obj_url(f"{prefix}_change"),
                {
                    **status("change"),
                    **(
                        {Role.ADMINISTRATOR: ADMIN_POSTED[label, "change"]} if (label, "change") in ADMIN_POSTED else {}
                    ),
                },
                method="post",
                label="POST empty form",
            ),
        ]
        cases[f"{prefix}_delete"] = [
            Case(obj_url(f"{prefix}_delete"), status("delete")),
            Case(
                obj_url(f"{prefix}_delete"),
                {**status("delete"), **ADMIN_DELETED.get(label, {Role.ADMINISTRATOR: 302})}
                if "delete" not in refused
                else status("delete"),
                method="post",
                data={"post": "yes"},
                label="POST confirm",
            ),
        ]
        cases[f"{prefix}_history"] = [Case(obj_url(f"{prefix}_history"), status("view"))]
        # The old-style "<object_id>/" URL redirects to the change page.
        cases[f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"] = [
            Case(
                lambda w, r, label=label: f"/admin/{label.replace('.', '/')}/{w.admin_objects[label].pk}/",
                only({Role.ADMINISTRATOR}, 302),
                method=method,
                label=method.upper(),
            )
            for method in ("get", "post")
        ]
    return cases


FULL_MATRIX = {**MATRIX, **admin_cases()}


# === networks: the expert (deskundige) sees their network and nothing else ===================
def _confine_experts(matrix: dict[str, list[Case]]) -> None:
    """Every address outside networks sends the expert role to their own network, except their own
    account's pages (networks.middleware.EXPERT_VIEWS), where the expectation for everybody holds."""
    from networks.middleware import EXPERT_VIEWS

    for key, cases in matrix.items():
        if key.startswith("networks:") or key.split(":")[-1] in EXPERT_VIEWS:
            continue
        for case in cases:
            case.expected = {**case.expected, Role.EXPERT: TO_OWN_NETWORK}


_confine_experts(FULL_MATRIX)
# The API is outside the expert's confinement (it reads a token, never the session): a 404 there too.
for _cases in ATTACKS.values():
    for _case in _cases:
        if _case.label != "API":
            _case.expected = {**_case.expected, Role.EXPERT: TO_OWN_NETWORK}
# === end of networks ==========================================================================


def url_patterns() -> dict[str, URLPattern]:
    """Every URL pattern of the site by its matrix key: "namespace:name", or the path for an
    unnamed one."""
    found: dict[str, URLPattern] = {}

    def walk(patterns: list[Any], prefix: str = "", namespace: str | None = None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                if pattern.name:
                    found[f"{namespace}:{pattern.name}" if namespace else pattern.name] = pattern
                else:
                    found[prefix + str(pattern.pattern)] = pattern

    walk(get_resolver().url_patterns)
    return found


def all_url_keys() -> set[str]:
    return set(url_patterns())


def test_every_url_is_in_the_matrix() -> None:
    urls = all_url_keys()
    missing = sorted(urls - set(FULL_MATRIX))
    stale = sorted(set(FULL_MATRIX) - urls)
    assert not missing, f"URLs without an authorization-matrix entry: {missing}"
    assert not stale, f"Matrix entries for URLs that no longer exist: {stale}"


# Outcomes that refuse the request: it must then have changed nothing in the database.
REFUSED = {401, 403, 404, 405, 409, 410, LOGIN, TO_OWN_NETWORK}
# Writes a refused request may make: the session (login, language, messages).
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# The audit log too: the back office logs that an administrator opened a member message, also when
# the change it posted is refused; a real change would show as a write to the model's own table.
WRITES_ALLOWED_WHEN_REFUSED = {"django_session", "auditlog_logentry"}


def database_writes(queries: CaptureQueriesContext) -> list[str]:
    """The tables an INSERT, UPDATE or DELETE of the captured queries wrote to (the session excepted)."""
    tables = []
    for query in queries.captured_queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2) not in WRITES_ALLOWED_WHEN_REFUSED:
            tables.append(f"{match.group(1).split()[0].upper()} {match.group(2)}")
    return tables


# The back office's views that take a POST (Django's admin: forms, actions, the log-out).
ADMIN_POST_VIEWS = {"add_view", "change_view", "delete_view", "changelist_view", "login", "logout", "password_change"}


def accepts_post(callback: Callable[..., Any]) -> bool:
    """Whether the view behind a URL pattern takes a POST: a class-based view with a `post` method,
    a function wrapped by require_http_methods/require_POST (the method list in its closure), a
    django-ninja operation, one of the back office's form views, or a function whose code reads
    request.POST or compares request.method with "POST"."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return "post" in view_class.http_method_names and hasattr(view_class, "post")
    function: Any = callback
    while True:
        for cell in getattr(function, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(value, list) and value and all(isinstance(m, str) and m.isupper() for m in value):
                return "POST" in value
            operations = getattr(value, "operations", None)
            if isinstance(operations, list):
                return any("POST" in operation.methods for operation in operations)
        if getattr(function, "__name__", "") in ADMIN_POST_VIEWS:
            return True
        inner = getattr(function, "__wrapped__", None) or getattr(function, "func", None)
        if inner is None:
            break
        function = inner
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    return 'request.method == "POST"' in source or "request.POST" in source


def urls_taking_post() -> set[str]:
    """The matrix keys (see all_url_keys) of every URL whose view takes a POST."""
    return {key for key, pattern in url_patterns().items() if accepts_post(pattern.callback)}


def test_every_url_that_takes_a_post_is_posted_to() -> None:
    """Point 7 of issue 18: a view that accepts POST has POST cases in the matrix, so every role is
    tried on what it changes, not only on what it shows."""
    taking_post = urls_taking_post()
    # The detection itself: views known to take a POST in each of its ways, and ones known not to.
    for known in ("desk:manage", "library:publish", "account_login", "admin:members_member_change", "set_language"):
        assert known in taking_post, known
    for known in ("desk:queue", "api:documents", "library:search", "admin:index"):
        assert known not in taking_post, known
    missing = sorted(key for key in taking_post if not any(case.method == "post" for case in FULL_MATRIX[key]))
    assert not missing, f"Views that accept POST without a POST case in the authorization matrix: {missing}"


def outcome(response: Any) -> int | str:
    if response.status_code == 302 and response["Location"].startswith(reverse("account_login")):
        return LOGIN
    return int(response.status_code)


def rolled_back_world(django_db_blocker: Any) -> Any:
    """The world is built once per module inside a transaction that is rolled back at the end;
    every test runs in a savepoint inside it (pytest-django's own atomic block), so what a test
    changes (a POST that deletes or publishes) is undone before the next test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    yield from rolled_back_world(django_db_blocker)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(FULL_MATRIX))
def test_authorization(key: str, world: World) -> None:
    check_cases(FULL_MATRIX[key], world)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(ATTACKS))
def test_attacks_by_id(key: str, world: World) -> None:
    check_cases(ATTACKS[key], world)


def check_cases(cases: list[Case], world: World, *, stop_early: bool = False) -> None:
    """Make each case's request as every role (and person) it names, and compare the outcome
    (`stop_early`: fail at the first difference; tests/mutation/permission_mutants.py)."""
    failures = []
    checked = 0
    for case in cases:
        # The roles, and the people the case names besides them (e.g. SELECTION_PERSONAS).
        for role in [*ROLES, *(key for key in case.expected if key not in ROLES)]:
            url = case.url(world, role)
            if url is None:  # e.g. "own member page" for a role without a member record
                continue
            client = Client()
            if role != ANONYMOUS:
                client.force_login(world.users[role])
            # Each request in its own savepoint: what one role's POST changes is undone before the
            # next role tries, so every role meets the world as built.
            cache.clear()  # rate limits count per address, and every request here comes from one
            with transaction.atomic():
                data = case.form(world)  # (may make an object for this request only)
                with CaptureQueriesContext(connection) as queries:
                    response = getattr(client, case.method)(url, data)
                transaction.set_rollback(True)
            got, wanted = outcome(response), case.expected[role]
            if role == Role.EXPERT and got == 302 and response["Location"] == world.networks["expert_home"]:
                got = TO_OWN_NETWORK  # networks: see _confine_experts
            checked += 1
            if got != wanted:
                failures.append(f"{case.method.upper()} {url} [{case.label}] as {role}: got {got}, expected {wanted}")
            elif got in REFUSED and (writes := database_writes(queries)):
                failures.append(
                    f"{case.method.upper()} {url} [{case.label}] as {role}: refused ({got}) but wrote {writes}"
                )
            assert not (stop_early and failures), failures[0] if failures else ""
    assert checked, "no request was made"
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(FULL_MATRIX))
def test_staff_without_mfa_can_only_set_it_up(key: str, world: World) -> None:
    """A staff user who has not set up MFA gets nothing but the MFA set-up, whatever the URL."""
    from accounts.middleware import MFA_SETUP_VIEWS

    user = make_role_user(Role.ADVISER, with_mfa=False)
    client = Client()
    client.force_login(user)
    setup_url = reverse("mfa_activate_totp")
    for case in FULL_MATRIX[key]:
        url = case.url(world, Role.ADVISER)
        if url is None:
            continue
        response = getattr(client, case.method)(url, case.form(world))
        name = key.split(":")[-1]
        redirected = response.status_code == 302 and response["Location"].startswith(setup_url)
        if name in MFA_SETUP_VIEWS:
            assert not redirected, f"{url} is part of MFA set-up and must stay reachable"
        else:
            assert redirected, f"{case.method.upper()} {url}: got {response.status_code}, expected MFA set-up"
