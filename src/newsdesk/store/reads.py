"""Read queries for the site, the API and the CLI: plain frozen dataclasses and dicts out.

Nothing above store/ sees a queryset. Every listing costs a constant number of queries
(select_related for the source, one prefetch for categories), and lists page by keyset
(`before=<sort_at>,<id>`) rather than OFFSET so deep pages stay as cheap as the first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Max, Prefetch, Q, QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.text import slugify

from newsdesk.store import articleviews, carriers, pagereads
from newsdesk.store.models import Article, Carrier, Category, Place, SiteSettings, Source

# The page values live in articleviews (pagereads builds them too); callers know them as reads.*
ArticleView = articleviews.ArticleView
MediaFile = articleviews.MediaFile
CategoryRef = articleviews.CategoryRef
ImageView = articleviews.ImageView
SourceRef = articleviews.SourceRef

PUBLISHED = Article.Status.PUBLISHED
DEFAULT_SOCIAL_LINKS = [{"label": "RSS", "url": "/feed/rss.xml"}]
DEFAULT_FOOTER = "Copyright © {year} {name}"
# Two answers every page needs are costly on a big archive and change seldom: the nav's
# busiest categories (a count over every article) and the pinned articles (no index picks
# them out). Each process keeps them this long; a save in the same process forgets them.
SHARED_SECONDS = 30
# Pinned articles sit above the newest on the front page; a cap keeps a forgetful editor from
# pushing the news itself off the first page.
MAX_PINNED = 5
# The nav's categories are the busiest among this many newest articles: the news of the last
# days, not of the archive's whole life.
NAV_RECENT = 2000


@dataclass(frozen=True, slots=True)
class Page:
    items: tuple[ArticleView, ...]
    next_cursor: str | None  # pass back as `before` for the next, older page


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class SiteInfo:
    name: str
    tagline: str
    social_links: tuple[Link, ...]
    footer: str
    attribution_template: str
    listing_style: str
    time_zone: str
    logo_url: str = ""


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    id: int
    slug: str
    lastmod: datetime


@dataclass(frozen=True, slots=True)
class NewsEntry:
    id: int
    slug: str
    title: str
    published: datetime


@dataclass(frozen=True, slots=True)
class SectionEntry:
    kind: str  # "category" or "source"
    slug: str
    lastmod: datetime | None


@dataclass(frozen=True, slots=True)
class StoryLink:
    id: int
    slug: str
    title: str
    source_name: str


# --- per-process memo of the shared answers --------------------------------------------

_memo: dict[str, tuple[float, Any]] = {}
_generation = [0]  # bumped whenever the memo is dropped; page caches above compare it


def shared(key: str, compute: Callable[[], Any]) -> Any:
    """`compute()`, remembered by this process for SHARED_SECONDS (or until a save)."""
    return _shared(key, compute)


def _shared(key: str, compute: Callable[[], Any]) -> Any:
    now = time.monotonic()
    hit = _memo.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = compute()
    _memo[key] = (now + SHARED_SECONDS, value)
    return value


def forget_shared(*args: Any, **kwargs: Any) -> None:
    """Drop the memo (a signal receiver, so it takes and ignores any arguments)."""
    _memo.clear()
    _generation[0] += 1


def shared_generation() -> int:
    """Changes whenever this process saw a write that may change what pages show."""
    return _generation[0]


for _model in (Article, Category, Source, SiteSettings):
    post_save.connect(forget_shared, sender=_model, dispatch_uid=f"reads-memo-save-{_model}")
    post_delete.connect(forget_shared, sender=_model, dispatch_uid=f"reads-memo-del-{_model}")
m2m_changed.connect(forget_shared, sender=Article.categories.through, dispatch_uid="reads-memo-m2m")


# --- cursors -------------------------------------------------------------------------------


def make_cursor(sort_at: datetime, article_id: int) -> str:
    return f"{sort_at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')},{article_id}"


def parse_cursor(cursor: str) -> tuple[datetime, int] | None:
    """The (sort_at, id) a `before` cursor names, or None when it is not one of ours."""
    stamp, _, raw_id = cursor.partition(",")
    try:
        when = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        article_id = int(raw_id)
    except ValueError:
        return None
    # ids are 64-bit; a bigger number would overflow the database parameter
    return (when, article_id) if 0 < article_id < 2**63 else None


# --- mapping rows to plain data ------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _article_slug(a: Article) -> str:
    return a.slug or slugify(a.title)[:80].strip("-") or "article"


def _source_ref(s: Source) -> SourceRef:
    # only when the query joined the policy: a listing must not cost a query per card
    policy = getattr(s, "policy", None) if Source.policy.is_cached(s) else None
    return SourceRef(
        id=s.pk,
        name=s.name,
        slug=s.slug,
        feed_url=s.feed_url,
        site_url=s.site_url,
        attribution_template=policy.attribution_template if policy else "",
        canonical_to_original=policy.canonical_to_original if policy else True,
    )


def _categories(a: Article) -> list[Category]:
    # Relies on the prefetch; sorting here keeps the order stable without another query.
    return sorted(a.categories.all(), key=lambda c: c.name)


def _view(a: Article) -> ArticleView:
    image = None
    if a.image_url:
        image = ImageView(
            url=a.image_url,
            caption=a.image_caption,
            credit=a.image_credit,
            alt=a.image_alt or a.image_caption or "",
            width=a.image_width,
            height=a.image_height,
        )
    return ArticleView(
        id=a.pk,
        slug=_article_slug(a),
        url=a.url,
        guid=a.guid,
        title=a.title,
        author=a.author,
        published=a.published_at,
        updated=a.updated_at,
        sort_at=a.sort_at,
        summary=a.summary,
        body_html=a.body_html,
        source=_source_ref(a.source),
        categories=tuple(CategoryRef(c.name, c.slug) for c in _categories(a)),
        image=image,
        attribution_site=a.attribution_site,
        attribution_url=a.attribution_url,
        origin=a.origin,
        story_id=a.story_id,
        places=tuple(a.places or ()),
        pinned=a.pinned,
        author_slug=a.author_slug or "",
        media=pagereads.media_files(a.enclosures),
    )


def article_record(a: Article) -> dict[str, Any]:
    """The public article record (INTERFACE.md): `articles --json`, search, /api/articles."""
    image = None
    if a.image_url:
        image = {
            "url": a.image_url,
            "caption": a.image_caption,
            "credit": a.image_credit or None,
        }
    attribution = None
    if a.attribution_site:
        attribution = {"site": a.attribution_site, "url": a.attribution_url}
    return {
        "id": a.pk,
        "guid": a.guid,
        "url": a.url,
        "title": a.title,
        "author": a.author or None,
        "published": _iso(a.published_at),
        "updated": _iso(a.updated_at),
        "source": {"id": a.source.pk, "name": a.source.name, "feed_url": a.source.feed_url},
        "categories": [c.name for c in _categories(a)],
        "image": image,
        "summary": a.summary,
        "body_html": a.body_html,
        "attribution": attribution,
        "story": a.story_id,
        "places": list(a.places or []),
        "enclosures": [
            {"url": e.get("url"), "type": e.get("type") or None, "length": e.get("length")}
            for e in a.enclosures or []
            if isinstance(e, dict) and e.get("url")
        ],
        # other sources whose feeds carried the same article (store.carriers)
        "carriers": [
            {"id": c.source.pk, "name": c.source.name, "feed_url": c.source.feed_url}
            for c in a.carriers.all()
        ],
    }


# --- queries -------------------------------------------------------------------------------


def _published() -> QuerySet[Article]:
    return (
        Article.objects.filter(status=PUBLISHED)
        .select_related("source", "source__policy")
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("name")),
            Prefetch(
                "carriers",
                queryset=Carrier.objects.select_related("source").order_by("first_seen_at", "id"),
            ),
        )
        .order_by("-sort_at", "-id")
    )


def _older_than(qs: QuerySet[Article], before: tuple[datetime, int] | None) -> QuerySet[Article]:
    if before is None:
        return qs
    when, article_id = before
    # The redundant `sort_at <= when` lets SQLite walk the (status, sort_at, id) index from
    # the cursor on; with the OR alone it scans from the newest row (15 ms vs 0.1 at 100k).
    return qs.filter(Q(sort_at__lt=when) | Q(id__lt=article_id), sort_at__lte=when)


def _page(
    kind: str, value: Any, before: tuple[datetime, int] | None, limit: int, bodies: bool
) -> Page:
    limit = max(1, limit)
    rows = pagereads.newest(kind, value, before=before, limit=limit + 1, bodies=bodies)
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = make_cursor(rows[-1].sort_at, rows[-1].id) if more and rows else None
    return Page(items=tuple(rows), next_cursor=cursor)


def article_records(
    *, source_id: int | None = None, category: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Published articles newest first, as public records; `category` is a name or a slug."""
    qs = _published()
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    if category is not None:
        qs = qs.filter(Q(categories__name__iexact=category) | Q(categories__slug=category))
        qs = qs.distinct()
    return [article_record(a) for a in qs[: max(0, limit)]]


