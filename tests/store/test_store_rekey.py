"""Re-keying a source's stored articles when its identity rule changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsdesk.engine.dedupe.identity import KeyRule, link_key
from newsdesk.store import writes
from newsdesk.store.models import Article, Source

pytestmark = [pytest.mark.django_db, pytest.mark.db_both]

WHEN = datetime(2026, 11, 30, 9, tzinfo=UTC)


def article(source: Source, identity: str, guid: str, url: str, **more: object) -> Article:
    return Article.objects.create(
        source=source,
        identity=identity,
        guid=guid,
        url=url,
        title=str(more.pop("title", "A title")),
        slug="a",
        published_at=WHEN,
        **more,  # type: ignore[arg-type]
    )


def test_rekey_to_links_and_back_to_guids() -> None:
    source = Source.objects.create(name="S", slug="s", feed_url="https://s.example/feed")
    one = article(source, "guid:1", "1", "https://s.example/a")
    # a copy the GUID churn made before the switch: same link, date and title
    copy = article(source, "guid:1b", "1b", "https://s.example/a")
    bare = article(source, "hash:abc", "", "")  # no link: keeps its key
    assert writes.rekey_articles(source.pk, KeyRule.LINK_DATE) == 1
    one.refresh_from_db()
    copy.refresh_from_db()
    bare.refresh_from_db()
    assert one.identity == link_key(KeyRule.LINK_DATE, "https://s.example/a", WHEN, "A title")
    assert (copy.identity, bare.identity) == ("guid:1b", "hash:abc")
    # and back: each takes its GUID key again, nothing collides on the way
    assert writes.rekey_articles(source.pk, KeyRule.GUID) == 1
    one.refresh_from_db()
    assert one.identity == "guid:1"


def test_the_key_uses_the_feeds_date_and_title_not_the_policys_or_the_editors() -> None:
    source = Source.objects.create(name="S", slug="s", feed_url="https://s.example/feed")
    feed_date = datetime(2027, 1, 1, tzinfo=UTC)
    moved = article(
        source,
        "guid:1",
        "1",
        "https://s.example/a",
        title="Edited by a person",
        feed_date=feed_date,
        date_note="dated in the future",
        edited_fields=["title"],
        feed_version={"title": "What the feed says"},
    )
    writes.rekey_articles(source.pk, KeyRule.LINK_DATE_TITLE)
    moved.refresh_from_db()
    assert moved.identity == link_key(
        KeyRule.LINK_DATE_TITLE, "https://s.example/a", feed_date, "What the feed says"
    )
