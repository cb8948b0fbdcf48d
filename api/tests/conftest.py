from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .world import World, build_world


@pytest.fixture
def world(db: Any) -> World:
    return build_world()


class ApiClient:
    """GETs the API with or without a token and returns (status, JSON)."""

    def __init__(self) -> None:
        self.client = Client()

    def get(self, path: str, token: str | None = None, **params: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.client.get(f"/api{path}", params, headers=headers)
        assert response["Content-Type"].startswith("application/json"), response.content[:200]
        return response.status_code, response.json()


@pytest.fixture
def api() -> ApiClient:
    return ApiClient()
