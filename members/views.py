from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from core.files import serve_file
from core.permissions import require

from .models import Member
from .privacy import may_see, visible_fields
from .selectors import member_profile


def _member(request: HttpRequest, pk: int) -> Member:
    return get_object_or_404(Member.objects.select_related("branch"), pk=pk)


@require("members.view_member", get_object=_member, hide=True)
def member_detail(request: HttpRequest, pk: int, obj: Member) -> HttpResponse:
    mandates = member_profile(obj)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": obj,
            "visible": visible_fields(request.user, obj),
            "current_mandates": [m for m in mandates if m.is_current],
            "past_mandates": [m for m in mandates if not m.is_current],
            "topics": obj.topics.all(),
        },
    )


@require("members.view_photo", get_object=_member)
def member_photo(request: HttpRequest, pk: int, obj: Member) -> HttpResponse:
    if not obj.photo or not may_see(request.user, obj, "photo"):
        raise Http404
    return serve_file(obj.photo, cache_seconds=600)
