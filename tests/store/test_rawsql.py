"""Fixed SQL straight to sqlite3: the same rows and errors as through Django's cursor, and
the queries still seen wherever Django is asked to see them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from newsdesk.store import rawsql
from newsdesk.store.models import Source

pytestmark = pytest.mark.django_db

SQL = "SELECT id, name FROM store_source WHERE name LIKE %s AND id > %s ORDER BY id"


def _sources() -> None:
    for name in ("Tide 100%", "Tide 50", "Harbour"):
        slug = name.lower().replace(" ", "-").replace("%", "")
        Source.objects.create(name=name, slug=slug, feed_url=f"https://news.example/{slug}.xml")


def _through_django(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def test_rows_are_the_ones_djangos_cursor_gives() -> None:
    _sources()
    params: list[Any] = ["Tide%", 0]
    assert rawsql.rows(SQL, params) == _through_django(SQL, params)
    assert [name for _, name in rawsql.rows(SQL, params)] == ["Tide 100%", "Tide 50"]
    # %% is a literal percent sign, as Django's cursor reads it
    literal = "SELECT name FROM store_source WHERE name LIKE '%%100%%' AND id > %s"
    assert rawsql.rows(literal, [0]) == [("Tide 100%",)] == _through_django(literal, [0])


def test_errors_are_djangos() -> None:
    with pytest.raises(DatabaseError):
        rawsql.rows("SELECT nothing FROM no_such_table WHERE id = %s", [1])


def test_queries_are_seen_where_django_is_asked_to_see_them() -> None:
    _sources()
    with CaptureQueriesContext(connection) as seen:
        rawsql.rows(SQL, ["Tide%", 0])
    assert len(seen.captured_queries) == 1
    calls: list[str] = []

    def wrapper(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        calls.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        rawsql.rows(SQL, ["Tide%", 0])
    assert calls == [SQL]
