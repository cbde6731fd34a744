"""replay: a stored fetch re-run offline, per item what would happen and why."""

from __future__ import annotations

import gzip
import random
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.cli.clitools import make_cli

from newsdesk.config import Settings
from newsdesk.errors import InputError
from newsdesk.pipeline.replay import Decision, replay
from newsdesk.pipeline.update import HttpSeam, update
from newsdesk.store import editorial, writes
from newsdesk.store.models import Article, AuditEntry, FetchRecord, Rule, Source, SourcePolicy
from newsdesk.types import FullText

DATA = Path(__file__).resolve().parent.parent / "data" / "pipeline"
FEED = (DATA / "partner.rss").read_bytes()
URL = "https://partner.example/feed/"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]

Handler = Callable[[httpx.Request], httpx.Response]


def serve(body: bytes, etag: str) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers={"etag": etag})
        return httpx.Response(
            200, content=body, headers={"content-type": "application/rss+xml", "etag": etag}
        )

    return handle


def fetch(tmp_path: Path, body: bytes = FEED, etag: str = '"v1"', keep: int = 3) -> None:
    update(
        Settings(home=tmp_path, database_url="sqlite:///unused", keep_fetches=keep),
        everything=True,
        rng=random.Random(1),
        seam=HttpSeam(
            httpx.MockTransport(serve(body, etag)), resolve=lambda host, port: ["93.184.215.14"]
        ),
    )


def subscribe(**kwargs: Any) -> int:
    source, _ = writes.add_source(URL, "Partner Post", full_text=FullText.NEVER, **kwargs)
    return source.id


def article(guid: str) -> Article:
    return Article.objects.get(guid=f"https://partner.example/?p={guid}")


def lines(ref: str | None = None, number: int = 1) -> list[str]:
    ref = ref or str(Source.objects.get().pk)
    return [item.line() for item in replay(ref, number, now=NOW).items]


def snapshot() -> tuple[Any, ...]:
    return (
        list(Article.objects.order_by("id").values_list("id", "content_hash", "status", "title")),
        list(Source.objects.values_list("id", "fetch_count", "last_fetched_at", "etag")),
        list(FetchRecord.objects.values_list("id", flat=True)),
        AuditEntry.objects.count(),
    )


def test_replay_of_what_was_just_saved_is_all_unchanged_and_writes_nothing(
    tmp_path: Path,
) -> None:
    sid = subscribe()
    fetch(tmp_path)
    ferry, library, storm = article("101"), article("102"), article("103")
    before = snapshot()
    result = replay(str(sid), now=NOW)
    assert snapshot() == before
    assert [i.line() for i in result.items] == [
        f"1\tunchanged: article #{ferry.pk}\timage from figure\t{ferry.title}",
        f"2\tunchanged: article #{library.pk}\tno image\t{library.title}",
        f"3\tunchanged: article #{storm.pk}\tno image\t{storm.title}",
    ]
    assert result.header().startswith(f"source {sid} (Partner Post): fetch 1 of 1, ")
    assert "HTTP 200" in result.header()
    assert result.footer().startswith("would be: 0 new, 0 held, 0 updated, 3 unchanged")
    slug = Source.objects.get().slug
    assert lines(slug) == lines(str(sid))  # by slug as well as id
    record = result.items[0].record()
    assert record["decision"] == "unchanged" and record["key"] == "guid"
    assert record["image"] == {"url": ferry.image_url, "origin": "figure"}


