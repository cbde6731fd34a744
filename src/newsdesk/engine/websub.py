"""WebSub (W3C recommendation, PubSubHubbub 0.4) rules that need no network or database:
which hub and topic to subscribe to, whether a push is signed with our secret, when a lease
is renewed."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from newsdesk.types import Fetched, ParsedFeed

# what we ask hubs for; they may grant less (or more)
REQUESTED_LEASE = timedelta(days=10)
# a granted lease is kept within these: a hub answering "1 second" or "100 years" is wrong
SHORTEST_LEASE = timedelta(minutes=5)
LONGEST_LEASE = timedelta(days=365)

# WebSub 8: the methods a hub may sign with; the spec leaves sha1 in for older hubs
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384}
_DIGESTS["sha512"] = hashlib.sha512


def hub_and_topic(fetched: Fetched, feed: ParsedFeed | None) -> tuple[str, str] | None:
    """The hub to subscribe to and the topic URL, or None when neither the headers nor
    the feed (None: a 304, no body) name a hub.

    WebSub 4: Link headers first, then the document's own links; the topic is the self URL,
    else the URL the feed was fetched from. Only the first hub is used: one subscription
    brings every push, and more would import each push several times over.
    """
    hubs = fetched.hubs or (feed.hubs if feed else ())
    hub = next((h for h in hubs if h.startswith(("http://", "https://"))), None)
    if hub is None:
        return None
    topic = fetched.self_url or (feed.self_url if feed else None) or fetched.url
    return hub[:2000], topic[:2000]


def signature_ok(header: str | None, body: bytes, secret: str) -> bool:
    """Whether X-Hub-Signature ("sha256=<hex>") is the HMAC of the raw body with `secret`.

    Compared in constant time, so a forger learns nothing from how long a refusal takes. A
    missing header is a failure too: every subscription of ours has a secret, so a genuine
    hub always signs.
    """
    if not header or not secret:
        return False
    method, _, given = header.strip().partition("=")
    digest = _DIGESTS.get(method.strip().lower())
    if digest is None or not given:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest().encode()
    # as bytes: compare_digest refuses non-ASCII str, and a header may hold anything
    return hmac.compare_digest(expected, given.strip().lower().encode("utf-8", "replace"))


def granted_lease(raw: str | None) -> timedelta:
    """The lease a hub's verification grants (hub.lease_seconds), kept within bounds;
    without one, what we asked for."""
    try:
        seconds = int((raw or "").strip())
    except ValueError:
        return REQUESTED_LEASE
    return min(max(timedelta(seconds=seconds), SHORTEST_LEASE), LONGEST_LEASE)


def renewal_margin(lease: timedelta) -> timedelta:
    """How long before expiry a lease is renewed: a tenth of it, at most a day (a year's
    lease need not be renewed a month early), at least a few minutes for the scheduler's
    minute-long sleeps, and never more than half the lease."""
    margin = min(max(lease / 10, timedelta(minutes=3)), timedelta(days=1))
    return min(margin, lease / 2)


def renew_at(expires: datetime, lease: timedelta) -> datetime:
    return expires - renewal_margin(lease)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th request that did not end verified: 15 minutes,
    doubling, at most a day, so a hub that is down (or cannot reach us) is not pestered."""
    doublings = min(max(attempts - 1, 0), 10)
    return min(timedelta(minutes=15) * (1 << doublings), timedelta(days=1))
