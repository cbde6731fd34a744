"""Fetcher through httpx.MockTransport: no sockets, no sleeps."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import brotli
import httpx
import pytest

from newsdesk.config import Settings
from newsdesk.engine.fetch import Fetcher, check_url
from newsdesk.errors import (
    BlockedAddressError,
    BodyTooLargeError,
    FetchError,
    FetchTimeoutError,
    HTTPStatusError,
    InputError,
    TooManyRedirectsError,
)
from newsdesk.types import Fetched, FetchRequest

PUBLIC = "93.184.216.34"
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'

Handler = (
    Callable[[httpx.Request], httpx.Response]
    | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
)


def public_dns(host: str, port: int) -> Sequence[str]:
    return [PUBLIC]


def settings(tmp_path: Path, **changes: Any) -> Settings:
    return Settings(home=tmp_path, database_url="sqlite:///x", **changes)


def streamed(body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    """A 200 whose body httpx has not read yet, as from a real connection."""
    return httpx.Response(200, headers=headers, stream=httpx.ByteStream(body))


def fetch(
    tmp_path: Path,
    handler: Handler,
    url: str = "http://feeds.example/feed.xml",
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    **changes: Any,
) -> Fetched:
    async def run() -> Fetched:
        transport = httpx.MockTransport(handler)
        async with Fetcher(
            settings(tmp_path, **changes), transport=transport, resolve=public_dns
        ) as fetcher:
            return await fetcher.fetch(FetchRequest(url, etag=etag, last_modified=last_modified))

    return asyncio.run(run())


# --- conditional GET, headers ---------------------------------------------------------------


def test_sends_validators_and_maps_304(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"v1"':
            return httpx.Response(304, headers={"ETag": '"v1"'})
        return streamed(FEED)

    got = fetch(tmp_path, handler, etag='"v1"', last_modified="Tue, 01 Jul 2025 10:00:00 GMT")
    assert got.status == 304
    assert got.not_modified
    assert got.content == b""
    assert seen[0].headers["if-modified-since"] == "Tue, 01 Jul 2025 10:00:00 GMT"


def test_no_validators_without_stored_ones(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return streamed(FEED)

    got = fetch(tmp_path, handler)
    assert got.status == 200 and got.content == FEED
    assert "if-none-match" not in seen[0].headers
    assert "if-modified-since" not in seen[0].headers


def test_user_agent_and_accept_encoding(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return streamed(FEED)

    fetch(tmp_path, handler, user_agent="newsdesk-test/9")
    assert seen[0].headers["user-agent"] == "newsdesk-test/9"
    encodings = {e.strip() for e in seen[0].headers["accept-encoding"].split(",")}
    assert encodings == {"gzip", "deflate", "br"}


def test_headers_are_a_plain_lower_cased_dict(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return streamed(
            FEED,
            {
                "ETag": '"abc"',
                "Last-Modified": "Wed, 02 Jul 2025 08:00:00 GMT",
                "Content-Type": "application/rss+xml; charset=utf-8",
            },
        )

    got = fetch(tmp_path, handler)
    assert type(got.headers) is dict
    assert all(name == name.lower() for name in got.headers)
    assert got.etag == '"abc"'
    assert got.last_modified == "Wed, 02 Jul 2025 08:00:00 GMT"
    assert got.content_type.startswith("application/rss+xml")


# --- content encodings and the body cap -----------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("br", brotli.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-15)),  # raw deflate, seen in the wild
        ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
    ],
)
def test_decodes_content_encodings(
    tmp_path: Path, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    body = FEED * 50

    def handler(request: httpx.Request) -> httpx.Response:
        return streamed(encode(body), {"Content-Encoding": encoding})

    assert fetch(tmp_path, handler).content == body


def test_body_cap_on_plain_body(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return streamed(b"x" * 5000)

    with pytest.raises(BodyTooLargeError, match=r"^fetch: body of .* larger than 4096 bytes"):
        fetch(tmp_path, handler, max_body_bytes=4096)
    assert len(fetch(tmp_path, handler, max_body_bytes=5000).content) == 5000


def test_body_cap_applies_to_in_memory_responses(tmp_path: Path) -> None:
    # httpx reads a Response(content=...) eagerly; the cap must still hold for such transports.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 5000)

    with pytest.raises(BodyTooLargeError):
        fetch(tmp_path, handler, max_body_bytes=4096)


class CountingStream(httpx.AsyncByteStream):
    """Yields wire chunks and counts how many the client pulled."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk


