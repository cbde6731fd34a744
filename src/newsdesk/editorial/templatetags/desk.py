"""The desk summary on the admin index: what waits for an editor right now."""

from __future__ import annotations

from typing import Any

from django import template

from newsdesk.store import editorial
from newsdesk.store.sources import span as human_span

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_summary(context: dict[str, Any]) -> editorial.DeskSummary | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("store.view_article"):
        return None
    return editorial.desk_summary()


@register.filter
def span(seconds: float | None) -> str:
    return human_span(seconds) if seconds else ""
