"""For crawlers and feed readers: robots.txt, sitemaps (with Google News), OPML, per-source
and per-category feeds, canonical links, Open Graph and JSON-LD on article pages."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import feedparser
import lxml.etree
import lxml.html
import pytest
from django.test import Client
from django.utils import timezone
from html_query import select
from site_rows import Seed, make_article

from newsdesk.site import crawlers
from newsdesk.store.models import Article, Source

NS = {"s": crawlers.SITEMAP_NS, "news": crawlers.NEWS_NS}

pytestmark = pytest.mark.django_db


def xml(client: Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("application/xml")
    return lxml.etree.fromstring(response.content)


def test_robots_txt_points_at_the_sitemap(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /search" in lines and "Disallow: /admin/" in lines


def test_sitemap_index_names_news_sections_and_article_sitemaps(client: Client, seed: Seed) -> None:
    root = xml(client, "/sitemap.xml")
    locs = root.xpath("//s:sitemap/s:loc/text()", namespaces=NS)
    assert locs == [
        "http://testserver/sitemap-news.xml",
        "http://testserver/sitemap-sections.xml",
        "http://testserver/sitemap-articles-1.xml",
    ]
    for loc in locs:  # every sitemap the index names exists
        xml(client, loc.removeprefix("http://testserver"))
    assert client.get("/sitemap-articles-2.xml").status_code == 404
    assert client.get("/sitemap-articles-0.xml").status_code == 404


def test_article_sitemap_lists_published_articles(client: Client, seed: Seed) -> None:
    held = make_article(seed.source, 50, status=Article.Status.HELD)
    root = xml(client, "/sitemap-articles-1.xml")
    locs = root.xpath("//s:url/s:loc/text()", namespaces=NS)
    expected = sorted(f"http://testserver/article/{a.pk}/{a.slug}/" for a in seed.articles)
    assert sorted(locs) == expected
    assert f"/article/{held.pk}/" not in " ".join(locs)
    first = root.xpath("//s:url", namespaces=NS)[0]
    assert first.findtext("s:lastmod", namespaces=NS) == "2025-06-14T08:00:00Z"


def test_article_sitemaps_split_by_id_range(
    client: Client, seed: Seed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crawlers, "ARTICLES_PER_SITEMAP", 2)
    ids = sorted(a.pk for a in seed.articles)
    index = xml(client, "/sitemap.xml").xpath("//s:loc/text()", namespaces=NS)
    pages = [loc for loc in index if "sitemap-articles-" in loc]
    assert len(pages) == ids[-1] // 2 + 1
    seen = []
    for loc in pages:
        seen += xml(client, loc.removeprefix("http://testserver")).xpath(
            "//s:loc/text()", namespaces=NS
        )
    assert sorted(int(loc.split("/")[4]) for loc in seen) == ids


def test_google_news_sitemap_holds_the_last_48_hours(client: Client, seed: Seed) -> None:
    now = timezone.now()
    fresh = make_article(seed.source, 60, title="Fresh & new", when=now - timedelta(hours=3))
    make_article(seed.source, 61, title="Two days and more", when=now - timedelta(hours=49))
    root = xml(client, "/sitemap-news.xml")
    urls = root.xpath("//s:url", namespaces=NS)
    assert len(urls) == 1  # the seed articles are from 2025
    url = urls[0]
    assert url.findtext("s:loc", namespaces=NS) == (
        f"http://testserver/article/{fresh.pk}/{fresh.slug}/"
    )
    assert url.findtext("news:news/news:title", namespaces=NS) == "Fresh & new"
    assert url.findtext("news:news/news:publication/news:name", namespaces=NS) == (
        "Jewish Post & News"
    )
    assert url.findtext("news:news/news:publication/news:language", namespaces=NS) == "en"
    stamp = url.findtext("news:news/news:publication_date", namespaces=NS)
    assert stamp == (now - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_sections_sitemap_lists_categories_and_sources(client: Client, seed: Seed) -> None:
    Source.objects.create(name="Empty", slug="empty", feed_url="https://empty.example/feed")
    locs = xml(client, "/sitemap-sections.xml").xpath("//s:loc/text()", namespaces=NS)
    assert locs == [
        "http://testserver/",
        "http://testserver/category/middle-east/",
        "http://testserver/category/news/",
        "http://testserver/source/algemeiner/",
    ]


def test_opml_lists_the_sources(client: Client, seed: Seed) -> None:
    response = client.get("/opml.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/x-opml")
    root = lxml.etree.fromstring(response.content)
    assert root.get("version") == "2.0"
    outlines = root.xpath("//outline[@xmlUrl]")
    assert [(o.get("text"), o.get("xmlUrl"), o.get("htmlUrl")) for o in outlines] == [
        ("Algemeiner.com", seed.source.feed_url, seed.source.site_url)
    ]


@pytest.mark.parametrize("kind", ["rss.xml", "atom.xml"])
def test_per_source_feeds(client: Client, seed: Seed, kind: str) -> None:
    other = Source.objects.create(name="Other", slug="other", feed_url="https://o.example/f")
    make_article(other, 70, title="Elsewhere")
    response = client.get(f"/source/algemeiner/{kind}")
    assert response.status_code == 200
    result = feedparser.parse(response.content)
    assert not result.bozo
    assert result.feed.title == "Jewish Post & News: Algemeiner.com"
    assert [e.title for e in result.entries] == [a.title for a in seed.articles]
    other_feed = feedparser.parse(client.get(f"/source/other/{kind}").content)
    assert [e.title for e in other_feed.entries] == ["Elsewhere"]
    assert client.get(f"/source/nope/{kind}").status_code == 404


def test_per_category_json_feed(client: Client, seed: Seed) -> None:
    response = client.get("/category/news/feed.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] == "Jewish Post & News: News"
    assert doc["home_page_url"] == "http://testserver/category/news/"
    assert doc["feed_url"] == "http://testserver/category/news/feed.json"
    assert [i["title"] for i in doc["items"]] == [seed.articles[0].title, seed.articles[2].title]
    assert client.get("/category/nope/feed.json").status_code == 404
    source_doc = json.loads(client.get("/source/algemeiner/feed.json").content)
    assert len(source_doc["items"]) == 3


def test_listing_pages_link_their_feeds(client: Client, seed: Seed) -> None:
    doc = lxml.html.fromstring(client.get("/source/algemeiner/").content)
    feeds = select(doc, "link[rel=alternate]")
    assert "/source/algemeiner/rss.xml" in [f.get("href") for f in feeds]


def test_article_page_names_the_original_as_canonical(client: Client, seed: Seed) -> None:
    a = seed.articles[0]
    doc = lxml.html.fromstring(client.get(f"/article/{a.pk}/{a.slug}/").content)
    canonical = select(doc, "link[rel=canonical]")
    assert [c.get("href") for c in canonical] == [a.url]
    own = make_article(seed.source, 80, url="", title="No original link")
    doc = lxml.html.fromstring(client.get(f"/article/{own.pk}/{own.slug}/").content)
    assert select(doc, "link[rel=canonical]")[0].get("href") == (
        f"http://testserver/article/{own.pk}/{own.slug}/"
    )


def test_article_page_open_graph_and_json_ld(client: Client, seed: Seed) -> None:
    a = seed.articles[0]
    doc = lxml.html.fromstring(client.get(f"/article/{a.pk}/{a.slug}/").content)
    og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
    assert og["og:type"] == "article"
    assert og["og:title"] == a.title
    assert og["og:site_name"] == "Jewish Post & News"
    assert og["og:url"] == f"http://testserver/article/{a.pk}/{a.slug}/"
    assert og["og:image"] == "http://testserver/demo/images/convoy.svg"
    assert og["article:published_time"] == "2025-06-14T08:00:00+00:00"
    blocks = doc.xpath('//script[@type="application/ld+json"]')
    assert len(blocks) == 1
    data = json.loads(blocks[0].text)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == a.title
    assert data["datePublished"] == "2025-06-14T08:00:00Z"
    assert data["author"] == {"@type": "Person", "name": "Staff Writer"}
    assert data["image"] == ["http://testserver/demo/images/convoy.svg"]
    assert data["mainEntityOfPage"] == a.url
    assert data["publisher"]["name"] == "Algemeiner.com"


def test_json_ld_cannot_close_its_script(client: Client, seed: Seed) -> None:
    evil = make_article(seed.source, 90, title="</script><script>alert(1)</script>", slug="e")
    html = client.get(f"/article/{evil.pk}/e/").content.decode()
    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block
    assert json.loads(block)["headline"] == evil.title
