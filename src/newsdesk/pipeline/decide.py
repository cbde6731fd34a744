"""Pure decisions about when to fetch next: functions of (what happened, settings, now).

No I/O and no clock: the orchestrator passes `now` and a random source for jitter, so every
rule here is tested with plain values.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Bounds:
    min_interval: timedelta
    max_interval: timedelta


def _jitter(interval: timedelta, rng: random.Random) -> timedelta:
    # +-10%: thousands of sources added at once must not all come due in the same second
    return interval * (0.9 + 0.2 * rng.random())


def server_hint(headers: Mapping[str, str], now: datetime, ttl_minutes: int | None) -> timedelta:
    """The longest wait the server or feed asked for (Cache-Control max-age, Expires, <ttl>)."""
    hints = [timedelta(0)]
    match = _MAX_AGE.search(headers.get("cache-control", ""))
    if match:
        hints.append(timedelta(seconds=int(match.group(1))))
    expires = headers.get("expires")
    if expires:
        try:
            when = parsedate_to_datetime(expires)
            if when.tzinfo is not None:
                hints.append(when - now)
        except (TypeError, ValueError, IndexError):
            pass
    if ttl_minutes:
        hints.append(timedelta(minutes=ttl_minutes))
    return max(hints)


def next_after_success(
    now: datetime, bounds: Bounds, hint: timedelta, rng: random.Random
) -> datetime:
    interval = min(max(bounds.min_interval, hint), bounds.max_interval)
    return now + _jitter(interval, rng)


def next_after_failure(
    now: datetime,
    bounds: Bounds,
    consecutive_errors: int,
    retry_after: float | None,
    rng: random.Random,
) -> datetime:
    """Exponential backoff from the minimum interval, capped at the maximum, never permanent.

    `consecutive_errors` counts the failures before this one. A Retry-After from the server
    is honoured even past the cap's lower side (but never beyond the maximum interval).
    """
    exponent = min(consecutive_errors, 16)
    backoff = min(bounds.min_interval * (2**exponent), bounds.max_interval)
    if retry_after is not None and retry_after > 0:
        backoff = min(max(backoff, timedelta(seconds=retry_after)), bounds.max_interval)
    return now + _jitter(backoff, rng)


def disables_source(status: int | None) -> bool:
    """410 Gone is the one answer that stops polling; everything else is retried forever."""
    return status == 410
