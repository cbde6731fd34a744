"""The date policy: which date an article is listed under."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsdesk.engine.dating import Dated, DatePolicy, date_article

SEEN = datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_a_plausible_feed_date_is_kept_and_never_sorts_above_first_seen() -> None:
    earlier = SEEN - timedelta(hours=3)
    assert date_article(DatePolicy.SANE, earlier, SEEN) == Dated(earlier, earlier, True)
    # a clock a few minutes fast is not the future; it is listed at first seen
    fast = SEEN + timedelta(minutes=10)
    got = date_article(DatePolicy.SANE, fast, SEEN)
    assert got.published == fast and got.sort_at == SEEN and got.from_feed


def test_future_ancient_and_missing_dates_become_first_seen() -> None:
    future = date_article(DatePolicy.SANE, SEEN + timedelta(days=2), SEEN)
    assert (future.published, future.sort_at, future.from_feed) == (SEEN, SEEN, False)
    assert future.note == "dated in the future (2026-12-02 12:00 UTC): first seen used"
    epoch = date_article(DatePolicy.SANE, datetime(1970, 1, 1, tzinfo=UTC), SEEN)
    assert epoch.published == SEEN and "implausibly long ago (1970-01-01" in epoch.note
    undated = date_article(DatePolicy.SANE, None, SEEN)
    assert undated.published == SEEN and undated.note.startswith("no date in the feed")


def test_trusting_the_feed_and_always_first_seen() -> None:
    future = SEEN + timedelta(days=2)
    trusted = date_article(DatePolicy.FEED, future, SEEN)
    assert (trusted.published, trusted.sort_at, trusted.from_feed) == (future, future, True)
    assert date_article(DatePolicy.FEED, None, SEEN).published is None
    old = SEEN - timedelta(days=3)
    seen = date_article(DatePolicy.FIRST_SEEN, old, SEEN)
    assert (seen.published, seen.sort_at, seen.from_feed) == (SEEN, SEEN, False)
