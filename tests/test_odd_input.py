"""Odd input in a query string never gives a 500: every GET parameter of every page that reads one
gets words without letters, quotes, control characters, invalid UTF-8, very long strings,
non-numbers and impossible dates, as each role that may open the page. The pages and their
parameters are found in the code (`test_every_get_parameter_in_the_code_is_tried`), so a new one
cannot be left out. Runs on SQLite and PostgreSQL (which refuses NUL characters in a query)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.test import Client

from core.roles import Role
from library.engine import FACETS
from tests.factories import make_role_user
from tests.test_authorization_matrix import ANONYMOUS, FULL_MATRIX, ROLES, World, world  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent

# Every page that reads GET parameters (matrix key → the parameters it reads).
GET_PARAMETERS: dict[str, list[str]] = {
    "core:body_list": ["tier", "province", "q", "page"],
    "healthz": ["checks"],
    "account_login": ["next"],
    "accounts:invitation_list": ["status", "q", "page"],
    "members:directory": ["q", "tier", "body", "province", "role", "topic", "branch", "sort", "page"],
    "members:branch_detail": ["page"],
    "members:data_export": ["format"],
    "members:mandate_reviews": ["page"],
    "members:invite_bulk": ["page"],
    "members:export": ["format"],
    "library:search": ["q", "sort", "page", *FACETS],
    "library:share": ["via", "kind"],
    "events:list": ["kind", "topic", "month", "region", "format", "page"],
    "events:archive": ["kind", "topic", "month", "region", "format", "page"],
    "events:manage_list": ["page"],
    "events:export": ["format"],
    "desk:access_log": ["page"],
    "desk:queue": ["status", "kind", "mine", "page"],
    "desk:organisations": ["page"],
    "programme:practices": ["q", "theme", "page"],
    "programme:applications": ["status", "page"],
    "programme:comparison": ["year", "format"],
    "newsletter:news_list": ["page"],
    "newsletter:publications": ["q", "topic", "year", "page"],
    "newsletter:archive": ["page"],
    "newsletter:manage": ["page"],
    "newsletter:preview": ["format"],
    "newsletter:subscribers": ["page"],
    "newsletter:news_manage": ["page"],
    "newsletter:publications_manage": ["page"],
    "networks:network": ["toon", "page"],
    "networks:thread": ["citeer"],
    "networks:search": ["q", "sort", "netwerk", "page"],
}

# Each value as it appears in the query string (already percent-encoded where it must be).
ODD_VALUES = [
    quote("-"),
    quote("((("),
    quote('"""'),
    "%00",
    "%FF%FE",
    quote("\x01\x1b[31m\x7f"),
    quote("zoek%00term"),
    quote("x" * 5000),
    quote("wonen " * 500),
    quote("abc"),
    quote("-1"),
    quote("0"),
    quote("99999999999999999999"),
    quote("1e9"),
    quote("2026-13-45"),
    quote("0000-00"),
    quote("<script>alert(1)</script>"),
    quote("' OR 1=1 --"),
    quote("\u202egnitset"),
    quote("%"),
    "",
]


def _roles_that_open(key: str) -> list[str]:
    """One association member, one staff role and anonymous, of those to whom the page answers 200:
    the roles whose pages differ (members see members-only content, staff their tools)."""
    case = next(c for c in FULL_MATRIX[key] if c.method == "get")
    allowed = [role for role in ROLES if case.expected.get(role) == 200]
    chosen = [r for r in (ANONYMOUS, Role.MEMBER, Role.BRANCH_OFFICIAL) if r in allowed][:2]
    staff = [r for r in allowed if r not in (ANONYMOUS, Role.MEMBER, Role.BRANCH_OFFICIAL, Role.EXPERT)]
    return chosen + staff[:1] or allowed[:1]


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(GET_PARAMETERS))
def test_odd_input_in_every_get_parameter_never_gives_a_500(key: str, world: World) -> None:  # noqa: F811
    case = next(c for c in FULL_MATRIX[key] if c.method == "get")
    roles = _roles_that_open(key)
    assert roles, f"{key}: nobody opens this page"
    failures = []
    for role in roles:
        url = case.url(world, role)
        if url is None:
            continue
        client = Client(raise_request_exception=False)
        if role != ANONYMOUS:
            client.force_login(world.users[role])
        separator = "&" if "?" in url else "?"
        for name in GET_PARAMETERS[key]:
            for value in ODD_VALUES:
                response = client.get(f"{url}{separator}{name}={value}")
                if response.status_code >= 500:
                    failures.append(f"{url}{separator}{name}={value[:40]} as {role}: {response.status_code}")
        # All parameters odd at once, too.
        everything = "&".join(f"{name}=%00%FF(((" for name in GET_PARAMETERS[key])
        response = client.get(f"{url}{separator}{everything}")
        if response.status_code >= 500:
            failures.append(f"{url}{separator}{everything} as {role}: {response.status_code}")
    assert not failures, "\n".join(failures)


