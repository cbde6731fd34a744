"""Published articles as pages show them, read with fixed SQL statements.

An article page or a listing page is two or three indexed lookups. Django's query compiler
costs far more than the lookups themselves: on the 100,000-article bench archive, building
the SQL for one article page took about 3 ms against well under 0.1 ms for SQLite to answer
it. The pages readers hit most therefore read through the statements here, written once.
They are plain SQL that SQLite and PostgreSQL both accept; the table names come from the
models, and parameters go through the backend's own adapters, so the rows are exactly what
the ORM would have read (reads.py keeps the ORM path for everything else).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils.text import slugify

from newsdesk.store import rawsql
from newsdesk.store.articleviews import ArticleView, CategoryRef, ImageView, MediaFile, SourceRef
from newsdesk.store.models import Article, Category, Place, Source, SourcePolicy

# One SELECT list for every page, in the order _row() reads it.
_COLUMNS = (
    "a.id, a.slug, a.title, a.url, a.guid, a.author, a.published_at, a.updated_at, a.sort_at,"
    " a.summary, a.body_html, a.image_url, a.image_caption, a.image_credit, a.image_alt,"
    " a.image_width, a.image_height, a.attribution_site, a.attribution_url, a.origin,"
    " a.story_id, a.places, a.pinned, a.author_slug,"
    " s.id, s.name, s.slug, s.feed_url, s.site_url,"
    " p.attribution_template, p.canonical_to_original, a.enclosures"
)
# The same list without the body, for pages that show none (excerpt listings, search results):
# a full-text article's body runs to overflow pages; on a copy of the bench archive with 11 KB
# bodies, leaving them unread made a deep list page's query 85 µs instead of 135.
_COLUMNS_NO_BODY = _COLUMNS.replace("a.body_html,", "'',")


def _tables() -> dict[str, str]:
    return {
        "article": Article._meta.db_table,
        "source": Source._meta.db_table,
        "policy": SourcePolicy._meta.db_table,
        "category": Category._meta.db_table,
        "article_category": Article.categories.through._meta.db_table,
        "place": Place._meta.db_table,
        "article_place": Article.place_tags.through._meta.db_table,
    }


_T = _tables()
_FROM = (
    f"FROM {_T['article']} a JOIN {_T['source']} s ON s.id = a.source_id"
    f" LEFT JOIN {_T['policy']} p ON p.source_id = s.id"
)
_PUBLISHED = Article.Status.PUBLISHED.value
_ORDER = "ORDER BY a.sort_at DESC, a.id DESC"

# The listings a page can ask for: (extra join, condition on one parameter).
FILTERS: dict[str, tuple[str, str]] = {
    "all": ("", "1 = 1"),
    "front": ("", "NOT a.pinned"),
    # through the subquery, so SQLite walks the small partial index of pinned rows rather
    # than every published one (300 ms at 100,000 articles when none is pinned)
    "pinned": ("", f"a.id IN (SELECT pp.id FROM {_T['article']} pp WHERE pp.pinned)"),  # noqa: S608
    "category": (
        f"JOIN {_T['article_category']} ac ON ac.article_id = a.id"
        f" JOIN {_T['category']} c ON c.id = ac.category_id",
        "c.slug = %s",
    ),
    "place": (
        f"JOIN {_T['article_place']} ap ON ap.article_id = a.id"
        f" JOIN {_T['place']} pl ON pl.id = ap.place_id",
        "pl.slug = %s",
    ),
    "source": ("", "s.slug = %s"),
    "author": ("", "a.author_slug = %s"),
    "story": ("", "a.story_id = %s"),
}


def article_slug(slug: str, title: str) -> str:
    return slug or slugify(title)[:80].strip("-") or "article"


_NAIVE_EPOCH = datetime(1970, 1, 1)
_UTC_EPOCH = _NAIVE_EPOCH.replace(tzinfo=UTC)


def aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive UTC (USE_TZ stores UTC), PostgreSQL aware values
    if value is None or value.tzinfo is not None:
        return value
    # the same value as value.replace(tzinfo=UTC), in 60 ns against 530 (keyword parsing):
    # a list page has some sixty dates
    return _UTC_EPOCH + (value - _NAIVE_EPOCH)


def _json(raw: Any) -> Any:
    if not raw or raw == "[]":  # most articles name no place and carry no file: no parse
        return ()
    if isinstance(raw, str):  # SQLite keeps JSON as text; psycopg decodes jsonb itself
        return json.loads(raw)
    return raw


def _places(raw: Any) -> tuple[str, ...]:
    return tuple(str(p) for p in _json(raw) or ())


def media_files(raw: Any) -> tuple[MediaFile, ...]:
    """The audio and video among an article's stored enclosures."""
    found = []
    for e in _json(raw) or ():
        if isinstance(e, dict) and isinstance(e.get("url"), str):
            length = e.get("length")
            item = MediaFile(
                url=e["url"],
                type=str(e.get("type") or ""),
                length=length if isinstance(length, int) and length > 0 else None,
            )
            if item.kind:
                found.append(item)
    return tuple(found)


