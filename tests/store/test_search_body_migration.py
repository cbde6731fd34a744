"""Migration 0015 on a database with articles in it: the body's words are filled in and the
SQLite search index is rebuilt over them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("store", "0014_carriers")]
AFTER = [("store", "0015_search_body_text")]


def _matches(word: str) -> list[int]:
    with connection.cursor() as cur:
        cur.execute("SELECT rowid FROM store_article_fts WHERE store_article_fts MATCH %s", [word])
        return [row[0] for row in cur.fetchall()]


def _migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_stored_articles_are_searched_by_their_words_after_the_upgrade() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite index only; PostgreSQL's already strips tags")
    try:
        apps = _migrate(BEFORE)
        source = apps.get_model("store", "Source").objects.create(
            name="Old Post", slug="old-post", feed_url="https://old.example/feed"
        )
        article = apps.get_model("store", "Article").objects.create(
            source=source,
            identity="old-1",
            title="Harbour wall repaired",
            slug="harbour-wall-repaired",
            body_html='<p><strong>Strong</strong> tides <span class="x">damaged</span> it.</p>',
        )
        assert _matches("span") == [article.pk]  # the old index read the markup
        _migrate(AFTER)
        with connection.cursor() as cur:
            cur.execute("SELECT body_text FROM store_article WHERE id = %s", [article.pk])
            assert cur.fetchone()[0] == "Strong tides damaged it."
        assert _matches("span") == _matches("class") == []
        assert _matches("tides") == _matches("strong") == [article.pk]
        # the new triggers keep the index: a deleted article leaves it
        apps.get_model("store", "Article").objects.filter(pk=article.pk).delete()
        assert _matches("tides") == []
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
