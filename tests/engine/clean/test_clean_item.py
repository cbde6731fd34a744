"""clean_item end to end on a syndicated WordPress item we wrote (tests/data/clean)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from xss_oracle import safety_problems

from newsdesk.engine.clean import clean_item
from newsdesk.types import CleanArticle, CleanOptions, Enclosure, MediaImage, ParsedFeed, ParsedItem

DATA = Path(__file__).resolve().parents[2] / "data" / "clean"
LINK = "https://syndication.example/2024/12/07/ferry-strike-extended/"
FEED = ParsedFeed(format="rss", title="Syndication", link="https://syndication.example/", items=())


def _item(**changes: object) -> ParsedItem:
    fields: dict[str, object] = {
        "guid": "https://www.algemeiner.com/?p=1001",
        "link": LINK,
        "title": "Ferry Strike in Port Elmsley Extended to Third&#160;Week",
        "author": "<b>Reuters</b>",
        "published": datetime(2024, 12, 7, 18, 0, tzinfo=UTC),
        "summary_html": "The ferry workers&#8217; union said [&#8230;]",
        "content_html": (DATA / "syndicated-item.html").read_text(encoding="utf-8"),
        "categories": ("Middle East", "middle east", "<i>News</i>"),
        "media": (MediaImage("https://syndication.example/thumb.jpg", "media:thumbnail"),),
        "enclosures": (Enclosure("javascript:alert(1)", "audio/mpeg"),
                       Enclosure("/audio/strike.mp3", "audio/mpeg", 1234)),
    }  # fmt: skip
    fields.update(changes)
    return ParsedItem(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def article() -> CleanArticle:
    return clean_item(_item(), FEED)


def test_lead_image_caption_and_credit(article: CleanArticle) -> None:
    image = article.image
    assert image is not None
    assert (
        image.url == "https://syndication.example/wp-content/uploads/2024/12/harbour-1024x683.jpg"
    )
    assert image.caption == (
        "Fishing boats wait in the harbour of Port Elmsley as the ferry strike enters its "
        "second week, December 7, 2024."
    )
    assert image.credit == "REUTERS/Ada Quill"
    assert image.origin == "figure"


def test_figure_is_not_repeated_in_the_body(article: CleanArticle) -> None:
    assert "<figure" not in article.body_html
    assert "harbour-1024x683" not in article.body_html
    assert article.body_html.startswith("<p>i24 News – The ferry workers’ union")


def test_origin_and_attribution(article: CleanArticle) -> None:
    assert article.origin == "i24 News"
    assert article.attribution is not None
    assert article.attribution.site == "Algemeiner.com"
    assert article.attribution.url == "https://www.algemeiner.com"
    assert "first appeared" not in article.body_html
    assert "The post" not in article.body_html


def test_summary(article: CleanArticle) -> None:
    summary = article.summary
    assert summary.startswith("i24 News – The ferry workers’ union in Port Elmsley said")
    assert len(summary) <= 301
    assert summary.endswith("…")
    words = lxml.html.fromstring(article.body_html).text_content().split()
    assert summary[:-1].split()[-1] in words  # cut at a word boundary, not mid-word
    assert "Photo:" not in summary


def test_body_urls_pixels_and_safety(article: CleanArticle) -> None:
    body = article.body_html
    assert "stats.wordpress.com" not in body
    assert 'href="https://syndication.example/2024/12/01/ferry-talks/?utm_source=rss' in body
    assert 'rel="nofollow noopener noreferrer"' in body
    assert safety_problems(body) == []


def test_plain_fields(article: CleanArticle) -> None:
    assert article.title == "Ferry Strike in Port Elmsley Extended to Third Week"  # nbsp collapsed
    assert article.author == "Reuters"
    assert article.url == LINK
    assert article.categories == ("Middle East", "News")
    assert article.enclosures == (
        Enclosure("https://syndication.example/audio/strike.mp3", "audio/mpeg", 1234),
    )
    assert article.is_summary_only is False
    assert article.published == datetime(2024, 12, 7, 18, 0, tzinfo=UTC)


def test_summary_only_item_uses_description_and_feed_image() -> None:
    article = clean_item(
        _item(content_html=None, summary_html="<p>Teaser about the strike [&#8230;]</p>",
              media=(MediaImage("/img/full.jpg", "media:content", caption="Quay"),)),
        FEED,
    )  # fmt: skip
    assert article.is_summary_only is True
    assert article.summary == "Teaser about the strike…"
    assert article.image is not None and article.image.origin == "media:content"
    assert article.image.url == "https://syndication.example/img/full.jpg"
    assert article.attribution is None


def test_hostile_link_and_missing_title() -> None:
    article = clean_item(
        _item(link="javascript:alert(document.cookie)", title="<script>x()</script>",
              content_html="<p>Short body text.</p>"),
        FEED,
    )  # fmt: skip
    assert article.url is None
    assert article.title == "Short body text."


def test_root_relative_urls_resolve_against_the_feed_without_item_link() -> None:
    article = clean_item(_item(link=None, content_html='<p><a href="/a">a</a> text</p>'), FEED)
    assert 'href="https://syndication.example/a"' in article.body_html


def test_source_attribution_pattern_option() -> None:
    html = "<p>Body text.</p><p>Originally published by Harbour Times</p>"
    options = CleanOptions(attribution_patterns=(r"Originally published by (?P<site>.+)",))
    article = clean_item(_item(content_html=html), FEED, options)
    assert article.attribution is not None and article.attribution.site == "Harbour Times"
    assert article.body_html == "<p>Body text.</p>"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "plain words only",
        '<?xml version="1.0" encoding="utf-8"?><p>x</p>',
        "<p>unclosed <b>bold",
        "\x00\x01<p>ctrl</p>",
        "</p></div></body></html>",
    ],
)
def test_odd_bodies_never_raise(html: str) -> None:
    article = clean_item(_item(content_html=html, summary_html=None), FEED)
    assert safety_problems(article.body_html) == []
