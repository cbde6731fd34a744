"""Store writes: atomic feed saves, identity per source, leases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsdesk.store import writes
from newsdesk.store.models import Article, Category, Source
from newsdesk.types import CleanArticle

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def incoming(n: int, *categories: str) -> writes.Incoming:
    article = CleanArticle(
        guid=f"g{n}",
        url=f"https://p.example/{n}/",
        title=f"Item {n}",
        author=None,
        published=NOW - timedelta(hours=n),
        updated=None,
        summary="s",
        body_html="<p>b</p>",
        categories=categories,
    )
    return writes.Incoming(identity=f"guid:g{n}", content_hash=f"h{n}", article=article)


def health() -> writes.FeedHealth:
    return writes.FeedHealth(status=200, fetched_at=NOW, next_fetch_at=NOW + timedelta(hours=1))


def test_a_feed_repeating_a_guid_stores_it_once_and_same_identity_in_two_sources_twice() -> None:
    a, _ = writes.add_source("https://a.example/feed", "A")
    b, _ = writes.add_source("https://b.example/feed", "B")
    result = writes.save_feed(a, [incoming(1), incoming(1), incoming(2)], health())
    assert (result.new, result.updated) == (2, 0)
    # the same GUID at another source is another article (the same link would be carried:
    # test_carriers.py)
    mine = incoming(1)
    mine = replace(mine, article=replace(mine.article, url="https://b.example/1/"))
    writes.save_feed(b, [mine], health())
    assert Article.objects.filter(identity="guid:g1").count() == 2


def test_a_rolled_back_save_forgets_the_categories_it_created() -> None:
    source, _ = writes.add_source("https://a.example/feed", "A")
    cache: writes.CategoryCache = {}
    stolen = replace(source, leased_by="elsewhere:1")
    with pytest.raises(writes.LeaseLostError):
        writes.save_feed(stolen, [incoming(1, "Fresh")], health(), cache)
    assert cache == {}
    assert not Category.objects.filter(name="Fresh").exists()
    assert not Article.objects.exists()
    writes.save_feed(source, [incoming(1, "Fresh")], health(), cache)
    assert list(Article.objects.get().categories.values_list("name", flat=True)) == ["Fresh"]


def due_sources(count: int) -> None:
    for n in range(count):
        writes.add_source(f"https://s{n}.example/feed", f"S{n}")
    Source.objects.update(next_fetch_at=NOW - timedelta(minutes=1))


def test_claims_are_disjoint_and_expire() -> None:
    due_sources(5)
    lease = timedelta(minutes=5)
    first = writes.claim_sources(NOW, owner="w1", lease=lease, limit=3)
    second = writes.claim_sources(NOW, owner="w2", lease=lease, limit=3)
    assert len(first) == 3 and len(second) == 2
    assert not {s.id for s in first} & {s.id for s in second}
    assert writes.claim_sources(NOW, owner="w3", lease=lease, limit=3) == []
    later = writes.claim_sources(
        NOW + lease + timedelta(seconds=1), owner="w3", lease=lease, limit=9
    )
    assert len(later) == 5 and all(s.leased_by == "w3" for s in later)


def test_claimed_sources_carry_what_the_pipeline_needs() -> None:
    source, _ = writes.add_source("https://a.example/feed", "A", category="World")
    Source.objects.filter(pk=source.id).update(
        next_fetch_at=NOW - timedelta(minutes=1),
        etag='"v1"',
        consecutive_errors=2,
        last_new_at=NOW - timedelta(days=2),
        usual_gap_seconds=3600.0,
    )
    (claimed,) = writes.claim_sources(NOW, owner="w1", lease=timedelta(minutes=5), limit=5)
    assert claimed == replace(writes.source_state(source.id), leased_by="w1")
    assert (claimed.category, claimed.etag, claimed.consecutive_errors) == ("World", '"v1"', 2)
    assert claimed.last_new_at == NOW - timedelta(days=2)
    assert writes.count_due(NOW) == 0  # held now
    assert writes.count_due(NOW + timedelta(minutes=6)) == 1  # its lease ran out


def test_304s_are_recorded_together_and_a_lost_lease_only_drops_its_own() -> None:
    due_sources(4)
    lease = timedelta(minutes=5)
    mine = writes.claim_sources(NOW, owner="w1", lease=lease, limit=9)
    # the third one's lease ran out and another worker holds it now
    Source.objects.filter(pk=mine[2].id).update(leased_by="w2")
    later = NOW + timedelta(hours=1)
    results = writes.record_not_modified(
        [
            (s, writes.FeedHealth(status=304, fetched_at=NOW, next_fetch_at=later, etag='"e"'))
            for s in mine
        ]
    )
    assert [isinstance(r, writes.LeaseLostError) for r in results] == [False, False, True, False]
    rows = {s.pk: s for s in Source.objects.all()}
    for n, state in enumerate(mine):
        row = rows[state.id]
        if n == 2:
            assert (row.leased_by, row.fetch_count, row.etag) == ("w2", 0, "")
        else:
            assert (row.leased_by, row.fetch_count, row.last_status) == ("", 1, 304)
            assert (row.next_fetch_at, row.etag) == (later, '"e"')


@pytest.mark.parametrize("update_from", [True, False], ids=["update-from", "sqlite-3.31"])
def test_304s_of_a_batch_larger_than_one_statement_each_get_their_own_values(
    monkeypatch: pytest.MonkeyPatch, update_from: bool
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(writes, "_UPDATE_FROM", update_from)
    due_sources(5)
    mine = writes.claim_sources(NOW, owner="w1", lease=timedelta(minutes=5), limit=9)
    # room for two sources' parameters a statement: three statements on SQLite
    monkeypatch.setattr(connection.features, "max_query_params", 25)
    answers = [
        (
            s,
            writes.FeedHealth(
                status=304,
                fetched_at=NOW,
                next_fetch_at=NOW + timedelta(minutes=n + 1),
                etag=f'"e{n}"',
            ),
        )
        for n, s in enumerate(mine)
    ]
    with CaptureQueriesContext(connection) as seen:
        assert writes.record_not_modified(answers) == [False] * 5
    updates = [q["sql"] for q in seen.captured_queries if "UPDATE" in q["sql"]]
    # with UPDATE ... FROM one statement a chunk (none undone and run again); else an
    # executemany
    assert len(updates) == (3 if connection.vendor == "sqlite" and update_from else 1)
    rows = {s.pk: s for s in Source.objects.all()}
    for n, state in enumerate(mine):
        row = rows[state.id]
        assert (row.etag, row.next_fetch_at) == (f'"e{n}"', NOW + timedelta(minutes=n + 1))
        assert (row.leased_by, row.fetch_count, row.last_status) == ("", 1, 304)


def test_a_save_that_lost_a_deadlock_is_run_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    class Deadlock(Exception):
        sqlstate = "40P01"  # what psycopg's DeadlockDetected carries

    source, _ = writes.add_source("https://a.example/feed", "A")
    real = writes._save_feed
    calls: list[int] = []

    def first_one_loses(*args: object, **kwargs: object) -> writes.SaveResult:
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("deadlock detected") from Deadlock()
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(writes, "_save_feed", first_one_loses)
    result = writes.save_feed(source, [incoming(1, "World"), incoming(2, "Politics")], health())
    assert (len(calls), result.new) == (2, 2)
    assert sorted(Category.objects.values_list("name", flat=True)) == ["Politics", "World"]


def test_any_other_database_error_is_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    source, _ = writes.add_source("https://a.example/feed", "A")
    calls: list[int] = []

    def broken(*args: object, **kwargs: object) -> writes.SaveResult:
        calls.append(1)
        raise OperationalError("disk I/O error")

    monkeypatch.setattr(writes, "_save_feed", broken)
    with pytest.raises(OperationalError):
        writes.save_feed(source, [incoming(1)], health())
    assert calls == [1]


def test_new_articles_dates_go_to_the_database_as_the_field_would_send_them() -> None:
    import functools

    from django.db import connection

    field = Article._meta.get_field("first_seen_at")
    by_field = functools.partial(field.get_db_prep_save, connection=connection)
    direct = writes._aware_dates_directly(by_field)
    plus_two = timezone(timedelta(hours=2))
    for value in (NOW, datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=plus_two), None):
        assert direct(value) == by_field(value)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 12, 4, 21, 0, tzinfo=UTC),  # no microseconds: text without them
        datetime(2026, 12, 4, 21, 0, 5, 123456, tzinfo=UTC),
        datetime(2026, 12, 4, 23, 0, 5, 1, tzinfo=timezone(timedelta(hours=2))),
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
    ],
)
def test_an_aware_date_is_sent_as_the_backends_adapter_sends_it(value: datetime) -> None:
    from django.db import connection

    assert writes._aware_param(value, connection) == connection.ops.adapt_datetimefield_value(value)


def test_derived_words_are_the_body_without_its_markup() -> None:
    def article(body: str, summary: str = "") -> CleanArticle:
        return CleanArticle(None, None, "Harbour", None, None, None, summary, body)

    derived = writes.derive(
        article('<p><strong>Strong</strong> tides &amp; <a href="/x">gales</a></p>')
    )
    assert derived.body_text == "Strong tides & gales"
    # no body: nothing of the summary is indexed as the body (it has its own column)
    assert writes.derive(article("", "A summary of the tides.")).body_text == ""
