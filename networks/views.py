"""Pages of networks. Every page needs a login; a network someone may not read does not exist for
them (404). Views parse, ask networks.rules (through core.permissions) and call a service or a
selector."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.files import serve_bytes
from core.forms import add_errors
from core.permissions import can, require
from core.roles import Role, roles_of
from core.search import snippet as core_snippet
from events.models import Event

from . import search as network_search
from . import selectors, services
from . import text as post_text
from .forms import (
    EditNetworkForm,
    ExpertForm,
    InviteMembersForm,
    ModeratorForm,
    NetworkForm,
    NotifyForm,
    ReplyForm,
    ReportForm,
    ThreadForm,
)
from .models import (
    Attachment,
    AuthorKind,
    Expert,
    Membership,
    Moderator,
    Network,
    NetworkInvitation,
    Notify,
    Post,
    Report,
    Thread,
)

THREADS_PER_PAGE = 20
SHOW_CHOICES = ("open", "questions", "discussions")


def _network(request: HttpRequest, slug: str, **kwargs: Any) -> Network:
    return get_object_or_404(Network.objects.select_related("topic"), slug=slug)


def _thread(request: HttpRequest, slug: str, pk: int) -> Thread:
    thread = get_object_or_404(
        Thread.objects.select_related("network", "network__topic", "topic", "author_member", "author"),
        pk=pk,
        network__slug=slug,
    )
    if thread.hidden_at and not selectors.access(request.user, thread.network).moderate:
        raise Http404
    return thread


def _post(request: HttpRequest, pk: int) -> Post:
    return get_object_or_404(Post.objects.select_related("thread__network", "author_member", "author"), pk=pk)


def _attachment(request: HttpRequest, pk: int) -> Post:
    attachment = get_object_or_404(Attachment.objects.select_related("post__thread__network"), pk=pk)
    request.attachment = attachment  # type: ignore[attr-defined]
    return attachment.post


def _invitation(request: HttpRequest, pk: int) -> NetworkInvitation:
    return get_object_or_404(NetworkInvitation.objects.select_related("network"), pk=pk)


# --- overview and code of conduct ---------------------------------------------------------------------------


@require("networks.view_networks")
def overview(request: HttpRequest) -> HttpResponse:
    """The networks one is in, the topic networks one can join, and invitations."""
    if Role.EXPERT in roles_of(request.user):
        network = selectors.expert_network(request.user)
        if network is None:
            raise Http404
        return redirect(network)
    networks = list(selectors.networks_for(request.user))
    mine = [n for n in networks if n.my_source]
    return render(
        request,
        "networks/overview.html",
        {
            "mine": mine,
            "others": [n for n in networks if not n.my_source],
            "invitations": list(selectors.open_invitations(request.user)),
            "can_manage": can(request.user, "networks.manage"),
        },
    )


@require("networks.view_networks")
def code_of_conduct(request: HttpRequest) -> HttpResponse:
    return render(request, "networks/code_of_conduct.html")


# --- search ------------------------------------------------------------------------------------------------


@require("networks.view_networks")
def search_view(request: HttpRequest) -> HttpResponse:
    """The networks' tab of the search page: questions, discussions and replies in the networks
    the user may read, found with the library's Dutch analysis. Every search has its own URL."""
    params = request.GET.copy()
    query = params.get("q", "").strip()[:300]
    sort = "date" if params.get("sort") == "date" else "relevance"
    try:
        page = max(1, min(int(params.get("page", "1")), network_search.MAX_PAGE))
    except ValueError:
        page = 1
    network_ids = selectors.readable_network_ids(request.user)
    # ?netwerk=<slug>: only that network (the search box on a network's page). A network that does
    # not exist and one the user may not read are answered alike: all their networks are searched.
    slug = params.get("netwerk", "").strip()[:60]
    within = Network.objects.filter(slug=slug, pk__in=network_ids).first() if slug else None
    searched = [within.pk] if within else network_ids
    results = network_search.search(query, network_ids=searched, sort=sort, page=page)
    if results.total and page > results.pages:
        params["page"] = str(results.pages)
        return redirect(f"{request.path}?{params.urlencode()}")
    return render(
        request,
        "networks/search.html",
        {
            "query": query,
            "sort": sort,
            "results": results,
            "rows": search_rows(results),
            "no_networks": not network_ids,
            "within": within,
            "unknown_network": bool(slug) and within is None,
            "all_networks_url": "?" + _without(params, "netwerk", "page").urlencode(),
            # An expert's account sees no library: no tabs for them.
            "show_tabs": Role.EXPERT not in roles_of(request.user),
            "first_number": (results.page - 1) * results.per_page + 1,
            "previous_url": _page_url(params, page - 1) if page > 1 else "",
            "next_url": _page_url(params, page + 1) if page < results.pages else "",
        },
    )


