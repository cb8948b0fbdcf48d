"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from core.roles import Role
from tests.factories import make_role_user


@pytest.fixture(autouse=True)
def _clean_state() -> None:
    # The association settings and rate limits live in the cache, the language in the thread:
    # every test starts clean and in Dutch.
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)
    # The library's search index lives in memory in the tests (LIBRARY_SEARCH_INDEX_DIR = None):
    # every test starts with an empty one, as with its database.
    from library import search_index

    search_index.reset()
    from networks import search_index as network_search_index

    network_search_index.reset()


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
