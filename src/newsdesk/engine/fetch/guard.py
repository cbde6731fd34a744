"""Refuse URLs that would make the server fetch from itself or its private network (SSRF).

A URL passes when its scheme is http(s), it carries no credentials, and every address its
host resolves to is public. The host is read with yarl, the URL parser of aiohttp, which
makes every network request, so that the guard sees exactly the host the connection goes to
(two parsers that disagree are the classic bypass; aiohttp dials an address literal without
asking the resolver, so for those this check is the one that counts). Hosts are normalised
with `ipaddress` after resolution, and IPv4 spellings that `inet_aton` accepts but
`ipaddress` does not (`2130706433`, `0177.0.0.1`, `127.1`) are read here too, because the
system resolver would turn them into loopback behind our back.

`allow_private=True` (NEWSDESK_ALLOW_PRIVATE_NETWORKS) opens loopback, RFC 1918, CGNAT and
unique-local ranges, for self-hosted sources; link-local (cloud metadata), multicast,
unspecified and reserved addresses stay refused either way.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Callable, Sequence
from urllib.parse import unquote

from newsdesk.errors import BlockedAddressError, FetchError, InputError

Resolver = Callable[[str, int], Sequence[str]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")  # "this host on this network": never a site
# Metadata services that do not live in link-local space (AWS IPv6, Alibaba).
_METADATA = {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}
_ALWAYS_REFUSED = {"unspecified", "link-local", "multicast", "reserved", "cloud metadata"}


def system_resolve(host: str, port: int) -> list[str]:
    """Every address getaddrinfo gives for host (blocking; call it off the event loop)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(sockaddr[0]) for *_, sockaddr in answers]


def check_url(url: str, *, allow_private: bool, resolve: Resolver | None = None) -> None:
    """Raise unless url is an http(s) URL whose host resolves only to allowed addresses.

    InputError: malformed, not http(s), or carries credentials. BlockedAddressError: the host
    is or resolves to a refused address. FetchError: the host does not resolve (fail closed).
    """
    host, port = check_url_form(url, allow_private=allow_private)
    checked_addresses(host, port, allow_private=allow_private, resolve=resolve, url=url)


@functools.lru_cache(maxsize=8192)
def check_url_form(url: str, *, allow_private: bool) -> tuple[str, int]:
    """The checks that need no DNS; returns (ASCII host, port) for the connect-time check.

    Pure, so remembered: a worker asks the same feed URLs every cycle (a refused URL raises
    every time; only answers are kept)."""
    from yarl import URL

    if url.startswith("//"):
        url = "https:" + url
    try:
        parsed = URL(url)
        port = parsed.port
    except (ValueError, TypeError, UnicodeError) as e:
        raise InputError(f"fetch: not an http(s) URL: {url!r} ({e})") from e
    if parsed.scheme not in ("http", "https"):
        raise InputError(f"fetch: not an http(s) URL: {url!r}")
    if parsed.user is not None or parsed.password is not None:
        raise InputError(f"fetch: credentials in a URL are not accepted: {url!r}")
    host = (parsed.raw_host or "").rstrip(".").lower()
    if not host or host.startswith(".") or not host.isascii():
        raise InputError(f"fetch: not an http(s) URL (no host): {url!r}")
    port = port or (443 if parsed.scheme == "https" else 80)
    refused = _host_refused(host, allow_private)
    if refused is not None:
        raise BlockedAddressError(f"fetch: refused {refused} {url}", url)
    return host, port


@functools.lru_cache(maxsize=4096)
def _host_refused(host: str, allow_private: bool) -> str | None:
    """Why a URL's host is refused before any lookup (an address literal that is not
    allowed, or a loopback name), or None; per host, as a run asks many URLs of one."""
    literal = ip_literal(host)
    if literal is not None:
        kind = refused_kind(literal)
        if kind is None or (allow_private and kind not in _ALWAYS_REFUSED):
            return None
        return f"{kind} address {literal} for"
    if not allow_private and (host == "localhost" or host.endswith(".localhost")):
        # RFC 6761: these names are loopback whatever DNS says.
        return f"loopback host {host} in"
    return None


def checked_addresses(
    host: str,
    port: int,
    *,
    allow_private: bool,
    resolve: Resolver | None = None,
    url: str | None = None,
) -> list[str]:
    """Resolve host and return its addresses, raising unless every one of them is allowed."""
    literal = ip_literal(host)
    if literal is not None:
        check_address(literal, allow_private=allow_private, url=url)
        return [str(literal)]
    try:
        answers = list((resolve or system_resolve)(host, port))
    except (OSError, UnicodeError) as e:
        raise FetchError(f"fetch: cannot resolve host {host}: {e}", url) from e
    if not answers:
        raise FetchError(f"fetch: cannot resolve host {host}: no addresses", url)
    addresses = []
    for answer in answers:
        address = ip_literal(answer)
        if address is None:
            raise BlockedAddressError(f"fetch: resolver gave a non-address {answer!r}", url)
        check_address(address, allow_private=allow_private, url=url, host=host)
        addresses.append(str(address))
    return addresses


def check_address(
    address: IPAddress, *, allow_private: bool, url: str | None = None, host: str | None = None
) -> None:
    kind = refused_kind(address)
    if kind is None or (allow_private and kind not in _ALWAYS_REFUSED):
        return
    where = f" for {url or host}" if url or host else ""
    raise BlockedAddressError(f"fetch: refused {kind} address {address}{where}", url)


def refused_kind(address: IPAddress) -> str | None:
    """Why this address is not public (None when it is), after unwrapping IPv6 forms of IPv4."""
    address = _unwrap(address)
    if address in _METADATA:
        return "cloud metadata"
    checks = (
        ("unspecified", address.is_unspecified or address in _THIS_NETWORK),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("shared (CGNAT)", address in _CGNAT),
        ("private", address.is_private),
        ("non-global", not address.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def ip_literal(host: str) -> IPAddress | None:
    """host as an address, accepting the inet_aton spellings of IPv4; None for a name."""
    host = unquote(host).strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if "%" in host:  # an IPv6 zone the stdlib may not take in every form
        try:
            return ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return None
    return _inet_aton(host)


def _unwrap(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return address


def _inet_aton(host: str) -> ipaddress.IPv4Address | None:
    """Read 1-4 dot parts in decimal, 0x hex or 0-octal, the last part filling the rest."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = []
    for part in parts:
        try:
            if part.lower().startswith("0x"):
                numbers.append(int(part[2:] or "0", 16))
            elif len(part) > 1 and part.startswith("0"):
                numbers.append(int(part, 8))
            elif part.isdigit():
                numbers.append(int(part))
            else:
                return None
        except ValueError:
            return None
    *leading, last = numbers
    if any(n > 255 for n in leading) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for index, number in enumerate(leading):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)
