"""One hand-written feed per wire format, each with the assertions a news importer relies on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdesk.engine.parse import detect, fast, lenient, parse_feed
from newsdesk.types import Enclosure, MediaImage, ParsedFeed

DATA = Path(__file__).resolve().parents[2] / "data" / "parse"


def load(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_wordpress_rss_feed_fields() -> None:
    feed = parse_feed(load("wordpress.rss"), "https://gazette.example/feed/")
    assert (feed.format, feed.parser) == ("rss", "fast")
    assert feed.title == "The Harbour Gazette & Friends"
    assert feed.link == "https://gazette.example/"
    assert feed.description == "Small-town news from the harbour"
    assert feed.self_url == "https://gazette.example/feed/"
    assert feed.hubs == ("https://hub.example/",)
    assert feed.ttl_minutes == 30
    assert feed.language == "en-GB"


def test_wordpress_rss_item_with_content_and_media_credit() -> None:
    item = parse_feed(load("wordpress.rss"), "https://gazette.example/feed/").items[0]
    assert item.guid == "https://gazette.example/?p=101"
    assert item.link == "https://gazette.example/2025/03/04/ferry-timetable/"
    assert item.title == "Ferry timetable \u201cback to normal\u201d after storm"
    assert item.author == "Ines Ferreira"
    assert item.published == datetime(2025, 3, 4, 8, 30, tzinfo=UTC)
    assert item.summary_html == "The morning ferry sails again on its usual schedule [&#8230;]"
    assert item.content_html is not None
    assert item.content_html.startswith('<figure class="wp-block-image">')
    assert "first appeared on" in item.content_html
    assert item.categories == ("Transport", "Harbour")  # the repeated category once
    assert item.comments_url == "https://gazette.example/2025/03/04/ferry-timetable/#comments"
    assert item.media == (
        MediaImage(
            "https://gazette.example/wp-content/uploads/ferry-1024x683.jpg",
            origin="media:content",
            caption="The ferry at dawn",
            credit="Harbour Trust",
            width=1024,
            height=683,
        ),
    )


def test_wordpress_rss_item_with_relative_link_and_enclosures() -> None:
    item = parse_feed(load("wordpress.rss"), "https://gazette.example/feed/").items[1]
    assert item.link == "https://gazette.example/2025/03/03/lighthouse-podcast/"
    assert item.content_html is None  # a description only: no body to prefer
    assert item.summary_html == "<p>Two keepers remember forty winters.</p>"
    assert item.enclosures == (
        Enclosure("https://gazette.example/media/lighthouse.mp3", "audio/mpeg", 1234567),
        Enclosure("https://gazette.example/media/lighthouse.jpg", "image/jpeg", 2048),
    )
    assert [m.origin for m in item.media] == ["enclosure"]
    assert item.media[0].url == "https://gazette.example/media/lighthouse.jpg"


def test_atom_resolves_xml_base_at_every_level() -> None:
    feed = parse_feed(load("xml-base.atom"), "https://news.example/blog/atom.xml")
    assert (feed.format, feed.parser) == ("atom", "fast")
    assert feed.title == "Les Nouvelles du port"
    assert feed.link == "https://news.example/blog/"
    assert feed.self_url == "https://news.example/blog/atom.xml"
    assert feed.hubs == ("https://hub.example/push",)
    assert feed.language == "fr"
    first, second = feed.items
    assert first.link == "https://news.example/blog/2025/04/marche-rouvre/"
    assert first.enclosures == (
        Enclosure("https://news.example/audio/marche.ogg", "audio/ogg", 4096),
    )
    assert first.media == (
        MediaImage(
            "https://news.example/blog/2025/04/images/marche-thumb.jpg",
            origin="media:thumbnail",
            width=150,
            height=100,
        ),
    )
    assert second.link == "https://news.example/blog/horaires-ete"


def test_atom_entry_fields() -> None:
    first, second = parse_feed(load("xml-base.atom"), "https://news.example/blog/atom.xml").items
    assert first.guid == "tag:news.example,2025:post-7"
    assert first.title == "Le marché rouvre"
    assert first.author == "Élodie Martin"
    assert first.published == datetime(2025, 4, 2, 7, 15, tzinfo=UTC)
    assert first.updated == datetime(2025, 4, 2, 8, 0, tzinfo=UTC)
    assert first.categories == ("Économie", "Vie locale")
    assert first.summary_html == "Les <b>étals</b> sont de retour."  # XHTML without its div
    # URLs inside HTML stay as written: the clean stage resolves them.
    assert (
        first.content_html
        == '<p>Les étals sont de retour <a href="plan.html">sur la place</a>.</p>'
    )
    assert second.content_html == "Ouvert de 8 h à 20 h."  # type="text" as HTML
    assert second.summary_html is None


def test_rss1_rdf() -> None:
    feed = parse_feed(load("rdf.rdf"), "https://valley.example/rss")
    assert (feed.format, feed.title, feed.language) == ("rdf", "Valley Weekly", "de")
    bridge, choir = feed.items
    assert bridge.link == "https://valley.example/news/bridge"
    assert bridge.author == "Jonas Weber"
    assert bridge.published == datetime(2025, 5, 9, 5, 45, tzinfo=UTC)
    assert bridge.categories == ("Infrastructure",)
    assert bridge.content_html == "<p>The old stone bridge reopens on <strong>Friday</strong>.</p>"
    assert bridge.summary_html == "The old stone bridge reopens on Friday."
    assert choir.published == datetime(2025, 5, 8, tzinfo=UTC)
    assert choir.content_html is None


def test_json_feed_1_1() -> None:
    feed = parse_feed(load("feed.json"), "https://market.example/feed.json")
    assert (feed.format, feed.parser) == ("json", "fast")
    assert feed.title == "Night Market Notes"
    assert feed.link == "https://market.example/"
    assert feed.self_url == "https://market.example/feed.json"
    assert feed.hubs == ("https://hub.example/",)
    lanterns, note = feed.items
    assert lanterns.title == "Lanterns & late stalls"
    assert lanterns.author == "Priya Nair"
    assert lanterns.published == datetime(2025, 6, 20, 23, 0, tzinfo=UTC)
    assert lanterns.categories == ("Food", "Evening")
    assert lanterns.content_html == "<p>Paper lanterns line the north aisle.</p>"
    assert [(m.url, m.origin) for m in lanterns.media] == [
        ("https://market.example/img/lanterns.jpg", "jsonfeed:image"),
        ("https://market.example/img/lanterns-wide.jpg", "jsonfeed:banner_image"),
    ]
    assert lanterns.enclosures == (
        Enclosure("https://market.example/audio/stalls.mp3", "audio/mpeg", 52000),
    )
    assert note.guid == "43"
    assert note.link == "https://elsewhere.example/review"
    assert note.published is None
    assert note.content_html == "<p>A short text note.</p><p>In two paragraphs.</p>"


def test_truncated_rss_is_recovered_by_the_lenient_path() -> None:
    feed = parse_feed(load("truncated.rss"), "https://gazette.example/feed/")
    assert feed.parser == "lenient"
    assert feed.title == "The Harbour Gazette & Friends"
    assert [i.guid for i in feed.items] == [
        "https://gazette.example/?p=101",
        "https://gazette.example/?p=100",
        "https://gazette.example/?p=99",
    ]
    assert feed.items[2].title == "Harbour wall repairs approved"
    assert feed.items[0].author == "Ines Ferreira"


def _both(name: str, url: str) -> tuple[ParsedFeed, ParsedFeed]:
    doc = detect.prepare(load(name))
    assert doc.well_formed
    return fast.parse_fast(doc, url), lenient.parse_lenient(doc, url)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("wordpress.rss", "https://gazette.example/feed/"),
        ("xml-base.atom", "https://news.example/blog/atom.xml"),
    ],
)
def test_fast_and_lenient_paths_agree(name: str, url: str) -> None:
    quick, slow = _both(name, url)
    assert slow.parser == "lenient"
    for field in ("title", "link", "self_url", "hubs", "language"):
        assert getattr(quick, field) == getattr(slow, field), field
    assert len(quick.items) == len(slow.items)
    for a, b in zip(quick.items, slow.items, strict=True):
        for field in ("guid", "link", "title", "author", "published", "summary_html"):
            assert getattr(a, field) == getattr(b, field), field
        assert (a.content_html, a.categories, a.enclosures) == (
            b.content_html,
            b.categories,
            b.enclosures,
        )


def test_a_garbled_prolog_with_undeclared_prefixes_is_recovered() -> None:
    """Broken XML that feedparser's loose parser gives up on: a doubled prolog, `rss:`
    prefixes with no namespace declared, an unquoted attribute (a real site's feed)."""
    from newsdesk.engine.parse import parse_feed

    raw = (
        b'<!-- written by a hand-rolled generator -->\n<?xml?xml version="1.0" ??>\n'
        b"<rss rss:version=2.0><rss:channel><rss:title>Hand Rolled</rss:title>"
        b"<rss:link>https://hand.example/</rss:link>"
        b"<rss:item><rss:title>First post</rss:title>"
        b"<rss:link>https://hand.example/1</rss:link>"
        b"<rss:pubDate>Mon, 01 Jan 2024 12:00:00 GMT</rss:pubDate></rss:item>"
        b"<rss:item><rss:title>Second post</rss:title>"
        b"<rss:link>https://hand.example/2</rss:link></rss:item>"
        b"</rss:channel></rss>"
    )
    feed = parse_feed(raw, "https://hand.example/feed")
    assert [(i.title, i.link) for i in feed.items] == [
        ("First post", "https://hand.example/1"),
        ("Second post", "https://hand.example/2"),
    ]
    assert feed.items[0].published is not None and feed.items[0].published.year == 2024
