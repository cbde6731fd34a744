"""One article, several sources: the same article link in a second source's feed is recorded
as a carrier of the article already stored, not as a second copy.

Partners often carry the same piece (a publisher's section feeds, an aggregator and the
original, two outlets running one agency's page). Stories group near-identical *texts* after
the fact; this catches the same *page* before it is stored, by the link key of
engine.dedupe.canonical.article_key (tracking parameters, scheme, "www." and a trailing slash
do not count). The first source to bring an article owns it; a carrier keeps its own key for
the item, so its later fetches find the item known, and its category is added to the
article's, so the article is listed under every section that carries it.

Only unambiguous links are matched: one item of the feed with the key and one stored
article with it, from another source. A key shared by several items or articles (a feed
that links every item to one page) is no article's own address.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from newsdesk.engine.dedupe.canonical import article_key
from newsdesk.store import rawsql
from newsdesk.store.models import Article, Carrier, Category, Source

_CHUNK = 500  # stay under SQLite's bound-parameter limit


@dataclass(frozen=True, slots=True)
class Carried:
    """The stored article an item of another source turned out to be."""

    article_id: int
    source_id: int  # the source that stored it
    source_name: str
    categories_edited: bool = False  # an editor set its categories: none are added


@dataclass(frozen=True, slots=True)
class CarrierRef:
    """A source that also carried an article, as pages show it."""

    name: str
    slug: str
    url: str  # the item's link in that source's feed


def _chunks(values: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield list(values[start : start + _CHUNK])


# The lookups below run for every fetched feed: fixed SQL, where compiling ORM queries
# cost more than SQLite answering them (our tables' names and placeholders only).


def known(source_id: int, identities: Iterable[str]) -> dict[str, int]:
    """identity -> article id of the items this source already carries."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(identities))):
        marks = ", ".join(["%s"] * len(chunk))
        sql = (
            f"SELECT identity, article_id FROM {_CARRIER}"  # noqa: S608
            f" WHERE source_id = %s AND identity IN ({marks})"
        )
        found.update(rawsql.rows(sql, [source_id, *chunk]))
    return found


def elsewhere(source_id: int, links: Mapping[str, str | None]) -> dict[str, Carried]:
    """identity -> the article another source stored under the same link, for the items
    (identity -> link) of one fetch of `source_id` that are not stored yet."""
    keys = {identity: article_key(url) for identity, url in links.items()}
    once = Counter(k for k in keys.values() if k)
    wanted = sorted(k for k, n in once.items() if n == 1)
    if not wanted:
        return {}
    by_key: dict[str, list[Carried]] = {}
    for chunk in _chunks(wanted):
        marks = ", ".join(["%s"] * len(chunk))
        sql = (
            f"SELECT a.link_key, a.id, a.source_id, s.name, a.edited_fields"  # noqa: S608
            f" FROM {_ARTICLE} a JOIN {_SOURCE} s ON s.id = a.source_id"
            f" WHERE a.link_key IN ({marks})"
        )
        for key, pk, owner, name, edited in rawsql.rows(sql, chunk):
            # edited_fields is JSON: text on SQLite, a list from psycopg
            fields = json.loads(edited) if isinstance(edited, str) else edited
            carried = Carried(pk, owner, name, "categories" in (fields or []))
            by_key.setdefault(key or "", []).append(carried)
    found: dict[str, Carried] = {}
    for identity, key in keys.items():
        stored = by_key.get(key or "", [])
        # this source's own article with the link is its re-issue business, not a carrier's
        if len(stored) == 1 and stored[0].source_id != source_id:
            found[identity] = stored[0]
    return found


def record(
    source_id: int,
    carried: Mapping[str, Carried],
    links: Mapping[str, str],
    category: Category | None,
    now: datetime,
) -> None:
    """Remember that `source_id` carries these articles (identity -> article; `links`:
    identity -> the item's link), and list them under the source's category too.

    Runs inside the carrying source's save transaction.
    """
    if not carried:
        return
    Carrier.objects.bulk_create(
        [
            Carrier(
                article_id=found.article_id,
                source_id=source_id,
                identity=identity,
                url=links[identity][:2000],
                first_seen_at=now,
            )
            for identity, found in sorted(carried.items())
        ]
    )
    if category is None:
        return
    through = Article.categories.through
    pairs = sorted({f.article_id for f in carried.values() if not f.categories_edited})
    through.objects.bulk_create(
        [through(article_id=pk, category_id=category.pk) for pk in pairs],
        ignore_conflicts=True,  # already listed there
    )


def forget(source_id: int) -> int:
    """Drop what the source carries, when its items change keys: the next save matches them
    again by link under the new keys."""
    deleted, _ = Carrier.objects.filter(source_id=source_id).delete()
    return deleted


def of_article(article_id: int) -> list[CarrierRef]:
    """The other sources that carried an article, in the order they brought it.

    Fixed SQL: asked on every article page, where compiling the ORM query cost more than
    the page's own two reads.
    """
    sql = (
        f"SELECT s.name, s.slug, c.url FROM {_CARRIER} c"  # noqa: S608 (our tables)
        f" JOIN {_SOURCE} s ON s.id = c.source_id"
        " WHERE c.article_id = %s ORDER BY c.first_seen_at, c.id"
    )
    return [CarrierRef(name, slug, url) for name, slug, url in rawsql.rows(sql, [article_id])]


_CARRIER = Carrier._meta.db_table
_SOURCE = Source._meta.db_table
_ARTICLE = Article._meta.db_table
