"""clean_item on feeds served by the shared feed farm."""

from __future__ import annotations

from typing import Any

import pytest
from clean_feed_adapter import parse_with_feedparser
from xss_oracle import safety_problems

from newsdesk.engine.clean import clean_item

pytestmark = pytest.mark.farm


def test_hostile_xss_feed(farm: Any) -> None:
    feed = parse_with_feedparser(farm.get("/hostile/xss.xml"))
    assert len(feed.items) > 10
    for item in feed.items:
        article = clean_item(item, feed)
        assert safety_problems(article.body_html) == [], item.guid
        assert "<" not in article.title
        assert article.url is None or article.url.startswith("http")
        assert article.image is None or article.image.url.startswith("http")


def test_wordpress_feed_items(farm: Any) -> None:
    # Feed 0 of seed 1 carries content:encoded with figure, caption credit and footer.
    feed = parse_with_feedparser(farm.get("/feed/0.rss"))
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
