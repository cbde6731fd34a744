"""The Fetcher over real sockets against the feed farm's normal and hostile endpoints."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest

from newsdesk.config import Settings
from newsdesk.engine.fetch import Fetcher
from newsdesk.errors import (
    BlockedAddressError,
    BodyTooLargeError,
    FetchError,
    FetchTimeoutError,
    TooManyRedirectsError,
)
from newsdesk.types import Fetched, FetchRequest


class Farm(Protocol):
    """What these tests use of the `farm` fixture (tests/conftest.py)."""

    base: str

    def url(self, path: str) -> str: ...


pytestmark = pytest.mark.farm


def settings(tmp_path: Path, **changes: Any) -> Settings:
    base = {"allow_private_networks": True, "connect_timeout": 5.0, "total_timeout": 20.0}
    return Settings(home=tmp_path, database_url="sqlite:///x", **{**base, **changes})


def fetch(config: Settings, url: str, **kwargs: Any) -> Fetched:
    async def run() -> Fetched:
        async with Fetcher(config, **kwargs) as fetcher:
            return await fetcher.fetch(FetchRequest(url))

    return asyncio.run(run())


def test_feed_200_then_304_with_its_etag(farm: Farm, tmp_path: Path) -> None:
    url = farm.url("/feed/3.rss")

    async def run() -> tuple[Fetched, Fetched]:
        async with Fetcher(settings(tmp_path)) as fetcher:
            first = await fetcher.fetch(FetchRequest(url))
            again = await fetcher.fetch(
                FetchRequest(url, etag=first.etag, last_modified=first.last_modified)
            )
            return first, again

    first, again = asyncio.run(run())
    assert first.status == 200
    assert b"<rss" in first.content[:500]
    assert first.etag
    assert first.headers.get("content-encoding") == "gzip"  # decoded by us, on the wire as gzip
    assert again.status == 304 and again.content == b""


def test_loopback_farm_is_refused_without_allow_private(farm: Farm, tmp_path: Path) -> None:
    with pytest.raises(BlockedAddressError):
        fetch(settings(tmp_path, allow_private_networks=False), farm.url("/feed/0.rss"))


def test_gzip_bomb_stops_at_the_cap(farm: Farm, tmp_path: Path) -> None:
    with pytest.raises(BodyTooLargeError):
        fetch(settings(tmp_path, max_body_bytes=2 << 20), farm.url("/hostile/gzip-bomb.xml"))


def test_slow_drip_ends_at_the_total_timeout(farm: Farm, tmp_path: Path) -> None:
    config = settings(tmp_path, total_timeout=1.0, read_timeout=5.0)
    with pytest.raises(FetchTimeoutError, match="no complete answer within 1s"):
        fetch(config, farm.url("/hostile/slow-drip.xml?seconds=3"))


def test_redirect_loop(farm: Farm, tmp_path: Path) -> None:
    with pytest.raises(TooManyRedirectsError):
        fetch(settings(tmp_path), farm.url("/hostile/redirect-loop.xml"))


def test_redirect_chain_within_and_beyond_the_limit(farm: Farm, tmp_path: Path) -> None:
    got = fetch(settings(tmp_path), farm.url("/hostile/redirect-chain.xml?n=3"))
    assert got.url == farm.url("/feed/0.rss")
    assert got.permanent_url is None  # the farm's hops are 302s
    assert b"<rss" in got.content[:500]
    with pytest.raises(TooManyRedirectsError):
        fetch(settings(tmp_path), farm.url("/hostile/redirect-chain.xml?n=30"))


class ToFarm(httpx.AsyncBaseTransport):
    """Sends requests for farm.example to the farm, as if it were a public site."""

    def __init__(self, farm: Farm) -> None:
        self._farm = httpx.URL(farm.base)
        self._real = httpx.AsyncHTTPTransport(trust_env=False)
        self.hosts: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.hosts.append(request.url.host)
        assert request.url.host == "farm.example", "the guard let an internal hop through"
        request.url = request.url.copy_with(host=self._farm.host, port=self._farm.port)
        return await self._real.handle_async_request(request)

    async def aclose(self) -> None:
        await self._real.aclose()


def public_dns(host: str, port: int) -> Sequence[str]:
    return ["93.184.216.34"]


def test_redirect_internal_is_refused_at_the_hop(farm: Farm, tmp_path: Path) -> None:
    transport = ToFarm(farm)
    config = settings(tmp_path, allow_private_networks=False)
    with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1"):
        fetch(
            config,
            "http://farm.example/hostile/redirect-internal.xml",
            transport=transport,
            resolve=public_dns,
        )
    assert transport.hosts == ["farm.example"]


def test_redirect_internal_with_private_allowed_fails_cleanly(farm: Farm, tmp_path: Path) -> None:
    # Port 22 of this machine answers with SSH or nothing; either way a one-line FetchError.
    with pytest.raises(FetchError, match=r"^fetch: [^\n]*127\.0\.0\.1:22"):
        fetch(settings(tmp_path, connect_timeout=2.0), farm.url("/hostile/redirect-internal.xml"))


def test_connection_goes_to_the_resolved_address(farm: Farm, tmp_path: Path) -> None:
    # farm.invalid exists nowhere: the fetch works only if the socket dials the address the
    # guard resolved and checked, rather than asking DNS again.
    port = httpx.URL(farm.base).port
    got = fetch(
        settings(tmp_path),
        f"http://farm.invalid:{port}/feed/1.atom",
        resolve=lambda host, port: ["127.0.0.1"],
    )
    assert got.status == 200 and b"<feed" in got.content[:500]


def test_many_feeds_at_once_share_the_pool(farm: Farm, tmp_path: Path) -> None:
    urls = [farm.url(f"/feed/{n}.{fmt}") for n in range(20) for fmt in ("rss", "json")]

    async def run() -> list[Fetched]:
        config = settings(tmp_path, per_host_concurrency=3, fetch_concurrency=8)
        async with Fetcher(config) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(FetchRequest(url)) for url in urls))

    results = asyncio.run(run())
    assert [r.url for r in results] == urls
    assert all(r.status == 200 and r.etag for r in results)
    assert all(r.content.lstrip().startswith((b"<", b"{")) for r in results)
