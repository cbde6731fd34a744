"""Pure decisions about when to fetch next: functions of (what happened, settings, now).

No I/O and no clock: the orchestrator passes `now` and a random source for jitter, so every
rule here is tested with plain values.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from itertools import pairwise

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


def publishing_interval(dates: Sequence[datetime | None], now: datetime) -> timedelta | None:
    """How often to look, judged by how often the feed publishes.

    Half the median gap between its recent items (so a new item waits half a gap on
    average), and never less than the time since its newest item divided by 4: a feed
    that has gone quiet is polled less and less. None when the feed gives too few dates.
    """
    known = _recent(dates, now)
    if len(known) < 2:
        return None
    return max(_median_gap(known) / 2, (now - known[0]) / 4)


def _recent(dates: Sequence[datetime | None], now: datetime) -> list[datetime]:
    """The feed's 20 newest dates that are not in the future, newest first."""
    return sorted((d for d in dates if d is not None and d <= now), reverse=True)[:20]


def _median_gap(known: list[datetime]) -> timedelta:
    gaps = sorted((a - b) for a, b in pairwise(known))
    return gaps[len(gaps) // 2]


def next_after_success(
    now: datetime,
    bounds: Bounds,
    hint: timedelta,
    rng: random.Random,
    rhythm: timedelta | None = None,
) -> datetime:
    """The next fetch: the feed's rhythm, raised to what the server asked for, within bounds."""
    interval = max(rhythm or bounds.min_interval, hint)
    interval = min(max(bounds.min_interval, interval), bounds.max_interval)
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


def usual_gap(dates: Sequence[datetime | None], now: datetime) -> timedelta | None:
    """The median gap between the feed's recent items: its publishing rhythm. None with
    fewer than three dated items (two gaps), when a rhythm cannot be told from chance."""
    known = _recent(dates, now)
    return _median_gap(known) if len(known) >= 3 else None


def quiet_after(gap: timedelta | None, factor: int, min_hours: int) -> timedelta | None:
    """How long a silence makes a source "gone quiet": `factor` usual gaps, and never less
    than `min_hours` (nights and weekends are not news). None while the rhythm is unknown."""
    if gap is None or factor <= 0:
        return None
    return max(gap * factor, timedelta(hours=min_hours))