def test_replay_explains_edits_rules_tombstones_and_age(tmp_path: Path) -> None:
    sid = subscribe()
    fetch(tmp_path)
    ferry, library, storm = article("101"), article("102"), article("103")
    editorial.edit_article(None, library.pk, {"title": "Library open on Sundays (edited)"})
    changed = FEED.replace(b"open on Sundays from December", b"open on Sundays from January")
    fetch(tmp_path, changed, etag='"v2"')  # fetch 1 is now v2, fetch 2 the original
    assert FetchRecord.objects.count() == 2

    # the original bytes against today's database: the library item changed since
    older = lines(number=2)
    assert older[1].startswith(
        f"2\tupdated (content changed): article #{library.pk}; editor's edits kept: title\t"
    )
    assert older[0].startswith(f"1\tunchanged: article #{ferry.pk}\t")

    # deleted with a tombstone; another deleted without one comes back, but a rule holds it
    editorial.delete_articles(None, [storm.pk])
    Article.objects.filter(pk=ferry.pk).delete()
    hold = Rule.objects.create(source_id=sid, action="hold", field="title", pattern="ferry")
    drop = Rule.objects.create(action="exclude", field="any", pattern="library")
    before = snapshot()
    now = lines()
    assert snapshot() == before
    assert now == [
        f"1\tnew, held by rule {hold.pk} (hold title keyword 'ferry') matched 'ferry'"
        f"\timage from figure\t{ferry.title}",
        f"2\tdropped: rule {drop.pk} (exclude any keyword 'library') matched 'Library'"
        f"\tno image\tLibrary extends weekend opening hours",
        f"3\ttombstoned (deleted by an editor)\tno image\t{storm.title}",
    ]
    items = replay(str(sid), now=NOW).items
    assert [i.decision for i in items] == [Decision.HELD, Decision.DROPPED, Decision.TOMBSTONED]
    assert [i.rule for i in items] == [hold.pk, drop.pk, None]

    # a first fetch with an age limit skips the archive; a source set to review holds
    Rule.objects.all().delete()
    Source.objects.filter(pk=sid).update(last_success_at=None)
    SourcePolicy.objects.create(source_id=sid, max_age_days=1)
    old = "dropped: too old (older than 1 days on the first fetch)"
    assert lines()[:2] == [
        f"1\t{old}\timage from figure\t{ferry.title}",
        f"2\t{old}\tno image\tLibrary extends weekend opening hours",
    ]
    SourcePolicy.objects.filter(source_id=sid).update(max_age_days=None)
    Source.objects.filter(pk=sid).update(review=True)
    assert lines()[0].startswith("1\tnew, held: the source is set to review\t")


def test_replay_names_duplicates_and_the_key(tmp_path: Path) -> None:
    sid = subscribe()
    # with identity repair and re-issue matching off (the defaults are on, see
    # test_ingest_golden.py), a repeated GUID keeps its first item and drops the rest, and
    # churned GUIDs are new items
    SourcePolicy.objects.create(source_id=sid, repair_identity=False, match_reissued=False)
    repeated = FEED.replace(b"?p=102", b"?p=101")  # one GUID for two items
    fetch(tmp_path, repeated)
    ferry = article("101")
    assert Article.objects.count() == 2
    got = lines()
    assert got[0].startswith(f"1\tunchanged: article #{ferry.pk}\t")
    assert got[1].startswith(f"2\tduplicate of article #{ferry.pk} by guid\t")
    items = replay(str(Source.objects.get().pk), now=NOW).items
    assert items[1].decision is Decision.DUPLICATE and items[1].duplicate_of_item == 1

    # the GUIDs churn while the links stay: new by guid, but the same link as a stored one
    churned = repeated.replace(b"?p=101", b"?p=201").replace(b"?p=103", b"?p=203")
    Article.objects.all().delete()
    fetch(tmp_path, FEED, etag='"v2"')
    fetch(tmp_path, churned, etag='"v3"')  # saved: the duplicates this replay explains
    Article.objects.filter(guid__contains="?p=2").delete()
    got = lines()
    assert got[0].startswith(
        f"1\tnew; same link as article #{article('101').pk} (stored by guid)\t"
    )
    assert got[1].startswith("2\tduplicate of item 1 by guid (that item is new)\t")


