"""Golden files for the real captured feeds in ../shared/corpora/real-feeds: each feed through
parse → clean, as a compact article record per item, compared with the reviewed JSON kept in
tests/data/golden/ (our output, checked by eye when first written; the feeds themselves
stay in ../shared).

A record keeps what a reader would notice (title, link, date, author, lead image with its
caption and credit and where it came from, attribution, dateline origin, categories,
enclosures) and a fingerprint of the body (its length and sha256), so a change in cleaning
shows up without the feed's text being copied here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden"
SUFFIXES = frozenset({".xml", ".rss", ".atom", ".rdf", ".json"})
MAX_ITEMS = 10  # the first items of a feed say what its cleaning does; 1,046 would be noise


def _is_expectation(path: Path) -> bool:
    name = path.name
    if name.endswith((".serde.json", ".expected.json")):
        return True
    # fastfeedparser's integration pairs: X.xml is the feed, X.json its expected output
    return path.suffix == ".json" and path.with_suffix(".xml").exists()


def feed_files(shared: Path) -> list[Path]:
    root = shared / "corpora" / "real-feeds"
    return [
        p
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in SUFFIXES and not _is_expectation(p)
    ]


def key(shared: Path, path: Path) -> str:
    return path.relative_to(shared / "corpora" / "real-feeds").as_posix()


def golden_path(shared: Path, path: Path) -> Path:
    return GOLDEN / (key(shared, path) + ".golden.json")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _record(article: Any) -> dict[str, Any]:
    image = article.image
    body = article.body_html or ""
    return {
        "title": article.title,
        "url": article.url,
        "guid": article.guid,
        "published": _iso(article.published),
        "author": article.author,
        "image": {
            "url": image.url,
            "caption": image.caption,
            "credit": image.credit,
            "origin": image.origin,
        }
        if image
        else None,
        "attribution": {"site": article.attribution.site, "url": article.attribution.url}
        if article.attribution
        else None,
        "origin": article.origin,
        "categories": list(article.categories),
        "enclosures": [[e.url, e.type] for e in article.enclosures],
        "summary_only": article.is_summary_only,
        "body_chars": len(body),
        "body_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()[:16],
    }


def records(path: Path) -> dict[str, Any]:
    """The feed as newsdesk imports it (no network: links resolve against a fixed base)."""
    from newsdesk.engine.clean import clean_item
    from newsdesk.engine.parse import parse_feed
    from newsdesk.errors import ParseError

    url = f"https://golden.newsdesk.test/{path.name}"
    content_type = "application/feed+json" if path.suffix == ".json" else ""
    try:
        feed = parse_feed(path.read_bytes(), url, content_type)
    except ParseError as e:
        return {"error": str(e).split(":", 1)[0] + ": " + type(e).__name__, "items": []}
    return {
        "title": feed.title,
        "link": feed.link,
        "item_count": len(feed.items),
        "items": [_record(clean_item(item, feed)) for item in feed.items[:MAX_ITEMS]],
    }


def expected(shared: Path, path: Path) -> dict[str, Any] | None:
    golden = golden_path(shared, path)
    if not golden.is_file():
        return None
    data: dict[str, Any] = json.loads(golden.read_text(encoding="utf-8"))
    return data


def write(shared: Path, path: Path, data: dict[str, Any]) -> None:
    golden = golden_path(shared, path)
    golden.parent.mkdir(parents=True, exist_ok=True)
    golden.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def alone_parsers() -> dict[str, Callable[[bytes], Any]]:
    """feedparser and fastfeedparser on their own, for the fidelity report's comparison."""
    import fastfeedparser
    import feedparser

    def strict_feedparser(raw: bytes) -> Any:
        result = feedparser.parse(raw)
        if result.get("bozo") and not result.get("entries"):
            raise ValueError("feedparser: nothing parsed")
        return result

    return {"feedparser": strict_feedparser, "fastfeedparser": fastfeedparser.parse}