def _without(params: Any, *names: str) -> Any:
    link = params.copy()
    for name in names:
        link.pop(name, None)
    return link


def _page_url(params: Any, page: int) -> str:
    link = params.copy()
    link["page"] = str(page)
    return "?" + link.urlencode()


def search_rows(results: network_search.Results) -> list[dict[str, Any]]:
    """What a result shows: the conversation (title highlighted), where and by whom, and an excerpt
    of the post around the query's words. Mentions and authors show current names: an erased
    member is "former member", here as on the page."""
    words = results.highlight_words
    rows = []
    for post in results.posts:
        thread = post.thread
        names = {
            m.member_id: str(_("former member")) if m.member.erased_at else m.member.full_name
            for m in post.mentions.all()
        }
        rows.append(
            {
                "post": post,
                "thread": thread,
                "url": f"{thread.get_absolute_url()}#bericht-{post.pk}",
                "title_html": core_snippet(thread.title, words, width=400),
                "snippet": core_snippet(post_text.plain(post.body, names), words),
                "author": services.author_name(post),
                "badge": "" if post.author_kind == AuthorKind.MEMBER else str(AuthorKind(post.author_kind).label),
                "is_solution": thread.solution_id == post.pk,
            }
        )
    return rows


# --- a network ---------------------------------------------------------------------------------------------


@require("networks.read", _network, hide=True)
def network_view(request: HttpRequest, slug: str, obj: Network) -> HttpResponse:
    network = obj
    access = selectors.access(request.user, network)
    show = request.GET.get("toon", "")
    show = show if show in SHOW_CHOICES else ""
    page = Paginator(selectors.threads(network, show=show, moderator=access.moderate), THREADS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "networks/network.html",
        {
            "network": network,
            "access": access,
            "page": page,
            "show": show,
            "notify_form": NotifyForm(initial={"notify": access.membership.notify}) if access.membership else None,
            "can_join": can(request.user, "networks.join", network),
            "can_leave": can(request.user, "networks.leave", network),
            "open_reports": selectors.open_reports(network).count() if access.moderate else 0,
            "expert_view": access.expert,
        },
    )


