"""Feeds built by helper processes (pipeline/prepare.py) are saved exactly as the writer
would have built them itself; a body the helpers cannot build is built, and fails, in the
writer as before."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import httpx
import pytest

from newsdesk.config import Settings
from newsdesk.pipeline import prepare
from newsdesk.pipeline import update as update_module
from newsdesk.pipeline.prepare import build_items
from newsdesk.pipeline.update import HttpSeam, update
from newsdesk.store import writes
from newsdesk.store.models import Article, Source
from newsdesk.types import CleanOptions, Fetched

DATA = Path(__file__).resolve().parent.parent / "data"
FEEDS = {
    "https://partner.example/feed/": (DATA / "pipeline" / "partner.rss", "application/rss+xml"),
    "https://wp.example/feed/": (DATA / "parse" / "wordpress.rss", "application/rss+xml"),
    "https://atom.example/feed/": (DATA / "parse" / "xml-base.atom", "application/atom+xml"),
    "https://json.example/feed.json": (DATA / "parse" / "feed.json", "application/feed+json"),
    "https://broken.example/feed/": (None, "application/rss+xml"),
}

pytestmark = [pytest.mark.django_db(transaction=True)]


def handle(request: httpx.Request) -> httpx.Response:
    if str(request.url) not in FEEDS:  # an article page, asked for its full text
        return httpx.Response(404)
    path, content_type = FEEDS[str(request.url)]
    body = path.read_bytes() if path else b"\x00\x01 not a feed at all"
    return httpx.Response(200, content=body, headers={"content-type": content_type})


def run(tmp_path: Path, processes: int):  # type: ignore[no-untyped-def]
    return update(
        Settings(home=tmp_path, database_url="sqlite:///unused", build_processes=processes),
        everything=True,
        rng=random.Random(1),
        seam=HttpSeam(httpx.MockTransport(handle), resolve=lambda host, port: ["93.184.215.14"]),
    )


def subscribe_and_watch_the_writer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Subscribe to every feed; the URLs of the bodies the writer builds itself."""
    for url in FEEDS:
        writes.add_source(url, url)
    calls: list[str] = []

    def in_the_writer(fetched: Fetched, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(fetched.url)
        return build_items(fetched, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(update_module, "build_items", in_the_writer)
    return calls


def test_helper_builds_are_saved_as_the_writer_would_build_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = subscribe_and_watch_the_writer(monkeypatch)
    # every body goes to the helper at once: none is left for the writer to take
    monkeypatch.setattr(prepare, "QUEUED_PER_HELPER", 100)
    summary = run(tmp_path, processes=1)

    # only the body no helper could build came back to the writer, which failed it itself
    assert calls == ["https://broken.example/feed/"]
    assert summary.failed == 1 and "broken.example" in summary.errors[0]
    assert summary.fetched == 4 and summary.new == Article.objects.count() > 0
    for url, (path, content_type) in FEEDS.items():
        if path is None:
            continue
        fetched = Fetched(
            url=url, status=200, content=path.read_bytes(), headers={"content-type": content_type}
        )
        built = build_items(fetched, CleanOptions())
        source = Source.objects.get(feed_url=url)
        stored = {a.identity: a for a in Article.objects.filter(source=source)}
        assert len(stored) == len({inc.identity for _, inc in built.items})
        for _, incoming in built.items:
            article = stored[incoming.identity]
            derived = writes.derive(incoming.article)
            assert article.content_hash == incoming.content_hash
            assert article.body_html == incoming.article.body_html
            assert article.slug == derived.slug
            assert article.author_slug == derived.author_slug
            assert article.places == [name for name, _ in derived.places]
            raw = article.story_signature
            assert (bytes(raw) if raw is not None else None) == derived.signature


def test_without_helpers_every_feed_is_built_in_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = subscribe_and_watch_the_writer(monkeypatch)
    summary = run(tmp_path, processes=0)
    assert sorted(calls) == sorted(FEEDS)
    assert summary.fetched == 4 and summary.failed == 1


def test_the_writer_takes_the_newest_body_the_helpers_have_not_begun() -> None:
    feeds = [
        Fetched(url=url, status=200, content=path.read_bytes(), headers={"content-type": kind})
        for url, (path, kind) in FEEDS.items()
        if path is not None
    ]
    preparer = prepare.Preparer.start(1, len(feeds))
    assert preparer is not None
    recipe = prepare.Recipe(CleanOptions())

    async def scenario() -> list[prepare.Prepared | None]:
        waits = [asyncio.ensure_future(preparer.prepare(f, recipe)) for f in feeds]
        await asyncio.sleep(0)  # every body handed in: QUEUED_PER_HELPER to the helper
        assert preparer.waiting == len(feeds) - prepare.QUEUED_PER_HELPER
        assert preparer.release_newest()
        assert preparer.waiting == len(feeds) - prepare.QUEUED_PER_HELPER - 1
        return list(await asyncio.gather(*waits))

    try:
        results = asyncio.run(scenario())
    finally:
        preparer.close()
    # the newest came back unbuilt, for the writer; the helper built every other one
    assert results[-1] is None
    for fetched, result in zip(feeds[:-1], results[:-1], strict=True):
        assert result is not None and result.built is not None
        assert [inc.identity for _, inc in result.built.items] == [
            inc.identity for _, inc in build_items(fetched, CleanOptions()).items
        ]


@pytest.mark.parametrize("url", [u for u, (path, _) in FEEDS.items() if path is not None])
def test_a_built_feed_comes_back_from_a_helper_equal(url: str) -> None:
    """Helpers send builds back pickled, each dataclass as a call with its field values
    (types.pickled_by_fields): every field must arrive, in its place."""
    import pickle

    path, _ = FEEDS[url]
    assert path is not None
    fetched = Fetched(url=url, status=200, content=path.read_bytes(), headers={})
    built = prepare._build(
        fetched, prepare.Recipe(CleanOptions(embeds=("x.example/embed/",))), derived=True
    )
    assert built.built is not None and built.built.items
    back = pickle.loads(pickle.dumps((fetched, built), protocol=pickle.HIGHEST_PROTOCOL))
    assert back == (fetched, built)
    item, incoming = back[1].built.items[0]
    assert incoming.derived is not None and incoming.article.title == item.title


def test_a_known_sources_new_items_are_worked_out_by_the_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source with stored articles gets builds without slugs, signatures and places
    (most of its items are stored already); the writer works them out for the new ones."""
    subscribe_and_watch_the_writer(monkeypatch)
    monkeypatch.setattr(prepare, "QUEUED_PER_HELPER", 100)
    asked: dict[str, bool] = {}
    handed = prepare.Preparer.prepare

    async def watched(self, fetched, recipe, *, derived=True):  # type: ignore[no-untyped-def]
        asked[fetched.url] = derived
        return await handed(self, fetched, recipe, derived=derived)

    monkeypatch.setattr(prepare.Preparer, "prepare", watched)
    run(tmp_path, processes=1)
    assert set(asked) == set(FEEDS) and all(asked.values())  # new sources: beside the writer
    gone = [a.identity for a in Article.objects.order_by("id")[::3]]
    Article.objects.filter(identity__in=gone).delete()
    asked.clear()
    summary = run(tmp_path, processes=1)
    # the broken feed has stored nothing yet
    assert asked == {url: path is None for url, (path, _) in FEEDS.items()}
    assert summary.new == len(gone) > 0
    for article in Article.objects.filter(identity__in=gone):
        path, content_type = FEEDS[article.source.feed_url]
        assert path is not None
        fetched = Fetched(
            url=article.source.feed_url,
            status=200,
            content=path.read_bytes(),
            headers={"content-type": content_type},
        )
        incoming = {inc.identity: inc for _, inc in build_items(fetched, CleanOptions()).items}
        derived = writes.derive(incoming[article.identity].article)
        assert article.slug == derived.slug and article.author_slug == derived.author_slug
        assert article.places == [name for name, _ in derived.places]
        raw = article.story_signature
        assert (bytes(raw) if raw is not None else None) == derived.signature


def _build_refusing_wire(fetched: Fetched, recipe: prepare.Recipe, derived: bool):  # type: ignore[no-untyped-def]
    if fetched.wire is not None:  # what the helper was handed, in the helper
        return prepare.Prepared(recipe, None)
    return prepare.Prepared(recipe, build_items(fetched, recipe.options, recipe.rule))


def test_a_helper_is_handed_the_decoded_body_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # the compressed copy is the writer's, for the fetch log: not sent to a helper again
    monkeypatch.setattr(prepare, "_build", _build_refusing_wire)
    path, content_type = FEEDS["https://partner.example/feed/"]
    assert path is not None
    body = path.read_bytes()
    fetched = Fetched(
        url="https://partner.example/feed/",
        status=200,
        content=body,
        headers={"content-type": content_type, "content-encoding": "gzip"},
        wire=b"as it came",
        wire_encoding="gzip",
    )
    recipe = prepare.Recipe(CleanOptions())

    async def built() -> prepare.Prepared | None:
        preparer = prepare.Preparer.start(1, 2)
        assert preparer is not None
        try:
            return await preparer.prepare(fetched, recipe)
        finally:
            preparer.close()

    result = asyncio.run(built())
    assert result is not None and prepare.usable(result, recipe) is not None
