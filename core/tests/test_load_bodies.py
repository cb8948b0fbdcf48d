import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from core.models import Body, Tier
from core.services import ReferenceDataError, load_bodies, read_cbs_municipality_list, read_reference_directory
from tests.factories import MandateFactory

REAL_DATA = Path(settings.RAADHUIS_DATA_DIR)


@pytest.fixture(autouse=True)
def _english() -> object:
    # Messages are asserted in English; the Dutch texts are checked by the catalogue tests.
    with translation.override("en"):
        yield


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def small_reference(tmp_path: Path) -> Path:
    write(tmp_path / "provinces.csv", "code,name,municipality_count_2025\nPV23,Overijssel,2\nPV22,Drenthe,1\n")
    write(
        tmp_path / "municipalities.csv",
        "code,name,cbs_name_2025,province_code,population\n"
        "GM0193,Zwolle,Zwolle,PV23,\nGM0164,Hengelo,Hengelo (O.),PV23,81000\nGM0106,Assen,Assen,PV22,\n",
    )
    write(
        tmp_path / "water_boards.csv",
        "code,name,tooi_short_name,main_provinces\n"
        "WS0664,Waterschap Drents Overijsselse Delta,Drents Overijsselse Delta,PV23;PV22\n",
    )
    return tmp_path


@pytest.mark.skipif(not REAL_DATA.is_dir(), reason=f"reference data not found at {REAL_DATA}")
@pytest.mark.django_db
def test_real_reference_data_loads_all_bodies_and_is_idempotent() -> None:
    call_command("load_bodies")
    assert Body.objects.filter(tier=Tier.MUNICIPAL).count() == 342
    assert Body.objects.filter(tier=Tier.PROVINCIAL).count() == 12
    assert Body.objects.filter(tier=Tier.WATER_BOARD).count() == 21
    zwolle = Body.objects.get(code="GM0193")
    assert zwolle.name == "Zwolle" and zwolle.province.code == "PV23"
    assert Body.objects.get(code="GM0518").name == "'s-Gravenhage"
    assert Body.objects.get(code="PV21").name == "Fryslân"
    report = load_bodies(read_reference_directory(REAL_DATA))
    assert report.added == [] and report.changed == {} and report.unchanged == 375


@pytest.mark.django_db
def test_load_reports_added_then_changed(small_reference: Path) -> None:
    first = load_bodies(read_reference_directory(small_reference))
    assert sorted(first.added) == ["GM0106", "GM0164", "GM0193", "PV22", "PV23", "WS0664"]
    hengelo = Body.objects.get(code="GM0164")
    assert hengelo.official_name == "Hengelo (O.)" and hengelo.population == 81000
    assert {p.code for p in Body.objects.get(code="WS0664").provinces.all()} == {"PV22", "PV23"}

    write(
        small_reference / "municipalities.csv",
        "code,name,cbs_name_2025,province_code,population\n"
        "GM0193,Zwolle,Zwolle,PV23,\nGM0164,Hengelo,Hengelo (O.),PV23,81500\nGM0106,Assen,Assen,PV22,\n",
    )
    second = load_bodies(read_reference_directory(small_reference))
    assert second.added == []
    assert list(second.changed) == ["GM0164"]
    assert "population" in second.changed["GM0164"][0]
    assert second.unchanged == 5


