"""ConditionalGetMiddleware's ETag, hashed with SHA-1 instead of MD5.

Add "newsdesk.site.etags.ContentETagMiddleware" to MIDDLEWARE just after
ConditionalGetMiddleware: responses pass back through middleware in reverse order, so this
sets the ETag first and ConditionalGetMiddleware, finding one, compares it with the
reader's If-None-Match as before. The ETag of a page is a hash of its bytes either way; on
this machine MD5 takes 45 µs for a 30 KB page and SHA-1 (in hardware) 17 µs, which was 5% of
an uncached article page (bench/README.md).
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import cc_delim_re
from django.utils.deprecation import MiddlewareMixin
from django.utils.http import quote_etag


def content_etag(content: bytes) -> str:
    return quote_etag(hashlib.sha1(content, usedforsecurity=False).hexdigest())


class ContentETagMiddleware(MiddlewareMixin):
    # a process_response hook, so the lean path for anonymous pages (anonymous_pages.py)
    # applies exactly this

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # where ConditionalGetMiddleware would set one, under its conditions
        if request.method == "GET" and not response.streaming and not response.has_header("ETag"):
            content = response.content  # type: ignore[attr-defined]
            if content and _storable(response):
                response.headers["ETag"] = content_etag(content)
        return response


def _storable(response: HttpResponseBase) -> bool:
    """No "no-store" in Cache-Control (ConditionalGetMiddleware.needs_etag)."""
    directives = cc_delim_re.split(response.get("Cache-Control", ""))
    return all(directive.lower() != "no-store" for directive in directives)
