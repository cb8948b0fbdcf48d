"""The text of posts: @mentions, links to library documents, and safe HTML for the page.

A member is mentioned by writing @ and their full name ("@Ria Hoekstra"). When a post is saved,
each mention of someone who can read the network is stored as a token `@{member:ID}`, so that the
page always shows the member's current name, and "former member" once their data was erased.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import SafeString, mark_safe

from members.models import Member

TOKEN = re.compile(r"@\{member:(\d+)\}")
# "@" at the start of a word (not inside an e-mail address), followed by a name.
MENTION = re.compile(r"(?<![\w@.])@(?=\w)")
NAME_WORD = re.compile(r"[\w'’.-]+")
# A link to a library document: /bibliotheek/<id>/ with or without the site's address.
LIBRARY_LINK = re.compile(r"(?:https?://[^\s/]+)?/bibliotheek/(\d{1,12})/?(?=[\s)\].,;:!?]|$)")
MAX_MENTIONS = 10
MAX_DOCUMENTS = 5
MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class Mentions:
    text: str
    members: list[Member]
    unresolved: list[str]


def neutralise_tokens(text: str) -> str:
    """What a person typed can never be a stored token."""
    return TOKEN.sub(lambda m: "@(member:" + m.group(1) + ")", text)


def _words_after(text: str, start: int) -> list[tuple[str, int]]:
    """Up to MAX_NAME_WORDS words after position `start` on the same line, with their end offsets."""
    words: list[tuple[str, int]] = []
    position = start
    line_end = text.find("\n", start)
    limit = len(text) if line_end < 0 else line_end
    while len(words) < MAX_NAME_WORDS:
        match = NAME_WORD.match(text, position)
        if not match or match.start() >= limit:
            break
        words.append((match.group(0), match.end()))
        position = match.end()
        while position < limit and text[position] in " \t":
            position += 1
        if position == match.end():
            break
    return words


def resolve_mentions(text: str, candidates: Callable[[set[str]], QuerySet[Member]]) -> Mentions:
    """Replace "@Full Name" with tokens for the members `candidates(first_names)` returns (those
    who may read the network). The longest full name that matches wins ("@Jan de Vries" over
    "@Jan"); names that match nobody stay as written and are reported."""
    text = neutralise_tokens(text)
    starts = [m.end() for m in MENTION.finditer(text)][: MAX_MENTIONS * 3]
    if not starts:
        return Mentions(text, [], [])
    first_words = {words[0][0].lower() for s in starts if (words := _words_after(text, s))}
    people = list(candidates(first_words)) if first_words else []
    by_name: dict[str, list[Member]] = {}
    for person in people:
        by_name.setdefault(" ".join(person.full_name.lower().split()), []).append(person)
    replacements: list[tuple[int, int, Member]] = []
    unresolved: list[str] = []
    for start in starts:
        words = _words_after(text, start)
        found = None
        for count in range(len(words), 0, -1):
            name = " ".join(w.lower() for w, _end in words[:count]).rstrip(".,;:!?")
            matches = by_name.get(name, [])
            if len(matches) == 1:
                end = words[count - 1][1]
                # Keep punctuation that followed the name ("@Ria Hoekstra, ...").
                while text[end - 1] in ".,;:!?" and name and not name.endswith(text[end - 1]):
                    end -= 1
                found = (start - 1, end, matches[0])
                break
        if found is None:
            if words:
                unresolved.append("@" + words[0][0] + (" " + words[1][0] if len(words) > 1 else ""))
            continue
        replacements.append(found)
    members: dict[int, Member] = {}
    for begin, end, member in reversed(replacements[:MAX_MENTIONS]):
        text = text[:begin] + f"@{{member:{member.pk}}}" + text[end:]
        members[member.pk] = member
    return Mentions(text, list(members.values()), unresolved)


def first_name_filter(queryset: QuerySet[Member], first_words: Iterable[str]) -> QuerySet[Member]:
    return queryset.annotate(given_lower=Lower("given_name")).filter(given_lower__in=list(first_words))


def linked_document_ids(text: str) -> list[int]:
    return list(dict.fromkeys(int(m.group(1)) for m in LIBRARY_LINK.finditer(text)))[:MAX_DOCUMENTS]


def plain(text: str, names: dict[int, str]) -> str:
    """The text with mentions as "@Name" (for e-mails, excerpts and the data export)."""
    return TOKEN.sub(lambda m: "@" + names.get(int(m.group(1)), "?"), text)


def excerpt(text: str, names: dict[int, str], length: int = 240) -> str:
    flat = " ".join(plain(text, names).split())
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + "…"


def render(text: str, names: dict[int, tuple[str, str | None]]) -> SafeString:
    """Safe HTML: paragraphs, links made clickable (rel="nofollow"), mentions as the member's
    name (a link to their page when `names` gives one). Nothing the author typed becomes markup."""
    parts: list[str] = []
    position = 0
    for match in TOKEN.finditer(text):
        parts.append(urlize(text[position : match.start()], nofollow=True, autoescape=True))
        name, url = names.get(int(match.group(1)), ("?", None))
        label = escape("@" + name)
        parts.append(
            f'<a href="{escape(url)}" class="mention">{label}</a>' if url else f'<span class="mention">{label}</span>'
        )
        position = match.end()
    parts.append(urlize(text[position:], nofollow=True, autoescape=True))
    return mark_safe(linebreaks(mark_safe("".join(parts)), autoescape=False))  # noqa: S308 - escaped above
