"""The key that says "this entry is the one we stored before": guid, then link, then content.

Keys are stable across runs and processes (sha256, never `hash()`), prefixed by the rule that
made them so a key explains itself in `replay` output, and at most 600 characters so they fit
an indexed column.
"""

from __future__ import annotations

import hashlib

from newsdesk.engine.dedupe.canonical import canonical_url
from newsdesk.types import CleanArticle, ParsedItem

MAX_KEY_LENGTH = 600
_SEPARATOR = "\x1f"  # a control character feeds do not use: ("ab", "c") and ("a", "bc") differ


def _sha256(*parts: str) -> str:
    return hashlib.sha256(_SEPARATOR.join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def _bounded(prefix: str, value: str) -> str:
    key = prefix + value
    if len(key) <= MAX_KEY_LENGTH:
        return key
    return f"{prefix}sha256:{_sha256(value)}"


def item_identity(item: ParsedItem) -> str:
    """ "guid:<guid>", else "url:<canonical link>", else "hash:<sha256 of title, date, text>"."""
    guid = (item.guid or "").strip()
    if guid:
        return _bounded("guid:", guid)
    link = (item.link or "").strip()
    if link:
        return _bounded("url:", canonical_url(link))
    published = item.published.isoformat() if item.published else ""
    text = item.content_html or item.summary_html or ""
    return "hash:" + _sha256((item.title or "").strip(), published, text.strip())


def content_hash(article: CleanArticle) -> str:
    """sha256 hex of what a reader sees (title and body): has the article changed?"""
    return _sha256(article.title, article.body_html)
