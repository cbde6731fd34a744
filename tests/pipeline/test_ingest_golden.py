"""Golden tests of ingest an editor can trust (issue 7), each built from a behaviour real feeds
have: GUIDs that change on every fetch, one GUID for every item, last week's posts re-issued
with new dates, a future-dated item, a source that goes quiet, a host answering 429.

Each runs several fetches through update() on a clock the test sets, then checks the exact
articles stored and the replay of the last fetch, line by line.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.test import Client

from newsdesk.config import Settings
from newsdesk.pipeline import update as update_module
from newsdesk.pipeline.replay import replay
from newsdesk.pipeline.update import HttpSeam, update
from newsdesk.store import writes
from newsdesk.store.models import Article, HostPause, Source, SourcePolicy
from newsdesk.store.sources import all_sources
from newsdesk.types import FullText

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]

T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
FEED = "https://wire.example/feed.xml"


@dataclass
class Post:
    n: int
    guid: str | None
    date: datetime | None
    title: str = ""
    link: str = ""

    def __post_init__(self) -> None:
        self.title = self.title or f"Story number {self.n}"
        self.link = self.link or f"https://wire.example/news/story-{self.n}/"


def rss(posts: Sequence[Post]) -> bytes:
    items = []
    for p in posts:
        guid = f'<guid isPermaLink="false">{p.guid}</guid>' if p.guid is not None else ""
        date = f"<pubDate>{format_datetime(p.date)}</pubDate>" if p.date else ""
        items.append(
            f"<item><title>{p.title}</title><link>{p.link}</link>{guid}{date}"
            f"<description>&lt;p&gt;The full report of story {p.n}, told in a few "
            f"sentences for the test.&lt;/p&gt;</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Wire</title><link>https://wire.example/</link>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


@dataclass
class World:
    """The feeds as they are now, the clock, and every request the servers saw."""

    tmp_path: Path
    bodies: dict[str, bytes] = field(default_factory=dict)
    answers: dict[str, httpx.Response] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)
    posted: list[dict[str, Any]] = field(default_factory=list)
    now: datetime = T0
    hook: str | None = None

    def handle(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        if request.method == "POST":
            self.posted.append(json.loads(request.content))
            return httpx.Response(204)
        self.seen.append(url)
        if url in self.answers:
            return self.answers[url]
        body = self.bodies[url]
        etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"etag": etag})
        return httpx.Response(
            200, content=body, headers={"content-type": "application/rss+xml", "etag": etag}
        )

    def fetch(self, at: datetime | None = None, everything: bool = True) -> None:
        self.now = at or self.now
        update(
            Settings(
                home=self.tmp_path,
                database_url="sqlite:///unused",
                alert_webhook=self.hook,
                per_host_concurrency=1,
            ),
            everything=everything,
            rng=random.Random(1),
            seam=HttpSeam(httpx.MockTransport(self.handle), resolve=lambda h, p: ["93.184.215.14"]),
        )


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    w = World(tmp_path)
    monkeypatch.setattr(update_module, "utcnow", lambda: w.now)
    yield w


def subscribe(url: str = FEED, name: str = "Wire") -> int:
    source, _ = writes.add_source(url, name, full_text=FullText.NEVER)
    return source.id


def stored(source_id: int) -> list[tuple[str, str]]:
    """(title, key kind) of the source's articles, in list order."""
    rows = Article.objects.filter(source_id=source_id).order_by("-sort_at", "-id")
    return [(a.title, a.identity.split(":", 1)[0]) for a in rows]


def replayed(source_id: int) -> list[str]:
    result = replay(str(source_id), now=T0)
    return [line for line in result.header().splitlines()[1:]] + [
        f"{i.index}\t{i.decision.value}\t{i.why}" for i in result.items
    ]


def ids(source_id: int) -> dict[str, int]:
    return dict(Article.objects.filter(source_id=source_id).values_list("title", "id"))


