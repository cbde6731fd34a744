"""The fetch layer's part in WebSub: Link headers read, hub requests POSTed under the guard."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from newsdesk.config import Settings
from newsdesk.engine.fetch import Fetcher
from newsdesk.engine.fetch.links import hub_links, parse_link_header
from newsdesk.errors import BlockedAddressError, TooManyRedirectsError
from newsdesk.types import Fetched, FetchRequest

FORM = {"hub.mode": "subscribe", "hub.topic": "https://feeds.example/feed.xml"}


def public_dns(host: str, port: int) -> Sequence[str]:
    return ["93.184.216.34"]


def run(tmp_path: Path, handler: httpx.MockTransport, call: str, url: str) -> Fetched:
    async def go() -> Fetched:
        settings = Settings(home=tmp_path, database_url="sqlite:///x")
        async with Fetcher(settings, transport=handler, resolve=public_dns) as fetcher:
            if call == "post":
                return await fetcher.post_form(url, FORM)
            return await fetcher.fetch(FetchRequest(url=url))

    return asyncio.run(go())


def test_link_header_values_are_split_outside_quotes_and_brackets() -> None:
    value = (
        '<https://hub.example/a,b>; rel="hub", </feed?x=1>; title="a, \\"b\\"; c"; '
        'rel="self alternate"; rel=ignored, <mailto:x@y>; rel=hub, <https://two.example/>;rel=HUB'
    )
    links = parse_link_header(value, "https://feeds.example/news/")
    assert links == [
        ("https://hub.example/a,b", ("hub",)),
        ("https://feeds.example/feed?x=1", ("self", "alternate")),
        ("https://two.example/", ("hub",)),
    ]
    hubs, self_url = hub_links({"link": value}, "https://feeds.example/news/")
    assert hubs == ("https://hub.example/a,b", "https://two.example/")
    assert self_url == "https://feeds.example/feed?x=1"


def test_broken_link_headers_give_nothing_rather_than_raise() -> None:
    for value in ("", "garbage", "<unclosed; rel=hub", '<https://a.example/>; rel="hub'):
        links = parse_link_header(value, "https://feeds.example/")
        assert all(url.startswith("https://") for url, _ in links)
    assert hub_links({}, "https://feeds.example/") == ((), None)


def test_a_fetch_carries_the_hub_and_self_of_its_link_headers(tmp_path: Path) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200,
            content=b"<rss/>",
            headers=[
                ("link", '<https://hub.example/>; rel="hub"'),
                ("link", '</self.xml>; rel="self"'),
            ],
        )

    fetched = run(tmp_path, httpx.MockTransport(handle), "get", "https://feeds.example/f.xml")
    assert fetched.hubs == ("https://hub.example/",)
    assert fetched.self_url == "https://feeds.example/self.xml"


def test_post_form_follows_307_with_the_body_and_returns_errors(tmp_path: Path) -> None:
    seen: list[tuple[str, str, bytes]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, str(request.url), request.content))
        if request.url.path == "/old":
            return httpx.Response(307, headers={"location": "/new"})
        return httpx.Response(400, content=b"bad topic" + b"x" * 10_000)

    answer = run(tmp_path, httpx.MockTransport(handle), "post", "https://hub.example/old")
    assert answer.status == 400 and answer.content.startswith(b"bad topic")
    assert len(answer.content) == 4096  # only the start of a hub's answer is kept
    assert [(m, u) for m, u, _ in seen] == [
        ("POST", "https://hub.example/old"),
        ("POST", "https://hub.example/new"),
    ]
    assert seen[0][2] == seen[1][2] and b"hub.mode=subscribe" in seen[1][2]


def test_post_form_is_guarded_hop_by_hop(tmp_path: Path) -> None:
    posted: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        posted.append(str(request.url))
        return httpx.Response(308, headers={"location": "http://127.0.0.1/hub"})

    with pytest.raises(BlockedAddressError):
        run(tmp_path, httpx.MockTransport(handle), "post", "https://hub.example/")
    assert posted == ["https://hub.example/"]

    def loop(request: httpx.Request) -> httpx.Response:
        return httpx.Response(307, headers={"location": "/again"})

    with pytest.raises(TooManyRedirectsError):
        run(tmp_path, httpx.MockTransport(loop), "post", "https://hub.example/")
