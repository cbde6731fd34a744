"""Ranked full-text search over published articles: SQLite FTS5 or PostgreSQL tsvector.

One query language on both databases: words (all must match), "quoted phrases", and -word
exclusions. The parse happens here, once, and is then written out in each database's own
syntax, so the two backends agree on what a query means (stemming aside: FTS5 uses the
Porter stemmer, PostgreSQL the english configuration).

Results come back ranked (title matches weigh most, then the summary, then the body; ties go
to the newer article) with an HTML-safe title and snippet whose matches are wrapped in
<mark>. Snippets are made for the page shown only, because a snippet costs far more than a
rank: on SQLite the first page of an unfiltered search is one pass of FTS5's own ranking
(_sqlite_first_page); filtered searches, later pages and PostgreSQL rank ids in one query and
build the page's snippets in a second.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from newsdesk.store import rawsql, reads
from newsdesk.store.models import Article, Category, Source

FTS_TABLE = "store_article_fts"
PG_VECTOR = "search_vector"
PG_INDEX = "store_article_search_gin"
# title, summary, body: a word in the title says more about the article than one in the body
SQLITE_WEIGHTS = (10.0, 4.0, 1.0)
# Private-use characters as snippet markers: they never occur in article text, survive tag
# stripping, and are swapped for <mark> only after the text has been escaped.
OPEN, CLOSE = "\ue000", "\ue001"
SNIPPET_WORDS = 28
MAX_TERMS = 16  # a pasted paragraph should not become a 300-term query

# The SQL below is built from this module's constants and %s placeholders only (S608 is
# silenced where ruff cannot see that); reader input always travels as a parameter.
# SQLite indexes the body's words (Article.body_text), not its markup: indexed as HTML, a
# search for "strong" or "span" matched every article with such a tag. Migration 0005
# built the first index over body_html, and names that column.
BODY = "body_text"


def _triggers(body: str) -> dict[str, str]:
    columns = f"title, summary, {body}"
    return {
        "store_article_fts_ai": (
            "AFTER INSERT ON store_article BEGIN "  # noqa: S608
            f"INSERT INTO {FTS_TABLE}(rowid, {columns}) "
            f"VALUES (new.id, new.title, new.summary, new.{body}); END"
        ),
        "store_article_fts_ad": (
            "AFTER DELETE ON store_article BEGIN "  # noqa: S608
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) "
            f"VALUES ('delete', old.id, old.title, old.summary, old.{body}); END"
        ),
        "store_article_fts_au": (
            f"AFTER UPDATE OF {columns} ON store_article BEGIN "  # noqa: S608
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {columns}) "
            f"VALUES ('delete', old.id, old.title, old.summary, old.{body}); "
            f"INSERT INTO {FTS_TABLE}(rowid, {columns}) "
            f"VALUES (new.id, new.title, new.summary, new.{body}); END"
        ),
    }


_TRIGGERS = _triggers(BODY)

# Tags are replaced by a space so "<p>end</p><p>start" does not glue two words together.
_PG_BODY_TEXT = "regexp_replace(body_html, '<[^>]*>', ' ', 'g')"
_PG_VECTOR_EXPR = (
    "setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(summary, '')), 'B') || "
    f"setweight(to_tsvector('english'::regconfig, {_PG_BODY_TEXT}), 'C')"
)


def create_statements(vendor: str, body: str = BODY) -> list[str]:
    """DDL for the search index on this database (none on others: search then finds nothing
    rather than failing); `body` is the SQLite index's body column."""
    if vendor == "sqlite":
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            f"title, summary, {body}, content='store_article', content_rowid='id', "
            "tokenize='porter unicode61 remove_diacritics 2')",
            *trigger_statements(body),
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",  # noqa: S608
        ]
    if vendor == "postgresql":
        return [
            f"ALTER TABLE store_article ADD COLUMN IF NOT EXISTS {PG_VECTOR} tsvector "
            f"GENERATED ALWAYS AS ({_PG_VECTOR_EXPR}) STORED",
            f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON store_article USING GIN ({PG_VECTOR})",
        ]
    return []


