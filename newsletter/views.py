from __future__ import annotations

import datetime
from typing import Any

from csp.decorators import csp
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core import search
from core.clients import over_limit
from core.files import serve_file
from core.forms import add_errors
from core.permissions import can, require
from core.richtext import render as richtext

from . import bounces, rendering, sending, services
from .forms import (
    EditionForm,
    NewEditionForm,
    NewsItemForm,
    PublicationFilterForm,
    PublicationForm,
    ScheduleForm,
    SubscribeForm,
)
from .models import Delivery, Edition, NewsItem, Publication, Subscriber, Suppression

SUBSCRIPTIONS_PER_HOUR = 5
PER_PAGE = 20


def _member_email(request: HttpRequest) -> str:
    member = getattr(request.user, "member", None) if request.user.is_authenticated else None
    return (member.email if member else "").lower()


# --- public: news and publications --------------------------------------------------------------------


@require("newsletter.read")
def news_list(request: HttpRequest) -> HttpResponse:
    items = NewsItem.objects.visible_to(request.user).prefetch_related("topics")
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "newsletter/news_list.html", {"page": page})


def _news_item(request: HttpRequest, slug: str) -> NewsItem:
    return get_object_or_404(NewsItem, slug=slug)


@require("newsletter.view_item", _news_item, hide=True)
def news_item(request: HttpRequest, slug: str, obj: NewsItem) -> HttpResponse:
    return render(request, "newsletter/news_item.html", {"item": obj, "body_html": richtext(obj.body)})


@require("newsletter.view_item", _news_item, hide=True)
def news_image(request: HttpRequest, slug: str, obj: NewsItem) -> HttpResponse:
    if not obj.image:
        raise Http404
    return serve_file(obj.image, cache_seconds=600)


@require("newsletter.read")
def publication_list(request: HttpRequest) -> HttpResponse:
    visible = Publication.objects.visible_to(request.user)
    years = sorted(set(visible.annotate(y=ExtractYear("date")).values_list("y", flat=True)), reverse=True)
    form = PublicationFilterForm(request.GET or None, years=years)
    publications = visible.prefetch_related("topics")
    query = ""
    if form.is_valid():
        data = form.cleaned_data
        if data.get("topic"):
            publications = publications.filter(topics=data["topic"])
        if data.get("year"):
            publications = publications.filter(date__year=data["year"])
        query = data.get("q") or ""
        if query:
            publications = search.filter_ranked(publications, "publication", query)
    page = Paginator(publications, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "newsletter/publication_list.html", {"form": form, "page": page, "query": query})


def _publication(request: HttpRequest, slug: str) -> Publication:
    return get_object_or_404(Publication, slug=slug)


@require("newsletter.view_item", _publication, hide=True)
def publication(request: HttpRequest, slug: str, obj: Publication) -> HttpResponse:
    return render(request, "newsletter/publication.html", {"publication": obj})


@require("newsletter.view_item", _publication, hide=True)
def publication_file(request: HttpRequest, slug: str, obj: Publication) -> HttpResponse:
    return serve_file(obj.file, as_attachment=True, filename=f"{obj.slug}.pdf")


# --- public: archive and subscriptions -------------------------------------------------------------------


@require("newsletter.read")
def archive(request: HttpRequest) -> HttpResponse:
    editions = Edition.objects.filter(status=Edition.Status.SENT)
    if not can(request.user, "newsletter.view_edition", Edition(status="sent", public=False)):
        editions = editions.filter(public=True)
    page = Paginator(editions.order_by("-number"), PER_PAGE).get_page(request.GET.get("page"))
    email = _member_email(request)
    return render(
        request,
        "newsletter/archive.html",
        {"page": page, "member_email": email, "receiving": services.is_receiving(email) if email else False},
    )


def _edition_by_number(request: HttpRequest, number: int) -> Edition:
    return get_object_or_404(Edition, number=number)


@require("newsletter.view_edition", _edition_by_number, hide=True)
def edition(request: HttpRequest, number: int, obj: Edition) -> HttpResponse:
    return render(
        request,
        "newsletter/edition.html",
        {
            "edition": obj,
            "entries": rendering.entries(obj),
            "introduction_html": richtext(obj.introduction) if obj.introduction else "",
        },
    )


@require("newsletter.subscribe")
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        if over_limit(request, "newsletter:subscribe", per_hour=SUBSCRIPTIONS_PER_HOUR):
            return render(request, "429.html", status=429)
        if form.is_valid():
            if not form.cleaned_data["website"]:  # robots fill in the invisible field
                services.subscribe(email=form.cleaned_data["email"], name=form.cleaned_data["name"])
            return render(request, "newsletter/subscribed.html", {"email": form.cleaned_data["email"]})
    return render(request, "newsletter/subscribe.html", {"form": form})


@require("newsletter.subscribe")
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        subscriber = services.confirm(token=token)
        return render(
            request, "newsletter/confirmed.html", {"subscriber": subscriber}, status=200 if subscriber else 400
        )
    return render(request, "newsletter/confirm.html", {"token": token})


