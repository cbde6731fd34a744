"""Feed dates to aware UTC datetimes: RFC 822, ISO 8601 / W3CDTF, named zones, epoch.

Feeds get dates wrong in every way a human can type them, so `parse_date` never raises:
anything it cannot read with confidence is None (the pipeline then uses the fetch time).
Ambiguous all-numeric forms such as 06/07/2025 are refused rather than guessed.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_tz

# Zone names seen in real feeds beyond the US ones RFC 822 knows; offsets in hours.
_ZONES: dict[str, float] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "IST": 5.5,
    "CET": 1,
    "CEST": 2,
    "MET": 1,
    "MEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
    "AKST": -9,
    "AKDT": -8,
    "HST": -10,
    "AST": -4,
    "ADT": -3,
    "NST": -3.5,
    "NDT": -2.5,
    "JST": 9,
    "KST": 9,
    "HKT": 8,
    "SGT": 8,
    "AWST": 8,
    "ACST": 9.5,
    "ACDT": 10.5,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
}

_ISO = re.compile(
    r"""^(?P<y>\d{4})(?:-?(?P<m>\d{2})(?:-?(?P<d>\d{2})
        (?:[T\s]+(?P<H>\d{1,2}):?(?P<M>\d{2})(?::?(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?)?)?)?
        \s*(?P<tz>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$""",
    re.X | re.I,
)
_YEAR_FIRST = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_ZONE_WORD = re.compile(r"\b([A-Z]{1,5})\s*$")
_EARLIEST_YEAR = 1900
_EPOCH = re.compile(r"^\d{9,10}(?:\.\d+)?$")
# RFC 822 with the weekday or commas missing or doubled, as feeds write it.
_WEEKDAY = re.compile(r"^\s*[A-Za-z]{3,9}\.?,?\s+")


def parse_date(value: str) -> datetime | None:
    """Read one feed date; aware UTC datetime, or None when it is not a date we trust."""
    try:
        if len(value) == 25 and value[10] == "T":
            # The form fastfeedparser normalises every date to: a C parse, no regex.
            with contextlib.suppress(ValueError):
                return _checked(datetime.fromisoformat(value))
        text = " ".join(value.split())
        if not text or len(text) > 80:
            return None
        return _iso(text) or _year_first(text) or _rfc822(text) or _epoch(text)
    except (ValueError, OverflowError, TypeError, IndexError):
        return None


def _checked(dt: datetime) -> datetime | None:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC) if dt.year >= _EARLIEST_YEAR else None


def _iso(text: str) -> datetime | None:
    match = _ISO.match(text)
    if match is None:
        return None
    g = match.groupdict()
    fraction = (g["f"] or "0")[:6].ljust(6, "0")
    dt = datetime(
        int(g["y"]),
        int(g["m"] or 1),
        int(g["d"] or 1),
        int(g["H"] or 0),
        int(g["M"] or 0),
        int(g["S"] or 0),
        int(fraction),
    )
    return _to_utc(dt, _offset_of(g["tz"]))


def _year_first(text: str) -> datetime | None:
    """2020/1/10 14:33[:00]: slashes, but with the year first it is not ambiguous."""
    match = _YEAR_FIRST.match(text)
    if match is None:
        return None
    y, m, d, hh, mm, ss = (int(g or 0) for g in match.groups())
    return _to_utc(datetime(y, m, d, hh, mm, ss), timedelta(0))


def _offset_of(zone: str | None) -> timedelta:
    if not zone or zone.upper() in ("Z", "UTC", "GMT"):
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return sign * timedelta(hours=hours, minutes=minutes)


def _rfc822(text: str) -> datetime | None:
    text = _WEEKDAY.sub("", text) if not text[:1].isdigit() else text
    offset = timedelta(0)
    zone = _ZONE_WORD.search(text)
    if zone and zone.group(1).upper() in _ZONES:
        offset = timedelta(hours=_ZONES[zone.group(1).upper()])
        text = text[: zone.start()].strip()
    parts = parsedate_tz(text)
    if parts is None:
        return None
    year = parts[0]
    if year < 100:  # two-digit years: RFC 822 era feeds
        year += 2000 if year < 70 else 1900
    dt = datetime(year, parts[1], parts[2], parts[3], parts[4], parts[5])
    if parts[9] is not None and not zone:
        offset = timedelta(seconds=parts[9])
    return _to_utc(dt, offset)


def _epoch(text: str) -> datetime | None:
    if not _EPOCH.match(text):
        return None
    return datetime.fromtimestamp(float(text), tz=UTC)


def _to_utc(naive: datetime, offset: timedelta) -> datetime | None:
    if naive.year < _EARLIEST_YEAR:
        return None  # "0001-01-01": a template's empty date, not a date
    return naive.replace(tzinfo=timezone(offset)).astimezone(UTC)
