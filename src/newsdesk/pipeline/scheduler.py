"""The in-process scheduler of `newsdesk run` and `newsdesk worker`: update what is due,
renew the WebSub subscriptions that are due, then sleep until the next source comes due
(at most a minute, so new sources and renewals are seen)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from newsdesk.config import Settings
from newsdesk.pipeline.update import update, utcnow
from newsdesk.pipeline.websub import renew_due
from newsdesk.store.writes import is_idle, next_due_at

log = logging.getLogger("newsdesk.scheduler")

MAX_SLEEP = 60.0


def seconds_until(next_due: datetime | None, now: datetime) -> float:
    if next_due is None:
        return MAX_SLEEP
    # a tenth of a second at least: a source whose lease has not yet run out is "due" too
    return min(MAX_SLEEP, max(0.1, (next_due - now).total_seconds()))


def run_scheduler(
    settings: Settings, stop: threading.Event, *, exit_when_idle: bool = False
) -> None:
    """Update what is due until `stop` is set (or, with exit_when_idle, until nothing is due
    and no other worker holds a source whose lease could still run out on us)."""
    while not stop.is_set():
        try:
            summary = update(settings)
            if summary.fetched or summary.failed or summary.not_modified:
                log.info("update: %s", summary.line())
        except Exception:  # a bad cycle (database gone away) must not end the scheduler
            log.exception("scheduler: update cycle failed; retrying in a minute")
            stop.wait(MAX_SLEEP)
            continue
        try:
            renew_due(settings)
        except Exception:  # a hub or the database acting up: the fetching goes on
            log.exception("scheduler: WebSub renewals failed; retrying next cycle")
        if exit_when_idle and is_idle(utcnow()):
            return
        stop.wait(seconds_until(next_due_at(), utcnow()))
