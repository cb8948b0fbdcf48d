import pytest

from core.models import Tier
from core.selectors import match_bodies
from tests.factories import MunicipalityFactory, ProvinceFactory


@pytest.fixture
def bodies(db):  # type: ignore[no-untyped-def]
    nh = ProvinceFactory(code="PV27", name="Noord-Holland")
    li = ProvinceFactory(code="PV31", name="Limburg")
    zh = ProvinceFactory(code="PV28", name="Zuid-Holland")
    MunicipalityFactory(code="GM0518", name="'s-Gravenhage", official_name="'s-Gravenhage", province=zh)
    MunicipalityFactory(code="GM0373", name="Bergen (NH.)", official_name="Bergen (NH.)", province=nh)
    MunicipalityFactory(code="GM0893", name="Bergen (L.)", official_name="Bergen (L.)", province=li)
    MunicipalityFactory(code="GM1900", name="Súdwest-Fryslân", official_name="Súdwest-Fryslân")
    MunicipalityFactory(code="GM0164", name="Hengelo", official_name="Hengelo (O.)")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Den Haag", "GM0518"),
        ("'s-Gravenhage", "GM0518"),
        ("s-gravenhage", "GM0518"),
        ("Gemeente Den Haag", "GM0518"),
        ("sudwest fryslan", "GM1900"),
        ("SÚDWEST-FRYSLÂN", "GM1900"),
        ("Hengelo (O.)", "GM0164"),
        ("hengelo", "GM0164"),
        ("Bergen (NH.)", "GM0373"),
        ("Bergen (L.)", "GM0893"),
    ],
)
def test_names_match_tolerantly(bodies, typed: str, code: str) -> None:  # type: ignore[no-untyped-def]
    assert [b.code for b in match_bodies(typed, Tier.MUNICIPAL)] == [code]


def test_ambiguous_and_unknown_names(bodies) -> None:  # type: ignore[no-untyped-def]
    assert sorted(b.code for b in match_bodies("Bergen")) == ["GM0373", "GM0893"]
    assert match_bodies("Atlantis") == []
    assert match_bodies("   ") == []
