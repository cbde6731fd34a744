"""engine.websub: signatures, hub choice, lease arithmetic."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from newsdesk.engine.websub import (
    granted_lease,
    hub_and_topic,
    renew_at,
    renewal_margin,
    retry_delay,
    signature_ok,
)
from newsdesk.types import Fetched, ParsedFeed

BODY = b"<feed>pushed</feed>"


def sign(method: str, body: bytes = BODY, secret: str = "s3cret") -> str:
    return f"{method}=" + hmac.new(secret.encode(), body, getattr(hashlib, method)).hexdigest()


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_each_method_of_the_spec_is_checked(method: str) -> None:
    assert signature_ok(sign(method), BODY, "s3cret")
    assert signature_ok(sign(method).upper().replace(method.upper(), method), BODY, "s3cret")
    assert not signature_ok(sign(method), BODY + b" ", "s3cret")
    assert not signature_ok(sign(method, secret="other"), BODY, "s3cret")


def test_missing_unknown_or_empty_signatures_fail() -> None:
    md5 = "md5=" + hmac.new(b"s3cret", BODY, hashlib.md5).hexdigest()
    for header in (None, "", "sha256", "sha256=", md5, "sha256=zz", "sha256=\u00e9\u00e9"):
        assert not signature_ok(header, BODY, "s3cret")
    assert not signature_ok(sign("sha256", secret=""), BODY, "")


def fetched(**kw: object) -> Fetched:
    return Fetched(url="https://feeds.example/f.xml", status=200, content=b"", headers={}, **kw)


def feed(**kw: object) -> ParsedFeed:
    return ParsedFeed(format="rss", title=None, link=None, items=(), **kw)


def test_headers_come_first_then_the_feed_then_the_fetched_url() -> None:
    body = feed(hubs=("https://body-hub.example/",), self_url="https://feeds.example/self")
    assert hub_and_topic(fetched(), feed()) is None
    assert hub_and_topic(fetched(), body) == (
        "https://body-hub.example/",
        "https://feeds.example/self",
    )
    headers = fetched(hubs=("https://header-hub.example/",), self_url="https://h.example/t")
    assert hub_and_topic(headers, body) == ("https://header-hub.example/", "https://h.example/t")
    assert hub_and_topic(fetched(), feed(hubs=("https://hub.example/",))) == (
        "https://hub.example/",
        "https://feeds.example/f.xml",
    )
    assert hub_and_topic(fetched(hubs=("https://hub.example/",)), None) is not None


def test_leases_are_bounded_and_renewed_a_tenth_before_at_most_a_day() -> None:
    assert granted_lease("864000") == timedelta(days=10)
    assert granted_lease(None) == granted_lease("soon") == timedelta(days=10)
    assert granted_lease("1") == timedelta(minutes=5)
    assert granted_lease(str(10**9)) == timedelta(days=365)
    assert renewal_margin(timedelta(days=10)) == timedelta(days=1)
    assert renewal_margin(timedelta(days=365)) == timedelta(days=1)
    assert renewal_margin(timedelta(hours=1)) == timedelta(minutes=6)
    assert renewal_margin(timedelta(minutes=5)) == timedelta(minutes=2, seconds=30)
    end = datetime(2026, 12, 11, tzinfo=UTC)
    assert renew_at(end, timedelta(days=10)) == datetime(2026, 12, 10, tzinfo=UTC)


def test_retries_back_off_to_a_day() -> None:
    waits = [retry_delay(n) for n in range(1, 10)]
    assert waits[:3] == [timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1)]
    assert waits[-1] == timedelta(days=1) and waits == sorted(waits)
