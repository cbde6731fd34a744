"""Make every URL in a body absolute and refuse the schemes that run code.

Relative URLs are resolved against the item link (the page the HTML came from), so a body that
is shown on our site still points at the publisher. Lazy-loading attributes are promoted to the
real ones first, because the placeholders they replace are usually data: pixels.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

if TYPE_CHECKING:
    from lxml.html import HtmlElement

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = ("href", "src", "poster", "cite")
LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-orig-file", "data-hi-res-src")
LAZY_SRCSET = ("data-srcset", "data-lazy-srcset")

# Browsers ignore these inside a scheme ("jav&#x09;ascript:"), so a check must ignore them too.
_URL_CHARS = "!#$%&'()*+,-./:;=?@[]_~"
_NOT_URL_CHAR = re.compile(r"[^A-Za-z0-9!#$%&'()*+,\-./:;=?@\[\]_~]")
_IGNORED_IN_SCHEME = str.maketrans("", "", "\t\n\r\x00 ")


def absolute_url(url: str | None, base: str | None) -> str | None:
    """`url` resolved against `base`, or None when empty or not http(s)/mailto."""
    if not url:
        return None
    url = url.strip()
    if not url:
        return None
    if url.startswith(("https://", "http://")) and "\\" not in url:
        return url  # already absolute: the common case, and urljoin would not change it
    head = url[:40].translate(_IGNORED_IN_SCHEME)
    if ":" in head.split("/", 1)[0]:
        scheme = head.split(":", 1)[0].lower()
        if scheme not in SAFE_SCHEMES:
            return None
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in SAFE_SCHEMES else None


def web_url(url: str | None, base: str | None = None) -> str | None:
    """An absolute http(s) URL (article links, image URLs), or None."""
    resolved = absolute_url(url, base)
    if resolved is None or not resolved.lower().startswith(("http://", "https://")):
        return None
    if _NOT_URL_CHAR.search(resolved):
        # Spaces, quotes, "<" and non-ASCII are percent-encoded, so the URL is one opaque token
        # wherever it ends up (an attribute, a feed we publish, JSON).
        resolved = quote(resolved, safe=_URL_CHARS)
    return resolved


def srcset_candidates(value: str) -> list[tuple[str, str]]:
    """(url, descriptor) pairs of a srcset; a URL may itself contain commas, as browsers allow."""
    out: list[tuple[str, str]] = []
    pos, end = 0, len(value)
    while pos < end:
        while pos < end and (value[pos].isspace() or value[pos] == ","):
            pos += 1
        start = pos
        while pos < end and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if not url:
            break
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            comma = value.find(",", pos)
            comma = end if comma < 0 else comma
            descriptor = value[pos:comma].strip()
            pos = comma + 1
        out.append((url, descriptor))
    return out


def srcset_weight(descriptor: str) -> float:
    """Widths rank by pixels; densities rank below any declared width (2x still beats 1x)."""
    word = descriptor.split()[0] if descriptor.split() else ""
    try:
        if word.endswith("w"):
            return float(word[:-1])
        if word.endswith("x"):
            return float(word[:-1]) / 1000
    except ValueError:
        return 0.0
    return 0.0


def resolve_srcset(value: str, base: str | None) -> str | None:
    parts = []
    for url, descriptor in srcset_candidates(value):
        resolved = web_url(url, base)
        if resolved is not None:
            parts.append(f"{resolved} {descriptor}".strip())
    return ", ".join(parts) or None


def promote_lazy_attributes(root: HtmlElement) -> None:
    for el in root.iter("img", "source", "iframe", "video"):
        for attr in LAZY_SRC:
            value = el.get(attr)
            if value and not value.startswith("data:"):
                el.set("src", value)
                break
        for attr in LAZY_SRCSET:
            value = el.get(attr)
            if value:
                el.set("srcset", value)
                break


def resolve_urls(root: HtmlElement, base: str | None) -> None:
    """Absolutise href/src/srcset/poster/cite in place; drop the ones with a refused scheme."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in URL_ATTRIBUTES:
            value = el.get(attr)
            if value is None:
                continue
            resolved = absolute_url(value, base)
            if resolved is None:
                del el.attrib[attr]
            elif resolved != value:
                el.set(attr, resolved)
        srcset = el.get("srcset")
        if srcset is not None:
            resolved_set = resolve_srcset(srcset, base)
            if resolved_set is None:
                del el.attrib["srcset"]
            else:
                el.set("srcset", resolved_set)
