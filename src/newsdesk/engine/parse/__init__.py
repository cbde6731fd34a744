"""The parse stage: feed bytes in, ParsedFeed out (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed).

    parse_feed(content, url, content_type) -> ParsedFeed
        detect.prepare         charset to UTF-8, DOCTYPE removed, format, strict well-formedness
        fast.parse_fast        fastfeedparser (+ tree.py) for well-formed XML
        lenient.parse_lenient  feedparser's loose parser for the rest, or when fast fails
        jsonfeed.parse_json_feed

Raises ParseError ("parse: ...") for bytes that hold no feed, NotAFeedError for HTML, and
nothing else. Parsers only ever get bytes: none of them may touch the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.engine.parse.dates import parse_date
from newsdesk.engine.parse.opml import parse_opml, write_opml
from newsdesk.errors import ParseError
from newsdesk.types import ParsedFeed

if TYPE_CHECKING:
    from newsdesk.engine.parse.detect import Document

__all__ = ["parse_date", "parse_feed", "parse_opml", "write_opml"]


def parse_feed(content: bytes, url: str, content_type: str = "") -> ParsedFeed:
    from newsdesk.engine.parse import detect, fast, jsonfeed, lenient

    doc = detect.prepare(content, content_type)
    if doc.format == "json":
        return jsonfeed.parse_json_feed(doc.data, url)
    if doc.well_formed:
        feed = fast.parse_fast_or_none(doc, url)
        if feed is not None and (feed.items or not detect.has_entries(doc.data)):
            return feed
    try:
        feed = lenient.parse_lenient(doc, url)
    except ParseError:
        recovered = None if doc.well_formed else _recovered(doc, url)
        if recovered is None:
            raise
        return recovered
    except Exception as e:  # a foreign library on hostile bytes: wrap, never leak
        raise ParseError(f"parse: cannot read the feed: {e}") from e
    if not feed.items and not doc.well_formed and detect.has_entries(doc.data):
        return _recovered(doc, url) or feed
    return feed


def _recovered(doc: Document, url: str) -> ParsedFeed | None:
    """Broken XML feedparser's loose parser gives up on (a garbled prolog, undeclared
    prefixes, unquoted attributes): fastfeedparser's recovering lxml parse often reads it.
    Only a result with items counts."""
    from newsdesk.engine.parse import fast

    feed = fast.parse_fast_or_none(doc, url)
    return feed if feed is not None and feed.items else None
