from __future__ import annotations

import pytest

from newsdesk.engine.dedupe import canonical_url
from newsdesk.engine.dedupe.canonical import article_key


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://News.Example.COM:80/a?id=3#comments", "http://news.example.com/a?id=3"),
        ("https://news.example:443/a", "https://news.example/a"),
        ("https://news.example", "https://news.example/"),
        ("https://news.example:8443/a", "https://news.example:8443/a"),
        (
            "https://news.example/a?utm_source=rss&utm_medium=rss&utm_campaign=x&p=7",
            "https://news.example/a?p=7",
        ),
        ("https://news.example/a?fbclid=abc&gclid=def&mc_cid=1&mc_eid=2", "https://news.example/a"),
        ("https://news.example/a?UTM_Source=x&q=a%20b", "https://news.example/a?q=a%20b"),
        ("https://news.example//a//b", "https://news.example/a/b"),
        ("  https://news.example/a  ", "https://news.example/a"),
        ("mailto:desk@news.example", "mailto:desk@news.example"),
        ("tag:news.example,2025:1", "tag:news.example,2025:1"),
        ("https://news.example:99999/", "https://news.example:99999/"),
    ],
)
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_order_and_repeats_of_kept_parameters_are_preserved() -> None:
    url = "https://news.example/s?b=2&a=1&a=0&utm_term=x"
    assert canonical_url(url) == "https://news.example/s?b=2&a=1&a=0"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.News.example/2026/talks/?utm_source=x#top", "news.example/2026/talks"),
        ("http://news.example/2026/talks", "news.example/2026/talks"),
        ("https://news.example/?p=123", "news.example/?p=123"),
        ("https://news.example:8443/a", "news.example:8443/a"),
        # no article's own page: shared by many items, so never a match
        ("https://news.example/", None),
        ("https://www.news.example", None),
        ("https://news.example/?utm_source=feed", None),
        ("tag:news.example,2025:1", None),
        ("mailto:desk@news.example", None),
        ("", None),
        (None, None),
    ],
)
def test_article_key(url: str | None, key: str | None) -> None:
    assert article_key(url) == key
