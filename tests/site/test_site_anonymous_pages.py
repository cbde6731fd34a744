"""The lean path for anonymous pages answers exactly what Django's full stack answers.

Both paths get the same WSGI environ; the lean one must not reach Django's middleware chain
for the pages it serves, and must hand everything else to it.
"""

from __future__ import annotations

import gzip
import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import brotli
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponseBase
from django.test import override_settings
from site_rows import Seed

from newsdesk.site import anonymous_pages, articles
from newsdesk.store.models import Article, Place

pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Paths:
    lean: anonymous_pages.LeanPages
    django: WSGIHandler
    chain_calls: list[str]


@pytest.fixture
def paths() -> Paths:
    handler = WSGIHandler()
    calls: list[str] = []
    chain = handler._middleware_chain
    assert chain is not None

    def recording_chain(request: HttpRequest) -> HttpResponseBase:
        calls.append(request.path)
        return chain(request)

    handler._middleware_chain = recording_chain
    return Paths(anonymous_pages.LeanPages(handler), handler, calls)


def environ(path: str, method: str = "GET", **extra: str) -> dict[str, Any]:
    path_info, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        **extra,
    }


def call(app: Callable[..., Any], path: str, method: str = "GET", **extra: str) -> Answer:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> None:
        seen["status"], seen["headers"] = status, headers

    result = app(environ(path, method, **extra), start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Answer(seen["status"], list(seen["headers"]), body)


def both(paths: Paths, path: str, **extra: str) -> tuple[Answer, Answer]:
    """(lean, django) answers to the same request; the lean one must not reach Django."""
    before = len(paths.chain_calls)
    lean = call(paths.lean, path, **extra)
    assert paths.chain_calls[before:] == [], f"{path} went to Django"
    django = call(paths.django, path, **extra)
    assert len(paths.chain_calls) == before + 1
    return lean, django


def article_path(article: Article) -> str:
    return f"/article/{article.pk}/{article.slug}/"


def page_paths(seed: Seed) -> list[str]:
    first = seed.articles[0]
    Article.objects.filter(pk=first.pk).update(author_slug="staff-writer")
    first.place_tags.add(Place.objects.create(name="Homs", slug="homs"))
    older = "2025-06-14T08:30:00.000000Z%2C999"
    return [
        article_path(first),  # with a story ("Also covered by"), places, two categories
        article_path(seed.articles[2]),
        f"/?before={older}",
        "/category/news/",
        f"/category/middle-east/?before={older}",
        "/source/algemeiner/",
        "/story/7/",
        "/place/homs/",
        "/author/staff-writer/",
        "/search?q=envoy",
        "/search?q=story&source=algemeiner&category=news&page=1",
        "/search?q=nothing-matches-this",
        "/search",
    ]


def test_the_pages_are_byte_for_byte_the_same(paths: Paths, seed: Seed) -> None:
    for path in page_paths(seed):
        lean, django = both(paths, path)
        assert lean.status == django.status == "200 OK", path
        assert lean.body == django.body, path
        assert lean.headers == django.headers, path


def test_the_headers_a_reader_gets(paths: Paths, seed: Seed) -> None:
    lean, _ = both(paths, article_path(seed.articles[0]))
    headers = dict(lean.headers)
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Content-Length"] == str(len(lean.body))
    assert headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=30"
    assert headers["Vary"] == "Cookie, Accept-Encoding"
    assert headers["ETag"].startswith('"')
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Set-Cookie" not in headers


def test_not_modified(paths: Paths, seed: Seed) -> None:
    for path in (article_path(seed.articles[0]), "/category/news/", "/search?q=envoy"):
        etag = dict(call(paths.lean, path).headers)["ETag"]
        lean, django = both(paths, path, HTTP_IF_NONE_MATCH=etag)
        assert lean.status == django.status == "304 Not Modified"
        assert lean.body == django.body == b""
        assert lean.headers == django.headers
        changed, _ = both(paths, path, HTTP_IF_NONE_MATCH='"another"')
        assert changed.status == "200 OK"


def test_gzip_when_asked(paths: Paths, seed: Seed) -> None:
    path = article_path(seed.articles[0])
    plain, _ = both(paths, path)
    lean, django = both(paths, path, HTTP_ACCEPT_ENCODING="gzip, deflate")
    # gzip output carries random bytes (Django's BREACH mitigation): compare what it holds
    assert gzip.decompress(lean.body) == gzip.decompress(django.body) == plain.body
    lean_headers, django_headers = dict(lean.headers), dict(django.headers)
    assert lean_headers["Content-Encoding"] == "gzip"
    assert lean_headers["Content-Length"] == str(len(lean.body))
    assert lean_headers["ETag"] == "W/" + dict(plain.headers)["ETag"]
    del lean_headers["Content-Length"], django_headers["Content-Length"]
    assert lean_headers == django_headers
    assert [k for k, _ in lean.headers] == [k for k, _ in django.headers]
    not_modified, _ = both(
        paths, path, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=lean_headers["ETag"]
    )
    assert not_modified.status == "304 Not Modified"


def test_brotli_when_asked(paths: Paths, seed: Seed) -> None:
    path = "/category/news/"
    plain, _ = both(paths, path)
    lean, django = both(paths, path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert lean.body == django.body
    assert brotli.decompress(lean.body) == plain.body
    assert lean.headers == django.headers
    assert dict(lean.headers)["Content-Encoding"] == "br"


@override_settings(SECURE_HSTS_SECONDS=3600)
def test_https_gets_strict_transport_security(seed: Seed) -> None:
    handler = WSGIHandler()
    lean = anonymous_pages.LeanPages(handler)
    path = article_path(seed.articles[0])
    lean_answer = call(lean, path, **{"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
    django_answer = call(handler, path, **{"wsgi.url_scheme": "https", "SERVER_PORT": "443"})
    assert dict(lean_answer.headers)["Strict-Transport-Security"] == "max-age=3600"
    assert lean_answer.headers == django_answer.headers


@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/article/{id}/{slug}/", {"HTTP_COOKIE": "sessionid=an-editor"}),
        ("/article/{id}/{slug}/", {"HTTP_COOKIE": "csrftoken=abc; theme=dark"}),
        ("/article/{id}/{slug}/", {"REQUEST_METHOD": "HEAD"}),
        ("/article/{id}/{slug}/", {"REQUEST_METHOD": "POST"}),
        ("/article/{id}/wrong-slug/", {}),  # a redirect
        ("/article/{id}/", {}),
        ("/article/999999/nothing/", {}),  # 404
        ("/category/nope/", {}),
        ("/?before=not-a-cursor", {}),  # 400
        ("/", {}),  # the front page is the front cache's
        ("/feed/rss.xml", {}),
        ("/admin/login/", {}),
        ("/static/site/site.css", {}),
        ("/no/such/path", {}),
    ],
)
def test_everything_else_goes_to_django(
    paths: Paths, seed: Seed, path: str, extra: dict[str, str]
) -> None:
    first = seed.articles[0]
    path = path.format(id=first.pk, slug=first.slug)
    extra = dict(extra)
    method = extra.pop("REQUEST_METHOD", "GET")
    lean = call(paths.lean, path, method, **extra)
    assert paths.chain_calls, f"{method} {path} did not reach Django"
    assert lean.status == call(paths.django, path, method, **extra).status


def test_a_cookie_that_is_not_ours_still_gets_the_lean_path(paths: Paths, seed: Seed) -> None:
    lean, django = both(paths, "/category/news/", HTTP_COOKIE="theme=dark")
    assert lean.body == django.body
    assert lean.headers == django.headers


def test_a_view_that_fails_is_answered_by_django(
    paths: Paths, seed: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = articles.json_ld
    failures = iter([True])

    def fails_once(*args: Any) -> str:
        if next(failures, False):
            raise RuntimeError("only the first call fails")
        return real(*args)

    monkeypatch.setattr(articles, "json_ld", fails_once)
    path = article_path(seed.articles[0])
    answer = call(paths.lean, path)
    assert paths.chain_calls == [path]  # the lean attempt failed; Django rendered the page
    assert answer.status == "200 OK"
    assert answer.body == call(paths.django, path).body


def test_a_middleware_of_another_kind_turns_the_lean_path_off(seed: Seed) -> None:
    from django.conf import settings

    extra = "tests_site_middleware.PassThrough"
    module = type(sys)("tests_site_middleware")

    class PassThrough:
        def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
            self.get_response = get_response

        def __call__(self, request: HttpRequest) -> HttpResponseBase:
            response = self.get_response(request)
            response["X-Passed"] = "yes"
            return response

    module.PassThrough = PassThrough  # type: ignore[attr-defined]
    sys.modules["tests_site_middleware"] = module
    try:
        with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, extra]):
            lean = anonymous_pages.LeanPages(WSGIHandler())
            assert not lean.enabled
            answer = call(lean, "/category/news/")
            assert dict(answer.headers)["X-Passed"] == "yes"
    finally:
        del sys.modules["tests_site_middleware"]


def test_every_middleware_is_either_inert_or_applied() -> None:
    # A new middleware must be looked at: inert for these requests (say why), or hooks only.
    from django.conf import settings

    hooks = anonymous_pages.hook_middleware()
    assert hooks is not None
    applied = {f"{type(m).__module__}.{type(m).__qualname__}" for m in hooks}
    assert applied | set(anonymous_pages.INERT) == set(settings.MIDDLEWARE)


@pytest.fixture(autouse=True)
def _no_kept_front_page() -> Iterator[None]:
    from newsdesk.site import caching

    caching._WHOLE.clear()
    yield
    caching._WHOLE.clear()