# How a view reads a GET parameter: request.GET.get("x"), get.get("x") / params.get("x") on a copy
# of request.GET, or a form bound to request.GET (its fields).
_READS = re.compile(r"""(?:request\.GET|\bget|\bparams)\.get\(\s*["']([\w-]+)["']""")
_GET_FORMS = re.compile(r"(\w+Form)\(request\.GET")


def _form_fields(app: str, form: str) -> list[str]:
    source = (ROOT / app / "forms.py").read_text()
    body = source[source.index(f"class {form}(") :]
    body = body[: (body.find("\nclass ", 1) if "\nclass " in body[1:] else len(body))]
    return re.findall(r"^    (\w+) = forms\.", body, re.MULTILINE)


def test_every_get_parameter_in_the_code_is_tried() -> None:
    found: set[tuple[str, str]] = set()
    for views in ROOT.glob("*/views.py"):
        app = views.parent.name
        source = views.read_text()
        if "request.GET" not in source:
            continue
        found |= {(app, name) for name in _READS.findall(source)}
        for form in _GET_FORMS.findall(source):
            found |= {(app, name) for name in _form_fields(app, form)}
    assert found, "no GET parameter found: the pattern is out of date"
    app_of = {"healthz": "core", "account_login": "accounts"}
    tried = {(app_of.get(key, key.split(":")[0]), name) for key, names in GET_PARAMETERS.items() for name in names}
    # library reads its facets through engine.Filters.from_params(params): by name in FACETS.
    missing = sorted(found - tried)
    assert not missing, f"GET parameters no test feeds odd input: {missing}"


def test_the_pages_tried_are_in_the_matrix() -> None:
    assert set(GET_PARAMETERS) <= set(FULL_MATRIX)
    assert all(_roles_that_open(key) for key in GET_PARAMETERS)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["-", "(((", '"""', "\ufffd\ufffd", "%"])
def test_a_library_query_without_words_gets_a_clear_answer(client, settings, query: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/bibliotheek/", {"q": query})
    assert response.status_code == 200
    assert "Zoek op minstens één woord." in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/bibliotheek/", {"q": query})
    assert "Search for at least one word." in english.content.decode()


@pytest.mark.django_db
def test_control_characters_are_left_out_and_the_page_says_so(client, settings) -> None:  # type: ignore[no-untyped-def]
    client.force_login(make_role_user(Role.MEMBER))
    response = client.get("/bestuursorganen/?q=Zwo%00lle%1b&province=%7f")
    assert response.status_code == 200
    assert response.wsgi_request.GET["q"] == "Zwolle" and response.wsgi_request.GET["province"] == ""
    assert "Je zoekopdracht bevatte onzichtbare stuurtekens; die zijn weggelaten." in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/bestuursorganen/?q=%00").content.decode()
    assert "Your search contained invisible control characters; they were left out." in english
    # An ordinary query gets no such notice.
    assert "control characters" not in client.get("/bestuursorganen/?q=Zwolle").content.decode()


@pytest.mark.django_db
def test_the_api_still_refuses_control_characters_as_its_schema_says(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/documents?q=wonen%00")
    assert response.status_code == 422 and response.json()  # the validation error, as the schema documents
