from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.clients import over_limit
from core.crypto import decrypt_bytes
from core.files import serve_bytes
from core.forms import add_errors
from core.mail import absolute_url
from core.permissions import can, require
from members.models import Member

from . import output, selectors, services
from .forms import (
    AdviceForm,
    AdviserForm,
    ApplicationForm,
    CommitteeForm,
    ConflictForm,
    CriterionFormSet,
    InterviewForm,
    InterviewNotesForm,
    MailTemplateForm,
    ProcedureForm,
    ScoreForm,
    StatusForm,
    criteria_data,
    criteria_initial,
)
from .models import (
    Application,
    CommitteeMember,
    ConflictDeclaration,
    CurriculumVitae,
    Interview,
    Score,
    SelectionProcedure,
    StatusMailKind,
    StatusMailTemplate,
)

# Applications from one address per hour (every POST counts: robots also send invalid forms).
APPLICATIONS_PER_HOUR = 10


def _member(request: HttpRequest) -> Member | None:
    return getattr(request.user, "member", None) if request.user.is_authenticated else None


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _procedure(request: HttpRequest, pk: int, **kwargs: Any) -> SelectionProcedure:
    return get_object_or_404(SelectionProcedure.objects.select_related("branch", "body", "adviser"), pk=pk)


def _application(request: HttpRequest, pk: int, application: int, **kwargs: Any) -> Application:
    return get_object_or_404(
        Application.objects.select_related("procedure", "procedure__branch", "procedure__body", "member"),
        pk=application,
        procedure_id=pk,
    )


# --- public: calls, applying, one's own application ------------------------------------------------


@require("selection.apply")
def calls(request: HttpRequest) -> HttpResponse:
    return render(request, "selection/calls.html", {"calls": selectors.open_calls()})


def _published(request: HttpRequest, slug: str) -> SelectionProcedure:
    """A published call; a draft only for those who prepare it (as a preview)."""
    procedure = get_object_or_404(SelectionProcedure.objects.select_related("branch", "body"), slug=slug)
    if procedure.status == SelectionProcedure.Status.DRAFT and not can(
        request.user, "selection.view_procedure", procedure
    ):
        raise Http404
    return procedure


