"""Every item of the captured real-world feeds in ../shared: clean_item never raises, stays safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from clean_feed_adapter import parse_with_feedparser
from xss_oracle import safety_problems

from newsdesk.engine.clean import clean_item

pytestmark = pytest.mark.slow
SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".feed"}


def test_real_feeds_clean_safely(shared_dir: Path) -> None:
    files = [
        path
        for path in sorted((shared_dir / "corpora" / "real-feeds").rglob("*"))
        if path.suffix in SUFFIXES and path.is_file()
    ]
    items = 0
    unsafe = {}
    for path in files:
        feed = parse_with_feedparser(path.read_bytes())
        for item in feed.items:
            article = clean_item(item, feed)
            items += 1
            problems = safety_problems(article.body_html)
            if problems:
                unsafe[f"{path.name}:{item.guid}"] = problems
            assert len(article.summary) <= 300
            assert article.url is None or article.url.startswith(("http://", "https://"))
    assert items > 1000
    assert unsafe == {}
