"""Writes for the development programme: applications, tracks, entitlements and budget requests."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core import search
from core.mail import absolute_url, send_templated_mail
from core.models import Body, Tier
from core.permissions import can
from core.roles import Role
from core.text import format_euros
from members.models import Mandate, MandateRole, Member

from .models import (
    Application,
    ApplicationTheme,
    BudgetRequest,
    Entitlement,
    GoodPractice,
    IntakeMeeting,
    PlanItem,
    Theme,
    Track,
    TrackComment,
)


def _officer_emails() -> list[str]:
    return list(
        User.objects.filter(groups__name=Role.PROGRAMME_OFFICER, is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )


@dataclass
class Submitted:
    application: Application
    already_known: list[str]  # theme labels the municipality had registered for before


@transaction.atomic
def submit_application(
    *,
    municipality: Body,
    contact_name: str,
    contact_function: str,
    contact_email: str,
    contact_phone: str,
    description: str,
    themes: dict[str, str],
) -> Submitted:
    """Store an application and confirm it by e-mail. A municipality already registered for a
    theme is told so, without the other contact's details; officers see both linked."""
    if municipality.tier != Tier.MUNICIPAL:
        raise ValidationError({"municipality": _("Choose a municipality.")})
    if not themes:
        raise ValidationError(_("Choose at least one theme."))
    known = set(
        ApplicationTheme.objects.filter(application__municipality=municipality, theme__in=themes)
        .exclude(application__status=Application.Status.DECLINED)
        .values_list("theme", flat=True)
    )
    application = Application.objects.create(
        municipality=municipality,
        contact_name=contact_name.strip(),
        contact_function=contact_function,
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone.strip(),
        description=description.strip(),
    )
    for theme, role in themes.items():
        ApplicationTheme.objects.create(application=application, theme=theme, role=role)
    known_labels = [str(ApplicationTheme(theme=t).get_theme_display()) for t in sorted(known)]
    send_templated_mail(
        "programme/email/application_received",
        [application.contact_email],
        {"application": application, "themes": application.themes.all(), "already_known": known_labels},
    )
    for address in _officer_emails():
        send_templated_mail(
            "programme/email/application_new",
            [address],
            {
                "application": application,
                "url": absolute_url(reverse("programme:application", kwargs={"pk": application.pk})),
            },
        )
    return Submitted(application, known_labels)


def related_applications(application: Application) -> Any:
    """Other applications of the same municipality for one of the same themes."""
    themes = application.themes.values_list("theme", flat=True)
    return (
        Application.objects.filter(municipality=application.municipality, themes__theme__in=themes)
        .exclude(pk=application.pk)
        .distinct()
    )


@transaction.atomic
def decide_application(*, application: Application, decision: str, note: str, officer: Any) -> list[Track]:
    """Accept (a track per theme is opened or joined), decline with a reason, or ask for more."""
    if decision not in (Application.Status.ACCEPTED, Application.Status.DECLINED, Application.Status.MORE_INFO):
        raise ValidationError(_("Unknown decision."))
    if decision != Application.Status.ACCEPTED and not note.strip():
        raise ValidationError({"note": _("Give the reason or the question for the municipality.")})
    application.status = decision
    application.decision_note = note.strip()
    application.save(update_fields=["status", "decision_note"])
    tracks = []
    if decision == Application.Status.ACCEPTED:
        for choice in application.themes.all():
            track, _created = Track.objects.get_or_create(
                municipality=application.municipality,
                theme=choice.theme,
                defaults={"role": choice.role, "officer": officer},
            )
            track.applications.add(application)
            tracks.append(track)
    send_templated_mail(
        "programme/email/application_decided",
        [application.contact_email],
        {"application": application, "tracks": tracks},
    )
    return tracks


@transaction.atomic
def record_intake(
    *, track: Track, date: datetime.date, participants: str, notes: str, agreed_goals: str
) -> IntakeMeeting:
    if not participants.strip():
        raise ValidationError({"participants": _("Who took part?")})
    intake = IntakeMeeting.objects.create(
        track=track,
        date=date,
        participants=participants.strip(),
        notes=notes.strip(),
        agreed_goals=agreed_goals.strip(),
    )
    if track.status == Track.Status.INTAKE:
        track.status = Track.Status.ACTIVE
        track.save(update_fields=["status"])
    return intake


@transaction.atomic
def set_track_status(*, track: Track, status: str, by: Any) -> Track:
    """Open, pause or close a track (`programme.officer`)."""
    if not can(by, "programme.officer"):
        raise PermissionDenied(_("Only the programme's officers change a track's status."))
    if status not in Track.Status.values:
        raise ValidationError(_("Unknown status."))
    track.status = status
    track.save(update_fields=["status"])
    return track


