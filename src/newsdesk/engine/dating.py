"""Which date an article is listed under: the feed's, or the time newsdesk first saw it.

Feeds date items in the future (a wrong time zone, a scheduled post published early), in
1970 (an unset field) or not at all. Trusted as given, a future-dated item sits on top of
the front page until that date passes. The source's date policy decides, and an article is
never listed above the moment it was first seen, so list order within a source follows
arrival whatever the feed claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

# a feed clock a little ahead of ours is not a future date
FUTURE_SLACK = timedelta(minutes=15)
# nothing a feed carries as news was published before syndication feeds existed
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)


class DatePolicy(StrEnum):
    SANE = "sane"  # the feed's date, unless it is in the future, implausibly old or missing
    FEED = "feed"  # the feed's date as given (undated items are listed by first seen)
    FIRST_SEEN = "first_seen"  # always the time the item was first seen


@dataclass(frozen=True, slots=True)
class Dated:
    published: datetime | None  # shown as the article's date
    sort_at: datetime  # what lists order by
    from_feed: bool  # published is the feed's own date
    note: str = ""  # why the feed's date was not used, for replay and the admin


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def date_article(policy: DatePolicy, feed_date: datetime | None, first_seen: datetime) -> Dated:
    """The article's date and list position under `policy`; `first_seen` is when the item
    (or the article it updates) first arrived, so the verdict does not change on updates."""
    if policy is DatePolicy.FIRST_SEEN:
        return Dated(first_seen, first_seen, False, "the source lists items by first seen")
    if feed_date is None:
        if policy is DatePolicy.FEED:
            return Dated(None, first_seen, False)
        return Dated(first_seen, first_seen, False, "no date in the feed: first seen used")
    if policy is DatePolicy.SANE:
        if feed_date > first_seen + FUTURE_SLACK:
            note = f"dated in the future ({_iso(feed_date)}): first seen used"
            return Dated(first_seen, first_seen, False, note)
        if feed_date < EARLIEST:
            note = f"dated implausibly long ago ({_iso(feed_date)}): first seen used"
            return Dated(first_seen, first_seen, False, note)
        return Dated(feed_date, min(feed_date, first_seen), True)
    return Dated(feed_date, feed_date, True)
