from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.exports import download
from core.mail import absolute_url
from core.permissions import can, require
from core.selectors import provinces
from members.models import Member, Topic

from . import documents, selectors, services
from .forms import EvaluationForm, EventForm, GuestForm, RegisterForm, SessionFormSet
from .models import CalendarFeed, Event, Registration, Session

S = Registration.Status


def _event(request: HttpRequest, slug: str) -> Event:
    return get_object_or_404(Event.objects.select_related("region", "audience_branch"), slug=slug)


def _filters(request: HttpRequest) -> selectors.EventFilters:
    get = request.GET
    return selectors.EventFilters(
        kind=get.get("kind", "") if get.get("kind") in Event.Kind.values else "",
        topic=get.get("topic", "")[:50],
        month=get.get("month", "")[:7],
        region=get.get("region", "")[:8],
        format=get.get("format", "") if get.get("format") in ("online", "offline") else "",
    )


# --- for participants -------------------------------------------------------------------------------


@require("events.view_list")
def event_list(request: HttpRequest, past: bool = False) -> HttpResponse:
    filters = _filters(request)
    page = Paginator(selectors.event_list(viewer=request.user, filters=filters, past=past), 20).get_page(
        request.GET.get("page")
    )
    today = timezone.localdate()
    months = [(today.replace(day=1) + datetime.timedelta(days=31 * i)).replace(day=1) for i in range(0, 12)]
    return render(
        request,
        "events/list.html",
        {
            "page": page,
            "filters": filters,
            "past": past,
            "kinds": Event.Kind.choices,
            "topics": Topic.objects.order_by("name"),
            "regions": provinces(),
            "months": [(m.strftime("%Y-%m"), m) for m in months],
            "can_create": can(request.user, "events.create_event"),
        },
    )


@require("events.view_event", get_object=_event, hide=True)
def event_detail(request: HttpRequest, slug: str, obj: Event) -> HttpResponse:
    member = getattr(request.user, "member", None)
    registration = selectors.my_registration(obj, member)
    confirmed = registration is not None and registration.status == S.CONFIRMED
    problem = services.eligibility_problem(obj, member) if member else None
    return render(
        request,
        "events/detail.html",
        {
            "event": obj,
            "sessions": obj.sessions.all(),
            "registration": registration,
            "show_links": confirmed or can(request.user, "events.manage_event", obj),
            "seats_taken": selectors.seats_taken(obj),
            "eligibility_problem": problem,
            "participants": selectors.participant_list(obj) if confirmed else None,
            "can_manage": can(request.user, "events.manage_event", obj),
            "certificate": registration is not None and services.certificate_available(registration),
        },
    )


@require("events.view_event", get_object=_event, hide=True)
def register(request: HttpRequest, slug: str, obj: Event) -> HttpResponse:
    member = getattr(request.user, "member", None)
    if member is None:
        if obj.audience == Event.Audience.PUBLIC:
            return redirect("events:guest_register", slug=obj.slug)
        raise PermissionDenied
    form = RegisterForm(request.POST or None, asks_needs=obj.asks_needs)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.register(
                event=obj,
                member=member,
                needs=form.cleaned_data.get("needs", ""),
                on_participant_list=form.cleaned_data["on_participant_list"],
            )
        except services.RegistrationError as error:
            messages.error(request, str(error))
        else:
            if registration.status == S.CONFIRMED:
                messages.success(request, _("You are registered. A confirmation is on its way by e-mail."))
            else:
                messages.info(
                    request, _("The event is full: you are on the waitlist. We e-mail you when a seat frees.")
                )
        return redirect(obj.get_absolute_url())
    return render(request, "events/register.html", {"event": obj, "form": form})


def _public_event(request: HttpRequest, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug, status=Event.Status.PUBLISHED)
    if event.audience != Event.Audience.PUBLIC:
        raise Http404
    return event


def guest_register(request: HttpRequest, slug: str) -> HttpResponse:
    event = _public_event(request, slug)
    form = GuestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_guest(event=event, name=form.cleaned_data["name"], email=form.cleaned_data["email"])
        except services.RegistrationError as error:
            form.add_error(None, str(error))
        else:
            return render(
                request, "events/guest_check_mail.html", {"event": event, "email": form.cleaned_data["email"]}
            )
    return render(request, "events/guest_register.html", {"event": event, "form": form})


