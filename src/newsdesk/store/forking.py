"""The database connections a forked helper process inherits, let go of.

A fork copies the parent's open PostgreSQL sockets. The helper must never speak on them
(the parent still does), and must not keep them open either: were the parent killed, the
server would keep its session, its open transaction and its locks for as long as the
helper lived. Closing the helper's copy of each socket says nothing to the server.
"""

from __future__ import annotations

import contextlib
import os

from django.db import connections


def forget_connections() -> None:
    for conn in connections.all(initialized_only=True):
        raw = conn.connection
        if raw is None or conn.vendor != "postgresql":
            continue  # SQLite: plain files, and this process holds none of their locks
        with contextlib.suppress(OSError, ValueError):
            os.close(raw.fileno())
