"""clean_item on feeds served by the shared feed farm, parsed here with feedparser (dev dep)."""

from __future__ import annotations

from typing import Any

import pytest
from xss_oracle import safety_problems

from newsdesk.engine.clean import clean_item
from newsdesk.types import Enclosure, MediaImage, ParsedFeed, ParsedItem

pytestmark = pytest.mark.farm


def _feed(raw: bytes) -> ParsedFeed:
    # feedparser stands in for our parse stage so this test checks only the clean stage.
    import feedparser

    parsed: Any = feedparser.parse(raw, sanitize_html=False, resolve_relative_uris=False)
    items = []
    for entry in parsed.entries:
        content = entry.get("content")
        items.append(
            ParsedItem(
                guid=entry.get("id"),
                link=entry.get("link"),
                title=entry.get("title"),
                author=entry.get("author"),
                summary_html=entry.get("summary"),
                content_html=content[0]["value"] if content else None,
                categories=tuple(tag["term"] for tag in entry.get("tags", [])),
                media=tuple(
                    MediaImage(m["url"], "media:content") for m in entry.get("media_content", [])
                ),
                enclosures=tuple(
                    Enclosure(link["href"], link.get("type", ""))
                    for link in entry.get("links", [])
                    if link.get("rel") == "enclosure"
                ),
            )
        )
    return ParsedFeed(
        format="rss", title=parsed.feed.get("title"), link=parsed.feed.get("link"),
        items=tuple(items),
    )  # fmt: skip


def test_hostile_xss_feed(farm: Any) -> None:
    feed = _feed(farm.get("/hostile/xss.xml"))
    assert len(feed.items) > 10
    for item in feed.items:
        article = clean_item(item, feed)
        assert safety_problems(article.body_html) == [], item.guid
        assert "<" not in article.title
        assert article.url is None or article.url.startswith("http")
        assert article.image is None or article.image.url.startswith("http")


def test_wordpress_feed_items(farm: Any) -> None:
    # Feed 0 of seed 1 carries content:encoded with figure, caption credit and footer.
    feed = _feed(farm.get("/feed/0.rss"))
    full = [item for item in feed.items if item.content_html]
    assert full, "the farm changed: feed 0 no longer has full content"
    for item in full:
        article = clean_item(item, feed)
        assert article.image is not None and article.image.url.startswith(farm.base)
        assert article.image.origin == "figure"
        assert article.image.credit and "/" in article.image.credit
        assert "Photo:" not in (article.image.caption or "")
        assert article.attribution is not None and article.attribution.site == feed.title
        assert "first appeared" not in article.body_html
        assert "<figure" not in article.body_html
        assert len(article.summary) <= 300
        assert article.is_summary_only is False
        assert safety_problems(article.body_html) == []
