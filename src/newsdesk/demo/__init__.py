"""Bundled demo sources: three small feeds and their illustrations, written for newsdesk.

A machine with no network still shows a populated site: `newsdesk init --demo` subscribes to
`DEMO_SOURCES`, whose URLs live under the reserved origin `config.DEMO_ORIGIN` (".invalid" never
resolves), and the fetch stage answers those URLs from the files in this folder via
`read_demo()` instead of the network. Everything here is fictional demo content, not news.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from newsdesk.config import DEMO_ORIGIN

__all__ = ["DEMO_SOURCES", "DemoSource", "demo_root", "read_demo"]


@dataclass(frozen=True, slots=True)
class DemoSource:
    feed_url: str
    name: str
    category: str


DEMO_SOURCES: tuple[DemoSource, ...] = (
    DemoSource(f"{DEMO_ORIGIN}/feeds/world.xml", "Harbour Gazette (demo)", "World"),
    DemoSource(f"{DEMO_ORIGIN}/feeds/science.xml", "Tidewater Science Desk (demo)", "Science"),
    DemoSource(f"{DEMO_ORIGIN}/feeds/culture.json", "Lantern Street Culture (demo)", "Culture"),
)

# Only these folders are published: the package's Python files and README are not content.
_PUBLIC_DIRS = frozenset({"feeds", "images"})

_TYPES = {
    ".json": "application/feed+json",
    ".svg": "image/svg+xml",
}


def demo_root() -> Path:
    """The folder holding `feeds/` and `images/`."""
    return Path(__file__).resolve().parent


def _content_type(path: Path, data: bytes) -> str:
    if path.suffix == ".xml":
        # Both RSS and Atom files end in .xml; the root element tells them apart.
        head = data[:512]
        kind = "atom" if b"<feed" in head else "rss"
        return f"application/{kind}+xml; charset=utf-8"
    return _TYPES.get(path.suffix, "application/octet-stream")


def _local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    origin = urlsplit(DEMO_ORIGIN)
    if (parts.scheme.lower(), parts.netloc.lower()) != (origin.scheme, origin.netloc):
        return None
    # Decode first so that an encoded "%2e%2e" or "%2f" cannot slip past the segment checks.
    raw = unquote(parts.path)
    if "\\" in raw or "\x00" in raw:
        return None
    if not raw.startswith("/"):
        return None
    # Split by hand: PurePosixPath would quietly collapse "." and "//", hiding odd paths.
    segments = raw[1:].split("/")
    if len(segments) != 2 or segments[0] not in _PUBLIC_DIRS:
        return None
    if any(seg in {"", ".", ".."} or seg.startswith(".") for seg in segments):
        return None
    root = demo_root()
    path = (root / segments[0] / segments[1]).resolve()
    # Belt and braces: a symlink must not lead out of the package either.
    if not path.is_relative_to(root) or path.suffix not in {".xml", ".json", ".svg"}:
        return None
    return path if path.is_file() else None


def read_demo(url: str) -> tuple[bytes, str] | None:
    """Return (body, content type) for a demo URL backed by a bundled file, else None.

    None covers every URL that is not under DEMO_ORIGIN, tries to leave the folder, or names
    no file (article pages, for one, have no bundled HTML: the feeds carry the full text).
    """
    path = _local_path(url)
    if path is None:
        return None
    data = path.read_bytes()
    return data, _content_type(path, data)
