"""/metrics in the Prometheus text format, parsed back line by line."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from newsdesk.pipeline.tally import LATENCY_BUCKETS, Tally
from newsdesk.store import metrics
from newsdesk.store.models import Article, Source

pytestmark = [pytest.mark.django_db, pytest.mark.db_both]

SAMPLE = re.compile(r'^([a-z_]+)(\{([a-z]+)="([^"]*)"\})? (\S+)$')


def scrape(client: Client) -> tuple[dict[tuple[str, str], float], dict[str, str], list[str]]:
    """(samples by (name, label value), TYPE by family, sample names in order)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    samples: dict[tuple[str, str], float] = {}
    types: dict[str, str] = {}
    helps: set[str] = set()
    order: list[str] = []
    for line in response.content.decode().splitlines():
        if line.startswith("# HELP "):
            helps.add(line.split()[2])
        elif line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            types[name] = kind
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            name, _, _, label, value = match.groups()
            key = (name, label or "")
            assert key not in samples, f"duplicate sample {key}"
            samples[key] = float(value)
            order.append(f"{name}{{{label or ''}}}")
    assert helps == set(types)
    return samples, types, order


def test_empty_store_still_exposes_every_family(client: Client) -> None:
    samples, types, _ = scrape(client)
    assert types == {
        "newsdesk_fetches_total": "counter",
        "newsdesk_fetch_bytes_total": "counter",
        "newsdesk_articles_new_total": "counter",
        "newsdesk_articles_updated_total": "counter",
        "newsdesk_fetch_seconds": "histogram",
        "newsdesk_sources": "gauge",
        "newsdesk_sources_due": "gauge",
        "newsdesk_hosts_paused": "gauge",
        "newsdesk_articles": "gauge",
    }
    buckets = [k for k in samples if k[0] == "newsdesk_fetch_seconds_bucket"]
    assert [b[1] for b in buckets] == [str(b) for b in LATENCY_BUCKETS] + ["+Inf"]
    assert all(samples[b] == 0 for b in buckets)
    assert samples[("newsdesk_fetch_seconds_count", "")] == 0


def test_counters_histogram_and_gauges(client: Client) -> None:
    tally = Tally()
    tally.fetch("ok", 0.07, 1000)  # lands in 0.1 and up
    tally.fetch("ok", 3.0, 500)  # lands in 5.0 and up
    tally.fetch("not_modified", 0.01, 0)
    tally.articles(new=4, updated=1)
    metrics.add_counts(tally.take())
    now = timezone.now()
    Source.objects.create(name="a", slug="a", feed_url="https://a.example/f")
    Source.objects.create(
        name="b", slug="b", feed_url="https://b.example/f", consecutive_errors=9,
        next_fetch_at=now + timedelta(hours=1),
    )  # fmt: skip
    gone = Source.objects.create(name="c", slug="c", feed_url="https://c.example/f", enabled=False)
    Article.objects.create(source=gone, identity="1", title="t", slug="t")
    Article.objects.create(source=gone, identity="2", title="t", slug="t", status="held")
    samples, _, order = scrape(client)
    assert samples[("newsdesk_fetches_total", "ok")] == 2
    assert samples[("newsdesk_fetches_total", "not_modified")] == 1
    assert samples[("newsdesk_fetch_bytes_total", "")] == 1500
    assert samples[("newsdesk_articles_new_total", "")] == 4
    assert samples[("newsdesk_articles_updated_total", "")] == 1
    bucket = {le: samples[("newsdesk_fetch_seconds_bucket", le)] for le in ("0.05", "0.1", "2.5")}
    assert bucket == {"0.05": 1, "0.1": 2, "2.5": 2}
    assert samples[("newsdesk_fetch_seconds_bucket", "5.0")] == 3
    assert samples[("newsdesk_fetch_seconds_bucket", "+Inf")] == 3
    assert samples[("newsdesk_fetch_seconds_count", "")] == 3
    assert samples[("newsdesk_fetch_seconds_sum", "")] == pytest.approx(3.08)
    # buckets never decrease, and +Inf is the count
    values = [samples[("newsdesk_fetch_seconds_bucket", str(b))] for b in LATENCY_BUCKETS]
    assert values == sorted(values)
    assert samples[("newsdesk_sources", "ok")] == 1
    assert samples[("newsdesk_sources", "failing")] == 1
    assert samples[("newsdesk_sources", "disabled")] == 1
    assert samples[("newsdesk_sources_due", "")] == 1
    assert samples[("newsdesk_articles", "published")] == 1
    assert samples[("newsdesk_articles", "held")] == 1
    # the histogram's samples come in the order Prometheus expects: buckets, sum, count
    hist = [o for o in order if o.startswith("newsdesk_fetch_seconds")]
    assert hist[-2:] == ["newsdesk_fetch_seconds_sum{}", "newsdesk_fetch_seconds_count{}"]


def test_metrics_are_never_cached(client: Client) -> None:
    response = client.get("/metrics")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
