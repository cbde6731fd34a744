"""The same article from two sources is stored once; the second source is a carrier."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.engine.dedupe.identity import KeyRule
from newsdesk.store import carriers, editorial, reads, writes
from newsdesk.store.models import Article, Carrier, Source
from newsdesk.types import CleanArticle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def item(guid: str, url: str, title: str = "Ceasefire talks resume") -> writes.Incoming:
    article = CleanArticle(
        guid=guid,
        url=url,
        title=title,
        author=None,
        published=NOW - timedelta(hours=1),
        updated=None,
        summary="Talks resumed on Monday.",
        body_html="<p>Talks resumed on Monday.</p>",
    )
    return writes.Incoming(identity=f"guid:{guid}", content_hash=f"h-{guid}", article=article)


def health(at: datetime = NOW) -> writes.FeedHealth:
    return writes.FeedHealth(status=200, fetched_at=at, next_fetch_at=at + timedelta(hours=1))


def source(name: str, category: str | None = None) -> writes.SourceState:
    state, _ = writes.add_source(f"https://{name.lower()}.example/feed", name, category=category)
    return state


def categories(article: Article) -> list[str]:
    return sorted(article.categories.values_list("name", flat=True))


def test_the_same_link_from_a_second_source_is_carried_not_stored_again() -> None:
    wire = source("Wire", category="World")
    partner = source("Partner", category="Middle East")
    first = writes.save_feed(wire, [item("w1", "https://news.example/2026/talks/")], health())
    assert (first.new, first.carried) == (1, 0)
    # tracking parameters, http, www. and a trailing slash do not make it another page
    again = item("p-77", "http://www.news.example/2026/talks?utm_source=partner&fbclid=x")
    second = writes.save_feed(partner, [again, item("p-78", "https://p.example/own/")], health())
    assert (second.new, second.updated, second.carried) == (1, 0, 1)
    talks = Article.objects.get(source_id=wire.id)
    assert Article.objects.filter(title="Ceasefire talks resume").count() == 2  # talks + own
    carrier = Carrier.objects.get()
    assert (carrier.article_id, carrier.source_id, carrier.identity) == (
        talks.pk,
        partner.id,
        "guid:p-77",
    )
    # listed under every section that carries it
    assert categories(talks) == ["Middle East", "World"]
    assert [c.name for c in reads.carried_by(talks.pk)] == ["Partner"]
    record = reads.article_records_by_id([talks.pk])[0]
    assert record["source"]["name"] == "Wire"
    assert [c["name"] for c in record["carriers"]] == ["Partner"]


def test_a_carried_item_is_known_on_the_next_fetch() -> None:
    wire, partner = source("Wire"), source("Partner")
    writes.save_feed(wire, [item("w1", "https://news.example/a/")], health())
    writes.save_feed(partner, [item("p1", "https://news.example/a/")], health())
    later = NOW + timedelta(hours=1)
    # the partner's copy changed its text: still the wire's article, untouched
    changed = replace(item("p1", "https://news.example/a/"), content_hash="h-edited")
    result = writes.save_feed(partner, [changed], health(later))
    assert (result.new, result.updated, result.carried) == (0, 0, 0)
    assert Carrier.objects.count() == 1
    assert Article.objects.count() == 1
    assert carriers.known(partner.id, ["guid:p1", "guid:other"]) == {
        "guid:p1": Article.objects.get().pk
    }


def test_links_that_are_no_article_page_are_never_matched() -> None:
    wire, partner = source("Wire"), source("Partner")
    # a home page as an item's link, and a link two stored articles share (a live page)
    writes.save_feed(
        wire,
        [
            item("w1", "https://news.example/", "One"),
            item("w2", "https://news.example/live", "Two"),
            item("w3", "https://news.example/live", "Three"),
        ],
        health(),
    )
    assert Article.objects.count() == 3
    result = writes.save_feed(
        partner,
        [
            item("p1", "https://news.example/", "One"),
            item("p2", "https://news.example/live", "Two"),
        ],
        health(),
    )
    assert (result.new, result.carried) == (2, 0)
    assert not Carrier.objects.exists()


def test_two_items_of_one_feed_with_one_link_are_not_matched() -> None:
    wire, partner = source("Wire"), source("Partner")
    writes.save_feed(wire, [item("w1", "https://news.example/a/")], health())
    both = [item("p1", "https://news.example/a/", "A"), item("p2", "https://news.example/a/", "B")]
    result = writes.save_feed(partner, both, health())
    assert (result.new, result.carried) == (2, 0)


def test_categories_an_editor_set_are_left_alone() -> None:
    wire = source("Wire", category="World")
    partner = source("Partner", category="Sport")
    writes.save_feed(wire, [item("w1", "https://news.example/a/")], health())
    article = Article.objects.get()
    article.edited_fields = ["categories"]
    article.save()
    writes.save_feed(partner, [item("p1", "https://news.example/a/")], health())
    assert Carrier.objects.count() == 1
    assert categories(article) == ["World"]


def test_deleting_a_carried_article_tombstones_it_in_every_source() -> None:
    wire, partner = source("Wire"), source("Partner")
    writes.save_feed(wire, [item("w1", "https://news.example/a/")], health())
    writes.save_feed(partner, [item("p1", "https://news.example/a/")], health())
    editorial.delete_articles(None, [Article.objects.get().pk])
    assert editorial.tombstoned(wire.id, ["guid:w1"]) == {"guid:w1"}
    assert editorial.tombstoned(partner.id, ["guid:p1"]) == {"guid:p1"}
    assert not Carrier.objects.exists()


def test_when_the_first_source_goes_its_carrier_stores_the_article() -> None:
    wire, partner = source("Wire"), source("Partner")
    writes.save_feed(wire, [item("w1", "https://news.example/a/")], health())
    writes.save_feed(partner, [item("p1", "https://news.example/a/")], health())
    Source.objects.filter(pk=wire.id).delete()
    result = writes.save_feed(partner, [item("p1", "https://news.example/a/")], health())
    assert (result.new, result.carried) == (1, 0)
    assert Article.objects.get().source_id == partner.id


def test_a_carrier_whose_keys_change_is_matched_again_under_the_new_key() -> None:
    wire, partner = source("Wire"), source("Partner")
    writes.save_feed(wire, [item("w1", "https://news.example/a/")], health())
    writes.save_feed(partner, [item("p1", "https://news.example/a/")], health())
    writes.rekey_articles(partner.id, KeyRule.LINK_DATE)
    assert not Carrier.objects.exists()
    rekeyed = replace(item("p1", "https://news.example/a/"), identity="ld:https://news.example/a/")
    result = writes.save_feed(partner, [rekeyed], health())
    assert (result.new, result.carried) == (0, 1)
    assert Carrier.objects.get().identity == "ld:https://news.example/a/"


def test_the_same_guid_with_a_new_link_updates_its_article() -> None:
    wire = source("Wire")
    writes.save_feed(wire, [item("w1", "https://news.example/a/")], health())
    moved = replace(item("w1", "https://news.example/2026/a-renamed/"), content_hash="h-moved")
    result = writes.save_feed(wire, [moved], health(NOW + timedelta(hours=1)))
    assert (result.new, result.updated) == (0, 1)
    article = Article.objects.get()
    assert article.url == "https://news.example/2026/a-renamed/"
    assert article.link_key == "news.example/2026/a-renamed"


def test_a_policy_says_whether_anything_is_stored_under_its_source() -> None:
    wire, partner, quiet = source("Wire"), source("Partner"), source("Quiet")
    assert not editorial.policy_for(wire.id).history
    writes.save_feed(wire, [item("w1", "https://news.example/a/")], health())
    writes.save_feed(partner, [item("p1", "https://news.example/a/")], health())
    assert editorial.policy_for(wire.id).history  # an article
    assert editorial.policy_for(partner.id).history  # only a carried item
    assert not editorial.policy_for(quiet.id).history
    editorial.delete_articles(None, [Article.objects.get().pk])
    assert editorial.policy_for(wire.id).history  # only tombstones now
    assert editorial.policy_for(partner.id).history
