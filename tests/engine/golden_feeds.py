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
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

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


# Lead images against independent labels ----------------------------------------------------
# tests/data/golden/lead-images.tsv was written by reading the raw feeds (its header says how);
# these helpers score any chooser of lead images against it: ours (parse -> clean) and a naive
# baseline over feedparser's or fastfeedparser's output.

LEAD_IMAGE_LABELS = GOLDEN / "lead-images.tsv"


@dataclass(frozen=True)
class LeadImageLabel:
    feed: str  # path under corpora/real-feeds
    item: str  # guid, or link when the item has none
    url: str | None  # None: the item has no lead image
    caption_starts: str
    credit: str
    same_picture: tuple[str, ...]
    ambiguous: bool
    why: str


@dataclass(frozen=True)
class ChosenImage:
    url: str
    caption: str | None = None
    credit: str | None = None


# what a chooser says for one feed: item guid or link -> its lead image (None: no image)
Chooser = Callable[[Path], dict[str, ChosenImage | None]]


def lead_image_labels() -> list[LeadImageLabel]:
    labels = []
    lines = LEAD_IMAGE_LABELS.read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    header, body = rows[0], rows[1:]
    assert header[:3] == ["feed", "item", "lead_image"], header
    for feed, item, url, caption, credit, same, status, why in body:
        assert status in ("ok", "ambiguous"), (feed, item, status)
        labels.append(
            LeadImageLabel(
                feed=feed,
                item=item,
                url=None if url == "-" else url,
                caption_starts=caption,
                credit=credit,
                same_picture=tuple(same.split()),
                ambiguous=status == "ambiguous",
                why=why,
            )
        )
    return labels


_RENDITION = re.compile(r"-\d{2,5}x\d{2,5}(?=\.(?:jpe?g|png|gif|webp|avif)$)", re.IGNORECASE)
_GHOST_SIZE = re.compile(r"/size/w\d+/")
_JETPACK_KEYS = frozenset({"w", "h", "resize", "fit", "ssl", "quality", "strip", "zoom"})


def same_image_url(url: str) -> str:
    """A comparison key: two URLs with one key are the same image (lead-images.tsv header)."""
    parts = urlsplit(url.strip())
    host = parts.netloc.lower()
    path = _GHOST_SIZE.sub("/", _RENDITION.sub("", parts.path))
    query = parts.query
    if re.fullmatch(r"i[0-3]\.wp\.com|(.+\.)?wordpress\.com", host):
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, v) for k, v in pairs if k not in _JETPACK_KEYS])
    return urlunsplit(("", host, path, query, ""))


def _words(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


@dataclass
class LeadImageScore:
    scored: int = 0  # labelled rows not marked ambiguous
    right: int = 0  # the same picture (or, for "-", no image)
    exact: int = 0  # the very URL of the label
    captions: int = 0  # rows with a caption to check
    captions_right: int = 0
    credits: int = 0
    credits_right: int = 0
    ambiguous: int = 0
    feeds: set[str] = field(default_factory=set)
    wrong: list[str] = field(default_factory=list)  # one line per mismatch
    caption_wrong: list[str] = field(default_factory=list)

    def line(self, name: str = "lead images") -> str:
        return f"{name}: {self.right}/{self.scored} correct against independent labels"


def score_lead_images(shared: Path, choose: Chooser) -> LeadImageScore:
    root = shared / "corpora" / "real-feeds"
    score = LeadImageScore()
    chosen: dict[str, dict[str, ChosenImage | None]] = {}
    for label in lead_image_labels():
        if label.ambiguous:
            score.ambiguous += 1
            continue
        if label.feed not in chosen:
            try:
                chosen[label.feed] = choose(root / label.feed)
            except Exception:
                chosen[label.feed] = {}
        score.scored += 1
        score.feeds.add(label.feed)
        where = f"{label.feed} {label.item}"
        items = chosen[label.feed]
        if label.item not in items:
            score.wrong.append(f"{where}: item not found (want {label.url or '-'})")
            continue
        got = items[label.item]
        if label.url is None:
            if got is None:
                score.right += 1
                score.exact += 1
            else:
                score.wrong.append(f"{where}: chose {got.url}, want none ({label.why})")
            continue
        wanted = {same_image_url(u) for u in (label.url, *label.same_picture)}
        if got is None or same_image_url(got.url) not in wanted:
            score.wrong.append(f"{where}: chose {got.url if got else 'none'}, want {label.url}")
            continue
        score.right += 1
        score.exact += got.url == label.url
        if label.caption_starts:
            score.captions += 1
            if _words(got.caption).startswith(_words(label.caption_starts)):
                score.captions_right += 1
            else:
                score.caption_wrong.append(
                    f"{where}: caption {got.caption!r}, want one starting {label.caption_starts!r}"
                )
        if label.credit:
            score.credits += 1
            if _words(got.credit) == _words(label.credit):
                score.credits_right += 1
            else:
                score.caption_wrong.append(f"{where}: credit {got.credit!r}, want {label.credit!r}")
    return score


def our_lead_images(path: Path) -> dict[str, ChosenImage | None]:
    """newsdesk's parse -> clean, as the golden records give it."""
    out: dict[str, ChosenImage | None] = {}
    for record in records(path)["items"]:
        image = record["image"]
        got = ChosenImage(image["url"], image["caption"], image["credit"]) if image else None
        for ident in (record["url"], record["guid"]):
            if ident:
                out.setdefault(ident, got)
    return out


_IMG_SRC = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)


def _naive_image(entry: Any) -> str | None:
    """First image media:content, media:thumbnail, image enclosure, `image`, first <img>."""
    for media in entry.get("media_content") or []:
        if media.get("url") and (
            media.get("medium") == "image" or str(media.get("type", "")).startswith("image/")
        ):
            return str(media["url"])
    for thumb in entry.get("media_thumbnail") or []:
        if thumb.get("url"):
            return str(thumb["url"])
    for enclosure in entry.get("enclosures") or []:
        href = enclosure.get("href") or enclosure.get("url")
        if href and str(enclosure.get("type", "")).startswith("image/"):
            return str(href)
    image = entry.get("image")
    if isinstance(image, str) and image:
        return image
    if isinstance(image, dict) and image.get("href"):
        return str(image["href"])
    htmls = [c.get("value") or "" for c in entry.get("content") or []]
    htmls += [entry.get("summary") or "", entry.get("description") or ""]
    for text in htmls:
        found = _IMG_SRC.search(str(text))
        if found:
            return html.unescape(found.group(1))
    return None


def alone_lead_images(parse: Callable[[bytes], Any]) -> Chooser:
    """A naive baseline over a parser used alone (not a lead-image algorithm of theirs)."""

    def choose(path: Path) -> dict[str, ChosenImage | None]:
        out: dict[str, ChosenImage | None] = {}
        feed_url = f"https://golden.newsdesk.test/{path.name}"
        for entry in parse(path.read_bytes()).get("entries") or []:
            link = entry.get("link") or ""
            url = _naive_image(entry)
            got = ChosenImage(urljoin(urljoin(feed_url, link), url)) if url else None
            for ident in (link, entry.get("id")):
                if ident:
                    out.setdefault(str(ident), got)
        return out

    return choose
