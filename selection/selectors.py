"""Reads about selection procedures, already filtered by permission: who is involved in which
procedure (cached per request on the user object), the procedures a person works on, the open
calls, and the dashboard and score summaries, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core.roles import Role, roles_of
from members.models import BranchOfficial, Member

from .models import (
    Application,
    ApplicationAccess,
    CommitteeMember,
    ConflictDeclaration,
    Criterion,
    CurriculumVitae,
    Score,
    SelectionProcedure,
)

# The functions in a branch that run its selection procedures.
RUNNING_FUNCTIONS = (BranchOfficial.Function.CHAIR, BranchOfficial.Function.SECRETARY)


@dataclass(frozen=True)
class Involvement:
    """What a user is in the selection procedures: official (chair or secretary) of branches,
    committee member (with the committee row and role) per procedure, invited adviser, and the
    applications they declared a conflict of interest with."""

    official_branches: frozenset[int] = frozenset()
    committee: dict[int, tuple[int, str]] = field(default_factory=dict)
    advised: frozenset[int] = frozenset()
    conflicts: frozenset[int] = frozenset()


def _current_functions(today: datetime.date) -> Q:
    return Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))


def involvement(user: Any) -> Involvement:
    """The user's involvement; computed once per request (cached on the user object). A user
    without any role (deactivated, or not yet given one) is involved in nothing."""
    cached: Involvement | None = getattr(user, "_selection_involvement", None)
    if cached is not None:
        return cached
    roles = roles_of(user)
    if not roles:
        result = Involvement()
    else:
        today = timezone.localdate()
        official = frozenset(
            BranchOfficial.objects.filter(member__user=user, function__in=RUNNING_FUNCTIONS)
            .filter(_current_functions(today))
            .values_list("branch_id", flat=True)
        )
        committee = {
            procedure_id: (pk, role)
            for pk, procedure_id, role in CommitteeMember.objects.filter(member__user=user).values_list(
                "pk", "procedure_id", "role"
            )
        }
        conflicts = (
            frozenset(
                ConflictDeclaration.objects.filter(committee_member__member__user=user).values_list(
                    "application_id", flat=True
                )
            )
            if committee
            else frozenset()
        )
        advised = (
            frozenset(SelectionProcedure.objects.filter(adviser=user).values_list("pk", flat=True))
            if Role.ADVISER in roles
            else frozenset()
        )
        result = Involvement(official_branches=official, committee=committee, advised=advised, conflicts=conflicts)
    user._selection_involvement = result
    return result


def forget_involvement(user: Any) -> None:
    if hasattr(user, "_selection_involvement"):
        del user._selection_involvement


GENERATION_KEY = "selection:work:generation"


def bump_generation(**kwargs: Any) -> None:
    """Someone's involvement may have changed (a function in a branch, a committee seat, an
    invited adviser): forget every cached answer of `has_selection_work`."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def has_selection_work(user: Any) -> bool:
    """Whether the user runs, sits on or advises any procedure, for the navigation on every page.
    The answer is cached per user and day (functions end on a date) and forgotten whenever an
    involvement changes (signals in apps.py), so a page costs no query for it."""
    roles = roles_of(user)
    if not (roles & {Role.MEMBER, Role.BRANCH_OFFICIAL, Role.ADVISER}):
        return False
    cached: bool | None = getattr(user, "_selection_work", None)
    if cached is not None:
        return cached
    today = timezone.localdate()
    key = f"selection:work:{user.pk}:{today.isoformat()}:{cache.get(GENERATION_KEY, 0)}"
    cached = cache.get(key)
    if cached is None:
        from accounts.models import User

        officials = BranchOfficial.objects.filter(
            _current_functions(today), member__user=OuterRef("pk"), function__in=RUNNING_FUNCTIONS
        )
        committees = CommitteeMember.objects.filter(member__user=OuterRef("pk"))
        condition = Q(Exists(officials)) | Q(Exists(committees))
        if Role.ADVISER in roles:
            condition |= Q(Exists(SelectionProcedure.objects.filter(adviser=OuterRef("pk"))))
        cached = User.objects.filter(pk=user.pk).filter(condition).exists()
        cache.set(key, cached, 24 * 3600)
    user._selection_work = cached
    return bool(cached)


def procedures_for(user: Any) -> QuerySet[SelectionProcedure]:
    """The procedures the user may see (as official of the branch, committee member or invited
    adviser), newest election first, with the number of applications that were not withdrawn."""
    mine = involvement(user)
    condition = Q(branch_id__in=mine.official_branches) | Q(pk__in=mine.committee) | Q(pk__in=mine.advised)
    return (
        SelectionProcedure.objects.filter(condition)
        .select_related("branch", "body")
        .annotate(application_count=Count("applications", filter=~Q(applications__status=Application.Status.WITHDRAWN)))
        .order_by("-election_date", "title")
    )


def running_branches(user: Any) -> list[Any]:
    """The branches in which the user may open a procedure (current chair or secretary)."""
    from members.models import Branch

    return list(
        Branch.objects.filter(pk__in=involvement(user).official_branches)
        .select_related("province")
        .prefetch_related("municipalities")
        .order_by("name")
    )


def open_calls(today: datetime.date | None = None) -> QuerySet[SelectionProcedure]:
    """Calls that accept applications today, closing soonest first."""
    today = today or timezone.localdate()
    return (
        SelectionProcedure.objects.filter(
            status=SelectionProcedure.Status.OPEN, call_opens__lte=today, applications_close__gte=today
        )
        .select_related("branch", "body")
        .order_by("applications_close", "title")
    )


