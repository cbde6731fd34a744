"""The guard again at connect time: resolve once, check every answer, dial the checked address.

Checking a URL and then letting the socket layer resolve the name a second time leaves a gap
(DNS rebinding: public at check time, 127.0.0.1 at connect time). This backend closes it by
connecting to the very address it checked. TLS still verifies the certificate against the
host name, because httpcore passes the name to start_tls separately.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import Iterable

import anyio.to_thread
import httpcore
import httpx

from newsdesk.engine.fetch.guard import Resolver, checked_addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    def __init__(self, *, allow_private: bool, resolve: Resolver | None) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._resolve = resolve

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        check = functools.partial(
            checked_addresses,
            host,
            port,
            allow_private=self._allow_private,
            resolve=self._resolve,
        )
        addresses = await anyio.to_thread.run_sync(check, abandon_on_cancel=True)
        failure: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as e:
                failure = e
        assert failure is not None  # checked_addresses never returns an empty list
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("fetch: unix sockets are never used for fetching")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


@functools.cache
def ssl_context() -> ssl.SSLContext:
    # one for every pool: loading the CA bundle takes ~45 ms, and each pool used to load it
    # twice (httpx's own transport, then the rebuilt pool)
    return httpx.create_ssl_context(trust_env=False)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's HTTP/1.1 transport whose connections all go through GuardedBackend."""

    def __init__(
        self, *, limits: httpx.Limits, allow_private: bool, resolve: Resolver | None
    ) -> None:
        context = ssl_context()
        super().__init__(limits=limits, trust_env=False, verify=context)
        # httpx does not expose httpcore's network_backend, so the pool is rebuilt with it.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedBackend(allow_private=allow_private, resolve=resolve),
        )
