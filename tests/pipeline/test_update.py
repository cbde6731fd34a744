"""update() end to end through the HTTP seam: fetch → parse → clean → identity → store."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from django.db import connection

from newsdesk.config import Settings
from newsdesk.pipeline.update import HttpSeam, update
from newsdesk.store import writes
from newsdesk.store.models import Article, Category, Source

DATA = Path(__file__).resolve().parent.parent / "data" / "pipeline"
FEED = (DATA / "partner.rss").read_bytes()
URL = "https://partner.example/feed/"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]


def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, database_url="sqlite:///unused")


Handler = Callable[[httpx.Request], httpx.Response]


def feed_server(body: bytes = FEED, etag: str = '"v1"') -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"etag": etag})
        return httpx.Response(
            200, content=body, headers={"content-type": "application/rss+xml", "etag": etag}
        )

    return handle, seen


def run(tmp_path: Path, handler: Handler, **kwargs: object):  # type: ignore[no-untyped-def]
    return update(
        settings(tmp_path),
        everything=True,
        rng=random.Random(1),
        seam=HttpSeam(httpx.MockTransport(handler), resolve=lambda host, port: ["93.184.215.14"]),
        **kwargs,  # type: ignore[arg-type]
    )


def subscribe(url: str = URL, **kwargs: object) -> int:
    source, _ = writes.add_source(url, "Partner Post", **kwargs)  # type: ignore[arg-type]
    return source.id


def test_first_update_imports_every_item_cleaned(tmp_path: Path) -> None:
    subscribe(category="News")
    handler, _ = feed_server()
    summary = run(tmp_path, handler)
    assert (summary.fetched, summary.new, summary.failed) == (1, 3, 0)

    ferry = Article.objects.get(guid="https://partner.example/?p=101")
    assert ferry.title == "Harbour council approves new ferry timetable"
    assert ferry.author == "Mara Lind"
    assert ferry.image_url == "https://partner.example/uploads/ferry.jpg"
    assert ferry.image_credit == "Partner Wire/Jon Aas"
    assert ferry.attribution_site == "Partner Post"
    assert "first appeared on" not in ferry.body_html
    assert ferry.origin == "Partner Wire"
    assert sorted(ferry.categories.values_list("name", flat=True)) == ["Local", "News"]
    storm = Article.objects.get(guid="https://partner.example/?p=103")
    assert "<script" not in storm.body_html
    source = Source.objects.get()
    assert source.etag == '"v1"' and source.last_status == 200 and source.consecutive_errors == 0


def test_second_update_sends_validators_and_imports_nothing_twice(tmp_path: Path) -> None:
    subscribe()
    handler, seen = feed_server()
    run(tmp_path, handler)
    again = run(tmp_path, handler)
    assert seen[-1].headers["if-none-match"] == '"v1"'
    assert (again.not_modified, again.new, again.fetched) == (1, 0, 0)
    # the same bytes under a new ETag: fetched and parsed again, still no duplicate
    handler2, _ = feed_server(etag='"v2"')
    third = run(tmp_path, handler2)
    assert (third.fetched, third.new, third.updated) == (1, 0, 0)
    assert Article.objects.count() == 3


def test_changed_item_updates_but_never_overwrites_an_editors_field(tmp_path: Path) -> None:
    subscribe()
    handler, _ = feed_server()
    run(tmp_path, handler)
    library = Article.objects.get(guid="https://partner.example/?p=102")
    library.title = "Library opens on Sundays (edited)"
    library.edited_fields = ["title"]
    library.save()

    changed = FEED.replace(b"open on Sundays from December", b"open on Sundays from January")
    changed = changed.replace(b"Library extends weekend", b"Library lengthens weekend")
    handler2, _ = feed_server(changed, etag='"v2"')
    summary = run(tmp_path, handler2)
    assert summary.updated == 1
    library.refresh_from_db()
    assert library.title == "Library opens on Sundays (edited)"
    assert "January" in library.body_html


def test_failures_are_recorded_and_do_not_stop_other_sources(tmp_path: Path) -> None:
    good = subscribe()
    gone = subscribe("https://gone.example/feed/")
    broken = subscribe("https://broken.example/feed/")
    ok, _ = feed_server()

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "gone.example":
            return httpx.Response(410)
        if request.url.host == "broken.example":
            return httpx.Response(200, content=b"<html><body>not a feed</body></html>")
        return ok(request)

    summary = run(tmp_path, handle)
    assert (summary.fetched, summary.failed, summary.new) == (1, 2, 3)
    sources = {s.pk: s for s in Source.objects.all()}
    assert sources[good].consecutive_errors == 0
    assert sources[gone].enabled is False and sources[gone].last_status == 410
    assert sources[broken].consecutive_errors == 1 and sources[broken].last_error.startswith(
        "parse"
    )
    assert sources[broken].next_fetch_at > sources[broken].last_fetched_at


def test_a_save_failing_after_its_articles_were_written_loses_only_that_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite several feeds share a commit (store.commits): a feed whose save fails
    after its rows were written is rolled back alone, and the run forgets the category
    it created there, so the feeds after it link to a category that exists."""
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite groups commits")
    hosts = ["one.example", "two.example", "three.example"]
    for host in hosts:
        subscribe(f"https://{host}/feed/", category="Bee")

    def handle(request: httpx.Request) -> httpx.Response:
        body = FEED.replace(b"partner.example", request.url.host.encode())
        return httpx.Response(200, content=body, headers={"content-type": "application/rss+xml"})

    grouping = writes.group_stories
    failed: list[int] = []

    def group_stories_once(index, created, source_id):  # type: ignore[no-untyped-def]
        if not failed:
            failed.append(source_id)
            raise RuntimeError("grouping broke after the save")
        return grouping(index, created, source_id)

    monkeypatch.setattr(writes, "group_stories", group_stories_once)
    summary = run(tmp_path, handle)
    assert summary.failed == 1 and failed
    assert (summary.fetched, summary.new) == (2, 6)  # counted as stored only where they stayed
    bee = Category.objects.get(name="Bee")
    others = Article.objects.exclude(source_id=failed[0])
    assert others.count() == 6
    assert all(bee in a.categories.all() for a in others)
    assert not Article.objects.filter(source_id=failed[0]).exists()  # gone with its savepoint
    assert Source.objects.get(pk=failed[0]).consecutive_errors == 1
    monkeypatch.setattr(writes, "group_stories", grouping)
    again = run(tmp_path, handle)
    assert Article.objects.filter(source_id=failed[0]).count() == 3
    assert again.failed == 0


