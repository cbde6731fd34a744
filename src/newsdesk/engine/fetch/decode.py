"""Content-Encoding decoding that never holds more than the body cap in memory.

httpx inflates each network chunk in one call, so one 64 KB chunk of a gzip bomb can become
60 MB before anyone counts it. Here every decompressor is asked for at most `_PIECE` bytes at a
time, and the running total is checked after each piece.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Protocol

from newsdesk.errors import BodyTooLargeError, FetchError

_PIECE = 64 * 1024


class _CorruptBody(Exception):
    pass


class _Stage(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...


class _Zlib:
    def __init__(self, wbits: int | None) -> None:
        # None: HTTP "deflate", which is zlib-wrapped by the spec but raw from some servers.
        self._wbits = wbits
        self._inflate: zlib._Decompress | None = None
        self._head = b""

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._inflate is None:
            if self._wbits is None and len(self._head + data) < 2:
                self._head += data  # a slow server may send the 2-byte header one byte at a time
                return
            data, self._head = self._head + data, b""
            wbits = self._wbits if self._wbits is not None else _deflate_wbits(data)
            self._inflate = zlib.decompressobj(wbits)
        while True:
            try:
                out = self._inflate.decompress(data, _PIECE)
            except zlib.error as e:
                raise _CorruptBody(str(e)) from e
            data = self._inflate.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < _PIECE:
                return


def _deflate_wbits(head: bytes) -> int:
    zlib_header = head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
    return zlib.MAX_WBITS if zlib_header else -zlib.MAX_WBITS


class _Brotli:
    def __init__(self) -> None:
        import brotli

        self._error: type[Exception] = brotli.error
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            out: bytes = self._decompressor.process(data, output_buffer_limit=_PIECE)
            if out:
                yield out
            while not self._decompressor.can_accept_more_data():
                out = self._decompressor.process(b"", output_buffer_limit=_PIECE)
                if not out:
                    return
                yield out
        except self._error as e:
            raise _CorruptBody(str(e)) from e


def _stage(encoding: str) -> _Stage | None:
    if encoding in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return _Zlib(None)
    if encoding == "br":
        return _Brotli()
    return None


class BoundedDecoder:
    """Feed raw body chunks, get decoded bytes; BodyTooLargeError once more than `limit`
    either way. The raw chunks of an encoded body are kept too (`wire`), under the same cap."""

    def __init__(self, content_encoding: str, limit: int, url: str) -> None:
        names = [e.strip().lower() for e in content_encoding.split(",")]
        self._stages: list[_Stage] = []
        # Encodings are listed in the order they were applied; undo them last to first.
        for name in reversed(names):
            if name in ("", "identity"):
                continue
            stage = _stage(name)
            if stage is None:
                raise FetchError(f"fetch: unsupported Content-Encoding {name!r} from {url}", url)
            self._stages.append(stage)
        self._limit = limit
        self._url = url
        self._raw = 0
        self._total = 0
        self._parts: list[bytes] = []
        self._wire: list[bytes] = []

    def feed(self, chunk: bytes) -> None:
        self._raw += len(chunk)
        if self._raw > self._limit:
            self._too_large()
        if self._stages:
            self._wire.append(chunk)
        try:
            for piece in self._run(chunk, 0):
                self._total += len(piece)
                if self._total > self._limit:
                    self._too_large()
                self._parts.append(piece)
        except _CorruptBody as e:
            raise FetchError(f"fetch: cannot decode the body of {self._url}: {e}", self._url) from e

    def content(self) -> bytes:
        return b"".join(self._parts)

    def wire(self) -> bytes | None:
        """The body as fed, when it was encoded (None: it is the content itself)."""
        return b"".join(self._wire) if self._stages else None

    def _run(self, data: bytes, index: int) -> Iterator[bytes]:
        if index == len(self._stages):
            yield data
            return
        for piece in self._stages[index].decode(data):
            yield from self._run(piece, index + 1)

    def _too_large(self) -> None:
        raise BodyTooLargeError(
            f"fetch: body of {self._url} is larger than {self._limit} bytes", self._url
        )


def decoded(body: bytes, content_encoding: str, limit: int, url: str) -> bytes:
    """A whole body in `content_encoding`, decoded under the same cap as a streamed one."""
    decoder = BoundedDecoder(content_encoding, limit, url)
    decoder.feed(body)
    return decoder.content()
