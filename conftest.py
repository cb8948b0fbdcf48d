"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache

from core.roles import Role
from tests.factories import make_role_user


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    # The association settings and rate limits live in the cache; every test starts clean.
    cache.clear()


@pytest.fixture
def role_user(db: Any) -> Callable[..., Any]:
    """role_user("adviser") -> a user with that role (staff with MFA)."""
    return make_role_user


@pytest.fixture
def member_user(db: Any) -> Any:
    return make_role_user(Role.MEMBER)


@pytest.fixture
def administrator(db: Any) -> Any:
    return make_role_user(Role.ADMINISTRATOR)
