"""What the site learns from ingest: the same story from two outlets, its places, its author."""

from __future__ import annotations

import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import lxml.html
import pytest
from django.test import Client
from html_query import select

from newsdesk.config import Settings
from newsdesk.pipeline.update import HttpSeam, update
from newsdesk.store import writes
from newsdesk.store.models import Article, Place, SourcePolicy
from newsdesk.types import FullText


def parse(markup: str) -> Any:
    return lxml.html.fromstring(markup)


def text(node: Any) -> str:
    return " ".join(node.text_content().split())


pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]

STORY = (
    "Government forces shelled rebel-held districts of Homs on Tuesday, residents said, as "
    "envoys met in Damascus for a second day of talks on a ceasefire that neither side has "
    "yet accepted in public."
)


def rss(title: str, link: str, author: str, body: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>x</title><link>https://x.example/</link><item><title>{title}</title>"
        f"<link>{link}</link><guid>{link}</guid><dc:creator>{author}</dc:creator>"
        f"<pubDate>Tue, 24 Nov 2026 09:00:00 +0000</pubDate>"
        f"<description><![CDATA[<p>{body}</p>]]></description></item></channel></rss>"
    ).encode()


FEEDS = {
    "https://wire.example/feed": rss(
        "Shelling in Homs as talks go on in Damascus",
        "https://wire.example/homs",
        "Mara Lind",
        STORY,
    ),
    "https://partner.example/feed": rss(
        "Shelling in Homs as Damascus talks go on",
        "https://partner.example/2026/11/homs",
        "Wire Staff",
        "DAMASCUS (Reuters) - " + STORY + " The post appeared first on Partner Post.",
    ),
}


def ingest(tmp_path: Path, urls: Iterable[str] = FEEDS) -> None:
    for url in urls:
        writes.add_source(url, url.split("/")[2], full_text=FullText.NEVER)
    update(
        Settings(home=tmp_path, database_url="sqlite:///unused"),
        everything=True,
        rng=random.Random(1),
        seam=HttpSeam(
            httpx.MockTransport(
                lambda r: httpx.Response(
                    200, content=FEEDS[str(r.url)], headers={"content-type": "application/rss+xml"}
                )
            ),
            resolve=lambda host, port: ["93.184.215.14"],
        ),
    )


def test_two_outlets_one_story_with_its_places_and_author(tmp_path: Path) -> None:
    ingest(tmp_path)
    wire, partner = Article.objects.order_by("source_id")
    assert wire.story_id is not None and wire.story_id == partner.story_id
    assert wire.places[:2] == ["Homs", "Damascus"] or wire.places[:2] == ["Damascus", "Homs"]
    assert set(Place.objects.values_list("slug", flat=True)) >= {"homs", "damascus"}
    client = Client()
    page = parse(client.get(f"/article/{wire.pk}/{wire.slug}/").content.decode())
    aside = select(page, ".same-story")[0]
    assert text(select(aside, "h2")[0]) == "Also covered by"
    assert [text(a) for a in select(aside, "li > a")] == [partner.title]
    assert "/place/homs/" in [a.get("href") for a in select(page, ".story-footer a")]
    assert select(page, ".byline a.author")[0].get("href") == "/author/mara-lind/"
    # the place and author pages list them
    homs = parse(client.get("/place/homs/").content.decode())
    assert text(select(homs, "h1")[0]) == "Homs"
    titles = {text(a) for a in select(homs, "main h2 a")}
    assert titles == {wire.title, partner.title}
    author = parse(client.get("/author/mara-lind/").content.decode())
    assert {text(a) for a in select(author, "main h2 a")} == {wire.title}
    assert client.get("/place/atlantis/").status_code == 404
    assert client.get("/author/nobody/").status_code == 404
    # the story page and the API say the same
    story = client.get("/api/stories").json()
    assert story["items"][0]["id"] == wire.story_id
    by_place = client.get("/api/articles?place=Homs").json()["items"]
    assert {a["id"] for a in by_place} == {wire.pk, partner.pk}
    assert by_place[0]["story"] == wire.story_id and "Homs" in by_place[0]["places"]
    assert client.get("/api/articles?place=atlantis").json()["items"] == []


def test_a_copy_in_a_later_run_joins_the_story_of_an_article_stored_before(
    tmp_path: Path,
) -> None:
    """The second run starts from the stored articles' signatures (StoryIndex.load), without
    the new articles of its first feed with news, which would each match itself."""
    ingest(tmp_path, ["https://wire.example/feed"])
    wire = Article.objects.get()
    assert wire.story_id is None  # alone: no story yet
    ingest(tmp_path)
    wire, partner = Article.objects.order_by("source_id")
    assert wire.story_id == partner.story_id == wire.pk


def test_an_editor_can_point_canonical_at_our_own_page(tmp_path: Path) -> None:
    ingest(tmp_path)
    wire = Article.objects.order_by("source_id").first()
    assert wire is not None
    client = Client()

    def canonical() -> str | None:
        doc = parse(client.get(f"/article/{wire.pk}/{wire.slug}/").content.decode())
        return select(doc, 'link[rel="canonical"]')[0].get("href")

    assert canonical() == "https://wire.example/homs"
    SourcePolicy.objects.create(source_id=wire.source_id, canonical_to_original=False)
    from newsdesk.site import caching
    from newsdesk.store import reads

    reads.forget_shared()
    caching.pages.clear()
    assert canonical() == f"http://testserver/article/{wire.pk}/{wire.slug}/"
