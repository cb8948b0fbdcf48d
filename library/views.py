from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.files import serve_file
from core.forms import add_errors
from core.models import Body, Tier
from core.permissions import can, require
from core.search import snippet
from members.models import Topic

from . import engine, importing, output, services, spelling, structure
from .forms import PART_FIELDS, DocumentForm, ImportForm, ReuseForm, SaveSearchForm, body_text, items_from_post
from .models import Attachment, Document, ImportRun, Kind, Outcome, SavedSearch, Withdrawal
from .rules import reads_members_only

# Lazy: translated when a page is rendered, in that request's language (not at import, in Dutch).
FACET_LABELS = {
    "kind": gettext_lazy("Kind"),
    "tier": gettext_lazy("Tier"),
    "province": gettext_lazy("Province"),
    "body": gettext_lazy("Council"),
    "topic": gettext_lazy("Topic"),
    "outcome": gettext_lazy("Outcome"),
    "year": gettext_lazy("Year"),
    "party": gettext_lazy("Party"),
}


def _member(request: HttpRequest) -> Any:
    return getattr(request.user, "member", None) if request.user.is_authenticated else None


def _document(request: HttpRequest, pk: int, **_route: Any) -> Document:
    return get_object_or_404(Document.objects.select_related("body", "shared_by"), pk=pk)


class DocumentWithdrawn(Exception):
    def __init__(self, withdrawal: Withdrawal):
        super().__init__(withdrawal.source_id)
        self.withdrawal = withdrawal


def _shown_document(request: HttpRequest, pk: int, **_route: Any) -> Document:
    """The document to read; one its source withdrew (library.sync) answers with why (410)."""
    try:
        return Document.objects.select_related("body", "shared_by").get(pk=pk)
    except Document.DoesNotExist:
        withdrawal = Withdrawal.objects.filter(document_pk=pk).select_related("body").first()
        if withdrawal is None:
            raise Http404 from None
        raise DocumentWithdrawn(withdrawal) from None


