"""HTTP `Link:` headers (RFC 8288): the WebSub hub and self URLs a server announces.

A response may carry several Link headers, and clients (httpx, WSGI servers) join them with
commas; a comma may also sit inside a quoted parameter or, rarely, inside the <URI>. So the
value is scanned character by character instead of split on ",".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from urllib.parse import urljoin

_MAX_LINKS = 50  # a header naming more is hostile or broken; the first ones are enough


def parse_link_header(value: str, base: str) -> list[tuple[str, tuple[str, ...]]]:
    """(absolute target, lower-case rel values) of each link in a Link header value."""
    links: list[tuple[str, tuple[str, ...]]] = []
    for target, params in _links(value):
        rels = params.get("rel", "").lower().split()
        try:
            absolute = urljoin(base, target.strip())
        except ValueError:
            continue
        if absolute.startswith(("http://", "https://")):
            links.append((absolute, tuple(rels)))
        if len(links) >= _MAX_LINKS:
            break
    return links


def hub_links(headers: Mapping[str, str], base: str) -> tuple[tuple[str, ...], str | None]:
    """The hubs (in header order, no repeats) and the first self URL named by `headers`."""
    hubs: list[str] = []
    self_url: str | None = None
    for target, rels in parse_link_header(headers.get("link", ""), base):
        if "hub" in rels and target not in hubs:
            hubs.append(target)
        if "self" in rels and self_url is None:
            self_url = target
    return tuple(hubs), self_url


def _links(value: str) -> Iterator[tuple[str, dict[str, str]]]:
    i, n = 0, len(value)
    while i < n:
        start = value.find("<", i)
        if start < 0:
            return
        end = value.find(">", start + 1)
        if end < 0:
            return
        target = value[start + 1 : end]
        params, i = _params(value, end + 1)
        yield target, params


def _params(value: str, i: int) -> tuple[dict[str, str], int]:
    """The `; name=value` parameters after a link, up to the comma that ends it."""
    params: dict[str, str] = {}
    n = len(value)
    while i < n:
        while i < n and value[i] in " \t;":
            i += 1
        if i >= n:
            break
        if value[i] == ",":
            return params, i + 1
        name_end = i
        while name_end < n and value[name_end] not in "=;,":
            name_end += 1
        name = value[i:name_end].strip().lower()
        i = name_end
        text = ""
        if i < n and value[i] == "=":
            i += 1
            while i < n and value[i] in " \t":
                i += 1
            if i < n and value[i] == '"':
                i += 1
                chars: list[str] = []
                while i < n and value[i] != '"':
                    if value[i] == "\\" and i + 1 < n:
                        i += 1
                    chars.append(value[i])
                    i += 1
                text = "".join(chars)
                i += 1  # the closing quote
            else:
                end = i
                while end < n and value[end] not in ";,":
                    end += 1
                text = value[i:end].strip()
                i = end
        # RFC 8288 3.3: only the first rel parameter counts
        if name:
            params.setdefault(name, text)
    return params, i
