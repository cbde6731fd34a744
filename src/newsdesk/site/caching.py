"""Cache headers for what anonymous readers get.

Pages, feeds, sitemaps and the API are the same for every reader who is not logged in, so a
shared cache (a CDN, nginx's proxy cache, a feed reader) may keep them briefly: news moves,
so the time is short. A logged-in editor's session cookie makes a response private.
ConditionalGetMiddleware adds the ETag (and answers 304); feeds also carry Last-Modified.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

from newsdesk.store import reads

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication

PAGE_MAX_AGE = 60  # seconds: a new article shows up within a minute
FEED_MAX_AGE = 300  # feed readers poll; five minutes keeps them cheap and still timely
STALE = 30  # a cache may serve a just-expired copy while it fetches the new one


def public(request: HttpRequest, response: HttpResponseBase, max_age: int = PAGE_MAX_AGE) -> None:
    if response.status_code != 200 or response.has_header("Cache-Control"):
        return
    if not _anonymous(request):
        patch_cache_control(response, private=True, no_cache=True)
        return
    # what patch_cache_control and patch_vary_headers write on a response without either
    # header, without their parsing (every uncached page comes through here)
    response.headers["Cache-Control"] = f"public, max-age={max_age}, stale-while-revalidate={STALE}"
    # the same URL answers differently to a logged-in editor
    if response.has_header("Vary"):
        patch_vary_headers(response, ["Cookie"])
    else:
        response.headers["Vary"] = "Cookie"


# --- a micro page cache for the busiest anonymous pages ------------------------------------

MICRO_SECONDS = 5  # a new article reaches the front page within five seconds


@dataclass
class _Entry:
    expires: float
    generation: int
    content: bytes
    headers: dict[str, str]


class MicroCache:
    """Keeps the rendered bytes of a few anonymous pages for MICRO_SECONDS, per process.

    The front page is what a traffic spike hits; rendering it once per five seconds instead
    of once per request is the difference between a small VPS coping or not. When an entry
    expires, one thread renders it again while the others keep serving the old bytes, so a
    spike never piles up renders. A write seen by this process (an editor saving, a fetch
    run in this process) drops every entry at once.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def serve(self, request: HttpRequest, render: Callable[[], HttpResponse]) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not _anonymous(request):
            return render()
        key = request.get_full_path()
        now = time.monotonic()
        generation = reads.shared_generation()
        entry = self._entries.get(key)
        fresh = entry is not None and entry.generation == generation
        if entry is not None and fresh and entry.expires > now:
            return _mark(_replay(entry))
        with self._lock:
            someone_else = key in self._refreshing
            if not someone_else:
                self._refreshing.add(key)
        if someone_else and entry is not None and fresh:
            return _mark(_replay(entry))  # slightly stale beats a pile of identical renders
        try:
            response = render()
            if response.status_code == 200 and not response.streaming:
                headers = {k: v for k, v in response.items() if k in _KEPT_HEADERS}
                self._entries[key] = _Entry(
                    now + MICRO_SECONDS, generation, response.content, headers
                )
                _mark(response)
            return response
        finally:
            if not someone_else:
                with self._lock:
                    self._refreshing.discard(key)


_KEPT_HEADERS = {"Content-Type", "Cache-Control", "Vary", "Content-Language"}