def _by_token(token: str) -> Registration:
    registration = services.registration_for_token(token)
    if registration is None:
        raise Http404
    return registration


def guest_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Confirming takes a click on a button (a POST): mail scanners that open links change nothing."""
    registration = _by_token(token)
    if request.method == "POST":
        try:
            registration = services.confirm_guest(token=token)
        except services.RegistrationError as error:
            messages.error(request, str(error))
        return redirect("events:registration", token=registration.token)
    return render(request, "events/guest_confirm.html", {"registration": registration, "event": registration.event})


def registration_page(request: HttpRequest, token: str) -> HttpResponse:
    """One's own registration, reached by the private link in every e-mail: status, offer, cancel."""
    registration = _by_token(token)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.accept_offer(registration=registration)
                messages.success(request, _("The seat is yours. See you there!"))
            elif action in ("decline", "cancel"):
                services.cancel(registration=registration)
                messages.success(request, _("Your registration has been cancelled."))
        except services.RegistrationError as error:
            messages.error(request, str(error))
        return redirect("events:registration", token=token)
    registration.refresh_from_db()
    return render(
        request,
        "events/registration.html",
        {
            "registration": registration,
            "event": registration.event,
            "sessions": registration.event.sessions.all(),
            "show_links": registration.status == S.CONFIRMED,
            "certificate": services.certificate_available(registration),
            "evaluated": hasattr(registration, "evaluation"),
            "qr": documents.qr_svg_data_uri(absolute_url(reverse("events:checkin_scan", kwargs={"token": token})))
            if registration.status == S.CONFIRMED
            else None,
        },
    )


