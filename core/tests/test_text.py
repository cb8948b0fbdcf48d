import unicodedata

from core.text import normalise_name, strip_accents


def reference(value: str) -> str:
    """The definition: NFKD, then every combining character dropped."""
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c))


def test_strip_accents_removes_accents_and_keeps_everything_else():
    assert strip_accents("financiële positie, geïnformeerd, café") == "financiele positie, geinformeerd, cafe"
    assert strip_accents("Súdwest-Fryslân ½ € ß") == "Sudwest-Fryslan 1⁄2 € ß"
    assert strip_accents("plain ascii") == "plain ascii"
    assert normalise_name("Súdwest-Fryslân") == "sudwest fryslan"


def test_strip_accents_agrees_with_its_definition_on_every_character():
    # Combining marks of every script (Greek, Hebrew, Arabic, Devanagari, ...), alone, after
    # letters and after ASCII; precomposed letters; compatibility forms.
    characters = [chr(c) for c in range(0x20000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(characters), 400):
        chunk = "".join(characters[start : start + 400])
        assert strip_accents(chunk) == reference(chunk)
        assert strip_accents("a" + "a".join(chunk)) == reference("a" + "a".join(chunk))
