"""Reporting and hiding posts; erasure keeps discussions readable as "oud-lid"; posts are in the
data export."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.roles import Role
from members import services as member_services
from members.models import ErasureRequest
from networks import services
from networks.models import Membership, Report
from networks.selectors import open_reports
from tests.factories import make_role_user

from .factories import ask, member, pdf_upload, topic_network

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():  # type: ignore[no-untyped-def]
    wonen = topic_network()
    ria, sem = member("Ria", "Hoekstra"), member("Sem", "Dijkstra")
    thread = ask(wonen, ria, title="Kinderopvang", body="Wie heeft ervaring?")
    services.join(network=wonen, user=sem)
    reply = services.reply(thread=thread, author=sem, body="Wat een domme vraag, typisch jouw partij.").post
    moderator = member("Mo", "Derator")
    services.appoint_moderator(network=wonen, email=moderator.email, appointed_by=make_role_user(Role.ADMINISTRATOR))
    return {"network": wonen, "ria": ria, "sem": sem, "thread": thread, "reply": reply, "moderator": moderator}


def test_a_reported_post_is_hidden_by_a_moderator(client, setting) -> None:  # type: ignore[no-untyped-def]
    ria, reply, thread = setting["ria"], setting["reply"], setting["thread"]
    with pytest.raises(PermissionDenied):
        services.report_post(post=thread.posts.get(opening=True), reporter=ria, reason="eigen bericht")
    with pytest.raises(ValidationError):
        services.report_post(post=reply, reporter=ria, reason="  ")
    services.report_post(post=reply, reporter=ria, reason="Op de persoon")
    # The moderators' list holds the reported post only (not the other posts of the network).
    assert list(open_reports(setting["network"])) == [reply]
    with pytest.raises(PermissionDenied):
        services.hide_post(post=reply, moderator=ria)
    services.hide_post(post=reply, moderator=setting["moderator"])
    thread.refresh_from_db()
    assert thread.reply_count == 0
    assert Report.objects.get().decision == "hidden"
    assert not open_reports(setting["network"]).exists()
    client.force_login(ria)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "typisch jouw partij" not in html
    assert "Een moderator heeft dit bericht verborgen" in html
    # Its author and the moderators still see it, marked as hidden.
    client.force_login(setting["sem"])
    assert "typisch jouw partij" in client.get(thread.get_absolute_url()).content.decode()
    services.unhide_post(post=reply, moderator=setting["moderator"])
    thread.refresh_from_db()
    assert thread.reply_count == 1


def test_hiding_the_opening_post_hides_the_conversation(client, setting) -> None:  # type: ignore[no-untyped-def]
    thread, moderator = setting["thread"], setting["moderator"]
    services.hide_post(post=thread.posts.get(opening=True), moderator=moderator)
    client.force_login(setting["sem"])
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert "Kinderopvang" not in client.get(setting["network"].get_absolute_url()).content.decode()
    with pytest.raises(PermissionDenied):
        services.reply(thread=thread, author=setting["sem"], body="x")
    client.force_login(moderator)
    assert client.get(thread.get_absolute_url()).status_code == 200


def test_a_moderator_can_leave_a_reported_post(setting) -> None:  # type: ignore[no-untyped-def]
    services.report_post(post=setting["reply"], reporter=setting["ria"], reason="Vind ik niet netjes")
    assert services.keep_post(post=setting["reply"], moderator=setting["moderator"]) == 1
    assert Report.objects.get().decision == "kept"
    setting["reply"].refresh_from_db()
    assert setting["reply"].hidden_at is None


def test_a_hidden_helpful_answer_is_no_longer_the_answer(setting) -> None:  # type: ignore[no-untyped-def]
    thread, reply = setting["thread"], setting["reply"]
    services.mark_helpful(thread=thread, post=reply, user=setting["ria"])
    services.hide_post(post=reply, moderator=setting["moderator"])
    thread.refresh_from_db()
    assert thread.solution is None


def test_erasure_keeps_the_discussion_readable_as_former_member(client, setting) -> None:  # type: ignore[no-untyped-def]
    wonen, ria, sem, thread = setting["network"], setting["ria"], setting["sem"], setting["thread"]
    services.reply(thread=thread, author=ria, body="Dank @Sem Dijkstra, ik bel je.")
    request = ErasureRequest.objects.create(member=sem.member)
    member_services.erase_member(request=request, executed_by=make_role_user(Role.ADMINISTRATOR))
    assert not Membership.objects.filter(user=sem).exists()
    client.force_login(ria)
    html = client.get(thread.get_absolute_url()).content.decode()
    assert "Sem Dijkstra" not in html and "Dijkstra" not in html
    assert html.count("oud-lid") >= 2  # the author and the mention
    assert "typisch jouw partij" in html  # the discussion stays readable
    assert wonen.threads.count() == 1


def test_the_data_export_holds_the_posts_with_names_and_attachments(setting) -> None:  # type: ignore[no-untyped-def]
    ria, thread, sem = setting["ria"], setting["thread"], setting["sem"]
    services.reply(thread=thread, author=ria, body="Dank @Sem Dijkstra!", files=[pdf_upload("aanpak.pdf")])
    services.report_post(post=setting["reply"], reporter=ria, reason="Op de persoon")
    data = member_services.personal_data(ria.member)["networks"]
    assert [m["network"] for m in data["memberships"]] == ["Wonen"]
    texts = [p["text"] for p in data["posts"]]
    assert texts == ["Wie heeft ervaring?", "Dank @Sem Dijkstra!"]
    assert data["posts"][0]["kind"] == "question" and data["posts"][1]["kind"] == "reply"
    assert data["posts"][1]["attachments"] == ["aanpak.pdf"]
    assert data["reports"][0]["reason"] == "Op de persoon"
    assert "typisch" not in str(data)  # another member's post is not in Ria's export
    assert [p["text"] for p in member_services.personal_data(sem.member)["networks"]["posts"]] == [
        "Wat een domme vraag, typisch jouw partij."
    ]
