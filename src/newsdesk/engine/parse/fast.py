"""The fast path: fastfeedparser's dictionary adapted to ParsedFeed.

fastfeedparser fills gaps on its own (an id from the link, a description cut from the
content, a content from the description); those guesses are undone here so the result
says what the feed says, the same as the lenient path. What it cannot give comes from
tree.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
from newsdesk.engine.parse.tree import (
    EntryExtras,
    EntryScan,
    Header,
    enclosure_lengths,
    needs_entry_read,
    read_entries,
    read_header,
    scan_entries,
)
from newsdesk.types import Enclosure, MediaImage, ParsedFeed, ParsedItem

_XHTML_TYPES = ("xhtml", "application/xhtml+xml")
_TEXT_TYPES = ("text", "text/plain")
_SYNTHESIZED_MAX = 512  # fastfeedparser cuts the descriptions it makes up to this length


def parse_fast_or_none(doc: Document, url: str) -> ParsedFeed | None:
    """The fast result, or None when fastfeedparser fails on the document (lenient decides)."""
    try:
        return parse_fast(doc, url)
    except Exception:  # a fault inside a foreign library on untrusted bytes
        return None


def parse_fast(doc: Document, url: str) -> ParsedFeed:
    import fastfeedparser

    raw: Any = fastfeedparser.parse(doc.data)
    header = read_header(doc.data, url)
    entries: list[Any] = list(raw.get("entries") or [])
    extras: list[EntryExtras] | None = None
    if needs_entry_read(doc.data, header, doc.format):
        extras = read_entries(doc.data, url)
        if extras is not None and len(extras) != len(entries):
            extras = None
    scans: list[EntryScan] | None = None
    if doc.format == "atom" or extras is None:  # RSS asks it for dc:date, read just above
        scans = scan_entries(doc.data, doc.format, len(entries))
        if scans is not None and len(scans) != len(entries):
            scans = None
    data, count = doc.data, len(entries)
    doc_facts = _Facts(
        header=header,
        # An item without <guid> gets its link as id from fastfeedparser; when the document
        # has fewer <guid>s than items, an id equal to the link is taken for such a copy.
        guids_are_links=doc.format == "rss" and data.count(b"<guid") < count,
        # Likewise a content equal to the description is a copy only where some item lacks
        # content:encoded (the tag name appears twice per item that has one) ...
        copies=doc.format != "atom" and data.count(b":encoded>") < 2 * count,
        # ... and a description is made up only where some item has none.
        made_up=data.count(b"</summary>" if doc.format == "atom" else b"</description>") < count,
        enclosure_lengths=enclosure_lengths(data) if doc.format == "atom" else {},
        rss=doc.format != "atom",
    )
    items = tuple(
        _item(entry, doc_facts, extras[i] if extras else None, scans[i] if scans else None)
        for i, entry in enumerate(entries)
    )
    feed = raw.get("feed") or {}
    return ParsedFeed(
        format=doc.format,
        title=header.title or plain_text(feed.get("title")),
        link=header.link,
        items=items,
        description=header.description
        if header.description is not None
        else plain_text(feed.get("subtitle")),
        self_url=header.self_url,
        hubs=header.hubs,
        ttl_minutes=header.ttl_minutes,
        language=header.language,
        parser="fast",
    )


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the whole document says about fastfeedparser's guesses, counted once."""

    header: Header
    guids_are_links: bool
    copies: bool
    made_up: bool
    enclosure_lengths: dict[str, int]
    rss: bool  # RSS 0.9x/1.0/2.0, where a dc:date is the item's date


def _item(
    entry: Any, facts: _Facts, extra: EntryExtras | None, scan: EntryScan | None
) -> ParsedItem:
    base = extra.base if extra else facts.header.base
    content_html, summary_html = _bodies(entry, extra, facts.copies, facts.made_up)
    enclosures = _enclosures(entry, base, extra, facts.enclosure_lengths)
    published, updated = _dates(entry, scan, extra.dc_date if extra and facts.rss else None)
    raw_author = entry.get("author")
    return ParsedItem(
        guid=_guid(entry, facts.guids_are_links),
        link=(extra.link if extra else None) or absolute_url(entry.get("link"), base),
        title=(extra.title if extra else None) or plain_text(entry.get("title")),
        author=author_name(raw_author),
        author_email=(scan.author_email if scan else None) or author_email(raw_author),
        published=published,
        updated=updated,
        summary_html=summary_html,
        content_html=content_html,
        # the tree read has every kind of category in document order; fastfeedparser's
        # (the only ones when there was no second read) follow
        categories=unique_terms(
            [
                *(extra.categories if extra else ()),
                *(t.get("term") for t in entry.get("tags") or ()),
            ]
        ),
        enclosures=enclosures,
        media=_media(entry, base, extra, enclosures),
        comments_url=comments_url(entry.get("comments"), base),
    )