def _anonymous(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _mark(response: HttpResponse) -> HttpResponse:
    setattr(response, MARK, True)
    return response


def _replay(entry: _Entry) -> HttpResponse:
    response = HttpResponse(entry.content)
    for name, value in entry.headers.items():
        response[name] = value
    return response


pages = MicroCache()


# --- the same cache in front of every other middleware --------------------------------------

MARK = "micro_cacheable"  # attribute a view's response carries when it may be kept whole


@dataclass
class _Whole:
    expires: float
    generation: int
    content: bytes
    headers: list[tuple[str, str]]
    status: int


class MicroCacheMiddleware:
    """Replays a whole finished response (headers, compression, ETag) for pages their view
    marked cacheable, before any other middleware runs.

    Put it first in MIDDLEWARE. The view-level MicroCache already saves the render; this saves
    the middleware stack as well (sessions, CSRF, ETag hashing, gzip), which costs more than
    the cached page itself: it is what lets the front page keep up with a spike.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self._entries = _WHOLE

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method != "GET" or not _anonymous(request):
            return self.get_response(request)
        key = _key(request.META)
        entry = self._entries.get(key)
        now = time.monotonic()
        if (
            entry is not None
            and entry.expires > now
            and entry.generation == reads.shared_generation()
        ):
            return _whole_replay(request, entry)
        generation = reads.shared_generation()
        response = self.get_response(request)
        if (
            getattr(response, MARK, False)
            and isinstance(response, HttpResponse)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            self._entries[key] = _Whole(
                now + MICRO_SECONDS,
                generation,
                response.content,
                list(response.items()),
                response.status_code,
            )
        return response


# Whole responses by (raw path, raw query, Accept-Encoding), shared by the middleware (which
# fills it) and the WSGI wrapper below (which serves from it before Django is involved).
_WHOLE: dict[tuple[str, str, str], _Whole] = {}
_KEPT_ON_304 = ("ETag", "Cache-Control", "Vary", "Content-Security-Policy")


def _key(meta: Mapping[str, Any]) -> tuple[str, str, str]:
    return (
        str(meta.get("PATH_INFO", "")),
        str(meta.get("QUERY_STRING", "")),
        str(meta.get("HTTP_ACCEPT_ENCODING", "")),
    )


def wsgi_front_cache(application: WSGIApplication) -> WSGIApplication:
    """Serve what MicroCacheMiddleware kept straight from the WSGI environ.

    A replay through Django still builds a request, sends the request signals and walks the
    URL resolver's prelude; for the front page under a spike that is most of the work left.
    Here a fresh entry is written out before any of that; everything else (a miss, a
    logged-in editor, any method but GET) goes to Django unchanged. An expired entry sends
    one request to Django to render it again and serves the others the old copy meanwhile.
    """
    marker = settings.SESSION_COOKIE_NAME + "="
    refreshing: set[tuple[str, str, str]] = set()
    lock = threading.Lock()

    def replay(entry: _Whole, environ: dict[str, Any], start: StartResponse) -> list[bytes]:
        etag = next((v for k, v in entry.headers if k == "ETag"), None)
        if etag and etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start("304 Not Modified", [(k, v) for k, v in entry.headers if k in _KEPT_ON_304])
            return [b""]
        start(f"{entry.status} OK", entry.headers)
        return [entry.content]

    def serve(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or marker in environ.get("HTTP_COOKIE", ""):
            return application(environ, start_response)
        key = _key(environ)
        entry = _WHOLE.get(key)
        if entry is None or entry.generation != reads.shared_generation():
            return application(environ, start_response)
        if entry.expires > time.monotonic():
            return replay(entry, environ, start_response)
        # Expired: one request renders the page again while the others keep getting the
        # copy a moment past its time, so a spike never queues behind identical renders.
        with lock:
            someone_else = key in refreshing
            if not someone_else:
                refreshing.add(key)
        if someone_else:
            return replay(entry, environ, start_response)
        try:
            return application(environ, start_response)
        finally:
            with lock:
                refreshing.discard(key)

    return serve


def _whole_replay(request: HttpRequest, entry: _Whole) -> HttpResponse:
    headers = dict(entry.headers)
    etag = headers.get("ETag")
    if etag and etag in request.META.get("HTTP_IF_NONE_MATCH", ""):
        not_modified = HttpResponse(status=304)
        for name in _KEPT_ON_304:
            if name in headers:
                not_modified[name] = headers[name]
        return not_modified
    response = HttpResponse(entry.content, status=entry.status)
    for name, value in entry.headers:
        response[name] = value
    return response