def drop_statements(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in _TRIGGERS] + [
            f"DROP TABLE IF EXISTS {FTS_TABLE}"
        ]
    if vendor == "postgresql":
        return [
            f"DROP INDEX IF EXISTS {PG_INDEX}",
            f"ALTER TABLE store_article DROP COLUMN IF EXISTS {PG_VECTOR}",
        ]
    return []


def trigger_statements(body: str = BODY) -> list[str]:
    return [f"CREATE TRIGGER IF NOT EXISTS {name} {sql}" for name, sql in _triggers(body).items()]


def repair_index() -> bool:
    """Re-create the FTS5 triggers when they are gone, and rebuild the index then.

    SQLite has no ALTER for most column changes, so Django migrates by copying store_article
    into a new table and dropping the old one, which drops its triggers with it. Called after
    every migrate; returns whether anything had to be repaired.
    """
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cur.fetchall()}
        if FTS_TABLE not in present or set(_TRIGGERS) <= present:
            return False
        for statement in trigger_statements():
            cur.execute(statement)
        cur.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
    return True


def tidy_index() -> bool:
    """Merge the FTS5 index into one b-tree (SQLite; PostgreSQL's GIN index needs nothing).

    Every transaction that adds articles writes a small segment, and FTS5's own merging
    leaves a large import in a dozen or more; each query then walks them all. Measured on
    the 100,000-article bench archive, 15 segments merged into one cut a search's cost
    10 to 15%, for 0.5 s of merging. It rewrites the whole index, so it is worth doing
    after a large import only (pipeline.update). Returns whether it ran.
    """
    if connection.vendor != "sqlite":
        return False
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")  # noqa: S608
    return True


# --- the query language --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """What a reader asked for: every term must match, no excluded term may."""

    terms: tuple[str, ...]  # words and phrases; a phrase holds a space
    excluded: tuple[str, ...]

    @property
    def empty(self) -> bool:
        # Exclusions alone would mean "every article but these": not a search.
        return not self.terms


_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def parse_query(text: str) -> ParsedQuery:
    """Words, "phrases" (an unclosed quote runs to the end) and -exclusions.

    Punctuation inside a word splits it as the tokenizers do ("zero-enrichment" is the
    phrase "zero enrichment"), so a word can never smuggle in query syntax.
    """
    terms: list[str] = []
    excluded: list[str] = []
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        raw = phrase if phrase is not None else bare
        if phrase is None and bare.startswith("-") and len(bare) > 1:
            negated, raw = "-", bare[1:]
        words = _WORD.findall(raw.lower())
        if not words:
            continue
        term = " ".join(words)
        target = excluded if negated else terms
        if term not in target:
            target.append(term)
    return ParsedQuery(tuple(terms[:MAX_TERMS]), tuple(excluded[:MAX_TERMS]))


def fts5_match(query: ParsedQuery) -> str:
    """The FTS5 MATCH expression: every term a quoted string, so none is read as syntax."""
    wanted = " AND ".join(f'"{t}"' for t in query.terms)
    if not query.excluded:
        return wanted
    unwanted = " OR ".join(f'"{t}"' for t in query.excluded)
    return f"({wanted}) NOT ({unwanted})"


def websearch_text(query: ParsedQuery) -> str:
    """The same query in websearch_to_tsquery's syntax (which never raises on bad input)."""
    parts = [f'"{t}"' if " " in t else t for t in query.terms]
    parts += [f'-"{t}"' if " " in t else f"-{t}" for t in query.excluded]
    return " ".join(parts)


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: reads.ArticleView
    title_html: str  # escaped, matches in <mark>
    snippet_html: str  # escaped, matches in <mark>


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: ParsedQuery
    hits: tuple[SearchHit, ...]
    has_more: bool


@dataclass(frozen=True, slots=True)
class Filters:
    source_slug: str | None = None
    category_slug: str | None = None  # a category's slug, or its name in any case
    source_id: int | None = None
    before: tuple[datetime, int] | None = None  # only articles older than (sort_at, id)


_TAG = re.compile(r"<[^>]*>")
_MARKERS = re.compile(f"([{OPEN}{CLOSE}])")


