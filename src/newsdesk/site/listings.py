"""The lists of articles: front page, one category, one source. Keyset-paginated."""

from __future__ import annotations

from datetime import datetime

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


def _front(request: HttpRequest, before: tuple[datetime, int] | None) -> HttpResponse:
    page = reads.front_page(before=before, limit=PAGE_SIZE)
    return render_page(request, "site/front.html", {"page": page, "is_first_page": before is None})


def category(request: HttpRequest, slug: str) -> HttpResponse:
    ref = reads.category(slug)
    if ref is None:
        raise Http404("no such category")
    try:
        before = _before(request)
    except BadCursor:
        return HttpResponseBadRequest("bad page cursor\n", content_type="text/plain")
    page = reads.category_page(slug, before=before, limit=PAGE_SIZE)
    return render_page(
        request,
        "site/listing.html",
        {
            "page": page,
            "heading": ref.name,
            "kind": "Category",
            "current_category": ref.slug,
            "feed_url": f"/category/{ref.slug}/rss.xml",
            "is_first_page": before is None,
        },
    )


def source(request: HttpRequest, slug: str) -> HttpResponse:
    ref = reads.source(slug)
    if ref is None:
        raise Http404("no such source")
    try:
        before = _before(request)
    except BadCursor:
        return HttpResponseBadRequest("bad page cursor\n", content_type="text/plain")
    page = reads.source_page(slug, before=before, limit=PAGE_SIZE)
    return render_page(
        request,
        "site/listing.html",
        {
            "page": page,
            "heading": ref.name,
            "kind": "Source",
            "source": ref,
            "feed_url": f"/source/{ref.slug}/rss.xml",
            "is_first_page": before is None,
        },
    )


def story(request: HttpRequest, story_id: int) -> HttpResponse:
    try:
        before = _before(request)
    except BadCursor:
        return HttpResponseBadRequest("bad page cursor\n", content_type="text/plain")
    page = reads.story_page(story_id, before=before, limit=PAGE_SIZE)
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
