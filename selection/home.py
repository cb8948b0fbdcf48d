"""The selection's blocks on the home page (core.home): for branch officials the procedures they
run and the applications that came in; for committee members the applicants they have not scored
yet. Counts and procedures only: no applicant's name or detail is shown on a home page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.home import Block
from core.roles import Role

from .models import Application, Score, SelectionProcedure
from .selectors import has_selection_work, involvement

LIMIT = 5
LIVE = [
    SelectionProcedure.Status.DRAFT,
    SelectionProcedure.Status.OPEN,
    SelectionProcedure.Status.CLOSED,
    SelectionProcedure.Status.ADVISED,
]


def procedures_run(user: Any) -> Block | None:
    """Procedures of the branches the user runs (chair or secretary) that are not finished, the
    next election first, with the applications not withdrawn and those nobody answered yet (one
    query after the involvement)."""
    # The navigation's cached answer first: a member without selection work costs no query here.
    if not has_selection_work(user):
        return None
    branches = involvement(user).official_branches
    if not branches:
        return None
    procedures = list(
        SelectionProcedure.objects.filter(branch_id__in=branches, status__in=LIVE)
        .select_related("branch")
        .annotate(
            application_count=Count("applications", filter=~Q(applications__status=Application.Status.WITHDRAWN)),
            submitted=Count("applications", filter=Q(applications__status=Application.Status.SUBMITTED)),
        )
        .order_by("election_date", "pk")[:LIMIT]
    )
    return Block(
        key="selection_procedures",
        title=_("Selection procedures"),
        template="selection/home/procedures.html",
        items=procedures,
        count=sum(p.submitted for p in procedures),
        more_url=reverse("selection:procedures"),
        more_label=_("All selection procedures"),
        empty=_("No running selection procedures."),
        empty_url=reverse("selection:procedure_create"),
        empty_link=_("Open a procedure"),
        role=Role.BRANCH_OFFICIAL.label,
    )


def applications_to_assess(user: Any) -> Block | None:
    """For committee members: the procedures on whose committee they sit that are not finished,
    with the applicants (not withdrawn, no declared conflict) they have not scored yet (one query
    after the involvement)."""
    if not has_selection_work(user):
        return None
    mine = involvement(user)
    if not mine.committee:
        return None
    unscored = (
        Application.objects.filter(procedure=OuterRef("pk"))
        .exclude(status=Application.Status.WITHDRAWN)
        .exclude(pk__in=mine.conflicts)
        .exclude(Exists(Score.objects.filter(application=OuterRef("pk"), committee_member__member__user=user)))
        .values("procedure")
        .annotate(n=Count("pk"))
        .values("n")
    )
    procedures = list(
        SelectionProcedure.objects.filter(pk__in=mine.committee, status__in=LIVE)
        .exclude(status=SelectionProcedure.Status.DRAFT)
        .select_related("branch")
        .annotate(
            to_score=Coalesce(Subquery(unscored, output_field=IntegerField()), Value(0)),
            application_count=Count("applications", filter=~Q(applications__status=Application.Status.WITHDRAWN)),
        )
        .order_by("applications_close", "pk")[:LIMIT]
    )
    return Block(
        key="selection_committee",
        title=_("Applications to assess"),
        template="selection/home/committee.html",
        items=procedures,
        count=sum(p.to_score for p in procedures),
        more_url=reverse("selection:procedures"),
        more_label=_("All selection procedures"),
        empty=_("No procedure of your committee is running."),
        role=_("Selection committee"),
    )
