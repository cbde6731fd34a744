"""The lenient path: feedparser's loose parser for documents strict XML rejects.

feedparser is handed a file object, never a string: given a str it fetches URLs, and
given bytes it first tries them as a *file name*. The document reaching here has no
DOCTYPE (detect.py), so feedparser's expat cannot expand entities either. Its HTML
sanitiser and URL rewriting are off: the clean stage does both, the same for both paths.
"""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime
from typing import Any

from newsdesk.engine.parse.adapt import (
    absolute_url,
    author_email,
    author_name,
    comments_url,
    enclosure,
    html_field,
    images_from_enclosures,
    is_image,
    plain_text,
    text_to_html,
    to_int,
    unique_media,
    unique_terms,
)
from newsdesk.engine.parse.dates import parse_date
from newsdesk.engine.parse.detect import Document
from newsdesk.errors import ParseError
from newsdesk.types import Enclosure, MediaImage, ParsedFeed, ParsedItem

_MEDIA_DESCRIPTION = re.compile(rb"<(/?)media:description\b")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def parse_lenient(doc: Document, url: str) -> ParsedFeed:
    import feedparser

    # No Content-Location: feedparser would resolve ids against it, and ids stay as written
    # (the fast path keeps them so too). Links are resolved below, against the feed URL.
    headers = {"content-type": "application/xml; charset=utf-8"}
    # feedparser lets media:description overwrite the item's <description>; renamed, it is
    # ignored instead (the lenient path gives no image captions).
    data = _MEDIA_DESCRIPTION.sub(rb"<\1media:x-description", doc.data)
    result: Any = feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    feed = result.get("feed") or {}
    entries = result.get("entries") or []
    if not entries and not feed.get("title") and not feed.get("link"):
        reason = result.get("bozo_exception") or "no feed elements found"
        raise ParseError(f"parse: not a readable feed: {reason}")
    base = url or None
    links = feed.get("links") or []
    return ParsedFeed(
        format=doc.format,
        title=plain_text(feed.get("title")),
        link=absolute_url(feed.get("link"), base),
        items=tuple(_item(entry, base, doc.format != "atom") for entry in entries),
        description=plain_text(feed.get("subtitle")),
        self_url=next(
            (absolute_url(x.get("href"), base) for x in links if x.get("rel") == "self"), None
        ),
        hubs=unique_terms(
            absolute_url(x.get("href"), base) for x in links if x.get("rel") == "hub"
        ),
        ttl_minutes=to_int(feed.get("ttl")),
        language=(feed.get("language") or "").strip() or None,
        parser="lenient",
    )


def _item(entry: Any, base: str | None, rss: bool) -> ParsedItem:
    content_html, summary_html = _bodies(entry, rss)
    enclosures = _enclosures(entry, base)
    author, email = _author(entry, rss)
    return ParsedItem(
        guid=(entry.get("id") or "").strip() or None,
        link=absolute_url(_link(entry), base),
        title=plain_text(entry.get("title")),
        author=author,
        author_email=email,
        published=_date(entry, "published") or _date(entry, "updated"),
        updated=_date(entry, "updated"),
        summary_html=summary_html,
        content_html=content_html,
        categories=unique_terms(t.get("term") for t in entry.get("tags") or ()),
        enclosures=enclosures,
        media=_media(entry, base, enclosures),
        comments_url=comments_url(entry.get("comments"), base),
    )


def _author(entry: Any, rss: bool) -> tuple[str | None, str | None]:
    """(name, email) of the entry's first author, as the fast path has them."""
    raw = entry.get("author")
    if rss and isinstance(raw, str):
        # as written: feedparser's own split cuts an address at a four-letter TLD
        # ("jo@news.exam") and leaves the rest in the name
        return author_name(raw), author_email(raw)
    # author_detail is the last author; the byline is the first
    first = (entry.get("authors") or [entry.get("author_detail") or {}])[0] or {}
    name = author_name(first.get("name")) or (author_name(raw) if not first else None)
    return name, (first.get("email") or "").strip() or None


def _link(entry: Any) -> str | None:
    # feedparser's `link` is the last <link> it saw, an enclosure's as well as the page's
    for link in entry.get("links") or ():
        if (link.get("rel") or "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    link = entry.get("link")
    return link if isinstance(link, str) else None


def _date(entry: Any, key: str) -> datetime | None:
    # dict.get: FeedParserDict answers "updated" with "published" when there is none.
    found = parse_date(dict.get(entry, key) or "")
    if found is not None:
        return found
    parsed = dict.get(entry, f"{key}_parsed")
    if isinstance(parsed, time.struct_time):
        try:
            return datetime(*parsed[:6], tzinfo=UTC)
        except (ValueError, OverflowError):
            return None
    return None


def _as_html(detail: Any) -> str | None:
    value = detail.get("value") or ""
    if not value.strip():
        return None
    if (detail.get("type") or "text/html") in _HTML_TYPES:
        return html_field(str(value))
    return html_field(text_to_html(value))


def _bodies(entry: Any, rss: bool) -> tuple[str | None, str | None]:
    contents = entry.get("content") or []
    if rss:  # plain-text "content" in RSS is feedparser's copy of media:description
        contents = [c for c in contents if c.get("type") in _HTML_TYPES]
    best = next((c for c in contents if c.get("type") in _HTML_TYPES), None)
    content = best or (contents[0] if contents else None)
    content_html = _as_html(content) if content else None
    summary = entry.get("summary_detail")
    summary_html = _as_html(summary) if summary else None
    if content and summary and summary.get("value") == content.get("value"):
        summary_html = None  # feedparser copies the content into the summary when it has none
    return content_html, summary_html


def _enclosures(entry: Any, base: str | None) -> tuple[Enclosure, ...]:
    unique: dict[str, Enclosure] = {}
    for e in entry.get("enclosures") or ():
        found = enclosure(e.get("href"), base, e.get("type"), e.get("length"))
        if found is not None:
            unique.setdefault(found.url, found)
    return tuple(unique.values())


def _media(
    entry: Any, base: str | None, enclosures: tuple[Enclosure, ...]
) -> tuple[MediaImage, ...]:
    credits = [c.get("content") for c in entry.get("media_credit") or () if c.get("content")]
    images: list[MediaImage] = []
    for media in entry.get("media_content") or ():
        href = absolute_url(media.get("url"), base)
        if href and is_image(href, media.get("type"), media.get("medium")):
            images.append(
                MediaImage(
                    href,
                    origin="media:content",
                    credit=plain_text(credits[0]) if credits else None,
                    width=to_int(media.get("width")),
                    height=to_int(media.get("height")),
                )
            )
    for thumb in entry.get("media_thumbnail") or ():
        href = absolute_url(thumb.get("url"), base)
        if href:
            images.append(
                MediaImage(
                    href,
                    origin="media:thumbnail",
                    width=to_int(thumb.get("width")),
                    height=to_int(thumb.get("height")),
                )
            )
    images.extend(images_from_enclosures(enclosures))
    return unique_media(images)
