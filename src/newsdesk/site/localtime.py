"""The site's time zone during a page render, read cheaply.

render_page activates the site's zone with Django's timezone.override for the whole render, and
a page reads it once for every date it shows (forty on a search page). Django's
get_current_timezone reads it through asgiref's context-aware local, 2.3 µs a read here; the
render also keeps the zone in a plain thread-local, which is what the page's dates read.
Outside a render both give Django's answer.
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
    """Django's timezone.override(zone), noted for localtime() too."""
    previous = getattr(_render, "zone", None)
    _render.zone = zone
    try:
        with timezone.override(zone):
            yield
    finally:
        _render.zone = previous


def localtime(value: datetime) -> datetime:
    """Django's timezone.localtime(value): an aware value in the current time zone."""
    zone: tzinfo | None = getattr(_render, "zone", None)
    if zone is None:
        return timezone.localtime(value)
    return value.astimezone(zone)
