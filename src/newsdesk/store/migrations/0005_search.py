"""Full-text search over published articles, one design per database.

SQLite: an external-content FTS5 table over store_article (title, summary, body_html), kept
in sync by triggers. PostgreSQL: a stored generated tsvector column (title weighted A, summary
B, body text C) with a GIN index; stored rather than an expression index so ranking reads the
vector instead of re-parsing every matching body. The column is not on the Django model: the
ORM never reads or writes it, and the generated expression keeps it right on every write.
The SQL lives in newsdesk.store.search so the post-migrate check can re-create the triggers
that SQLite drops when a later migration rebuilds the table.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from newsdesk.store import search

    # the index as this migration made it, over body_html; 0015 moves it to body_text
    for statement in search.create_statements(schema_editor.connection.vendor, "body_html"):
        schema_editor.execute(statement)


def backwards(apps: Any, schema_editor: Any) -> None:
    from newsdesk.store import search

    for statement in search.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0004_image_size"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
