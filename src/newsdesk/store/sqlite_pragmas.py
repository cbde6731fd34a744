"""SQLite tuning applied on every new connection: WAL so readers never block the writer,
a busy timeout so concurrent writers wait instead of failing, and foreign keys on."""

from __future__ import annotations

from typing import Any

from django.db.backends.signals import connection_created


def _on_connect(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")


def connect() -> None:
    connection_created.connect(_on_connect, dispatch_uid="newsdesk-sqlite-pragmas")
