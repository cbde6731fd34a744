"""The shared feed farm: its realistic feeds and its hostile bytes, through parse_feed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from newsdesk.engine.parse import parse_feed
from newsdesk.errors import NotAFeedError, ParseError

pytestmark = pytest.mark.farm


def stats(farm: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(farm.get("/_stats"))
    return data


@pytest.mark.parametrize("fmt", ["rss", "atom", "rdf", "json"])
def test_farm_feeds_parse_on_the_fast_path(farm: Any, fmt: str) -> None:
    url = farm.url(f"/feed/3.{fmt}")
    feed = parse_feed(farm.get(f"/feed/3.{fmt}"), url)
    assert feed.parser == "fast"
    assert feed.title
    assert len(feed.items) == 10
    for item in feed.items:
        assert item.link is not None
        assert item.link.startswith(farm.base + "/site/3/")
        assert item.title
        assert item.published is not None
        assert "&#" not in item.title and "&amp;" not in item.title


def test_billion_laughs_from_the_farm(farm: Any) -> None:
    feed = parse_feed(farm.get("/hostile/billion-laughs.xml"), farm.url("/hostile/"))
    text = "".join((i.title or "") + (i.summary_html or "") for i in feed.items)
    assert len(text) < 1000


def test_xxe_from_the_farm_fetches_no_dtd_and_reads_no_file(farm: Any) -> None:
    before = stats(farm)["hostile"].get("xxe.dtd", 0)
    feed = parse_feed(farm.get("/hostile/xxe.xml"), farm.url("/hostile/xxe.xml"))
    text = "".join((i.title or "") + (i.summary_html or "") for i in feed.items)
    assert "root:" not in text
    assert "fetched-external-dtd" not in text
    assert stats(farm)["hostile"].get("xxe.dtd", 0) == before


def test_truncated_feed_is_recovered(farm: Any) -> None:
    feed = parse_feed(farm.get("/hostile/truncated.xml"), farm.url("/hostile/truncated.xml"))
    assert feed.parser == "lenient"
    assert feed.items
    assert all(i.title for i in feed.items)


def test_bad_encodings_do_not_crash(farm: Any) -> None:
    feed = parse_feed(farm.get("/hostile/invalid-utf8.xml"), "", "text/xml; charset=utf-8")
    assert feed.items
    wrong = parse_feed(farm.get("/hostile/wrong-charset.xml"), "", "text/xml; charset=utf-8")
    assert wrong.items[0].title is not None
    assert "Zürich" in wrong.items[0].title  # not mojibake


def test_empty_and_html_bodies(farm: Any) -> None:
    with pytest.raises(ParseError):
        parse_feed(b"", farm.url("/hostile/empty.xml"))
    with pytest.raises(NotAFeedError):
        parse_feed(farm.get("/hostile/html.xml"), farm.url("/hostile/html.xml"))


def test_xss_links_are_dropped(farm: Any) -> None:
    feed = parse_feed(farm.get("/hostile/xss.xml"), farm.url("/hostile/xss.xml"))
    for item in feed.items:
        for url in (item.link, item.comments_url, *(m.url for m in item.media)):
            assert url is None or url.startswith(("http://", "https://"))
        assert "<" not in (item.title or "")


def test_odd_dates_never_raise(farm: Any) -> None:
    feed = parse_feed(farm.get("/hostile/odd-dates.xml"), farm.url("/hostile/odd-dates.xml"))
    assert len(feed.items) > 10
    dated = [i.published for i in feed.items if i.published is not None]
    assert dated
    assert all(d.tzinfo is not None and d.utcoffset() is not None for d in dated)