def articles_by_id(ids: list[int], *, bodies: bool = True) -> list[ArticleView]:
    """Published articles in the order of `ids` (a ranking made elsewhere); missing ones
    skipped. Without `bodies`, each one's body_html is empty."""
    return pagereads.by_ids(ids, bodies=bodies)


def article_records_by_id(ids: list[int]) -> list[dict[str, Any]]:
    rows = {a.pk: a for a in _published().filter(pk__in=ids)}
    return [article_record(rows[i]) for i in ids if i in rows]


def front_page(
    *, before: tuple[datetime, int] | None = None, limit: int = 20, bodies: bool = True
) -> Page:
    """Pinned articles (first page only), then the newest; the cursor pages the unpinned.
    Without `bodies` (a listing of excerpts), each article's body_html is empty."""
    unpinned = _page("front", None, before, limit, bodies)
    if before is not None:
        return unpinned
    pinned: tuple[ArticleView, ...] = _shared(
        f"pinned-{bodies}",
        lambda: tuple(pagereads.newest("pinned", limit=MAX_PINNED, bodies=bodies)),
    )
    return Page(items=pinned + unpinned.items, next_cursor=unpinned.next_cursor)


def category(slug: str) -> CategoryRef | None:
    row = Category.objects.filter(slug=slug).first()
    return CategoryRef(row.name, row.slug) if row else None


