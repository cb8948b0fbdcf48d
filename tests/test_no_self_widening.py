"""No role can widen its own access through a field it may write (issue 18, point 2).

Every field that decides who reads or does what can be written somewhere: a case's level, its
assigned person and counsellors; a document's visibility and status; the committee of a selection
procedure; roles (groups) and invitations; branch officials; the municipality links of a griffie
contact. For each, the people who can reach the form or service that writes it try to use it to give
themselves (or another account of theirs, or their role) access they did not have. Each attempt
names what it probes: a request that is refused before the attempt and must still be refused after
it, and the field that must not have changed.

The world is the authorization matrix's (tests/test_authorization_matrix.py); besides its roles an
attempt can act as a second adviser or counsellor (on none of the world's cases) or a second
administrator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse

from core.roles import Role, forget_roles
from tests.factories import MemberFactory, make_role_user
from tests.test_authorization_matrix import LOGIN, World, outcome, rolled_back_world

REFUSED = {403, 404, LOGIN}


@dataclass
class Attempt:
    label: str
    # a role of the world, or "second_adviser", "second_counsellor", "colleague", "member_administrator",
    # "member_colleague"
    who: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World, Any], dict[str, Any]]
    # The access that must stay refused, asked as `probe_as` (default: who), and the field that must
    # stay as it was.
    probe: Callable[[World], str]
    state: Callable[[World], Any]
    probe_as: str = ""
    # What the attempt itself must get: refused (403/404), or a redirect/page that says why (302/200).
    answered: set[int | str] = field(default_factory=lambda: {302, 403, 404})
    # Requests made first (same method), where the widening takes more than one step; whatever they
    # answer, the field and the probe are judged after the last.
    also: list[tuple[Callable[[World], str], Callable[[World, Any], dict[str, Any]]]] = field(default_factory=list)


def case_url(name: str, key: str) -> Callable[[World], str]:
    return lambda w: reverse(name, kwargs={"reference": w.cases[key].reference})


def case_state(key: str) -> Callable[[World], Any]:
    def state(w: World) -> Any:
        case = type(w.cases[key]).objects.get(pk=w.cases[key].pk)
        return case.confidentiality, case.assigned_to_id, sorted(case.counsellors.values_list("pk", flat=True))

    return state


def groups_of(email: str) -> Callable[[World], Any]:
    from accounts.models import User

    return lambda w: sorted(User.objects.get(email=email).groups.values_list("name", flat=True))


def user_form(user: Any, *groups: str) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "is_active": "on",
        "groups": list(Group.objects.filter(name__in=groups).values_list("pk", flat=True)),
    }


def application_url(w: World) -> str:
    return reverse(
        "selection:application", kwargs={"pk": w.selection["procedure"].pk, "application": w.selection["own"].pk}
    )


def officials_of_procedure_branch(w: World) -> Any:
    branch = w.selection["procedure"].branch
    return sorted(branch.officials.values_list("pk", "member_id", "function", "start_date", "end_date"))


def official_form(w: World, appointee: Any) -> dict[str, Any]:
    return {
        "member": appointee.member.pk,
        "branch": w.selection["procedure"].branch_id,
        "function": "secretary",
        "start_date": "2026-01-01",
        "end_date": "",
    }


def branch_form_with_official(w: World, appointee: Any) -> dict[str, Any]:
    """The branch's change page with its officials as they are and one new row: the appointee."""
    branch = w.selection["procedure"].branch
    officials = list(branch.officials.order_by("pk"))
    data: dict[str, Any] = {
        "name": branch.name,
        "slug": branch.slug,
        "kind": branch.kind,
        "province": branch.province_id or "",
        "email": branch.email,
        "municipalities": list(branch.municipalities.values_list("pk", flat=True)),
        "officials-TOTAL_FORMS": len(officials) + 1,
        "officials-INITIAL_FORMS": len(officials),
        "officials-MIN_NUM_FORMS": 0,
        "officials-MAX_NUM_FORMS": 1000,
    }
    rows = [(o.pk, o.member_id, o.function, o.start_date.isoformat(), o.end_date) for o in officials]
    rows.append(("", appointee.member.pk, "secretary", "2026-01-01", None))
    for index, (pk, member, function, start, end) in enumerate(rows):
        prefix = f"officials-{index}-"
        data |= {
            f"{prefix}id": pk,
            f"{prefix}branch": branch.pk,
            f"{prefix}member": member,
            f"{prefix}function": function,
            f"{prefix}start_date": start,
            f"{prefix}end_date": end or "",
        }
    return data


