"""Every hostile endpoint of the feed farm in one update run, beside a good feed: the run ends,
each source's health says what went wrong, the good feed is unaffected, and nothing unsafe
or partial is stored."""

from __future__ import annotations

import json
import time
from pathlib import Path

import lxml.html
import pytest
from tests.conftest import Farm

from newsdesk.config import Settings
from newsdesk.pipeline.update import update
from newsdesk.store import writes
from newsdesk.store.models import Article, Source

pytestmark = [pytest.mark.farm, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# endpoint -> what the source's health must show afterwards
FAILING = {
    "html.xml": "parse",  # a page, not a feed: `add` offers its feed, `update` reports it
    "gzip-bomb.xml": "fetch",
    "slow-drip.xml": "fetch",
    "redirect-loop.xml": "fetch",
    "redirect-chain.xml?n=30": "fetch",
    "redirect-internal.xml": "fetch",
    "empty.xml": "parse",
}
IMPORTING = (
    "billion-laughs.xml",  # the DOCTYPE is dropped, no entity is expanded
    "xxe.xml",
    "invalid-utf8.xml",
    "wrong-charset.xml",
    "truncated.xml",
    "xss.xml",
    "dup-guids.xml",
    "missing-fields.xml",
    "future-dates.xml",
    "odd-dates.xml",
    "huge.xml",  # 10,000 items
    "big-item.xml",  # one 5 MB item, under the default 10 MB cap
)


def test_hostile_feeds_fail_alone_and_store_nothing_unsafe(farm: Farm, tmp_path: Path) -> None:
    good, _ = writes.add_source(farm.url("/feed/4.rss"), "Good")
    for path in (*FAILING, *IMPORTING):
        writes.add_source(farm.url(f"/hostile/{path}"), path)
    settings = Settings(
        home=tmp_path,
        database_url="sqlite:///unused",
        allow_private_networks=True,
        total_timeout=3.0,
        read_timeout=2.0,
    )
    started = time.monotonic()
    summary = update(settings, everything=True)
    # the slow drip is cut at the total deadline; nothing else may hold the run up
    assert time.monotonic() - started < 60

    sources = {s.feed_url.rsplit("/hostile/", 1)[-1]: s for s in Source.objects.all()}
    for path, layer in FAILING.items():
        source = sources[path]
        assert source.consecutive_errors == 1, (path, source.last_error)
        assert source.last_error.startswith(layer), (path, source.last_error)
        assert not Article.objects.filter(source=source).exists(), path
    for path in IMPORTING:
        source = sources[path]
        assert source.consecutive_errors == 0, (path, source.last_error)
        assert Article.objects.filter(source=source).exists(), path
    assert Article.objects.filter(source_id=good.id).count() == 10
    assert summary.failed == len(FAILING)

    for article in Article.objects.all():
        assert "root:" not in article.body_html  # no /etc/passwd from an external entity
        if not article.body_html:
            continue
        root = lxml.html.fragment_fromstring(article.body_html, create_parent="div")
        for element in root.iter():
            assert element.tag not in {"script", "style", "object", "embed", "form", "meta"}
            for name, value in element.attrib.items():
                assert not name.startswith("on"), (name, article.title)
                assert not value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
        assert "<" not in article.title
        assert len(article.title) < 1000 and "lol" * 50 not in article.body_html
    hits = json.loads(farm.get("/_stats"))["hostile"]
    assert not [kind for kind in hits if "dtd" in kind], hits  # no parser fetched the DTD