def test_replay_says_when_full_text_would_be_fetched(tmp_path: Path) -> None:
    source, _ = writes.add_source(URL, "Partner Post", full_text=FullText.NEVER)
    fetch(tmp_path)
    Article.objects.filter(guid__endswith="?p=103").delete()
    Source.objects.filter(pk=source.id).update(full_text="always")
    assert lines()[2].startswith("3\tnew; would fetch full text\t")
    # over update()'s per-fetch cap, the page would not be fetched, and replay says so
    capped = replay(str(source.id), now=NOW, full_text_limit=0).items[2]
    assert capped.line().startswith("3\tnew\t") and not capped.full_text


def test_only_the_last_few_fetches_are_kept(tmp_path: Path) -> None:
    sid = subscribe()
    for n in range(4):
        body = FEED.replace(b"Storm warning", f"Storm warning {n}".encode())
        fetch(tmp_path, body, etag=f'"v{n}"', keep=2)
    fetch(tmp_path, FEED, etag='"v3"', keep=2)  # a 304 is not kept
    assert FetchRecord.objects.filter(source_id=sid).count() == 2
    assert replay(str(sid), 1, now=NOW).items[2].title == "Storm warning 3 for the outer islands"
    assert replay(str(sid), 2, now=NOW).items[2].title == "Storm warning 2 for the outer islands"
    with pytest.raises(InputError, match=r"no stored fetch 3 \(2 kept"):
        replay(str(sid), 3)
    fetch(tmp_path, FEED, etag='"v9"', keep=0)
    assert FetchRecord.objects.count() == 0


def test_unknown_source_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no source 'nope'"):
        replay("nope")
    with pytest.raises(InputError, match="no source '42'"):
        replay("42")


def test_cli_replay_of_a_demo_feed(tmp_path: Path) -> None:
    cli = make_cli(tmp_path / "home")
    assert cli("add", "https://demo.newsdesk.invalid/feeds/world.xml").code == 0
    assert cli("update", "--all").code == 0
    done = cli("replay", "1")
    assert done.code == 0, done.err
    out = done.out.splitlines()
    assert out[0].startswith("source 1 (") and "fetch 1 of 1" in out[0]
    assert out[1] == "identity: guid"
    assert out[-1].startswith("would be: 0 new, 0 held, 0 updated, ")
    assert all(line.split("\t")[1].startswith("unchanged: article #") for line in out[2:-1])
    records = cli("replay", "1", "--json", "--fetch", "1").json_lines()
    assert len(records) == len(out) - 3 and records[0]["decision"] == "unchanged"
    missing = cli("replay", "no-such-source")
    assert missing.code == 1 and missing.out == ""
    assert missing.err.count("\n") == 1 and "no source 'no-such-source'" in missing.err
    assert cli("replay", "1", "--fetch", "2").code == 1


@pytest.fixture
def gzip_server() -> Iterator[str]:
    """A loopback server that sends FEED gzipped, as most feed servers do."""
    packed = gzip.compress(FEED, mtime=0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(packed)))
            self.end_headers()
            self.wfile.write(packed)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/feed/"
    server.shutdown()
    server.server_close()


def test_a_fetch_that_came_compressed_is_kept_compressed_and_replays_the_same(
    tmp_path: Path, gzip_server: str
) -> None:
    source, _ = writes.add_source(gzip_server, "Partner Post", full_text=FullText.NEVER)
    settings = Settings(home=tmp_path, database_url="sqlite:///unused", allow_private_networks=True)
    assert update(settings, everything=True, rng=random.Random(1)).new == 3
    record = FetchRecord.objects.get()
    assert (bytes(record.body), record.encoding) == (gzip.compress(FEED, mtime=0), "gzip")
    compressed = lines(str(source.id))
    assert [line.split("\t")[0:2] for line in compressed] == [
        [str(n), f"unchanged: article #{article(guid).pk}"]
        for n, guid in ((1, "101"), (2, "102"), (3, "103"))
    ]
    # a row kept before bodies were kept compressed holds the decoded bytes: the same replay
    FetchRecord.objects.update(body=FEED, encoding=None)
    assert lines(str(source.id)) == compressed
