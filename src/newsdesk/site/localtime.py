"""The site's time zone during a page render, read cheaply.

render_page sets the site's zone for the whole render, and a page reads it once for every
date it shows (forty on a search page). It is kept in a plain thread-local, which is what
the pages' dates read (localtime() here: the date filter, cards.py). Django's own current
time zone is left alone: switching it (timezone.override, asgiref's context-aware local)
cost 9.3 µs a render, and nothing a page renders reads it; a helper that shows a date must
go through localtime() here. Outside a render, localtime() gives Django's answer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo

from django.utils import timezone

_render = threading.local()


@contextmanager
def site_zone(zone: tzinfo) -> Iterator[None]:
    """`zone` for localtime() until the block ends."""
    previous = getattr(_render, "zone", None)
    _render.zone = zone
    try:
        yield
    finally:
        _render.zone = previous


def localtime(value: datetime) -> datetime:
    """Django's timezone.localtime(value): an aware value in the current time zone."""
    zone: tzinfo | None = getattr(_render, "zone", None)
    if zone is None:
        return timezone.localtime(value)
    return value.astimezone(zone)