@csrf_exempt  # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click"; the signed token authorises.
@require("newsletter.subscribe")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    email = sending.email_from_token(token)
    if email is None:
        raise Http404
    if request.method == "POST":
        services.unsubscribe(email=email)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=204)
        return render(request, "newsletter/unsubscribed.html", {"email": email, "token": token})
    return render(request, "newsletter/unsubscribe.html", {"email": email, "token": token})


@require("newsletter.subscribe")
def preferences(request: HttpRequest, token: str) -> HttpResponse:
    email = sending.email_from_token(token)
    if email is None:
        raise Http404
    if request.method == "POST":
        if request.POST.get("receive") == "yes":
            services.resubscribe(email=email)
            messages.success(request, _("You receive the newsletter again."))
        else:
            services.unsubscribe(email=email)
            messages.success(request, _("You no longer receive the newsletter."))
        return redirect("newsletter:preferences", token=token)
    return render(
        request,
        "newsletter/preferences.html",
        {"email": email, "receiving": services.is_receiving(email), "token": token},
    )


@require_http_methods(["GET", "POST"])
@require("newsletter.subscribe")
def my_subscription(request: HttpRequest) -> HttpResponse:
    """POST switches the member's own newsletter on or off. Opened directly (a bookmark, a link in an
    old e-mail) it leads to the newsletter page, where the switch is, instead of an empty error."""
    if request.method == "GET":
        return redirect(reverse("newsletter:archive") + "#abonnement")
    email = _member_email(request)
    if not email:
        raise Http404
    if request.POST.get("receive") == "yes":
        services.resubscribe(email=email)
        messages.success(request, _("You receive the newsletter again."))
    else:
        services.unsubscribe(email=email)
        messages.success(request, _("You no longer receive the newsletter."))
    return redirect("newsletter:archive")


# --- management ---------------------------------------------------------------------------------------------


@require("newsletter.manage")
def manage(request: HttpRequest) -> HttpResponse:
    editions = Edition.objects.annotate(n_items=Count("items")).order_by("-number")
    page = Paginator(editions, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "newsletter/manage.html",
        {
            "page": page,
            "form": NewEditionForm(),
            "recipients": len(sending.recipients()),
            "pending_subscribers": Subscriber.objects.filter(status=Subscriber.Status.PENDING).count(),
            "suppressed": Suppression.objects.count(),
        },
    )


@require_POST
@require("newsletter.manage")
def edition_create(request: HttpRequest) -> HttpResponse:
    form = NewEditionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the edition a subject."))
        return redirect("newsletter:manage")
    created = services.create_edition(subject=form.cleaned_data["subject"], created_by=request.user)
    return redirect("newsletter:compose", pk=created.pk)


def _edition(request: HttpRequest, pk: int) -> Edition:
    return get_object_or_404(Edition, pk=pk)


def _target(kind: str, pk: str) -> Any:
    from events.models import Event
    from library.models import Document

    model = {"news": NewsItem, "publication": Publication, "document": Document, "event": Event}.get(kind)
    if model is None or not pk.isdigit():
        return None
    return model.objects.filter(pk=int(pk)).first()


@require("newsletter.manage")
def compose(request: HttpRequest, pk: int) -> HttpResponse:
    edition_obj = _edition(request, pk)
    form = EditionForm(instance=edition_obj)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "save":
                form = EditionForm(request.POST, instance=Edition.objects.get(pk=edition_obj.pk))
                if form.is_valid():
                    services.update_edition(
                        edition=edition_obj,
                        subject=form.cleaned_data["subject"],
                        introduction=form.cleaned_data["introduction"],
                        public=form.cleaned_data["public"],
                    )
                    messages.success(request, _("Saved."))
                    return redirect("newsletter:compose", pk=pk)
            elif action == "add":
                kind = request.POST.get("kind", "")
                services.add_item(edition=edition_obj, kind=kind, target=_target(kind, request.POST.get("target", "")))
                return redirect(f"{request.path}#items")
            elif action in ("up", "down"):
                services.move_item(
                    edition=edition_obj,
                    item_id=int(request.POST.get("item", "0") or 0),
                    direction=-1 if action == "up" else 1,
                )
                return redirect(f"{request.path}#items")
            elif action == "remove":
                services.remove_item(edition=edition_obj, item_id=int(request.POST.get("item", "0") or 0))
                return redirect(f"{request.path}#items")
        except (ValidationError, ValueError) as error:
            if isinstance(error, ValidationError):
                messages.error(request, " ".join(error.messages))
            return redirect("newsletter:compose", pk=pk)
    edition_obj.refresh_from_db()
    slot = services.next_slot()
    return render(
        request,
        "newsletter/compose.html",
        {
            "edition": edition_obj,
            "form": form,
            "items": list(edition_obj.items.select_related("news_item", "publication", "document__body", "event")),
            "suggestions": services.suggestions(edition_obj) if edition_obj.editable else None,
            "schedule_form": ScheduleForm(initial={"when": timezone.localtime(slot)}),
            "slot": slot,
            "progress": sending.progress(edition_obj),
        },
    )


