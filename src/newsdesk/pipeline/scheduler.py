"""The in-process scheduler of `newsdesk run` and `newsdesk worker`: update what is due,
then sleep until the next source comes due (at most a minute, so new sources are seen)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from newsdesk.config import Settings
from newsdesk.pipeline.update import update, utcnow
from newsdesk.store.writes import next_due_at

log = logging.getLogger("newsdesk.scheduler")

MAX_SLEEP = 60.0


def seconds_until(next_due: datetime | None, now: datetime) -> float:
    if next_due is None:
        return MAX_SLEEP
    return min(MAX_SLEEP, max(0.0, (next_due - now).total_seconds()))


def run_scheduler(settings: Settings, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            summary = update(settings)
            if summary.fetched or summary.failed or summary.not_modified:
                log.info("update: %s", summary.line())
        except Exception:  # a bad cycle (database gone away) must not end the scheduler
            log.exception("scheduler: update cycle failed; retrying in a minute")
            stop.wait(MAX_SLEEP)
            continue
        stop.wait(seconds_until(next_due_at(), utcnow()))
