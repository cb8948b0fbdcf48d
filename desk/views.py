from __future__ import annotations

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

from . import services
from .forms import AskForm, CloseForm, IntervisionForm, MessageForm, OrganisationForm, ReferForm, ReportForm, TriageForm
from .models import Case, CaseAttachment, Confidentiality, Helper, IntervisionSignup, Kind, Organisation, Status


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
    is_requester = services._is_requester(case, request.user)
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
            "is_requester": is_requester,
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
    accesses = Paginator(obj.accesses.select_related("user"), 50).get_page(request.GET.get("page"))
    return render(request, "desk/access_log.html", {"case": obj, "page": accesses})


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
    """Metadata only: reference, kind, level, status, dates. Content needs the case's own rule."""
    cases = Case.objects.select_related("assigned_to", "province").filter(purged_at__isnull=True)
    status = request.GET.get("status", "open")
    if status == "open":
        cases = cases.exclude(status=Status.CLOSED)
    elif status in Status.values:
        cases = cases.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        cases = cases.filter(kind=kind)
    if request.GET.get("mine"):
        cases = cases.filter(assigned_to=request.user)
    page = Paginator(cases.order_by("status", "-created_at"), 30).get_page(request.GET.get("page"))
    rows = [{"case": c, "readable": can(request.user, "desk.read_case", c)} for c in page.object_list]
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
            "overdue_count": services.overdue().count(),
        },
    )


@require("desk.view_queue")
def overdue(request: HttpRequest) -> HttpResponse:
    cases = services.overdue().select_related("assigned_to")
    return render(
        request,
        "desk/overdue.html",
        {"cases": [{"case": c, "readable": can(request.user, "desk.read_case", c)} for c in cases]},
    )


def _desk_people() -> list[User]:
    return list(
        User.objects.filter(groups__name__in=[Role.ADVISER, Role.COUNSELLOR], is_active=True)
        .distinct()
        .order_by("name")
    )


@require("desk.view_queue")
def manage(request: HttpRequest, reference: str) -> HttpResponse:
    """Triage and assignment: on metadata, without reading the content."""
    case = _case(request, reference)
    if case.purged_at:
        raise Http404
    if request.method == "POST":
        if not can(request.user, "desk.assign"):
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "triage":
                form = TriageForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("Choose a kind and a level."))
                services.triage(case=case, **form.cleaned_data)
                messages.success(request, _("The case has been triaged."))
            elif action in ("assign", "add_counsellor"):
                user = get_object_or_404(User, pk=request.POST.get("user"))
                if action == "assign":
                    services.assign(case=case, user=user)
                    messages.success(request, _("Assigned to %(name)s.") % {"name": user.name})
                else:
                    services.add_counsellor(case=case, user=user)
                    messages.success(request, _("%(name)s has been added to the case.") % {"name": user.name})
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("desk:manage", reference=case.reference)
    return render(
        request,
        "desk/manage.html",
        {
            "case": case,
            "triage_form": TriageForm(initial={"kind": case.kind, "confidentiality": case.confidentiality}),
            "people": _desk_people(),
            "suggestions": services.suggest_helpers(case),
            "readable": can(request.user, "desk.read_case", case),
            "can_assign": can(request.user, "desk.assign"),
        },
    )


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
        form.save()
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
        own.available = request.POST.get("available") == "1"
        own.on_duty = request.POST.get("on_duty") == "1"
        own.save(update_fields=["available", "on_duty"])
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
