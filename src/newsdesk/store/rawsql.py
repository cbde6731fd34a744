"""The rows of one fixed SQL statement, for the reads that skip the ORM's compiler.

The statements are ours: only our models' table and column names and placeholders are ever
formatted into them; every value goes as a parameter, through the backend's own adapters.

On SQLite a statement goes straight to the sqlite3 connection Django opened: Django's cursor
(a new cursor object, two wrappers, and a regular expression that rewrites every %s as ? on
each call) added 28 to 33 µs to the 21 µs an article page's read takes at 100,000 articles
(bench/README.md), and a page makes two to four such reads. Errors are still Django's,
and whenever Django is asked to see the queries (DEBUG, the tests' query counts, an
execute_wrapper) they go through its cursor as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    conn = connections[DEFAULT_DB_ALIAS]  # once: each look through the proxy costs 1 µs
    if conn.vendor == "sqlite" and not conn.queries_logged and not conn.execute_wrappers:
        # what Django's cursor checks before a statement, in its order
        conn.close_if_health_check_failed()
        conn.ensure_connection()
        conn.validate_thread_sharing()
        conn.validate_no_broken_transaction()
        with conn.wrap_database_errors:
            found: list[tuple[Any, ...]] = conn.connection.execute(_qmark(sql), params).fetchall()
            return found
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


_FORMAT = re.compile(r"(?<!%)%s")


@lru_cache(maxsize=256)
def _qmark(sql: str) -> str:
    """The statement in sqlite3's placeholders, rewritten as Django's SQLite cursor does."""
    return _FORMAT.sub("?", sql).replace("%%", "%")
