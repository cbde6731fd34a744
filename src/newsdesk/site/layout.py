"""What every public page shares: the site settings, the category nav, the site time zone."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import engines

from newsdesk.site import caching, localtime
from newsdesk.store import reads


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        # An editor's typo in the time zone should not take the site down.
        return zoneinfo.ZoneInfo("UTC")


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    status: int = 200,
    site: reads.SiteInfo | None = None,
) -> HttpResponse:
    site = site or reads.site_settings()
    full = {"site": site, "nav_categories": reads.nav_categories(), **context}
    # Rendered here (not in a TemplateResponse) so dates are formatted while the override is
    # active; straight from the Jinja2 engine, so Django's template loaders are not searched.
    with localtime.site_zone(_zone(site.time_zone)):
        html = engines["jinja2"].get_template(template).render(full, request)
    response = HttpResponse(html, status=status)
    caching.public(request, response)
    return response
