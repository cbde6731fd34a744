"""What feeds write in ways the specs do not foresee, read the way their publishers meant:
repeated dates, dc:date, author addresses, two texts in one RSS item, markup that was not
escaped, Atom links written the RSS way, upper-case element names, numeric references
that only HTML5 reads right."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk.engine.parse import detect, fast, lenient, parse_feed
from newsdesk.engine.parse.adapt import author_email, charrefs, html_field
from newsdesk.engine.parse.tree import needs_entry_read, read_header
from newsdesk.types import Enclosure, ParsedFeed

URL = "https://news.example/feed"
ATOM = '<feed xmlns="http://www.w3.org/2005/Atom">{}</feed>'
ATOM03 = '<feed version="0.3" xmlns="http://purl.org/atom/ns#">{}</feed>'
RSS = (
    '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
    ' xmlns:media="http://search.yahoo.com/mrss/"><channel>{}</channel></rss>'
)


def both(xml: str) -> list[ParsedFeed]:
    """The feed through each path, so a rule holds whichever parser reads it."""
    doc = detect.prepare(xml.encode())
    return [fast.parse_fast(doc, URL), lenient.parse_lenient(doc, URL)]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("don&#146;t", "don&#x2019;t"),  # windows-1252 remap, as HTML5 reads it
        ("&#x92; &#0146; &#x00092;", "&#x2019; &#x2019; &#x2019;"),
        ("&#128;&#159;", "&#x20ac;&#x178;"),
        ("&#X61;", "&#x61;"),  # XML knows no upper-case X
        ("&#X3C;b&#X3E;", "&#x3c;b&#x3e;"),  # still escapes, never markup
        ("&#0; &#55296; &#x110000;", "&#xfffd; &#xfffd; &#xfffd;"),
        (
            "&#8217; &#x27; &#60; &#38; &#160; &#12345;",
            "&#8217; &#x27; &#60; &#38; &#160; &#12345;",
        ),
        ("&#129;", "&#129;"),  # undefined in windows-1252: HTML5 keeps it too
    ],
)
def test_numeric_references_are_written_as_html5_reads_them(html: str, expected: str) -> None:
    assert charrefs(html) == expected


def test_html_fields_get_the_rewrite_on_both_paths() -> None:
    assert html_field("it&#146;s") == "it&#x2019;s"
    for feed in both(RSS.format("<item><description>it&amp;#146;s</description></item>")):
        assert feed.items[0].summary_html == "it&#x2019;s"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("me@example.com (Jo Reporter)", "me@example.com"),
        ("Jo Reporter <jo.r+news@example.co.uk>", "jo.r+news@example.co.uk"),
        ("Jo Reporter", None),
        (None, None),
    ],
)
def test_author_email_from_an_author_line(value: str | None, expected: str | None) -> None:
    assert author_email(value) == expected


def test_atom_author_email_is_carried_and_the_byline_stays_the_name() -> None:
    entry = (
        "<entry><source><author><name>Wire</name><email>desk@wire.example</email></author>"
        "</source><author><name>Jo Reporter</name><email>jo@news.example</email></author>"
        "<author><name>Second</name><email>second@news.example</email></author></entry>"
        "<entry><author><name>No Address</name></author></entry>"
    )
    for feed in both(ATOM.format(entry)):
        first, second = feed.items
        assert (first.author, first.author_email) == ("Jo Reporter", "jo@news.example")
        assert (second.author, second.author_email) == ("No Address", None)


def test_rss_author_email_comes_from_the_author_line() -> None:
    xml = RSS.format("<item><author>jo@news.example (Jo Reporter)</author></item>")
    for feed in both(xml):
        assert (feed.items[0].author, feed.items[0].author_email) == (
            "Jo Reporter",
            "jo@news.example",
        )


def test_the_last_of_repeated_atom_dates_counts() -> None:
    entry = (
        "<entry><updated>2010-12-01T10:14:55Z</updated>"
        "<updated>2003-12-31T10:14:55Z</updated>"
        "<source><updated>2020-01-01T00:00:00Z</updated></source></entry>"
    )
    for feed in both(ATOM.format("<updated>2024-01-01T00:00:00Z</updated>" + entry)):
        item = feed.items[0]
        assert item.updated == datetime(2003, 12, 31, 10, 14, 55, tzinfo=UTC)
        assert item.published == item.updated  # no <published>: the update stands in


def test_atom03_issued_then_published_keeps_the_last() -> None:
    entry = (
        "<entry><issued>Thu, 01 Jan 2004 19:48:21 GMT</issued>"
        "<published>Sat, 01 Jan 2010 19:48:21 GMT</published></entry>"
    )
    for feed in both(ATOM03.format(entry)):
        assert feed.items[0].published == datetime(2010, 1, 1, 19, 48, 21, tzinfo=UTC)


def test_one_date_of_each_kind_is_fastfeedparsers_reading_unchanged() -> None:
    entry = (
        "<entry><published>2024-05-01T08:00:00Z</published>"
        "<updated>2024-05-02T09:00:00Z</updated></entry>"
    )
    item = parse_feed(ATOM.format(entry * 3).encode(), URL).items[0]
    assert item.published == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert item.updated == datetime(2024, 5, 2, 9, tzinfo=UTC)


# the media:title sends the fast path through its second, tree read; without it, the bytes
# are scanned instead
@pytest.mark.parametrize("extra", ["", "<media:title>A photo</media:title>"])
def test_dc_date_is_the_update_date_too(extra: str) -> None:
    xml = RSS.format(
        f"<item><dc:date>2003-12-31T10:14:55Z</dc:date>{extra}</item>"
        "<item><pubDate>Wed, 31 Dec 2003 08:00:00 GMT</pubDate>"
        f"<dc:date>2004-01-02T10:00:00Z</dc:date>{extra}</item>"
        f"<item><pubDate>Wed, 31 Dec 2003 08:00:00 GMT</pubDate>{extra}</item>"
    )
    for feed in both(xml):
        only_dc, both_dates, no_dc = feed.items
        assert (
            only_dc.published == only_dc.updated == datetime(2003, 12, 31, 10, 14, 55, tzinfo=UTC)
        )
        assert both_dates.published == datetime(2003, 12, 31, 8, tzinfo=UTC)
        assert both_dates.updated == datetime(2004, 1, 2, 10, tzinfo=UTC)
        assert no_dc.updated is None


def test_dc_date_in_atom_is_not_an_update_date() -> None:
    entry = (
        '<entry xmlns:dc="http://purl.org/dc/elements/1.1/"><content type="xhtml">'
        '<div xmlns="http://www.w3.org/1999/xhtml">x</div></content>'
        "<published>2024-05-01T08:00:00Z</published><dc:date>2024-06-01T00:00:00Z</dc:date>"
        "</entry>"
    )
    assert parse_feed(ATOM.format(entry).encode(), URL).items[0].updated is None


@pytest.mark.parametrize(
    ("body", "summary", "content"),
    [
        (
            "<description>The short one</description><summary>The long one</summary>",
            "The short one",
            "The long one",
        ),
        (
            "<summary>The short one</summary><description>The long one</description>",
            "The short one",
            "The long one",
        ),
        (
            "<description>Short</description><summary>Other</summary>"
            "<content:encoded><![CDATA[<p>Body</p>]]></content:encoded>",
            "Short",
            "<p>Body</p>",
        ),
        ("<description>Same</description><summary>Same</summary>", "Same", None),
    ],
)
def test_rss_item_with_a_summary_and_a_description(
    body: str, summary: str, content: str | None
) -> None:
    item = parse_feed(RSS.format(f"<item>{body}</item>").encode(), URL).items[0]
    assert (item.summary_html, item.content_html) == (summary, content)


def test_escaped_html_in_a_stray_xhtml_div_is_the_html() -> None:
    entry = (
        '<entry><content type="html"><div xmlns="http://www.w3.org/1999/xhtml">'
        "Example &lt;b&gt;Atom&lt;/b&gt;</div></content></entry>"
    )
    for feed in both(ATOM.format(entry)):
        assert feed.items[0].content_html == "Example <b>Atom</b>"


def test_unescaped_markup_in_html_content_is_serialised() -> None:
    entry = '<entry><content type="html"><p>One <b>two</b></p></content></entry>'
    assert parse_feed(ATOM.format(entry).encode(), URL).items[0].content_html == (
        "<p>One <b>two</b></p>"
    )


def test_the_xhtml_wrapper_div_is_dropped_in_atom10_only() -> None:
    summary = (
        '<summary type="{}"><div xmlns="http://www.w3.org/1999/xhtml">'
        "Example <b>Atom</b></div></summary>"
    )
    atom10 = ATOM.format("<entry>" + summary.format("xhtml") + "</entry>")
    atom03 = ATOM03.format("<entry>" + summary.format("application/xhtml+xml") + "</entry>")
    assert parse_feed(atom10.encode(), URL).items[0].summary_html == "Example <b>Atom</b>"
    assert parse_feed(atom03.encode(), URL).items[0].summary_html == (
        "<div>Example <b>Atom</b></div>"
    )


def test_element_names_match_whatever_their_case() -> None:
    xml = "<rss><channel><TiTlE>Harbour News</TiTlE><Link>https://news.example/</Link>"
    xml += "<item><Title>Ferry</Title></item></channel></rss>"
    for feed in both(xml):
        assert (feed.title, feed.link) == ("Harbour News", "https://news.example/")
        assert feed.items[0].title == "Ferry"


def test_an_atom_link_written_as_text() -> None:
    entries = (
        '<entry><link rel="alternate" type="text/html">https://news.example/a</link>'
        '<link rel="enclosure" type="audio/mpeg">https://news.example/a.mp3</link></entry>'
        '<entry><link rel="enclosure" type="audio/mpeg">https://news.example/b.mp3</link>'
        '<link rel="alternate" type="text/html">https://news.example/b</link></entry>'
    )
    xml = ATOM.format("<link>https://news.example/</link>" + entries)
    for feed in both(xml):
        assert [i.link for i in feed.items] == ["https://news.example/a", "https://news.example/b"]
    item = parse_feed(xml.encode(), URL).items[1]
    assert item.enclosures == (Enclosure("https://news.example/b.mp3", "audio/mpeg", None),)
    assert parse_feed(xml.encode(), URL).link == "https://news.example/"


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        # a self-closed media:content holds nothing, whatever follows it
        (
            RSS.format('<item><media:content url="x.jpg"/><media:credit>A</media:credit></item>'),
            False,
        ),
        (RSS.format("<item><description><p>naked</p></description></item>"), True),
        (ATOM.format('<entry><content type="html"><div>x</div></content></entry>'), True),
        (ATOM.format('<entry><link href="https://news.example/a"></link></entry>'), False),
        (ATOM.format("<entry><link>https://news.example/a</link></entry>"), True),
        (RSS.format("<item><summary>s</summary></item>"), True),
        (RSS.format("<item><description>d</description></item>"), False),
    ],
)
def test_which_documents_get_the_second_read(xml: str, expected: bool) -> None:
    doc = detect.prepare(xml.encode())
    assert needs_entry_read(doc.data, read_header(doc.data, URL), doc.format) is expected


def test_an_encoding_no_codec_knows_is_not_strict_xml() -> None:
    # found by test_parse_property: repair() drops a NUL from "\x00TF-8", and expat then
    # raised LookupError for the declared "TF-8"
    data = b'<?xml version="1.0" encoding="\x00TF-8"?><rss><channel><item><title>a</title>'
    data += b"</item></channel></rss>"
    assert not detect.is_well_formed(b'<?xml version="1.0" encoding="TF-8"?><rss/>')
    assert [i.title for i in parse_feed(data, URL).items] == ["a"]


_PHOTO = '<media:content url="https://news.example/a.jpg" medium="image">{}</media:content>'


@pytest.mark.parametrize(
    ("item", "second_read"),
    [
        # the item's own media:title, before its title or without one: fastfeedparser takes
        # it for the title, so the tree reads the item again
        ("<media:title>A photo</media:title><title>Real</title>", True),
        ("<media:title>A photo</media:title>", True),
        # a photo's caption, inside its media:content or media:group: no second read
        ("<title>Real</title>" + _PHOTO.format("<media:title>A photo</media:title>"), False),
        (_PHOTO.format("<media:title>A photo</media:title>") + "<title>Real</title>", False),
        (
            "<media:group>"
            + _PHOTO.format("")
            + "<media:title>A photo</media:title></media:group><title>Real</title>",
            False,
        ),
        # a self-closed media:content holds nothing: the media:title after it is the item's
        (
            '<media:content url="https://news.example/a.jpg"/>'
            "<media:title>A photo</media:title><title>Real</title>",
            True,
        ),
        # tags written in character data or a comment open nothing
        (
            "<description><![CDATA[<media:content>]]></description>"
            "<media:title>A photo</media:title><title>Real</title>",
            True,
        ),
        ("<!-- <media:group> --><media:title>A photo</media:title><title>Real</title>", True),
        ("<description><![CDATA[ <media:title> ]]></description><title>Real</title>", False),
    ],
)
def test_only_an_items_own_media_title_calls_for_a_second_read(
    item: str, second_read: bool
) -> None:
    xml = RSS.format(f"<item>{item}<link>https://news.example/1</link></item>").encode()
    doc = detect.prepare(xml)
    assert needs_entry_read(doc.data, read_header(doc.data, URL), doc.format) is second_read
    if "<title>" in item:
        assert parse_feed(xml, URL).items[0].title == "Real"
