"""One spelling per article URL, so the same link seen twice is recognised as the same.

Tracking parameters, fragments, default ports and host case do not change which page a link
opens; they do change the string, and would make one article look like two.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs", "_hs", "vero_", "oly_")
_TRACKING_NAMES = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "igshid", "ttclid",
        "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "ref_url", "cmpid", "ncid", "sr_share",
        "mkt_tok", "wt.mc_id", "icid", "spm", "s_cid", "at_medium", "at_campaign",
        "feature", "ocid", "soc_src", "soc_trk", "smid",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}
_MULTIPLE_SLASHES = re.compile(r"/{2,}")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """`url` without tracking parameters, fragment or default port, with a lower-case host.

    Anything that is not an http(s) URL is returned stripped but otherwise unchanged.
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        auth = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{auth}@{netloc}"
    path = _MULTIPLE_SLASHES.sub("/", parts.path) or "/"
    # Kept parameters stay byte-for-byte as given: re-encoding could turn one key into two.
    query = "&".join(
        segment
        for segment in parts.query.split("&")
        if segment and not _is_tracking(unquote_plus(segment.split("=", 1)[0]))
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def article_key(url: str | None) -> str | None:
    """What two sources' links to one article have in common: the canonical URL without its
    scheme, a leading "www." or a trailing slash, which sites mix up for the same page.

    None for anything that is not an article's own page: no http(s) URL, or a site's bare
    home page, which feeds give as the link of items that have none of their own.
    """
    if not url:
        return None
    canonical = canonical_url(url)
    scheme, sep, rest = canonical.partition("://")
    if not sep or scheme not in _DEFAULT_PORTS:
        return None
    rest = rest.removeprefix("www.")
    host, _, tail = rest.partition("/")
    tail = tail.rstrip("/")
    if not host or not tail:
        return None
    return f"{host}/{tail}"[:2000]
