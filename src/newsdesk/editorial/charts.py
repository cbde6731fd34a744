"""Small charts drawn on the server as inline SVG: no script, no chart library."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def bars(
    values: Sequence[int], *, width: int = 140, height: int = 28, label: str = ""
) -> SafeString:
    """A bar per value (oldest first), scaled to the largest; a title gives the numbers."""
    if not values:
        return SafeString("")
    top = max(values) or 1
    step = width / len(values)
    bar = max(step - 1, 1)
    rects = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
        (
            (
                f"{i * step:.1f}",
                f"{height - max(v / top * height, 1 if v else 0):.1f}",
                f"{bar:.1f}",
                f"{max(v / top * height, 1 if v else 0):.1f}",
                str(v),
            )
            for i, v in enumerate(values)
        ),
    )
    return format_html(
        '<svg class="nd-bars" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}" fill="#417690">'
        # a faint baseline, so quiet days read as zero rather than as missing
        '<rect class="nd-base" x="0" y="{}" width="{}" height="1" fill="#c8c8c8"></rect>{}</svg>',
        label or f"{sum(values)} items",
        width,
        height,
        width,
        height,
        height - 1,
        width,
        rects,
    )
