"""Whatever the bytes, parse_feed returns a ParsedFeed or raises ParseError, nothing else."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.engine.parse import parse_feed
from newsdesk.errors import ParseError
from newsdesk.types import ParsedFeed

DATA = Path(__file__).resolve().parents[2] / "data" / "parse"
FIXTURES = [
    (DATA / name).read_bytes()
    for name in ("wordpress.rss", "xml-base.atom", "rdf.rdf", "feed.json", "truncated.rss")
]
# Pieces that steer mutations into the interesting corners of the parsers.
SNIPPETS = [
    b"<",
    b"&",
    b"&nbsp;",
    b"]]>",
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b"&a;",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\x00",
    b'<?xml version="1.0" encoding="utf-16"?>',
    b"<html>",
    b"</item>",
    b"<entry>",
    b'"',
    b"{",
]


def check(data: bytes, url: str = "https://example.com/feed") -> None:
    try:
        result = parse_feed(data, url)
    except ParseError:
        return
    assert isinstance(result, ParsedFeed)
    for item in result.items:
        assert item.published is None or item.published.utcoffset() is not None
        for link in (item.link, item.comments_url, *(e.url for e in item.enclosures)):
            assert link is None or link.startswith(("http://", "https://"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(FIXTURES)))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["cut", "insert", "delete", "flip"]))
        if action == "cut":
            del data[pos:]
        elif action == "insert":
            data[pos:pos] = draw(st.sampled_from(SNIPPETS) | st.binary(max_size=8))
        elif action == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        elif data:
            index = min(pos, len(data) - 1)
            data[index] = draw(st.integers(0, 255))
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from(["", "https://example.com/feed", "not a url"]))
def test_mutated_fixtures(data: bytes, url: str) -> None:
    check(data, url)
