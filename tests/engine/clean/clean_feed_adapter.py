"""feedparser as a stand-in parse stage, so the clean tests check only the clean stage."""

from __future__ import annotations

from typing import Any

from newsdesk.types import Enclosure, MediaImage, ParsedFeed, ParsedItem


def parse_with_feedparser(raw: bytes) -> ParsedFeed:
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
                    MediaImage(m["url"], "media:content")
                    for m in entry.get("media_content", [])
                    if m.get("url")
                ),
                enclosures=tuple(
                    Enclosure(link["href"], link.get("type", ""))
                    for link in entry.get("links", [])
                    if link.get("rel") == "enclosure" and link.get("href")
                ),
            )
        )
    return ParsedFeed(
        format="rss", title=parsed.feed.get("title"), link=parsed.feed.get("link"),
        items=tuple(items),
    )  # fmt: skip
