"""Reads about sources and their health, for `sources`, OPML export and the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count

from newsdesk.store.models import Source
from newsdesk.store.websub import Subscription, subscriptions_of


def span(seconds: float) -> str:
    """A gap for people: "20 min", "6 h", "3 days"."""
    hours = seconds / 3600
    if hours < 1:
        return f"{max(1, round(seconds / 60))} min"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"


@dataclass(frozen=True, slots=True)
class SourceRow:
    id: int
    name: str
    slug: str
    feed_url: str
    site_url: str
    category: str | None
    enabled: bool
    failing: bool
    last_fetched_at: datetime | None
    last_status: int | None
    last_error: str
    consecutive_errors: int
    next_fetch_at: datetime
    articles: int
    quiet_since: datetime | None = None
    last_new_at: datetime | None = None
    usual_gap_seconds: float | None = None
    identity_rule: str = "guid"
    identity_note: str = ""
    websub: Subscription | None = None

    @property
    def state(self) -> str:
        """ok, quiet (answering, but silent for much longer than usual), failing, disabled."""
        if not self.enabled:
            return "disabled"
        if self.failing:
            return "failing"
        return "quiet" if self.quiet_since else "ok"

    def record(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return value.isoformat().replace("+00:00", "Z") if value else None

        return {
            "id": self.id,
            "name": self.name,
            "feed_url": self.feed_url,
            "site_url": self.site_url or None,
            "category": self.category,
            "enabled": self.enabled,
            "failing": self.failing,
            "last_fetch": iso(self.last_fetched_at),
            "last_status": self.last_status,
            "error": self.last_error or None,
            "consecutive_errors": self.consecutive_errors,
            "items": self.articles,
            "next_fetch": iso(self.next_fetch_at),
            "state": self.state,
            "quiet_since": iso(self.quiet_since),
            "last_new_item": iso(self.last_new_at),
            "usual_gap_seconds": self.usual_gap_seconds,
            "identity": self.identity_rule,
            "identity_note": self.identity_note or None,
            "websub": self._websub(iso),
        }

    def _websub(self, iso: Callable[[datetime | None], str | None]) -> dict[str, Any] | None:
        sub = self.websub
        if sub is None:
            return None
        return {
            "hub": sub.hub_url,
            "topic": sub.topic_url,
            "state": sub.state_at(datetime.now(UTC)),
            "lease_expires": iso(sub.lease_expires_at),
            "last_push": iso(sub.last_push_at),
            "pushes": sub.pushes,
            "error": sub.last_error or None,
        }


def all_sources(failing_after: int = 5) -> list[SourceRow]:
    rows = list(
        Source.objects.select_related("category").annotate(n=Count("articles")).order_by("id")
    )
    subs = subscriptions_of([s.pk for s in rows])
    return [
        SourceRow(
            id=s.pk,
            name=s.name,
            slug=s.slug,
            feed_url=s.feed_url,
            site_url=s.site_url,
            category=s.category.name if s.category else None,
            enabled=s.enabled,
            failing=s.consecutive_errors >= failing_after,
            last_fetched_at=s.last_fetched_at,
            last_status=s.last_status,
            last_error=s.last_error,
            consecutive_errors=s.consecutive_errors,
            next_fetch_at=s.next_fetch_at,
            articles=s.n,
            quiet_since=s.quiet_since,
            last_new_at=s.last_new_at,
            usual_gap_seconds=s.usual_gap_seconds,
            identity_rule=s.identity_rule,
            identity_note=s.identity_note,
            websub=subs.get(s.pk),
        )
        for s in rows
    ]
