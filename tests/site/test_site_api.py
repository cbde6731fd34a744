"""The JSON API: record shape, cursor paging, filters, errors, and the OpenAPI description
(checked by schemathesis against the running app, and response by response here)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from site_rows import BASE_TIME, Seed, make_article

from newsdesk.site import openapi
from newsdesk.store.models import Article, Category, Source

pytestmark = pytest.mark.django_db

RECORD_KEYS = {
    "id", "guid", "url", "title", "author", "published", "updated", "source", "categories",
    "image", "summary", "body_html", "attribution", "story", "places",
    # added to INTERFACE.md's record, which may grow but never lose a key
    "enclosures", "carriers",
}  # fmt: skip


def get(client: Client, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params)
    assert response.status_code == 200, (path, params, response.content)
    assert response["Content-Type"] == "application/json"
    body: dict[str, Any] = json.loads(response.content)
    check_schema(path, body)
    return body


def check_schema(path: str, body: dict[str, Any]) -> None:
    """Validate against the page schema that /api/openapi.json gives for this path."""
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    doc = openapi.document("http://testserver")
    ref = doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    schema = {**ref, "components": doc["components"]}
    errors = [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(body)]
    assert errors == [], errors


def test_articles_are_interface_records(client: Client, seed: Seed) -> None:
    body = get(client, "/api/articles")
    assert [r["id"] for r in body["items"]] == [a.pk for a in seed.articles]
    first = body["items"][0]
    assert set(first) == RECORD_KEYS
    assert first["published"] == "2025-06-14T08:00:00Z"
    assert first["source"] == {
        "id": seed.source.pk,
        "name": "Algemeiner.com",
        "feed_url": "https://www.algemeiner.example/feed/",
    }
    assert first["categories"] == ["Middle East", "News"]
    assert first["image"]["credit"] == "REUTERS/Staff Photographer"
    assert first["attribution"] == {
        "site": "Algemeiner.com",
        "url": "https://www.algemeiner.example/",
    }
    assert first["story"] == 7 and first["places"] == ["Homs", "Damascus"]
    assert body["next_cursor"] is None and body["next"] is None


def test_cursor_paging_visits_every_article_once(client: Client, seed: Seed) -> None:
    # same sort date for several: the id breaks the tie, so nothing is skipped or repeated
    for n in range(7):
        make_article(seed.source, 100 + n, when=BASE_TIME)
    Article.objects.create(
        source=seed.source, identity="held", title="Held", slug="held", status="held"
    )
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 3}
    pages = 0
    while True:
        body = get(client, "/api/articles", **params)
        seen += [r["id"] for r in body["items"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        assert body["next"].startswith("http://testserver/api/articles?")
        params = {"limit": 3, "cursor": body["next_cursor"]}
    published = Article.objects.filter(status="published").order_by("-sort_at", "-id")
    assert seen == [a.pk for a in published]
    assert pages == 4


def test_article_filters(client: Client, seed: Seed) -> None:
    other = Source.objects.create(name="Other", slug="other", feed_url="https://o.example/f")
    elsewhere = make_article(other, 70, title="Elsewhere lighthouse")
    elsewhere.categories.set([Category.objects.get(slug="news")])
    by_id = get(client, "/api/articles", source=str(other.pk))
    by_slug = get(client, "/api/articles", source="other")
    assert (
        [r["id"] for r in by_id["items"]] == [r["id"] for r in by_slug["items"]] == [elsewhere.pk]
    )
    news = get(client, "/api/articles", category="News")
    assert [r["id"] for r in news["items"]] == [
        seed.articles[0].pk,
        seed.articles[2].pk,
        elsewhere.pk,
    ]
    assert get(client, "/api/articles", category="news")["items"] == news["items"]
    both = get(client, "/api/articles", category="news", source="algemeiner")
    assert len(both["items"]) == 2
    assert get(client, "/api/articles", source="nope")["items"] == []


@pytest.mark.db_both
def test_article_search_is_ranked_and_paged(client: Client, seed: Seed) -> None:
    for n in range(5):
        make_article(seed.source, 200 + n, title=f"Tide report {n}", when=BASE_TIME)
    make_article(seed.source, 210, title="Harbour news", body_html="<p>A tide came in.</p>")
    body = get(client, "/api/articles", q="tide", limit=4)
    assert len(body["items"]) == 4
    assert all("Tide report" in r["title"] for r in body["items"])
    assert body["next_cursor"] == "rank:4"
    rest = get(client, "/api/articles", q="tide", limit=4, cursor=body["next_cursor"])
    assert [r["title"] for r in rest["items"]][-1] == "Harbour news"
    assert rest["next_cursor"] is None
    filtered = get(client, "/api/articles", q="tide", category="news")
    assert filtered["items"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "101"},
        {"limit": "ten"},
        {"cursor": "not-a-cursor"},
        {"cursor": "2025-06-14T08:00:00.000000Z,0"},
        {"cursor": "rank:x"},
        {"q": "x" * 301},
    ],
)
def test_bad_parameters_are_400_with_a_reason(
    client: Client, seed: Seed, params: dict[str, str]
) -> None:
    response = client.get("/api/articles", params)
    assert response.status_code == 400
    assert json.loads(response.content)["error"]


def test_sources_and_their_paging(client: Client, seed: Seed) -> None:
    for n in range(4):
        Source.objects.create(name=f"S{n}", slug=f"s{n}", feed_url=f"https://s{n}.example/f")
    first = get(client, "/api/sources", limit=3)
    assert first["items"][0]["name"] == "Algemeiner.com"
    assert first["items"][0]["site_url"] == "https://www.algemeiner.example/"
    second = get(client, "/api/sources", limit=3, cursor=first["next_cursor"])
    assert [s["name"] for s in first["items"] + second["items"]] == [
        "Algemeiner.com",
        "S0",
        "S1",
        "S2",
        "S3",
    ]
    assert second["next_cursor"] is None
    assert client.get("/api/sources", {"cursor": "x"}).status_code == 400


def test_stories_group_articles(client: Client, seed: Seed) -> None:
    other = Source.objects.create(name="Other", slug="other", feed_url="https://o.example/f")
    make_article(other, 300, title="Same story elsewhere", story_id=7, when=BASE_TIME)
    make_article(other, 301, title="A newer story", story_id=9)
    body = get(client, "/api/stories")
    assert [s["id"] for s in body["items"]] == [9, 7]
    story = body["items"][1]
    assert story["sources"] == ["Algemeiner.com", "Other"]
    assert story["title"] == seed.articles[1].title  # the first report
    assert len(story["articles"]) == 3
    paged = get(client, "/api/stories", limit=1)
    assert paged["next_cursor"] == "9"
    assert [s["id"] for s in get(client, "/api/stories", cursor="9")["items"]] == [7]


def test_openapi_document(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == {"/api/articles", "/api/sources", "/api/stories"}
    assert doc["servers"] == [{"url": "http://testserver"}]
    assert set(doc["components"]["schemas"]["Article"]["required"]) == RECORD_KEYS


def test_api_is_read_only(client: Client) -> None:
    assert client.post("/api/articles").status_code == 405
