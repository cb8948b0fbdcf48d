from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_errors
from core.permissions import require

from . import services
from .forms import AcceptInvitationForm, InvitationForm
from .models import Invitation


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Public page behind the link in an invitation e-mail: choose a password, get an account."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"reason": _("This invitation link is not valid. Check that you copied the whole link.")},
            status=404,
        )
    reasons = {
        Invitation.Status.ACCEPTED: _("This invitation has already been used. Log in with your e-mail address."),
        Invitation.Status.EXPIRED: _("This invitation has expired. Ask the association to send you a new one."),
        Invitation.Status.REVOKED: _(
            "This invitation has been withdrawn. Contact the association if this is a mistake."
        ),
    }
    if invitation.status in reasons:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"reason": reasons[invitation.status], "invitation": invitation, "show_login": invitation.accepted_at},
            status=410,
        )
    if request.user.is_authenticated:
        return render(
            request,
            "accounts/invitation_unusable.html",
            {"reason": _("You are logged in with another account. Log out first, then open the link again.")},
            status=409,
        )
    form = AcceptInvitationForm(request.POST or None, invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(token=token, password=form.cleaned_data["password1"])
        except services.InvitationError as error:
            return render(request, "accounts/invitation_unusable.html", {"reason": str(error)}, status=410)
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("core:home")
    return render(request, "accounts/accept_invitation.html", {"invitation": invitation, "form": form})


@require("accounts.manage_invitations")
def invitation_list(request: HttpRequest) -> HttpResponse:
    invitations = Invitation.objects.select_related("created_by").prefetch_related("roles").order_by("-created_at")
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()
    now = timezone.now()
    if status == Invitation.Status.PENDING:
        invitations = invitations.pending()
    elif status == Invitation.Status.ACCEPTED:
        invitations = invitations.filter(accepted_at__isnull=False)
    elif status == Invitation.Status.EXPIRED:
        invitations = invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
    elif status == Invitation.Status.REVOKED:
        invitations = invitations.filter(accepted_at__isnull=True, revoked_at__isnull=False)
    if query:
        invitations = invitations.filter(Q(email__icontains=query) | Q(name__icontains=query))
    page = Paginator(invitations, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/invitation_list.html",
        {"page": page, "status": status, "query": query, "statuses": Invitation.Status.choices},
    )


@require("accounts.manage_invitations")
def invitation_create(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invite(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                roles=form.cleaned_data["roles"],
                invited_by=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:invitation_list")
    return render(request, "accounts/invitation_form.html", {"form": form})


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    return get_object_or_404(Invitation, pk=pk)


@require_POST
@require("accounts.manage_invitations")
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    try:
        services.resend_invitation(invitation=invitation)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("A new link has been sent to %(email)s.") % {"email": invitation.email})
    return redirect("accounts:invitation_list")


@require_POST
@require("accounts.manage_invitations")
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    try:
        services.revoke_invitation(invitation=invitation)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation for %(email)s has been withdrawn.") % {"email": invitation.email})
    return redirect("accounts:invitation_list")
