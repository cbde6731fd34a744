"""Audio and video enclosures get native players and go out in the site's feeds; an article
other sources carried names them on its page and in its record."""

from __future__ import annotations

import json
from typing import Any

import feedparser
import lxml.html
import pytest
from django.test import Client
from html_query import select
from site_rows import Seed, make_article

from newsdesk.store.models import Carrier, Source

EPISODE = {"url": "https://audio.example/ep-12.mp3", "type": "audio/mpeg", "length": 24_500_000}
CLIP = {"url": "https://video.example/clip.mp4", "type": "video/mp4", "length": None}
PHOTO = {"url": "https://img.example/p.jpg", "type": "image/jpeg", "length": 1000}


def doc(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, path
    return lxml.html.fromstring(response.content.decode())


@pytest.mark.django_db
def test_audio_and_video_enclosures_get_players_and_a_download_link(
    client: Client, seed: Seed
) -> None:
    article = make_article(seed.source, 50, enclosures=[EPISODE, CLIP, PHOTO])
    page = doc(client, f"/article/{article.pk}/{article.slug}/")
    files = select(page, "article.story figure.media-file")
    assert len(files) == 2
    audio = select(files[0], "audio")[0]
    assert audio.get("src") == EPISODE["url"]
    assert audio.get("controls") is not None and audio.get("preload") == "none"
    link = select(files[0], "figcaption a")[0]
    assert link.get("href") == EPISODE["url"]
    assert " ".join(files[0].text_content().split()) == "Download the audio (24.5 MB)"
    assert select(files[1], "video")[0].get("src") == CLIP["url"]
    # the image is no player (it would be the lead image)
    assert not page.xpath("//*[@src='https://img.example/p.jpg']")


@pytest.mark.django_db
def test_a_file_the_body_already_plays_gets_no_second_player(client: Client, seed: Seed) -> None:
    body = f'<p>Listen:</p><audio controls src="{EPISODE["url"]}"></audio>'
    article = make_article(seed.source, 51, enclosures=[EPISODE], body_html=body)
    page = doc(client, f"/article/{article.pk}/{article.slug}/")
    assert not select(page, "figure.media-file")
    assert len(page.xpath("//audio")) == 1


@pytest.mark.django_db
def test_media_may_come_from_http_and_https_hosts(client: Client, seed: Seed) -> None:
    article = make_article(seed.source, 52, enclosures=[EPISODE])
    policy = client.get(f"/article/{article.pk}/{article.slug}/")["Content-Security-Policy"]
    assert "media-src 'self' https: http:" in policy


@pytest.mark.django_db
def test_site_feeds_carry_the_audio_and_video(client: Client, seed: Seed) -> None:
    make_article(seed.source, 0, enclosures=[EPISODE, CLIP, PHOTO], title="Episode 12")
    rss = feedparser.parse(client.get("/feed/rss.xml").content)
    entry = next(e for e in rss.entries if e.title == "Episode 12")
    # RSS 2.0 has room for one enclosure an item
    assert [(e.href, e.type, e.length) for e in entry.enclosures] == [
        (EPISODE["url"], "audio/mpeg", "24500000")
    ]
    atom = feedparser.parse(client.get("/feed/atom.xml").content)
    entry = next(e for e in atom.entries if e.title == "Episode 12")
    assert [e.href for e in entry.enclosures] == [EPISODE["url"], CLIP["url"]]
    feed = json.loads(client.get("/feed/feed.json").content)
    item = next(i for i in feed["items"] if i["title"] == "Episode 12")
    assert item["attachments"] == [
        {"url": EPISODE["url"], "mime_type": "audio/mpeg", "size_in_bytes": 24_500_000},
        {"url": CLIP["url"], "mime_type": "video/mp4"},
    ]


@pytest.mark.django_db
def test_an_article_names_the_other_sources_that_carried_it(client: Client, seed: Seed) -> None:
    article = seed.articles[0]
    digest = Source.objects.create(
        name="Harbour Digest", slug="digest", feed_url="https://digest.example/feed/"
    )
    Carrier.objects.create(
        article=article, source=digest, identity="guid:d-1", url=article.url + "?utm_source=d"
    )
    page = doc(client, f"/article/{article.pk}/{article.slug}/")
    footer = select(page, "footer.story-footer")[0]
    rows = {
        " ".join(select(p, ".footer-label")[0].text_content().split()): p
        for p in select(footer, "p")
    }
    links = select(rows["Also carried by"], "a")
    assert [(a.get("href"), a.text_content()) for a in links] == [
        ("/source/digest/", "Harbour Digest")
    ]
    record = client.get(f"/api/articles?source={seed.source.slug}").json()["items"][0]
    assert record["id"] == article.pk
    assert record["carriers"] == [
        {"id": digest.pk, "name": "Harbour Digest", "feed_url": "https://digest.example/feed/"}
    ]
    assert record["enclosures"] == []


@pytest.mark.django_db
def test_an_article_nobody_else_carried_says_nothing_of_carriers(
    client: Client, seed: Seed
) -> None:
    article = seed.articles[1]
    page = client.get(f"/article/{article.pk}/{article.slug}/").content.decode()
    assert "Also carried by" not in page


def test_the_operators_players_are_framed_by_the_policy() -> None:
    from newsdesk.site.security import content_policy

    policy = content_policy(("w.soundcloud.com/player/",))
    frames = next(d for d in policy.split("; ") if d.startswith("frame-src "))
    assert frames.split()[1:] == [
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com",
        "https://player.vimeo.com",
        "https://w.soundcloud.com",
    ]
