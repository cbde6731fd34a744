"""The SSRF guard: our own cases first, then the shared corpus of hostile URLs."""

from __future__ import annotations

import csv
import ipaddress
import os
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsdesk.engine.fetch.guard import check_url, ip_literal, refused_kind
from newsdesk.errors import BlockedAddressError, FetchError, InputError, NewsdeskError

PUBLIC = "93.184.216.34"

FAKE_DNS = {
    "example.com": [PUBLIC],
    "example.org": [PUBLIC],
    "public.example": [PUBLIC],
    "rebind.example": [PUBLIC],
    "xn--e1afmkfd.xn--p1ai": ["194.58.116.30"],
    "metadata.google.internal": ["169.254.169.254"],
    "mixed.example": [PUBLIC, "10.1.2.3"],
    "mapped.example": ["::ffff:192.168.0.1"],
}


def fake_resolve(host: str, port: int) -> Sequence[str]:
    if host in FAKE_DNS:
        return FAKE_DNS[host]
    raise OSError(f"fake DNS: no such host {host}")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]:8080/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://017700000001/",
        "http://10.0.0.1/",
        "http://192.168.1.1:80/",
        "http://100.64.0.1/",
        "http://[fd12::1]/",
        "http://[fe80::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:7f00:1::]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://localhost:8000/",
        "http://a.b.localhost/",
        "http://metadata.google.internal/",
        "http://mixed.example/",
        "http://mapped.example/",
    ],
)
def test_refuses_internal_addresses(url: str) -> None:
    with pytest.raises(BlockedAddressError, match=r"^fetch: refused "):
        check_url(url, allow_private=False, resolve=fake_resolve)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.com/x",
        "javascript:alert(1)",
        "http:///path",
        "http://./",
        "not a url",
        "http://user:pw@example.com/",
        "http://example.com@127.0.0.1/",
    ],
)
def test_rejects_malformed_or_non_http_input(url: str) -> None:
    with pytest.raises(InputError, match=r"^fetch: "):
        check_url(url, allow_private=False, resolve=fake_resolve)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/feed",
        "https://example.org:8443/x",
        "//example.com/resource",
        "http://8.8.8.8/",
        "http://172.32.0.1/",
        "http://134744072/",  # 8.8.8.8 as one decimal number: odd, but public
    ],
)
def test_allows_public_hosts(url: str) -> None:
    check_url(url, allow_private=False, resolve=fake_resolve)


def test_unresolvable_host_fails_closed() -> None:
    with pytest.raises(FetchError, match=r"cannot resolve host nowhere\.invalid"):
        check_url("http://nowhere.invalid/", allow_private=False, resolve=fake_resolve)


def test_resolver_answer_that_is_not_an_address_is_refused() -> None:
    with pytest.raises(BlockedAddressError):
        check_url("http://x.example/", allow_private=False, resolve=lambda h, p: ["x.y.z"])


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8900/feed", "http://10.0.0.1/", "http://[fd00::1]/", "http://100.64.1.1/"],
)
def test_allow_private_opens_loopback_and_private_ranges(url: str) -> None:
    check_url(url, allow_private=True, resolve=fake_resolve)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/",
        "http://[fe80::1]/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://0.0.0.0/",
        "http://0.1.2.3/",
        "http://224.0.0.1/",
        "http://metadata.google.internal/",
    ],
)
def test_allow_private_still_refuses_metadata_and_link_local(url: str) -> None:
    with pytest.raises(BlockedAddressError):
        check_url(url, allow_private=True, resolve=fake_resolve)


def test_resolver_gets_the_ascii_host_and_default_port() -> None:
    calls: list[tuple[str, int]] = []

    def recording(host: str, port: int) -> Sequence[str]:
        calls.append((host, port))
        return [PUBLIC]

    check_url("https://Пример.рф./news", allow_private=False, resolve=recording)
    assert calls == [("xn--e1afmkfd.xn--p1ai", 443)]


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1.258", "10.1.1.2"),
        ("0", "0.0.0.0"),
        ("[::ffff:7f00:1]", "::ffff:7f00:1"),
    ],
)
def test_ip_literal_reads_inet_aton_spellings(spelling: str, address: str) -> None:
    assert ip_literal(spelling) == ipaddress.ip_address(address)


