"""Re-issued items: an item with a new key that is an article the source already gave us.

Feeds re-issue posts with a new GUID or a new date (a CMS migration, a "bump" to the top).
Under a key of GUID or link+date that looks like a new item; by its link, or by the same
title and body, it is the stored article, which should be updated, not doubled.

Only unambiguous matches count: a link that two items of the fetch share (every item
linking to the home page) or that two stored articles share proves nothing, and a stored
article whose own key is still in the feed is that item, not a re-issue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from newsdesk.engine.dedupe.canonical import canonical_url


@dataclass(frozen=True, slots=True)
class Candidate:
    """An item of the fetch (article_id None) or a stored article of the same source."""

    identity: str
    url: str
    content_hash: str
    article_id: int | None = None


@dataclass(frozen=True, slots=True)
class Reissue:
    article_id: int
    identity: str  # the stored article's key, replaced by the item's
    by: str  # "link" or "title and body"


def unknown(feed: Sequence[Candidate], known: Collection[str]) -> list[Candidate]:
    """The items of the fetch whose key is not stored (the first item of a repeated key)."""
    first: dict[str, Candidate] = {}
    for item in feed:
        first.setdefault(item.identity, item)
    return [c for key, c in first.items() if key not in known]


def match(
    feed: Sequence[Candidate], stored: Sequence[Candidate], known: Collection[str]
) -> dict[str, Reissue]:
    """For each item of the fetch under a key not stored (`known`: the keys that are), the
    stored article it re-issues. `feed` is every item of the fetch, `stored` the source's
    articles sharing a link or a content hash with one of them."""
    new = unknown(feed, known)
    live = {c.identity for c in feed}
    feed_links = Counter(canonical_url(c.url) for c in feed if c.url)
    feed_hashes = Counter(c.content_hash for c in feed if c.content_hash)
    free = [s for s in stored if s.identity not in live and s.article_id is not None]
    by_link: dict[str, list[Candidate]] = {}
    by_hash: dict[str, list[Candidate]] = {}
    for s in free:
        if s.url:
            by_link.setdefault(canonical_url(s.url), []).append(s)
        if s.content_hash:
            by_hash.setdefault(s.content_hash, []).append(s)
    found: dict[str, Reissue] = {}
    taken: set[int] = set()
    for item in new:
        link = canonical_url(item.url) if item.url else ""
        options: list[tuple[list[Candidate], str]] = []
        if link and feed_links[link] == 1:
            options.append((by_link.get(link, []), "link"))
        if item.content_hash and feed_hashes[item.content_hash] == 1:
            options.append((by_hash.get(item.content_hash, []), "title and body"))
        for matches, by in options:
            article_id = matches[0].article_id if len(matches) == 1 else None
            if article_id is not None and article_id not in taken:
                taken.add(article_id)
                found[item.identity] = Reissue(article_id, matches[0].identity, by)
                break
    return found