def category_page(
    slug: str, *, before: tuple[datetime, int] | None = None, limit: int = 20, bodies: bool = True
) -> Page:
    return _page("category", slug, before, limit, bodies)


def place(slug: str) -> CategoryRef | None:
    row = Place.objects.filter(slug=slug).first()
    return CategoryRef(row.name, row.slug) if row else None


def place_page(
    slug: str, *, before: tuple[datetime, int] | None = None, limit: int = 20, bodies: bool = True
) -> Page:
    return _page("place", slug, before, limit, bodies)


def author(slug: str) -> str | None:
    """The name an author slug stands for (as its newest published article spells it)."""
    row = (
        Article.objects.filter(author_slug=slug, status=PUBLISHED)
        .order_by("-sort_at")
        .values_list("author", flat=True)
        .first()
    )
    return row or None


def author_page(
    slug: str, *, before: tuple[datetime, int] | None = None, limit: int = 20, bodies: bool = True
) -> Page:
    return _page("author", slug, before, limit, bodies)


def source(slug: str) -> SourceRef | None:
    row = Source.objects.filter(slug=slug).first()
    return _source_ref(row) if row else None


def source_page(
    slug: str, *, before: tuple[datetime, int] | None = None, limit: int = 20, bodies: bool = True
) -> Page:
    return _page("source", slug, before, limit, bodies)


def story_page(
    story_id: int,
    *,
    before: tuple[datetime, int] | None = None,
    limit: int = 20,
    bodies: bool = True,
) -> Page:
    """Every published article grouped into one story, across sources."""
    return _page("story", story_id, before, limit, bodies)


def article(article_id: int) -> ArticleView | None:
    """One published article; held, rejected and unknown ids all read as missing."""
    return pagereads.article(article_id)


def carried_by(article_id: int) -> list[carriers.CarrierRef]:
    """The other sources whose feeds carried this article, in the order they brought it."""
    return carriers.of_article(article_id)