def add_plan_item(*, track: Track, kind: str, title: str, description: str, due_date: datetime.date | None) -> PlanItem:
    return PlanItem.objects.create(
        track=track, kind=kind, title=title.strip(), description=description.strip(), due_date=due_date
    )


@transaction.atomic
def set_plan_status(*, item: PlanItem, status: str) -> PlanItem:
    if status not in PlanItem.Status.values:
        raise ValidationError(_("Unknown status."))
    item.status = status
    item.save(update_fields=["status"])
    return item


@transaction.atomic
def comment(*, track: Track, author: Any, body: str) -> TrackComment:
    if not body.strip():
        raise ValidationError({"body": _("Write a comment.")})
    created = TrackComment.objects.create(track=track, author=author, body=body.strip())
    recipients = set(_officer_emails()) if track.officer is None else {track.officer.email}
    recipients |= {c.user.email for c in track.municipality.programme_contacts.select_related("user")}
    recipients.discard(getattr(author, "email", None))
    for address in sorted(recipients):
        send_templated_mail(
            "programme/email/comment", [address], {"track": track, "url": absolute_url(track.get_absolute_url())}
        )
    return created


def index_practice(practice: GoodPractice) -> None:
    if practice.published:
        search.index(
            "practice",
            practice.pk,
            title=f"{practice.title} {practice.municipality.name}",
            text=" ".join([practice.arrangement, practice.amounts, practice.bylaw]),
        )
    else:
        search.remove("practice", practice.pk)


# --- entitlements and budgets ---------------------------------------------------------------------


def entitlement(municipality: Body, year: int) -> Entitlement | None:
    return Entitlement.objects.filter(municipality=municipality, year=year).first()


@transaction.atomic
def save_entitlement(*, municipality: Body, year: int, values: dict[str, Any], by: Any) -> Entitlement:
    item, _created = Entitlement.objects.select_for_update().get_or_create(municipality=municipality, year=year)
    for key, value in values.items():
        setattr(item, key, value)
    item.updated_by = by
    item.full_clean()
    item.save()
    return item


def approved_cents(member: Member, municipality: Body, year: int) -> int:
    total = BudgetRequest.objects.filter(
        member=member, municipality=municipality, year=year, status=BudgetRequest.Status.APPROVED
    ).aggregate(total=Sum("amount_cents"))["total"]
    return int(total or 0)


def balance_cents(member: Member, municipality: Body, year: int) -> int | None:
    """What is left of the member's training budget this year; None when the budget is unknown."""
    item = entitlement(municipality, year)
    if item is None or item.training_budget_cents is None:
        return None
    return item.training_budget_cents - approved_cents(member, municipality, year)


COUNCIL_ROLES = [MandateRole.COUNCILLOR, MandateRole.FACTION_CHAIR, MandateRole.COMMITTEE_MEMBER, MandateRole.ALDERMAN]


def councils_of(member: Member) -> list[Body]:
    """The municipalities in whose council the member holds a current mandate."""
    mandates = Mandate.objects.current().filter(member=member, body__tier=Tier.MUNICIPAL, role__in=COUNCIL_ROLES)
    return list(Body.objects.filter(pk__in=mandates.values("body")).order_by("search_name"))


@transaction.atomic
def request_budget(
    *, member: Member, municipality: Body, amount_cents: int, description: str, registration: Any = None
) -> BudgetRequest:
    year = timezone.localdate().year
    if municipality not in councils_of(member):
        raise ValidationError(_("You can only use the budget of a council you sit on."))
    if amount_cents <= 0:
        raise ValidationError({"amount": _("Give an amount above zero.")})
    left = balance_cents(member, municipality, year)
    if left is None:
        raise ValidationError(_("Your municipality's training budget is not known yet; ask the clerk's office."))
    if amount_cents > left:
        raise ValidationError(
            {"amount": _("That is more than the %(left)s left in your budget.") % {"left": euros(left)}}
        )
    request = BudgetRequest.objects.create(
        member=member,
        municipality=municipality,
        year=year,
        amount_cents=amount_cents,
        description=description.strip(),
        registration=registration,
    )
    for contact in municipality.programme_contacts.select_related("user"):
        send_templated_mail(
            "programme/email/budget_requested",
            [contact.user.email],
            {"request": request, "url": absolute_url(reverse("programme:budget_requests"))},
        )
    return request


