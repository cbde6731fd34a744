"""The fetch stage: bytes from the network under a guard, a size cap and a deadline.

client.py       Fetcher: conditional GET, redirects checked hop by hop, per-host limits
guard.py        check_url: refuse private, loopback, metadata and odd-spelled addresses
connect.py      the same check at connect time, dialing the address it checked
decode.py       gzip/deflate/br decoding bounded by the body cap
retry_after.py  Retry-After as seconds
discover.py     discover_feeds (page -> feed links), looks_like_html
"""

from __future__ import annotations

from newsdesk.engine.fetch.client import Fetcher
from newsdesk.engine.fetch.discover import discover_feeds, looks_like_html
from newsdesk.engine.fetch.guard import Resolver, check_url
from newsdesk.engine.fetch.retry_after import parse_retry_after

__all__ = [
    "Fetcher",
    "Resolver",
    "check_url",
    "discover_feeds",
    "looks_like_html",
    "parse_retry_after",
]
