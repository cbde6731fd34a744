"""The JSON API: /api/articles, /api/sources, /api/stories, described by /api/openapi.json.

Every list answers {"items": [...], "next_cursor": str | null, "next": url | null}; pass
next_cursor back as ?cursor= for the following page. Cursors are opaque: a keyset position
for lists (cheap at any depth), a result offset for ranked searches. Bad input is a 400 with
{"error": "..."}; nothing a client sends can raise a 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from newsdesk.site import caching, openapi
from newsdesk.store import reads
from newsdesk.store import search as store_search

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SEARCH_CURSOR = "rank:"
MAX_SEARCH_OFFSET = 1000
JSON = "application/json"


class BadRequest(ValueError):
    pass


def _param(request: HttpRequest, name: str, max_length: int = 300) -> str | None:
    value = request.GET.get(name)
    if value is None or value == "":
        return None
    # PostgreSQL refuses NUL in text; a NUL can never match anything we store anyway.
    value = value.replace("\x00", "")
    if len(value) > max_length:
        raise BadRequest(f"{name} is longer than {max_length} characters")
    return value


def _limit(request: HttpRequest) -> int:
    if "limit" not in request.GET:
        return DEFAULT_LIMIT
    raw = request.GET["limit"]
    if len(raw) > 10:
        raise BadRequest("limit must be between 1 and 100")
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest("limit must be an integer") from None
    if not 1 <= value <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}")
    return value


def _is_id(raw: str) -> bool:
    """ASCII digits that fit a 64-bit primary key (int() also takes other scripts' digits)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= 18


def _int_cursor(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not _is_id(raw):
        raise BadRequest("cursor is not one this API gave out")
    return int(raw)


def _answer(request: HttpRequest, items: list[dict[str, Any]], cursor: str | None) -> HttpResponse:
    following = None
    if cursor is not None:
        query = {k: v for k, v in request.GET.items() if k != "cursor"}
        query["cursor"] = cursor
        following = request.build_absolute_uri(request.path) + "?" + urlencode(query)
    body = {"items": items, "next_cursor": cursor, "next": following}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _endpoint(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def wrapped(request: HttpRequest) -> HttpResponse:
        try:
            response = view(request)
        except BadRequest as e:
            response = JsonResponse({"error": str(e)}, status=400)
        # Public data: any page may fetch it (CORS), and a shared cache may keep it briefly.
        response["Access-Control-Allow-Origin"] = "*"
        caching.public(request, response)
        return response

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    # Read-only: any other method is a 405 (CSRF would answer 403 first; there is no state to
    # protect on a GET-only endpoint).
    return csrf_exempt(require_GET(wrapped))


@_endpoint
def articles(request: HttpRequest) -> HttpResponse:
    limit = _limit(request)
    source = _param(request, "source")
    category = _param(request, "category")
    place = _param(request, "place")
    q = _param(request, "q")
    cursor = _param(request, "cursor", 100)
    offset, before = 0, None
    if cursor is not None and cursor.startswith(SEARCH_CURSOR):
        raw = cursor.removeprefix(SEARCH_CURSOR)
        if not _is_id(raw) or len(raw) > 6:
            raise BadRequest("cursor is not one this API gave out")
        offset = int(raw)
    elif cursor is not None:
        before = reads.parse_cursor(cursor)
        if before is None:
            raise BadRequest("cursor is not one this API gave out")
    if q is not None:
        filters = store_search.Filters(
            source_id=int(source) if source and _is_id(source) else None,
            source_slug=source if source and not _is_id(source) else None,
            category_slug=category,
            before=before,
        )
        records, more = store_search.search_record_page(
            q, filters=filters, offset=offset, limit=limit
        )
        next_offset = offset + limit
        more = more and next_offset <= MAX_SEARCH_OFFSET
        return _answer(request, records, f"{SEARCH_CURSOR}{next_offset}" if more else None)
    page = reads.article_record_page(
        source=source, category=category, place=place, before=before, offset=offset, limit=limit
    )
    return _answer(request, page.items, page.next_cursor)


@_endpoint
def sources(request: HttpRequest) -> HttpResponse:
    limit = _limit(request)
    after = _int_cursor(_param(request, "cursor", 30)) or 0
    page = reads.source_record_page(after_id=after, limit=limit)
    return _answer(request, page.items, page.next_cursor)


@_endpoint
def stories(request: HttpRequest) -> HttpResponse:
    limit = _limit(request)
    before = _int_cursor(_param(request, "cursor", 30))
    page = reads.story_record_page(before_id=before, limit=limit)
    return _answer(request, page.items, page.next_cursor)


@_endpoint
def openapi_view(request: HttpRequest) -> HttpResponse:
    server = request.build_absolute_uri("/").rstrip("/")
    body = json.dumps(openapi.document(server), indent=1)
    return HttpResponse(body, content_type=JSON)
