from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from core.crypto import decrypt_bytes
from core.files import serve_bytes
from core.models import Tier
from core.permissions import can, require
from core.roles import Role
from members.models import BranchOfficial, Faction

from . import selectors, services
from .forms import (
    AskForm,
    CloseForm,
    ConsentForm,
    IntervisionForm,
    LevelForm,
    MessageForm,
    OrganisationForm,
    ReferForm,
    ReportForm,
    TriageForm,
)
from .models import (
    Case,
    CaseAttachment,
    Confidentiality,
    Helper,
    IntervisionSignup,
    Kind,
    Organisation,
    Status,
    level_rank,
)
from .rules import is_requester, levels_at_triage, open_consent


def _case(request: HttpRequest, reference: str, **kwargs: object) -> Case:
    return get_object_or_404(Case.objects.select_related("requester", "assigned_to"), reference=reference)


def _member(request: HttpRequest):  # type: ignore[no-untyped-def]
    member = getattr(request.user, "member", None)
    if member is None:
        raise PermissionDenied
    return member


# --- for members -----------------------------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    member = getattr(request.user, "member", None)
    cases = member.cases.order_by("-created_at") if member else Case.objects.none()
    return render(
        request,
        "desk/home.html",
        {"cases": cases, "can_ask": can(request.user, "desk.ask"), "is_desk": can(request.user, "desk.view_queue")},
    )


def _behalf_choices(member) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    choices = [(f"faction:{f.pk}", f.name) for f in Faction.objects.filter(chair=member)]
    functions = BranchOfficial.objects.filter(member=member, start_date__lte=today).exclude(end_date__lt=today)
    choices += [(f"branch:{f.branch_id}", f.branch.name) for f in functions.select_related("branch")]
    return choices


