"""Counters and gauges for /metrics, read from and added to the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q

from newsdesk.store.models import Article, HostPause, MetricCounter, Source

CounterKey = tuple[str, str]  # (name, labels)


def add_counts(deltas: Mapping[CounterKey, float]) -> None:
    """Add one run's counts, in one transaction; rows are touched in a fixed order so two
    workers flushing at once never deadlock on PostgreSQL."""
    with transaction.atomic():
        for (name, labels), delta in sorted(deltas.items()):
            if not delta:
                continue
            updated = MetricCounter.objects.filter(name=name, labels=labels).update(
                value=F("value") + delta
            )
            if updated:
                continue
            try:
                with transaction.atomic():
                    MetricCounter.objects.create(name=name, labels=labels, value=delta)
            except IntegrityError:  # another process created it first
                MetricCounter.objects.filter(name=name, labels=labels).update(
                    value=F("value") + delta
                )


def counters() -> list[tuple[str, str, float]]:
    rows = MetricCounter.objects.order_by("name", "labels").values_list("name", "labels", "value")
    return [(n, lab, float(v)) for n, lab, v in rows]


@dataclass(frozen=True, slots=True)
class Gauges:
    sources_ok: int
    sources_failing: int
    sources_disabled: int
    due_backlog: int
    articles_published: int
    articles_held: int
    sources_quiet: int = 0
    hosts_paused: int = 0


def gauges(now: datetime, failing_after: int) -> Gauges:
    sources = Source.objects.aggregate(
        disabled=Count("id", filter=Q(enabled=False)),
        failing=Count("id", filter=Q(enabled=True, consecutive_errors__gte=failing_after)),
        # quiet is a kind of ok: answering, with nothing new for much longer than usual
        quiet=Count(
            "id",
            filter=Q(
                enabled=True,
                consecutive_errors__lt=failing_after,
                quiet_since__isnull=False,
            ),
        ),
        ok=Count(
            "id",
            filter=Q(enabled=True, consecutive_errors__lt=failing_after, quiet_since__isnull=True),
        ),
        due=Count("id", filter=Q(enabled=True, next_fetch_at__lte=now)),
    )
    articles = Article.objects.aggregate(
        published=Count("id", filter=Q(status=Article.Status.PUBLISHED)),
        held=Count("id", filter=Q(status=Article.Status.HELD)),
    )
    return Gauges(
        sources_ok=sources["ok"],
        sources_failing=sources["failing"],
        sources_disabled=sources["disabled"],
        due_backlog=sources["due"],
        sources_quiet=sources["quiet"],
        hosts_paused=HostPause.objects.filter(until__gt=now).count(),
        articles_published=articles["published"],
        articles_held=articles["held"],
    )
