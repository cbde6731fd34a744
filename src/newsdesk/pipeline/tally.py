"""What one update run counts for /metrics: fetch outcomes, bytes, latency, articles.

Pure bookkeeping; the run hands `deltas()` to the store when it ends (and now and then on
long runs), so a killed worker loses at most its unflushed counts, never a feed.
"""

from __future__ import annotations

from collections import defaultdict

from newsdesk.store.metrics import CounterKey

# seconds; Prometheus' usual web buckets, widened at the top for slow feeds
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_BUCKET_KEYS = tuple(
    (bound, ("newsdesk_fetch_seconds_bucket", f'le="{bound}"')) for bound in LATENCY_BUCKETS
)
_OUTCOME_KEYS: dict[str, CounterKey] = {}


class Tally:
    def __init__(self) -> None:
        self.counts: dict[CounterKey, float] = defaultdict(float)
        self.pending = 0

    def fetch(self, outcome: str, seconds: float, size: int) -> None:
        counts = self.counts
        key = _OUTCOME_KEYS.get(outcome)
        if key is None:
            key = _OUTCOME_KEYS[outcome] = ("newsdesk_fetches_total", f'outcome="{outcome}"')
        counts[key] += 1
        counts[("newsdesk_fetch_bytes_total", "")] += size
        counts[("newsdesk_fetch_seconds_sum", "")] += seconds
        counts[("newsdesk_fetch_seconds_count", "")] += 1
        for bound, bucket in _BUCKET_KEYS:
            if seconds <= bound:
                counts[bucket] += 1
        counts[("newsdesk_fetch_seconds_bucket", 'le="+Inf"')] += 1
        self.pending += 1

    def articles(self, new: int, updated: int) -> None:
        self.counts[("newsdesk_articles_new_total", "")] += new
        self.counts[("newsdesk_articles_updated_total", "")] += updated

    def take(self) -> dict[CounterKey, float]:
        """The counts so far, forgetting them (they are flushed to the store)."""
        taken = {key: float(value) for key, value in self.counts.items()}
        self.counts.clear()
        self.pending = 0
        return taken
