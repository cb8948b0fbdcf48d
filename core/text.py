"""Text helpers for matching Dutch names of places and bodies."""

import functools
import re
import unicodedata

# CBS disambiguation suffixes such as "(NH.)", "(O.)", "(L.)", "(ZH.)".
_SUFFIX = re.compile(r"\s*\((?:[a-z]{1,3}\.?)+\)\s*$")
_NON_WORD = re.compile(r"[^a-z0-9' ]+")
_SPACES = re.compile(r"\s+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_run(run: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", run) if not unicodedata.combining(c))


_fold_short_run = functools.lru_cache(maxsize=4096)(_fold_run)


def _without_combining(run: re.Match[str]) -> str:
    text = run.group()
    return _fold_short_run(text) if len(text) <= 8 else _fold_run(text)


def strip_accents(value: str) -> str:
    """NFKD without the combining characters (the accents). Whole documents are indexed through
    here: only the runs of non-ASCII characters are decomposed (no ASCII character decomposes,
    and the marks that combine with an ASCII letter are in the run after it), the short ones
    (an é, a ’) remembered."""
    if value.isascii():
        return value
    return _NON_ASCII.sub(_without_combining, value)


def normalise_name(value: str, keep_suffix: bool = False) -> str:
    """Lower case, no accents, no punctuation (but the apostrophe of 's-), single spaces.

    "Súdwest-Fryslân" -> "sudwest fryslan"; "Hengelo (O.)" -> "hengelo"; "'s-Gravenhage" ->
    "'s gravenhage".
    """
    value = strip_accents(value).lower().replace("\u2019", "'").strip()
    if not keep_suffix:
        value = _SUFFIX.sub("", value)
    value = _NON_WORD.sub(" ", value)
    return _SPACES.sub(" ", value).strip()


# Names people use for municipalities whose official (CBS) name differs.
MUNICIPALITY_ALIASES = {
    "den haag": "'s gravenhage",
    "the hague": "'s gravenhage",
    "s gravenhage": "'s gravenhage",
    "den bosch": "'s hertogenbosch",
    "s hertogenbosch": "'s hertogenbosch",
    "nuenen": "nuenen gerwen en nederwetten",
    "friesland": "fryslan",
}


def format_euros(cents: int | None, unknown: str = "?") -> str:
    """1234567 -> "€ 12.345,67" (Dutch notation); None -> `unknown`."""
    if cents is None:
        return unknown
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}€ {cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"
