"""/search?q=: ranked full-text search with highlighted snippets and source/category filters."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from markupsafe import Markup, escape

from newsdesk.site.layout import render_page
from newsdesk.store import reads
from newsdesk.store import search as store_search

PAGE_SIZE = 20
MAX_PAGE = 50  # past 1,000 results nobody reads; a crawler walking pages should stop


def _page_number(raw: str | None) -> int:
    try:
        number = int(raw or "1")
    except ValueError:
        return 1
    return min(max(1, number), MAX_PAGE)


def _clean(value: str) -> str:
    # PostgreSQL refuses NUL in text parameters; no slug or word contains one.
    return value.replace("\x00", "")


def _options(choices: list[tuple[str, str]], selected: str) -> Markup:
    # Two hundred sources make this the biggest piece of the page: one escape per value and
    # one join (format_html per option cost 10 ms a search on the bench archive).
    return Markup(  # noqa: S704 (every value is escaped)
        "".join(
            f'<option value="{escape(slug)}"{" selected" if slug == selected else ""}>'
            f"{escape(name)}</option>"
            for slug, name in choices
        )
    )


def _shared_options(kind: str, choices: list[tuple[str, str]], selected: str) -> Markup:
    """The options, remembered with the choices (most searches select nothing)."""
    if selected:
        return _options(choices, selected)
    options: Markup = reads.shared(f"search-options-{kind}", lambda: _options(choices, ""))
    return options


def search(request: HttpRequest) -> HttpResponse:
    text = _clean(request.GET.get("q", "")).strip()[:300]
    filters = store_search.Filters(
        source_slug=_clean(request.GET.get("source", ""))[:200] or None,
        category_slug=_clean(request.GET.get("category", ""))[:200] or None,
    )
    page = _page_number(request.GET.get("page"))
    results = (
        # the results show snippets, never a body
        store_search.search(
            text, filters=filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, bodies=False
        )
        if text
        else None
    )
    sources, categories = store_search.filter_choices()
    selected_source = filters.source_slug or ""
    selected_category = filters.category_slug or ""
    base = request.GET.copy()
    base.pop("page", None)
    context = {
        "q": text,
        "results": results,
        "page_number": page,
        "start_number": (page - 1) * PAGE_SIZE + 1,
        # Built here: a template loop over a few hundred sources costs more than the search.
        "source_options": _shared_options("source", sources, selected_source),
        "category_options": _shared_options("category", categories, selected_category),
        "previous_url": f"?{base.urlencode()}&page={page - 1}" if page > 1 else "",
        "next_url": (
            f"?{base.urlencode()}&page={page + 1}"
            if results and results.has_more and page < MAX_PAGE
            else ""
        ),
        # Result pages are not worth indexing: they duplicate the articles.
        "noindex": True,
    }
    return render_page(request, "site/search.html", context)
