"""Real captured feeds (../shared/corpora/real-feeds): no crash, and both parsers agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.engine.parse import detect, fast, lenient, parse_feed
from newsdesk.errors import ParseError

SKIP_NAMES = {"LICENSE", "README.md", "CATALOG.tsv", "EXPECTATIONS.tsv"}


def corpus(shared_dir: Path) -> list[Path]:
    root = shared_dir / "corpora" / "real-feeds"
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in SKIP_NAMES)


@pytest.mark.slow
def test_every_file_parses_or_raises_parse_error(shared_dir: Path) -> None:
    parsed = 0
    for path in corpus(shared_dir):
        try:
            feed = parse_feed(path.read_bytes(), "https://feeds.example/" + path.name)
        except ParseError as e:
            assert str(e).startswith("parse: "), path
            continue
        parsed += 1
        for item in feed.items:
            assert item.published is None or item.published.utcoffset() is not None, path
    assert parsed > 150


@pytest.mark.slow
def test_fast_and_lenient_yield_the_same_items(shared_dir: Path) -> None:
    """On well-formed feeds the fast path must not lose or invent items, links or titles."""
    items = same_link = same_title = feeds = 0
    for path in corpus(shared_dir):
        try:
            doc = detect.prepare(path.read_bytes())
        except ParseError:
            continue
        if doc.format == "json" or not doc.well_formed:
            continue
        quick = fast.parse_fast_or_none(doc, "https://feeds.example/feed")
        if quick is None or not quick.items:
            continue  # parse_feed hands these to the lenient path anyway
        slow = lenient.parse_lenient(doc, "https://feeds.example/feed")
        feeds += 1
        assert len(quick.items) == len(slow.items), path
        for a, b in zip(quick.items, slow.items, strict=True):
            items += 1
            same_link += a.link == b.link
            same_title += a.title == b.title
    assert feeds > 100
    assert same_link >= 0.99 * items
    assert same_title >= 0.99 * items
