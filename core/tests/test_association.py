import pytest
from django.core.exceptions import ValidationError

from core.models import Association, contrast_ratio, validate_colour_on_white


def test_contrast_ratio_matches_wcag_examples() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("colour", ["#ffff00", "#999999", "red", "#12345"])
def test_unreadable_or_malformed_colours_are_refused(colour: str) -> None:
    with pytest.raises(ValidationError):
        validate_colour_on_white(colour)


@pytest.mark.django_db
def test_association_is_a_cached_singleton_with_defaults(client) -> None:  # type: ignore[no-untyped-def]
    association = Association.get()
    assert association.name == "Centrum voor Lokaal Bestuur"
    assert association.newsletter_name == "Lokaal Bestuur"
    association.name = "Vereniging Lokaal Verder"
    association.primary_colour = "#0b5d1e"
    association.save()
    assert Association.objects.count() == 1
    assert Association.get().name == "Vereniging Lokaal Verder"
    assert "Vereniging Lokaal Verder" in client.get("/").content.decode()
    css = client.get("/thema.css").content.decode()
    assert "--colour-primary: #0b5d1e" in css


@pytest.mark.django_db
def test_theme_css_never_emits_an_invalid_colour(client) -> None:  # type: ignore[no-untyped-def]
    # Seven characters fit the column on every database.
    Association.objects.update_or_create(pk=1, defaults={"primary_colour": "0;}*{x"})
    css = client.get("/thema.css").content.decode()
    assert "}*{" not in css
    assert "--colour-primary: #1d4e89" in css
