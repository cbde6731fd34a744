"""Group commits: on SQLite, the saves of several feeds in one transaction.

    group = CommitGroup.for_connection()
    with group.part():        # one feed's save: a savepoint in the open group (opened if none)
        ...
    group.commit_if_due()     # after MAX_PARTS parts, or once open MAX_OPEN_SECONDS
    group.commit()            # before waiting for more work, and at the end

Every commit writes the pages its transaction changed to the WAL. A feed's save changes a
few hot pages every time (the ends of the article table and of its indexes, the search
index's newest segment), so with a commit per feed they were written once per feed; with a
commit per group, once per group, and the search index gets one new segment per group to
merge instead of one per feed.

What stays true: a group is one transaction, so a crash or kill loses the open group whole
and nothing else; its feeds' validators and leases are in it, so the next run fetches those
feeds again. A part that raises is rolled back to its savepoint alone, as its own
transaction would have been. Other writes made while a group is open (a failure recorded, a
batch of 304s) join it. Only SQLite groups: it has one writer at a time anyway, while on
PostgreSQL a longer transaction would hold row locks that other workers wait for.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

MAX_PARTS = 16
# readers see a group's articles when it commits, and another writer waits for it at most this
MAX_OPEN_SECONDS = 0.5


class CommitGroup:
    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._atomic: Any = None  # the open group's outer atomic block
        self._parts = 0
        self._opened = 0.0

    @classmethod
    def for_connection(cls) -> CommitGroup:
        return cls(enabled=connection.vendor == "sqlite")

    @contextmanager
    def part(self) -> Iterator[None]:
        """One unit of work, in the open group (opened now if none is), as a savepoint."""
        if not self.enabled:
            yield
            return
        if self._atomic is None:
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self._parts = 0
            self._opened = time.monotonic()
        self._parts += 1
        with transaction.atomic():
            yield

    def commit_if_due(self) -> None:
        if self._atomic is not None and (
            self._parts >= MAX_PARTS or time.monotonic() - self._opened >= MAX_OPEN_SECONDS
        ):
            self.commit()

    def commit(self) -> None:
        if self._atomic is not None:
            atomic, self._atomic = self._atomic, None
            atomic.__exit__(None, None, None)
