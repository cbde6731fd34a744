"""The key that says "this entry is the one we stored before": guid, then link, then content.

Keys are stable across runs and processes (sha256, never `hash()`), prefixed by the rule that
made them so a key explains itself in `replay` output, and at most 600 characters so they fit
an indexed column.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from enum import StrEnum

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


class KeyRule(StrEnum):
    """How a source's items are told apart. A source starts on GUID and moves to a link key
    when its GUIDs prove unreliable (engine.dedupe.signal); the move is never automatic back."""

    GUID = "guid"  # guid, else link, else content
    LINK_DATE = "link+date"  # canonical link and the feed's date
    LINK_DATE_TITLE = "link+date+title"  # for feeds whose items share links and dates

    @property
    def stronger(self) -> KeyRule | None:
        order = list(KeyRule)
        at = order.index(self)
        return order[at + 1] if at + 1 < len(order) else None


_LINK_PREFIX = {KeyRule.LINK_DATE: "ld:", KeyRule.LINK_DATE_TITLE: "ldt:"}


def _date_part(when: datetime | None) -> str:
    # one spelling whatever zone the feed wrote the date in
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") if when else ""


def link_key(rule: KeyRule, url: str, published: datetime | None, title: str) -> str | None:
    """The identity under a link rule, or None when there is no link to key on."""
    link = url.strip()
    if rule is KeyRule.GUID or not link:
        return None
    parts = [canonical_url(link), _date_part(published)]
    if rule is KeyRule.LINK_DATE_TITLE:
        parts.append(" ".join(title.split()).casefold())
    return _LINK_PREFIX[rule] + _sha256(*parts)


def stored_key(
    rule: KeyRule, guid: str, url: str, published: datetime | None, title: str
) -> str | None:
    """The key a stored article (its guid, link, feed date and title) has under `rule`, as
    `identity_for` gives its item; None when the article holds too little to say."""
    if rule is not KeyRule.GUID:
        return link_key(rule, url, published, title)
    if guid.strip():
        return _bounded("guid:", guid.strip())
    if url.strip():
        return _bounded("url:", canonical_url(url.strip()))
    return None


def identity_for(item: ParsedItem, article: CleanArticle, rule: KeyRule = KeyRule.GUID) -> str:
    """The item's identity under the source's rule. Link rules key on the cleaned (resolved)
    link, so stored articles, which keep that link, can be re-keyed to the same value."""
    keyed = link_key(rule, article.url or "", article.published, article.title)
    return keyed or item_identity(item)


def content_hash(article: CleanArticle) -> str:
    """sha256 hex of what a reader sees (title and body): has the article changed?"""
    return _sha256(article.title, article.body_html)
