"""For crawlers and feed readers: /robots.txt, the sitemaps, /opml.xml.

/sitemap.xml is an index naming a Google News sitemap (the last 48 hours), one sitemap of the
category and source pages, and the article sitemaps. Article sitemaps cover id ranges of
ARTICLES_PER_SITEMAP, so each is one range scan on the primary key and a new article only
ever changes the last one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from newsdesk.pipeline.subscribe import export_opml
from newsdesk.site import caching
from newsdesk.store import reads

ARTICLES_PER_SITEMAP = 10_000  # the protocol allows 50,000; smaller files regenerate faster
NEWS_WINDOW = timedelta(hours=48)  # Google News only reads articles from the last two days
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
XML = "application/xml; charset=utf-8"


def _w3c(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _xml(request: HttpRequest, body: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XML)
    caching.public(request, response, caching.FEED_MAX_AGE)
    return response


def _urlset(request: HttpRequest, entries: Iterable[str], *, news: bool = False) -> HttpResponse:
    namespaces = f'xmlns="{SITEMAP_NS}"' + (f' xmlns:news="{NEWS_NS}"' if news else "")
    body = "".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>\n',
            f"<urlset {namespaces}>\n",
            *entries,
            "</urlset>\n",
        ]
    )
    return _xml(request, body)


def _url(loc: str, lastmod: datetime | None = None, extra: str = "") -> str:
    mod = f"<lastmod>{_w3c(lastmod)}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{mod}{extra}</url>\n"


def robots_txt(request: HttpRequest) -> HttpResponse:
    base = _base(request)
    lines = [
        "User-agent: *",
        # Search results duplicate the articles and cost a query each; the admin is private.
        "Disallow: /search",
        "Disallow: /admin/",
        "Disallow: /api/",
        "",
        f"Sitemap: {base}/sitemap.xml",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    caching.public(request, response, caching.FEED_MAX_AGE)
    return response


def sitemap_index(request: HttpRequest) -> HttpResponse:
    base = _base(request)
    now = timezone.now()
    locations = [(f"{base}/sitemap-news.xml", now), (f"{base}/sitemap-sections.xml", None)]
    pages = reads.max_published_id() // ARTICLES_PER_SITEMAP + 1
    locations += [(f"{base}/sitemap-articles-{n}.xml", None) for n in range(1, pages + 1)]
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n', f'<sitemapindex xmlns="{SITEMAP_NS}">\n']
    for loc, mod in locations:
        stamp = f"<lastmod>{_w3c(mod)}</lastmod>" if mod else ""
        parts.append(f"<sitemap><loc>{escape(loc)}</loc>{stamp}</sitemap>\n")
    parts.append("</sitemapindex>\n")
    return _xml(request, "".join(parts))


def sitemap_articles(request: HttpRequest, number: int) -> HttpResponse:
    if number < 1 or (number - 1) * ARTICLES_PER_SITEMAP > reads.max_published_id():
        raise Http404("no such sitemap")
    base = _base(request)
    lo = (number - 1) * ARTICLES_PER_SITEMAP
    rows = reads.sitemap_articles(lo, lo + ARTICLES_PER_SITEMAP)
    return _urlset(request, (_url(f"{base}/article/{r.id}/{r.slug}/", r.lastmod) for r in rows))


def sitemap_sections(request: HttpRequest) -> HttpResponse:
    base = _base(request)
    entries = [_url(f"{base}/")]
    entries += [_url(f"{base}/{s.kind}/{s.slug}/", s.lastmod) for s in reads.sections()]
    return _urlset(request, entries)


def sitemap_news(request: HttpRequest) -> HttpResponse:
    """The Google News sitemap: articles of the last 48 hours, with publication and title."""
    base = _base(request)
    site = reads.site_settings()
    publication = (
        f"<news:publication><news:name>{escape(site.name)}</news:name>"
        "<news:language>en</news:language></news:publication>"
    )
    entries = []
    for row in reads.news_since(timezone.now() - NEWS_WINDOW):
        news = (
            f"<news:news>{publication}"
            f"<news:publication_date>{_w3c(row.published)}</news:publication_date>"
            f"<news:title>{escape(row.title)}</news:title></news:news>"
        )
        entries.append(_url(f"{base}/article/{row.id}/{row.slug}/", extra=news))
    return _urlset(request, entries, news=True)


def opml(request: HttpRequest) -> HttpResponse:
    site = reads.site_settings()
    body = export_opml(f"{site.name}: sources")
    response = HttpResponse(body, content_type="text/x-opml; charset=utf-8")
    caching.public(request, response, caching.FEED_MAX_AGE)
    return response
