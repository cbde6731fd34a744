"""Feed discovery in web pages, and telling a page from a feed."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from newsdesk.engine.fetch.discover import discover_feeds, looks_like_html
from newsdesk.types import FeedLink

PAGE = b"""<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Example News</title>
<link rel="stylesheet" type="text/css" href="/style.css">
<link rel="alternate stylesheet" type="text/css" href="/dark.css">
<link rel="alternate" type="application/rss+xml" title=" Top stories " href="/feed/">
<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="atom.xml">
<link rel="alternate" type="application/feed+json" title="JSON" href="https://cdn.example.net/f.json">
<link rel="alternate" type="application/rss+xml" title="again" href="https://news.example/feed/">
<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/7">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="application/rss+xml" href="">
<link rel="alternate" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rdf+xml" href="/index.rdf">
</head><body><p>Hello</p></body></html>
"""


def test_discovers_feed_links_in_order_without_duplicates() -> None:
    assert discover_feeds(PAGE, "https://news.example/world/") == [
        FeedLink("https://news.example/feed/", "Top stories", "application/rss+xml"),
        FeedLink("https://news.example/world/atom.xml", None, "application/atom+xml"),
        FeedLink("https://cdn.example.net/f.json", "JSON", "application/feed+json"),
        FeedLink("https://news.example/index.rdf", None, "application/rdf+xml"),
    ]


def test_base_href_wins_over_the_page_url() -> None:
    page = b"""<html><head><base href="/edition/">
    <link rel="alternate" type="application/atom+xml" href="feed.atom"></head></html>"""
    found = discover_feeds(page, "https://news.example/a/b/page.html")
    assert [link.url for link in found] == ["https://news.example/edition/feed.atom"]


def test_plain_json_alternate_counts_but_not_the_wordpress_api() -> None:
    page = b"""<html><head>
    <link rel="alternate" type="application/json" href="/feed.json">
    <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/3">
    </head></html>"""
    found = discover_feeds(page, "http://blog.example/")
    assert [link.url for link in found] == ["http://blog.example/feed.json"]


@pytest.mark.parametrize(
    "page", [b"", b"   \n", b"<html><head></head><body>no feeds</body></html>"]
)
def test_pages_without_feeds(page: bytes) -> None:
    assert discover_feeds(page, "http://x.example/") == []


def test_non_utf8_page_with_meta_charset() -> None:
    page = (
        '<html><head><meta charset="windows-1252"><link rel="alternate" '
        'type="application/rss+xml" title="Caf\u00e9" href="/rss"></head></html>'
    ).encode("cp1252")
    assert discover_feeds(page, "http://x.example/")[0].title == "Caf\u00e9"


@pytest.mark.parametrize(
    ("content", "content_type", "is_html"),
    [
        (PAGE, "text/html", True),
        (PAGE, "application/rss+xml", True),  # a page served as a feed (feedfarm hostile/html)
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', "text/html", False),
        (b"\xef\xbb\xbf  <?xml version='1.0'?><!-- <html> --><feed xmlns='x'/>", "", False),
        (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', "", False),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "text/html", False),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', "", True),
        (b"<!doctype html><title>x</title>", "application/xml", True),
        (b"  <p>fragment</p>", "text/plain", True),
        (b"", "text/html; charset=utf-8", True),
        (b"", "application/atom+xml", False),
    ],
)
def test_looks_like_html(content: bytes, content_type: str, is_html: bool) -> None:
    assert looks_like_html(content, content_type) is is_html


# --- real pages from ../shared (NetNewsWire/RSParser captures) --------------------------------

CAPTURES = Path("corpora") / "real-feeds" / "netnewswire-rsparser"


def _discovery_rows(shared: Path) -> list[dict[str, str]]:
    with (shared / CAPTURES / "EXPECTATIONS.tsv").open(newline="", encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh, delimiter="\t") if r["check"] == "feed autodiscovery"]


def test_real_pages_discover_the_expected_feeds(shared_dir: Path) -> None:
    rows = _discovery_rows(shared_dir)
    assert len(rows) == 5
    for row in rows:
        content = (shared_dir / CAPTURES / row["file"]).read_bytes()
        found = discover_feeds(content, row["base_url_used_upstream"])
        claim = row["expected"].split(";")[0]  # "1 feed link: TYPE, URL, no title" and the like
        count = re.search(r"(\d+) feed link", claim)
        assert count and len(found) == int(count.group(1)), (row["file"], found)
        for url in re.findall(r"https?://[^\s,;()]+", claim):
            assert url in [link.url for link in found], (row["file"], url)
        title = re.search(r'titled "([^"]+)"', claim)
        if title:
            assert found[0].title == title.group(1)
        if "no title" in claim:
            assert found[0].title is None
        assert looks_like_html(content, "")


def test_real_feeds_are_not_html(shared_dir: Path) -> None:
    folder = shared_dir / CAPTURES
    feeds = [p for p in folder.iterdir() if p.suffix in (".rss", ".atom", ".xml", ".rdf", ".json")]
    assert len(feeds) > 30
    wrong = [p.name for p in feeds if looks_like_html(p.read_bytes(), "text/html")]
    assert wrong == []