@require("networks.read", _network, hide=True)
def new_thread(request: HttpRequest, slug: str, obj: Network) -> HttpResponse:
    network = obj
    if not can(request.user, "networks.post", network):
        raise PermissionDenied(_("Join the network to ask a question or start a discussion."))
    form = ThreadForm(request.POST or None, request.FILES or None, network=network)
    if request.method == "POST" and form.is_valid():
        try:
            written = services.start_thread(
                network=network,
                author=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                topic=form.cleaned_data.get("topic"),
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            _report_unresolved(request, written.unresolved)
            thread = written.post.thread
            messages.success(
                request,
                _("Your question is posted.") if thread.is_question else _("Your discussion is posted."),
            )
            return redirect(thread)
    return render(request, "networks/new_thread.html", {"network": network, "form": form})


def _report_unresolved(request: HttpRequest, unresolved: list[str]) -> None:
    if unresolved:
        messages.warning(
            request,
            _("Nobody in this network is called %(names)s, so nobody was told about those mentions.")
            % {"names": ", ".join(unresolved)},
        )


@require_POST
@require("networks.read", _network, hide=True)
def membership_view(request: HttpRequest, slug: str, obj: Network) -> HttpResponse:
    """Join or leave the network, or choose its e-mails."""
    network = obj
    action = request.POST.get("action", "")
    if action == "join":
        if not can(request.user, "networks.join", network):
            raise PermissionDenied
        services.join(network=network, user=request.user)
        messages.success(request, _("You are in %(network)s now.") % {"network": network.name})
    elif action == "leave":
        services.leave(network=network, user=request.user)  # it asks networks.leave (403 if not)
        messages.success(request, _("You left %(network)s.") % {"network": network.name})
    elif action == "notify":
        if not can(request.user, "networks.set_notifications", network):
            raise PermissionDenied
        form = NotifyForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose how you want to hear about new posts."))
        else:
            services.set_notify(network=network, user=request.user, notify=form.cleaned_data["notify"])
            messages.success(request, _("Your choice for e-mails is saved."))
    else:
        messages.error(request, _("That did not work; try again."))
    return redirect(network)


# --- a question or discussion -----------------------------------------------------------------------------


def post_rows(posts: list[Post], user: Any, access: selectors.Access, thread: Thread) -> list[dict[str, Any]]:
    """What the page shows of each post, decided once here (names, links, cards, what the
    viewer may do with it); no queries beyond those of selectors.thread_posts."""
    links_to_members = can(user, "members.view_directory")

    def person(post: Post) -> dict[str, Any]:
        member = post.author_member
        if member is not None and member.erased_at:
            return {"name": _("former member"), "url": None, "badge": ""}
        badge = ""
        if post.author_kind == AuthorKind.EXPERT:
            expert = getattr(post.author, "expert", None) if post.author else None
            badge = _("Expert") + (f": {expert.expertise}" if expert else "")
        elif post.author_kind in (AuthorKind.ADVISER, AuthorKind.STAFF):
            badge = str(AuthorKind(post.author_kind).label)
        if member is not None:
            return {
                "name": member.full_name,
                "url": member.get_absolute_url() if links_to_members else None,
                "badge": badge,
            }
        return {"name": post.author.name if post.author else _("former member"), "url": None, "badge": badge}

    def names(post: Post) -> dict[int, tuple[str, str | None]]:
        return {
            m.member_id: (
                (str(_("former member")), None)
                if m.member.erased_at
                else (m.member.full_name, m.member.get_absolute_url() if links_to_members else None)
            )
            for m in post.mentions.all()
        }

    rows = []
    for post in posts:
        hidden = post.hidden_at is not None
        own = post.author_id == user.pk
        if hidden and not (access.moderate or own):
            rows.append({"post": post, "hidden": True, "shown": False})
            continue
        quote = None
        if post.quote_id and post.quote is not None:
            quoted = post.quote
            quote = {
                "id": quoted.pk,
                "author": person(quoted)["name"],
                "hidden": quoted.hidden_at is not None,
                "excerpt": post_text.excerpt(quoted.body, {k: v[0] for k, v in names(quoted).items()}, 300),
            }
        rows.append(
            {
                "post": post,
                "hidden": hidden,
                "shown": True,
                "author": person(post),
                "html": post_text.render(post.body, names(post)),
                "quote": quote,
                "documents": [
                    {
                        "document": link.document,
                        "linked": not access.expert,  # (an expert sees no library)
                    }
                    for link in post.documents.all()
                    if can(user, "library.view_document", link.document)
                ],
                "attachments": list(post.attachments.all()),
                "own": own,
                "is_solution": thread.solution_id == post.pk,
                "can_report": not own and not hidden,
                "can_mark": thread.is_question and thread.author_id == user.pk and not post.opening and not hidden,
            }
        )
    return rows


@require("networks.read", _thread, hide=True)
def thread_view(request: HttpRequest, slug: str, pk: int, obj: Thread) -> HttpResponse:
    thread = obj
    network = thread.network
    access = selectors.access(request.user, network)
    may_reply = access.post and thread.hidden_at is None
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not may_reply:
            raise PermissionDenied(_("Join the network to reply."))
        if form.is_valid():
            quote = None
            if form.cleaned_data.get("quote"):
                quote = Post.objects.filter(pk=form.cleaned_data["quote"], thread=thread).first()
            try:
                written = services.reply(
                    thread=thread,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    quote=quote,
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                _report_unresolved(request, written.unresolved)
                messages.success(request, _("Your reply is posted."))
                return redirect(f"{thread.get_absolute_url()}#bericht-{written.post.pk}")
    posts = list(selectors.thread_posts(thread))
    quoting = None
    cite = request.GET.get("citeer", "")
    if cite.isdigit() and may_reply and not form.is_bound:
        quoting = next((p for p in posts if p.pk == int(cite) and p.hidden_at is None), None)
        if quoting is not None:
            form = ReplyForm(initial={"quote": quoting.pk})
    rows = post_rows(posts, request.user, access, thread)
    return render(
        request,
        "networks/thread.html",
        {
            "network": network,
            "thread": thread,
            "access": access,
            "opening": rows[0] if rows else None,
            "replies": rows[1:],
            "form": form if may_reply else None,
            "quoting": quoting,
            "quoting_name": services.author_name(quoting) if quoting else "",
            "quoting_excerpt": post_text.excerpt(quoting.body, services.mention_names(quoting), 300) if quoting else "",
            "can_join": can(request.user, "networks.join", network),
            "is_asker": thread.is_question and thread.author_id == request.user.pk,
        },
    )


@require_POST
@require("networks.read", _thread, hide=True)
def mark_helpful(request: HttpRequest, slug: str, pk: int, obj: Thread) -> HttpResponse:
    thread = obj
    if not can(request.user, "networks.mark_helpful", thread):
        raise PermissionDenied(_("Only the one who asked can mark the helpful answer."))
    choice = request.POST.get("post", "")
    post = None
    if choice != "none":
        post = Post.objects.filter(pk=int(choice) if choice.isdigit() else 0, thread=thread).first()
        if post is None:
            messages.error(request, _("Mark a visible reply to this question."))
            return redirect(thread)
    try:
        services.mark_helpful(thread=thread, post=post, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(thread)
    if post is None:
        messages.success(request, _("The mark is taken back."))
        return redirect(thread)
    messages.success(request, _("Thank you: the reply is marked as the helpful answer."))
    return redirect(f"{thread.get_absolute_url()}#bericht-{post.pk}")


# --- reporting and moderation -----------------------------------------------------------------------------


@require("networks.view_post", _post, hide=True)
def report_post(request: HttpRequest, pk: int, obj: Post) -> HttpResponse:
    post = obj
    if not can(request.user, "networks.report_post", post):
        raise PermissionDenied(_("You cannot report this post."))
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.report_post(post=post, reporter=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Thank you. The network's moderators will look at this post."))
        return redirect(f"{post.thread.get_absolute_url()}#bericht-{post.pk}")
    names = services.mention_names(post)
    return render(
        request,
        "networks/report_post.html",
        {
            "post": post,
            "form": form,
            "author": services.author_name(post),
            "excerpt": post_text.excerpt(post.body, names, 600),
        },
    )


@require_POST
@require("networks.moderate", _post, hide=True)
def moderate_post(request: HttpRequest, pk: int, obj: Post) -> HttpResponse:
    post = obj
    action = request.POST.get("action", "")
    if action == "hide":
        services.hide_post(post=post, moderator=request.user)
        messages.success(request, _("The post is hidden."))
    elif action == "unhide":
        services.unhide_post(post=post, moderator=request.user)
        messages.success(request, _("The post is visible again."))
    elif action == "keep":
        services.keep_post(post=post, moderator=request.user)
        messages.success(request, _("The post stays; the reports are handled."))
    else:
        messages.error(request, _("That did not work; try again."))
    if request.POST.get("next") == "moderation":
        return redirect("networks:moderate", slug=post.thread.network.slug)
    return redirect(f"{post.thread.get_absolute_url()}#bericht-{post.pk}")


@require("networks.view_post", _attachment, hide=True)
def attachment_view(request: HttpRequest, pk: int, obj: Post) -> HttpResponse:
    attachment: Attachment = request.attachment  # type: ignore[attr-defined]
    return serve_bytes(services.attachment_bytes(attachment), filename=attachment.filename)


@require("networks.moderate", _network, hide=True)
def moderate(request: HttpRequest, slug: str, obj: Network) -> HttpResponse:
    """The moderators' page: reported posts, invitations (closed networks), experts."""
    network = obj
    events = [
        (str(e.pk), f"{e.title} ({timezone.localtime(e.starts_at):%d-%m-%Y})" if e.starts_at else e.title)
        for e in Event.objects.filter(kind__in=["course", "training"]).order_by("-starts_at")[:50]
    ]
    invite_form = InviteMembersForm(events=events)
    expert_form = ExpertForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "invite_members":
            if not can(request.user, "networks.invite_members", network):
                raise PermissionDenied
            invite_form = InviteMembersForm(request.POST, events=events)
            if invite_form.is_valid():
                event = Event.objects.filter(pk=invite_form.cleaned_data.get("event") or 0).first()
                users = services.invitable_members(network, emails=invite_form.cleaned_data["email_list"], event=event)
                count = services.invite_members(network=network, users=users, invited_by=request.user)
                messages.success(request, _("Invitations sent: %(count)d.") % {"count": count})
                return redirect("networks:moderate", slug=network.slug)
        elif action == "invite_expert":
            expert_form = ExpertForm(request.POST)
            if expert_form.is_valid():
                try:
                    services.invite_expert(network=network, invited_by=request.user, **expert_form.cleaned_data)
                except ValidationError as error:
                    add_errors(expert_form, error)
                else:
                    messages.success(
                        request,
                        _("%(name)s is invited as an expert in this network.")
                        % {"name": expert_form.cleaned_data["name"]},
                    )
                    return redirect("networks:moderate", slug=network.slug)
        elif action in ("remove_expert", "resend_expert"):
            expert = get_object_or_404(Expert, pk=request.POST.get("expert") or 0, network=network)
            if action == "remove_expert":
                services.remove_expert(expert=expert)
                messages.success(request, _("The expert's account is closed."))
            else:
                services.resend_expert_invitation(expert=expert)
                messages.success(request, _("The invitation is sent again."))
            return redirect("networks:moderate", slug=network.slug)
        else:
            messages.error(request, _("That did not work; try again."))
            return redirect("networks:moderate", slug=network.slug)
    reported = list(selectors.open_reports(network))
    reasons: dict[int, list[str]] = {}
    for report in Report.objects.filter(post__in=reported, handled_at__isnull=True).order_by("pk"):
        reasons.setdefault(report.post_id, []).append(report.reason)
    reports = [
        {
            "post": p,
            "author": services.author_name(p),
            "excerpt": post_text.excerpt(p.body, services.mention_names(p), 400),
            "reasons": reasons.get(p.pk, []),
        }
        for p in reported
    ]
    return render(
        request,
        "networks/moderate.html",
        {
            "network": network,
            "reports": reports,
            "invite_form": invite_form if network.kind == Network.Kind.CLOSED else None,
            "pending_invitations": NetworkInvitation.objects.filter(network=network, answered_at__isnull=True)
            .select_related("user")
            .order_by("created_at"),
            "expert_form": expert_form,
            "experts": Expert.objects.filter(network=network, removed_at__isnull=True).select_related("invitation"),
            "moderators": Moderator.objects.filter(network=network).select_related("user"),
        },
    )


@require_POST
@require("networks.answer_invitation", _invitation, hide=True)
def answer_invitation(request: HttpRequest, pk: int, obj: NetworkInvitation) -> HttpResponse:
    accept = request.POST.get("answer") == "accept"
    services.answer_invitation(invitation=obj, accept=accept)
    if accept:
        messages.success(request, _("You are in %(network)s now.") % {"network": obj.network.name})
        return redirect(obj.network)
    messages.success(request, _("You declined the invitation."))
    return redirect("networks:overview")


# --- administrators: networks and moderators -----------------------------------------------------------


@require("networks.manage")
def manage(request: HttpRequest) -> HttpResponse:
    form = NetworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            network = services.create_network(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The network %(network)s is made.") % {"network": network.name})
            return redirect("networks:settings", slug=network.slug)
    return render(
        request,
        "networks/manage.html",
        {"form": form, "networks": selectors.networks_for(request.user)},
    )


@require("networks.manage")
def settings_view(request: HttpRequest, slug: str) -> HttpResponse:
    network = _network(request, slug)
    form = EditNetworkForm(initial={"name": network.name, "description": network.description})
    moderator_form = ModeratorForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "edit":
            form = EditNetworkForm(request.POST)
            if form.is_valid():
                services.update_network(network=network, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("networks:settings", slug=network.slug)
        elif action == "add_moderator":
            moderator_form = ModeratorForm(request.POST)
            if moderator_form.is_valid():
                try:
                    moderator = services.appoint_moderator(
                        network=network, email=moderator_form.cleaned_data["email"], appointed_by=request.user
                    )
                except ValidationError as error:
                    add_errors(moderator_form, error)
                else:
                    messages.success(request, _("%(name)s moderates this network now.") % {"name": moderator.user.name})
                    return redirect("networks:settings", slug=network.slug)
        elif action == "remove_moderator":
            moderator = get_object_or_404(Moderator, pk=request.POST.get("moderator") or 0, network=network)
            services.remove_moderator(moderator=moderator)
            messages.success(request, _("%(name)s no longer moderates this network.") % {"name": moderator.user.name})
            return redirect("networks:settings", slug=network.slug)
        else:
            messages.error(request, _("That did not work; try again."))
            return redirect("networks:settings", slug=network.slug)
    return render(
        request,
        "networks/settings.html",
        {
            "network": network,
            "form": form,
            "moderator_form": moderator_form,
            "moderators": Moderator.objects.filter(network=network).select_related("user"),
            "people": Membership.objects.filter(network=network).count(),
        },
    )


# --- one-click unsubscribe ------------------------------------------------------------------------------


@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click"; the signed token is the authorisation.
@require("networks.unsubscribe")
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    membership = services.membership_for_token(token)
    if membership is None:
        raise Http404
    if request.method == "POST":
        services.unsubscribe(membership=membership)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=204)
    return render(
        request,
        "networks/unsubscribe.html",
        {"membership": membership, "stopped": membership.notify == Notify.NONE},
    )
