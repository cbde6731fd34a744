"""Subscribing: a feed URL, or a page whose <link rel="alternate"> names one; OPML in and out."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from newsdesk.config import DEMO_ORIGIN, Settings
from newsdesk.errors import InputError, NotAFeedError, ParseError
from newsdesk.store import writes
from newsdesk.store.writes import SourceState
from newsdesk.types import Fetched, FetchRequest, FullText, OpmlOutline


@dataclass(frozen=True, slots=True)
class Subscribed:
    source: SourceState
    created: bool
    title: str


async def _fetch_feed(settings: Settings, url: str) -> tuple[str, Fetched, str | None, str | None]:
    """Fetch URL; when it is a web page, follow its first advertised feed.

    Returns the feed URL, the response and the feed's title and site link.
    """
    from newsdesk.engine.fetch.client import Fetcher
    from newsdesk.engine.fetch.discover import discover_feeds, looks_like_html
    from newsdesk.engine.parse import parse_feed

    async with Fetcher(settings) as fetcher:
        fetched = await fetcher.fetch(FetchRequest(url=url))
        try:
            feed = parse_feed(fetched.content, fetched.url, fetched.content_type)
            return fetched.permanent_url or url, fetched, feed.title, feed.link
        except ParseError as e:
            page = isinstance(e, NotAFeedError) or looks_like_html(
                fetched.content, fetched.content_type
            )
            if not page:
                raise InputError(f"add: {url} is not a feed ({e})") from e
        links = discover_feeds(fetched.content, fetched.url)
        if not links:
            raise InputError(f"add: {url} is a web page that names no feed")
        feed_url = links[0].url
        fetched = await fetcher.fetch(FetchRequest(url=feed_url))
        try:
            feed = parse_feed(fetched.content, fetched.url, fetched.content_type)
        except ParseError as e:
            raise InputError(
                f"add: the feed {feed_url} named by {url} is not readable ({e})"
            ) from e
        return fetched.permanent_url or feed_url, fetched, feed.title, feed.link


def check_new_url(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError(f"add: not an http(s) URL: {url!r}")


def subscribe(
    settings: Settings,
    url: str,
    *,
    name: str | None = None,
    category: str | None = None,
    full_text: FullText = FullText.AUTO,
    review: bool = False,
) -> Subscribed:
    """Check the URL really gives a feed (discovering it from a page), then store the source.

    The first import is left to `update`, which the new source is due for at once.
    """
    url = url.strip()
    if url.startswith(DEMO_ORIGIN + "/"):
        feed_url, title, site = url, name or url, ""
    else:
        check_new_url(url)
        feed_url, _, feed_title, feed_link = asyncio.run(_fetch_feed(settings, url))
        title, site = (name or feed_title or feed_url), (feed_link or "")
    source, created = writes.add_source(
        feed_url, title, site_url=site, category=category, full_text=full_text, review=review
    )
    return Subscribed(source, created, source.name)


def import_opml(path: Path, full_text: FullText = FullText.AUTO) -> tuple[int, int, int]:
    """Subscribe to every feed of an OPML file without fetching.

    Returns how many were added, already known, and skipped (not an http(s) URL).
    """
    from newsdesk.engine.parse.opml import parse_opml

    try:
        content = path.read_bytes()
    except OSError as e:
        raise InputError(f"import-opml: cannot read {path}: {e.strerror or e}") from e
    outlines = parse_opml(content)
    added = known = skipped = 0
    for outline in outlines:
        try:
            check_new_url(outline.xml_url)
        except InputError:
            skipped += 1
            continue
        category = outline.category.split("/")[-1] if outline.category else None
        _, created = writes.add_source(
            outline.xml_url,
            outline.title or outline.xml_url,
            site_url=outline.html_url or "",
            category=category,
            full_text=full_text,
        )
        added += created
        known += not created
    return added, known, skipped


def export_opml(title: str) -> bytes:
    from newsdesk.engine.parse.opml import write_opml
    from newsdesk.store.sources import all_sources

    outlines: Sequence[OpmlOutline] = [
        OpmlOutline(
            xml_url=s.feed_url, title=s.name, html_url=s.site_url or None, category=s.category
        )
        for s in all_sources()
    ]
    return write_opml(outlines, title)