def story_siblings(
    story_id: int, *, exclude_id: int, first_source: int | None = None, limit: int = 10
) -> list[StoryLink]:
    """Other published articles on the same story ("Also covered by"): those of other
    sources than `first_source` first, then newest first."""
    rows = pagereads.story_members(
        story_id, exclude_id=exclude_id, first_source=first_source, limit=limit
    )
    return [StoryLink(*row) for row in rows]


def feed_articles(
    *, category_slug: str | None = None, source_slug: str | None = None, limit: int = 50
) -> list[ArticleView]:
    if limit <= 0:
        return []
    if category_slug is not None and source_slug is not None:
        qs = _published().filter(categories__slug=category_slug, source__slug=source_slug)
        return [_view(a) for a in qs[:limit]]
    if category_slug is not None:
        return pagereads.newest("category", category_slug, limit=limit)
    if source_slug is not None:
        return pagereads.newest("source", source_slug, limit=limit)
    return pagereads.newest("all", limit=limit)


def nav_categories(limit: int = 8) -> list[CategoryRef]:
    """The busiest categories of the newest articles (NAV_RECENT), alphabetically, for the nav.

    Capped so that a site with dozens of feed tags keeps a nav that fits on a phone.
    """
    result: list[CategoryRef] = _shared(f"nav-{limit}", lambda: _nav_categories(limit))
    return result


def _nav_categories(limit: int) -> list[CategoryRef]:
    rows = pagereads.busiest_categories(recent=NAV_RECENT, limit=limit)
    return sorted((CategoryRef(name, slug) for name, slug in rows), key=lambda c: c.name.lower())


def _links(raw: Iterable[Any]) -> tuple[Link, ...]:
    links = []
    for item in raw:
        if isinstance(item, dict) and item.get("url"):
            links.append(Link(label=str(item.get("label") or item["url"]), url=str(item["url"])))
    return tuple(links)


def site_settings() -> SiteInfo:
    """The publisher's settings (row pk=1, created with the defaults when missing)."""
    info: SiteInfo = _shared("site", _site_settings)
    return info


def _site_settings() -> SiteInfo:
    row, _ = SiteSettings.objects.get_or_create(
        pk=1,
        defaults={"social_links": DEFAULT_SOCIAL_LINKS, "footer": DEFAULT_FOOTER},
    )
    # Only {year} and {name} are filled in; str.format would choke on a stray brace.
    footer = row.footer.replace("{year}", str(timezone.now().year)).replace("{name}", row.name)
    return SiteInfo(
        name=row.name,
        tagline=row.tagline,
        social_links=_links(row.social_links or ()),
        footer=footer,
        attribution_template=row.attribution_template,
        listing_style=row.listing_style,
        time_zone=row.time_zone or "UTC",
        logo_url=row.logo_url if row.logo_url.startswith(("https://", "/")) else "",
    )


# --- crawlers: sitemaps and OPML -----------------------------------------------------------


def max_published_id() -> int:
    row = Article.objects.filter(status=PUBLISHED).order_by("-id").values_list("id", flat=True)
    return int(row.first() or 0)


def sitemap_articles(lo_id: int, hi_id: int) -> list[SitemapEntry]:
    """Published articles with lo_id <= id < hi_id: sitemap pages are id ranges, so a page is
    one index range scan however deep it is."""
    rows = (
        Article.objects.filter(status=PUBLISHED, id__gte=lo_id, id__lt=hi_id)
        .order_by("id")
        .values_list("id", "slug", "title", "updated_at", "sort_at")
    )
    return [
        SitemapEntry(pk, slug or slugify(title)[:80].strip("-") or "article", updated or sort_at)
        for pk, slug, title, updated, sort_at in rows
    ]


def news_since(since: datetime, *, limit: int = 1000) -> list[NewsEntry]:
    """Articles published since `since`, newest first (a Google News sitemap holds 1,000)."""
    rows = (
        Article.objects.filter(status=PUBLISHED, sort_at__gte=since)
        .order_by("-sort_at", "-id")
        .values_list("id", "slug", "title", "published_at", "sort_at")[:limit]
    )
    return [
        NewsEntry(pk, slug or slugify(title)[:80].strip("-") or "article", title, pub or sort_at)
        for pk, slug, title, pub, sort_at in rows
    ]


