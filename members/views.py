from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import download
from core.files import serve_file
from core.models import Body, Tier
from core.permissions import can, require
from core.roles import STAFF_ROLES, roles_of
from core.selectors import match_bodies, provinces

from . import cache as directory_cache
from . import data_page, importing, invitations, services
from .forms import (
    ChangeMandateForm,
    ErasureRequestForm,
    ImportUploadForm,
    MessageForm,
    ProfileForm,
    ProposeMandateForm,
    ReportForm,
)
from .models import Branch, ImportBatch, InvitationRun, Mandate, MandateRole, Member, Message, Visibility
from .privacy import PRIVATE_FIELDS, may_see, visible_fields, visible_to_class
from .selectors import (
    DirectoryFilters,
    branches,
    directory,
    member_profile,
    staff_visible_private_fields,
    visible_topics,
)

PAGE_SIZE = 24


def _member(request: HttpRequest, pk: int) -> Member:
    return get_object_or_404(Member.objects.select_related("branch"), pk=pk)


def _own_member(request: HttpRequest) -> Member:
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404
    return member


# --- directory and pages --------------------------------------------------------------------------


def _resolve_body(text: str) -> tuple[str, str]:
    """(code, problem) for what the user typed as body: a code or a (tolerant) name."""
    if not text:
        return "", ""
    if Body.objects.filter(code=text.upper()).exists():
        return text.upper(), ""
    matches = match_bodies(text)
    if len(matches) == 1:
        return matches[0].code, ""
    if matches:
        options = ", ".join(b.official_name or b.name for b in matches)
        return "", _("'%(text)s' can mean several bodies: %(options)s.") % {"text": text, "options": options}
    # Nothing matches: filter on an impossible code so the result is honestly empty.
    return "-", _("No municipality, province or water board is called '%(text)s'.") % {"text": text}


@require("members.view_directory")
def directory_view(request: HttpRequest) -> HttpResponse:
    """The member directory. Result pages are cached (members.cache) because every association
    member sees the same page; staff views of private fields are logged on every request."""
    get = request.GET
    body_text = get.get("body", "").strip()[:100]
    body_code, body_problem = _resolve_body(body_text)
    filters = DirectoryFilters(
        query=get.get("q", "").strip()[:100],
        tier=get.get("tier", "") if get.get("tier") in Tier.values else "",
        body=body_code,
        province=get.get("province", "").strip().upper()[:8],
        role=get.get("role", "") if get.get("role") in MandateRole.values else "",
        topic=get.get("topic", "").strip()[:50],
        branch=get.get("branch", "").strip()[:50],
        sort="relevance" if get.get("sort") == "relevance" else "name",
    )
    is_staff = bool(roles_of(request.user) & STAFF_ROLES)
    page_number = get.get("page", "1")
    cached = directory_cache.get("results", filters, page_number, is_staff)
    if cached is None:
        page = Paginator(directory(filters=filters), PAGE_SIZE).get_page(page_number)
        # Shared by every viewer of this class: never render a viewer's own private fields here.
        rows = [{"member": m, "visible": visible_to_class(m, staff=is_staff)} for m in page.object_list]
        results = render_to_string("members/_directory_results.html", {"page": page, "rows": rows}, request)
        shown = [
            (m.pk, [f for f in PRIVATE_FIELDS if getattr(m, f"{f}_visibility") == Visibility.STAFF] if is_staff else [])
            for m in page.object_list
        ]
        cached = {"html": results, "shown": shown}
        directory_cache.put(cached, "results", filters, page_number, is_staff)
    if is_staff:
        services.log_private_views(
            viewer=request.user,
            shown=[(Member(pk=pk), fields) for pk, fields in cached["shown"]],
            path=request.get_full_path(),
        )
    if request.headers.get("HX-Request"):
        return HttpResponse(cached["html"])
    choices = directory_cache.get("choices")
    if choices is None:
        choices = {
            "provinces": [(p.code, p.name) for p in provinces()],
            "topics": list(visible_topics().values_list("slug", "name")),
            "branches": list(branches().values_list("slug", "name")),
        }
        directory_cache.put(choices, "choices")
    context = {
        # Our own rendered template, from the cache.
        "results": mark_safe(cached["html"]),  # noqa: S308
        "filters": filters,
        "tiers": [(v, label) for v, label in Tier.choices if v != Tier.NATIONAL],
        "roles": MandateRole.choices,
        "body_text": body_text,
        "body_problem": body_problem,
        **choices,
    }
    return render(request, "members/directory.html", context)


