import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core.roles import Role
from members.models import ImportBatch, Mandate, Member
from tests.factories import BranchFactory, MemberFactory, MunicipalityFactory, ProvinceFactory, make_role_user

pytestmark = pytest.mark.django_db

GOOD = (
    "Voornaam;Tussenvoegsel;Achternaam;E-mail;Telefoon;Gemeente;Rol;Afdeling;Onderwerpen;Lid sinds\n"
    "Anouk;van der;Veen;anouk@example.org;06-12345678;Den Haag;raadslid;Afdeling Den Haag;wonen, zorg;01-02-2020\n"
    "Bram;;Visser;bestaand@example.org;;Hengelo (O.);wethouder;;;\n"
)


@pytest.fixture
def bodies():  # type: ignore[no-untyped-def]
    zh = ProvinceFactory(code="PV28", name="Zuid-Holland")
    MunicipalityFactory(code="GM0518", name="'s-Gravenhage", official_name="'s-Gravenhage", province=zh)
    MunicipalityFactory(code="GM0164", name="Hengelo", official_name="Hengelo (O.)")
    MunicipalityFactory(code="GM0373", name="Bergen (NH.)", official_name="Bergen (NH.)")
    MunicipalityFactory(code="GM0893", name="Bergen (L.)", official_name="Bergen (L.)")
    BranchFactory(name="Afdeling Den Haag", slug="afdeling-den-haag")
    MemberFactory(email="bestaand@example.org", given_name="Bram", family_name="Fischer")


def upload(client, name: str, content: bytes):  # type: ignore[no-untyped-def]
    return client.post(reverse("members:import_upload"), {"file": SimpleUploadedFile(name, content)})


def test_dry_run_shows_what_will_happen_and_confirm_writes_it(client, bodies) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    before = Member.objects.count()
    response = upload(client, "leden.csv", GOOD.encode())
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("members:import_detail", kwargs={"pk": batch.pk})
    assert Member.objects.count() == before  # nothing written yet
    page = client.get(response["Location"])
    rows = page.context["rows"]
    assert [r["action"] for r in rows] == ["create", "update"]
    assert any("Visser" in c for c in rows[1]["changes"])
    client.post(response["Location"], {"action": "import"})
    anouk = Member.objects.get(email="anouk@example.org")
    assert anouk.infix == "van der" and anouk.branch.slug == "afdeling-den-haag"
    assert {t.slug for t in anouk.topics.all()} == {"wonen", "zorg"}
    assert str(anouk.member_since) == "2020-02-01"
    assert Mandate.objects.get(member=anouk).body.code == "GM0518"
    assert Member.objects.get(email="bestaand@example.org").family_name == "Visser"
    assert Mandate.objects.get(member__email="bestaand@example.org").role == "alderman"
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.IMPORTED
    # Confirming twice does nothing more.
    client.post(response["Location"], {"action": "import"})
    assert Mandate.objects.count() == 2


def test_every_error_is_reported_per_row_and_nothing_is_written(client, bodies) -> None:  # type: ignore[no-untyped-def]
    content = (
        b"voornaam,achternaam,e-mail,gemeente,rol,onderwerpen,lid sinds\n"
        b"Carla,Smit,geen-adres,Zwolle,raadslid,,\n"
        b"Daan,Bos,daan@example.org,Bergen,raadslid,,\n"
        b"Eva,,eva@example.org,Den Haag,gedeputeerde,astrologie,gisteren\n"
        b"Fenna,Kok,daan@example.org,,,,\n"
    )
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    before = Member.objects.count()
    response = upload(client, "fouten.csv", content)
    rows = client.get(response["Location"]).context["rows"]
    errors = [" ".join(r["errors"]) for r in rows]
    assert "geen geldig e-mailadres" in errors[0] and "Onbekende gemeente" in errors[0]
    assert "niet eenduidig" in errors[1] and "Bergen (NH.)" in errors[1]
    assert "achternaam ontbreekt" in errors[2] and "bestaat niet bij" in errors[2]
    assert "astrologie" in errors[2] and "geen datum" in errors[2]
    assert "Hetzelfde e-mailadres als regel 3" in errors[3]
    refused = client.post(response["Location"], {"action": "import"}, follow=True)
    assert "er is niets geïmporteerd" in refused.content.decode()
    assert Member.objects.count() == before


def test_a_failure_while_writing_rolls_everything_back(client, bodies, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from members import importing

    client.force_login(make_role_user(Role.ADMINISTRATOR))
    response = upload(client, "leden.csv", GOOD.encode())
    before = (Member.objects.count(), Mandate.objects.count())
    original = Mandate.objects.create

    def fail_on_second(*args, **kwargs):  # type: ignore[no-untyped-def]
        if Mandate.objects.count() >= 1:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(importing.Mandate.objects, "create", fail_on_second)
    with pytest.raises(RuntimeError):
        client.post(response["Location"], {"action": "import"})
    assert (Member.objects.count(), Mandate.objects.count()) == before
    assert ImportBatch.objects.get().status == ImportBatch.Status.CHECKED


def test_excel_files_are_read_too(client, bodies) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Voornaam", "Achternaam", "E-mailadres", "Gemeente", "Rol"])
    sheet.append(["Gijs", "Mulder", "gijs@example.org", "den haag", "Raadslid"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    response = upload(client, "leden.xlsx", buffer.getvalue())
    rows = client.get(response["Location"]).context["rows"]
    assert rows[0]["action"] == "create" and rows[0]["values"]["body"] == "GM0518"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leden.pdf", b"%PDF-1.4", "CSV-bestand of een Excel-bestand"),
        ("leden.csv", b"", "leeg"),
        ("leden.csv", b"naam;adres\nx;y\n", "ontbreekt: voornaam, achternaam, e-mail"),
        ("leden.xlsx", b"geen zip", "niet te lezen"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(client, name, content, message) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.ADMINISTRATOR))
    response = upload(client, name, content)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not ImportBatch.objects.exists()