def test_guids_that_change_on_every_fetch_switch_the_source_to_link_keys(world: World) -> None:
    sid = subscribe()
    dates = [T0 - timedelta(hours=h) for h in range(1, 6)]
    for fetch in range(3):
        posts = [Post(n, f"urn:wire:{fetch}:{n}", dates[n - 1]) for n in range(1, 6)]
        world.bodies[FEED] = rss(posts)
        world.fetch(T0 + timedelta(minutes=20 * fetch))
    # five stories, stored once each, and now keyed on link and date
    assert stored(sid) == [(f"Story number {n}", "ld") for n in range(1, 6)]
    source = Source.objects.get(pk=sid)
    assert source.identity_rule == "link+date"
    assert source.identity_note == (
        "identity: 5 of 5 items (100%) came with a new GUID while their link and title "
        "stayed the same; switched from guid to link+date"
    )
    known = ids(sid)
    assert replayed(sid) == ["identity: link+date"] + [
        f"{n}\tunchanged\tunchanged: article #{known[f'Story number {n}']}" for n in range(1, 6)
    ]
    # the switch is shown where an editor looks
    assert all_sources()[0].record()["identity"] == "link+date"


def test_one_guid_for_every_item_loses_no_item(world: World) -> None:
    sid = subscribe()
    posts = [Post(n, "urn:wire:same", T0 - timedelta(hours=n)) for n in range(1, 5)]
    world.bodies[FEED] = rss(posts)
    world.fetch()
    # under the GUID all four would be one article; the first fetch already keys on links
    assert stored(sid) == [(f"Story number {n}", "ld") for n in range(1, 5)]
    assert "4 of 4 items (100%) repeat a GUID" in Source.objects.get(pk=sid).identity_note
    world.bodies[FEED] = rss([Post(0, "urn:wire:same", T0), *posts])
    world.fetch(T0 + timedelta(minutes=30))
    assert stored(sid) == [(f"Story number {n}", "ld") for n in range(5)]
    known = ids(sid)
    assert replayed(sid) == ["identity: link+date"] + [
        f"{n + 1}\tunchanged\tunchanged: article #{known[f'Story number {n}']}" for n in range(5)
    ]


def test_last_weeks_posts_re_issued_with_new_dates_update_in_place(world: World) -> None:
    sid = subscribe()
    week_ago = T0 - timedelta(days=7)
    old = [Post(n, f"https://wire.example/?p={n}", week_ago + timedelta(hours=n)) for n in (1, 2)]
    world.bodies[FEED] = rss(old)
    world.fetch(week_ago + timedelta(hours=3))
    before = {a.pk: a.sort_at for a in Article.objects.filter(source_id=sid)}
    # a week later the CMS re-issues both posts, same GUIDs, dated today, beside a new one
    reissued = [Post(n, f"https://wire.example/?p={n}", T0 - timedelta(minutes=n)) for n in (1, 2)]
    new = Post(3, "https://wire.example/?p=3", T0 - timedelta(minutes=30))
    world.bodies[FEED] = rss([*reissued, new])
    world.fetch(T0)
    # the re-issued posts keep their place in the list: the new story is on top
    assert stored(sid) == [
        ("Story number 3", "guid"),
        ("Story number 2", "guid"),
        ("Story number 1", "guid"),
    ]
    after = {a.pk: a.sort_at for a in Article.objects.filter(source_id=sid) if a.pk in before}
    assert after == before
    # and with new GUIDs too (a CMS migration), they are still the same articles
    moved = [Post(n, f"https://wire.example/posts/{n}", T0 - timedelta(minutes=n)) for n in (1, 2)]
    world.bodies[FEED] = rss([*moved, new])
    world.fetch(T0 + timedelta(hours=1))
    assert Article.objects.filter(source_id=sid).count() == 3
    known = ids(sid)
    assert replayed(sid) == [
        "identity: link+date",
        f"1\tunchanged\tunchanged: article #{known['Story number 1']}",
        f"2\tunchanged\tunchanged: article #{known['Story number 2']}",
        f"3\tunchanged\tunchanged: article #{known['Story number 3']}",
    ]
    assert set(Article.objects.filter(source_id=sid).values_list("guid", flat=True)) == {
        "https://wire.example/posts/1",
        "https://wire.example/posts/2",
        "https://wire.example/?p=3",
    }


