"""/websub/<id>/<token>: the callback a WebSub hub verifies (GET) and pushes to (POST).

CSRF does not apply (the hub has no session; the token in the URL and the HMAC signature
of each push are what authenticate it). Nothing here is cached.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsdesk.pipeline import websub
from newsdesk.store import reads

_CHUNK = 64 * 1024
_HEADERS = ("x-hub-signature", "content-type", "content-encoding", "link")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def callback(request: HttpRequest, subscription_id: int, token: str) -> HttpResponse:
    if request.method == "GET":
        query = {key: request.GET.get(key, "") for key in request.GET}
        return _answer(websub.verify_intent(subscription_id, token, query))
    body = _body(request, settings.NEWSDESK.max_body_bytes)
    if body is None:
        return HttpResponse("too large\n", status=413, content_type="text/plain")
    headers = {name: request.headers[name] for name in _HEADERS if name in request.headers}
    answer = websub.receive_push(settings.NEWSDESK, subscription_id, token, body, headers)
    if answer.imported:
        # this process's page memo and micro cache show the pushed articles at once
        reads.forget_shared()
    return _answer(answer)


def _body(request: HttpRequest, limit: int) -> bytes | None:
    """The raw body, read in pieces up to the fetcher's cap (None: larger). Not
    request.body: that is capped by DATA_UPLOAD_MAX_MEMORY_SIZE instead, and a pushed feed
    may be as large as a fetched one."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limit:
        return None
    parts: list[bytes] = []
    size = 0
    while True:
        piece = request.read(_CHUNK)
        if not piece:
            return b"".join(parts)
        size += len(piece)
        if size > limit:
            return None
        parts.append(piece)


def _answer(answer: websub.Answer) -> HttpResponse:
    response = HttpResponse(
        answer.body, status=answer.status, content_type="text/plain; charset=utf-8"
    )
    if answer.retry_after:
        response["Retry-After"] = str(answer.retry_after)
    return response