@pytest.mark.django_db
def test_cbs_yearly_list_ends_merged_municipalities_and_links_successor(small_reference: Path, tmp_path: Path) -> None:
    load_bodies(read_reference_directory(small_reference))
    zwolle = Body.objects.get(code="GM0193")
    MandateFactory(body=zwolle)
    cbs = write(
        tmp_path / "gemeenten-alfabetisch-2026.csv",
        "Gemeentecode;GemeentecodeGM;Gemeentenaam;Provinciecode;ProvinciecodePV;Provincienaam\n"
        "1990;GM1990;Zwolle-Hengelo;23;PV23;Overijssel\n"
        "106;GM0106;Assen;22;PV22;Drenthe\n",
    )
    records = read_cbs_municipality_list(cbs)
    report = load_bodies(
        records,
        valid_from=datetime.date(2026, 1, 1),
        end_missing_tiers=[Tier.MUNICIPAL],
        successors={"GM0193": "GM1990", "GM0164": "GM1990"},
    )
    assert report.added == ["GM1990"]
    assert sorted(report.ended) == ["GM0164", "GM0193"]
    zwolle.refresh_from_db()
    assert zwolle.valid_until == datetime.date(2025, 12, 31)
    assert zwolle.successor.code == "GM1990"
    # The mandate stays linked to the old body.
    assert zwolle.mandates.count() == 1
    assert set(
        Body.objects.current(datetime.date(2026, 6, 1)).filter(tier=Tier.MUNICIPAL).values_list("code", flat=True)
    ) == {
        "GM0106",
        "GM1990",
    }
    again = load_bodies(
        records,
        valid_from=datetime.date(2026, 1, 1),
        end_missing_tiers=[Tier.MUNICIPAL],
        successors={"GM0193": "GM1990", "GM0164": "GM1990"},
    )
    assert again.added == [] and again.ended == [] and again.changed == {}


@pytest.mark.django_db
def test_prune_deletes_only_unreferenced_bodies(small_reference: Path, tmp_path: Path) -> None:
    load_bodies(read_reference_directory(small_reference))
    MandateFactory(body=Body.objects.get(code="GM0193"))
    cbs = write(tmp_path / "cbs.csv", "GemeentecodeGM,Gemeentenaam,ProvinciecodePV\nGM0106,Assen,PV22\n")
    report = load_bodies(
        read_cbs_municipality_list(cbs),
        valid_from=datetime.date(2026, 1, 1),
        end_missing_tiers=[Tier.MUNICIPAL],
        prune=True,
    )
    assert report.deleted == ["GM0164"]
    assert report.kept_referenced == ["GM0193"]
    assert Body.objects.filter(code="GM0193").exists()
    assert not Body.objects.filter(code="GM0164").exists()


@pytest.mark.django_db
def test_bad_input_changes_nothing(small_reference: Path, tmp_path: Path) -> None:
    load_bodies(read_reference_directory(small_reference))
    before = list(Body.objects.values_list("code", "name", "valid_until"))
    cbs = write(
        tmp_path / "cbs.csv", "GemeentecodeGM,Gemeentenaam,ProvinciecodePV\nGM0106,Assen Nieuw,PV22\nGMxx,Kapot,PV22\n"
    )
    with pytest.raises(ReferenceDataError, match="Line 3"):
        read_cbs_municipality_list(cbs)
    unknown_province = write(
        tmp_path / "cbs2.csv", "GemeentecodeGM,Gemeentenaam,ProvinciecodePV\nGM0106,Assen Nieuw,PV99\n"
    )
    with pytest.raises(ReferenceDataError, match="PV99"):
        load_bodies(read_cbs_municipality_list(unknown_province), valid_from=datetime.date(2026, 1, 1))
    assert list(Body.objects.values_list("code", "name", "valid_until")) == before


@pytest.mark.django_db
def test_command_reports_and_refuses_wrong_files(
    small_reference: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_bodies", data_dir=small_reference)
    assert "added: 6" in capsys.readouterr().out
    call_command("load_bodies", data_dir=small_reference)
    assert "unchanged: 6" in capsys.readouterr().out
    not_cbs = write(tmp_path / "x.csv", "foo,bar\n1,2\n")
    with pytest.raises(CommandError, match="not a CBS municipality list"):
        call_command("load_bodies", cbs=not_cbs, valid_from=datetime.date(2026, 1, 1))
    with pytest.raises(CommandError, match="not found"):
        call_command("load_bodies", data_dir=tmp_path / "missing")
