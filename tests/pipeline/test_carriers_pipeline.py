"""Two feeds carrying the same articles, through update() and replay(): stored once, the
second feed a carrier, no page fetched twice for full text."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from newsdesk.config import Settings
from newsdesk.pipeline.replay import Decision, replay
from newsdesk.pipeline.update import HttpSeam, update
from newsdesk.store import writes
from newsdesk.store.models import Article, Carrier

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]

BRIEF = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Brief Post</title><link>https://brief.example/</link>
<item><title>Dredging plan</title><link>https://brief.example/dredging/</link>
<guid>https://brief.example/?p=1</guid><pubDate>Tue, 24 Nov 2026 09:00:00 +0000</pubDate>
<description>The harbour board met on Tuesday to weigh the cost [&#8230;]</description></item>
<item><title>Ferry timetable</title><link>https://brief.example/ferry/</link>
<guid>https://brief.example/?p=2</guid><pubDate>Mon, 23 Nov 2026 09:00:00 +0000</pubDate>
<description>The winter timetable starts on Monday [&#8230;]</description></item>
</channel></rss>"""

# an aggregator: its own GUIDs, the publisher's links with its tracking parameters
DIGEST = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Harbour Digest</title><link>https://digest.example/</link>
<item><title>Dredging plan</title>
<link>http://www.brief.example/dredging?utm_source=digest&amp;utm_medium=rss</link>
<guid isPermaLink="false">digest-901</guid><pubDate>Tue, 24 Nov 2026 10:00:00 +0000</pubDate>
<description>The harbour board met on Tuesday [&#8230;]</description></item>
<item><title>Digest's own column</title><link>https://digest.example/column/</link>
<guid isPermaLink="false">digest-902</guid><pubDate>Tue, 24 Nov 2026 11:00:00 +0000</pubDate>
<description>Our weekly column on the harbour, in full, written for the digest.</description>
</item>
</channel></rss>"""

PAGE = (
    "<html><body><article><h1>Page</h1>"
    + "".join(
        f"<p>Paragraph {n}: the harbour board met on Tuesday to weigh the cost of dredging "
        "the north channel before the winter storms.</p>"
        for n in range(1, 6)
    )
    + "</article></body></html>"
).encode()
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_an_aggregator_carrying_a_publishers_articles_stores_none_twice(
    tmp_path: Path,
) -> None:
    brief, _ = writes.add_source("https://brief.example/feed/", "Brief Post", category="Harbour")
    digest, _ = writes.add_source("https://digest.example/feed/", "Digest", category="Digest")
    pages: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/feed/":
            body = BRIEF if request.url.host == "brief.example" else DIGEST
            return httpx.Response(200, content=body, headers={"content-type": "application/rss"})
        pages.append(f"{request.url.host}{request.url.path}")
        return httpx.Response(200, content=PAGE, headers={"content-type": "text/html"})

    def run(source_id: int) -> None:
        update(
            Settings(home=tmp_path, database_url="sqlite:///unused"),
            source_id=source_id,
            rng=random.Random(1),
            seam=HttpSeam(httpx.MockTransport(handle), resolve=lambda h, p: ["93.184.215.14"]),
        )

    run(brief.id)
    run(digest.id)
    # the digest's own column is new; its dredging item is the publisher's article
    assert Article.objects.count() == 3
    dredging = Article.objects.get(guid="https://brief.example/?p=1")
    assert dredging.source_id == brief.id and "Paragraph 5" in dredging.body_html
    carrier = Carrier.objects.get()
    assert (carrier.article_id, carrier.source_id) == (dredging.pk, digest.id)
    assert sorted(dredging.categories.values_list("name", flat=True)) == ["Digest", "Harbour"]
    # the publisher's pages were fetched once each, by the publisher's feed (the digest's
    # short column reads as a summary, so its page is fetched too)
    assert sorted(pages) == [
        "brief.example/dredging/",
        "brief.example/ferry/",
        "digest.example/column/",
    ]

    lines = {r.index: r for r in replay(str(digest.id), now=NOW).items}
    assert lines[1].decision is Decision.UNCHANGED
    assert lines[1].why == f"unchanged: carried, article #{dredging.pk} of another source"
    assert lines[2].decision is Decision.UNCHANGED

    # as the digest's first fetch looked: the item is another source's article
    Carrier.objects.all().delete()
    first = replay(str(digest.id), now=NOW).items[0]
    assert first.decision is Decision.DUPLICATE and first.article == dredging.pk
    assert first.why == (
        f"duplicate of article #{dredging.pk} of source {brief.id} (Brief Post) by link:"
        " carried, not stored again"
    )
    assert not first.full_text
