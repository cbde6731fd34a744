"""The desk's effect on update(): edits kept, rules and tombstones obeyed."""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import pytest

from newsdesk.config import Settings
from newsdesk.pipeline.update import HttpSeam, update
from newsdesk.store import editorial, writes
from newsdesk.store.models import Article, Rule, Source

FEED = (Path(__file__).resolve().parents[1] / "data" / "pipeline" / "partner.rss").read_bytes()
URL = "https://partner.example/feed/"
FERRY = "https://partner.example/?p=101"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]


def fetch(tmp_path: Path, body: bytes) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/rss+xml"})

    update(
        Settings(home=tmp_path, database_url="sqlite:///unused"),
        everything=True,
        rng=random.Random(1),
        seam=HttpSeam(httpx.MockTransport(handle), resolve=lambda host, port: ["93.184.215.14"]),
    )


def subscribe(**kwargs: object) -> int:
    source, _ = writes.add_source(URL, "Partner Post", **kwargs)  # type: ignore[arg-type]
    return source.id


def test_an_edited_headline_survives_the_next_fetch(tmp_path: Path) -> None:
    subscribe()
    fetch(tmp_path, FEED)
    ferry = Article.objects.get(guid=FERRY)
    editorial.edit_article(None, ferry.pk, {"title": "Ferries every twenty minutes"})
    changed = FEED.replace(b"every twenty minutes from the spring", b"every 20 minutes from April")
    changed = changed.replace(b"approves new ferry timetable</title>", b"backs ferry plan</title>")
    fetch(tmp_path, changed)
    ferry.refresh_from_db()
    assert ferry.title == "Ferries every twenty minutes"
    assert "every 20 minutes from April" in ferry.body_html  # the unedited body follows the feed


def test_review_mode_holds_new_items(tmp_path: Path) -> None:
    subscribe(review=True)
    fetch(tmp_path, FEED)
    assert set(Article.objects.values_list("status", flat=True)) == {"held"}


def test_a_hold_rule_holds_only_matching_items(tmp_path: Path) -> None:
    source_id = subscribe()
    Rule.objects.create(source_id=source_id, action="hold", field="title", pattern="storm")
    fetch(tmp_path, FEED)
    statuses = dict(Article.objects.values_list("title", "status"))
    assert statuses["Storm warning for the outer islands"] == "held"
    assert statuses["Library extends weekend opening hours"] == "published"


def test_an_exclude_rule_drops_and_a_deleted_article_stays_deleted(tmp_path: Path) -> None:
    source_id = subscribe()
    Rule.objects.create(source=None, action="exclude", field="category", pattern="culture")
    fetch(tmp_path, FEED)
    assert not Article.objects.filter(title__startswith="Library").exists()
    ferry = Article.objects.get(guid=FERRY)
    editorial.delete_articles(None, [ferry.pk])
    Source.objects.filter(pk=source_id).update(etag="", last_modified="")
    fetch(tmp_path, FEED.replace(b"twenty minutes", b"20 minutes"))
    assert not Article.objects.filter(guid=FERRY).exists()


def test_the_feed_version_follows_the_feed_beside_an_edit(tmp_path: Path) -> None:
    subscribe()
    fetch(tmp_path, FEED)
    ferry = Article.objects.get(guid=FERRY)
    editorial.edit_article(None, ferry.pk, {"title": "Ferries every twenty minutes"})
    fetch(
        tmp_path, FEED.replace(b"approves new ferry timetable</title>", b"backs ferry plan</title>")
    )
    ferry.refresh_from_db()
    assert ferry.feed_version == {"title": "Harbour council backs ferry plan"}