# The e-mail as it is sent: styled inline, as e-mail must be. Shown in a frame of the compose page
# (same origin) under its own policy: inline styles only, no script, nothing loaded but our images,
# sandboxed so that it runs nothing and cannot reach the editor's session.
@csp(
    {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'self'"],
        "sandbox": [True],
    }
)
@xframe_options_sameorigin
@require("newsletter.manage")
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    edition_obj = _edition(request, pk)
    rendered = sending.render(edition_obj)
    token = sending.recipient_token(request.user.email)
    if request.GET.get("format") == "text":
        return HttpResponse(rendered.text.replace(sending.PLACEHOLDER, token), content_type="text/plain; charset=utf-8")
    return HttpResponse(rendered.html.replace(sending.PLACEHOLDER, token))


@require_POST
@require("newsletter.manage")
def send_test(request: HttpRequest, pk: int) -> HttpResponse:
    edition_obj = _edition(request, pk)
    services.send_test(edition=edition_obj, to=request.user.email)
    messages.success(request, _("A test is on its way to %(email)s.") % {"email": request.user.email})
    return redirect("newsletter:compose", pk=pk)


@require_POST
@require("newsletter.manage")
def schedule(request: HttpRequest, pk: int) -> HttpResponse:
    edition_obj = _edition(request, pk)
    when: datetime.datetime | None = None
    if request.POST.get("now") != "1":
        form = ScheduleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a date and time."))
            return redirect("newsletter:compose", pk=pk)
        when = form.cleaned_data["when"]
    try:
        scheduled = services.schedule(edition=edition_obj, when=when)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("newsletter:compose", pk=pk)
    if when is None:
        messages.success(request, _("The edition is being sent."))
    else:
        messages.success(
            request,
            _("The edition will be sent on %(when)s.")
            % {"when": timezone.localtime(scheduled.scheduled_for).strftime("%d-%m-%Y %H:%M")},
        )
    return redirect("newsletter:compose", pk=pk)


@require_POST
@require("newsletter.manage")
def unschedule(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.unschedule(edition=_edition(request, pk))
        messages.success(request, _("Sending is called off; the edition is a draft again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("newsletter:compose", pk=pk)


@require("newsletter.manage")
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    edition_obj = _edition(request, pk)
    return render(
        request, "newsletter/_progress.html", {"edition": edition_obj, "progress": sending.progress(edition_obj)}
    )


@require("newsletter.manage")
def subscribers(request: HttpRequest) -> HttpResponse:
    counts = dict(Subscriber.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    suppressed = Paginator(Suppression.objects.all(), 50).get_page(request.GET.get("page"))
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED).select_related("edition").order_by("-pk")[:20]
    return render(
        request,
        "newsletter/subscribers.html",
        {"counts": counts, "page": suppressed, "failed": failed, "recipients": len(sending.recipients())},
    )


@require_POST
@require("newsletter.manage")
def lift_suppression(request: HttpRequest, pk: int) -> HttpResponse:
    suppression = Suppression.objects.filter(pk=pk).first()
    if suppression is not None:  # (a double click lifts once)
        bounces.lift(suppression.email)
        messages.success(request, _("%(email)s gets the newsletter again.") % {"email": suppression.email})
    return redirect("newsletter:subscribers")


@require("newsletter.manage")
def news_manage(request: HttpRequest) -> HttpResponse:
    page = Paginator(NewsItem.objects.order_by("-created_at"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "newsletter/news_manage.html", {"page": page})


@require("newsletter.manage")
def news_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    item = get_object_or_404(NewsItem, pk=pk) if pk else None
    form = NewsItemForm(request.POST or None, request.FILES or None, instance=item)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_news_item(
                item=item,
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
                topics=list(data["topics"]),
                visibility=data["visibility"],
                image=request.FILES.get("image"),
                image_alt=data["image_alt"],
                publish=data["publish"],
                author=request.user,
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The news item is saved."))
            return redirect("newsletter:news_edit", pk=saved.pk)
    return render(request, "newsletter/news_edit.html", {"form": form, "item": item})


@require("newsletter.manage")
def publications_manage(request: HttpRequest) -> HttpResponse:
    page = Paginator(Publication.objects.order_by("-date"), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "newsletter/publications_manage.html", {"page": page})


@require("newsletter.manage")
def publication_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    existing = get_object_or_404(Publication, pk=pk) if pk else None
    form = PublicationForm(request.POST or None, request.FILES or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_publication(
                publication=existing,
                title=data["title"],
                summary=data["summary"],
                authors=data["authors"],
                date=data["date"],
                topics=list(data["topics"]),
                visibility=data["visibility"],
                file=request.FILES.get("file"),
                publish=data["publish"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The publication is saved."))
            if saved.text_note:
                messages.warning(request, saved.text_note)
            return redirect("newsletter:publication_edit", pk=saved.pk)
    return render(request, "newsletter/publication_edit.html", {"form": form, "publication": existing})