@require("members.view_member", get_object=_member, hide=True)
def member_detail(request: HttpRequest, pk: int, obj: Member) -> HttpResponse:
    mandates = member_profile(obj)
    services.log_private_views(
        viewer=request.user, shown=[(obj, staff_visible_private_fields(request.user, obj))], path=request.path
    )
    own = getattr(request.user, "member", None)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": obj,
            "visible": visible_fields(request.user, obj),
            "current_mandates": [m for m in mandates if m.is_current and m.review_status != Mandate.Review.PENDING],
            "past_mandates": [m for m in mandates if not m.is_current and m.review_status == Mandate.Review.APPROVED],
            "topics": obj.topics.all(),
            "can_message": own is not None and can(request.user, "members.use_messages") and own.pk != obj.pk,
        },
    )


@require("members.view_photo", get_object=_member)
def member_photo(request: HttpRequest, pk: int, obj: Member) -> HttpResponse:
    if not obj.photo or not may_see(request.user, obj, "photo"):
        raise Http404
    return serve_file(obj.photo, cache_seconds=600)


def _branch(request: HttpRequest, slug: str) -> Branch:
    return get_object_or_404(Branch.objects.select_related("province"), slug=slug)


@require("members.view_branch", get_object=_branch)
def branch_detail(request: HttpRequest, slug: str, obj: Branch) -> HttpResponse:
    today = timezone.localdate()
    officials = (
        obj.officials.filter(Q(end_date__isnull=True) | Q(end_date__gte=today), member__status=Member.Status.ACTIVE)
        .select_related("member")
        .order_by("function")
    )
    members = Paginator(obj.members.active().order_by("sort_name"), 48).get_page(request.GET.get("page"))
    return render(
        request,
        "members/branch_detail.html",
        {
            "branch": obj,
            "officials": officials,
            "municipalities": obj.municipalities.order_by("search_name"),
            "page": members,
            "can_manage": can(request.user, "members.manage_branch", obj),
        },
    )


# --- own profile ----------------------------------------------------------------------------------


@require("members.edit_profile")
def profile(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=member)
    if request.method == "POST" and form.is_valid():
        services.update_profile(form=form, by=request.user)
        messages.success(request, _("Your profile has been saved."))
        return redirect("members:profile")
    mandates = member.mandates.select_related("body", "faction").order_by("-start_date")
    return render(
        request,
        "members/profile.html",
        {
            "form": form,
            "member": member,
            "mandates": mandates,
            "open_erasure": member.erasure_requests.filter(executed_at__isnull=True).first(),
        },
    )


