"""What is not a feed raises ParseError (NotAFeedError for HTML); hostile XML stays inert."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.engine.parse import parse_feed
from newsdesk.errors import NotAFeedError, ParseError


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \n ",
        b"just some words",
        b"\x00\x01\x02\xff\xfe",
        b"<opml version='2.0'><body/></opml>",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"{not json",
        b'{"hello": "world"}',
        b"[1, 2, 3]",
        b"<rss",
    ],
)
def test_not_a_feed(data: bytes) -> None:
    with pytest.raises(ParseError) as info:
        parse_feed(data, "https://example.com/feed")
    assert str(info.value).startswith("parse: ")


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><head><title>Shop</title></head><body>hi</body></html>",
        b"<html><body><p>hello</p></body></html>",
        b"\n\n<!-- generator --><HTML lang='en'><body></body></HTML>",
    ],
)
def test_html_is_not_a_feed(data: bytes) -> None:
    with pytest.raises(NotAFeedError, match=r"^parse: .*HTML"):
        parse_feed(data, "https://example.com/")


def test_bytes_naming_a_local_file_are_not_read_as_a_path(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text("<rss><channel><title>local file leaked</title></channel></rss>")
    with pytest.raises(ParseError):
        parse_feed(str(secret).encode(), "")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>bomb</title>
<item><title>&lol9;</title><description>&lol9;</description></item>
</channel></rss>"""


def test_billion_laughs_is_not_expanded() -> None:
    feed = parse_feed(BILLION_LAUGHS, "")
    item = feed.items[0]
    assert item.title is not None
    assert len(item.title) < 100
    assert "lollol" not in (item.title + (item.summary_html or ""))


def test_billion_laughs_is_not_expanded_on_the_lenient_path() -> None:
    truncated = BILLION_LAUGHS.replace(b"</channel></rss>", b"<item><title>cut")
    feed = parse_feed(truncated, "")
    assert feed.parser == "lenient"
    assert all("lollol" not in (i.title or "") + (i.summary_html or "") for i in feed.items)


def test_external_entity_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    for tail in (b"</channel></rss>", b"<item><title>cut"):
        data = (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://'
            + str(secret).encode()
            + b'">]><rss version="2.0"><channel><title>x</title>'
            b"<item><title>leak: &xxe;</title><description>&xxe;</description></item>" + tail
        )
        feed = parse_feed(data, "")
        text = "".join((i.title or "") + (i.summary_html or "") for i in feed.items)
        assert "TOP-SECRET" not in text


def test_simple_internal_entities_are_honoured() -> None:
    data = b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY site "tag:example.com,">]>
<rss version="2.0"><channel><title>x</title>
<item><guid isPermaLink="false">&site;2025:/a</guid></item></channel></rss>"""
    assert parse_feed(data, "").items[0].guid == "tag:example.com,2025:/a"


def test_html_entities_in_xml_are_decoded_on_the_fast_path() -> None:
    data = b"<rss version='2.0'><channel><title>caf&eacute; &amp; b&auml;r&nbsp;!</title>"
    data += b"<item><title>AT&T &hellip;</title></item></channel></rss>"
    feed = parse_feed(data, "")
    assert feed.parser == "fast"  # repaired, then strict XML
    assert feed.title == "café & bär\xa0!"
    assert feed.items[0].title == "AT&T …"


@pytest.mark.parametrize(
    "scheme", ["javascript:alert(1)", "data:text/html,<script>", "file:///etc"]
)
def test_unsafe_link_schemes_are_dropped(scheme: str) -> None:
    data = f"<rss><channel><item><title>t</title><link>{scheme}</link></item></channel></rss>"
    feed = parse_feed(data.encode().replace(b"<script>", b"&lt;script&gt;"), "https://e.example/")
    assert feed.items[0].link is None


def test_script_text_does_not_reach_a_title() -> None:
    data = b"<rss><channel><item><title>&lt;script&gt;alert(1)&lt;/script&gt;News</title>"
    data += b"</item></channel></rss>"
    assert parse_feed(data, "").items[0].title == "News"
