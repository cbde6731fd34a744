"""The SQLite search index reads the body's words instead of its HTML.

Indexed as HTML, the body's tags and attributes were words too: a search for "strong",
"span" or "class" found every article with such markup, where PostgreSQL's index (which
strips tags) found none. Article.body_text holds the words; this fills it for stored articles
and builds the FTS5 index over it. The column names are written out here, not taken from
store.search, so the migration stays what it is if the index moves again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models

from newsdesk.engine.tag import body_text

_BATCH = 2000


def _fill(schema_editor: Any) -> None:
    with schema_editor.connection.cursor() as cursor:
        last = 0
        while True:
            cursor.execute(
                "SELECT id, body_html FROM store_article WHERE id > %s ORDER BY id LIMIT %s",
                [last, _BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany(
                "UPDATE store_article SET body_text = %s WHERE id = %s",
                [(body_text(html or ""), pk) for pk, html in rows],
            )
            last = rows[-1][0]


def forwards(apps: Any, schema_editor: Any) -> None:
    from newsdesk.store import search

    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in search.drop_statements(vendor):
            schema_editor.execute(statement)
    _fill(schema_editor)
    if vendor == "sqlite":
        for statement in search.create_statements(vendor, "body_text"):
            schema_editor.execute(statement)


def backwards(apps: Any, schema_editor: Any) -> None:
    from newsdesk.store import search

    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in search.drop_statements(vendor):
            schema_editor.execute(statement)
        for statement in search.create_statements(vendor, "body_html"):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0014_carriers"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="body_text",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
