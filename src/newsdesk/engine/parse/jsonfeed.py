"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read with the json module.

A JSON Feed is small and regular, so it needs no second parser: json.loads is the fast
path and the lenient one. Wrong types are skipped field by field, not fatal.
"""

from __future__ import annotations

import json
from typing import Any

from newsdesk.engine.parse.adapt import (
    absolute_url,
    author_name,
    enclosure,
    html_field,
    images_from_enclosures,
    plain_text,
    text_to_html,
    unique_media,
    unique_terms,
)
from newsdesk.engine.parse.dates import parse_date
from newsdesk.errors import ParseError
from newsdesk.types import MediaImage, ParsedFeed, ParsedItem


def parse_json_feed(data: bytes, url: str) -> ParsedFeed:
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise ParseError(f"parse: invalid JSON: {e}") from e
    if not isinstance(doc, dict):
        raise ParseError("parse: JSON document is not a JSON Feed (no top-level object)")
    version = _str(doc.get("version")) or ""
    if "jsonfeed.org" not in version and not isinstance(doc.get("items"), list):
        raise ParseError("parse: JSON document is not a JSON Feed (no version, no items)")
    feed_url = absolute_url(_str(doc.get("feed_url")), url or None)
    base = url or feed_url
    items = doc.get("items")
    hubs = [
        absolute_url(_str(h.get("url")), base)
        for h in _list(doc.get("hubs"))
        if isinstance(h, dict)
    ]
    return ParsedFeed(
        format="json",
        title=plain_text(_str(doc.get("title"))),
        link=absolute_url(_str(doc.get("home_page_url")), base),
        items=tuple(
            _item(i, base)
            for i in (items if isinstance(items, list) else ())
            if isinstance(i, dict)
        ),
        description=plain_text(_str(doc.get("description"))),
        self_url=feed_url,
        hubs=unique_terms(hubs),
        language=_str(doc.get("language")),
        parser="fast",
    )


def _str(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # ids are sometimes numbers, against the spec
    return None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _author(item: dict[str, Any]) -> str | None:
    authors = [a for a in _list(item.get("authors")) if isinstance(a, dict)]
    single = item.get("author")  # JSON Feed 1.0
    if isinstance(single, dict):
        authors.append(single)
    names = [author_name(_str(a.get("name"))) for a in authors]
    return next((n for n in names if n), None)


def _item(item: dict[str, Any], base: str | None) -> ParsedItem:
    link = absolute_url(_str(item.get("url")), base) or absolute_url(
        _str(item.get("external_url")), base
    )
    content_html = html_field(_str(item.get("content_html")))
    if content_html is None and _str(item.get("content_text")):
        content_html = text_to_html(str(item.get("content_text")))
    summary = _str(item.get("summary"))
    enclosures = tuple(
        e
        for e in (
            enclosure(_str(a.get("url")), base, _str(a.get("mime_type")), a.get("size_in_bytes"))
            for a in _list(item.get("attachments"))
            if isinstance(a, dict)
        )
        if e is not None
    )
    images: list[MediaImage] = []
    for key in ("image", "banner_image"):
        href = absolute_url(_str(item.get(key)), base)
        if href:
            images.append(MediaImage(href, origin=f"jsonfeed:{key}"))
    images.extend(images_from_enclosures(enclosures))
    return ParsedItem(
        guid=_str(item.get("id")),
        link=link,
        title=plain_text(_str(item.get("title"))),
        author=_author(item),
        published=parse_date(_str(item.get("date_published")) or ""),
        updated=parse_date(_str(item.get("date_modified")) or ""),
        summary_html=text_to_html(summary) if summary else None,
        content_html=content_html,
        categories=unique_terms(t for t in _list(item.get("tags")) if isinstance(t, str)),
        enclosures=enclosures,
        media=unique_media(images),
    )
