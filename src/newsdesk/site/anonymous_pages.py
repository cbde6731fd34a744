"""The lean path: anonymous GETs of the public read-only pages, served without Django's
middleware chain.

An uncached article page cost about as much in Django's request handling as in its own view:
thirteen middleware layers, each wrapped for exceptions, a session, a user and a message store
set up for a reader who has none of them. Here the same request is resolved by the same
URLconf, the same view builds the same response, and then exactly the middleware hooks that
can change it run, in MIDDLEWARE's order, with Django's own code (SecurityMiddleware,
GZipMiddleware, ConditionalGetMiddleware, CsrfViewMiddleware ...): the bytes and headers a
reader gets are the ones the full stack gives, which a test holds both paths to.

What is served here: GET, no session, CSRF or messages cookie, a path the URLconf sends to
one of PAGES (the bare front page stays with the front cache in caching.py), and a view
answering 200 with a plain HttpResponse. Everything else, a 404, a redirect, a bad cursor, an
exception, goes to Django as if this module did not exist (a view that raised here runs again
there, where Django's error handling answers it). The middleware that is skipped is INERT
for such requests, each for the reason given; a middleware neither inert nor made only of
process_* hooks turns the lean path off.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signals
from django.core.exceptions import MiddlewareNotUsed
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest, get_script_name
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import ResolverMatch, get_resolver, set_script_prefix, set_urlconf
from django.urls.exceptions import Resolver404
from django.utils.deprecation import MiddlewareMixin
from django.utils.module_loading import import_string

from newsdesk.site import articles, caching, listings, search

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

# The public pages read by anonymous readers, uncached: articles, listings, search.
PAGES: frozenset[Callable[..., HttpResponse]] = frozenset(
    {
        articles.detail,
        listings.front,  # with a query (a deeper page); the bare front page is cached
        listings.category,
        listings.source,
        listings.place,
        listings.author,
        listings.story,
        search.search,
    }
)

# Middleware that does nothing to the requests served here, and why.
INERT: dict[str, str] = {
    "newsdesk.site.caching.MicroCacheMiddleware": (
        "keeps and replays only responses a view marked (the bare front page's), never one of these"
    ),
    "whitenoise.middleware.WhiteNoiseMiddleware": (
        "answers only the paths of static files, which go to Django here (STATIC_URL)"
    ),
    "django.contrib.sessions.middleware.SessionMiddleware": (
        "acts only on a session cookie or a session a view read; there is no cookie and the"
        " public views read none"
    ),
    "django.contrib.auth.middleware.AuthenticationMiddleware": (
        "request.user comes from the session; the public views never read it"
    ),
    "django.contrib.messages.middleware.MessageMiddleware": (
        "acts only on a messages cookie or messages a view added; neither happens here"
    ),
}


def _not_called(request: HttpRequest) -> HttpResponseBase:
    raise AssertionError("the lean path calls middleware hooks, never the chain")


def hook_middleware() -> list[MiddlewareMixin] | None:
    """The non-inert middleware of MIDDLEWARE, in order, or None when one of them is not
    made only of process_* hooks (its effect could not be applied faithfully here)."""
    hooks: list[MiddlewareMixin] = []
    for path in settings.MIDDLEWARE:
        if path in INERT:
            continue
        factory = import_string(path)
        if not (
            isinstance(factory, type)
            and issubclass(factory, MiddlewareMixin)
            and factory.__call__ is MiddlewareMixin.__call__
        ):
            logger.warning("lean page path off: %s is not a MiddlewareMixin of hooks", path)
            return None
        try:
            hooks.append(factory(_not_called))
        except MiddlewareNotUsed:
            continue
    return hooks


class LeanPages:
    """The WSGI application: the lean path in front of Django's handler."""

    def __init__(self, handler: WSGIHandler) -> None:
        self.handler = handler
        self.handler_class = type(handler)
        hooks = hook_middleware()
        self.enabled = hooks is not None
        hooks = hooks or []
        self.request_hooks = [m.process_request for m in hooks if hasattr(m, "process_request")]
        self.view_hooks = [m.process_view for m in hooks if hasattr(m, "process_view")]
        self.response_hooks = [
            m.process_response for m in reversed(hooks) if hasattr(m, "process_response")
        ]
        # a cookie of one of these makes the request a logged-in editor's or otherwise
        # stateful: Django's
        self.stateful_cookies = (
            settings.SESSION_COOKIE_NAME,
            settings.CSRF_COOKIE_NAME,
            getattr(settings, "MESSAGES_COOKIE_NAME", "messages"),
        )
        self.static_prefix = settings.STATIC_URL or "/static/"
        self.atomic_requests = any(db.get("ATOMIC_REQUESTS") for db in settings.DATABASES.values())

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        match = self._match(environ)
        if match is None:
            return self.handler(environ, start_response)
        request, resolved = match
        set_script_prefix(get_script_name(environ))
        signals.request_started.send(sender=self.handler_class, environ=environ)
        response: HttpResponseBase | None = None
        try:
            response = self._respond(request, resolved)
        except Exception:  # Django answers it, below, with its own handling
            response = None
        if response is None:
            # this request is over; Django serves the reader as if it had been first
            signals.request_finished.send(sender=self.handler_class)
            return self.handler(environ, start_response)
        response._handler_class = self.handler_class  # type: ignore[attr-defined]
        status = f"{response.status_code} {response.reason_phrase}"
        headers = [
            *response.items(),
            *(("Set-Cookie", c.output(header="")) for c in response.cookies.values()),
        ]
        start_response(status, headers)
        # the response is the iterable, as Django's handler returns it: the server's close()
        # sends request_finished
        return response

    def _match(self, environ: WSGIEnvironment) -> tuple[WSGIRequest, ResolverMatch] | None:
        if not self.enabled or environ.get("REQUEST_METHOD") != "GET":
            return None
        cookie = environ.get("HTTP_COOKIE", "")
        if cookie and any(name in cookie for name in self.stateful_cookies):
            return None
        path = environ.get("PATH_INFO", "")
        if path.startswith(self.static_prefix) or (path == "/" and not environ.get("QUERY_STRING")):
            return None
        request = WSGIRequest(environ)
        try:
            resolved = get_resolver().resolve(request.path_info)
        except Resolver404:
            return None
        if resolved.func not in PAGES:
            return None
        return request, resolved

    def _respond(self, request: WSGIRequest, resolved: ResolverMatch) -> HttpResponseBase | None:
        """What the middleware stack would answer, or None when Django must answer."""
        set_urlconf(settings.ROOT_URLCONF)
        for request_hook in self.request_hooks:
            if request_hook(request) is not None:
                return None
        request.resolver_match = resolved
        for view_hook in self.view_hooks:
            if view_hook(request, resolved.func, resolved.args, resolved.kwargs) is not None:
                return None
        view = resolved.func
        if self.atomic_requests:
            view = self.handler.make_view_atomic(view)
        response = view(request, *resolved.args, **resolved.kwargs)
        if (
            type(response) is not HttpResponse
            or response.status_code != 200
            or getattr(response, caching.MARK, False)
        ):
            return None
        out: HttpResponseBase = response
        for response_hook in self.response_hooks:
            out = response_hook(request, out)
        out._resource_closers.append(request.close)  # type: ignore[attr-defined]
        return out


def lean_pages(handler: WSGIHandler) -> WSGIApplication:
    return LeanPages(handler)
