"""Article search. First cut: every word must appear in the title, summary or body
(case-insensitive substring), newest first. Ranked full-text search (SQLite FTS5 and
PostgreSQL tsvector) replaces this in the search issue."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from newsdesk.store.models import Article
from newsdesk.store.reads import article_record


def search_records(query: str, *, limit: int = 20) -> list[dict[str, Any]]:
    words = [w for w in query.split() if w]
    if not words:
        return []
    match = Q()
    for word in words:
        match &= (
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body_html__icontains=word)
        )
    rows = (
        Article.objects.filter(match, status=Article.Status.PUBLISHED)
        .select_related("source")
        .prefetch_related("categories")
        .order_by("-sort_at", "-id")[: max(0, limit)]
    )
    return [article_record(a) for a in rows]