def group_pk(name: str) -> int:
    return Group.objects.get(name=name).pk


def all_groups(w: World) -> Any:
    return sorted(Group.objects.values_list("pk", "name"))


def sign_in_addresses(role: str) -> Callable[[World], Any]:
    from allauth.account.models import EmailAddress

    from accounts.models import User

    def state(w: World) -> Any:
        user = User.objects.get(pk=w.users[role].pk)
        return user.email, sorted(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary"))

    return state


def member_form(member: Any, **changes: Any) -> dict[str, Any]:
    """The back office's member page as it is, with `changes`, and no mandate rows."""
    from django.forms.models import model_to_dict

    data = {
        name: ("" if value is None else value)
        for name, value in model_to_dict(member).items()
        if name not in {"id", "photo", "sort_name", "created_at", "updated_at", "erased_at", "topics"}
    }
    data["member_since"] = member.member_since.isoformat()
    data["topics"] = list(member.topics.values_list("pk", flat=True))
    for name in ("notify_messages", "notify_association_news"):
        if not data[name]:
            del data[name]
    data |= {
        "mandates-TOTAL_FORMS": 0,
        "mandates-INITIAL_FORMS": 0,
        "mandates-MIN_NUM_FORMS": 0,
        "mandates-MAX_NUM_FORMS": 1000,
    }
    return data | changes


ATTEMPTS = [
    # --- the desk: level, assignment, counsellors ---------------------------------------------
    *[
        Attempt(
            f"{who}: lower {key} to normal at triage",
            who,
            "post",
            case_url("desk:manage", key),
            lambda w, me: {"action": "triage", "confidentiality": "normal"},
            case_url("desk:case", key),
            case_state(key),
        )
        for who, key in (
            ("second_adviser", "confidential-other"),
            ("second_adviser", "strict-other"),
            ("second_counsellor", "strict-other"),
            (Role.ADVISER, "strict-other"),
        )
    ],
    *[
        Attempt(
            f"{who}: {action} themselves on {key}",
            who,
            "post",
            case_url("desk:manage", key),
            lambda w, me, action=action: {"action": action, "user": me.pk},
            case_url("desk:case", key),
            case_state(key),
        )
        for who, key, action in (
            ("second_adviser", "confidential-other", "assign"),
            ("second_adviser", "confidential-other", "add_counsellor"),
            ("second_adviser", "strict-other", "assign"),
            ("second_counsellor", "strict-other", "assign"),
            ("second_counsellor", "strict-other", "add_counsellor"),
            ("second_counsellor", "confidential-other", "add_counsellor"),
            (Role.ADVISER, "strict-other", "assign"),
        )
    ],
    Attempt(
        "member: lower another's case from its level page",
        Role.MEMBER,
        "post",
        case_url("desk:confidentiality", "confidential-other"),
        lambda w, me: {"action": "level", "confidentiality": "normal"},
        case_url("desk:case", "confidential-other"),
        case_state("confidential-other"),
    ),
    # --- the library: visibility and status -------------------------------------------------
    Attempt(
        "member: publish another's draft",
        Role.MEMBER,
        "post",
        lambda w: reverse("library:publish", kwargs={"pk": w.library["other_draft"].pk}),
        lambda w, me: {},
        lambda w: reverse("library:document", kwargs={"pk": w.library["other_draft"].pk}),
        lambda w: (
            type(w.library["other_draft"])
            .objects.values_list("status", "visibility")
            .get(pk=w.library["other_draft"].pk)
        ),
    ),
    Attempt(
        "member: edit another's draft into a shared public document",
        Role.MEMBER,
        "post",
        lambda w: reverse("library:edit", kwargs={"pk": w.library["other_draft"].pk}),
        lambda w, me: {"title": "Van mij", "visibility": "public", "status": "shared"},
        lambda w: reverse("library:document", kwargs={"pk": w.library["other_draft"].pk}),
        lambda w: (
            type(w.library["other_draft"])
            .objects.values_list("status", "visibility", "title")
            .get(pk=w.library["other_draft"].pk)
        ),
    ),
    # --- selection: the committee, the adviser, the branch ----------------------------------
    *[
        Attempt(
            f"{who}: put themselves on the committee",
            who,
            "post",
            lambda w: reverse("selection:committee", kwargs={"pk": w.selection["procedure"].pk}),
            lambda w, me: {"action": "add", "email": me.member.email, "chair": "on"},
            lambda w: reverse(
                "selection:score", kwargs={"pk": w.selection["procedure"].pk, "application": w.selection["own"].pk}
            ),
            lambda w: sorted(w.selection["procedure"].committee.values_list("member_id", "role")),
        )
        for who in ("selection_other_official", "selection_applicant", Role.MEMBER)
    ],
    Attempt(
        "committee member: make themselves chair",
        "selection_committee",
        "post",
        lambda w: reverse("selection:committee", kwargs={"pk": w.selection["procedure"].pk}),
        lambda w, me: {
            "action": "chair",
            "seat": w.selection["procedure"].committee.get(member=me.member).pk,
        },
        lambda w: reverse("selection:committee", kwargs={"pk": w.selection["procedure"].pk}),
        lambda w: sorted(w.selection["procedure"].committee.values_list("member_id", "role")),
        answered={404},
    ),
    Attempt(
        "second adviser: invite themselves as the procedure's adviser",
        "second_adviser",
        "post",
        lambda w: reverse("selection:committee", kwargs={"pk": w.selection["procedure"].pk}),
        lambda w, me: {"action": "adviser", "adviser": me.pk},
        lambda w: reverse("selection:procedure", kwargs={"pk": w.selection["procedure"].pk}),
        lambda w: (
            type(w.selection["procedure"])
            .objects.values_list("adviser_id", flat=True)
            .get(pk=w.selection["procedure"].pk)
        ),
    ),
    # --- programme: the griffie contact's municipality ----------------------------------------
    Attempt(
        "griffie contact: write the entitlements of another municipality",
        Role.GRIFFIE_CONTACT,
        "post",
        lambda w: reverse(
            "programme:entitlements", kwargs={"code": w.programme["other_town"].code, "year": w.programme["year"]}
        ),
        lambda w, me: {"training_budget": "999"},
        lambda w: w.programme["other_track"].get_absolute_url(),
        lambda w: list(w.programme["other_town"].entitlements.values_list("pk", "training_budget_cents")),
    ),
    # --- roles and invitations ----------------------------------------------------------------
    Attempt(
        "administrator: give themselves the counsellor role",
        Role.ADMINISTRATOR,
        "post",
        lambda w: reverse("admin:accounts_user_change", args=[w.users[Role.ADMINISTRATOR].pk]),
        lambda w, me: user_form(me, Role.ADMINISTRATOR, Role.COUNSELLOR, Role.ADVISER),
        case_url("desk:case", "strict-other"),
        lambda w: sorted(w.users[Role.ADMINISTRATOR].groups.values_list("name", flat=True)),
        answered={200, 302},
    ),
    Attempt(
        "administrator: give a colleague (two administrators) the counsellor role",
        Role.ADMINISTRATOR,
        "post",
        lambda w: reverse("admin:accounts_user_change", args=[w.extra["colleague"].pk]),
        lambda w, me: user_form(w.extra["colleague"], Role.ADMINISTRATOR, Role.COUNSELLOR),
        case_url("desk:manage", "strict-other"),
        lambda w: sorted(w.extra["colleague"].groups.values_list("name", flat=True)),
        probe_as="colleague",
        answered={200},
    ),
    Attempt(
        "administrator: invite a second account of their own as counsellor",
        Role.ADMINISTRATOR,
        "post",
        lambda w: reverse("accounts:invitation_create"),
        lambda w, me: {"name": "Tweede Ik", "email": "tweede.ik@example.org", "roles": [Role.COUNSELLOR]},
        case_url("desk:manage", "strict-other"),
        lambda w: sorted(
            w.invitation.__class__.objects.filter(roles__name__in=[Role.COUNSELLOR, Role.ADVISER]).values_list(
                "email", flat=True
            )
        ),
        probe_as="colleague",
        answered={200},
    ),
    Attempt(
        "administrator: add the counsellor role to a pending invitation in the back office",
        Role.ADMINISTRATOR,
        "post",
        lambda w: reverse("admin:accounts_invitation_change", args=[w.invitation.pk]),
        lambda w, me: {
            "email": w.invitation.email,
            "name": w.invitation.name,
            "expires_at_0": "2099-01-01",
            "expires_at_1": "10:00:00",
            "roles": list(Group.objects.filter(name=Role.COUNSELLOR).values_list("pk", flat=True)),
        },
        case_url("desk:manage", "strict-other"),
        lambda w: sorted(w.invitation.roles.values_list("name", flat=True)),
        probe_as="colleague",
        answered={200},
    ),
    # --- branch officials: appointed in the back office -------------------------------------
    # An administrator with a member record of their own, or a second administrator account, made
    # secretary of the procedure's branch would read its applications (docs/SECURITY.md).
    *[
        Attempt(
            f"{who}: appoint {appointee} secretary of the procedure's branch",
            who,
            "post",
            lambda w: reverse("admin:members_branchofficial_add"),
            lambda w, me, appointee=appointee: official_form(w, actor(w, appointee)),
            application_url,
            officials_of_procedure_branch,
            probe_as=appointee,
            answered={200},
        )
        for who, appointee in (
            ("member_administrator", "member_administrator"),
            (Role.ADMINISTRATOR, "member_colleague"),
        )
    ],
    Attempt(
        "administrator: appoint themselves secretary through the branch's page",
        "member_administrator",
        "post",
        lambda w: reverse("admin:members_branch_change", args=[w.selection["procedure"].branch_id]),
        lambda w, me: branch_form_with_official(w, me),
        application_url,
        officials_of_procedure_branch,
        answered={200},
    ),
    Attempt(
        "administrator: move another's appointment to themselves",
        "member_administrator",
        "post",
        lambda w: reverse(
            "admin:members_branchofficial_change",
            args=[w.selection["procedure"].branch.officials.order_by("pk").first().pk],  # type: ignore[union-attr]
        ),
        lambda w, me: official_form(w, me),
        application_url,
        officials_of_procedure_branch,
        answered={200},
    ),
    # --- the back office's roles and sign-in identities ------------------------------------------
    Attempt(
        "administrator: rename the roles so that their own is the counsellor's",
        Role.ADMINISTRATOR,
        "post",
        lambda w: reverse("admin:auth_group_change", args=[group_pk(Role.ADMINISTRATOR)]),
        lambda w, me: {"name": Role.COUNSELLOR},
        case_url("desk:manage", "strict-other"),
        all_groups,
        answered={403},
        also=[
            (
                lambda w: reverse("admin:auth_group_change", args=[group_pk(Role.COUNSELLOR)]),
                lambda w, me: {"name": "oud"},
            )
        ],
    ),
    Attempt(
        "administrator: put their own address on a counsellor's account (then reset its password)",
        Role.ADMINISTRATOR,
        "post",
        lambda w: reverse("admin:accounts_user_change", args=[w.users[Role.COUNSELLOR].pk]),
        lambda w, me: user_form(w.users[Role.COUNSELLOR]) | {"email": "beheerder.thuis@example.org"},
        case_url("desk:case", "strict-other"),
        sign_in_addresses(Role.COUNSELLOR),
        answered={200, 302},
    ),
    Attempt(
        "administrator: add their own verified address to a counsellor's account",
        Role.ADMINISTRATOR,
        "post",
        lambda w: reverse("admin:account_emailaddress_add"),
        lambda w, me: {
            "user": w.users[Role.COUNSELLOR].pk,
            "email": "beheerder.thuis@example.org",
            "verified": "on",
        },
        case_url("desk:case", "strict-other"),
        sign_in_addresses(Role.COUNSELLOR),
        answered={403},
    ),
    Attempt(
        "administrator: point a pending invitation at their own address and a member's record",
        Role.ADMINISTRATOR,
        "post",
        lambda w: reverse("admin:accounts_invitation_change", args=[w.invitation.pk]),
        lambda w, me: {
            "email": "beheerder.thuis@example.org",
            "name": w.invitation.name,
            "member": w.users[Role.MEMBER].member.pk,
            "expires_at_0": "2099-01-01",
            "expires_at_1": "10:00:00",
            "roles": list(w.invitation.roles.values_list("pk", flat=True)),
        },
        case_url("desk:case", "strict-own"),
        lambda w: type(w.invitation).objects.values_list("email", "member_id").get(pk=w.invitation.pk),
        answered={200, 302},
    ),
    Attempt(
        "administrator: link their own account to the record of a member with a strict case",
        Role.ADMINISTRATOR,
        "post",
        lambda w: reverse("admin:members_member_change", args=[w.users[Role.MEMBER].member.pk]),
        lambda w, me: member_form(w.users[Role.MEMBER].member, user=me.pk),
        case_url("desk:case", "strict-own"),
        lambda w: (
            type(w.users[Role.MEMBER].member)
            .objects.values_list("user_id", flat=True)
            .get(pk=w.users[Role.MEMBER].member.pk)
        ),
        answered={200, 302},
    ),
    Attempt(
        "adviser: give themselves the counsellor role by an invitation",
        Role.ADVISER,
        "post",
        lambda w: reverse("accounts:invitation_create"),
        lambda w, me: {"name": "Ik", "email": "ik.weer@example.org", "roles": [Role.COUNSELLOR]},
        case_url("desk:case", "strict-other"),
        lambda w: sorted(w.invitation.__class__.objects.values_list("email", flat=True)),
        answered={403},
    ),
]


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Any:
    yield from rolled_back_world(django_db_blocker)


def actor(world: World, who: str) -> Any:
    if who in world.users:
        return world.users[who]
    return world.extra[who]


@pytest.mark.django_db
@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[a.label for a in ATTEMPTS])
def test_no_role_can_widen_its_own_access_through_a_field_it_may_write(attempt: Attempt, world: World) -> None:
    if not hasattr(world, "extra"):
        world.extra = {}  # type: ignore[attr-defined]
    extra = world.extra  # type: ignore[attr-defined]
    with transaction.atomic():
        extra["second_adviser"] = make_role_user(Role.ADVISER)
        extra["second_counsellor"] = make_role_user(Role.COUNSELLOR)
        extra["colleague"] = make_role_user(Role.ADMINISTRATOR)
        # Administrators who are also members of the association (a member record of their own).
        for name in ("member_administrator", "member_colleague"):
            extra[name] = make_role_user(Role.ADMINISTRATOR)
            MemberFactory(user=extra[name], email=extra[name].email)
        me = actor(world, attempt.who)
        prober = actor(world, attempt.probe_as or attempt.who)

        def probe() -> int | str:
            client = Client()
            client.force_login(prober)
            forget_roles(prober)
            return outcome(client.get(attempt.probe(world)))

        before_state, before = attempt.state(world), probe()
        assert before in REFUSED, f"{attempt.label}: the probe is not refused to begin with ({before})"
        client = Client()
        client.force_login(me)
        for url, data in attempt.also:
            getattr(client, attempt.method)(url(world), data(world, me))
        answer = outcome(getattr(client, attempt.method)(attempt.url(world), attempt.data(world, me)))
        assert answer in attempt.answered, f"{attempt.label}: answered {answer}"
        assert attempt.state(world) == before_state, f"{attempt.label}: the field changed"
        assert probe() == before, f"{attempt.label}: access widened"
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["request_deletion", "give_consent", "withdraw_consent"])
def test_the_desks_services_refuse_another_members_case(action: str, world: World) -> None:
    """Second line behind the views (which hide the case): the services themselves refuse a member
    who is not the requester; the case and its consents stay as they were (the permission mutants
    of these checks fail here)."""
    from django.core.exceptions import PermissionDenied

    from desk import services as desk_services

    case = world.cases["strict-other"]
    member_user = world.users[Role.MEMBER]
    calls = {
        "request_deletion": lambda: desk_services.request_deletion(case=case, member=member_user.member),
        "give_consent": lambda: desk_services.give_consent(case=case, level="confidential", by=member_user),
        "withdraw_consent": lambda: desk_services.withdraw_consent(case=case, by=member_user),
    }
    before = type(case).objects.values().get(pk=case.pk)
    with transaction.atomic():
        with pytest.raises(PermissionDenied):
            calls[action]()
        transaction.set_rollback(True)
    assert type(case).objects.values().get(pk=case.pk) == before
