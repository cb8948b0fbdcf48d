"""Searching the networks (issue 22, point 5): the library's Dutch analysis on questions and replies,
limited to the networks one may read, hidden posts never found, the index kept by its change log."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.roles import Role
from members import services as member_services
from members.models import ErasureRequest
from networks import search, search_index, selectors, services
from networks.models import Post, SearchChange
from tests.factories import make_role_user

from .factories import ask, closed_network, expert, member, topic_network

pytestmark = pytest.mark.django_db

REPLY = (
    "Wij deden dit in Hengelo: de gemeente vult de kinderopvangtoeslag aan voor lage inkomens, "
    "betaald uit de algemene reserve."
)


def found(user: Any, query: str, **kwargs: Any) -> list[Post]:
    return search.search(query, network_ids=selectors.readable_network_ids(user), **kwargs).posts


@pytest.fixture
def zorg() -> dict[str, Any]:
    network = topic_network("zorg", "Zorg")
    asker, helper = member("Marieke", "de Vries"), member("Wendy", "Brouwer")
    thread = ask(network, asker, title="Wie heeft ervaring met betaalbare kinderopvang?", body="Wie deed dit al?")
    services.join(network=network, user=helper)
    reply = services.reply(thread=thread, author=helper, body=REPLY).post
    return {"network": network, "asker": asker, "helper": helper, "thread": thread, "reply": reply}


def test_a_member_finds_a_reply_by_another_form_of_its_words(zorg) -> None:  # type: ignore[no-untyped-def]
    reader = member("Joost", "Bakker")  # any member reads a topic network, in it or not
    assert found(reader, "kinderopvangtoeslagen") == [zorg["reply"]]
    assert found(reader, "gemeenten lage inkomens") == [zorg["reply"]]
    # The question's title counts for its opening post; a phrase keeps its word order.
    assert found(reader, "betaalbare kinderopvang") == [zorg["thread"].posts.get(opening=True)]
    assert found(reader, '"algemene reserve"') == [zorg["reply"]]
    assert found(reader, '"reserve algemene"') == []
    assert found(reader, "kinderopvangtoeslag -Hengelo") == []
    # Accents and case do not matter.
    assert found(reader, "HENGÉLO") == [zorg["reply"]]
    # Words that form a term of the library's synonym list ("openbaar vervoer") all count.
    bus = services.reply(thread=zorg["thread"], author=zorg["helper"], body="Het openbaar vervoer rijdt niet.").post
    services.reply(thread=zorg["thread"], author=zorg["helper"], body="Het loket is open.")
    assert found(reader, "openbaar vervoer") == [bus]


def test_a_closed_network_is_found_by_its_members_only() -> None:
    course = closed_network("Leergang Lokaal Bestuur 2026")
    inside, outside = member("Ria", "Hoekstra"), member("Otto", "Ander")
    services.invite_members(network=course, users=[inside], invited_by=None)
    services.answer_invitation(invitation=course.invitations.get(user=inside), accept=True)
    thread = ask(course, inside, title="Begroting", body="Hoe lees je een begrotingswijziging?")
    assert found(inside, "begrotingswijzigingen") == [thread.posts.get()]
    assert found(outside, "begrotingswijzigingen") == []
    # Advisers read every network; a lapsed member none, even one who is still in it.
    assert found(make_role_user(Role.ADVISER), "begrotingswijziging") == [thread.posts.get()]
    # Who leaves no longer finds it (the index is the same; the networks are asked per search).
    services.leave(network=course, user=inside)
    selectors.forget_access(inside)
    assert found(inside, "begrotingswijziging") == []
    services.invite_members(network=course, users=[inside], invited_by=None)
    services.answer_invitation(invitation=course.invitations.get(user=inside, answered_at=None), accept=True)
    assert found(inside, "begrotingswijziging") == [thread.posts.get()]
    inside.member.status = "lapsed"
    inside.member.save()
    assert found(inside, "begrotingswijziging") == []
    # Nobody logged in reads anything.
    from django.contrib.auth.models import AnonymousUser

    assert selectors.readable_network_ids(AnonymousUser()) == []


def test_a_hidden_post_is_not_found_and_a_hidden_question_takes_its_replies(zorg) -> None:  # type: ignore[no-untyped-def]
    reader = member("Joost", "Bakker")
    moderator = make_role_user(Role.ADMINISTRATOR)
    services.hide_post(post=zorg["reply"], moderator=moderator)
    assert found(reader, "kinderopvangtoeslag") == []
    services.unhide_post(post=zorg["reply"], moderator=moderator)
    assert found(reader, "kinderopvangtoeslag") == [zorg["reply"]]
    opening = zorg["thread"].posts.get(opening=True)
    services.hide_post(post=opening, moderator=moderator)
    assert found(reader, "kinderopvangtoeslag") == []
    assert found(reader, "betaalbare kinderopvang") == []
    # Hidden posts are not in the index at all (not merely filtered out of the page).
    assert search_index.searcher().num_docs == 0
    services.unhide_post(post=opening, moderator=moderator)
    assert set(found(reader, "kinderopvang OR kinderopvangtoeslag")) == {opening, zorg["reply"]}


def test_an_expert_finds_only_their_own_network(zorg) -> None:  # type: ignore[no-untyped-def]
    course = closed_network("Leergang Omgevingswet")
    eva = expert(course)
    own = services.start_thread(
        network=course, author=eva, kind="discussion", title="Omgevingsplan", body="Over de kinderopvangtoeslag ook."
    ).post
    assert found(eva, "kinderopvangtoeslag") == [own]
    # A member of the association in both networks finds both.
    marieke = zorg["asker"]
    services.invite_members(network=course, users=[marieke], invited_by=None)
    services.answer_invitation(invitation=course.invitations.get(user=marieke), accept=True)
    assert set(found(marieke, "kinderopvangtoeslag")) == {own, zorg["reply"]}


def test_a_lagging_index_never_shows_what_may_not_be_read(zorg, settings) -> None:  # type: ignore[no-untyped-def]
    """The index has not applied the change yet (the worker is behind): the page of results is
    checked against the database, so the hidden post is left out all the same."""
    settings.LIBRARY_SEARCH_APPLY_INLINE = False
    reader = member("Joost", "Bakker")
    services.hide_post(post=zorg["reply"], moderator=make_role_user(Role.ADMINISTRATOR))
    assert SearchChange.objects.filter(post_id=zorg["reply"].pk, op="remove").exists()
    results = search.search("kinderopvangtoeslag", network_ids=selectors.readable_network_ids(reader))
    assert results.total == 1 and results.posts == []
    assert search_index.apply_changes() == 1
    assert search.search("kinderopvangtoeslag", network_ids=selectors.readable_network_ids(reader)).total == 0


def test_the_change_log_is_written_with_the_post_and_applied_by_the_worker(zorg, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LIBRARY_SEARCH_APPLY_INLINE = False
    helper, thread = zorg["helper"], zorg["thread"]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.reply(thread=thread, author=helper, body="Zonnepanelen op het gemeentehuis.")
        raise RuntimeError("the request failed after the post was written")
    assert not SearchChange.objects.exists()  # rolled back with the post
    post = services.reply(thread=thread, author=helper, body="Zonnepanelen op het gemeentehuis.").post
    assert list(SearchChange.objects.values_list("post_id", "op")) == [(post.pk, "index")]
    reader = member("Joost", "Bakker")
    assert found(reader, "zonnepaneel") == []  # not applied yet
    call_command("networks_search_index", "--catch-up", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert found(reader, "zonnepaneel") == [post]
    assert search_index.pending() == 0
    # A rebuild indexes every visible post again, as the database has them.
    search_index.reset()
    assert found(reader, "zonnepaneel") == []
    call_command("networks_search_index", "--rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert found(reader, "zonnepaneel") == [post]
    assert search_index.searcher().num_docs == 3


def test_the_housekeeping_catches_up_with_the_change_log(zorg, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LIBRARY_SEARCH_APPLY_INLINE = False
    post = services.reply(thread=zorg["thread"], author=zorg["helper"], body="Warmtenetten in de wijk.").post
    assert services.housekeeping()["search_changes"] == 1
    assert found(zorg["asker"], "warmtenet") == [post]


def test_an_erased_member_is_a_former_member_and_their_name_is_no_search_term(zorg, client) -> None:  # type: ignore[no-untyped-def]
    wendy, marieke = zorg["helper"], zorg["asker"]
    mention = services.reply(
        thread=zorg["thread"], author=marieke, body="Dank je @Wendy Brouwer, dat zoek ik over kinderopvangtoeslag."
    ).post
    assert found(marieke, "Brouwer") == []  # a mention is not a word of the text
    request = ErasureRequest.objects.create(member=wendy.member)
    member_services.erase_member(request=request, executed_by=make_role_user(Role.ADMINISTRATOR))
    client.force_login(marieke)
    response = client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag"})
    html = response.content.decode()
    assert "Wendy" not in html and "Brouwer" not in html
    assert html.count("oud-lid") == 2  # the reply's author, and the name in the mention
    assert f"#bericht-{mention.pk}" in html and f"#bericht-{zorg['reply'].pk}" in html


def test_bad_and_empty_queries_get_a_clear_answer(zorg, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(zorg["asker"])
    page = client.get(reverse("networks:search"))
    assert "Typ waar je naar zoekt" in page.content.decode()
    page = client.get(reverse("networks:search"), {"q": "de het"})
    assert "worden overgeslagen" in page.content.decode()
    page = client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag", "page": "x", "sort": "nonsense"})
    assert page.status_code == 200 and "1 bericht" in page.content.decode()
    # A page beyond the last goes to the last.
    page = client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag", "page": "9"})
    assert page.status_code == 302 and page["Location"].endswith("page=1")


def test_newest_first_and_pages(zorg) -> None:  # type: ignore[no-untyped-def]
    helper, thread = zorg["helper"], zorg["thread"]
    posts = [
        services.reply(thread=thread, author=helper, body=f"Kinderopvang in gemeente nummer {n}.").post
        for n in range(search.PER_PAGE + 2)
    ]
    reader = member("Joost", "Bakker")
    ids = selectors.readable_network_ids(reader)
    first = search.search("kinderopvang", network_ids=ids, sort="date")
    assert first.total == search.PER_PAGE + 3 and first.pages == 2
    assert first.posts[:3] == posts[::-1][:3]
    second = search.search("kinderopvang", network_ids=ids, sort="date", page=2)
    assert len(second.posts) == 3 and not set(second.posts) & set(first.posts)


def test_the_search_page_has_tabs_and_a_fixed_number_of_queries(zorg, client) -> None:  # type: ignore[no-untyped-def]
    marieke = zorg["asker"]
    services.reply(thread=zorg["thread"], author=zorg["helper"], body="@Marieke de Vries kinderopvangtoeslag")
    client.force_login(marieke)
    # The association's settings and the library's synonym list are cached from now on.
    client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag"})
    with CaptureQueriesContext(connection) as few:
        page = client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag"})
    html = page.content.decode()
    assert '<nav class="search-tabs" aria-label="Zoeken in">' in html
    assert 'href="/netwerken/zoeken/?q=kinderopvangtoeslag" aria-current="page">Netwerken</a>' in html
    assert 'href="/bibliotheek/?q=kinderopvangtoeslag">Bibliotheek</a>' in html
    for n in range(12):
        services.reply(thread=zorg["thread"], author=zorg["helper"], body=f"@Marieke de Vries kinderopvangtoeslag {n}")
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag"})
    assert page.content.decode().count('class="result"') == 14
    assert len(many) == len(few)
    # Session, user, roles, member, the readable networks, the compounds of the word, the page's
    # posts (with thread, network and author) and their mentions, on both databases.
    assert len(many) == 8, [q["sql"] for q in many.captured_queries]
    # The library's page has the same tabs, the library current.
    library = client.get(reverse("library:search"), {"q": "kinderopvangtoeslag"}).content.decode()
    assert 'href="/bibliotheek/?q=kinderopvangtoeslag" aria-current="page">Bibliotheek</a>' in library


def test_who_sees_the_tabs(zorg, client) -> None:  # type: ignore[no-untyped-def]
    assert "search-tabs" not in client.get(reverse("library:search")).content.decode()  # not logged in
    client.force_login(make_role_user(Role.EDITOR))
    assert "search-tabs" not in client.get(reverse("library:search")).content.decode()
    assert client.get(reverse("networks:search")).status_code == 403
    course = closed_network("Leergang Omgevingswet")
    client.force_login(expert(course))
    page = client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag"}).content.decode()
    assert "search-tabs" not in page and "/bibliotheek/" not in page  # the expert sees no library
    assert "0 berichten" in page


def test_searching_one_network_from_its_page(zorg, client) -> None:  # type: ignore[no-untyped-def]
    wonen = topic_network("wonen", "Wonen")
    other = ask(wonen, zorg["helper"], title="Kinderopvangtoeslag en huur", body="Telt de toeslag mee?")
    course = closed_network("Leergang Omgevingswet")
    marieke = zorg["asker"]
    client.force_login(marieke)
    network_page = client.get(zorg["network"].get_absolute_url()).content.decode()
    assert '<input type="hidden" name="netwerk" value="zorg">' in network_page
    everywhere = client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag"}).content.decode()
    assert "2 berichten" in everywhere
    within = client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag", "netwerk": "zorg"}).content.decode()
    assert "1 bericht<" in within and f"#bericht-{zorg['reply'].pk}" in within
    assert "Alleen in Zorg." in within and 'href="?q=kinderopvangtoeslag">Zoek in al je netwerken</a>' in within
    assert '<input type="hidden" name="netwerk" value="zorg">' in within  # a new search stays within
    # A closed network she is not in, and one that does not exist, are answered alike.
    for slug in (course.slug, "bestaat-niet"):
        page = client.get(reverse("networks:search"), {"q": "kinderopvangtoeslag", "netwerk": slug}).content.decode()
        assert "Dat netwerk is niet gevonden, of je mag het niet lezen" in page and "2 berichten" in page
        assert course.name not in page
    assert other.posts.get() in found(marieke, "kinderopvangtoeslag")


def test_deleted_posts_leave_the_index(zorg) -> None:  # type: ignore[no-untyped-def]
    assert search_index.searcher().num_docs == 2
    zorg["reply"].delete()
    assert search_index.searcher().num_docs == 1
    zorg["network"].delete()  # its conversations and posts with it
    assert search_index.searcher().num_docs == 0 and search_index.pending() == 0
