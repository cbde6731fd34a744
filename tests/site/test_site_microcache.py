"""The micro page cache: what it keeps, for whom, and when it lets go."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from site_rows import BASE_TIME, Seed, make_article

from newsdesk.site import caching
from newsdesk.store.models import Article

pytestmark = pytest.mark.django_db

WITH_MIDDLEWARE = [
    "newsdesk.site.caching.MicroCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsdesk.site.security.ContentSecurityPolicyMiddleware",
]


def test_front_page_is_kept_until_a_save(client: Client, seed: Seed) -> None:
    first = client.get("/").content
    # a change no signal reports (queryset.update) waits for the entry to expire...
    Article.objects.filter(pk=seed.articles[0].pk).update(title="Quietly retitled")
    assert client.get("/").content == first
    # ...a save drops it at once
    make_article(seed.source, 500, title="Breaking: a new article", when=BASE_TIME)
    assert b"Breaking: a new article" in client.get("/").content
    assert b"Quietly retitled" in client.get("/").content


def test_entries_expire(client: Client, seed: Seed, monkeypatch: pytest.MonkeyPatch) -> None:
    client.get("/")
    Article.objects.filter(pk=seed.articles[0].pk).update(title="Quietly retitled")
    real = caching.time.monotonic
    monkeypatch.setattr(caching.time, "monotonic", lambda: real() + caching.MICRO_SECONDS + 1)
    assert b"Quietly retitled" in client.get("/").content


def test_editors_and_deeper_pages_are_never_cached(client: Client, seed: Seed) -> None:
    client.get("/")
    Article.objects.filter(pk=seed.articles[0].pk).update(title="Quietly retitled")
    client.cookies["sessionid"] = "an-editor"
    assert b"Quietly retitled" in client.get("/").content
    del client.cookies["sessionid"]
    cursor = client.get("/?before=2026-01-01T00:00:00.000000Z,999999")
    assert b"Quietly retitled" in cursor.content


@override_settings(MIDDLEWARE=WITH_MIDDLEWARE)
def test_middleware_replays_the_whole_response(client: Client, seed: Seed) -> None:
    first = client.get("/")
    Article.objects.filter(pk=seed.articles[0].pk).update(title="Quietly retitled")
    second = client.get("/")
    assert second.content == first.content
    for header in ("ETag", "Cache-Control", "Content-Security-Policy", "Content-Type", "Vary"):
        assert second[header] == first[header], header
    not_modified = client.get("/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    assert not_modified["ETag"] == first["ETag"]
    # each Accept-Encoding keeps its own copy
    zipped = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/")
    make_article(seed.source, 501, title="Breaking: a new article", when=BASE_TIME)
    assert b"Breaking: a new article" in client.get("/").content


@override_settings(MIDDLEWARE=WITH_MIDDLEWARE)
def test_middleware_keeps_only_what_views_mark(client: Client, seed: Seed) -> None:
    a = seed.articles[0]
    path = f"/article/{a.pk}/{a.slug}/"
    client.get(path)
    Article.objects.filter(pk=a.pk).update(summary="A fresh summary for the page")
    assert b"A fresh summary for the page" in client.get(path).content


@override_settings(MIDDLEWARE=WITH_MIDDLEWARE)
def test_wsgi_wrapper_serves_kept_pages_before_django(client: Client, seed: Seed) -> None:
    first = client.get("/")
    reached_django: list[str] = []

    def django_app(environ: dict[str, object], start_response: Any) -> list[bytes]:
        reached_django.append(str(environ["PATH_INFO"]))
        start_response("200 OK", [])
        return [b"from django"]

    app = caching.wsgi_front_cache(django_app)

    def get(**extra: str) -> tuple[str, dict[str, str], bytes]:
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "", **extra}
        seen: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]]) -> None:
            seen["status"], seen["headers"] = status, dict(headers)

        body = b"".join(app(environ, start))
        return seen["status"], seen["headers"], body

    status, headers, body = get()
    assert (status, body, reached_django) == ("200 OK", first.content, [])
    assert headers["ETag"] == first["ETag"]
    assert headers["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert get(HTTP_IF_NONE_MATCH=first["ETag"])[0] == "304 Not Modified"
    # an editor, another method, another page or encoding: all Django's
    assert get(HTTP_COOKIE="csrftoken=a; sessionid=an-editor")[2] == b"from django"
    assert get(REQUEST_METHOD="POST")[2] == b"from django"
    assert get(QUERY_STRING="before=2026-01-01T00:00:00.000000Z,9")[2] == b"from django"
    assert get(HTTP_ACCEPT_ENCODING="gzip")[2] == b"from django"
    # a save in this process makes the kept page stale at once
    make_article(seed.source, 502, title="Breaking: a new article", when=BASE_TIME)
    assert get()[2] == b"from django"


@override_settings(MIDDLEWARE=WITH_MIDDLEWARE)
def test_wsgi_wrapper_renders_an_expired_page_once(
    client: Client, seed: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get("/")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": ""}
    during_refresh: list[bytes] = []

    def django_app(env: dict[str, object], start_response: Any) -> list[bytes]:
        # a second reader arriving while this request re-renders the page
        during_refresh.append(b"".join(app(dict(environ), lambda *a: None)))
        start_response("200 OK", [])
        return [b"rendered again"]

    app = caching.wsgi_front_cache(django_app)
    real = caching.time.monotonic
    monkeypatch.setattr(caching.time, "monotonic", lambda: real() + caching.MICRO_SECONDS + 1)
    assert b"".join(app(dict(environ), lambda *a: None)) == b"rendered again"
    assert during_refresh == [first.content]  # the old copy, not a second render
