"""The search interface behaves the same on PostgreSQL and SQLite (the suite runs on both)."""

import pytest

from core import search
from core.models import SearchEntry
from members.models import Member
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def ids(queryset) -> list[int]:  # type: ignore[no-untyped-def]
    return list(queryset.values_list("pk", flat=True))


@pytest.fixture
def people() -> dict[str, Member]:
    rows = {
        "wonen": ("Anouk", "Jansen", "Ik werk aan woningbouw en betaalbare huurwoningen in Zwolle."),
        "klimaat": ("Bram", "Visser", "Klimaatadaptatie en wateroverlast: daar gaat het om."),
        "financien": ("Carlijn", "Smit", "Financiën van de gemeente, de begroting en belastingen."),
    }
    people = {}
    for key, (given, family, bio) in rows.items():
        member = MemberFactory(given_name=given, family_name=family, bio=bio)
        search.index("member", member.pk, title=f"{given} {family}", text=bio)
        people[key] = member
    return people


def test_stemmed_words_match_other_forms(people) -> None:  # type: ignore[no-untyped-def]
    assert ids(search.filter_ranked(Member.objects.all(), "member", "huurwoningen")) == [people["wonen"].pk]
    assert ids(search.filter_ranked(Member.objects.all(), "member", "begrotingen")) == [people["financien"].pk]


def test_accents_do_not_matter(people) -> None:  # type: ignore[no-untyped-def]
    assert ids(search.filter_ranked(Member.objects.all(), "member", "financien")) == [people["financien"].pk]
    assert ids(search.filter_ranked(Member.objects.all(), "member", "FINANCIËN")) == [people["financien"].pk]


def test_every_word_must_match_and_the_last_is_a_prefix(people) -> None:  # type: ignore[no-untyped-def]
    assert ids(search.filter_ranked(Member.objects.all(), "member", "anouk jans")) == [people["wonen"].pk]
    assert ids(search.filter_ranked(Member.objects.all(), "member", "anouk klimaat")) == []


def test_name_matches_rank_above_text_matches() -> None:
    in_text = MemberFactory(given_name="Daan", family_name="Bos", bio="Ik werk samen met Visser.")
    in_name = MemberFactory(given_name="Eva", family_name="Visser", bio="Onderwijs.")
    for m in (in_text, in_name):
        search.index("member", m.pk, title=f"{m.given_name} {m.family_name}", text=m.bio)
    assert ids(search.filter_ranked(Member.objects.all(), "member", "visser")) == [in_name.pk, in_text.pk]


def test_filters_combine_and_index_updates_and_removals_apply(people) -> None:  # type: ignore[no-untyped-def]
    member = people["klimaat"]
    assert ids(search.filter_ranked(Member.objects.filter(pk=member.pk), "member", "klimaat")) == [member.pk]
    assert ids(search.filter_ranked(Member.objects.exclude(pk=member.pk), "member", "klimaat")) == []
    search.index("member", member.pk, title="Bram Visser", text="Nu vooral onderwijs.")
    assert ids(search.filter_ranked(Member.objects.all(), "member", "klimaat")) == []
    search.remove("member", member.pk)
    assert ids(search.filter_ranked(Member.objects.all(), "member", "visser")) == []
    assert not SearchEntry.objects.filter(object_id=member.pk).exists()


@pytest.mark.parametrize("nonsense", ["&&&", "'; DROP TABLE x; --", '"', ":*", "*"])
def test_punctuation_and_injection_attempts_match_nothing_and_do_not_crash(people, nonsense: str) -> None:  # type: ignore[no-untyped-def]
    assert ids(search.filter_ranked(Member.objects.all(), "member", nonsense)) == []


def test_empty_query_returns_everything(people) -> None:  # type: ignore[no-untyped-def]
    assert len(ids(search.filter_ranked(Member.objects.all(), "member", "  "))) == 3
