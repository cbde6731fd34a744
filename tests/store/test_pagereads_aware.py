"""pagereads.aware: SQLite's naive UTC values made aware, as replace(tzinfo=UTC) would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from newsdesk.store.pagereads import aware


@given(st.datetimes())
def test_a_naive_value_becomes_the_same_instant_in_utc(value: datetime) -> None:
    made = aware(value)
    expected = value.replace(tzinfo=UTC)
    assert made == expected
    assert made is not None and made.tzinfo is UTC
    assert (made.year, made.microsecond, made.fold) == (value.year, value.microsecond, 0)


def test_aware_values_and_none_pass_through() -> None:
    east = datetime(2025, 6, 14, 12, tzinfo=timezone(timedelta(hours=3)))
    assert aware(east) is east
    assert aware(None) is None
    assert aware(datetime.min) == datetime.min.replace(tzinfo=UTC)
    assert aware(datetime.max) == datetime.max.replace(tzinfo=UTC)
