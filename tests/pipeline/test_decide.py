from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from newsdesk.pipeline import decide

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BOUNDS = decide.Bounds(min_interval=timedelta(minutes=10), max_interval=timedelta(hours=24))


def rng() -> random.Random:
    return random.Random(7)


def test_success_waits_the_minimum_with_jitter() -> None:
    due = decide.next_after_success(NOW, BOUNDS, timedelta(0), rng())
    assert timedelta(minutes=9) <= due - NOW <= timedelta(minutes=11)


def test_success_honours_a_longer_server_hint_but_not_past_the_maximum() -> None:
    due = decide.next_after_success(NOW, BOUNDS, timedelta(hours=2), rng())
    assert timedelta(minutes=108) <= due - NOW <= timedelta(minutes=132)
    capped = decide.next_after_success(NOW, BOUNDS, timedelta(days=9), rng())
    assert capped - NOW <= timedelta(hours=24) * 1.1


def test_server_hint_reads_max_age_expires_and_ttl() -> None:
    assert decide.server_hint({"cache-control": "public, max-age=3600"}, NOW, None) == timedelta(
        hours=1
    )
    expires = {"expires": "Wed, 25 Nov 2026 14:00:00 GMT"}
    assert decide.server_hint(expires, NOW, None) == timedelta(hours=2)
    assert decide.server_hint({}, NOW, 45) == timedelta(minutes=45)
    assert decide.server_hint({"expires": "garbage"}, NOW, None) == timedelta(0)


def test_failures_back_off_exponentially_up_to_the_cap() -> None:
    waits = [decide.next_after_failure(NOW, BOUNDS, n, None, rng()) - NOW for n in range(0, 12)]
    assert waits[0] < waits[1] < waits[2] < waits[3]
    assert all(w <= timedelta(hours=24) * 1.1 for w in waits)
    assert waits[-1] >= timedelta(hours=24) * 0.9


def test_retry_after_is_honoured() -> None:
    wait = decide.next_after_failure(NOW, BOUNDS, 0, 7200, rng()) - NOW
    assert wait >= timedelta(hours=2) * 0.9


def test_only_gone_disables() -> None:
    assert decide.disables_source(410)
    assert not any(decide.disables_source(s) for s in (None, 404, 429, 500, 503))


def test_tally_counts_outcomes_and_a_cumulative_histogram() -> None:
    from newsdesk.pipeline.tally import Tally

    tally = Tally()
    tally.fetch("ok", 0.3, 1000)
    tally.fetch("error", 12.0, 0)
    tally.articles(5, 1)
    counts = tally.take()
    assert counts[("newsdesk_fetches_total", 'outcome="ok"')] == 1
    assert counts[("newsdesk_fetch_bytes_total", "")] == 1000
    assert counts.get(("newsdesk_fetch_seconds_bucket", 'le="0.25"'), 0) == 0
    assert counts[("newsdesk_fetch_seconds_bucket", 'le="0.5"')] == 1
    assert counts[("newsdesk_fetch_seconds_bucket", 'le="30.0"')] == 2
    assert counts[("newsdesk_fetch_seconds_bucket", 'le="+Inf"')] == 2
    assert counts[("newsdesk_articles_new_total", "")] == 5
    assert tally.take() == {}


def test_publishing_interval_follows_the_feed_and_slows_when_it_goes_quiet() -> None:
    hourly = [NOW - timedelta(hours=n) for n in range(1, 11)]
    assert decide.publishing_interval(hourly, NOW) == timedelta(minutes=30)
    quiet = [NOW - timedelta(days=8 + n) for n in range(10)]
    assert decide.publishing_interval(quiet, NOW) == timedelta(days=2)
    assert decide.publishing_interval([NOW, None], NOW) is None
    future = [NOW + timedelta(days=365), NOW - timedelta(hours=1), NOW - timedelta(hours=2)]
    assert decide.publishing_interval(future, NOW) == timedelta(minutes=30)


def test_rhythm_is_bounded_and_a_server_hint_can_only_lengthen_it() -> None:
    fast = decide.next_after_success(NOW, BOUNDS, timedelta(0), rng(), timedelta(minutes=1))
    assert fast - NOW >= timedelta(minutes=9)
    slow = decide.next_after_success(NOW, BOUNDS, timedelta(0), rng(), timedelta(days=3))
    assert slow - NOW <= timedelta(hours=24) * 1.1
    hinted = decide.next_after_success(
        NOW, BOUNDS, timedelta(hours=3), rng(), timedelta(minutes=30)
    )
    assert hinted - NOW >= timedelta(hours=3) * 0.9


def test_usual_gap_is_the_median_gap_of_recent_items() -> None:
    from newsdesk.pipeline.decide import quiet_after, usual_gap

    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    hourly = [now - timedelta(hours=h) for h in (1, 2, 3, 4, 10)]
    assert usual_gap(hourly, now) == timedelta(hours=1)
    assert usual_gap([now, None, now - timedelta(hours=1)], now) is None  # two dates: no rhythm
    assert usual_gap([now + timedelta(days=h) for h in range(5)], now) is None  # future ones
    assert quiet_after(timedelta(hours=1), 4, 24) == timedelta(hours=24)
    assert quiet_after(timedelta(days=2), 4, 24) == timedelta(days=8)
    assert quiet_after(None, 4, 24) is None and quiet_after(timedelta(hours=1), 0, 24) is None