def _bomb(encoding: str, inflated: int) -> list[bytes]:
    """`inflated` zero bytes compressed, cut into 1 KB wire chunks."""
    if encoding == "br":
        data = brotli.compress(b"\0" * inflated, quality=5)
    else:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        block = b"\0" * (1 << 20)
        data = b"".join(compressor.compress(block) for _ in range(inflated >> 20))
        data += compressor.flush()
    return [data[i : i + 1024] for i in range(0, len(data), 1024)]


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_compression_bomb_stops_at_the_cap_while_streaming(tmp_path: Path, encoding: str) -> None:
    stream = CountingStream(_bomb(encoding, 64 << 20))

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": encoding}, stream=stream)

    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLargeError):
            fetch(tmp_path, handler, max_body_bytes=1 << 20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Decoding stopped near the 1 MB cap: the 64 MB were never inflated, nor held at once.
    assert peak < 8 << 20
    if len(stream.chunks) > 4:
        assert stream.pulled < len(stream.chunks) / 2


def test_declared_length_over_the_cap_is_refused_before_reading(tmp_path: Path) -> None:
    stream = CountingStream([b"x" * 100])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": "999999"}, stream=stream)

    with pytest.raises(BodyTooLargeError, match="999999 declared"):
        fetch(tmp_path, handler, max_body_bytes=1000)
    assert stream.pulled == 0


def test_corrupt_gzip_is_a_fetch_error(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return streamed(b"\x1f\x8b\x08\x00garbage-not-deflate", {"Content-Encoding": "gzip"})

    with pytest.raises(FetchError, match=r"^fetch: cannot decode the body"):
        fetch(tmp_path, handler)


def test_unsupported_encoding_is_a_fetch_error(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return streamed(b"...", {"Content-Encoding": "zstd"})

    with pytest.raises(FetchError, match="unsupported Content-Encoding 'zstd'"):
        fetch(tmp_path, handler)


# --- redirects --------------------------------------------------------------------------------


def chain(statuses: list[int], seen: list[str] | None = None) -> Handler:
    """/feed.xml redirects through len(statuses) hops (/hop/1, /hop/2, ...) to the feed."""

    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(str(request.url))
        path = request.url.path
        index = 0 if path == "/feed.xml" else int(path.rsplit("/", 1)[1])
        if index < len(statuses):
            return httpx.Response(statuses[index], headers={"Location": f"/hop/{index + 1}"})
        return streamed(FEED)

    return handler


def test_follows_redirects_up_to_the_limit(tmp_path: Path) -> None:
    seen: list[str] = []
    got = fetch(tmp_path, chain([302, 307, 303], seen), max_redirects=3)
    assert got.url == "http://feeds.example/hop/3"
    assert got.content == FEED
    assert len(seen) == 4


def test_one_redirect_too_many(tmp_path: Path) -> None:
    seen: list[str] = []
    with pytest.raises(TooManyRedirectsError, match=r"^fetch: more than 3 redirects"):
        fetch(tmp_path, chain([302] * 4, seen), max_redirects=3)
    assert len(seen) == 4  # the original request and three hops; the fourth was not followed


def test_redirect_loop_ends(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        other = "/b" if request.url.path == "/a" else "/a"
        return httpx.Response(301, headers={"Location": other})

    with pytest.raises(TooManyRedirectsError):
        fetch(tmp_path, handler, "http://feeds.example/a")


@pytest.mark.parametrize(
    ("statuses", "permanent"),
    [
        ([301], True),
        ([301, 308], True),
        ([301, 302], False),
        ([307, 301], False),
        ([], False),
    ],
)
def test_permanent_url_only_when_every_hop_was_permanent(
    tmp_path: Path, statuses: list[int], permanent: bool
) -> None:
    got = fetch(tmp_path, chain(statuses))
    assert got.permanent_url == (got.url if permanent else None)
    if permanent:
        assert got.permanent_url == f"http://feeds.example/hop/{len(statuses)}"


def test_redirect_without_location_is_an_error(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302)

    with pytest.raises(FetchError, match="without a Location"):
        fetch(tmp_path, handler)


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:22/",
        "http://2130706433/",
        "http://localhost:6379/",
        "file:///etc/passwd",
    ],
)
def test_redirect_to_an_internal_address_is_refused(tmp_path: Path, target: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": target})

    with pytest.raises((BlockedAddressError, InputError)):
        fetch(tmp_path, handler)
    assert seen == ["http://feeds.example/feed.xml"]


def test_corpus_redirect_row_public_url_redirecting_to_loopback(tmp_path: Path) -> None:
    """ssrf-urls.tsv: http://public.example/redirect-to-127 is refused at the redirect hop."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "public.example":
            return httpx.Response(302, headers={"Location": "http://127.0.0.1/"})
        raise AssertionError(f"the guard let {request.url} through")

    with pytest.raises(BlockedAddressError, match=r"loopback address 127\.0\.0\.1"):
        fetch(tmp_path, handler, "http://public.example/redirect-to-127")


def test_allow_private_lets_loopback_through_but_not_metadata(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/to-metadata":
            return httpx.Response(302, headers={"Location": "http://169.254.169.254/"})
        return streamed(FEED)

    got = fetch(tmp_path, handler, "http://127.0.0.1:8900/feed", allow_private_networks=True)
    assert got.content == FEED
    with pytest.raises(BlockedAddressError):
        fetch(tmp_path, handler, "http://127.0.0.1/to-metadata", allow_private_networks=True)
    with pytest.raises(BlockedAddressError):
        fetch(tmp_path, handler, "http://127.0.0.1:8900/feed")


def test_non_http_url_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^fetch: not an http\(s\) URL"):
        fetch(tmp_path, chain([]), "ftp://feeds.example/feed.xml")


# --- HTTP errors, timeouts, network errors ---------------------------------------------------


def test_http_error_with_retry_after_seconds(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "120"})

    with pytest.raises(HTTPStatusError, match=r"^fetch: HTTP 503 Service Unavailable") as info:
        fetch(tmp_path, handler)
    assert info.value.status == 503
    assert info.value.retry_after == 120.0
    assert info.value.url == "http://feeds.example/feed.xml"


def test_http_error_with_retry_after_date(tmp_path: Path) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(hours=2), usegmt=True)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": when})

    with pytest.raises(HTTPStatusError) as info:
        fetch(tmp_path, handler)
    assert info.value.status == 429
    assert info.value.retry_after is not None
    assert 3600 < info.value.retry_after <= 7200


def test_http_error_without_retry_after(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    with pytest.raises(HTTPStatusError) as info:
        fetch(tmp_path, handler)
    assert (info.value.status, info.value.retry_after) == (404, None)


@pytest.mark.parametrize(
    ("raised", "error", "message"),
    [
        (httpx.ConnectTimeout("slow"), FetchTimeoutError, "^fetch: connecting timed out"),
        (httpx.ReadTimeout("slow"), FetchTimeoutError, "^fetch: reading timed out"),
        (httpx.ConnectError("refused"), FetchError, "^fetch: cannot connect for .*refused"),
        (httpx.RemoteProtocolError("bad"), FetchError, "^fetch: broken HTTP answer"),
        (httpx.ReadError("reset"), FetchError, "^fetch: connection lost"),
    ],
)
def test_network_errors_become_fetch_errors(
    tmp_path: Path, raised: Exception, error: type[Exception], message: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise raised

    with pytest.raises(error, match=message) as info:
        fetch(tmp_path, handler)
    assert "\n" not in str(info.value)
    assert isinstance(info.value.__cause__, httpx.HTTPError)


class StalledStream(httpx.AsyncByteStream):
    """Sends a first byte, then never another: a server dripping slower than any deadline."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"<"
        await asyncio.Event().wait()


def test_total_deadline_ends_a_stalled_body(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=StalledStream())

    with pytest.raises(FetchTimeoutError, match=r"^fetch: no complete answer within 0\.05s"):
        fetch(tmp_path, handler, total_timeout=0.05)


# --- per-host concurrency ---------------------------------------------------------------------


def test_per_host_limit_caps_requests_in_flight(tmp_path: Path) -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def run() -> list[Fetched]:
        release = asyncio.Event()
        full = asyncio.Event()

        async def handler(request: httpx.Request) -> httpx.Response:
            host = request.url.host
            in_flight[host] = in_flight.get(host, 0) + 1
            peak[host] = max(peak.get(host, 0), in_flight[host])
            if all(in_flight.get(name, 0) >= 2 for name in ("a.example", "b.example")):
                full.set()
            await release.wait()
            in_flight[host] -= 1
            return streamed(FEED)

        config = settings(tmp_path, per_host_concurrency=2)
        transport = httpx.MockTransport(handler)
        async with Fetcher(config, transport=transport, resolve=public_dns) as fetcher:
            urls = [f"http://{host}.example/{n}" for host in ("a", "b") for n in range(5)]
            tasks = [asyncio.create_task(fetcher.fetch(FetchRequest(url))) for url in urls]
            # The guard check runs in a worker thread, so wait for the slots to fill up...
            await asyncio.wait_for(full.wait(), timeout=30)
            for _ in range(100):  # ...then give every other task the chance to get in too
                await asyncio.sleep(0)
            assert in_flight == {"a.example": 2, "b.example": 2}
            release.set()
            return await asyncio.gather(*tasks)

    results = asyncio.run(run())
    assert [r.status for r in results] == [200] * 10
    assert peak == {"a.example": 2, "b.example": 2}


# --- get_page ---------------------------------------------------------------------------------


def test_get_page_sends_no_validators_and_keeps_the_guard(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/evil":
            return httpx.Response(301, headers={"Location": "http://10.0.0.5/admin"})
        return streamed(b"<html></html>", {"Content-Type": "text/html"})

    async def run(path: str) -> Fetched:
        transport = httpx.MockTransport(handler)
        async with Fetcher(settings(tmp_path), transport=transport, resolve=public_dns) as f:
            return await f.get_page(f"https://news.example{path}")

    page = asyncio.run(run("/story"))
    assert page.content == b"<html></html>"
    assert "text/html" in seen[0].headers["accept"]
    assert "if-none-match" not in seen[0].headers
    with pytest.raises(BlockedAddressError):
        asyncio.run(run("/evil"))


# --- the connect-time check (no transport: the real httpx transport, no network used) -------


def test_connection_dials_only_checked_addresses(tmp_path: Path) -> None:
    asked: list[tuple[str, int]] = []

    def loopback_dns(host: str, port: int) -> Sequence[str]:
        asked.append((host, port))
        return ["127.0.0.1"]

    async def run() -> Fetched:
        async with Fetcher(settings(tmp_path), resolve=loopback_dns) as fetcher:
            return await fetcher.fetch(FetchRequest("http://sneaky.example:8123/feed"))

    with pytest.raises(BlockedAddressError, match=r"loopback address 127\.0\.0\.1") as info:
        asyncio.run(run())
    assert asked == [("sneaky.example", 8123)]
    assert info.value.url == "http://sneaky.example:8123/feed"


def test_corpus_rebinding_row_is_stopped_at_connect(tmp_path: Path) -> None:
    """ssrf-urls.tsv: http://rebind.example/ answers public first, then 127.0.0.1."""
    answers = iter([[PUBLIC], ["127.0.0.1"]])

    def rebinding_dns(host: str, port: int) -> Sequence[str]:
        return next(answers)

    check_url("http://rebind.example/", allow_private=False, resolve=rebinding_dns)

    async def run() -> Fetched:
        async with Fetcher(settings(tmp_path), resolve=rebinding_dns) as fetcher:
            return await fetcher.fetch(FetchRequest("http://rebind.example/"))

    with pytest.raises(BlockedAddressError):
        asyncio.run(run())


def test_mounted_origin_is_served_without_dns_and_the_rest_stays_guarded(tmp_path: Path) -> None:
    def demo(request: httpx.Request) -> httpx.Response:
        return streamed(FEED)

    mounts = {"https://demo.newsdesk.invalid": httpx.MockTransport(demo)}

    async def run(url: str) -> Fetched:
        async with Fetcher(settings(tmp_path), mounts=mounts) as fetcher:
            return await fetcher.fetch(FetchRequest(url))

    assert asyncio.run(run("https://demo.newsdesk.invalid/feeds/world.xml")).content == FEED
    with pytest.raises(BlockedAddressError):
        asyncio.run(run("http://127.0.0.1:9/feed"))


# --- a host that asks us to wait ------------------------------------------------------------


def test_a_429_with_retry_after_pauses_the_whole_host(tmp_path: Path) -> None:
    from newsdesk.errors import HostPausedError

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/a.xml":
            return httpx.Response(429, headers={"Retry-After": "120"})
        return streamed(FEED)

    async def run() -> list[object]:
        transport = httpx.MockTransport(handler)
        async with Fetcher(settings(tmp_path), transport=transport, resolve=public_dns) as fetcher:
            results: list[object] = []
            for url in (
                "http://big.example/a.xml",
                "http://big.example/b.xml",
                "http://small.example/c.xml",
            ):
                try:
                    results.append(await fetcher.fetch(FetchRequest(url)))
                except FetchError as e:
                    results.append(e)
            results.append(sorted(fetcher.paused_hosts()))
            return results

    first, second, third, paused = asyncio.run(run())
    assert isinstance(first, HTTPStatusError) and first.retry_after == 120
    assert isinstance(second, HostPausedError) and second.host == "big.example"
    assert 119 < second.retry_after <= 120
    assert str(second).startswith("fetch: not asked, big.example asked us to wait 120s more")
    assert isinstance(third, Fetched) and third.status == 200
    assert seen == ["http://big.example/a.xml", "http://small.example/c.xml"]
    assert paused == ["big.example"]


def test_a_pause_from_an_earlier_run_is_honoured_and_capped(tmp_path: Path) -> None:
    from newsdesk.errors import HostPausedError

    async def run() -> tuple[object, float]:
        transport = httpx.MockTransport(lambda r: streamed(FEED))
        async with Fetcher(settings(tmp_path), transport=transport, resolve=public_dns) as f:
            f.pause("big.example", 10 * 365 * 86400, "HTTP 429 from http://big.example/a.xml")
            left = f.paused_hosts()["big.example"][0]
            try:
                return await f.get_page("http://big.example/story.html"), left
            except HostPausedError as e:
                return e, left

    error, left = asyncio.run(run())
    assert isinstance(error, HostPausedError)
    assert left <= 24 * 3600  # a year-long Retry-After is a misconfiguration


# --- the network path (aiohttp) against a real loopback server ------------------------------

Route = Callable[[Any], Coroutine[None, None, Any]]


@contextlib.asynccontextmanager
async def loopback(routes: dict[str, Route]) -> AsyncIterator[str]:
    """An aiohttp server on a free loopback port with these GET routes; its base URL."""
    from aiohttp import web

    app = web.Application()
    for path, handler in routes.items():
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def test_network_path_repeats_validators_and_refuses_a_header_injection(tmp_path: Path) -> None:
    from aiohttp import web

    seen: list[str | None] = []

    async def feed(request: web.Request) -> web.Response:
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers={"ETag": '"v1"'})
        return web.Response(body=FEED, headers={"ETag": '"v1"', "Link": "</hub>; rel=hub"})

    async def run() -> tuple[Fetched, Fetched, Exception]:
        async with (
            loopback({"/feed": feed}) as base,
            Fetcher(settings(tmp_path, allow_private_networks=True)) as fetcher,
        ):
            url = f"{base}/feed"
            first = await fetcher.fetch(FetchRequest(url))
            again = await fetcher.fetch(FetchRequest(url, etag=first.etag))
            try:
                # a validator is the server's text; one holding CR/LF must not go out
                await fetcher.fetch(FetchRequest(url, etag='"v1"\r\nX-Injected: 1'))
            except FetchError as e:
                refused: Exception = e
            else:
                raise AssertionError("the injected header was sent")
        return first, again, refused

    first, again, refused = asyncio.run(run())
    assert (first.status, first.content, first.etag) == (200, FEED, '"v1"')
    assert first.hubs == (f"{first.url.rsplit('/', 1)[0]}/hub",)
    assert again.status == 304 and again.content == b""
    assert seen == [None, '"v1"']
    assert "cannot send the request" in str(refused)


def test_network_path_keeps_a_compressed_body_as_it_came(tmp_path: Path) -> None:
    from aiohttp import web

    packed = gzip.compress(FEED * 50, mtime=0)

    async def feed(request: web.Request) -> web.Response:
        return web.Response(body=packed, headers={"Content-Encoding": "gzip"})

    async def plain(request: web.Request) -> web.Response:
        return web.Response(body=FEED)

    async def run() -> tuple[Fetched, Fetched]:
        async with (
            loopback({"/feed": feed, "/plain": plain}) as base,
            Fetcher(settings(tmp_path, allow_private_networks=True)) as fetcher,
        ):
            return (
                await fetcher.fetch(FetchRequest(f"{base}/feed")),
                await fetcher.fetch(FetchRequest(f"{base}/plain")),
            )

    compressed, uncompressed = asyncio.run(run())
    assert compressed.content == FEED * 50
    assert (compressed.wire, compressed.wire_encoding) == (packed, "gzip")
    assert uncompressed.content == FEED
    assert (uncompressed.wire, uncompressed.wire_encoding) == (None, "")


# --- importing aiohttp ---------------------------------------------------------------------

_IMPORT_PROBE = """
import json, ssl
original = ssl.SSLContext.set_default_verify_paths
from newsdesk.engine.fetch.wire import import_aiohttp, ssl_context
aiohttp = import_aiohttp()
from aiohttp import connector
print(json.dumps({
    "restored": ssl.SSLContext.set_default_verify_paths is original,
    "aiohttp_default": connector._SSL_CONTEXT_VERIFIED.cert_store_stats()["x509_ca"],
    "ours": ssl_context().cert_store_stats()["x509_ca"],
    "again": import_aiohttp() is aiohttp,
}))
"""


def test_aiohttp_is_imported_without_the_system_ca_store() -> None:
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    # aiohttp's own default context trusts nothing (it is never used: a use fails closed)...
    assert found["aiohttp_default"] == 0
    # ...the one every https request is given trusts certifi's bundle...
    assert found["ours"] > 100
    # ...and the stdlib is as it was for everyone else
    assert found["restored"] is True
    assert found["again"] is True