def applications_of(member: Member) -> QuerySet[Application]:
    return Application.objects.filter(member=member).select_related("procedure", "procedure__branch")


@dataclass
class CriterionSummary:
    criterion: Criterion
    average: float | None
    count: int


@dataclass
class ApplicantRow:
    """One applicant on the dashboard, as `user` may see it."""

    application: Application
    conflicted: bool  # the viewer declared a conflict: name and status only
    conflict_count: int
    my_scored: int
    criteria_count: int
    weighted: float | None
    score_count: int
    has_cv: bool


def _weighted(summaries: list[CriterionSummary]) -> float | None:
    """The weighted average over the criteria that have scores."""
    scored = [s for s in summaries if s.average is not None]
    weights = sum(s.criterion.weight for s in scored)
    if not weights:
        return None
    return sum((s.average or 0) * s.criterion.weight for s in scored) / weights


def criterion_summaries(
    criteria: list[Criterion], scores: dict[tuple[int, int], tuple[float, int]], application_id: int
) -> list[CriterionSummary]:
    summaries = []
    for criterion in criteria:
        average, count = scores.get((application_id, criterion.pk), (None, 0))
        summaries.append(CriterionSummary(criterion=criterion, average=average, count=count))
    return summaries


def _score_table(procedure: SelectionProcedure) -> dict[tuple[int, int], tuple[float, int]]:
    rows = (
        Score.objects.filter(application__procedure=procedure)
        .values("application_id", "criterion_id")
        .annotate(average=Avg("score"), count=Count("pk"))
    )
    return {(r["application_id"], r["criterion_id"]): (float(r["average"]), r["count"]) for r in rows}


def dashboard(procedure: SelectionProcedure, user: Any, *, include_withdrawn: bool = True) -> list[ApplicantRow]:
    """Every applicant of the procedure with the viewer's own scoring progress, conflicts and the
    committee's weighted average, sorted by name. A fixed number of queries, however many
    applicants and scores. Rows of applicants the viewer declared a conflict with carry no
    scores."""
    mine = involvement(user)
    committee_member = mine.committee.get(procedure.pk)
    listed = Application.objects.filter(procedure=procedure)
    if not include_withdrawn:
        listed = listed.exclude(status=Application.Status.WITHDRAWN)
    applications = list(
        # Names and status only: the other personal details are not decrypted for a list.
        listed.only(
            "pk",
            "procedure_id",
            "reference",
            "status",
            "given_name",
            "infix",
            "family_name",
            "submitted_at",
            "status_changed_at",
        ).annotate(
            has_cv=Exists(CurriculumVitae.objects.filter(application=OuterRef("pk"))),
            conflict_count=Count("conflicts", distinct=True),
        )
    )
    criteria = list(procedure.criteria.all())
    table = _score_table(procedure)
    my_counts: dict[int, int] = {}
    if committee_member is not None:
        my_counts = dict(
            Score.objects.filter(committee_member_id=committee_member[0])
            .values_list("application_id")
            .annotate(n=Count("pk"))
            .values_list("application_id", "n")
        )
    rows = []
    for application in sorted(applications, key=lambda a: a.sort_key):
        conflicted = application.pk in mine.conflicts
        summaries = criterion_summaries(criteria, table, application.pk)
        rows.append(
            ApplicantRow(
                application=application,
                conflicted=conflicted,
                conflict_count=0 if conflicted else application.conflict_count,  # type: ignore[attr-defined]
                my_scored=my_counts.get(application.pk, 0),
                criteria_count=len(criteria),
                weighted=None if conflicted else _weighted(summaries),
                score_count=0 if conflicted else sum(s.count for s in summaries),
                has_cv=not conflicted and bool(application.has_cv),  # type: ignore[attr-defined]
            )
        )
    return rows


@dataclass
class ScoreSummary:
    criteria: list[CriterionSummary]
    weighted: float | None
    # Per committee member, by name: their (criterion, score, note) in the order of the criteria.
    by_member: list[tuple[str, list[tuple[Criterion, int, str]]]]


def score_summary(application: Application) -> ScoreSummary:
    """The committee's scores of one applicant: average and number of scores per criterion (every
    score counts), the weighted average, and each member's scores with their notes. Two queries."""
    criteria = list(application.procedure.criteria.all())
    order = {c.pk: index for index, c in enumerate(criteria)}
    scores = list(Score.objects.filter(application=application).select_related("committee_member__member", "criterion"))
    grouped: dict[int, list[int]] = defaultdict(list)
    by_member: dict[int, tuple[str, list[tuple[Criterion, int, str]]]] = {}
    for score in scores:
        grouped[score.criterion_id].append(score.score)
        entry = by_member.setdefault(score.committee_member_id, (score.committee_member.member.full_name, []))
        entry[1].append((score.criterion, score.score, score.note))
    for _name, rows in by_member.values():
        rows.sort(key=lambda row: order.get(row[0].pk, 0))
    table = {
        (application.pk, criterion_id): (sum(values) / len(values), len(values))
        for criterion_id, values in grouped.items()
    }
    summaries = criterion_summaries(criteria, table, application.pk)
    return ScoreSummary(
        criteria=summaries,
        weighted=_weighted(summaries),
        by_member=sorted(by_member.values(), key=lambda entry: entry[0]),
    )


def access_log(application: Application) -> QuerySet[ApplicationAccess]:
    return application.accesses.select_related("user")
