"""The HTTP client of the fetch stage: polite conditional GETs with hard limits.

Every hop of a redirect chain is checked by the guard, bodies are decoded under a size cap
while they stream, and one deadline covers the whole exchange, so neither a gzip bomb nor a
server that drips one byte a second can hold a worker. Foreign errors leave as FetchError
subclasses whose one-line message starts with "fetch:".
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from newsdesk.config import Settings
from newsdesk.engine.fetch.decode import BoundedDecoder
from newsdesk.engine.fetch.guard import Resolver, check_url, check_url_form
from newsdesk.engine.fetch.links import hub_links
from newsdesk.engine.fetch.retry_after import parse_retry_after
from newsdesk.engine.fetch.wire import (
    Answer,
    Request,
    aiohttp_exchange,
    aiohttp_get,
    httpx_exchange,
    import_aiohttp,
    open_session,
)
from newsdesk.errors import (
    BodyTooLargeError,
    FetchError,
    FetchTimeoutError,
    HostPausedError,
    HTTPStatusError,
    TooManyRedirectsError,
)
from newsdesk.types import Fetched, FetchRequest

if TYPE_CHECKING:
    # httpx only serves in-process transports (tests, mounts) and joins redirect targets:
    # imported when one is used, not by every worker that only polls the network
    import httpx

_T = TypeVar("_T")

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# the only redirects that keep a POST a POST with its body (RFC 9110 15.4)
_SAME_METHOD = frozenset({307, 308})
_POST_ANSWER_BYTES = 4096  # of a hub's answer: enough for its error message
_PERMANENT = frozenset({301, 308})
_ACCEPT_FEED = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
_ACCEPT_PAGE = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
# a Retry-After on these is about the server, not the one URL: the whole host waits
_HOST_WAITS = frozenset({429, 503})
_LONGEST_PAUSE = 24 * 3600.0  # a Retry-After of a year is a misconfiguration, not a wish


class Fetcher:
    """An async context manager around one httpx client; share it across all fetches.

    `transport` replaces the network (tests pass httpx.MockTransport); URLs are still guarded,
    with `resolve` (or the system resolver) answering for their hosts. Without a transport,
    `resolve` is also what the connection dials, so the address checked is the one connected
    to. `mounts` serves some origins from elsewhere while the rest stays on the guarded
    network, e.g. {"https://demo.newsdesk.invalid": <transport over the bundled demo files>}.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolve: Resolver | None = None,
        mounts: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self._settings = settings
        self._resolve = resolve
        self._connect_guarded = transport is None
        self._headers = {
            "User-Agent": settings.user_agent,
            "Accept-Encoding": "gzip, deflate, br",
        }
        # the network goes through aiohttp (see wire.py); an in-process transport, or a
        # mount beside the network, through httpx, which can take them
        self._session: Any = None
        self._client: httpx.AsyncClient | None = None
        if transport is not None or mounts:
            import httpx

            from newsdesk.engine.fetch.connect import GuardedTransport

            limits = httpx.Limits(
                max_connections=max(settings.fetch_concurrency, settings.per_host_concurrency),
                max_keepalive_connections=max(settings.fetch_concurrency, 1),
                keepalive_expiry=30.0,
            )
            if transport is None:
                transport = GuardedTransport(
                    limits=limits,
                    allow_private=settings.allow_private_networks,
                    resolve=resolve,
                )
            self._client = httpx.AsyncClient(
                transport=transport,
                mounts=dict(mounts or {}),
                trust_env=False,
                follow_redirects=False,
                timeout=httpx.Timeout(
                    connect=settings.connect_timeout,
                    read=settings.read_timeout,
                    write=settings.read_timeout,
                    pool=settings.total_timeout,
                ),
                headers=self._headers,
            )
        self._host_slots: dict[str, asyncio.Semaphore] = {}
        # host -> (monotonic time it may be asked again, why it waits)
        self._paused: dict[str, tuple[float, str]] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _exchange_with(
        self, method: str, url: str, headers: Mapping[str, str], form: Mapping[str, str] | None
    ) -> contextlib.AbstractAsyncContextManager[Answer]:
        request = Request(method, url, headers, form)
        if self._client is not None:
            return httpx_exchange(self._client, request)
        if self._session is None:
            self._session = open_session(self._settings, self._resolve, self._headers)
        return aiohttp_exchange(self._session, request)

    def pause(self, host: str, seconds: float, reason: str) -> None:
        """Ask nothing of `host` for `seconds` (a pause it asked for in an earlier run)."""
        until = time.monotonic() + min(max(seconds, 0.0), _LONGEST_PAUSE)
        if until > self._paused.get(host, (0.0, ""))[0]:
            self._paused[host] = (until, reason)

    def paused_hosts(self) -> dict[str, tuple[float, str]]:
        """The hosts waiting now: seconds left and why."""
        now = time.monotonic()
        return {h: (until - now, why) for h, (until, why) in self._paused.items() if until > now}

    def _wait_asked(self, url: str, host: str) -> None:
        until, why = self._paused.get(host, (0.0, ""))
        left = until - time.monotonic()
        if left > 0:
            raise HostPausedError(
                f"fetch: not asked, {host} asked us to wait {left:.0f}s more ({why})",
                url,
                host,
                left,
            )

    async def fetch(self, req: FetchRequest) -> Fetched:
        """A feed, asked for conditionally: 304 gives Fetched(status=304, content=b"")."""
        headers = {"Accept": _ACCEPT_FEED}
        if req.etag:
            headers["If-None-Match"] = req.etag
        if req.last_modified:
            headers["If-Modified-Since"] = req.last_modified
        return await self._get(req.url, headers)

    async def get_page(self, url: str) -> Fetched:
        """A web page (feed discovery, full text): the same limits, no validators."""
        return await self._get(url, {"Accept": _ACCEPT_PAGE})

    async def post_form(self, url: str, form: Mapping[str, str]) -> Fetched:
        """A form POST (a WebSub subscription request) under the same guard, host slots,
        pauses and deadline as a GET. 307/308 are followed with the same body; any other
        answer is returned as it is, error statuses included, with at most the first few KB
        of its body (the hub's reason)."""
        url = "https:" + url if url.startswith("//") else url
        started = time.monotonic()
        deadline: float | None = None
        for _ in range(self._settings.max_redirects + 1):
            answer, deadline = await self._guarded(
                url, deadline, functools.partial(self._post_once, url, form)
            )
            if answer.status not in _SAME_METHOD:
                return replace(answer, elapsed=time.monotonic() - started)
            location = answer.headers.get("location", "").strip()
            if not location:
                raise FetchError(f"fetch: HTTP {answer.status} without a Location from {url}", url)
            url = _joined(url, location)
        limit = self._settings.max_redirects
        raise TooManyRedirectsError(f"fetch: more than {limit} redirects, last to {url}", url)

    async def _guarded(
        self, url: str, deadline: float | None, send: Callable[[], Awaitable[_T]]
    ) -> tuple[_T, float]:
        """One request inside the host's slot, after the pause and address checks, under
        the deadline of the whole fetch (returned, so redirects share it)."""
        host = _host_of(url)
        async with self._slot(host):
            # checked inside the slot: requests queued behind the one that got a 429 see
            # the pause it set
            self._wait_asked(url, host)
            if deadline is None:
                # The deadline starts once the first request may go out, not while queueing.
                deadline = asyncio.get_running_loop().time() + self._settings.total_timeout
            try:
                async with asyncio.timeout_at(deadline):
                    await self._check(url)
                    return await send(), deadline
            except TimeoutError as e:
                limit = self._settings.total_timeout
                raise FetchTimeoutError(
                    f"fetch: no complete answer within {limit:g}s from {url}", url
                ) from e

    async def _post_once(self, url: str, form: Mapping[str, str]) -> Fetched:
        with _as_fetch_errors(url):
            async with self._exchange_with("POST", url, {}, form) as answer:
                if answer.raw is None:  # an in-process transport's answer
                    return _fetched(url, answer, (answer.decoded or b"")[:_POST_ANSWER_BYTES])
                # raw, never inflated: only a reason to show is wanted, and a compressed
                # one stays short instead of growing into a bomb
                head = b""
                async for chunk in answer.raw:
                    head += chunk
                    if len(head) >= _POST_ANSWER_BYTES:
                        break
                return _fetched(url, answer, head[:_POST_ANSWER_BYTES])

    async def _get(self, url: str, headers: dict[str, str]) -> Fetched:
        url = "https:" + url if url.startswith("//") else url
        started = time.monotonic()
        deadline: float | None = None
        all_permanent = True
        for hop in range(self._settings.max_redirects + 1):
            # what the answer of this hop says, should it be the last one
            final = _Final(url if hop and all_permanent else None, started)
            outcome, deadline = await self._guarded(
                url, deadline, functools.partial(self._exchange, url, headers, final)
            )
            if isinstance(outcome, Fetched):
                return outcome
            status, url = outcome
            all_permanent = all_permanent and status in _PERMANENT
        limit = self._settings.max_redirects
        raise TooManyRedirectsError(f"fetch: more than {limit} redirects, last to {url}", url)

    async def _check(self, url: str) -> None:
        allow = self._settings.allow_private_networks
        if self._connect_guarded:
            # Names are resolved and checked by the connection itself (GuardedTransport).
            check_url_form(url, allow_private=allow)
        else:
            await asyncio.to_thread(check_url, url, allow_private=allow, resolve=self._resolve)

    def _slot(self, host: str) -> asyncio.Semaphore:
        slot = self._host_slots.get(host)
        if slot is None:
            slot = asyncio.Semaphore(max(1, self._settings.per_host_concurrency))
            self._host_slots[host] = slot
        return slot

    async def _exchange(
        self, url: str, headers: dict[str, str], final: _Final
    ) -> Fetched | tuple[int, str]:
        """One request: a Fetched answer, or (status, next URL) for a redirect."""
        try:
            if self._client is None:  # the network
                if self._session is None:
                    self._session = open_session(self._settings, self._resolve, self._headers)
                read = functools.partial(self._read, url, final=final)
                return await aiohttp_get(self._session, url, headers, read)
            async with self._exchange_with("GET", url, headers, None) as answer:
                return await self._read(url, answer, final)
        except Exception as e:  # as _as_fetch_errors, without a generator on every request
            failure = _fetch_error(e, url)
            if failure is e:
                raise
            raise failure from e

    async def _read(self, url: str, answer: Answer, final: _Final) -> Fetched | tuple[int, str]:
        status = answer.status
        if status in _REDIRECTS:
            location = answer.headers.get("location", "").strip()
            if not location:
                raise FetchError(f"fetch: HTTP {status} without a Location from {url}", url)
            return status, _joined(url, location)
        if status == 304:
            return _fetched(url, answer, b"", final=final)
        if status >= 400:
            retry_after = parse_retry_after(answer.headers.get("retry-after"))
            reason = answer.reason or "error"
            if status in _HOST_WAITS and retry_after:
                self.pause(_host_of(url), retry_after, f"HTTP {status} from {url}")
            raise HTTPStatusError(
                f"fetch: HTTP {status} {reason} from {url}", url, status, retry_after
            )
        if not 200 <= status < 300:
            raise FetchError(f"fetch: unexpected HTTP {status} from {url}", url)
        limit = self._settings.max_body_bytes
        encoding = answer.headers.get("content-encoding", "")
        declared = answer.headers.get("content-length", "")
        if encoding in ("", "identity") and declared.isdigit() and int(declared) > limit:
            raise BodyTooLargeError(
                f"fetch: body of {url} is larger than {limit} bytes ({declared} declared)", url
            )
        if answer.raw is None:
            # An in-process transport built the response from bytes, and httpx has already
            # decoded them; only the cap is left to apply.
            decoder = BoundedDecoder("", limit, url)
            decoder.feed(answer.decoded or b"")
        else:
            decoder = BoundedDecoder(encoding, limit, url)
            async for chunk in answer.raw:
                decoder.feed(chunk)
        return _fetched(url, answer, decoder.content(), decoder.wire(), final)


