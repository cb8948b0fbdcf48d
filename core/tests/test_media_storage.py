"""Uploaded files in local or S3-compatible storage, and serving them without a local path."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.db.models.fields.files import FieldFile
from django.test import Client

from tests.factories import MemberFactory, make_role_user

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "raadhuis.settings.production",
    "SECRET_KEY": "x" * 20 + "-production-secret-" + "y" * 20,
    "ALLOWED_HOSTS": "raadhuis.example.org",
    "RAADHUIS_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


def default_storage_setting(**env: str) -> subprocess.CompletedProcess[str]:
    ignored = {"DEBUG", "DATABASE_URL", "MEDIA_STORAGE"} | {k for k in os.environ if k.startswith("AWS_")}
    environment = {k: v for k, v in os.environ.items() if k not in ignored}
    environment.update({**PRODUCTION, **env})
    code = "import django; django.setup(); from django.conf import settings; print(repr(settings.STORAGES['default']))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_stores_files_on_the_local_disk_by_default() -> None:
    result = default_storage_setting()
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout.strip()) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_a_bucket_name_switches_production_to_private_s3_storage() -> None:
    result = default_storage_setting(
        AWS_STORAGE_BUCKET_NAME="raadhuis-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.net",
        AWS_S3_REGION_NAME="nl-ams",
        AWS_LOCATION="productie",
    )
    assert result.returncode == 0, result.stderr
    assert ast.literal_eval(result.stdout.strip()) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "raadhuis-media",
            "endpoint_url": "https://s3.example.net",
            "region_name": "nl-ams",
            "addressing_style": None,
            "location": "productie",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


def test_s3_storage_without_a_bucket_is_refused() -> None:
    result = default_storage_setting(MEDIA_STORAGE="s3")
    assert result.returncode != 0
    assert "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME" in result.stderr


@pytest.mark.django_db
def test_uploaded_files_are_served_from_storage_without_a_local_path(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Like a bucket: the bytes are not on the local disk, and asking for a file's path fails.
    storage = InMemoryStorage()
    photo_field = MemberFactory._meta.model._meta.get_field("photo")
    monkeypatch.setattr(photo_field, "storage", storage)

    def no_path(self: FieldFile) -> str:
        raise AssertionError("a file in remote storage has no local path")

    monkeypatch.setattr(FieldFile, "path", property(no_path))
    member = MemberFactory(photo_visibility="members")
    member.photo.save("portret.png", ContentFile(PNG), save=True)
    assert storage.exists(member.photo.name)
    assert not default_storage.exists(member.photo.name)

    client = Client()
    client.force_login(make_role_user("member"))
    response = client.get(f"/leden/{member.pk}/foto")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(PNG))
