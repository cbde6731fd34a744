"""BoundedDecoder directly: odd chunkings and the cap on undecoded bodies."""

from __future__ import annotations

import gzip
import zlib

import pytest

from newsdesk.engine.fetch.decode import BoundedDecoder, decoded
from newsdesk.errors import BodyTooLargeError, FetchError

BODY = b"<rss><channel><title>caf\xc3\xa9</title></channel></rss>" * 40


def feed_bytewise(decoder: BoundedDecoder, data: bytes) -> bytes:
    for index in range(len(data)):
        decoder.feed(data[index : index + 1])
    return decoder.content()


# mtime=0: the same bytes (and so the same test ids) in every xdist worker
@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("", BODY),
        ("identity", BODY),
        ("gzip", gzip.compress(BODY, mtime=0)),
        ("x-gzip", gzip.compress(BODY, mtime=0)),
        ("deflate", zlib.compress(BODY)),
        ("deflate", zlib.compress(BODY, wbits=-15)),
        ("GZIP", gzip.compress(BODY, mtime=0)),
    ],
)
def test_one_byte_at_a_time(encoding: str, data: bytes) -> None:
    decoder = BoundedDecoder(encoding, 1 << 20, "http://x.example/")
    assert feed_bytewise(decoder, data) == BODY


def test_exactly_at_the_cap_passes_one_more_byte_fails() -> None:
    decoder = BoundedDecoder("gzip", len(BODY), "http://x.example/")
    decoder.feed(gzip.compress(BODY, mtime=0))
    assert decoder.content() == BODY
    over = BoundedDecoder("gzip", len(BODY) - 1, "http://x.example/")
    with pytest.raises(BodyTooLargeError, match=r"http://x\.example/"):
        over.feed(gzip.compress(BODY, mtime=0))


def test_wire_bytes_count_too() -> None:
    # Random bytes do not compress: a cap on decoded bytes alone would let them pile up.
    decoder = BoundedDecoder("", 10, "http://x.example/")
    decoder.feed(b"x" * 10)
    with pytest.raises(BodyTooLargeError):
        decoder.feed(b"x")


def test_corrupt_deflate_is_a_fetch_error() -> None:
    decoder = BoundedDecoder("deflate", 1000, "http://x.example/")
    with pytest.raises(FetchError, match=r"^fetch: cannot decode the body of http://x\.example/"):
        decoder.feed(b"\x78\x9c\xff\xff\xff\xff")


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("gzip", gzip.compress(BODY, mtime=0)),
        ("deflate", zlib.compress(BODY)),
        ("gzip, deflate", zlib.compress(gzip.compress(BODY, mtime=0))),
    ],
)
def test_an_encoded_body_is_kept_as_it_came(encoding: str, data: bytes) -> None:
    decoder = BoundedDecoder(encoding, 1 << 20, "http://x.example/")
    for start in range(0, len(data), 7):
        decoder.feed(data[start : start + 7])
    assert decoder.content() == BODY
    assert decoder.wire() == data
    # and what was kept decodes back to the same bytes
    assert decoded(data, encoding, 1 << 20, "http://x.example/") == BODY


@pytest.mark.parametrize("encoding", ["", "identity"])
def test_a_plain_body_is_not_kept_twice(encoding: str) -> None:
    decoder = BoundedDecoder(encoding, 1 << 20, "http://x.example/")
    decoder.feed(BODY)
    assert decoder.content() == BODY
    assert decoder.wire() is None


def test_a_kept_body_is_decoded_under_a_cap() -> None:
    with pytest.raises(BodyTooLargeError):
        decoded(gzip.compress(BODY, mtime=0), "gzip", len(BODY) - 1, "http://x.example/")
    with pytest.raises(FetchError, match="cannot decode"):
        decoded(b"not gzip at all", "gzip", 1 << 20, "http://x.example/")
