"""The OpenAPI 3.1 description of the JSON API, written by hand so it says exactly what
INTERFACE.md promises (the article record) and what api.py answers."""

from __future__ import annotations

from typing import Any

NULLABLE_STRING: dict[str, Any] = {"type": ["string", "null"]}
DATE_TIME: dict[str, Any] = {"type": "string", "format": "date-time"}

# a source as an article record names it: its own, and each carrier
SOURCE_REF: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "feed_url"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "feed_url": {"type": "string"},
    },
}

ARTICLE: dict[str, Any] = {
    "type": "object",
    "description": "The article record of INTERFACE.md, as `articles --json` prints it.",
    "required": [
        "id",
        "guid",
        "url",
        "title",
        "author",
        "published",
        "updated",
        "source",
        "categories",
        "image",
        "summary",
        "body_html",
        "attribution",
        "story",
        "places",
        "enclosures",
        "carriers",
    ],
    "properties": {
        "id": {"type": "integer"},
        "guid": {"type": "string"},
        "url": {"type": "string", "description": "the original article"},
        "title": {"type": "string"},
        "author": NULLABLE_STRING,
        "published": {"type": ["string", "null"], "format": "date-time"},
        "updated": {"type": ["string", "null"], "format": "date-time"},
        "source": SOURCE_REF,
        "categories": {"type": "array", "items": {"type": "string"}},
        "image": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["url", "caption", "credit"],
                    "properties": {
                        "url": {"type": "string"},
                        "caption": {"type": "string"},
                        "credit": NULLABLE_STRING,
                    },
                },
            ]
        },
        "summary": {"type": "string", "description": "plain text, at most about 300 characters"},
        "body_html": {"type": "string", "description": "sanitized HTML of the full article"},
        "attribution": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["site", "url"],
                    "properties": {"site": {"type": "string"}, "url": {"type": "string"}},
                },
            ]
        },
        "story": {"type": ["integer", "null"]},
        "places": {"type": "array", "items": {"type": "string"}},
        "enclosures": {
            "type": "array",
            "description": "files the feed attached: audio, video, images, documents",
            "items": {
                "type": "object",
                "required": ["url", "type", "length"],
                "properties": {
                    "url": {"type": "string"},
                    "type": NULLABLE_STRING,
                    "length": {"type": ["integer", "null"]},
                },
            },
        },
        "carriers": {
            "type": "array",
            "description": "other sources whose feeds carried the same article (the same"
            " link); it is stored once, under `source`",
            "items": SOURCE_REF,
        },
    },
}

SOURCE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "slug", "feed_url", "site_url", "category", "enabled"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "slug": {"type": "string"},
        "feed_url": {"type": "string"},
        "site_url": NULLABLE_STRING,
        "category": NULLABLE_STRING,
        "enabled": {"type": "boolean"},
        "last_fetched": {"type": ["string", "null"], "format": "date-time"},
        "last_status": {"type": ["integer", "null"]},
        "last_error": NULLABLE_STRING,
        "consecutive_errors": {"type": "integer", "minimum": 0},
    },
}

STORY: dict[str, Any] = {
    "type": "object",
    "description": "Articles from one or more sources grouped as the same story.",
    "required": ["id", "title", "first_published", "last_published", "sources", "articles"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "first_published": DATE_TIME,
        "last_published": DATE_TIME,
        "sources": {"type": "array", "items": {"type": "string"}},
        "articles": {"type": "array", "items": {"type": "integer"}},
    },
}


def _page_of(ref: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "next_cursor", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": ref}},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "pass as `cursor` for the next page; null on the last page",
            },
            "next": {"type": ["string", "null"], "description": "the next page's full URL"},
        },
    }


LIMIT = {
    "name": "limit",
    "in": "query",
    "description": "items per page",
    "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
}
# What the cursors given out look like (empty means the first page); anything else is a 400.
# Either kind works with or without q: a date cursor bounds a search to older articles, a
# rank cursor skips that many articles of a list.
ARTICLE_CURSOR = (
    r"^((19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d"
    r"\.\d{6}Z,[1-9]\d{0,17}|rank:\d{1,6})?$"
)
ID_CURSOR = r"^([0-9]{1,18})?$"


def _cursor(pattern: str) -> dict[str, Any]:
    return {
        "name": "cursor",
        "in": "query",
        "description": "the `next_cursor` of the previous page (opaque)",
        "schema": {"type": "string", "pattern": pattern},
    }


BAD_REQUEST = {
    "description": "a parameter is not valid (a bad cursor, a limit out of range)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}


def _list_operation(
    summary: str, op_id: str, page: str, extra: list[Any], cursor: str = ID_CURSOR
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "operationId": op_id,
            "parameters": [*extra, LIMIT, _cursor(cursor)],
            "responses": {
                "200": {
                    "description": "one page",
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{page}"}}
                    },
                },
                "400": BAD_REQUEST,
            },
        }
    }


def document(server: str) -> dict[str, Any]:
    article_filters = [
        {
            "name": "source",
            "in": "query",
            "description": "a source id or slug",
            "schema": {"type": "string", "maxLength": 300},
        },
        {
            "name": "category",
            "in": "query",
            "description": "a category name or slug",
            "schema": {"type": "string", "maxLength": 300},
        },
        {
            "name": "place",
            "in": "query",
            "description": "a place name or slug (ignored with q)",
            "schema": {"type": "string", "maxLength": 300},
        },
        {
            "name": "q",
            "in": "query",
            "description": 'full-text search: words, "phrases", -exclusions; ranked best first',
            "schema": {"type": "string", "maxLength": 300},
        },
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "newsdesk API",
            "version": "1.0.0",
            "description": "Published articles, their sources and stories. Read-only.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/articles": _list_operation(
                "Published articles, newest first (or best match first with q)",
                "listArticles",
                "ArticlePage",
                article_filters,
                ARTICLE_CURSOR,
            ),
            "/api/sources": _list_operation(
                "Every subscribed source with its health, by id", "listSources", "SourcePage", []
            ),
            "/api/stories": _list_operation(
                "Stories covered by several articles, newest first", "listStories", "StoryPage", []
            ),
        },
        "components": {
            "schemas": {
                "Article": ARTICLE,
                "Source": SOURCE,
                "Story": STORY,
                "ArticlePage": _page_of("#/components/schemas/Article"),
                "SourcePage": _page_of("#/components/schemas/Source"),
                "StoryPage": _page_of("#/components/schemas/Story"),
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string"}},
                },
            }
        },
    }