def _dates(
    entry: Any, scan: EntryScan | None, dc_date: str | None
) -> tuple[datetime | None, datetime | None]:
    """(published, updated): fastfeedparser's, unless the entry's bytes say otherwise."""
    published = parse_date(entry.get("published") or "")
    updated = parse_date(entry.get("updated") or "")
    dc_date = scan.dc_date if scan else dc_date
    if updated is None and dc_date:
        # dc:date is the item's date, revisions included; feedparser (and so the lenient
        # path) reads it as the update date, with the publication date falling back to it
        updated = parse_date(dc_date)
    if scan is None:
        return published, updated
    if scan.updates > 1:
        updated = parse_date(scan.updated or "") or updated
        if scan.publications == 0:
            published = updated  # its stand-in for the missing date was the first update
    if scan.publications > 1:
        published = parse_date(scan.published or "") or published
    return published, updated


def _guid(entry: Any, guids_are_links: bool) -> str | None:
    guid = _text(entry.get("id"))
    if guids_are_links and guid == _text(entry.get("link")):
        return None
    return guid


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _bodies(
    entry: Any, extra: EntryExtras | None, copies: bool, made_up: bool
) -> tuple[str | None, str | None]:
    """(content_html, summary_html) with fastfeedparser's stand-ins removed.

    In RSS it copies a lone <description> into the content; in both it cuts a description
    from the content when there is none.
    """
    raw_description: str | None = entry.get("description") or None
    description = html_field(raw_description)
    if extra is not None and extra.summary_html is not None:
        description = raw_description = extra.summary_html
    content = (entry.get("content") or [None])[0]
    if not content:
        return (html_field(extra.content_html) if extra else None), description
    if extra is not None and extra.content_html is not None and extra.summary_html is not None:
        # Both read from the tree, which copies nothing; fastfeedparser's content may be
        # its copy of the description while the tree has the item's real second text.
        if copies and extra.content_html.strip() == extra.summary_html:
            return None, description
        return html_field(extra.content_html), description
    value: str = content.get("value") or ""
    kind = (content.get("type") or "").lower()
    body: str | None
    if extra is not None and extra.content_html is not None:
        body = extra.content_html
    elif kind in _XHTML_TYPES:
        body = None  # only tree.py serialises XHTML without fastfeedparser's wrapper
    elif kind in _TEXT_TYPES:
        body = text_to_html(value)
    else:
        body = value
    if raw_description is not None:
        if copies and value.strip() == raw_description:
            return None, description  # the content is the description copied over
        if made_up and _made_from(raw_description, value):
            description = None
    return html_field(body), description


def _made_from(description: str, content: str) -> bool:
    """Whether the description is fastfeedparser's plain-text cut of the content."""
    if len(description) > _SYNTHESIZED_MAX:
        return False
    head = plain_text(content[: 4 * len(description) + 2048]) or ""
    return head.startswith(" ".join(description.split()))


def _enclosures(
    entry: Any, base: str | None, extra: EntryExtras | None, lengths: dict[str, int]
) -> tuple[Enclosure, ...]:
    found: list[Enclosure | None] = [
        enclosure(e.get("url"), base, e.get("type"), e.get("length"))
        for e in entry.get("enclosures") or ()
    ]
    if extra is not None and extra.enclosures:
        found.extend(extra.enclosures)
    else:
        found.extend(
            enclosure(link.get("href"), base, link.get("type"), lengths.get(link.get("href")))
            for link in entry.get("links") or ()
            if link.get("rel") == "enclosure"
        )
    unique: dict[str, Enclosure] = {}
    for item in found:
        if item is not None:
            unique.setdefault(item.url, item)
    return tuple(unique.values())


def _media(
    entry: Any, base: str | None, extra: EntryExtras | None, enclosures: tuple[Enclosure, ...]
) -> tuple[MediaImage, ...]:
    images: list[MediaImage] = []
    for media in entry.get("media_content") or ():
        href = absolute_url(media.get("url"), base)
        if href is None or not is_image(href, media.get("type"), media.get("medium")):
            continue
        images.append(
            MediaImage(
                href,
                origin="media:content",
                caption=plain_text(media.get("description") or media.get("title")),
                credit=plain_text(media.get("credit")),
                width=to_int(media.get("width")),
                height=to_int(media.get("height")),
            )
        )
    if extra is not None:
        # fastfeedparser reports a lone media:thumbnail as a bare media_content; the tree read
        # has it with its proper origin.
        thumbs = {t.url for t in extra.thumbnails}
        images = [i for i in images if i.url not in thumbs or i.credit or i.caption]
        images.extend(extra.thumbnails)
    images.extend(images_from_enclosures(enclosures))
    return unique_media(images)
