"""HTTP done right: validators and 304s, cache headers, compression, security headers."""

from __future__ import annotations

import gzip

import brotli
import pytest
from django.test import Client, override_settings
from site_rows import Seed

from newsdesk.site import compression

pytestmark = pytest.mark.django_db

PAGES = ["/", "/category/news/", "/source/algemeiner/", "/story/7/", "/search?q=envoy"]
FEEDS = [
    "/feed/rss.xml",
    "/feed/atom.xml",
    "/feed/feed.json",
    "/category/news/feed.json",
    "/source/algemeiner/rss.xml",
    "/sitemap.xml",
    "/sitemap-news.xml",
    "/opml.xml",
    "/robots.txt",
    "/api/articles",
]


@pytest.mark.parametrize("path", PAGES + FEEDS)
def test_etag_and_304(client: Client, seed: Seed, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag = first["ETag"]
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    changed = client.get(path, HTTP_IF_NONE_MATCH='"something-else"')
    assert changed.status_code == 200


def test_article_page_304(client: Client, seed: Seed) -> None:
    a = seed.articles[0]
    path = f"/article/{a.pk}/{a.slug}/"
    etag = client.get(path)["ETag"]
    assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # an edit changes the page, so the old validator no longer matches
    a.title = "A corrected title"
    a.save()
    assert client.get(f"/article/{a.pk}/{a.slug}/", HTTP_IF_NONE_MATCH=etag).status_code == 200


@pytest.mark.parametrize("path", ["/feed/rss.xml", "/feed/atom.xml", "/feed/feed.json"])
def test_feeds_carry_last_modified(client: Client, seed: Seed, path: str) -> None:
    response = client.get(path)
    assert response["Last-Modified"] == "Sat, 14 Jun 2025 08:00:00 GMT"
    later = client.get(path, HTTP_IF_MODIFIED_SINCE="Sat, 14 Jun 2025 09:00:00 GMT")
    assert later.status_code == 304
    earlier = client.get(path, HTTP_IF_MODIFIED_SINCE="Sat, 14 Jun 2025 07:00:00 GMT")
    assert earlier.status_code == 200


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_pages_are_publicly_cacheable_for_a_minute(
    client: Client, seed: Seed, path: str
) -> None:
    response = client.get(path)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "max-age=60"} <= directives
    assert "Cookie" in response["Vary"]


def test_feeds_cache_longer_and_metrics_not_at_all(client: Client, seed: Seed) -> None:
    assert "max-age=300" in client.get("/feed/rss.xml")["Cache-Control"]
    assert "public" not in client.get("/metrics")["Cache-Control"]


def test_a_logged_in_editor_gets_private_pages(client: Client, seed: Seed) -> None:
    client.cookies["sessionid"] = "whatever"
    response = client.get("/")
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_missing_pages_are_not_cached_publicly(client: Client, seed: Seed) -> None:
    response = client.get("/category/nope/")
    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


def test_gzip_for_clients_that_ask(client: Client, seed: Seed) -> None:
    plain = client.get("/")
    zipped = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content


@override_settings(
    MIDDLEWARE=[
        "django.middleware.gzip.GZipMiddleware",
        "newsdesk.site.compression.BrotliMiddleware",
        "django.middleware.http.ConditionalGetMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]
)
def test_brotli_before_gzip(client: Client, seed: Seed) -> None:
    plain = client.get("/")
    squeezed = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert squeezed["Content-Encoding"] == "br"
    assert brotli.decompress(squeezed.content) == plain.content
    assert squeezed["ETag"].startswith("W/")
    assert "Accept-Encoding" in squeezed["Vary"]
    assert client.get("/", HTTP_ACCEPT_ENCODING="gzip")["Content-Encoding"] == "gzip"
    assert client.get("/", HTTP_ACCEPT_ENCODING="br;q=0, gzip")["Content-Encoding"] == "gzip"


@pytest.mark.parametrize(
    ("header", "expected"),
    [("br", True), ("gzip, br", True), ("br;q=0.5", True), ("br;q=0", False), ("gzip", False)],
)
def test_accept_encoding_parsing(header: str, expected: bool) -> None:
    assert compression.accepts_brotli(header) is expected


@pytest.mark.parametrize("path", ["/", "/api/articles", "/feed/rss.xml", "/search?q=x"])
def test_security_headers(client: Client, seed: Seed, path: str) -> None:
    response = client.get(path)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("path", ["/", "/category/news/", "/search?q=envoy", "/feed/rss.xml"])
def test_the_etag_is_the_sha1_of_the_identity_bytes(client: Client, seed: Seed, path: str) -> None:
    import hashlib

    response = client.get(path)
    assert response["ETag"] == f'"{hashlib.sha1(response.content).hexdigest()}"'


def test_no_etag_where_the_page_may_not_be_stored() -> None:
    from django.http import HttpResponse
    from django.test import RequestFactory

    from newsdesk.site.etags import ContentETagMiddleware

    request = RequestFactory().get("/")
    kept = ContentETagMiddleware(lambda r: HttpResponse(b"x")).process_response(
        request, HttpResponse(b"page")
    )
    assert kept.has_header("ETag")
    private = HttpResponse(b"page", headers={"Cache-Control": "private, no-store"})
    assert (
        not ContentETagMiddleware(lambda r: private)
        .process_response(request, private)
        .has_header("ETag")
    )
    empty = HttpResponse(b"")
    assert (
        not ContentETagMiddleware(lambda r: empty)
        .process_response(request, empty)
        .has_header("ETag")
    )
