"""/metrics: Prometheus text exposition format 0.0.4.

Counters come from the store (summed across every process that fetched); gauges are counted
when scraped. Every latency bucket is written, even one no fetch has reached yet: Prometheus'
histogram_quantile needs the whole ladder of `le` values on every scrape.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from newsdesk.pipeline.tally import LATENCY_BUCKETS
from newsdesk.store import metrics as store_metrics

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY = "newsdesk_fetch_seconds"

COUNTERS: dict[str, str] = {
    "newsdesk_fetches_total": "Feed fetches, by outcome.",
    "newsdesk_fetch_bytes_total": "Bytes received from feeds (decoded bodies).",
    "newsdesk_articles_new_total": "Articles stored for the first time.",
    "newsdesk_articles_updated_total": "Stored articles changed by a later fetch.",
}


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _bucket_label(bound: float) -> str:
    # The label text must match what the tally stores: Python's str() of the float bound.
    return f'le="{bound}"'


def render(counters: list[tuple[str, str, float]], gauges: store_metrics.Gauges) -> str:
    by_name: dict[str, dict[str, float]] = defaultdict(dict)
    for name, labels, value in counters:
        by_name[name][labels] = value
    lines: list[str] = []
    for name, help_text in COUNTERS.items():
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} counter"]
        series = by_name.get(name) or {"": 0.0}
        for labels, value in sorted(series.items()):
            lines.append(
                f"{name}{{{labels}}} {_number(value)}" if labels else f"{name} {_number(value)}"
            )
    lines += [
        f"# HELP {LATENCY} Time from request to the whole body, per fetch.",
        f"# TYPE {LATENCY} histogram",
    ]
    buckets = by_name.get(f"{LATENCY}_bucket", {})
    for bound in LATENCY_BUCKETS:
        value = buckets.get(_bucket_label(bound), 0.0)
        lines.append(f"{LATENCY}_bucket{{{_bucket_label(bound)}}} {_number(value)}")
    total = by_name.get(f"{LATENCY}_count", {}).get("", 0.0)
    infinite = buckets.get('le="+Inf"', total)
    lines.append(f'{LATENCY}_bucket{{le="+Inf"}} {_number(infinite)}')
    lines.append(f"{LATENCY}_sum {_number(by_name.get(f'{LATENCY}_sum', {}).get('', 0.0))}")
    lines.append(f"{LATENCY}_count {_number(total)}")
    gauge_rows = [
        (
            "newsdesk_sources",
            "Subscribed sources, by state.",
            [
                ('state="ok"', gauges.sources_ok),
                ('state="quiet"', gauges.sources_quiet),
                ('state="failing"', gauges.sources_failing),
                ('state="disabled"', gauges.sources_disabled),
            ],
        ),
        (
            "newsdesk_sources_due",
            "Enabled sources whose next fetch time has passed (the backlog).",
            [("", gauges.due_backlog)],
        ),
        (
            "newsdesk_hosts_paused",
            "Hosts that asked (429/503 with Retry-After) not to be fetched for now.",
            [("", gauges.hosts_paused)],
        ),
        (
            "newsdesk_articles",
            "Stored articles, by status.",
            [
                ('status="published"', gauges.articles_published),
                ('status="held"', gauges.articles_held),
            ],
        ),
    ]
    for name, help_text, series_rows in gauge_rows:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for labels, count in series_rows:
            lines.append(f"{name}{{{labels}}} {count}" if labels else f"{name} {count}")
    return "\n".join(lines) + "\n"


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    gauges = store_metrics.gauges(timezone.now(), settings.NEWSDESK.failing_after)
    body = render(store_metrics.counters(), gauges)
    return HttpResponse(body, content_type=CONTENT_TYPE)