def marked_html(raw: str, *, from_html: bool) -> str:
    """Text with OPEN/CLOSE markers to escaped HTML with <mark>.

    A snippet cut from body_html can begin or end inside a tag, so the cut-off pieces go too;
    in sanitized HTML a bare '>' or '<' is always markup (text has &gt; and &lt;).
    """
    text = raw
    if from_html:
        first_open, first_close = text.find("<"), text.find(">")
        if first_close != -1 and (first_open == -1 or first_close < first_open):
            text = text[first_close + 1 :]
        text = _TAG.sub(" ", text)
        cut = text.rfind("<")
        if cut != -1:
            text = text[:cut] + "…"
        text = html.unescape(text)
    text = " ".join(text.split())
    # A stripped tag may have held one marker of a pair; keep them balanced. Split on the
    # markers (odd indexes) rather than walking every character: a page has forty of these.
    out, depth = [], 0
    for index, piece in enumerate(_MARKERS.split(html.escape(text, quote=False))):
        if index % 2 == 0:
            out.append(piece)
        elif piece == OPEN:
            if depth == 0:
                out.append("<mark>")
            depth += 1
        else:
            if depth == 1:
                out.append("</mark>")
            depth = max(0, depth - 1)
    if depth:
        out.append("</mark>")
    return "".join(out)


def _filter_sql(filters: Filters, params: list[Any]) -> str:
    sql = ""
    if filters.before is not None:
        when, article_id = filters.before
        sql += " AND (a.sort_at < %s OR (a.sort_at = %s AND a.id < %s))"
        params += [when, when, article_id]
    if filters.source_id is not None:
        sql += " AND a.source_id = %s"
        params.append(filters.source_id)
    if filters.source_slug:
        sql += " AND a.source_id = (SELECT s.id FROM store_source s WHERE s.slug = %s)"
        params.append(filters.source_slug)
    if filters.category_slug:
        sql += (
            " AND EXISTS (SELECT 1 FROM store_article_categories ac"
            " JOIN store_category c ON c.id = ac.category_id"
            " WHERE ac.article_id = a.id AND (c.slug = %s OR lower(c.name) = lower(%s)))"
        )
        params += [filters.category_slug, filters.category_slug]
    return sql


def _ranked_ids(query: ParsedQuery, filters: Filters, limit: int, offset: int) -> list[int]:
    if connection.vendor == "sqlite":
        if filters == Filters():
            return _sqlite_ranked_unfiltered(fts5_match(query), limit, offset)
        return _sqlite_ranked_filtered(fts5_match(query), filters, limit, offset)
    if connection.vendor != "postgresql":
        return []
    params: list[Any] = [websearch_text(query), Article.Status.PUBLISHED]
    where = _filter_sql(filters, params)
    sql = (
        "SELECT a.id FROM store_article a, websearch_to_tsquery('english', %s) q "  # noqa: S608
        f"WHERE a.{PG_VECTOR} @@ q AND a.status = %s{where} "
        f"ORDER BY ts_rank_cd(a.{PG_VECTOR}, q) DESC, a.id DESC "
        "LIMIT %s OFFSET %s"
    )
    params += [limit, offset]
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [int(row[0]) for row in cur.fetchall()]


_BM25 = f"bm25({FTS_TABLE}, {', '.join(str(w) for w in SQLITE_WEIGHTS)})"


def _sqlite_ranked_filtered(match: str, filters: Filters, limit: int, offset: int) -> list[int]:
    params: list[Any] = [match, Article.Status.PUBLISHED]
    where = _filter_sql(filters, params)
    sql = (
        f"SELECT a.id FROM {FTS_TABLE} f JOIN store_article a ON a.id = f.rowid "  # noqa: S608
        f"WHERE {FTS_TABLE} MATCH %s AND a.status = %s{where} "
        f"ORDER BY {_BM25}, a.id DESC LIMIT %s OFFSET %s"
    )
    return [int(row[0]) for row in rawsql.rows(sql, [*params, limit, offset])]


