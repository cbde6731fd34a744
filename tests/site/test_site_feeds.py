"""The site's own feeds: RSS, Atom, per-category RSS and JSON Feed 1.1."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from django.test import Client
from site_rows import Seed, make_article

from newsdesk.store.models import Article


def parse(client: Client, path: str) -> feedparser.FeedParserDict:
    response = client.get(path)
    assert response.status_code == 200, path
    result = feedparser.parse(response.content)
    assert not result.bozo, result.get("bozo_exception")
    return result


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/feed/rss.xml", "/feed/atom.xml"])
def test_site_feed_has_full_content_with_attribution(client: Client, seed: Seed, path: str) -> None:
    make_article(seed.source, 40, status=Article.Status.HELD)
    result = parse(client, path)
    assert result.feed.title == "Jewish Post & News"
    assert [e.title for e in result.entries] == [a.title for a in seed.articles]
    first = result.entries[0]
    assert first.link == f"http://testserver/article/{seed.articles[0].pk}/{seed.articles[0].slug}/"
    content = first.content[0].value
    assert "The highway north was closed" in content
    assert f'The post <a href="{seed.articles[0].url}">' in content
    assert 'first appeared on <a href="https://www.algemeiner.example/">Algemeiner.com</a>.' in (
        content
    )
    # demo images become absolute links to this site
    assert 'src="http://testserver/demo/images/convoy.svg"' in content
    assert {t.term for t in first.tags} == {"Middle East", "News"}
    assert first.published_parsed[:4] == (2025, 6, 14, 8)


@pytest.mark.django_db
def test_category_feed_lists_only_that_category(client: Client, seed: Seed) -> None:
    result = parse(client, "/category/news/rss.xml")
    assert result.feed.title == "Jewish Post & News: News"
    assert [e.title for e in result.entries] == [seed.articles[0].title, seed.articles[2].title]


@pytest.mark.django_db
def test_feed_escapes_markup_in_titles(client: Client, seed: Seed) -> None:
    make_article(seed.source, 41, title="<script>alert(1)</script> & more", slug="x")
    raw = client.get("/feed/rss.xml").content.decode()
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</title>" in raw
    titles = [e.title for e in parse(client, "/feed/rss.xml").entries]
    assert "<script>alert(1)</script> & more" in titles


@pytest.mark.django_db
def test_json_feed_shape(client: Client, seed: Seed) -> None:
    response = client.get("/feed/feed.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/feed+json")
    doc = json.loads(response.content)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] == "Jewish Post & News"
    assert doc["home_page_url"] == "http://testserver/"
    assert doc["feed_url"] == "http://testserver/feed/feed.json"
    assert len(doc["items"]) == 3
    item = doc["items"][0]
    a = seed.articles[0]
    assert item["id"] == item["url"] == f"http://testserver/article/{a.pk}/{a.slug}/"
    assert item["external_url"] == a.url
    assert item["title"] == a.title
    assert item["date_published"] == "2025-06-14T08:00:00Z"
    assert item["authors"] == [{"name": "Staff Writer"}]
    assert item["image"] == "http://testserver/demo/images/convoy.svg"
    assert item["tags"] == ["Middle East", "News"]
    assert "first appeared on" in item["content_html"]
    assert all(isinstance(i["id"], str) for i in doc["items"])


@pytest.mark.django_db
def test_empty_feeds_are_still_valid(client: Client) -> None:
    assert parse(client, "/feed/rss.xml").entries == []
    assert parse(client, "/feed/atom.xml").entries == []
    assert json.loads(client.get("/feed/feed.json").content)["items"] == []


SCHEMA = Path(__file__).resolve().parents[1] / "data" / "site" / "jsonfeed-1.1.schema.json"


@pytest.mark.django_db
def test_json_feeds_validate_against_the_json_feed_schema(client: Client, seed: Seed) -> None:
    import jsonschema_rs

    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text(encoding="utf-8")))
    paths = ["/feed/feed.json", "/category/news/feed.json", f"/source/{seed.source.slug}/feed.json"]
    for path in paths:
        doc = json.loads(client.get(path).content)
        errors = [str(e) for e in validator.iter_errors(doc)]
        assert errors == [], path
        assert doc["items"], path
    # the schema does catch a broken feed
    broken = json.loads(client.get(paths[0]).content)
    del broken["items"][0]["content_html"]
    broken["items"][1]["date_published"] = "June 14"
    assert len(list(validator.iter_errors(broken))) == 2
