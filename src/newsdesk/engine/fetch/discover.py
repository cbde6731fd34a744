"""From a web page to the feeds it advertises, and telling a page from a feed."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from newsdesk.types import FeedLink

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
    }
)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf", "rdf", "channel"})
_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
_FIRST_TAGS = re.compile(rb"<([!?]?)([a-z][a-z0-9:._-]*)")


def discover_feeds(html: bytes, base_url: str) -> list[FeedLink]:
    """The <link rel="alternate"> feeds of a page, absolute, first occurrence kept, in order."""
    import lxml.etree
    import lxml.html

    if not html.strip():
        return []
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    base = base_url
    for element in doc.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            base = urljoin(base_url, href)
            break
    found: list[FeedLink] = []
    seen: set[str] = set()
    for element in doc.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").split(";")[0].strip().lower()
        href = (element.get("href") or "").strip()
        if "alternate" not in rel or kind not in FEED_TYPES or not href:
            continue
        url = urljoin(base, href)
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        if kind == "application/json" and "/wp-json/" in url:
            continue  # WordPress advertises its REST API as alternate JSON; it is not a feed
        seen.add(url)
        title = (element.get("title") or "").strip() or None
        found.append(FeedLink(url=url, title=title, type=kind))
    return found


def looks_like_html(content: bytes, content_type: str) -> bool:
    """True for a web page, False for a feed; the bytes win over a wrong Content-Type."""
    head = _COMMENT.sub(b"", content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower())
    if head.startswith((b"{", b"[")):
        return False
    for match in _FIRST_TAGS.finditer(head):
        marker, name = match.group(1), match.group(2).decode("ascii")
        if marker == b"?":
            continue
        if marker == b"!":
            if name == "doctype" and re.match(rb"\s*html", head[match.end() :]):
                return True
            continue
        return name not in _FEED_ROOTS
    mime = content_type.split(";")[0].strip().lower()
    return mime in _HTML_TYPES
