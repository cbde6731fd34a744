"""Image URLs as the browser should load them: the bundled demo origin maps to /demo/."""

from __future__ import annotations

from newsdesk.config import DEMO_ORIGIN

DEMO_PREFIX = DEMO_ORIGIN + "/"
LOCAL_PREFIX = "/demo/"


def media_url(url: str) -> str:
    if url.startswith(DEMO_PREFIX):
        return LOCAL_PREFIX + url.removeprefix(DEMO_PREFIX)
    return url


def localize_demo_links(html: str) -> str:
    """Point demo links inside an (already sanitized) body at /demo/.

    A plain prefix swap inside attribute values cannot create markup, so the result is as safe
    as its input.
    """
    return html.replace(DEMO_PREFIX, LOCAL_PREFIX)
