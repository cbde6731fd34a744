"""The rows of one fixed SQL statement, for the reads that skip the ORM's compiler.

The statements are ours: only our models' table and column names and placeholders are ever
formatted into them; every value goes as a parameter, through the backend's own adapters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