@transaction.atomic
def decide_budget_request(*, request: BudgetRequest, approve: bool, by: Any, reason: str = "") -> BudgetRequest:
    """Approve or reject. Approvals are serialised per municipality and year (the entitlement row
    is locked), so the balance never goes below zero, also with approvals at the same moment. Only
    an administrator or the municipality's clerk's office contact decides (`programme.decide_budget`)."""
    if not can(by, "programme.decide_budget", request):
        raise PermissionDenied(_("You may not do this."))
    item = Entitlement.objects.select_for_update().filter(municipality=request.municipality, year=request.year).first()
    request = BudgetRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != BudgetRequest.Status.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if approve:
        if item is None or item.training_budget_cents is None:
            raise ValidationError(_("The training budget of this municipality is not known."))
        left = item.training_budget_cents - approved_cents(request.member, request.municipality, request.year)
        if request.amount_cents > left:
            raise ValidationError(_("Not enough budget left (%(left)s).") % {"left": euros(left)})
    elif not reason.strip():
        raise ValidationError(_("Give a reason for the rejection."))
    request.status = BudgetRequest.Status.APPROVED if approve else BudgetRequest.Status.REJECTED
    request.reason = reason.strip()
    request.decided_by = by
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    send_templated_mail("programme/email/budget_decided", [request.member.email], {"request": request})
    return request


def euros(cents: int | None) -> str:
    return format_euros(cents, unknown=_("unknown"))


# --- comparison and dashboard -------------------------------------------------------------------------

SIZE_BUCKETS = [(0, 19, "≤ 19"), (20, 29, "21–29"), (30, 39, "31–39"), (40, 999, "≥ 41")]


def size_bucket(seats: int | None) -> str:
    if seats is None:
        return _("unknown")
    return next(label for low, high, label in SIZE_BUCKETS if low <= seats <= high)


def comparison(year: int) -> dict[str, Any]:
    """Per municipality the training budget per councillor and faction support per seat, and
    averages by province and by council size (unknown amounts left out, never counted as 0)."""
    rows = list(Entitlement.objects.filter(year=year).select_related("municipality", "municipality__province"))
    table: list[dict[str, Any]] = [
        {
            "municipality": e.municipality,
            "province": e.municipality.province.name if e.municipality.province else "",
            "seats": e.council_seats,
            "size": size_bucket(e.council_seats),
            "training": e.training_budget_cents,
            "per_seat": e.faction_per_seat_cents,
        }
        for e in rows
    ]

    def averages(key: str, field: str) -> list[dict[str, Any]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for row in table:
            if row[field] is not None:
                groups[row[key]].append(row[field])
        result: list[dict[str, Any]] = [
            {"label": label, "average": sum(v) // len(v), "count": len(v)} for label, v in groups.items()
        ]
        top = max((int(r["average"]) for r in result), default=1) or 1
        for r in result:
            r["top"] = top
        return sorted(result, key=lambda r: str(r["label"]))

    return {
        "year": year,
        "table": sorted(table, key=lambda r: r["municipality"].search_name),
        "training_by_province": averages("province", "training"),
        "training_by_size": averages("size", "training"),
        "per_seat_by_province": averages("province", "per_seat"),
    }


def dashboard() -> dict[str, Any]:
    from django.db.models import Count

    today = timezone.localdate()
    # The choices' labels, not their stored values ("more_info"): a row per status, in the order of the choices.
    applications = dict(Application.objects.values_list("status").annotate(n=Count("pk")))
    tracks = {
        (row["theme"], row["status"]): row["n"]
        for row in Track.objects.values("theme", "status").annotate(n=Count("pk")).order_by()
    }
    return {
        "applications": [
            {"status": status, "label": label, "n": applications[status]}
            for status, label in Application.Status.choices
            if status in applications
        ],
        "tracks": [
            {"theme": theme, "status": status, "label": f"{theme_label} · {status_label}", "n": tracks[theme, status]}
            for theme, theme_label in Theme.choices
            for status, status_label in Track.Status.choices
            if (theme, status) in tracks
        ],
        "by_province": list(
            Track.objects.values("municipality__province__name")
            .annotate(n=Count("pk"))
            .order_by("municipality__province__name")
        ),
        "milestones_due": PlanItem.objects.filter(
            kind=PlanItem.Kind.MILESTONE, due_date__lte=today + datetime.timedelta(days=30)
        )
        .exclude(status__in=[PlanItem.Status.DONE, PlanItem.Status.DROPPED])
        .select_related("track", "track__municipality")
        .order_by("due_date")[:20],
    }
