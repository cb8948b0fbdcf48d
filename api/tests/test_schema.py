"""Schemathesis against the OpenAPI document, in process (the Django WSGI application, the test
database with the example data of world.py): for every operation, generated requests with and
without a member's token never get a 500, and every answer matches the document (status codes,
content type, body, headers), operations that need a token refuse requests without one, and
unsupported methods get a 405."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis.config import SchemathesisConfig

from api.api import api

from .world import World

pytestmark = pytest.mark.django_db

# Generated cases per operation and phase: enough to find a 500 or a schema mismatch in
# seconds, bounded so the whole run stays well under a minute.
MAX_EXAMPLES = 20

CONFIG = {
    "generation": {"max-examples": MAX_EXAMPLES},
    "phases": {"stateful": {"enabled": False}},
    "operations": [
        {
            # Valid according to the schema, yet refused with a 400: a search of stop words only
            # ("de het") has nothing to search for. The schema cannot express that.
            "include-path": "/api/documents",
            "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "429"]}},
        }
    ],
}


@pytest.fixture(autouse=True)
def _in_process(settings: Any) -> Iterator[None]:
    settings.API_RATE_LIMITS = {"anonymous": "100000/m", "token": "100000/m"}
    # The WSGI handler closes "old" database connections around each request; in a test that
    # would close the connection holding the test's transaction (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The document that /api/openapi.json serves (test_the_served_document_is_the_one_tested checks it),
# read without a request so that collecting the tests needs no database. Loaded twice: requests
# without a token, and requests with the token of the test's member (a schemathesis auth provider,
# so that schemathesis knows which requests carry it and also tries them without).
DOCUMENT = api.get_openapi_schema()
anonymous = schemathesis.openapi.from_dict(DOCUMENT, config=SchemathesisConfig.from_dict(CONFIG))
anonymous.app = get_wsgi_application()
with_token = schemathesis.openapi.from_dict(DOCUMENT, config=SchemathesisConfig.from_dict(CONFIG))
with_token.app = anonymous.app
CURRENT_TOKEN = {"secret": ""}


@with_token.auth(refresh_interval=None)
class MemberToken:
    def get(self, case: Any, ctx: Any) -> str:
        return CURRENT_TOKEN["secret"]

    def set(self, case: Any, data: str, ctx: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture
def member_token(world: World) -> Iterator[str]:
    CURRENT_TOKEN["secret"] = world.token
    yield world.token
    CURRENT_TOKEN["secret"] = ""


def test_the_served_document_is_the_one_tested(client: Any) -> None:
    assert client.get("/api/openapi.json").json() == DOCUMENT


@anonymous.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_without_a_token_the_api_keeps_to_its_document(case: Any, world: World) -> None:
    case.call_and_validate()


@with_token.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=list(hypothesis.HealthCheck))
def test_with_a_token_the_api_keeps_to_its_document(case: Any, member_token: str) -> None:
    case.call_and_validate()