def _sqlite_ranked_unfiltered(match: str, limit: int, offset: int) -> list[int]:
    """Rank inside the FTS index alone, then drop what is not published.

    Joining every match to store_article just to check its status costs more than the
    ranking itself for a common word (140 ms against 50 at 100,000 articles); held and
    rejected articles are few, so a window a little wider than the page nearly always holds
    enough published ones, and it widens when it does not.
    """
    want = offset + limit
    window = want + 32
    while True:
        ranked = [
            int(row[0])
            for row in rawsql.rows(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s "  # noqa: S608
                f"ORDER BY {_BM25}, rowid DESC LIMIT %s",
                [match, window],
            )
        ]
        published: set[int] = set()
        if ranked:
            marks = ", ".join(["%s"] * len(ranked))
            sql = f"SELECT id FROM store_article WHERE id IN ({marks}) AND status = %s"  # noqa: S608
            published = {
                int(row[0]) for row in rawsql.rows(sql, [*ranked, Article.Status.PUBLISHED.value])
            }
        kept = [i for i in ranked if i in published]
        if len(kept) >= want or len(ranked) < window:
            return kept[offset:want]
        window *= 4


def _marked_texts(query: ParsedQuery, ids: list[int]) -> dict[int, tuple[str, str, bool]]:
    """id -> (title with markers, snippet with markers, whether the snippet comes from HTML)."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    if connection.vendor == "sqlite":
        sql = (
            f"SELECT rowid, highlight({FTS_TABLE}, 0, %s, %s), "  # noqa: S608
            f"snippet({FTS_TABLE}, 2, %s, %s, '…', {SNIPPET_WORDS}), "
            f"snippet({FTS_TABLE}, 1, %s, %s, '…', {SNIPPET_WORDS}) "
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid IN ({marks})"
        )
        params: list[Any] = [OPEN, CLOSE] * 3 + [fts5_match(query), *ids]
    else:
        options = (
            f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
            'MaxFragments=2, FragmentDelimiter=" … "'
        )
        sql = (
            "SELECT a.id, ts_headline('english', a.title, q, %s), "  # noqa: S608
            f"ts_headline('english', {_PG_BODY_TEXT}, q, %s), "
            "ts_headline('english', a.summary, q, %s) "
            "FROM store_article a, websearch_to_tsquery('english', %s) q "
            f"WHERE a.id IN ({marks})"
        )
        # The whole title, marked: with MaxFragments set, ts_headline cuts fragments even
        # under HighlightAll ("Harbour dredging & you" came back as "Harbour dredging").
        whole = f"HighlightAll=true, StartSel={OPEN}, StopSel={CLOSE}"
        params = [whole, options, options, websearch_text(query)]
        params += ids
    html_body = connection.vendor != "sqlite"
    return {int(r[0]): _snippet(r[1], r[2], r[3], html_body) for r in rawsql.rows(sql, params)}


def _snippet(
    title: str, body: str | None, summary: str | None, html_body: bool = False
) -> tuple[str, str, bool]:
    """(title, snippet, whether the snippet comes from HTML), all with markers. The body's
    snippet is of its words on SQLite (body_text), of its tag-stripped HTML on PostgreSQL,
    which keeps the entities (&lt;): `html_body` says which, so they are unescaped once."""
    # The body usually shows the match in context; the summary when the body lacks it.
    if OPEN in (body or ""):
        return title, body or "", html_body
    if OPEN in (summary or ""):
        return title, summary or "", False
    return title, "", False


# FTS5's own ranking (ORDER BY rank), with the weights of _BM25.
_RANK = f"bm25({', '.join(str(w) for w in SQLITE_WEIGHTS)})"
# Rows read past the page, so that FTS5's order among equal ranks can be made ours (below).
TIE_MARGIN = 8


def _sqlite_first_page(
    query: ParsedQuery, want: int
) -> tuple[list[int], dict[int, tuple[str, str, bool]]] | None:
    """The best `want` published matches and their marked texts in one pass, or None when
    equal ranks at the cut leave the order to the ranking query.

    Ordered by its rank column, FTS5 ranks every match itself and hands the rows over best
    first, so the join to the article's status and the snippets run for the rows read only:
    the ranking query and the snippet query each walked every match (0.9 against 1.2 ms a
    bench search, on average). FTS5 leaves the order among equal ranks open; ours gives them
    to the newer article (the higher id), so a few more rows are read and sorted again, and
    when the last of them still ties the row at the cut, an unread row could belong above
    the cut: None, and the two queries decide.
    """
    read = want + TIE_MARGIN
    sql = (
        f"SELECT f.rowid, f.rank, highlight({FTS_TABLE}, 0, %s, %s), "  # noqa: S608
        f"snippet({FTS_TABLE}, 2, %s, %s, '…', {SNIPPET_WORDS}), "
        f"snippet({FTS_TABLE}, 1, %s, %s, '…', {SNIPPET_WORDS}) "
        f"FROM {FTS_TABLE} f JOIN store_article a ON a.id = f.rowid "
        f"WHERE {FTS_TABLE} MATCH %s AND f.rank MATCH %s AND a.status = %s "
        "ORDER BY f.rank LIMIT %s"
    )
    params: list[Any] = [OPEN, CLOSE] * 3
    params += [fts5_match(query), _RANK, Article.Status.PUBLISHED.value, read]
    rows = rawsql.rows(sql, params)
    rows.sort(key=lambda row: (row[1], -row[0]))
    if len(rows) == read and rows[-1][1] == rows[want - 1][1]:
        return None
    rows = rows[:want]
    return [int(row[0]) for row in rows], {int(row[0]): _snippet(*row[2:]) for row in rows}


def search(
    text: str,
    *,
    filters: Filters | None = None,
    limit: int = 20,
    offset: int = 0,
    bodies: bool = True,
) -> SearchResults:
    """One page of ranked results; `has_more` says whether another page follows. Without
    `bodies` (a results page shows snippets), the hits' body_html is empty."""
    query = parse_query(text)
    if query.empty or limit <= 0:
        return SearchResults(query, (), False)
    filters = filters or Filters()
    first_page = None
    if connection.vendor == "sqlite" and filters == Filters() and offset <= 0:
        first_page = _sqlite_first_page(query, limit + 1)
    if first_page is not None:
        ids, marked = first_page
    else:
        ids = _ranked_ids(query, filters, limit + 1, max(0, offset))
    has_more = len(ids) > limit
    ids = ids[:limit]
    views = {v.id: v for v in reads.articles_by_id(ids, bodies=bodies)}
    if first_page is None:
        marked = _marked_texts(query, ids)
    hits = []
    for article_id in ids:
        view = views.get(article_id)
        if view is None:  # unpublished between the two queries
            continue
        title, snippet, is_html = marked.get(article_id, (view.title, "", False))
        snippet_html = marked_html(snippet, from_html=is_html) if snippet else ""
        if not snippet_html:
            snippet_html = html.escape(view.summary, quote=False)
        hits.append(
            SearchHit(view, marked_html(title or view.title, from_html=False), snippet_html)
        )
    return SearchResults(query, tuple(hits), has_more)


def search_records(query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """The best `limit` matches as public article records (CLI `search`), best first."""
    query_parsed = parse_query(query)
    if query_parsed.empty or limit <= 0:
        return []
    ids = _ranked_ids(query_parsed, Filters(), limit, 0)
    return reads.article_records_by_id(ids)


def search_record_page(
    text: str, *, filters: Filters, offset: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """Ranked public records for the API: (records, whether more follow)."""
    query = parse_query(text)
    if query.empty or limit <= 0:
        return [], False
    ids = _ranked_ids(query, filters, limit + 1, max(0, offset))
    return reads.article_records_by_id(ids[:limit]), len(ids) > limit


def filter_choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(slug, name) of every source and category, for the search form's filters."""

    def load() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        sources = list(Source.objects.order_by("name").values_list("slug", "name"))
        categories = list(Category.objects.order_by("name").values_list("slug", "name"))
        return sources, categories

    choices: tuple[list[tuple[str, str]], list[tuple[str, str]]] = reads.shared(
        "search-filters", load
    )
    return choices