@require_GET
@require("events.view_event", get_object=_event, hide=True)
def event_ics(request: HttpRequest, slug: str, obj: Event) -> HttpResponse:
    registration = selectors.my_registration(obj, getattr(request.user, "member", None))
    with_link = (registration is not None and registration.status == S.CONFIRMED) or can(
        request.user, "events.manage_event", obj
    )
    response = HttpResponse(documents.event_ics(obj, with_link=with_link), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{obj.slug}.ics"'
    return response


@require("events.use_calendar")
def calendar(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    if member is None:
        raise PermissionDenied
    feed_url = ""
    if request.method == "POST":
        # Only a hash of the token is kept: the address is shown in this answer and never again.
        token = services.new_calendar_link(member=member, by=request.user)
        feed_url = absolute_url(reverse("events:feed", kwargs={"token": token}))
    registrations = (
        member.registrations.filter(status__in=[S.CONFIRMED, S.WAITLISTED, S.OFFERED])
        .select_related("event")
        .order_by("event__starts_at")
    )
    response = render(
        request,
        "events/calendar.html",
        {
            "feed_url": feed_url,
            "feed": CalendarFeed.objects.filter(member=member).first(),
            "registrations": registrations,
        },
    )
    if feed_url:
        response["Cache-Control"] = "private, no-store"  # the secret address: kept by no cache either
    return response


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal calendar feed: every registered session of one member (secret URL)."""
    calendar_feed = services.calendar_feed_for_token(token)
    if calendar_feed is None:
        raise Http404
    registrations = (
        calendar_feed.member.registrations.filter(status__in=[S.CONFIRMED, S.OFFERED])
        .select_related("event")
        .prefetch_related("event__sessions")
    )
    content = documents.feed_ics(registrations, name=_("My events"))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def invoice(request: HttpRequest, token: str) -> HttpResponse:
    registration = _by_token(token)
    if not registration.invoice_number or registration.status != S.CONFIRMED:
        raise Http404
    response = HttpResponse(documents.invoice_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="factuur-{registration.invoice_number}.pdf"'
    return response


def certificate(request: HttpRequest, token: str) -> HttpResponse:
    registration = _by_token(token)
    if not services.certificate_available(registration):
        raise Http404
    total = registration.event.sessions.count()
    attended = registration.attendance.filter(present=True).count()
    response = HttpResponse(documents.certificate_pdf(registration, attended, total), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificaat-{registration.event.slug}.pdf"'
    return response


def certificate_verify(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    registration = Registration.objects.select_related("event", "member").filter(pk=pk).first()
    valid = (
        registration is not None
        and constant_time_compare(code, documents.certificate_code(registration))
        and services.certificate_available(registration)
    )
    return render(
        request,
        "events/certificate_verify.html",
        {"registration": registration if valid else None},
        status=200 if valid else 404,
    )


def evaluate(request: HttpRequest, token: str) -> HttpResponse:
    registration = _by_token(token)
    if registration.status != S.CONFIRMED or not registration.event.is_past:
        raise Http404
    instance = getattr(registration, "evaluation", None)
    form = EvaluationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.evaluate(
            registration=registration,
            **{k: form.cleaned_data[k] for k in ("overall", "content", "organisation", "comment")},
        )
        messages.success(request, _("Thank you for your evaluation."))
        return redirect("events:registration", token=token)
    return render(request, "events/evaluate.html", {"form": form, "event": registration.event})


# --- for organisers ----------------------------------------------------------------------------------


@require("events.create_event")
def manage_list(request: HttpRequest) -> HttpResponse:
    events = (
        Event.objects.all() if can(request.user, "core.use_admin") else Event.objects.filter(organisers=request.user)
    )
    page = Paginator(events.order_by("-starts_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(request, "events/manage_list.html", {"page": page})


def _save_event(request: HttpRequest, event: Event | None) -> HttpResponse:
    form = EventForm(request.POST or None, instance=event)
    formset = SessionFormSet(request.POST or None, instance=event or Event(), prefix="sessions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            saved = services.save_event(form=form, sessions=formset, by=request.user)
        except ValidationError as error:
            form.add_error("capacity" if "capacity" in str(error).lower() or "plaats" in str(error) else None, error)
        else:
            messages.success(request, _("The event has been saved."))
            return redirect("events:manage", slug=saved.slug)
    return render(request, "events/event_form.html", {"form": form, "formset": formset, "event": event})


@require("events.create_event")
def create(request: HttpRequest) -> HttpResponse:
    return _save_event(request, None)


@require("events.manage_event", get_object=_event)
def edit(request: HttpRequest, slug: str, obj: Event) -> HttpResponse:
    return _save_event(request, obj)


@require("events.manage_event", get_object=_event)
def manage(request: HttpRequest, slug: str, obj: Event) -> HttpResponse:
    if request.method == "POST":
        return _manage_action(request, obj)
    registrations = services.participants(obj)
    return render(
        request,
        "events/manage.html",
        {
            "event": obj,
            "sessions": obj.sessions.all(),
            "confirmed": [r for r in registrations if r.status in (S.CONFIRMED, S.OFFERED)],
            "waiting": [r for r in registrations if r.status == S.WAITLISTED],
            "unconfirmed": [r for r in registrations if r.status == S.UNCONFIRMED],
            "seats_taken": selectors.seats_taken(obj),
            "other_events": Event.objects.exclude(pk=obj.pk)
            .filter(status=Event.Status.PUBLISHED)
            .upcoming()
            .order_by("starts_at")[:50],
        },
    )


def _manage_action(request: HttpRequest, event: Event) -> HttpResponse:
    action = request.POST.get("action")
    try:
        if action == "capacity":
            try:
                capacity = int(request.POST.get("capacity", ""))
            except ValueError as error:
                raise ValidationError(_("Give the number of seats as a whole number.")) from error
            services.set_capacity(event=event, capacity=capacity)
            messages.success(request, _("The number of seats is now %(n)d.") % {"n": capacity})
        elif action == "add":
            email = request.POST.get("email", "").strip().lower()
            member = Member.objects.active().filter(email__iexact=email).first()
            if member is None:
                raise ValidationError(_("No active member has the e-mail address %(email)s.") % {"email": email})
            services.add_participant(event=event, member=member)
            messages.success(request, _("%(name)s has been added.") % {"name": member.full_name})
        elif action in ("remove", "move"):
            registration = get_object_or_404(Registration, pk=request.POST.get("registration"), event=event)
            if action == "remove":
                services.cancel(registration=registration, by_organiser=True)
                messages.success(request, _("%(name)s has been removed.") % {"name": registration.name})
            else:
                target = get_object_or_404(Event, pk=request.POST.get("to_event"))
                if not can(request.user, "events.manage_event", target):
                    raise PermissionDenied
                services.move_participant(registration=registration, to_event=target)
                messages.success(
                    request,
                    _("%(name)s has been moved to %(event)s.") % {"name": registration.name, "event": target.title},
                )
        elif action == "cancel_event":
            services.cancel_event(event=event)
            messages.success(request, _("The event has been cancelled; everyone registered has been told."))
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, services.RegistrationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("events:manage", slug=event.slug)


def _session(request: HttpRequest, slug: str, pk: int) -> Session:
    return get_object_or_404(Session.objects.select_related("event"), pk=pk, event__slug=slug)


@require("events.manage_event", get_object=lambda request, slug, pk: _session(request, slug, pk).event)
def checkin(request: HttpRequest, slug: str, pk: int, obj: Event) -> HttpResponse:
    """Phone-friendly attendance list for one session: tap to mark present or absent."""
    session = _session(request, slug, pk)
    if request.method == "POST":
        registration = get_object_or_404(Registration, pk=request.POST.get("registration"), event=obj)
        try:
            services.mark_attendance(
                registration=registration,
                session=session,
                present=request.POST.get("present") == "1",
                marked_by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if request.headers.get("HX-Request"):
            return render(
                request,
                "events/_checkin_row.html",
                {"row": _checkin_rows(session, [registration])[0], "session": session, "event": obj},
            )
        return redirect("events:checkin", slug=slug, pk=pk)
    confirmed = list(
        obj.registrations.filter(status=S.CONFIRMED)
        .select_related("member")
        .order_by("member__sort_name", "guest_name")
    )
    rows = _checkin_rows(session, confirmed)
    return render(
        request,
        "events/checkin.html",
        {"event": obj, "session": session, "rows": rows, "present": sum(1 for r in rows if r["present"])},
    )


def _checkin_rows(session: Session, registrations: list[Registration]) -> list[dict]:  # type: ignore[type-arg]
    marks = dict(session.attendance.filter(registration__in=registrations).values_list("registration_id", "present"))
    return [{"registration": r, "present": marks.get(r.pk, False)} for r in registrations]


def checkin_scan(request: HttpRequest, token: str) -> HttpResponse:
    """The QR code on a participant's confirmation: an organiser scans it and the participant is
    marked present for today's session."""
    registration = _by_token(token)
    event = registration.event
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if not can(request.user, "events.manage_event", event):
        raise PermissionDenied
    today = timezone.localdate()
    session = next((s for s in event.sessions.all() if timezone.localtime(s.starts_at).date() == today), None)
    if session is None:
        messages.error(request, _("This event has no session today."))
        return redirect("events:manage", slug=event.slug)
    if request.method == "POST":
        try:
            services.mark_attendance(registration=registration, session=session, present=True, marked_by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s is marked present.") % {"name": registration.name})
        return redirect("events:checkin", slug=event.slug, pk=session.pk)
    return render(
        request, "events/checkin_scan.html", {"registration": registration, "session": session, "event": event}
    )


@require("events.manage_event", get_object=_event)
def export(request: HttpRequest, slug: str, obj: Event) -> HttpResponse:
    header = [
        _("Name"),
        _("E-mail address"),
        _("Status"),
        _("Signed up"),
        _("Dietary or accessibility needs"),
        _("Invoice number"),
    ]
    rows = [
        [
            r.name,
            r.email,
            r.get_status_display(),
            timezone.localtime(r.signed_up_at).strftime("%Y-%m-%d %H:%M"),
            r.needs,
            r.invoice_number,
        ]
        for r in services.participants(obj)
    ]
    return download(
        [str(h) for h in header],
        rows,
        filename=f"deelnemers-{obj.slug}",
        fmt="xlsx" if request.GET.get("format") == "xlsx" else "csv",
    )


@require("events.manage_event", get_object=_event)
def results(request: HttpRequest, slug: str, obj: Event) -> HttpResponse:
    return render(request, "events/results.html", {"event": obj, "summary": selectors.evaluation_summary(obj)})