@require("desk.ask")
def ask(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    form = AskForm(request.POST or None, request.FILES or None, behalf_choices=_behalf_choices(member))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        behalf = data.get("on_behalf") or ""
        kind_of, _sep, pk = behalf.partition(":")
        try:
            case = services.open_case(
                requester=member,
                kind=data["kind"],
                confidentiality=data["confidentiality"],
                subject=data["subject"],
                description=data["description"],
                for_faction=Faction.objects.filter(pk=pk, chair=member).first() if kind_of == "faction" else None,
                for_branch=(
                    BranchOfficial.objects.filter(member=member, branch_id=pk).first().branch  # type: ignore[union-attr]
                    if kind_of == "branch" and BranchOfficial.objects.filter(member=member, branch_id=pk).exists()
                    else None
                ),
                files=data["files"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Your question has been received. Its reference is %(ref)s.") % {"ref": case.reference}
            )
            return redirect(case.get_absolute_url())
    return render(request, "desk/ask.html", {"form": form})


@require("desk.ask")
def report(request: HttpRequest) -> HttpResponse:
    """Report a threat: one short form that works on a phone, then the safety checklist."""
    member = _member(request)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.open_case(
                requester=member,
                kind=data["kind"],
                confidentiality=Confidentiality.CONFIDENTIAL,
                subject=str(Kind(data["kind"]).label),
                description=data["description"],
                files=data["files"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("desk:safety", reference=case.reference)
    return render(request, "desk/report.html", {"form": form})


@require("desk.read_case", get_object=_case, hide=True)
def safety(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    return render(request, "desk/safety.html", {"case": obj})


@require("desk.read_case", get_object=_case, hide=True)
def case_detail(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    case = obj
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_message(
                case=case, author=request.user, body=form.cleaned_data["body"], files=form.cleaned_data["files"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your message has been added."))
            return redirect(case.get_absolute_url())
    services.log_access(case=case, user=request.user, what="case")
    requester = is_requester(request.user, case)
    can_manage = can(request.user, "desk.manage_case", case)
    return render(
        request,
        "desk/case.html",
        {
            "case": case,
            "thread": case.messages.select_related("author").prefetch_related("attachments"),
            "attachments": case.attachments.filter(message__isnull=True),
            "referrals": case.referrals.select_related("organisation"),
            "form": form,
            "is_requester": requester,
            "can_manage": can_manage,
            "refer_form": ReferForm() if can_manage else None,
            "close_form": CloseForm() if can_manage else None,
        },
    )


@require("desk.read_case", get_object=_case, hide=True)
def attachment(request: HttpRequest, reference: str, pk: int, obj: Case) -> HttpResponse:
    file = get_object_or_404(CaseAttachment, pk=pk, case=obj)
    services.log_access(case=obj, user=request.user, what=f"attachment {file.pk}")
    return serve_bytes(decrypt_bytes(bytes(file.content)), filename=file.filename or "bijlage", opaque=True)


@require("desk.read_case", get_object=_case, hide=True)
def access_log(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    """The case's trail: every read, and every change of its confidentiality (who, when, from, to)."""
    accesses = Paginator(obj.accesses.select_related("user"), 50).get_page(request.GET.get("page"))
    changes = obj.level_changes.select_related("changed_by", "consent")
    return render(request, "desk/access_log.html", {"case": obj, "page": accesses, "changes": changes})


@require("desk.read_case", get_object=_case, hide=True)
def delete_request(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    member = getattr(request.user, "member", None)
    if member is None or obj.requester_id != member.pk:
        raise PermissionDenied
    if request.method == "POST":
        services.request_deletion(case=obj, member=member)
        if obj.purged_at:
            messages.success(request, _("The content of your case has been deleted."))
            return redirect("desk:home")
        messages.success(request, _("The content will be deleted as soon as the case is closed."))
        return redirect(obj.get_absolute_url())
    return render(request, "desk/delete_request.html", {"case": obj})


def _level_options(case: Case) -> list[dict[str, Any]]:
    """Every level with the people at the desk who would read the case at it (the one rule)."""
    current = level_rank(case.confidentiality)
    return [
        {
            "value": value,
            "label": label,
            "readers": services.desk_readers(case, value),
            "current": value == case.confidentiality,
            "lower": level_rank(value) < current,
        }
        for value, label in Confidentiality.choices
    ]


@require("desk.read_case", get_object=_case, hide=True)
def confidentiality(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    """The requester chooses who may read their case, seeing by name who would read it at each
    level; or allows the counsellor of a strictly confidential case to lower it later."""
    case = obj
    if not is_requester(request.user, case):
        raise PermissionDenied
    level_form = LevelForm(initial={"confidentiality": case.confidentiality})
    consent_form = ConsentForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "level":
                level_form = LevelForm(request.POST)
                if not level_form.is_valid():
                    raise ValidationError(_("Choose a level."))
                level = level_form.cleaned_data["confidentiality"]
                if level_rank(level) < level_rank(case.confidentiality) and not level_form.cleaned_data["understood"]:
                    level_form.add_error(
                        "understood", _("Confirm that you understand who will then be able to read your case.")
                    )
                    raise ValidationError(_("Nothing has been changed."))
                if services.change_level_as_requester(case=case, level=level, by=request.user):
                    messages.success(request, _("Your case's confidentiality has been changed."))
                return redirect("desk:confidentiality", reference=case.reference)
            if action == "consent":
                consent_form = ConsentForm(request.POST)
                if not consent_form.is_valid():
                    raise ValidationError(_("Choose a level."))
                services.give_consent(case=case, level=consent_form.cleaned_data["level"], by=request.user)
                messages.success(request, _("Your consent has been recorded."))
                return redirect("desk:confidentiality", reference=case.reference)
            if action == "withdraw":
                services.withdraw_consent(case=case, by=request.user)
                messages.success(request, _("Your consent has been withdrawn."))
                return redirect("desk:confidentiality", reference=case.reference)
            raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    counsellor = case.assigned_to if case.assigned_to and Role.COUNSELLOR in case.assigned_to.roles else None
    return render(
        request,
        "desk/confidentiality.html",
        {
            "case": case,
            "options": _level_options(case),
            "level_form": level_form,
            "consent_form": consent_form if case.confidentiality == Confidentiality.STRICT and counsellor else None,
            "counsellor": counsellor,
            "consent": open_consent(case, counsellor) if counsellor else None,
            "changes": case.level_changes.select_related("changed_by"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@require("desk.manage_case", get_object=_case, hide=True)
def case_action(request: HttpRequest, reference: str, obj: Case) -> HttpResponse:
    """Actions that need the content: refer (with a note to the requester), close (with outcome)."""
    action = request.POST.get("action")
    try:
        if action == "refer":
            form = ReferForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose where to refer to."))
            services.refer(
                case=obj,
                organisation=form.cleaned_data["organisation"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
            messages.success(request, _("The referral has been recorded."))
        elif action == "close":
            close_form = CloseForm(request.POST)
            if not close_form.is_valid():
                raise ValidationError(_("Describe the outcome before closing."))
            services.close(case=obj, outcome=close_form.cleaned_data["outcome"])
            messages.success(request, _("The case has been closed."))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(obj.get_absolute_url())


@require("desk.intervision_signup")
def intervision(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    existing = IntervisionSignup.objects.filter(member=member).first()
    initial = {"tier": existing.tier, "topics": existing.topics.all(), "note": existing.note} if existing else None
    form = IntervisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.sign_up_for_intervision(member=member, **form.cleaned_data)
        messages.success(request, _("You are signed up. We will put you in a group and let you know."))
        return redirect("desk:intervision")
    return render(request, "desk/intervision.html", {"form": form, "signup": existing})


# --- for the desk ----------------------------------------------------------------------------------


@require("desk.view_queue")
def queue(request: HttpRequest) -> HttpResponse:
    """Metadata only: reference, level, status, dates, and the kind where the reader may know it.
    Content needs the case's own rule."""
    status = request.GET.get("status", "open")
    kind = request.GET.get("kind", "")
    cases = selectors.queue(request.user, status=status, kind=kind, mine=bool(request.GET.get("mine")))
    page = Paginator(cases, 30).get_page(request.GET.get("page"))
    rows = [
        {
            "case": c,
            "readable": can(request.user, "desk.read_case", c),
            "details": can(request.user, "desk.see_details", c),
        }
        for c in page.object_list
    ]
    return render(
        request,
        "desk/queue.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "kind": kind,
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "overdue_count": selectors.overdue(request.user).count(),
        },
    )


@require("desk.view_queue")
def overdue(request: HttpRequest) -> HttpResponse:
    # Threat reports whose kind the reader may know (the selector's filter); rows link to triage.
    return render(request, "desk/overdue.html", {"cases": selectors.overdue(request.user)})


def _desk_people() -> list[User]:
    return list(
        User.objects.filter(groups__name__in=[Role.ADVISER, Role.COUNSELLOR], is_active=True)
        .distinct()
        .order_by("name")
    )


def _triage_form(request: HttpRequest, case: Case) -> TriageForm:
    return TriageForm(
        initial={"kind": case.kind, "confidentiality": case.confidentiality},
        levels=levels_at_triage(request.user, case),
        may_set_kind=can(request.user, "desk.set_kind", case),
    )


@require("desk.view_queue")
def manage(request: HttpRequest, reference: str) -> HttpResponse:
    """Triage and assignment: on metadata, without reading the content. The triage form offers
    only what the person may do; a level posted that they may not choose is refused, with the
    reason, and nothing changes."""
    case = _case(request, reference)
    if case.purged_at:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        if not can(request.user, "desk.triage" if action == "triage" else "desk.assign"):
            raise PermissionDenied
        try:
            if action == "triage":
                # Every level is accepted by the form here, so that the service (the one place
                # that decides) refuses a level the person may not choose, with its reason.
                form = TriageForm(
                    request.POST,
                    levels=list(Confidentiality.values),
                    may_set_kind=can(request.user, "desk.set_kind", case),
                )
                if not form.is_valid():
                    raise ValidationError(_("Choose a kind and a level."))
                services.triage(
                    case=case,
                    by=request.user,
                    kind=form.cleaned_data.get("kind") or None,
                    confidentiality=form.cleaned_data.get("confidentiality") or None,
                )
                messages.success(request, _("The case has been triaged."))
            elif action in ("assign", "add_counsellor"):
                user = get_object_or_404(User, pk=_int(request.POST.get("user")))
                if action == "assign":
                    services.assign(case=case, user=user, by=request.user)
                    messages.success(request, _("Assigned to %(name)s.") % {"name": user.name})
                else:
                    services.add_counsellor(case=case, user=user, by=request.user)
                    messages.success(request, _("%(name)s has been added to the case.") % {"name": user.name})
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, text or _("You may not do this."))
        return redirect("desk:manage", reference=case.reference)
    details = can(request.user, "desk.see_details", case)
    form = _triage_form(request, case)
    return render(
        request,
        "desk/manage.html",
        {
            "case": case,
            "details": details,
            "triage_form": form if form.offers_anything else None,
            "people": _desk_people(),
            "suggestions": services.suggest_helpers(case) if details else services.suggest_helpers(case, by_kind=False),
            "readable": can(request.user, "desk.read_case", case),
            "can_assign": can(request.user, "desk.assign"),
        },
    )


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404 from None


@require("desk.view_statistics")
def statistics(request: HttpRequest) -> HttpResponse:
    overview = services.statistics_overview()
    top = max([n or 0 for _k, n in overview["by_kind"]] or [1]) or 1
    # Suppressed small cells are drawn as zero: a bar never shows more than its number does.
    bars = [
        {"label": Kind(kind).label if kind in Kind.values else kind, "count": count, "value": count or 0, "top": top}
        for kind, count in overview["by_kind"]
    ]
    overview["by_tier"] = [(str(Tier(t).label) if t in Tier.values else "", n) for t, n in overview["by_tier"]]
    return render(request, "desk/statistics.html", {"overview": overview, "bars": bars})


@require("desk.manage_directory")
def organisations(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_organisation(form=form, by=request.user)
        messages.success(request, _("The address has been added."))
        return redirect("desk:organisations")
    items = Paginator(Organisation.objects.select_related("region").order_by("name"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "desk/organisations.html", {"form": form, "page": items})


@require("desk.manage_directory")
def helpers(request: HttpRequest) -> HttpResponse:
    own = Helper.objects.filter(user=request.user).first()
    if request.method == "POST" and own is not None:
        services.set_own_availability(
            user=request.user,
            available=request.POST.get("available") == "1",
            on_duty=request.POST.get("on_duty") == "1",
        )
        messages.success(request, _("Your availability has been saved."))
        return redirect("desk:helpers")
    return render(
        request,
        "desk/helpers.html",
        {"helpers": Helper.objects.select_related("user", "region").prefetch_related("expertise"), "own": own},
    )


@require("desk.view_queue")
def intervision_groups(request: HttpRequest) -> HttpResponse:
    waiting = IntervisionSignup.objects.filter(group__isnull=True).select_related("member").prefetch_related("topics")
    if request.method == "POST":
        chosen = list(waiting.filter(pk__in=request.POST.getlist("signups")))
        try:
            group = services.form_group(
                name=request.POST.get("name", "") or _("Intervision group"), signups=chosen, facilitator=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Group %(name)s has been formed.") % {"name": group.name})
        return redirect("desk:intervision_groups")
    from .models import IntervisionGroup

    groups = IntervisionGroup.objects.prefetch_related("signups__member").select_related("facilitator")
    return render(request, "desk/intervision_groups.html", {"waiting": waiting, "groups": groups})
