"""The nouns that flow between stages: one frozen dataclass per stage boundary.

    source --fetch--> Fetched --parse--> ParsedFeed(ParsedItem...) --clean--> CleanArticle
           --identity--> (key) --decide/store--> rows

Every stage takes one of these and returns the next; none of them knows about Django.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

_Class = TypeVar("_Class", bound=type)


def pickled_by_fields(cls: _Class) -> _Class:
    """Pickle a frozen slotted dataclass as a call of the class with its field values.

    The dataclass default for those (__getstate__ and __setstate__) walks
    dataclasses.fields() on every object, both ways. Helper processes send every built
    feed's items back to the writer (pipeline/prepare.py), and with this a dump and load
    of a built item takes about a third less time (a loop over eight farm feeds' items).
    """
    names = tuple(f.name for f in fields(cls))
    if len(names) < 2:  # attrgetter of one name gives no tuple; the default serves these
        return cls
    values: Callable[[Any], tuple[Any, ...]] = operator.attrgetter(*names)

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return (cls, values(self))

    setattr(cls, "__reduce__", __reduce__)  # noqa: B010 (mypy rejects assigning a method)
    return cls


class FullText(StrEnum):
    """When to fetch the article page for its full text."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class FetchRequest:
    """What the fetcher needs to ask for a feed politely (conditional GET)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Fetched:
    """A response the fetcher accepted.

    status is 200 (content holds the decoded body) or 304 (content is empty).
    `permanent_url` is set when every hop to the final URL was a permanent redirect
    (301/308): the stored feed URL should be updated to it. `hubs` and `self_url` are what
    the response's `Link:` headers name (rel="hub", rel="self"), for WebSub. `wire` is the
    body as it came, when it came compressed (Content-Encoding `wire_encoding`): what the
    fetch log keeps, about a tenth of `content` for a feed.
    """

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str]
    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None
    elapsed: float = 0.0
    hubs: tuple[str, ...] = ()
    self_url: str | None = None
    wire: bytes | None = None
    wire_encoding: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Enclosure:
    url: str
    type: str = ""
    length: int | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class MediaImage:
    """An image the feed names outside the body (media:content, media:thumbnail, enclosure)."""

    url: str
    origin: str  # "media:content", "media:thumbnail", "enclosure", "jsonfeed:image", ...
    caption: str | None = None
    credit: str | None = None
    width: int | None = None
    height: int | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ParsedItem:
    """One entry as the feed describes it, URLs already absolute, dates aware UTC."""

    guid: str | None
    link: str | None
    title: str | None
    author: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    summary_html: str | None = None
    content_html: str | None = None
    categories: tuple[str, ...] = ()
    enclosures: tuple[Enclosure, ...] = ()
    media: tuple[MediaImage, ...] = ()
    comments_url: str | None = None
    # the address the feed gives with the author (Atom <email>, RSS "mail (Name)"); the
    # byline is `author`, never this
    author_email: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole feed document.

    `format` names the wire format ("rss", "atom", "rdf", "json"); `parser` says which
    parser produced it ("fast" or "lenient"), for health and benchmarks.
    """

    format: str
    title: str | None
    link: str | None
    items: tuple[ParsedItem, ...]
    description: str | None = None
    self_url: str | None = None
    hubs: tuple[str, ...] = ()
    ttl_minutes: int | None = None
    language: str | None = None
    parser: str = "fast"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class LeadImage:
    url: str
    caption: str | None = None
    credit: str | None = None
    alt: str | None = None
    width: int | None = None
    height: int | None = None
    origin: str = "figure"  # where it was found: figure, img, media:content, enclosure, og:image


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Attribution:
    """Where the text first appeared ("The post X first appeared on SITE.")."""

    site: str
    url: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class CleanOptions:
    """Per-source knobs for the clean stage."""

    attribution_patterns: tuple[str, ...] = ()
    summary_length: int = 300
    # the operator's player URL prefixes allowed as embeds beside YouTube and Vimeo
    # (Settings.embeds: "host/path", no scheme, lower-case host)
    embeds: tuple[str, ...] = ()


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class CleanArticle:
    """An item ready to store: sanitized body, plain-text summary, lead image, credits."""

    guid: str | None
    url: str | None
    title: str
    author: str | None
    published: datetime | None
    updated: datetime | None
    summary: str
    body_html: str
    categories: tuple[str, ...] = ()
    image: LeadImage | None = None
    attribution: Attribution | None = None
    origin: str | None = None  # dateline credit at the start of the body: "i24 News", "Reuters"
    enclosures: tuple[Enclosure, ...] = ()
    is_summary_only: bool = False


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a web page advertises with <link rel="alternate">."""

    url: str
    title: str | None = None
    type: str | None = None


@dataclass(frozen=True, slots=True)
class OpmlOutline:
    """One subscription of an OPML file; `category` is the folder path joined by '/'."""

    xml_url: str
    title: str | None = None
    html_url: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateSummary:
    """What one `update` run did, for the summary line and --json."""

    fetched: int = 0
    not_modified: int = 0
    failed: int = 0
    new: int = 0
    updated: int = 0
    errors: tuple[str, ...] = field(default=())

    def line(self) -> str:
        return (
            f"{self.fetched} fetched, {self.not_modified} not modified, {self.failed} failed, "
            f"{self.new} new articles, {self.updated} updated articles"
        )


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """The article found in a web page by full-text extraction (HTML not yet sanitized)."""

    html: str
    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    image_url: str | None = None
    text_length: int = 0
