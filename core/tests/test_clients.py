from django.test import RequestFactory

from core.clients import client_address, over_limit


def request(remote: str = "10.0.0.9", forwarded: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


def test_without_proxies_the_header_is_ignored(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request(forwarded="1.2.3.4")) == "10.0.0.9"


def test_behind_proxies_the_address_the_outermost_saw_and_never_one_the_client_chose(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request(forwarded="6.6.6.6, 203.0.113.7")) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request(forwarded="6.6.6.6, 203.0.113.7, 10.0.0.2")) == "203.0.113.7"
    # Fewer entries than proxies: the request did not come through all of them.
    assert client_address(request(forwarded="6.6.6.6")) == "10.0.0.9"


def test_the_limit_counts_per_client_and_scope(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    first = request(forwarded="203.0.113.7")
    assert [over_limit(first, "form", per_hour=2) for _ in range(3)] == [False, False, True]
    assert not over_limit(request(forwarded="203.0.113.8"), "form", per_hour=2)  # another client
    assert not over_limit(first, "other form", per_hour=2)  # another scope