@require("members.edit_profile")
def mandate_propose(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    form = ProposeMandateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.propose_mandate(
                member=member,
                submitted_by=request.user,  # type: ignore[arg-type]
                body=data["body"],
                role=data["role"],
                portfolios=data["portfolios"],
                start_date=data["start_date"],
                end_date=data["end_date"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Thank you. The association checks the new mandate before it shows on your profile.")
            )
            return redirect("members:profile")
    return render(request, "members/mandate_form.html", {"form": form, "title": _("Add a mandate")})


def _own_mandate(request: HttpRequest, pk: int) -> Mandate:
    member = _own_member(request)
    return get_object_or_404(Mandate.objects.select_related("body"), pk=pk, member=member)


@require("members.edit_profile")
def mandate_change(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = _own_mandate(request, pk)
    form = ChangeMandateForm(
        request.POST or None, initial={"portfolios": mandate.portfolios, "end_date": mandate.end_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_mandate(
                mandate=mandate,
                changed_by=request.user,  # type: ignore[arg-type]
                end_date=form.cleaned_data["end_date"],
                portfolios=form.cleaned_data["portfolios"],
            )
        except ValidationError as error:
            form.add_error("end_date", error.messages)
        else:
            messages.success(request, _("The mandate has been updated; the association will check the change."))
            return redirect("members:profile")
    return render(
        request, "members/mandate_form.html", {"form": form, "mandate": mandate, "title": _("Change a mandate")}
    )


@require("members.edit_profile")
def data_export(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    data = services.personal_data(member)
    if request.GET.get("format") == "json":
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="mijn-gegevens.json"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "members/data_export.html", {"data": data, "readable": data_page.readable(member, data)})


@require("members.edit_profile")
def erasure_request(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_erasure(member=member, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("Your request has been received. An administrator will carry it out and let you know.")
        )
        return redirect("members:profile")
    return render(request, "members/erasure_request.html", {"form": form})


# --- messages -------------------------------------------------------------------------------------


@require("members.use_messages")
def inbox(request: HttpRequest) -> HttpResponse:
    me = _own_member(request)
    threads = (
        Member.objects.filter(Q(sent_messages__recipient=me) | Q(received_messages__sender=me))
        .annotate(
            last=Max("sent_messages__created_at", filter=Q(sent_messages__recipient=me)),
            last_sent=Max("received_messages__created_at", filter=Q(received_messages__sender=me)),
            unread=Count(
                "sent_messages",
                filter=Q(sent_messages__recipient=me, sent_messages__read_at__isnull=True),
                distinct=True,
            ),
        )
        .distinct()
    )
    rows = sorted(threads, key=lambda m: max(filter(None, [m.last, m.last_sent])), reverse=True)
    return render(request, "members/inbox.html", {"threads": rows})


@require("members.use_messages")
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    me = _own_member(request)
    other = get_object_or_404(Member, pk=pk)
    if (
        not can(request.user, "members.view_member", other)
        and not Message.objects.filter(Q(sender=other, recipient=me) | Q(sender=me, recipient=other)).exists()
    ):
        raise Http404
    form = MessageForm(request.POST or None)
    reason = services.can_message(me, other)
    if request.method == "POST":
        if reason:
            raise PermissionDenied(reason)
        if form.is_valid():
            try:
                services.send_message(
                    sender=me,
                    recipient=other,
                    body=form.cleaned_data["body"],
                    reveal_sender_email=form.cleaned_data["reveal_sender_email"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your message has been sent."))
                return redirect("members:thread", pk=other.pk)
    services.mark_thread_read(reader=me, other=other)
    conversation = Message.objects.filter(Q(sender=me, recipient=other) | Q(sender=other, recipient=me)).order_by(
        "created_at"
    )
    return render(
        request,
        "members/thread.html",
        {
            "other": other,
            "conversation": conversation,
            "form": form,
            "reason": reason,
            "blocked": me.blocks.filter(blocked=other).exists(),
        },
    )


@require("members.use_messages")
def report_message(request: HttpRequest, pk: int) -> HttpResponse:
    me = _own_member(request)
    message = get_object_or_404(Message.objects.select_related("sender"), pk=pk, recipient=me)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_message(message=message, reporter=me, reason=form.cleaned_data["reason"])
        messages.success(request, _("Thank you. The association will look at this message."))
        return redirect("members:thread", pk=message.sender_id)
    return render(request, "members/report_message.html", {"form": form, "message": message})


@require_POST
@require("members.use_messages")
def block(request: HttpRequest, pk: int) -> HttpResponse:
    me = _own_member(request)
    other = get_object_or_404(Member, pk=pk)
    if request.POST.get("action") == "unblock":
        services.unblock_member(blocker=me, blocked=other)
        messages.success(request, _("%(name)s can send you messages again.") % {"name": other.full_name})
    else:
        try:
            services.block_member(blocker=me, blocked=other)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s can no longer send you messages.") % {"name": other.full_name})
    return redirect("members:thread", pk=other.pk)


# --- staff: mandate review, import, bulk invitations, export ------------------------------------------


@require("members.review_mandates")
def mandate_reviews(request: HttpRequest) -> HttpResponse:
    pending = Mandate.objects.awaiting_review().select_related("member", "body", "submitted_by").order_by("start_date")
    page = Paginator(pending, 50).get_page(request.GET.get("page"))
    return render(request, "members/mandate_reviews.html", {"page": page})


@require_POST
@require("members.review_mandates")
def mandate_review(request: HttpRequest, pk: int) -> HttpResponse:
    mandate = get_object_or_404(Mandate.objects.awaiting_review(), pk=pk)
    approve = request.POST.get("decision") == "approve"
    services.review_mandate(mandate=mandate, reviewer=request.user, approve=approve)  # type: ignore[arg-type]
    messages.success(request, _("Confirmed.") if approve else _("Rejected."))
    return redirect("members:mandate_reviews")


@require("members.import")
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One byte more than allowed is enough to refuse a file that is too large.
            content = upload.read(importing.MAX_BYTES + 1)
            batch = importing.check_file(name=upload.name, content=content, uploaded_by=request.user)
        except importing.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("members:import_detail", pk=batch.pk)
    recent = ImportBatch.objects.select_related("uploaded_by")[:10]
    return render(request, "members/import_upload.html", {"form": form, "recent": recent})


@require("members.import")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch, pk=pk)
    if request.method == "POST":
        if request.POST.get("action") == "discard" and batch.status == ImportBatch.Status.CHECKED:
            services.discard_import(batch=batch, by=request.user)
            messages.info(request, _("The import has been discarded; nothing was written."))
            return redirect("members:import_upload")
        try:
            counts = importing.apply_batch(batch=batch, by=request.user)
        except (importing.ImportRefused, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(
                request,
                _("Imported: %(created)d new members, %(updated)d updated, %(mandates)d mandates.") % counts,
            )
        return redirect("members:import_detail", pk=batch.pk)
    rows = batch.rows
    summary = {
        "create": sum(1 for r in rows if r["action"] == "create"),
        "update": sum(1 for r in rows if r["action"] == "update"),
        "error": sum(1 for r in rows if r["action"] == "error"),
    }
    return render(request, "members/import_detail.html", {"batch": batch, "rows": rows, "summary": summary})


@require("members.invite")
def invite_bulk(request: HttpRequest) -> HttpResponse:
    candidates = invitations.members_to_invite()
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("members") if i.isdigit()]
        try:
            run = invitations.start_run(member_ids=ids, started_by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("members:invite_run", pk=run.pk)
    page = Paginator(candidates.select_related("branch"), 100).get_page(request.GET.get("page"))
    runs = InvitationRun.objects.select_related("started_by")[:5]
    return render(request, "members/invite_bulk.html", {"page": page, "runs": runs})


@require("members.invite")
def invite_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(InvitationRun, pk=pk)
    template = "members/_invite_progress.html" if request.headers.get("HX-Request") else "members/invite_run.html"
    return render(request, template, {"run": run})


@require("members.export")
def export(request: HttpRequest) -> HttpResponse:
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    members = directory(filters=DirectoryFilters())
    header = [
        _("given name"),
        _("infix"),
        _("family name"),
        _("e-mail address"),
        _("phone"),
        _("branch"),
        _("mandates"),
        _("topics of expertise"),
        _("member since"),
    ]
    rows = (
        [
            m.given_name,
            m.infix,
            m.family_name,
            m.email,
            m.phone,
            m.branch.name if m.branch else "",
            "; ".join(f"{md.get_role_display()} {md.body.name}" for md in m.current_mandates),
            ", ".join(t.name for t in m.topics.all()),
            m.member_since.isoformat(),
        ]
        for m in members
    )
    # The export shows e-mail and phone of everyone: a staff view of private fields, logged per member.
    services.log_private_views(
        viewer=request.user,
        shown=[(Member(pk=pk), ["email", "phone"]) for pk in members.values_list("pk", flat=True)],
        path=request.get_full_path(),
    )
    stamp = timezone.localdate().isoformat()
    return download([str(h) for h in header], rows, filename=f"leden-{stamp}", fmt=fmt)