@require("selection.apply")
def call(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = _published(request, slug)
    return render(
        request,
        "selection/call.html",
        {
            "procedure": procedure,
            "criteria": procedure.criteria.all(),
            "open": procedure.accepts_applications(),
            "problem": services.may_apply(procedure, request.user),
            "today": timezone.localdate(),
        },
    )


@require("selection.apply")
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """The application form: no account needed, a honeypot and a rate limit instead of a captcha.
    A member finds their details filled in and the application linked to them."""
    procedure = _published(request, slug)
    problem = services.may_apply(procedure, request.user)
    if problem:
        return render(request, "selection/apply_closed.html", {"procedure": procedure, "problem": problem})
    member = _member(request)
    initial = ApplicationForm.initial_for(member) if member else None
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        if over_limit(request, "selection:apply", per_hour=APPLICATIONS_PER_HOUR):
            return render(request, "429.html", status=429)
        if form.is_valid():
            if form.cleaned_data["website"]:
                # A robot filled in the invisible field: pretend all went well, store nothing.
                return render(request, "selection/applied.html", {"procedure": procedure, "email": ""})
            try:
                services.apply(
                    procedure=procedure,
                    data=form.data_object(),
                    cv=form.cleaned_data["cv"],
                    member=member,
                    user=request.user,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                return render(
                    request, "selection/applied.html", {"procedure": procedure, "email": form.cleaned_data["email"]}
                )
    return render(request, "selection/apply.html", {"procedure": procedure, "form": form, "member": member})


def _own_application(token: str) -> Application:
    application = services.application_for_token(token)
    if application is None:
        raise Http404
    return application


@require("selection.apply")
def status(request: HttpRequest, token: str) -> HttpResponse:
    """An applicant's own application, reached by the secret link in their e-mails (or from their
    list when logged in): status, timeline, who read it; withdraw."""
    application = _own_application(token)
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        try:
            services.withdraw(application=application)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your application has been withdrawn."))
        return redirect("selection:status", token=token)
    procedure = application.procedure
    return _private(
        render(
            request,
            "selection/status.html",
            {
                "application": application,
                "procedure": procedure,
                "accesses": selectors.access_log(application)[:50],
                "can_withdraw": application.status != Application.Status.WITHDRAWN
                and procedure.status != SelectionProcedure.Status.FINISHED,
                "today": timezone.localdate(),
            },
        )
    )


@require("selection.my_applications")
def my_applications(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    assert member is not None  # (the rule requires a member record)
    return render(request, "selection/my_applications.html", {"applications": selectors.applications_of(member)})


# --- the branch and the committee ------------------------------------------------------------------


@require("selection.view_my_procedures")
def procedures(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "selection/procedures.html",
        {
            "procedures": selectors.procedures_for(request.user),
            "can_open": can(request.user, "selection.open_procedure"),
        },
    )


@require("selection.open_procedure")
def procedure_create(request: HttpRequest) -> HttpResponse:
    branches = selectors.running_branches(request.user)
    form = ProcedureForm(request.POST or None, branches=branches, bodies=services.bodies_for_branches(branches))
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.open_procedure(
                user=request.user, branch=form.cleaned_data["branch"], data=form.data_object()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The procedure has been opened as a draft. Check the criteria, appoint the committee, then publish."),
            )
            return redirect(procedure.get_absolute_url())
    return render(request, "selection/procedure_form.html", {"form": form, "procedure": None})


@require("selection.manage_procedure", get_object=_procedure, hide=True)
def procedure_edit(request: HttpRequest, pk: int, obj: SelectionProcedure) -> HttpResponse:
    bodies = services.bodies_for_branches([obj.branch])
    if obj.body not in bodies:
        bodies.append(obj.body)
    form = ProcedureForm(request.POST or None, bodies=bodies, initial=ProcedureForm.initial_for(obj))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_procedure(procedure=obj, data=form.data_object())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The procedure has been saved."))
            return redirect(obj.get_absolute_url())
    return render(request, "selection/procedure_form.html", {"form": form, "procedure": obj})


@require("selection.view_procedure", get_object=_procedure, hide=True)
def procedure(request: HttpRequest, pk: int, obj: SelectionProcedure) -> HttpResponse:
    """The committee's dashboard: the timeline, the committee, and every applicant with the
    viewer's own scoring progress and the committee's average."""
    rows = selectors.dashboard(obj, request.user)
    mine = selectors.involvement(request.user).committee.get(obj.pk)
    return render(
        request,
        "selection/procedure.html",
        {
            "procedure": obj,
            "rows": rows,
            "active_count": sum(1 for r in rows if r.application.is_active),
            "committee": obj.committee.select_related("member"),
            "on_committee": mine is not None,
            "is_chair": mine is not None and mine[1] == CommitteeMember.CommitteeRole.CHAIR,
            "can_manage": can(request.user, "selection.manage_procedure", obj),
            "problems": services.publication_problems(obj) if obj.status == SelectionProcedure.Status.DRAFT else [],
            "advice": getattr(obj, "advice", None),
            "scoring_open": obj.status in (SelectionProcedure.Status.OPEN, SelectionProcedure.Status.CLOSED),
            "today": timezone.localdate(),
        },
    )


@require_POST
@require("selection.manage_procedure", get_object=_procedure, hide=True)
def procedure_action(request: HttpRequest, pk: int, obj: SelectionProcedure) -> HttpResponse:
    """Publish the call, close applications, or finish the procedure."""
    action = request.POST.get("action")
    done = {
        "publish": (services.publish, _("The call has been published.")),
        "close": (services.close_applications, _("Applications are closed.")),
        "finish": (services.finish, _("The procedure has finished.")),
    }
    if action not in done:
        messages.error(request, _("Unknown action."))
        return redirect(obj.get_absolute_url())
    function, message = done[action]
    try:
        function(procedure=obj)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, message)
    return redirect(obj.get_absolute_url())


@require("selection.manage_procedure", get_object=_procedure, hide=True)
def criteria(request: HttpRequest, pk: int, obj: SelectionProcedure) -> HttpResponse:
    formset = CriterionFormSet(request.POST or None, initial=criteria_initial(list(obj.criteria.all())))
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.save_criteria(procedure=obj, criteria=criteria_data(formset))
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("The criteria have been saved."))
            return redirect(obj.get_absolute_url())
    return render(request, "selection/criteria.html", {"procedure": obj, "formset": formset, "errors": errors})


@require("selection.manage_procedure", get_object=_procedure, hide=True)
def committee(request: HttpRequest, pk: int, obj: SelectionProcedure) -> HttpResponse:
    """Appoint the committee and its chair, and invite an adviser of the association."""
    form = CommitteeForm()
    adviser_form = AdviserForm(initial={"adviser": obj.adviser_id})
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = CommitteeForm(request.POST)
                if form.is_valid():
                    member = form.cleaned_data["email"]
                    services.add_committee_member(procedure=obj, member=member, chair=form.cleaned_data["chair"])
                    messages.success(request, _("%(name)s is on the committee.") % {"name": member.full_name})
                    return redirect("selection:committee", pk=obj.pk)
            elif action in ("chair", "remove"):
                seat = get_object_or_404(CommitteeMember, pk=request.POST.get("seat"), procedure=obj)
                if action == "chair":
                    services.make_chair(seat=seat)
                    messages.success(request, _("%(name)s chairs the committee.") % {"name": seat.member.full_name})
                else:
                    services.remove_committee_member(seat=seat)
                    messages.success(request, _("%(name)s is off the committee.") % {"name": seat.member.full_name})
                return redirect("selection:committee", pk=obj.pk)
            elif action == "adviser":
                adviser_form = AdviserForm(request.POST)
                if adviser_form.is_valid():
                    services.set_adviser(procedure=obj, adviser=adviser_form.cleaned_data["adviser"])
                    messages.success(request, _("The adviser has been saved."))
                    return redirect("selection:committee", pk=obj.pk)
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            (adviser_form if action == "adviser" else form).add_error(None, error)
    return render(
        request,
        "selection/committee.html",
        {
            "procedure": obj,
            "committee": obj.committee.select_related("member"),
            "form": form,
            "adviser_form": adviser_form,
        },
    )


# --- applicants ------------------------------------------------------------------------------------


@require("selection.view_application", get_object=_application, hide=True)
def application(request: HttpRequest, pk: int, application: int, obj: Application) -> HttpResponse:
    """Everything about one applicant, for those who may read it. Every read is logged."""
    services.log_access(application=obj, user=request.user, what="application")
    procedure = obj.procedure
    conflicts = ConflictDeclaration.objects.filter(application=obj).select_related("committee_member__member")
    sees_reasons = (
        can(request.user, "selection.manage_procedure", procedure)
        or selectors.involvement(request.user).committee.get(procedure.pk, (0, ""))[1]
        == CommitteeMember.CommitteeRole.CHAIR
    )
    return _private(
        render(
            request,
            "selection/application.html",
            {
                "procedure": procedure,
                "application": obj,
                "cv": CurriculumVitae.objects.filter(application=obj).only("pk", "size", "filename").first(),
                "summary": selectors.score_summary(obj),
                "interviews": obj.interviews.all(),
                "conflicts": conflicts,
                "sees_reasons": sees_reasons,
                "topics": obj.topics.all(),
                "can_score": can(request.user, "selection.score", obj),
                "can_decide": can(request.user, "selection.decide_status", obj),
                "can_interview": can(request.user, "selection.interview", obj),
                "on_committee": can(request.user, "selection.declare_conflict", obj),
                "status_form": StatusForm(initial={"status": obj.status}),
                "interview_form": InterviewForm(),
            },
        )
    )


@require("selection.view_application", get_object=_application, hide=True)
def cv(request: HttpRequest, pk: int, application: int, obj: Application) -> HttpResponse:
    """The CV, decrypted, as a download (never shown in the browser, never cached)."""
    file = get_object_or_404(CurriculumVitae, application=obj)
    services.log_access(application=obj, user=request.user, what="cv")
    extension = "pdf" if file.content_type.endswith("pdf") else "docx"
    return serve_bytes(
        decrypt_bytes(bytes(file.content)), filename=output.safe_file_name(f"CV {obj.full_name}", extension)
    )


@require("selection.score", get_object=_application, hide=True)
def score(request: HttpRequest, pk: int, application: int, obj: Application) -> HttpResponse:
    criteria_list = list(obj.procedure.criteria.all())
    existing = {
        s.criterion_id: (s.score, s.note)
        for s in Score.objects.filter(application=obj, committee_member__member__user=request.user)
    }
    form = ScoreForm(request.POST or None, criteria=criteria_list, existing=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.score(application=obj, user=request.user, scores=form.scores())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your scores have been saved."))
            return redirect(obj.procedure.get_absolute_url())
    return _private(
        render(request, "selection/score.html", {"application": obj, "procedure": obj.procedure, "form": form})
    )


@require("selection.declare_conflict", get_object=_application, hide=True)
def conflict(request: HttpRequest, pk: int, application: int, obj: Application) -> HttpResponse:
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_conflict(application=obj, user=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("Your conflict of interest has been recorded. You no longer see this application.")
            )
            return redirect(obj.procedure.get_absolute_url())
    return render(request, "selection/conflict.html", {"application": obj, "procedure": obj.procedure, "form": form})


@require_POST
@require("selection.interview", get_object=_application, hide=True)
def interview_add(request: HttpRequest, pk: int, application: int, obj: Application) -> HttpResponse:
    form = InterviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the date, time and location of the interview."))
        services.schedule_interview(
            application=obj,
            starts_at=form.cleaned_data["starts_at"],
            location=form.cleaned_data["location"],
            user=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The interview has been planned."))
    return redirect(obj.get_absolute_url())


@require("selection.interview", get_object=_application, hide=True)
def interview(request: HttpRequest, pk: int, application: int, interview: int, obj: Application) -> HttpResponse:
    item = get_object_or_404(Interview, pk=interview, application=obj)
    form = InterviewNotesForm(request.POST or None, initial={"notes": item.notes, "took_place": item.took_place})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_interview(
                interview=item, notes=form.cleaned_data["notes"], took_place=form.cleaned_data["took_place"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The notes have been saved."))
            return redirect(obj.get_absolute_url())
    return _private(
        render(
            request,
            "selection/interview.html",
            {"application": obj, "procedure": obj.procedure, "interview": item, "form": form},
        )
    )


@require_POST
@require("selection.decide_status", get_object=_application, hide=True)
def application_status(request: HttpRequest, pk: int, application: int, obj: Application) -> HttpResponse:
    form = StatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a valid status."))
        services.set_status(application=obj, status=form.cleaned_data["status"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The status has been changed."))
    return redirect(obj.get_absolute_url())


# --- the advice and what follows it -------------------------------------------------------------------


@require("selection.view_advice", get_object=_procedure, hide=True)
def advice(request: HttpRequest, pk: int, obj: SelectionProcedure) -> HttpResponse:
    """The ranked list. The committee's chair edits it (with the committee's averages at hand) and
    finalises it; the others on the procedure read it."""
    current = getattr(obj, "advice", None)
    places = list(current.places.select_related("application")) if current else []
    editable = can(request.user, "selection.edit_advice", obj) and not (current and current.is_final)
    form = None
    rows = []
    if editable:
        dashboard = selectors.dashboard(obj, request.user, include_withdrawn=False)
        candidates = [
            r
            for r in dashboard
            # A chair with a conflict of interest cannot place that applicant (the rules keep
            # them out of the application); another committee member must chair for that.
            if r.application.status not in (Application.Status.WITHDRAWN, Application.Status.PLACED)
            and not r.conflicted
        ]
        initial = {"summary": current.summary if current else ""}
        for place in places:
            initial[f"rank_{place.application_id}"] = place.rank
            initial[f"rationale_{place.application_id}"] = place.rationale
        form = AdviceForm(request.POST or None, applications=[r.application for r in candidates], initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():  # a draft that cannot be finalised is not saved either
                    services.save_advice(
                        procedure=obj, user=request.user, summary=form.cleaned_data["summary"], places=form.places()
                    )
                    finalise = request.POST.get("action") == "finalise"
                    if finalise:
                        services.finalise_advice(procedure=obj, user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if finalise:
                    messages.success(request, _("The advice is final. The secretary can now send the status e-mails."))
                else:
                    messages.success(request, _("The draft advice has been saved."))
                return redirect("selection:advice", pk=obj.pk)
        rows = [
            {"row": r, "rank": form[f"rank_{r.application.pk}"], "rationale": form[f"rationale_{r.application.pk}"]}
            for r in candidates
        ]
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "selection/advice.html",
        {"procedure": obj, "advice": current, "places": places, "form": form, "rows": rows},
    )


def _advice_not_final(request: HttpRequest, procedure: SelectionProcedure) -> HttpResponse | None:
    """The PDF and Word files exist only once the committee has finalised its advice; before that
    the reader learns why (still 404: there is no document yet), with the way back to the advice."""
    current = getattr(procedure, "advice", None)
    if current is not None and current.is_final and current.places.exists():
        return None
    return render(request, "selection/advice_not_final.html", {"procedure": procedure, "advice": current}, status=404)


@require("selection.view_advice", get_object=_procedure, hide=True)
def advice_pdf(request: HttpRequest, pk: int, obj: SelectionProcedure) -> HttpResponse:
    return _advice_not_final(request, obj) or serve_bytes(output.render_pdf(obj), filename=output.file_name(obj, "pdf"))


@require("selection.view_advice", get_object=_procedure, hide=True)
def advice_docx(request: HttpRequest, pk: int, obj: SelectionProcedure) -> HttpResponse:
    return _advice_not_final(request, obj) or serve_bytes(
        output.render_docx(obj), filename=output.file_name(obj, "docx")
    )


@require("selection.send_status_mails", get_object=_procedure, hide=True)
def mails(request: HttpRequest, pk: int, obj: SelectionProcedure) -> HttpResponse:
    """The status e-mails: edit the texts, and send each to the applicants in that status who have
    not had it yet."""
    templates = {
        t.kind: t for t in StatusMailTemplate.objects.filter(procedure=obj).select_related("procedure__branch")
    }
    forms = {
        kind: MailTemplateForm(
            request.POST if request.POST.get("kind") == kind and request.POST.get("action") == "save" else None,
            initial={"subject": template.subject, "body": template.body},
            prefix=kind,
        )
        for kind, template in templates.items()
    }
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        template = templates.get(kind)
        if template is None:
            raise Http404
        if request.POST.get("action") == "save":
            form = forms[kind]
            if form.is_valid():
                try:
                    services.save_mail_template(
                        template=template, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"]
                    )
                except ValidationError as error:
                    add_errors(form, error)
                else:
                    messages.success(request, _("The text has been saved."))
                    return redirect("selection:mails", pk=obj.pk)
        elif request.POST.get("action") == "send":
            count = services.send_status_mails(procedure=obj, kind=kind)
            messages.success(
                request,
                ngettext("%(count)s e-mail has been sent.", "%(count)s e-mails have been sent.", count)
                % {"count": count},
            )
            return redirect("selection:mails", pk=obj.pk)
    sections = []
    for kind, label in StatusMailKind.choices:
        if kind not in templates:
            continue
        due = services.status_mail_due(obj, kind)
        # The preview never shows an applicant's real link: that link is theirs alone.
        preview = (
            services.render_status_mail(templates[kind], due[0], status_link=absolute_url("/kandidaat-worden/…/"))
            if due
            else None
        )
        sections.append({"kind": kind, "label": label, "form": forms[kind], "due": len(due), "preview": preview})
    return render(request, "selection/mails.html", {"procedure": obj, "sections": sections})