def _joined(url: str, location: str) -> str:
    """A redirect's target, read as the guard reads URLs (checked before it is asked)."""
    import httpx

    try:
        return str(httpx.URL(url).join(location))
    except httpx.InvalidURL as e:
        raise FetchError(f"fetch: bad redirect Location {location!r} from {url}", url) from e


@dataclass(frozen=True, slots=True)
class _Final:
    """What a hop's answer carries should it end the fetch: the URL the stored one moves to
    (every hop before it was permanent) and when the fetch began."""

    permanent_url: str | None = None
    started: float | None = None


_NOT_A_GET = _Final()


def _fetched(
    url: str,
    answer: Answer,
    content: bytes,
    wire: bytes | None = None,
    final: _Final = _NOT_A_GET,
) -> Fetched:
    headers = answer.headers
    hubs, self_url = hub_links(headers, url)
    return Fetched(
        url=url,
        status=answer.status,
        content=content,
        headers=headers,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        permanent_url=final.permanent_url,
        elapsed=0.0 if final.started is None else time.monotonic() - final.started,
        hubs=hubs,
        self_url=self_url,
        wire=wire,
        wire_encoding=headers.get("content-encoding", "") if wire is not None else "",
    )


def _timeout_kind(e: httpx.TimeoutException) -> str:
    import httpx

    kinds = {
        httpx.ConnectTimeout: "connecting",
        httpx.ReadTimeout: "reading",
        httpx.WriteTimeout: "sending",
        httpx.PoolTimeout: "waiting for a connection",
    }
    return next((kind for cls, kind in kinds.items() if isinstance(e, cls)), "the request")