def sections() -> list[SectionEntry]:
    """Every category and source with something published, with its newest article's date."""
    out: list[SectionEntry] = []
    newest = Max("articles__sort_at", filter=Q(articles__status=PUBLISHED))
    for slug, when in (
        Category.objects.annotate(newest=newest)
        .filter(newest__isnull=False)
        .order_by("slug")
        .values_list("slug", "newest")
    ):
        out.append(SectionEntry("category", slug, when))
    for slug, when in (
        Source.objects.annotate(newest=newest)
        .filter(newest__isnull=False)
        .order_by("slug")
        .values_list("slug", "newest")
    ):
        out.append(SectionEntry("source", slug, when))
    return out


# --- the JSON API --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


def _source_filter(qs: QuerySet[Article], source: str) -> QuerySet[Article]:
    """A source named by id or by slug."""
    if source.isascii() and source.isdigit() and len(source) <= 18:
        return qs.filter(source_id=int(source))
    return qs.filter(source__slug=source)


def article_record_page(
    *,
    source: str | None = None,
    category: str | None = None,
    place: str | None = None,
    before: tuple[datetime, int] | None = None,
    offset: int = 0,
    limit: int = 20,
) -> RecordPage:
    """Published articles newest first, keyset-paged like the site's lists (an offset is
    honoured too, for a cursor carried over from a search)."""
    qs = _published()
    if source:
        qs = _source_filter(qs, source)
    if category:
        ids = Category.objects.filter(Q(name__iexact=category) | Q(slug=category)).values("id")
        qs = qs.filter(categories__in=ids).distinct()
    if place:
        places = Place.objects.filter(Q(name__iexact=place) | Q(slug=place)).values("id")
        qs = qs.filter(place_tags__in=places).distinct()
    rows = list(_older_than(qs, before)[offset : offset + limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = make_cursor(rows[-1].sort_at, rows[-1].pk) if more and rows else None
    return RecordPage([article_record(a) for a in rows], cursor)


def source_api_record(s: Source) -> dict[str, Any]:
    return {
        "id": s.pk,
        "name": s.name,
        "slug": s.slug,
        "feed_url": s.feed_url,
        "site_url": s.site_url or None,
        "category": s.category.name if s.category else None,
        "enabled": s.enabled,
        "last_fetched": _iso(s.last_fetched_at),
        "last_status": s.last_status,
        "last_error": s.last_error or None,
        "consecutive_errors": s.consecutive_errors,
    }


def source_record_page(*, after_id: int = 0, limit: int = 20) -> RecordPage:
    """Every source by id; the cursor is the last id shown."""
    rows = list(
        Source.objects.filter(id__gt=after_id)
        .select_related("category")
        .order_by("id")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = str(rows[-1].pk) if more and rows else None
    return RecordPage([source_api_record(s) for s in rows], cursor)


def story_record_page(*, before_id: int | None = None, limit: int = 20) -> RecordPage:
    """Stories (articles grouped as one event across sources), newest story id first."""
    groups = Article.objects.filter(status=PUBLISHED, story_id__isnull=False)
    if before_id is not None:
        groups = groups.filter(story_id__lt=before_id)
    story_ids = [
        int(sid)
        for sid in groups.values_list("story_id", flat=True)
        .distinct()
        .order_by("-story_id")[: limit + 1]
        if sid is not None
    ]
    more = len(story_ids) > limit
    story_ids = story_ids[:limit]
    members: dict[int, list[Article]] = {sid: [] for sid in story_ids}
    for a in (
        Article.objects.filter(status=PUBLISHED, story_id__in=story_ids)
        .select_related("source", "source__policy")
        .order_by("sort_at", "id")
    ):
        members[int(a.story_id or 0)].append(a)
    items = []
    for sid in story_ids:
        rows = members[sid]
        if not rows:
            continue
        items.append(
            {
                "id": sid,
                # the first report names the story; later ones often retitle it
                "title": rows[0].title,
                "first_published": _iso(rows[0].published_at or rows[0].sort_at),
                "last_published": _iso(rows[-1].published_at or rows[-1].sort_at),
                "sources": sorted({a.source.name for a in rows}),
                "articles": [a.pk for a in rows],
            }
        )
    cursor = str(story_ids[-1]) if more and story_ids else None
    return RecordPage(items, cursor)
