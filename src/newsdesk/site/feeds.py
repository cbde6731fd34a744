"""The site's own feeds: RSS 2.0, Atom and JSON Feed 1.1, with full content.

Each entry carries the whole article (lead image, body, and the attribution line appended) so
a reader in a feed reader still sees where the text first appeared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed, SyndicationFeed
from django.utils.html import format_html
from django.utils.http import http_date
from django.utils.xmlutils import SimplerXMLGenerator

from newsdesk.site import attribution, caching, media
from newsdesk.site.articles import article_path
from newsdesk.store import reads

FEED_SIZE = 50
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"


@dataclass(frozen=True, slots=True)
class FeedScope:
    site: reads.SiteInfo
    base: str  # scheme://host of this request, for absolute links
    category: reads.CategoryRef | None = None
    source: reads.SourceRef | None = None

    @property
    def name(self) -> str:
        if self.category is not None:
            return f"{self.site.name}: {self.category.name}"
        if self.source is not None:
            return f"{self.site.name}: {self.source.name}"
        return self.site.name

    @property
    def home(self) -> str:
        """The page this feed follows."""
        if self.category is not None:
            return f"/category/{self.category.slug}/"
        if self.source is not None:
            return f"/source/{self.source.slug}/"
        return "/"

    def articles(self) -> list[reads.ArticleView]:
        return reads.feed_articles(
            category_slug=self.category.slug if self.category else None,
            source_slug=self.source.slug if self.source else None,
            limit=FEED_SIZE,
        )

    def absolute(self, path: str) -> str:
        return self.base + path if path.startswith("/") else path


def _scope(
    request: HttpRequest, category_slug: str | None = None, source_slug: str | None = None
) -> FeedScope:
    category = source = None
    if category_slug is not None:
        category = reads.category(category_slug)
        if category is None:
            raise Http404("no such category")
    if source_slug is not None:
        source = reads.source(source_slug)
        if source is None:
            raise Http404("no such source")
    base = request.build_absolute_uri("/").rstrip("/")
    return FeedScope(site=reads.site_settings(), base=base, category=category, source=source)


def content_html(scope: FeedScope, article: reads.ArticleView) -> str:
    """The full entry: figure, body, attribution line, link to the original."""
    parts: list[str] = []
    if article.image is not None:
        image = article.image
        caption = format_html(
            "<figcaption>{} <small>{}</small></figcaption>", image.caption, image.credit
        )
        parts.append(
            format_html(
                '<figure><img src="{}" alt="{}">{}</figure>',
                scope.absolute(media.media_url(image.url)),
                image.alt,
                caption if (image.caption or image.credit) else "",
            )
        )
    # The body was sanitized by the pipeline; only demo links are rewritten, to absolute ones.
    parts.append(article.body_html.replace(media.DEMO_PREFIX, scope.base + media.LOCAL_PREFIX))
    line = attribution.article_attribution(scope.site.attribution_template, article)
    parts.append(format_html("<p>{}</p>", line))
    if article.url:
        parts.append(format_html('<p><a href="{}">Continue Reading</a></p>', article.url))
    return "\n".join(parts)


class _FullContentRss(Rss201rev2Feed):
    def rss_attributes(self) -> dict[str, str]:
        attrs = dict(super().rss_attributes())
        attrs["xmlns:content"] = CONTENT_NS
        return attrs

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])
        if item.get("source_name"):
            handler.addQuickElement("source", item["source_name"], {"url": item["source_feed_url"]})


class _FullContentAtom(Atom1Feed):
    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class SiteRssFeed(Feed):  # type: ignore[type-arg]
    feed_type: type[SyndicationFeed] = _FullContentRss

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedScope:
        return _scope(request, kwargs.get("category"), kwargs.get("source"))

    def title(self, obj: FeedScope) -> str:
        return obj.name

    def link(self, obj: FeedScope) -> str:
        return obj.home

    def description(self, obj: FeedScope) -> str:
        return obj.site.tagline

    def items(self, obj: FeedScope) -> list[reads.ArticleView]:
        return obj.articles()

    def item_title(self, item: reads.ArticleView) -> str:
        return item.title

    def item_link(self, item: reads.ArticleView) -> str:
        return article_path(item)

    def item_description(self, item: reads.ArticleView) -> str:
        return item.summary

    def item_pubdate(self, item: reads.ArticleView) -> datetime:
        return item.date

    def item_updateddate(self, item: reads.ArticleView) -> datetime:
        return item.updated or item.date

    def item_author_name(self, item: reads.ArticleView) -> str | None:
        return item.author or None

    def item_categories(self, item: reads.ArticleView) -> list[str]:
        return [c.name for c in item.categories]

    # the article's audio or video, for podcast apps; RSS 2.0 allows one per item
    enclosure_limit: int | None = 1

    def item_enclosures(self, item: reads.ArticleView) -> list[Enclosure]:
        files = item.media[: self.enclosure_limit]
        return [Enclosure(f.url, str(f.length or 0), f.type) for f in files]

    def get_feed(self, obj: FeedScope, request: HttpRequest) -> Any:
        # One instance per request (see rss() below), so keeping the scope here is safe.
        self._scope = obj
        return super().get_feed(obj, request)

    def item_extra_kwargs(self, item: reads.ArticleView) -> dict[str, Any]:
        return {
            "content_html": content_html(self._scope, item),
            "source_name": item.source.name,
            "source_feed_url": item.source.feed_url,
        }


class SiteAtomFeed(SiteRssFeed):
    feed_type = _FullContentAtom
    enclosure_limit = None

    def subtitle(self, obj: FeedScope) -> str:
        return obj.site.tagline


def rss(
    request: HttpRequest, category: str | None = None, source: str | None = None
) -> HttpResponse:
    response = SiteRssFeed()(request, category=category, source=source)
    caching.public(request, response, caching.FEED_MAX_AGE)
    return response


def atom(
    request: HttpRequest, category: str | None = None, source: str | None = None
) -> HttpResponse:
    response = SiteAtomFeed()(request, category=category, source=source)
    caching.public(request, response, caching.FEED_MAX_AGE)
    return response


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _attachment(file: reads.MediaFile) -> dict[str, Any]:
    found: dict[str, Any] = {"url": file.url, "mime_type": file.type}
    if file.length:
        found["size_in_bytes"] = file.length
    return found


def json_feed(
    request: HttpRequest, category: str | None = None, source: str | None = None
) -> HttpResponse:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    scope = _scope(request, category, source)
    items = []
    articles = scope.articles()
    for article in articles:
        item: dict[str, Any] = {
            "id": scope.absolute(article_path(article)),
            "url": scope.absolute(article_path(article)),
            "title": article.title,
            "content_html": content_html(scope, article),
            "summary": article.summary,
            "date_published": _iso(article.date),
            "tags": [c.name for c in article.categories],
        }
        if article.url:
            item["external_url"] = article.url
        if article.updated:
            item["date_modified"] = _iso(article.updated)
        if article.author:
            item["authors"] = [{"name": article.author}]
        if article.image is not None:
            item["image"] = scope.absolute(media.media_url(article.image.url))
        if article.media:
            item["attachments"] = [_attachment(f) for f in article.media]
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": scope.name,
        "home_page_url": scope.absolute(scope.home),
        "feed_url": request.build_absolute_uri(request.path),
        "description": scope.site.tagline,
        "language": "en",
        "items": items,
    }
    body = json.dumps(document, ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/feed+json; charset=utf-8")
    if items:
        # as the RSS and Atom views do: the newest entry's date, for If-Modified-Since
        newest = max(a.updated or a.date for a in articles)
        response["Last-Modified"] = http_date(newest.timestamp())
    caching.public(request, response, caching.FEED_MAX_AGE)
    return response