@pytest.mark.parametrize("name", ["example.com", "1.2.3.4.5", "256.1", "1..2", "09", "0x1g"])
def test_ip_literal_leaves_names_alone(name: str) -> None:
    assert ip_literal(name) is None


def test_refused_kind_names_the_range() -> None:
    assert refused_kind(ipaddress.ip_address("::ffff:10.0.0.1")) == "private"
    assert refused_kind(ipaddress.ip_address("100.64.0.1")) == "shared (CGNAT)"
    assert refused_kind(ipaddress.ip_address(PUBLIC)) is None


# --- the shared corpus (../shared/corpora/ssrf-urls) ---------------------------------------
# Rows are read at collection time when ../shared is there, so each URL is its own test; the
# `shared_dir` fixture still skips them on a machine without it.

CORPUS = (
    Path(os.environ.get("NEWSDESK_SHARED", Path(__file__).resolve().parents[3].parent / "shared"))
    / "corpora"
    / "ssrf-urls"
    / "ssrf-urls.tsv"
)
# Verdicts that depend on a later step than the URL check; test_fetch_client.py runs them
# through the Fetcher (the redirect hop; the connect-time re-check against rebinding).
NEEDS_FETCHER = {"redirect", "dns-rebinding"}


def _corpus_rows() -> list[dict[str, str]]:
    if not CORPUS.is_file():
        return [{"url": "(corpus absent)", "newsdesk_verdict": "", "class": ""}]
    with CORPUS.open(newline="", encoding="utf-8") as fh:
        return [
            row for row in csv.DictReader(fh, delimiter="\t") if row["class"] not in NEEDS_FETCHER
        ]


@pytest.mark.parametrize("row", _corpus_rows(), ids=lambda row: row["url"])
def test_ssrf_corpus_row(shared_dir: Path, row: dict[str, str]) -> None:
    try:
        check_url(row["url"], allow_private=False, resolve=fake_resolve)
        verdict = "allow"
    except NewsdeskError:
        verdict = "reject"
    assert row["newsdesk_verdict"].startswith(verdict), row["note"]


# --- properties: every spelling of an internal IPv4 address is refused ------------------------


def _spell(value: int, parts: int, bases: Sequence[int]) -> str:
    """value written the inet_aton way: parts-1 single bytes, then the rest in one number."""
    numbers = [(value >> (8 * (3 - i))) & 0xFF for i in range(parts - 1)]
    numbers.append(value & ((1 << (8 * (5 - parts))) - 1))
    rendered = []
    for number, base in zip(numbers, bases, strict=False):
        if base == 16:
            rendered.append(hex(number))
        elif base == 8:
            rendered.append("0" + format(number, "o"))
        else:
            rendered.append(str(number))
    return ".".join(rendered)


BASES = st.lists(st.sampled_from([8, 10, 16]), min_size=4, max_size=4)
spellings = st.tuples(
    st.integers(min_value=0, max_value=2**32 - 1), st.integers(min_value=1, max_value=4), BASES
)


@given(spellings)
def test_any_inet_aton_spelling_reads_back(case: tuple[int, int, list[int]]) -> None:
    value, parts, bases = case
    assert ip_literal(_spell(value, parts, bases)) == ipaddress.IPv4Address(value)


internal = st.sampled_from(
    [
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "100.64.0.0/10",
        "0.0.0.0/8",
        "224.0.0.0/4",
    ]
).flatmap(
    lambda net: st.integers(
        min_value=int(ipaddress.IPv4Network(net).network_address),
        max_value=int(ipaddress.IPv4Network(net).broadcast_address),
    )
)


@given(internal, st.integers(min_value=1, max_value=4), BASES)
def test_every_spelling_of_an_internal_address_is_refused(
    value: int, parts: int, bases: list[int]
) -> None:
    url = f"http://{_spell(value, parts, bases)}:8080/feed"
    with pytest.raises((BlockedAddressError, InputError)):
        check_url(url, allow_private=False, resolve=fake_resolve)
    mapped = ipaddress.IPv6Address(f"::ffff:{ipaddress.IPv4Address(value)}")
    with pytest.raises(BlockedAddressError):
        check_url(f"http://[{mapped}]/", allow_private=False, resolve=fake_resolve)