def _network_kind(e: httpx.HTTPError) -> str:
    import httpx

    if isinstance(e, httpx.ConnectError):
        return "cannot connect"
    if isinstance(e, httpx.RemoteProtocolError | httpx.LocalProtocolError):
        return "broken HTTP answer"
    if isinstance(e, httpx.ReadError | httpx.WriteError):
        return "connection lost"
    return "network error"


@functools.lru_cache(maxsize=8192)  # asked twice a request; a worker asks the same URLs
def _host_of(url: str) -> str:
    """The host a URL's politeness slot and pause are kept under (the guard, run next inside
    the slot, checks the URL itself with the parser of the connection)."""
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""


@contextlib.contextmanager
def _as_fetch_errors(url: str) -> Iterator[None]:
    """httpx's and aiohttp's failures of one request as our FetchErrors, naming the URL."""
    try:
        yield
    except Exception as e:
        failure = _fetch_error(e, url)
        if failure is e:
            raise
        raise failure from e


def _fetch_error(e: Exception, url: str) -> Exception:
    """What a failure of one request is raised as: our own errors as they are (with the
    URL, which at connect time only the host knew), httpx's and aiohttp's as FetchErrors,
    anything else unchanged."""
    if isinstance(e, FetchError):
        e.url = e.url or url
        return e
    return _httpx_failure(e, url) or _aiohttp_failure(e, url) or e


