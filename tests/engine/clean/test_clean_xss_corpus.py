"""Every payload of ../shared/corpora/xss-vectors through sanitize_html, checked by parsing."""

from __future__ import annotations

from pathlib import Path

from clean_feed_adapter import parse_with_feedparser
from xss_corpus import CORPUS, payloads
from xss_oracle import safety_problems

from newsdesk.engine.clean import clean_item, sanitize_html


def test_every_corpus_vector_is_neutralised(shared_dir: Path) -> None:
    failures = {}
    count = 0
    for name, payload in payloads(shared_dir):
        count += 1
        out = sanitize_html(payload)
        problems = safety_problems(out)
        if sanitize_html(out) != out:
            problems.append("not idempotent")
        if problems:
            failures[name] = (problems, out[:200])
    assert count > 500  # the corpus is really there: 149 + 223 + 20 + 208 vectors
    assert failures == {}


def test_oracle_catches_what_it_should() -> None:
    # The oracle must be able to fail, or the corpus test proves nothing.
    assert safety_problems("<script>alert(1)</script>")
    assert safety_problems('<img src="x" onerror="alert(1)">')
    assert safety_problems('<a href=" java\tscript:alert(1)">x</a>')
    assert safety_problems('<a href="data:text/html,x">x</a>')
    assert safety_problems('<p style="color:red">x</p>')
    assert safety_problems('<iframe src="https://evil.example/embed/x"></iframe>')
    assert safety_problems("<svg><circle/></svg>")
    assert safety_problems('<img srcset="javascript:alert(1) 1x">')
    assert not safety_problems(
        '<p><a href="https://x.example/" rel="nofollow noopener noreferrer">x</a></p>'
    )


def test_feedparser_sanitize_feeds_clean_safely(shared_dir: Path) -> None:
    # feedparser's own sanitiser suite, as whole feeds through clean_item (raw, unsanitised).
    files = sorted(
        (shared_dir / "corpora" / "feedparser-tests" / "wellformed" / "sanitize").glob("*")
    )
    items = 0
    unsafe = {}
    for path in files:
        feed = parse_with_feedparser(path.read_bytes())
        for item in feed.items:
            items += 1
            problems = safety_problems(clean_item(item, feed).body_html)
            if problems:
                unsafe[path.name] = problems
    assert items > 500
    assert unsafe == {}


def test_html5sec_hostile_feed(shared_dir: Path) -> None:
    path = shared_dir / CORPUS / "html5sec" / "html5sec-hostile-feed.rss"
    feed = parse_with_feedparser(path.read_bytes())
    assert len(feed.items) == 208
    for item in feed.items:
        article = clean_item(item, feed)
        assert safety_problems(article.body_html) == [], item.guid
        for url in (article.url, article.image and article.image.url):
            if url:
                assert url.startswith(("http://", "https://"))
                assert not set(url) & set(' "<>`'), url