def test_a_re_issue_replays_as_an_update_of_the_stored_article(world: World) -> None:
    sid = subscribe()
    world.bodies[FEED] = rss([Post(1, "urn:a:1", T0 - timedelta(hours=2))])
    world.fetch()
    first = Article.objects.get(source_id=sid)
    # stored, then the feed moves the post to a new GUID and date: replay before saving
    world.bodies[FEED] = rss([Post(1, "urn:b:1", T0 - timedelta(hours=1))])
    world.fetch(T0 + timedelta(minutes=15))
    assert list(Article.objects.filter(source_id=sid).values_list("id", "guid")) == [
        (first.pk, "urn:b:1")
    ]
    # put the database back as it was before that fetch: its replay explains the update
    Article.objects.filter(pk=first.pk).update(
        identity=first.identity, guid="urn:a:1", published_at=first.published_at
    )
    Source.objects.filter(pk=sid).update(identity_rule="guid")
    assert replayed(sid) == [
        "identity: 1 of 1 items (100%) came with a new GUID while their link and title "
        "stayed the same; switched from guid to link+date",
        f"1\tupdated\tupdated (re-issued under a new link and date, same link): "
        f"article #{first.pk}",
    ]
    world.fetch(T0 + timedelta(minutes=20))  # the same bytes: 304, nothing changes
    SourcePolicy.objects.update_or_create(source_id=sid, defaults={"match_reissued": False})
    world.bodies[FEED] = rss([Post(1, "urn:c:1", T0 - timedelta(minutes=30))])
    world.fetch(T0 + timedelta(minutes=30))
    # with matching off (the editor's choice) the same post is a second article
    assert Article.objects.filter(source_id=sid).count() == 2


def test_a_future_dated_item_is_listed_when_first_seen(world: World) -> None:
    sid = subscribe()
    future = T0 + timedelta(days=30)
    posts = [Post(1, "urn:f:1", future), Post(3, "urn:f:3", T0 - timedelta(hours=2))]
    world.bodies[FEED] = rss(posts)
    world.fetch(T0 - timedelta(minutes=90))
    posts[1:1] = [
        Post(4, "urn:f:4", T0 - timedelta(minutes=5)),
        Post(2, "urn:f:2", T0 - timedelta(hours=1)),
    ]
    world.bodies[FEED] = rss(posts)
    world.fetch(T0)
    # the mis-dated story does not sit on top for a month: it sorts by when it arrived
    assert stored(sid) == [
        ("Story number 4", "guid"),
        ("Story number 2", "guid"),
        ("Story number 1", "guid"),
        ("Story number 3", "guid"),
    ]
    mis = Article.objects.get(source_id=sid, title="Story number 1")
    assert mis.published_at == T0 - timedelta(minutes=90) == mis.sort_at
    assert mis.feed_date == future
    assert mis.date_note == "dated in the future (2026-12-30 12:00 UTC): first seen used"
    Article.objects.filter(pk=mis.pk).delete()
    lines = replayed(sid)
    assert lines[1] == (
        "1\tnew\tnew; date: dated in the future (2026-12-30 12:00 UTC): first seen used"
    )
    # trusting the feed is one setting away
    SourcePolicy.objects.update_or_create(source_id=sid, defaults={"date_policy": "feed"})
    world.bodies[FEED] = rss([Post(5, "urn:f:5", T0 + timedelta(minutes=5)), *posts])
    world.fetch(T0 + timedelta(minutes=10))
    assert stored(sid)[0] == ("Story number 1", "guid")


def test_a_source_that_goes_quiet_is_flagged_and_recovers(world: World) -> None:
    world.hook = "https://hooks.example/newsdesk"
    sid = subscribe()
    subscribe("https://other.example/feed.xml", "Other")
    hourly = [Post(n, f"urn:q:{n}", T0 - timedelta(hours=n)) for n in range(1, 8)]
    world.bodies[FEED] = rss(hourly)
    world.bodies["https://other.example/feed.xml"] = rss(
        [Post(n, f"urn:o:{n}", T0 - timedelta(days=n)) for n in range(1, 4)]
    )
    world.fetch()
    row = all_sources()[0]
    assert row.state == "ok" and row.usual_gap_seconds == 3600
    world.fetch(T0 + timedelta(hours=20))  # 304s; 21 h silent is under the 24 h floor
    assert all_sources()[0].state == "ok"
    world.fetch(T0 + timedelta(hours=26))  # 27 h without a new item from an hourly source
    row = all_sources()[0]
    assert row.state == "quiet" and row.quiet_since == T0 + timedelta(hours=26)
    assert row.last_new_at == T0 - timedelta(hours=1)
    assert all_sources()[1].state == "ok"  # a daily source, 4 days in: not quiet yet
    assert [p["event"] for p in world.posted] == ["quiet"]
    assert world.posted[0]["source"] == {"id": sid, "name": "Wire", "feed_url": FEED}
    world.fetch(T0 + timedelta(hours=30))
    assert len(world.posted) == 1  # told once, not on every fetch
    # shown in /metrics (and, through all_sources, in `newsdesk sources`)
    body = Client().get("/metrics").content.decode()
    assert 'newsdesk_sources{state="quiet"} 1' in body
    assert 'newsdesk_sources{state="ok"} 1' in body
    # a new story ends the silence
    world.bodies[FEED] = rss([Post(0, "urn:q:0", T0 + timedelta(hours=31)), *hourly])
    world.fetch(T0 + timedelta(hours=31, minutes=5))
    assert all_sources()[0].state == "ok" and all_sources()[0].quiet_since is None