def _categories(ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {i: [] for i in ids}
    if not ids:
        return found
    marks = ", ".join(["%s"] * len(ids))
    # only model table names and placeholders are formatted into the statement
    sql = (
        f"SELECT ac.article_id, c.name, c.slug FROM {_T['article_category']} ac"  # noqa: S608
        f" JOIN {_T['category']} c ON c.id = ac.category_id"
        f" WHERE ac.article_id IN ({marks}) ORDER BY c.name"
    )
    for article_id, name, slug in rawsql.rows(sql, list(ids)):
        found[article_id].append((name, slug))
    return found


def _views(rows: list[tuple[Any, ...]]) -> list[ArticleView]:
    cats = _categories([r[0] for r in rows])
    out = []
    for r in rows:
        image = None
        if r[11]:
            image = ImageView(
                url=r[11],
                caption=r[12],
                credit=r[13],
                alt=r[14] or r[12] or "",
                width=r[15],
                height=r[16],
            )
        source = SourceRef(
            id=r[24],
            name=r[25],
            slug=r[26],
            feed_url=r[27],
            site_url=r[28],
            attribution_template=r[29] or "",
            canonical_to_original=True if r[30] is None else bool(r[30]),
        )
        out.append(
            ArticleView(
                id=r[0],
                slug=article_slug(r[1], r[2]),
                url=r[3],
                guid=r[4],
                title=r[2],
                author=r[5],
                published=aware(r[6]),
                updated=aware(r[7]),
                sort_at=aware(r[8]) or datetime.min.replace(tzinfo=UTC),
                summary=r[9],
                body_html=r[10],
                source=source,
                categories=tuple(CategoryRef(n, s) for n, s in cats[r[0]]),
                image=image,
                attribution_site=r[17],
                attribution_url=r[18],
                origin=r[19],
                story_id=r[20],
                places=_places(r[21]),
                pinned=bool(r[22]),
                author_slug=r[23] or "",
                media=media_files(r[31]),
            )
        )
    return out


def article(article_id: int) -> ArticleView | None:
    """One published article, or None."""
    sql = f"SELECT {_COLUMNS} {_FROM} WHERE a.id = %s AND a.status = %s"
    views = _views(rawsql.rows(sql, [article_id, _PUBLISHED]))
    return views[0] if views else None


def _select(bodies: bool) -> str:
    return _COLUMNS if bodies else _COLUMNS_NO_BODY


def by_ids(ids: Sequence[int], *, bodies: bool = True) -> list[ArticleView]:
    """Published articles in the order of `ids`; missing ones skipped. Without `bodies`,
    each one's body_html is empty."""
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    sql = f"SELECT {_select(bodies)} {_FROM} WHERE a.id IN ({marks}) AND a.status = %s"
    found = {v.id: v for v in _views(rawsql.rows(sql, [*ids, _PUBLISHED]))}
    return [found[i] for i in ids if i in found]


def newest(
    kind: str,
    value: Any = None,
    *,
    before: tuple[datetime, int] | None = None,
    limit: int = 20,
    bodies: bool = True,
) -> list[ArticleView]:
    """Up to `limit` published articles of one listing, newest first, older than `before`.
    Without `bodies`, each one's body_html is empty."""
    join, condition = FILTERS[kind]
    params: list[Any] = [_PUBLISHED]
    if "%s" in condition:
        params.append(value)
    where = f"a.status = %s AND {condition}"
    if before is not None:
        when = connection.ops.adapt_datetimefield_value(before[0])
        # The redundant `sort_at <= when` lets SQLite walk the (status, sort_at, id) index
        # from the cursor on; with the OR alone it scans from the newest row.
        where += " AND (a.sort_at < %s OR a.id < %s) AND a.sort_at <= %s"
        params += [when, before[1], when]
    sql = f"SELECT {_select(bodies)} {_FROM} {join} WHERE {where} {_ORDER} LIMIT %s"
    return _views(rawsql.rows(sql, [*params, max(1, limit)]))


def story_members(
    story_id: int, *, exclude_id: int, first_source: int | None, limit: int
) -> list[tuple[int, str, str, str]]:
    """(id, slug, title, source name) of a story's other published articles: those of
    sources other than `first_source` first, then newest first."""
    sql = (
        f"SELECT a.id, a.slug, a.title, s.name {_FROM}"
        " WHERE a.status = %s AND a.story_id = %s AND a.id <> %s"
        " ORDER BY CASE WHEN a.source_id = %s THEN 1 ELSE 0 END, a.sort_at DESC, a.id DESC"
        " LIMIT %s"
    )
    rows = rawsql.rows(sql, [_PUBLISHED, story_id, exclude_id, first_source or 0, limit])
    return [(i, article_slug(slug, title), title, name) for i, slug, title, name in rows]


def busiest_categories(*, recent: int, limit: int) -> list[tuple[str, str]]:
    """(name, slug) of the categories most used by the newest `recent` published articles,
    busiest first (ties by name): what the news is about now, read from the list index
    instead of counting every article ever published (0.7 s at 100,000 articles)."""
    sql = (
        f"SELECT c.name, c.slug, count(*) AS n FROM (SELECT a.id FROM {_T['article']} a"  # noqa: S608
        f" WHERE a.status = %s {_ORDER} LIMIT %s) r"
        f" JOIN {_T['article_category']} ac ON ac.article_id = r.id"
        f" JOIN {_T['category']} c ON c.id = ac.category_id"
        " GROUP BY c.id, c.name, c.slug ORDER BY n DESC, c.name LIMIT %s"
    )
    return [(name, slug) for name, slug, _ in rawsql.rows(sql, [_PUBLISHED, recent, limit])]
