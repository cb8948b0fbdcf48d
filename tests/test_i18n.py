"""The Dutch catalogue is complete and compiled; English works as the second language."""

import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", ["nl"])
def test_catalogue_is_complete(language: str) -> None:
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not untranslated, f"Untranslated: {untranslated}"
    assert not fuzzy, f"Fuzzy: {fuzzy}"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_compiled_catalogue_matches_its_source(language: str, tmp_path: Path) -> None:
    source = LOCALE / language / "LC_MESSAGES" / "django.po"
    compiled = LOCALE / language / "LC_MESSAGES" / "django.mo"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(source)], check=True)
    assert {e.msgid: e.msgstr for e in polib.mofile(str(fresh))} == {
        e.msgid: e.msgstr for e in polib.mofile(str(compiled))
    }, f"{compiled} is out of date: run `make messages`"


def test_source_strings_are_all_in_the_catalogue(tmp_path: Path) -> None:
    """Every translatable string in the code is in the Dutch catalogue (makemessages was run)."""
    catalogue = polib.pofile(str(LOCALE / "nl" / "LC_MESSAGES" / "django.po"))
    known = {e.msgid for e in catalogue if not e.obsolete}
    result = subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            "--keyword=_",
            "--keyword=gettext_lazy",
            "--keyword=gettext",
            "--keyword=pgettext:1c,2",
            "--keyword=ngettext:1,2",
            "-o",
            "-",
            *[
                str(p)
                for p in Path(settings.BASE_DIR).glob("*/*.py")
                if "tests" not in p.parts and ".venv" not in p.parts
            ],
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    extracted = {e.msgid for e in polib.pofile(result.stdout)} - {""}
    assert not extracted - known, f"Not in the catalogue (run `make messages`): {sorted(extracted - known)}"


def test_dutch_is_the_default_and_english_is_available() -> None:
    from core.models import Tier

    assert settings.LANGUAGE_CODE == "nl"
    assert str(Tier.WATER_BOARD.label) == "Waterschap"
    with translation.override("en"):
        assert str(Tier.WATER_BOARD.label) == "Water board"


@pytest.mark.django_db
def test_site_is_dutch_whatever_the_browser_says_until_the_visitor_switches(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/account/login/", headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="nl">' in page.content.decode()
    client.post("/taal/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/account/login/").content.decode()


def test_plural_forms_are_whole_words() -> None:
    catalogue = polib.pofile(str(LOCALE / "nl" / "LC_MESSAGES" / "django.po"))
    broken = [e.msgid for e in catalogue if e.msgid_plural and any(len(v) < 3 for v in e.msgstr_plural.values())]
    assert not broken, f"Plural translations look broken: {broken}"
