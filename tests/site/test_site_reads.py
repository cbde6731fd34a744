"""store.reads: the article record contract, listings, keyset pages, settings defaults."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from site_rows import BASE_TIME, Seed, make_article

from newsdesk.store import reads
from newsdesk.store.models import Article, SiteSettings

# Listings and article pages read through fixed SQL (store/pagereads.py): the PostgreSQL pass
# runs these again, so the statements are checked on both backends.
pytestmark = pytest.mark.db_both

RECORD_KEYS = {
    "id", "guid", "url", "title", "author", "published", "updated", "source", "categories",
    "image", "summary", "body_html", "attribution", "story", "places",
    # added to INTERFACE.md's record, which may grow but never lose a key
    "enclosures", "carriers",
}  # fmt: skip


@pytest.mark.django_db
def test_article_record_has_exactly_the_interface_shape(seed: Seed) -> None:
    record = reads.article_records(limit=1)[0]
    assert set(record) == RECORD_KEYS
    assert record["id"] == seed.articles[0].pk
    assert record["published"] == "2025-06-14T08:00:00Z"
    assert record["updated"] is None
    assert record["author"] == "Staff Writer"
    assert record["source"] == {
        "id": seed.source.pk,
        "name": "Algemeiner.com",
        "feed_url": "https://www.algemeiner.example/feed/",
    }
    assert record["categories"] == ["Middle East", "News"]
    assert record["image"] == {
        "url": "https://demo.newsdesk.invalid/images/convoy.svg",
        "caption": "A convoy passes a checkpoint outside the city, June 13, 2025.",
        "credit": "REUTERS/Staff Photographer",
    }
    assert record["attribution"] == {
        "site": "Algemeiner.com",
        "url": "https://www.algemeiner.example/",
    }
    assert record["story"] == 7
    assert record["places"] == ["Homs", "Damascus"]


@pytest.mark.django_db
def test_empty_fields_become_null(seed: Seed) -> None:
    bare = make_article(seed.source, 9, when=BASE_TIME + timedelta(days=1))
    record = reads.article_record(Article.objects.get(pk=bare.pk))
    assert record["author"] is None
    assert record["image"] is None
    assert record["attribution"] is None
    assert record["story"] is None
    assert record["categories"] == []
    assert record["places"] == []


@pytest.mark.django_db
def test_records_are_newest_first_and_published_only(seed: Seed) -> None:
    make_article(seed.source, 10, status=Article.Status.HELD, when=BASE_TIME + timedelta(days=2))
    titles = [r["title"] for r in reads.article_records()]
    assert titles == [a.title for a in seed.articles]


@pytest.mark.django_db
def test_records_filter_by_category_name_or_slug_and_source(seed: Seed) -> None:
    by_name = [r["id"] for r in reads.article_records(category="Middle East")]
    by_slug = [r["id"] for r in reads.article_records(category="middle-east")]
    assert by_name == by_slug == [seed.articles[0].pk, seed.articles[1].pk]
    assert reads.article_records(source_id=seed.source.pk + 100) == []
    assert len(reads.article_records(source_id=seed.source.pk, limit=2)) == 2


@pytest.mark.django_db
def test_front_page_pages_are_disjoint_and_cover_everything(seed: Seed) -> None:
    for n in range(20, 45):
        make_article(seed.source, n)
    seen: list[int] = []
    before = None
    pages = 0
    while True:
        page = reads.front_page(before=before, limit=7)
        seen.extend(a.id for a in page.items)
        pages += 1
        if page.next_cursor is None:
            break
        before = reads.parse_cursor(page.next_cursor)
        assert before is not None
    assert pages == 4
    assert len(seen) == len(set(seen)) == 28


@pytest.mark.django_db
def test_keyset_pages_break_ties_on_id(seed: Seed) -> None:
    # Articles sharing one sort_at must neither repeat nor vanish across a page boundary.
    same = [make_article(seed.source, n, when=BASE_TIME) for n in range(50, 56)]
    ids: list[int] = []
    page = reads.category_page("none", limit=3)
    assert page.items == ()
    page = reads.source_page("algemeiner", limit=4)
    ids.extend(a.id for a in page.items)
    while page.next_cursor:
        page = reads.source_page("algemeiner", before=reads.parse_cursor(page.next_cursor), limit=4)
        ids.extend(a.id for a in page.items)
    assert sorted(ids) == sorted([a.pk for a in same] + [a.pk for a in seed.articles])
    assert len(ids) == len(set(ids))


@pytest.mark.django_db
def test_pinned_article_leads_the_first_page_only(seed: Seed) -> None:
    old = seed.articles[2]
    old.pinned = True
    old.save()
    first = reads.front_page(limit=2)
    assert first.items[0].id == old.pk
    assert [a.id for a in first.items[1:]] == [seed.articles[0].pk, seed.articles[1].pk]
    assert first.next_cursor is None


@pytest.mark.django_db
def test_a_listing_without_bodies_is_the_listing_with_empty_bodies(seed: Seed) -> None:
    seed.articles[1].pinned = True
    seed.articles[1].save()
    seed.articles[0].categories.set([seed.news])
    listings = [
        lambda bodies: reads.front_page(limit=50, bodies=bodies),
        lambda bodies: reads.category_page("news", limit=50, bodies=bodies),
        lambda bodies: reads.source_page("algemeiner", limit=50, bodies=bodies),
    ]
    for listing in listings:
        full, bare = listing(True).items, listing(False).items
        assert full and all(v.body_html for v in full)
        assert bare == tuple(replace(v, body_html="") for v in full)
    ids = [v.id for v in seed.articles]
    full_views = reads.articles_by_id(ids)
    assert reads.articles_by_id(ids, bodies=False) == [replace(v, body_html="") for v in full_views]
    # the pinned articles are memoized apart for each kind of page: the one without bodies
    # read first must not be what a page with bodies gets
    reads.forget_shared()
    assert reads.front_page(limit=5, bodies=False).items[0].body_html == ""
    assert reads.front_page(limit=5).items[0].body_html


@pytest.mark.parametrize(
    "raw", ["", "nonsense", "2025-06-14T09:00:00.000000Z", "x,1", "2025-06-14T09:00:00.000000Z,-3"]
)
def test_bad_cursors_are_refused(raw: str) -> None:
    assert reads.parse_cursor(raw) is None


def test_cursor_round_trips() -> None:
    assert reads.parse_cursor(reads.make_cursor(BASE_TIME, 12)) == (BASE_TIME, 12)


@pytest.mark.django_db
def test_article_reads_published_only(seed: Seed) -> None:
    held = make_article(seed.source, 11, status=Article.Status.HELD)
    assert reads.article(seed.articles[0].pk) is not None
    assert reads.article(held.pk) is None
    assert reads.article(999_999) is None


@pytest.mark.django_db
def test_site_settings_are_created_with_defaults() -> None:
    assert not SiteSettings.objects.exists()
    site = reads.site_settings()
    assert site.name == "newsdesk"
    assert reads.Link("RSS", "/feed/rss.xml") in site.social_links
    assert site.footer.startswith("Copyright © 20")
    assert site.footer.endswith(" newsdesk")
    assert SiteSettings.objects.get().pk == 1


@pytest.mark.django_db
def test_listing_query_count_does_not_grow_with_rows(
    seed: Seed, django_assert_max_num_queries: pytest.FixtureRequest
) -> None:
    for n in range(20, 60):
        a = make_article(seed.source, n)
        a.categories.set([seed.news, seed.middle_east])
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        page = reads.front_page(limit=30)
    assert len(page.items) == 30
    # the articles, their categories, their carriers: whatever the number of rows
    with django_assert_max_num_queries(3):  # type: ignore[operator]
        records = reads.article_records(limit=40)
    assert all(r["categories"] for r in records[:30])
