"""The lists of articles: front page, one category, source, place, author or story.
Keyset-paginated."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest

from newsdesk.site import caching
from newsdesk.site.layout import render_page
from newsdesk.store import reads

PAGE_SIZE = 20


class BadCursor(ValueError):
    pass


def _before(request: HttpRequest) -> tuple[datetime, int] | None:
    raw = request.GET.get("before")
    if not raw:
        return None
    parsed = reads.parse_cursor(raw)
    if parsed is None:
        raise BadCursor(raw)
    return parsed


def front(request: HttpRequest) -> HttpResponse:
    if not request.GET:
        # The page a spike hits: served from the micro cache (see caching.MicroCache).
        return caching.pages.serve(request, lambda: _front(request, None))
    try:
        before = _before(request)
    except BadCursor:
        return HttpResponseBadRequest("bad page cursor\n", content_type="text/plain")
    return _front(request, before)


def _bodies() -> bool:
    """Whether the cards show whole bodies: a list of excerpts leaves them unread."""
    return reads.site_settings().listing_style == "full"


def _front(request: HttpRequest, before: tuple[datetime, int] | None) -> HttpResponse:
    page = reads.front_page(before=before, limit=PAGE_SIZE, bodies=_bodies())
    return render_page(request, "site/front.html", {"page": page, "is_first_page": before is None})


PageOf = Callable[..., reads.Page]


def _listing(
    request: HttpRequest, pages: PageOf, key: str, heading: str, kind: str, **extra: Any
) -> HttpResponse:
    """One page of a listing: `pages(key, before=, limit=, bodies=)` gives the articles."""
    try:
        before = _before(request)
    except BadCursor:
        return HttpResponseBadRequest("bad page cursor\n", content_type="text/plain")
    page = pages(key, before=before, limit=PAGE_SIZE, bodies=_bodies())
    context = {"page": page, "heading": heading, "kind": kind, "is_first_page": before is None}
    return render_page(request, "site/listing.html", {**context, **extra})


def category(request: HttpRequest, slug: str) -> HttpResponse:
    ref = reads.category(slug)
    if ref is None:
        raise Http404("no such category")
    return _listing(
        request,
        reads.category_page,
        slug,
        ref.name,
        "Category",
        current_category=ref.slug,
        feed_url=f"/category/{ref.slug}/rss.xml",
    )


def source(request: HttpRequest, slug: str) -> HttpResponse:
    ref = reads.source(slug)
    if ref is None:
        raise Http404("no such source")
    return _listing(
        request,
        reads.source_page,
        slug,
        ref.name,
        "Source",
        source=ref,
        feed_url=f"/source/{ref.slug}/rss.xml",
    )


def place(request: HttpRequest, slug: str) -> HttpResponse:
    ref = reads.place(slug)
    if ref is None:
        raise Http404("no such place")
    return _listing(request, reads.place_page, slug, ref.name, "Place")


def author(request: HttpRequest, slug: str) -> HttpResponse:
    name = reads.author(slug)
    if name is None:
        raise Http404("no such author")
    return _listing(request, reads.author_page, slug, name, "Author")


def story(request: HttpRequest, story_id: int) -> HttpResponse:
    try:
        before = _before(request)
    except BadCursor:
        return HttpResponseBadRequest("bad page cursor\n", content_type="text/plain")
    page = reads.story_page(story_id, before=before, limit=PAGE_SIZE, bodies=_bodies())
    if not page.items and before is None:
        raise Http404("no such story")
    sources = sorted({a.source.name for a in page.items})
    return render_page(
        request,
        "site/listing.html",
        {
            "page": page,
            "heading": page.items[-1].title if page.items else "Story",
            "kind": "Story",
            "note": "Reported by " + ", ".join(sources) if sources else "",
            "is_first_page": before is None,
        },
    )