def test_review_source_holds_new_items(tmp_path: Path) -> None:
    subscribe(review=True)
    handler, _ = feed_server()
    run(tmp_path, handler)
    assert set(Article.objects.values_list("status", flat=True)) == {"held"}


def test_permanent_redirect_updates_the_feed_url(tmp_path: Path) -> None:
    subscribe("https://old.example/feed/")
    handler, _ = feed_server()

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "old.example":
            return httpx.Response(301, headers={"location": URL})
        return handler(request)

    run(tmp_path, handle)
    assert Source.objects.get().feed_url == URL


SUMMARY_FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Brief Post</title><link>https://brief.example/</link>
<item><title>Dredging plan</title><link>https://brief.example/dredging/</link>
<guid>https://brief.example/?p=1</guid><pubDate>Tue, 24 Nov 2026 09:00:00 +0000</pubDate>
<description>The harbour board met on Tuesday to weigh the cost [&#8230;]</description></item>
<item><title>Missing page</title><link>https://brief.example/missing/</link>
<guid>https://brief.example/?p=2</guid><pubDate>Mon, 23 Nov 2026 09:00:00 +0000</pubDate>
<description>This page is gone [&#8230;]</description></item>
</channel></rss>"""
ARTICLE_PAGE = (
    "<html><head><title>Dredging plan</title></head><body><nav>Home News</nav><article>"
    "<h1>Dredging plan</h1>"
    + "".join(
        f"<p>Paragraph {n}: the harbour board met on Tuesday to weigh the cost of dredging "
        "the north channel before the winter storms.</p>"
        for n in range(1, 6)
    )
    + "</article><footer>Impressum</footer></body></html>"
).encode()


def test_summary_only_items_get_the_full_text_of_their_page(tmp_path: Path) -> None:
    subscribe("https://brief.example/feed/")
    pages: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/feed/":
            return httpx.Response(200, content=SUMMARY_FEED)
        pages.append(path)
        if path == "/dredging/":
            return httpx.Response(200, content=ARTICLE_PAGE, headers={"content-type": "text/html"})
        return httpx.Response(404)

    summary = run(tmp_path, handle)
    assert (summary.new, summary.failed) == (2, 0)
    full = Article.objects.get(guid="https://brief.example/?p=1")
    assert "Paragraph 5" in full.body_html and "Impressum" not in full.body_html
    missing = Article.objects.get(guid="https://brief.example/?p=2")
    assert "This page is gone" in missing.body_html
    # pages are fetched for new items only, not on every fetch of the feed, and the same
    # summary in a later fetch does not overwrite the full text it was swapped for
    again = run(tmp_path, handle)
    assert sorted(pages) == ["/dredging/", "/missing/"]
    assert (again.new, again.updated) == (0, 0)
    assert "Paragraph 5" in Article.objects.get(guid="https://brief.example/?p=1").body_html


def test_an_edited_summary_only_item_gets_its_page_again(tmp_path: Path) -> None:
    subscribe("https://brief.example/feed/")
    feed = [SUMMARY_FEED]
    pages: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/feed/":
            return httpx.Response(200, content=feed[0])
        pages.append(request.url.path)
        return httpx.Response(200, content=ARTICLE_PAGE, headers={"content-type": "text/html"})

    run(tmp_path, handle)
    feed[0] = SUMMARY_FEED.replace(b"Dredging plan", b"Dredging plan approved")
    edited = run(tmp_path, handle)
    assert edited.updated == 1
    assert pages.count("/dredging/") == 2
    article = Article.objects.get(guid="https://brief.example/?p=1")
    assert article.title == "Dredging plan approved" and "Paragraph 5" in article.body_html


def test_full_text_pages_per_fetch_are_capped_newest_first(tmp_path: Path) -> None:
    subscribe("https://brief.example/feed/")
    # the older item first: the cap must choose by date, not by position in the feed
    head, newer, older = SUMMARY_FEED.split(b"<item>")
    older, tail = older.split(b"</channel>")
    older_first = head + b"<item>" + older + b"<item>" + newer + b"</channel>" + tail
    pages: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/feed/":
            return httpx.Response(200, content=older_first)
        pages.append(request.url.path)
        return httpx.Response(200, content=ARTICLE_PAGE, headers={"content-type": "text/html"})

    summary = update(
        settings(tmp_path).with_changes(full_text_per_fetch=1),
        everything=True,
        rng=random.Random(1),
        seam=HttpSeam(httpx.MockTransport(handle), resolve=lambda host, port: ["93.184.215.14"]),
    )
    assert summary.new == 2  # the item over the cap is stored all the same, with its summary
    assert pages == ["/dredging/"]
    assert "This page is gone" in Article.objects.get(guid="https://brief.example/?p=2").body_html


def test_full_text_never_keeps_the_summary(tmp_path: Path) -> None:
    from newsdesk.types import FullText

    subscribe("https://brief.example/feed/", full_text=FullText.NEVER)

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/feed/", "no page may be fetched"
        return httpx.Response(200, content=SUMMARY_FEED)

    run(tmp_path, handle)
    assert "Paragraph" not in Article.objects.get(guid="https://brief.example/?p=1").body_html


def test_a_run_adds_its_counts_to_the_stored_metrics(tmp_path: Path) -> None:
    from newsdesk.store.metrics import counters

    subscribe()
    handler, _ = feed_server()
    run(tmp_path, handler)
    run(tmp_path, handler)
    values = {(name, labels): value for name, labels, value in counters()}
    assert values[("newsdesk_fetches_total", 'outcome="ok"')] == 1
    assert values[("newsdesk_fetches_total", 'outcome="not_modified"')] == 1
    assert values[("newsdesk_articles_new_total", "")] == 3
    assert values[("newsdesk_fetch_bytes_total", "")] == len(FEED)


def test_a_large_import_ends_with_the_search_index_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from newsdesk.pipeline import update as update_module
    from newsdesk.store import search

    def found() -> list[int]:
        return [r["id"] for r in search.search_records("the")]

    subscribe()
    handler, _ = feed_server()
    merged: list[tuple[list[int], list[int]]] = []
    real = search.tidy_index

    def tidy() -> bool:
        before = found()
        ran = real()
        merged.append((before, found()))
        return ran

    monkeypatch.setattr(search, "tidy_index", tidy)
    monkeypatch.setattr(update_module, "TIDY_AFTER", 10**6)
    run(tmp_path, handler)
    assert merged == []  # a run of a few new articles leaves the index as it is
    Article.objects.all().delete()
    Source.objects.update(etag="", last_modified="")
    monkeypatch.setattr(update_module, "TIDY_AFTER", 1)
    assert run(tmp_path, handler).new > 0
    ((before, after),) = merged
    # the same ranked answers from the merged index (SQLite; nothing to merge on PostgreSQL)
    assert before == after and (len(after) >= 3 or connection.vendor != "sqlite")