def answers_withdrawn(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A document withdrawn by its source gets a page saying so (410 Gone), for everybody: imported
    documents are public, and so is the fact that the source withdrew one."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except DocumentWithdrawn as gone:
            withdrawal = gone.withdrawal
            again = Document.objects.filter(source_id=withdrawal.source_id).first() if withdrawal.source_id else None
            context = {"withdrawal": withdrawal, "again": again}
            return render(request, "library/withdrawn.html", context, status=410)

    return wrapper


def _body_names() -> list[str]:
    return list(
        Body.objects.current().exclude(tier=Tier.NATIONAL).order_by("search_name").values_list("name", flat=True)
    )


# --- search -----------------------------------------------------------------------------------------


def _facet_values(results: engine.Results, filters: engine.Filters, params: QueryDict) -> list[dict[str, Any]]:
    """Facets for the template: label, values with counts and the link that adds (or removes) it.
    A query the engine refused (no word in it) has no facet counts: the filters still show."""
    body_ids = {v for name in ("province", "body") for v, _n in results.facets.get(name, [])}
    for name in ("province", "body"):
        if getattr(filters, name):
            body_ids.add(getattr(filters, name))
    bodies = Body.objects.in_bulk(list(body_ids))
    topic_ids = [v for v, _n in results.facets.get("topic", [])] + ([filters.topic] if filters.topic else [])
    topics = Topic.objects.in_bulk(topic_ids)
    names = {
        "kind": dict(Kind.choices),
        "tier": dict(Tier.choices),
        "outcome": dict(Outcome.choices),
        "province": {pk: b.name for pk, b in bodies.items()},
        "body": {pk: b.name for pk, b in bodies.items()},
        "topic": {pk: t.name for pk, t in topics.items()},
    }
    active = filters.active()
    facets = []
    for name in engine.FACETS:
        values = []
        for value, count in results.facets.get(name, []):
            selected = active.get(name) == value
            link = params.copy()
            link.pop("page", None)
            if selected:
                link.pop(name, None)
            else:
                link[name] = str(value)
            values.append(
                {
                    "label": names.get(name, {}).get(value, value),
                    "count": count,
                    "selected": selected,
                    "url": "?" + link.urlencode(),
                }
            )
        if name in active and not any(v["selected"] for v in values):
            link = params.copy()
            link.pop(name, None)
            link.pop("page", None)
            label = names.get(name, {}).get(active[name], active[name])
            values.insert(0, {"label": label, "count": 0, "selected": True, "url": "?" + link.urlencode()})
        if name == "year":
            values.sort(key=lambda v: str(v["label"]), reverse=True)
        if values:
            facets.append({"name": name, "label": FACET_LABELS[name], "values": values})
    return facets


def _result_rows(results: engine.Results) -> list[dict[str, Any]]:
    documents = (
        Document.objects.filter(pk__in=[h.document_id for h in results.hits])
        .select_related("body")
        .only(
            "pk",
            "kind",
            "title",
            "body__name",
            "body__tier",
            "meeting_date",
            "outcome",
            "parties",
            "parts",
            "text",
            "text_note",
            "visibility",
            "shared_at",
            "agenda_item",
        )
        .in_bulk()
    )
    words = results.query.highlight_words
    rows = []
    for hit in results.hits:
        document = documents.get(hit.document_id)
        if document is None:
            continue
        sections = structure.sections(document.kind, document.parts or {})
        text = " ".join(f"{s.heading}: {' '.join(s.items)}" for s in sections) + "\n" + document.text
        rows.append(
            {
                "document": document,
                "exact": hit.exact,
                "title_html": snippet(document.title, words, width=400),
                "snippet": snippet(text, words),
            }
        )
    return rows


@require("library.search")
def search_view(request: HttpRequest) -> HttpResponse:
    """The library: one search box, facets, ranked results with highlighted snippets. Every
    search has its own URL (GET), so it can be shared and saved."""
    params = request.GET.copy()
    query = params.get("q", "").strip()[:300]
    filters = engine.Filters.from_params(params)
    sort = "date" if params.get("sort") == "date" else "relevance"
    try:
        page = max(1, min(int(params.get("page", "1")), 500))
    except ValueError:
        page = 1
    results = engine.search(query, filters, public_only=not reads_members_only.test(request.user), sort=sort, page=page)
    if results.total and page > results.pages:
        params["page"] = str(results.pages)
        return redirect(f"{request.path}?{params.urlencode()}")
    suggestion = spelling.suggest(query, results)
    context = {
        "query": query,
        "sort": sort,
        "results": results,
        "suggestion": suggestion,
        "suggestion_url": _query_url(params, suggestion.query) if suggestion else "",
        "rows": _result_rows(results),
        "partial_notice": engine.partial_notice(results),
        "facets": _facet_values(results, filters, params),
        "filtered": bool(filters.active()),
        "save_form": SaveSearchForm(initial={"name": query}) if can(request.user, "library.save_search") else None,
        "query_string": services.normalise_query_string(params),
        "empty_library": not results.total and not query and not filters.active() and not Document.objects.exists(),
        "first_number": (page - 1) * results.per_page + 1,
        "can_share": can(request.user, "library.share"),
        "previous_url": _page_url(params, page - 1) if page > 1 else "",
        "next_url": _page_url(params, page + 1) if page < results.pages else "",
    }
    return render(request, "library/search.html", context)


def _query_url(params: QueryDict, query: str) -> str:
    link = params.copy()
    link["q"] = query
    link.pop("page", None)
    return "?" + link.urlencode()


def _page_url(params: QueryDict, page: int) -> str:
    link = params.copy()
    link["page"] = str(page)
    return "?" + link.urlencode()


# --- documents --------------------------------------------------------------------------------------


@answers_withdrawn
@require("library.view_document", _shown_document, hide=True)
def document_view(request: HttpRequest, pk: int, obj: Document) -> HttpResponse:
    document = obj
    public_only = not reads_members_only.test(request.user)
    similar_ids = (
        engine.similar(document, public_only=public_only) if document.status == Document.Status.PUBLISHED else []
    )
    similar = Document.objects.filter(pk__in=similar_ids).select_related("body").in_bulk()
    answers = document.answers.visible_to(request.user).select_related("body")
    context = {
        "document": document,
        "sections": structure.sections(document.kind, document.parts or {}),
        "closing": structure.closing(document.kind) if structure.has_structure(document.kind, document.parts) else "",
        "submitters": list(document.submitters.all()),
        "topics": list(document.topics.all()),
        "attachments": list(document.attachments.all()),
        "answers": list(answers),
        "amendments": list(document.amendments.visible_to(request.user).select_related("body")),
        "similar": [similar[i] for i in similar_ids if i in similar],
        "can_edit": can(request.user, "library.edit_document", document),
        "can_reuse": can(request.user, "library.reuse", document),
        "explanation_html": _explanation(document),
    }
    return render(request, "library/document.html", context)


def _explanation(document: Document) -> str:
    from core.richtext import render as render_richtext

    if document.source == Document.Source.EDITOR and document.text:
        return render_richtext(document.text)
    return ""


def _initial(document: Document) -> dict[str, Any]:
    return {
        "kind": document.kind,
        "title": document.title,
        "body": body_text(document.body),
        "meeting_date": document.meeting_date,
        "agenda_item": document.agenda_item,
        "i_submitted": document.shared_by_id is not None
        and document.submitters.filter(pk=document.shared_by_id).exists(),
        "submitter_names": document.submitter_names,
        "parties": document.parties,
        "outcome": document.outcome,
        "votes_for": document.votes_for,
        "votes_against": document.votes_against,
        "topics": list(document.topics.all()),
        "visibility": document.visibility,
        "request_verb": (document.parts or {}).get("request_verb", "requests"),
        "draft_decision": (document.parts or {}).get("draft_decision", ""),
        "text": document.text if document.source == Document.Source.EDITOR else "",
    }


def _data(form: DocumentForm, member: Any, document: Document | None = None) -> services.DocumentData:
    data = form.cleaned_data
    submitters = [member] if data.get("i_submitted") else []
    if document is not None:
        # Other platform members named on the document stay on it.
        submitters += [m for m in document.submitters.all() if m.pk != getattr(member, "pk", None)]
    return services.DocumentData(
        kind=data["kind"],
        title=data["title"],
        body=data["body"],
        meeting_date=data.get("meeting_date"),
        agenda_item=data.get("agenda_item", ""),
        submitters=submitters,
        submitter_names=data.get("submitter_names", ""),
        parties=data.get("parties", ""),
        outcome=data.get("outcome") or Outcome.UNKNOWN,
        votes_for=data.get("votes_for"),
        votes_against=data.get("votes_against"),
        topics=list(data.get("topics") or []),
        visibility=data["visibility"],
        parts=form.parts(),
        text=data.get("text", ""),
        answers_to=document.answers_to if document else None,
        amends=document.amends if document else None,
    )


def _editor_context(form: DocumentForm, kind: str, **extra: Any) -> dict[str, Any]:
    """The repeatable parts with their items plus one empty field (and one more per "add")."""
    parts = []
    for part_kind, fields in PART_FIELDS.items():
        for name, label in fields:
            items = list(form.items.get(name, []))
            extra_empty = 1 + (1 if form.data.get("add") == name else 0)
            parts.append(
                {
                    "kind": part_kind,
                    "name": name,
                    "label": label,
                    "items": items + [""] * extra_empty,
                    "shown": part_kind == kind,
                }
            )
    return {
        "form": form,
        "parts": parts,
        "kind": kind,
        "body_names": _body_names(),
        "meta_fields": [form[name] for name in ("title", "body", "meeting_date", "agenda_item")],
        "submitter_fields": [
            form[name]
            for name in ("i_submitted", "submitter_names", "parties", "outcome", "votes_for", "votes_against")
        ],
        "other_fields": [form[name] for name in ("topics", "visibility", "attachments")],
        **extra,
    }


@require("library.share")
def share_view(request: HttpRequest) -> HttpResponse:
    mode = "upload" if request.GET.get("via") == "upload" else "write"
    member = _member(request)
    kind = request.POST.get("kind") or request.GET.get("kind") or Kind.MOTION
    kind = kind if kind in Kind.values else Kind.MOTION
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, mode=mode, items=items_from_post(request.POST))
        adding = "add" in request.POST or "change_kind" in request.POST
        if not adding and form.is_valid():
            try:
                document = services.share_document(
                    member=member,
                    data=_data(form, member),
                    upload=form.cleaned_data.get("file") if mode == "upload" else None,
                    attachments=form.cleaned_data.get("attachments") or [],
                    draft="save_draft" in request.POST,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if document.status == Document.Status.DRAFT:
                    messages.success(request, _("Saved as a draft. Only you can see it."))
                else:
                    messages.success(request, _("Thank you for sharing. Colleagues can now find it."))
                if document.text_note:
                    messages.warning(request, document.text_note)
                return redirect(document)
    else:
        home = services.home_body(member) if member else None
        form = DocumentForm(mode=mode, initial={"kind": kind, "body": body_text(home)})
    return render(request, "library/edit.html", _editor_context(form, kind, mode=mode, document=None))


@require("library.edit_document", _document, hide=True)
def edit_view(request: HttpRequest, pk: int, obj: Document) -> HttpResponse:
    document = obj
    mode = "upload" if document.source == Document.Source.UPLOAD else "write"
    member = document.shared_by or _member(request)
    kind = request.POST.get("kind") or document.kind
    kind = kind if kind in Kind.values else document.kind
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, mode="write", items=items_from_post(request.POST))
        form.mode = mode
        adding = "add" in request.POST or "change_kind" in request.POST
        if not adding and form.is_valid():
            try:
                document = services.update_document(
                    document=document,
                    data=_data(form, member, document),
                    upload=form.cleaned_data.get("file"),
                    attachments=form.cleaned_data.get("attachments") or [],
                    remove_attachments=[int(v) for v in request.POST.getlist("remove_attachment") if v.isdigit()],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(document)
    else:
        parts = document.parts or {}
        items = {
            name: list(parts.get(name, []))
            for name in ("considering", "whereas", "requests", "change", "questions", "answers")
        }
        form = DocumentForm(mode=mode, initial=_initial(document), items=items)
    return render(
        request,
        "library/edit.html",
        _editor_context(form, kind, mode=mode, document=document, attachments=list(document.attachments.all())),
    )


@require("library.edit_document", _document, hide=True)
def delete_view(request: HttpRequest, pk: int, obj: Document) -> HttpResponse:
    if request.method == "POST":
        services.delete_document(document=obj)
        messages.success(request, _("The document is deleted."))
        return redirect("library:mine")
    return render(request, "library/delete.html", {"document": obj})


@require_POST
@require("library.edit_document", _document, hide=True)
def publish_view(request: HttpRequest, pk: int, obj: Document) -> HttpResponse:
    document = services.publish(document=obj)
    messages.success(request, _("Thank you for sharing. Colleagues can now find it."))
    return redirect(document)


@require("library.reuse", _document, hide=True)
def reuse_view(request: HttpRequest, pk: int, obj: Document) -> HttpResponse:
    member = _member(request)
    home = services.home_body(member)
    form = ReuseForm(request.POST or None, initial={"body": body_text(home)})
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.reuse(document=obj, member=member, body=form.cleaned_data["body"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("A draft for your own council is ready. Adjust it, then download it for the griffie.")
            )
            return redirect("library:edit", pk=draft.pk)
    return render(request, "library/reuse.html", {"document": obj, "form": form, "body_names": _body_names()})


@answers_withdrawn
@require("library.view_document", _shown_document, hide=True)
def download_view(request: HttpRequest, pk: int, obj: Document, fmt: str) -> HttpResponse:
    if fmt == "docx":
        content = output.render_docx(obj)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        content = output.render_pdf(obj)
        content_type = "application/pdf"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{output.file_name(obj, fmt)}"'
    return response


@answers_withdrawn
@require("library.view_document", _shown_document, hide=True)
def original_view(request: HttpRequest, pk: int, obj: Document) -> HttpResponse:
    if not obj.file:
        raise Http404
    return serve_file(obj.file, as_attachment=True)


def _attachment(request: HttpRequest, pk: int) -> Attachment:
    return get_object_or_404(Attachment.objects.select_related("document"), pk=pk)


def _attachment_document(request: HttpRequest, pk: int) -> Document:
    return _attachment(request, pk).document


@require("library.view_document", _attachment_document, hide=True)
def attachment_view(request: HttpRequest, pk: int, obj: Document) -> HttpResponse:
    attachment = _attachment(request, pk)
    return serve_file(attachment.file, as_attachment=True, filename=attachment.name)


@require("library.share")
def mine_view(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    documents = Document.objects.filter(shared_by=member).select_related("body").order_by("-updated_at")
    return render(
        request,
        "library/mine.html",
        {
            "drafts": [d for d in documents if d.status == Document.Status.DRAFT],
            "shared": [d for d in documents if d.status == Document.Status.PUBLISHED],
            "searches": list(member.saved_searches.order_by("name")),
        },
    )


# --- saved searches ----------------------------------------------------------------------------------


@require_POST
@require("library.save_search")
def save_search_view(request: HttpRequest) -> HttpResponse:
    form = SaveSearchForm(request.POST)
    params = QueryDict(request.POST.get("query_string", ""))
    back = reverse("library:search") + ("?" + params.urlencode() if params else "")
    if not form.is_valid():
        messages.error(request, _("Choose how often you want an e-mail."))
        return redirect(back)
    try:
        saved = services.save_search(
            member=_member(request),
            name=form.cleaned_data["name"],
            params=params,
            frequency=form.cleaned_data["frequency"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(
        request,
        _("Search saved. You get an e-mail (%(frequency)s) when new documents match.")
        % {"frequency": saved.get_frequency_display().lower()},
    )
    return redirect(back)


def _saved_search(request: HttpRequest, pk: int) -> SavedSearch:
    return get_object_or_404(SavedSearch, pk=pk)


@require_POST
@require("library.manage_saved_search", _saved_search, hide=True)
def delete_search_view(request: HttpRequest, pk: int, obj: SavedSearch) -> HttpResponse:
    services.delete_saved_search(saved=obj, by=request.user)
    messages.success(request, _("The saved search is deleted; you get no more e-mails about it."))
    return redirect("library:mine")


@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click"; the token is the authorisation.
@require("library.unsubscribe")
def unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    saved = services.saved_search_for_token(token)
    if saved is None:
        raise Http404
    if request.method == "POST":
        services.unsubscribe(token=token)
        saved.refresh_from_db()
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=204)
    return render(request, "library/unsubscribe.html", {"saved": saved})


# --- import (editors) ----------------------------------------------------------------------------------


@require("library.import")
def import_upload_view(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One byte more than allowed is enough to refuse a file that is too large.
            content = upload.read(importing.MAX_CSV_BYTES + 1)
            run = importing.check_csv(name=upload.name, content=content, uploaded_by=request.user)
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect("library:import_review", pk=run.pk)
    return render(
        request,
        "library/import_upload.html",
        {"form": form, "columns": importing.CSV_COLUMNS, "runs": ImportRun.objects.all()[:10]},
    )


def _run(request: HttpRequest, pk: int) -> ImportRun:
    return get_object_or_404(ImportRun, pk=pk)


@require("library.import")
def import_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    if request.method == "POST" and run.imported_at is None:
        if run.error_count:
            messages.error(request, _("Correct the rows with problems and upload the file again."))
        else:
            counts = importing.apply_csv(run=run)
            messages.success(
                request,
                _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.") % counts,
            )
            return redirect("library:import_review", pk=run.pk)
    return render(request, "library/import_review.html", {"run": run, "rows": run.rows[:500]})
