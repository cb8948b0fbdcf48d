from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import search
from core.clients import over_limit
from core.exports import download
from core.forms import add_errors
from core.models import Body, Tier
from core.permissions import can, require
from events.models import Registration

from . import services
from .forms import (
    ApplicationForm,
    BudgetRequestForm,
    CommentForm,
    DecisionForm,
    EntitlementForm,
    IntakeForm,
    PlanItemForm,
)
from .models import Application, BudgetRequest, Entitlement, GoodPractice, LearningGroup, PlanItem, Theme, Track
from .rules import contact_municipalities

APPLICATIONS_PER_HOUR = 5


def _municipality_names() -> list[str]:
    names = list(
        Body.objects.current().filter(tier=Tier.MUNICIPAL).order_by("search_name").values_list("name", flat=True)
    )
    return [*names, "Den Haag", "Den Bosch"]


# --- public -----------------------------------------------------------------------------------------


@require("programme.apply")
def apply(request: HttpRequest) -> HttpResponse:
    """The public application form: no account, a honeypot and a rate limit instead of a captcha."""
    form = ApplicationForm(request.POST or None)
    if request.method == "POST":
        if over_limit(request, "programme:apply", per_hour=APPLICATIONS_PER_HOUR):
            return render(request, "429.html", status=429)
        if form.is_valid():
            if form.cleaned_data["website"]:
                # A robot filled the invisible field: pretend all went well, store nothing.
                return render(request, "programme/applied.html", {"already_known": []})
            data = form.cleaned_data
            try:
                submitted = services.submit_application(
                    municipality=data["municipality"],
                    contact_name=data["contact_name"],
                    contact_function=data["contact_function"],
                    contact_email=data["contact_email"],
                    contact_phone=data["contact_phone"],
                    description=data["description"],
                    themes=form.themes,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(
                    request,
                    "programme/applied.html",
                    {"application": submitted.application, "already_known": submitted.already_known},
                )
    return render(request, "programme/apply.html", {"form": form, "names": _municipality_names()})


@require("programme.view_practices")
def practices(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    theme = request.GET.get("theme", "")
    items = GoodPractice.objects.filter(published=True).select_related("municipality")
    if theme in Theme.values:
        items = items.filter(theme=theme)
    items = search.filter_ranked(items, "practice", query) if query else items.order_by("-created_at")
    page = Paginator(items, 20).get_page(request.GET.get("page"))
    return render(
        request, "programme/practices.html", {"page": page, "query": query, "theme": theme, "themes": Theme.choices}
    )


@require("programme.view_practices")
def practice(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(GoodPractice.objects.select_related("municipality"), pk=pk, published=True)
    return render(request, "programme/practice.html", {"practice": item})


# --- officers -----------------------------------------------------------------------------------------


@require("programme.officer")
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "programme/dashboard.html", {"data": services.dashboard()})


@require("programme.officer")
def applications(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    items = Application.objects.select_related("municipality").prefetch_related("themes")
    if status in Application.Status.values:
        items = items.filter(status=status)
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    return render(
        request, "programme/applications.html", {"page": page, "status": status, "statuses": Application.Status.choices}
    )


@require("programme.officer")
def application(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Application.objects.select_related("municipality"), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_application(
                application=item,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                officer=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The decision has been saved and sent to the contact."))
            return redirect("programme:application", pk=item.pk)
    return render(
        request,
        "programme/application.html",
        {
            "application": item,
            "form": form,
            "related": services.related_applications(item),
            "tracks": item.tracks.all(),
        },
    )


@require("programme.officer")
def tracks(request: HttpRequest) -> HttpResponse:
    items = Track.objects.select_related("municipality", "municipality__province", "officer")
    return render(request, "programme/tracks.html", {"tracks": items})


def _track(request: HttpRequest, pk: int) -> Track:
    return get_object_or_404(Track.objects.select_related("municipality", "officer"), pk=pk)


@require("programme.view_track", get_object=_track, hide=True)
def track(request: HttpRequest, pk: int, obj: Track) -> HttpResponse:
    is_officer = can(request.user, "programme.officer")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "comment":
                form = CommentForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Write a comment."))
                services.comment(track=obj, author=request.user, body=form.cleaned_data["body"])
            elif not is_officer:
                raise PermissionDenied
            elif action == "intake":
                intake = IntakeForm(request.POST)
                if not intake.is_valid():
                    raise ValidationError(_("Give the date and the participants of the intake."))
                services.record_intake(track=obj, **intake.cleaned_data)
            elif action == "plan":
                item = PlanItemForm(request.POST)
                if not item.is_valid():
                    raise ValidationError(_("Give at least a title."))
                services.add_plan_item(track=obj, **item.cleaned_data)
            elif action == "plan_status":
                plan_item = get_object_or_404(PlanItem, pk=request.POST.get("item"), track=obj)
                services.set_plan_status(item=plan_item, status=request.POST.get("status", ""))
            elif action == "status" and request.POST.get("status") in Track.Status.values:
                services.set_track_status(track=obj, status=request.POST["status"], by=request.user)
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect(obj.get_absolute_url())
    plan = list(obj.plan.all())
    today = timezone.localdate()
    timeline = [
        {
            "item": p,
            "overdue": p.due_date
            and p.due_date < today
            and p.status not in (PlanItem.Status.DONE, PlanItem.Status.DROPPED),
        }
        for p in plan
    ]
    return render(
        request,
        "programme/track.html",
        {
            "track": obj,
            "intakes": obj.intakes.all(),
            "timeline": timeline,
            "comments": obj.comments.select_related("author"),
            "is_officer": is_officer,
            "intake_form": IntakeForm(),
            "plan_form": PlanItemForm(),
            "comment_form": CommentForm(),
            "statuses": PlanItem.Status.choices,
            "track_statuses": Track.Status.choices,
        },
    )


@require("programme.officer")
def learning_groups(request: HttpRequest) -> HttpResponse:
    groups = LearningGroup.objects.prefetch_related("municipalities")
    return render(request, "programme/learning_groups.html", {"groups": groups})


def _group(request: HttpRequest, pk: int) -> LearningGroup:
    return get_object_or_404(LearningGroup, pk=pk)


@require("programme.view_learning_group", get_object=_group, hide=True)
def learning_group(request: HttpRequest, pk: int, obj: LearningGroup) -> HttpResponse:
    from members.models import Mandate

    municipalities = list(obj.municipalities.order_by("search_name"))
    participants = (
        Mandate.objects.current()
        .filter(body__in=municipalities, member__status="active")
        .select_related("member", "body")
        .order_by("body__search_name", "member__sort_name")
    )
    contacts = [c for m in municipalities for c in m.programme_contacts.select_related("user")]
    return render(
        request,
        "programme/learning_group.html",
        {
            "group": obj,
            "municipalities": municipalities,
            "participants": participants,
            "contacts": contacts,
            "documents": obj.documents.all(),
            "events": obj.events.order_by("starts_at"),
        },
    )


# --- entitlements and budgets ---------------------------------------------------------------------------


def _municipality(request: HttpRequest, code: str, year: int) -> Body:
    return get_object_or_404(Body, code=code.upper(), tier=Tier.MUNICIPAL)


@require("programme.edit_entitlements", get_object=_municipality, hide=True)
def entitlements(request: HttpRequest, code: str, year: int, obj: Body) -> HttpResponse:
    if not 2000 <= year <= 2100:
        raise Http404
    current = services.entitlement(obj, year)
    form = EntitlementForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_entitlement(municipality=obj, year=year, values=form.values(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The entitlements have been saved."))
            return redirect("programme:entitlements", code=obj.code, year=year)
    history = []
    if current:
        from auditlog.models import LogEntry

        history = list(LogEntry.objects.get_for_object(current).select_related("actor").order_by("-timestamp")[:20])
        # The changed fields by their names in the reader's language, not their code names.
        labels = {f.name: f.verbose_name for f in Entitlement._meta.get_fields() if hasattr(f, "verbose_name")}
        for entry in history:
            entry.changed = [labels.get(name, name) for name in entry.changes_dict if name not in HISTORY_HIDDEN]
    return render(
        request, "programme/entitlements.html", {"municipality": obj, "year": year, "form": form, "history": history}
    )


# Bookkeeping fields that every change touches: not worth naming in the history.
HISTORY_HIDDEN = frozenset({"id", "updated_at", "updated_by"})


@require("programme.my_entitlements")
def my_entitlements(request: HttpRequest) -> HttpResponse:
    """What the councillor is entitled to in each council they sit on, this year, and their budget."""
    member = getattr(request.user, "member", None)
    if member is None:
        raise PermissionDenied
    year = timezone.localdate().year
    councils = services.councils_of(member)
    rows = []
    for municipality in councils:
        item = services.entitlement(municipality, year)
        used = services.approved_cents(member, municipality, year)
        rows.append(
            {
                "municipality": municipality,
                "entitlement": item,
                "used": used,
                "left": services.balance_cents(member, municipality, year),
            }
        )
    registrations = list(
        Registration.objects.filter(
            member=member, status=Registration.Status.CONFIRMED, event__price_cents__gt=0
        ).select_related("event")
    )
    form = BudgetRequestForm(request.POST or None, councils=councils, registrations=registrations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_budget(
                member=member,
                municipality=data["municipality"],
                amount_cents=int(data["amount"] * 100),
                description=data["description"],
                registration=form.registrations.get(data.get("registration") or ""),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Your request has been sent to the clerk's office."))
            return redirect("programme:my_entitlements")
    return render(
        request,
        "programme/my_entitlements.html",
        {
            "rows": rows,
            "year": year,
            "form": form if councils else None,
            "requests": member.budget_requests.select_related("municipality").order_by("-created_at"),
        },
    )


@require("programme.view_budget_requests")
def budget_requests(request: HttpRequest) -> HttpResponse:
    items = BudgetRequest.objects.select_related("member", "municipality", "registration__event")
    if not can(request.user, "core.use_admin"):
        items = items.filter(municipality_id__in=contact_municipalities(request.user))
    if request.method == "POST":
        budget_request = get_object_or_404(items, pk=request.POST.get("request"))
        # (the service checks `programme.decide_budget`; its PermissionDenied is a 403 here)
        try:
            services.decide_budget_request(
                request=budget_request,
                approve=request.POST.get("decision") == "approve",
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The decision has been saved; the councillor is told by e-mail."))
        return redirect("programme:budget_requests")
    pending = [
        {"request": r, "left": services.balance_cents(r.member, r.municipality, r.year)}
        for r in items.filter(status=BudgetRequest.Status.PENDING)
    ]
    decided = items.exclude(status=BudgetRequest.Status.PENDING)[:50]
    # The clerk's office keeps the entitlements of its own municipalities up to date: link them here.
    contact_for = Body.objects.filter(pk__in=contact_municipalities(request.user)).order_by("name")
    return render(
        request,
        "programme/budget_requests.html",
        {"pending": pending, "decided": decided, "contact_for": contact_for, "year": timezone.localdate().year},
    )


@require("programme.view_comparison")
def comparison(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    data = services.comparison(year)
    if request.GET.get("format") == "csv":
        header = [
            _("Municipality"),
            _("Province"),
            _("Council seats"),
            _("Training budget per councillor"),
            _("Faction support per seat"),
        ]
        rows = [
            [
                r["municipality"].name,
                r["province"],
                r["seats"] or "",
                "" if r["training"] is None else f"{r['training'] / 100:.2f}",
                "" if r["per_seat"] is None else f"{r['per_seat'] / 100:.2f}",
            ]
            for r in data["table"]
        ]
        return download([str(h) for h in header], rows, filename=f"vergelijking-{year}", fmt="csv")
    return render(
        request,
        "programme/comparison.html",
        {"data": data, "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1)},
    )
