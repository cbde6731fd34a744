from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsdesk.engine.parse import parse_date

NOON = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sun, 01 Jun 2025 12:00:00 +0000", NOON),
        ("Sun, 01 Jun 2025 14:00:00 +0200", NOON),
        ("01 Jun 2025 12:00:00 GMT", NOON),
        ("Sun, 01 Jun 2025 08:00:00 EDT", NOON),
        ("Sun, 01 Jun 2025 14:00:00 CEST", NOON),
        ("Sun, 01 Jun 2025 21:00:00 JST", NOON),
        ("Sun, 01 Jun 25 12:00:00 +0000", NOON),  # two-digit year
        ("Sun,01 Jun 2025 12:00:00 +0000", NOON),
        ("2025-06-01T12:00:00Z", NOON),
        ("2025-06-01T17:30:00+05:30", NOON),
        ("2025-06-01T12:00:00.123456789+00:00", NOON.replace(microsecond=123456)),
        ("2025-06-01 12:00:00", NOON),  # naive: read as UTC
        ("2025-06-01T12:00", NOON),
        ("20250601T120000Z", NOON),
        ("2025-06-01", datetime(2025, 6, 1, tzinfo=UTC)),
        ("2025-06", datetime(2025, 6, 1, tzinfo=UTC)),
        ("2025/6/1 12:00:00", NOON),
        ("1748779200", NOON),  # epoch seconds
        ("  Sun, 01 Jun 2025\n 12:00:00 GMT ", NOON),
    ],
)
def test_known_forms(text: str, expected: datetime) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not a date",
        "Sun, 31 Jun 2025 25:61:00 +0000",  # impossible
        "01/06/2025",  # day or month first? refuse rather than guess
        "0001-01-01T00:00:00Z",  # a template's empty date
        "2025-13-45",
        "9" * 200,
    ],
)
def test_junk_is_none(text: str) -> None:
    assert parse_date(text) is None


def test_results_are_aware_utc() -> None:
    value = parse_date("Tue, 04 Mar 2025 09:30:00 +0100")
    assert value is not None
    assert value.tzinfo is UTC
    assert value.hour == 8


@given(st.text(max_size=60))
def test_never_raises(text: str) -> None:
    value = parse_date(text)
    assert value is None or value.tzinfo is UTC