def _httpx_failure(e: Exception, url: str) -> FetchError | None:
    """httpx's failures as our FetchErrors (None: not one of httpx's)."""
    httpx = sys.modules.get("httpx")
    if httpx is None:  # never imported, so nothing of it has run
        return None
    if isinstance(e, httpx.TimeoutException):
        return FetchTimeoutError(f"fetch: {_timeout_kind(e)} timed out for {url}", url)
    if isinstance(e, httpx.HTTPError):
        reason = str(e) or type(e).__name__
        return FetchError(f"fetch: {_network_kind(e)} for {url}: {reason}", url)
    return None


def _aiohttp_failure(e: Exception, url: str) -> FetchError | None:
    """aiohttp's failures as our FetchErrors (None: not one of aiohttp's)."""
    aiohttp = import_aiohttp()

    if isinstance(e, aiohttp.ServerTimeoutError):
        kind = "connecting" if isinstance(e, aiohttp.ConnectionTimeoutError) else "reading"
        return FetchTimeoutError(f"fetch: {kind} timed out for {url}", url)
    if not isinstance(e, aiohttp.ClientError | ValueError):
        return None
    if isinstance(e, aiohttp.ClientConnectorError):
        kind = "cannot connect"
    elif isinstance(e, aiohttp.ClientResponseError | aiohttp.ClientPayloadError):
        kind = "broken HTTP answer"
    elif isinstance(e, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
        kind = "connection lost"
    elif isinstance(e, aiohttp.InvalidURL):
        kind = "bad URL"
    elif not isinstance(e, aiohttp.ClientError):
        # aiohttp refuses a header with CR/LF ("Potential header injection attack") by a
        # plain ValueError: a validator a server sent us can hold them
        kind = "cannot send the request"
    else:
        kind = "network error"
    reason = str(e) or type(e).__name__
    return FetchError(f"fetch: {kind} for {url}: {reason}", url)