def test_a_source_already_silent_when_subscribed_is_quiet_without_an_alert(world: World) -> None:
    world.hook = "https://hooks.example/newsdesk"
    sid = subscribe()
    # an hourly rhythm that stopped a year before we subscribed
    stopped = T0 - timedelta(days=365)
    world.bodies[FEED] = rss(
        [Post(n, f"urn:s:{n}", stopped - timedelta(hours=n)) for n in range(7)]
    )
    world.fetch()
    row = all_sources()[0]
    assert row.state == "quiet" and row.quiet_since == T0
    world.fetch(T0 + timedelta(hours=30))
    assert all_sources()[0].state == "quiet"
    assert world.posted == []  # it never went quiet while followed: nobody is told
    # once it publishes again, a later silence is news
    world.bodies[FEED] = rss([Post(9, "urn:s:9", T0 + timedelta(hours=31))])
    world.fetch(T0 + timedelta(hours=31, minutes=5))
    assert all_sources()[0].state == "ok"
    world.fetch(T0 + timedelta(hours=31 + 30))
    assert [p["event"] for p in world.posted] == ["quiet"]
    assert Article.objects.filter(source_id=sid).count() == 8


def test_a_429_from_one_feed_pauses_only_that_host(world: World) -> None:
    a1, a2 = "https://big.example/a1.xml", "https://big.example/a2.xml"
    other = "https://small.example/feed.xml"
    ids_ = [subscribe(a1, "Big one"), subscribe(a2, "Big two"), subscribe(other, "Small")]
    for n, url in enumerate((a1, a2, other), 1):  # three articles, one each
        world.bodies[url] = rss([Post(n, f"urn:{url}", T0 - timedelta(hours=1))])
    world.answers[a1] = httpx.Response(429, headers={"retry-after": "600"})
    world.fetch()
    # a1 was asked and said wait; a2 on the same host was not asked; the other host was
    assert sorted(world.seen) == sorted([a1, other])
    big_one, big_two, small = (Source.objects.get(pk=i) for i in ids_)
    assert big_one.consecutive_errors == 1 and big_one.last_status == 429
    assert big_two.consecutive_errors == 0 and big_two.last_fetched_at is None
    assert big_two.next_fetch_at >= T0 + timedelta(seconds=600)
    assert "big.example asked us to wait" in big_two.last_error
    assert small.last_status == 200
    pause = HostPause.objects.get()
    assert pause.host == "big.example" and pause.until == T0 + timedelta(seconds=600)
    # a later run (another worker, another process) still leaves the host alone...
    world.seen.clear()
    world.fetch(T0 + timedelta(minutes=5))
    assert world.seen == [other]
    # ...until the time it asked for has passed
    del world.answers[a1]
    world.seen.clear()
    world.fetch(T0 + timedelta(minutes=11))
    assert sorted(world.seen) == sorted([a1, a2, other])
    assert Article.objects.filter(source_id__in=ids_[:2]).count() == 2


def test_a_failing_source_is_retried_forever_and_reported_once(world: World) -> None:
    world.hook = "https://hooks.example/newsdesk"
    sid = subscribe()
    world.answers[FEED] = httpx.Response(500)
    for n in range(7):
        world.fetch(T0 + timedelta(days=n))
    source = Source.objects.get(pk=sid)
    assert source.enabled and source.consecutive_errors == 7
    # backoff is capped at the maximum interval (24 h, +-10% jitter), never permanent
    assert source.next_fetch_at <= T0 + timedelta(days=6, hours=24 * 1.1)
    assert all_sources()[0].state == "failing"
    assert [p["event"] for p in world.posted] == ["failing"]  # at the 5th failure, once
