"""A small lxml read of what fastfeedparser leaves out or gets wrong.

fastfeedparser takes the hub for the feed's link, drops <ttl>, <language> and hubs, ignores
xml:base below the root, keeps no Atom enclosure length, drops media:thumbnail next to
media:content and wraps XHTML content in its <content> element. The feed header is tiny,
so it is always read here; the entries are read a second time only when the bytes show one
of those constructs (see `needs_entry_read`). A few facts per entry that fastfeedparser
drops (an Atom author's email, which of two dates came last, dc:date) come from a scan of
the bytes instead (see `scan_entries`), much cheaper than a second read.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from newsdesk.engine.parse.adapt import (
    absolute_url,
    enclosure,
    plain_text,
    to_int,
    unique_terms,
)
from newsdesk.types import Enclosure, MediaImage

ATOM = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
MEDIA = "http://search.yahoo.com/mrss/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XHTML = "http://www.w3.org/1999/xhtml"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
# Elements from other namespaces (itunes:summary, media:title) never stand in for the core ones.
CORE_NS = frozenset(
    {
        "",
        ATOM,
        ATOM03,
        "http://purl.org/rss/1.0/",
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://purl.org/dc/elements/1.1/",
        "http://backend.userland.com/rss2",
        "http://backend.userland.com/rss",
        "http://blogs.law.harvard.edu/tech/rss",
    }
)
_LINK_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?link\s[^>]*>")
_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(["'])(.*?)\2""", re.S)
_USERLAND = "http://backend.userland.com/rss"
_FIRST_ENTRY = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# Constructs fastfeedparser reads wrong, seen in the bytes without parsing: base64 content,
# prefixed <x:description> (it replaces the item's), item itunes:category, non-standard
# <fullitem>, markup written straight into a description or summary without escaping, the
# non-standard <tags>, and (below) a media:title of the item's own.
# Every alternative starts at '<': an unanchored alternation is tried at every byte, three
# times slower on a large feed. Naked markup counts in an (Atom) <content> too, and an
# element ending in "/>" holds nothing. Base64 is looked for only where the word occurs:
# its lazy scan of every tag's attributes was half the alternation's time (0.6 of 1.1 ms
# on a 250 KB feed).
_BASE64_MODE = re.compile(rb"<[\w.:-]+\s[^>]*?mode=[\"']base64")
_SECOND_READ = re.compile(
    rb"<(?:(?:[\w.-]+:)?(?:content|summary)\s[^>]*?type=[\"'](?:application|image|audio|video)/"
    rb"|[\w.-]+:description[\s>]|itunes:category|fullitem|tags>"
    rb"|(?:(?:[\w.-]+:)?(?:description|summary)|content)(?:\s[^>]*)?(?<!/)>\s*[^<\s]*\s*<[A-Za-z])"
)
# fastfeedparser takes a media:title that is the item's own child for the item's title (when
# it comes first or the item has none); inside a media:content or media:group it describes
# that media, and fastfeedparser leaves the title alone. Feeds that caption every photo this
# way (WordPress, Dawn) are common: read a second time for that alone, an RSS item cost twice.
_MEDIA_SCAN = re.compile(rb"<!\[CDATA\[|<!--|<(/?)media:(content|group|title)[\s/>]")
_HIDDEN_END = {b"<![CDATA[": b"]]>", b"<!--": b"-->"}  # character data, comments
# An Atom <link> that holds its URL as text instead of in href.
_LINK_TEXT = re.compile(rb"<(?:[\w.-]+:)?link(?:\s[^>]*)?(?<!/)>\s*[^<\s]")
_BASE64_TEXT = frozenset({"text", "html", "xhtml", "text/plain", "text/html"})
_XHTML_TYPES = ("xhtml", "application/xhtml+xml")
_ATOM_TAGS = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(entry|source|author|email|published|issued|updated|modified)[\s>]"
)
_NAME = re.compile(rb"[A-Za-z_][\w.-]*")  # a prefix: "<dc" of <dc:date>, never "</dc"
_AFTER_NAME = frozenset({b" ", b"\t", b"\r", b"\n", b">", b"/"})


@dataclass(frozen=True, slots=True)
class Header:
    title: str | None = None
    link: str | None = None
    description: str | None = None
    self_url: str | None = None
    hubs: tuple[str, ...] = ()
    ttl_minutes: int | None = None
    language: str | None = None
    base: str | None = None
    has_base_below_root: bool = False


@dataclass(frozen=True, slots=True)
class EntryExtras:
    base: str | None
    link: str | None
    title: str | None
    content_html: str | None
    summary_html: str | None
    enclosures: tuple[Enclosure, ...]
    thumbnails: tuple[MediaImage, ...]
    categories: tuple[str, ...] = ()
    dc_date: str | None = None


@dataclass(frozen=True, slots=True)
class EntryScan:
    """What the bytes of one entry say about its dates and its author's address.

    A date is kept only where fastfeedparser can get it wrong: the last of two or more
    publication (published, issued) or update (updated, modified) dates, since it keeps
    the first and feedparser, like a reader of the XML top to bottom, the last; and an
    RSS item's dc:date, which it files as the publication date only.
    """

    published: str | None = None
    publications: int = 0
    updated: str | None = None
    updates: int = 0
    dc_date: str | None = None
    author_email: str | None = None


def _parser(recover: bool) -> Any:
    from lxml import etree

    # No DTD, no entities, no network: the document already lost its DOCTYPE in detect.py,
    # these flags make sure nothing here could bring one back.
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )


def local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: object) -> str:
    if not isinstance(tag, str) or not tag.startswith("{"):
        return ""
    return tag[1 : tag.index("}")]


def children(element: Any) -> Iterator[tuple[str, str, Any]]:
    """(namespace, lower-case local name, element): feeds are matched as feedparser and
    iTunes match them, <TiTlE> being <title>."""
    for child in element:
        if isinstance(child.tag, str):
            yield namespace(child.tag), local(child.tag).lower(), child


def element_text(element: Any) -> str | None:
    """Text of an element; XHTML (Atom type="xhtml") and stray child markup serialised."""
    if element.get("type") in ("xhtml", "application/xhtml+xml") or len(element):
        return inner_html(element)
    text: str | None = element.text
    return text


def inner_html(element: Any, unwrap: bool = True) -> str:
    """Children of an XHTML construct (inside its wrapping <div> when `unwrap`) as plain
    HTML markup."""
    import copy

    from lxml import etree

    kids = [c for c in element if isinstance(c.tag, str)]
    source = element
    if (
        unwrap
        and len(kids) == 1
        and local(kids[0].tag) == "div"
        and not (element.text or "").strip()
    ):
        source = kids[0]
    # A detached copy, so the feed's own namespace declarations do not ride along.
    holder = etree.Element("div")
    holder.text = source.text
    for child in source:
        holder.append(copy.deepcopy(child))
    for node in holder.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            node.tag = local(node.tag)
    etree.cleanup_namespaces(holder)
    parts = [html.escape(holder.text or "", quote=False)]
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in holder)
    return "".join(parts)


def markup_html(element: Any, ns: str) -> str:
    """HTML of a construct whose markup arrived as XML elements rather than escaped text."""
    if element.get("type") in _XHTML_TYPES:
        # Atom 1.0 wraps XHTML in a <div> that is not content (RFC 4287, 3.1.1.3); Atom 0.3
        # has no such rule, so there the <div> is the publisher's own.
        return inner_html(element, unwrap=ns != ATOM03)
    kids = [c for c in element if isinstance(c.tag, str)]
    if (
        len(kids) == 1
        and local(kids[0].tag) == "div"
        and not len(kids[0])
        and not (element.text or "").strip()
        and not (kids[0].tail or "").strip()
    ):
        # TypePad wraps escaped HTML in a bare XHTML <div>: the div's text is the HTML.
        return kids[0].text or ""
    return inner_html(element)


def read_header(data: bytes, url: str) -> Header:
    from lxml import etree

    cut = _FIRST_ENTRY.search(data)
    head = data[: cut.start()] if cut else data
    try:
        root = etree.fromstring(head, _parser(recover=True), base_url=url or None)
    except (etree.XMLSyntaxError, ValueError):
        return Header(base=url or None)
    if root is None:
        return Header(base=url or None)
    channel = root
    for _ns, name, child in children(root):
        if name == "channel":
            channel = child
            break
    return header_of(channel, url, has_base_below_root=data.count(b"xml:base") > 1)


def header_of(channel: Any, url: str, has_base_below_root: bool = False) -> Header:
    base = channel.base or url or None
    fields: dict[str, Any] = {}
    hubs: list[str] = []
    self_url: str | None = None
    link: str | None = None
    for ns, name, child in children(channel):
        if name == "link":
            href = child.get("href")
            if href is None and ns not in (ATOM, ATOM03):
                link = link or absolute_url(child.text, base)
                continue
            if href is None:
                href = child.text  # an Atom link written the RSS way; invalid, but meant
            rel = (child.get("rel") or "alternate").lower()
            target = absolute_url(href, child.base or base)
            if target is None:
                continue
            if rel == "hub":
                hubs.append(target)
            elif rel == "self":
                self_url = self_url or target
            elif rel == "alternate" and ns in (ATOM, ATOM03):
                link = link or target
        elif name not in fields and (ns in CORE_NS or ns.startswith(_USERLAND)):
            fields[name] = child
    title = fields.get("title")
    description = fields.get("description", fields.get("subtitle", fields.get("tagline")))
    if description is None:
        # a podcast that describes itself only for Apple's directory
        description = _itunes(channel, "summary")
        if description is None:
            description = _itunes(channel, "subtitle")
    ttl = fields.get("ttl")
    language = fields.get("language")
    lang = (language.text if language is not None else None) or channel.get(_XML_LANG)
    if lang is None and channel.getparent() is not None:
        lang = channel.getparent().get(_XML_LANG)
    return Header(
        title=plain_text(element_text(title)) if title is not None else None,
        link=link,
        # an empty <description/> says "no description", which is "", not absent
        description=(plain_text(element_text(description)) or "")
        if description is not None
        else None,
        self_url=self_url,
        hubs=unique_terms(hubs),
        ttl_minutes=to_int(ttl.text) if ttl is not None else None,
        language=(lang or "").strip() or None,
        base=base,
        has_base_below_root=has_base_below_root,
    )


def _itunes(channel: Any, name: str) -> Any:
    for ns, local_name, child in children(channel):
        if local_name == name and ns.lower() == ITUNES and (child.text or "").strip():
            return child
    return None


def needs_entry_read(data: bytes, header: Header, fmt: str) -> bool:
    """Whether the bytes hold something only a second, full read gets right."""
    if header.has_base_below_root or b"xhtml" in data or b"thumbnail" in data:
        return True
    if _SECOND_READ.search(data) or (b"base64" in data and _BASE64_MODE.search(data)):
        return True
    if b"media:title" in data and _loose_media_title(data):
        return True
    if fmt == "atom":
        return b"link>" in data and _LINK_TEXT.search(data) is not None
    # fastfeedparser reads no content:encoded in RSS 1.0, and takes an RSS <summary> for
    # the description, even next to one
    return (fmt == "rdf" and b"encoded" in data) or b"<summary" in data


def _loose_media_title(data: bytes) -> bool:
    """Whether some media:title stands outside every media:content and media:group (tags
    in character data and comments skipped; True where one is never closed)."""
    depth, at = 0, 0
    while (tag := _MEDIA_SCAN.search(data, at)) is not None:
        name = tag.group(2)
        if name is None:  # a CDATA section or a comment: jump past it
            close = _HIDDEN_END[tag.group(0)]
            end = data.find(close, tag.end())
            if end < 0:
                return True
            at = end + len(close)
            continue
        at = tag.end()
        if tag.group(1):
            if name != b"title":
                depth = max(depth - 1, 0)
        elif name == b"title":
            if depth == 0:
                return True
        elif not _self_closed(data, tag.end() - 1):
            depth += 1
    return False


def _self_closed(data: bytes, at: int) -> bool:
    """Whether the tag whose name ends before `at` ends in "/>"."""
    end = data.find(b">", at)
    return end < 0 or data[end - 1 : end] == b"/"


def enclosure_lengths(data: bytes) -> dict[str, int]:
    """href -> length of Atom enclosure links, which fastfeedparser reports without length.

    A scan of the link tags' bytes; cheaper by far than reading the entries a second time.
    """
    if b"enclosure" not in data:
        return {}
    found: dict[str, int] = {}
    for tag in _LINK_TAG.findall(data):
        attrs = {k.lower(): v for k, _q, v in _ATTR.findall(tag)}
        if attrs.get(b"rel") != b"enclosure" or b"href" not in attrs:
            continue
        length = to_int(attrs.get(b"length", b"").decode("ascii", "replace"))
        if length is not None:
            href = html.unescape(attrs[b"href"].decode("utf-8", "replace"))
            found[href] = length
    return found


def scan_entries(data: bytes, fmt: str, count: int) -> list[EntryScan] | None:
    """Per entry, in document order, what `EntryScan` keeps; None when the bytes show
    there is nothing to find. Dates and addresses never hold markup, so the tags' bytes
    are enough, at a fraction of the cost of a second read."""
    if fmt == "atom":
        return _atom_scan(data) if _atom_worth_scanning(data, count) else None
    return _dc_dates(data) if b":date>" in data else None


def _atom_worth_scanning(data: bytes, count: int) -> bool:
    """Whether an Atom document has an author's address, or more dates of one kind than
    entries: counted, at a quarter of the cost of the scan. A closing tag counts too, so
    every element counts twice."""
    if b"email>" in data:
        return True
    first = _FIRST_ENTRY.search(data)
    if first is None:
        return False
    start = first.start()
    kinds: tuple[tuple[bytes, ...], ...] = ((b"updated>",), (b"published>",))
    if ATOM03.encode() in data[:start]:
        kinds = ((b"updated>", b"modified>"), (b"published>", b"issued>"))
    return any(sum(data.count(tag, start) for tag in kind) > 2 * count for kind in kinds)


def _atom_scan(data: bytes) -> list[EntryScan]:
    """What an Atom <source> says about the feed an entry came from is skipped, as
    fastfeedparser skips it."""
    found: list[EntryScan] = []
    fields: dict[str, Any] | None = None
    in_source = in_author = False
    authors = 0
    for match in _ATOM_TAGS.finditer(data):
        closing, name = match.group(1), match.group(2)
        if name == b"entry":
            if closing and fields is not None:
                found.append(EntryScan(**fields))
                fields = None
            elif not closing:
                fields = {}
                in_source = in_author = False
                authors = 0
            continue
        if fields is None:
            continue
        if name == b"source":
            in_source = not closing
        elif closing:
            in_author = in_author and name != b"author"
        elif in_source:
            continue
        elif name == b"author":
            authors += 1
            in_author = True
        elif name == b"email":
            if in_author and authors == 1 and "author_email" not in fields:
                fields["author_email"] = _tag_text(data, match)
        elif name in (b"published", b"issued"):
            fields["publications"] = fields.get("publications", 0) + 1
            fields["published"] = _tag_text(data, match)
        else:
            fields["updates"] = fields.get("updates", 0) + 1
            fields["updated"] = _tag_text(data, match)
    return found


def _dc_dates(data: bytes) -> list[EntryScan]:
    """Each RSS item's last dc:date. Found with literal searches, not a tag scan: an RSS
    body in CDATA is full of '<', and a regex stops at every one."""
    starts = [i for i in _finds(data, b"<item") if data[i + 5 : i + 6] in _AFTER_NAME]
    ends = list(_finds(data, b"</item>"))
    if len(starts) != len(ends):
        return []  # the length check in fast.py then drops the scan
    dates: list[tuple[int, str | None]] = []
    for i in _finds(data, b":date>"):
        lt = data.rfind(b"<", max(0, i - 64), i)
        if lt >= 0 and _NAME.fullmatch(data, lt + 1, i):
            dates.append((i, _text_from(data, i + 5)))
    found: list[EntryScan] = []
    at = 0
    for start, end in zip(starts, ends, strict=True):
        dc_date: str | None = None
        while at < len(dates) and dates[at][0] < end:
            if dates[at][0] > start:
                dc_date = dates[at][1]
            at += 1
        found.append(EntryScan(dc_date=dc_date))
    return found


def _finds(data: bytes, needle: bytes) -> Iterator[int]:
    at = data.find(needle)
    while at >= 0:
        yield at
        at = data.find(needle, at + len(needle))


def _tag_text(data: bytes, match: re.Match[bytes]) -> str | None:
    """The text right after an opening tag, up to the next tag (None for <x/>)."""
    start = match.end() - 1
    if data[start : start + 1] != b">":
        start = data.find(b">", start)
        if start < 0 or data[start - 1 : start] == b"/":
            return None
    return _text_from(data, start)


def _text_from(data: bytes, gt: int) -> str | None:
    """The text after the '>' at `gt`, up to the next tag."""
    end = data.find(b"<", gt + 1)
    raw = data[gt + 1 : end if end >= 0 else len(data)]
    text = html.unescape(raw.decode("utf-8", "replace")).strip()
    return text or None


def read_entries(data: bytes, url: str) -> list[EntryExtras] | None:
    from lxml import etree

    try:
        root = etree.fromstring(data, _parser(recover=False), base_url=url or None)
    except (etree.XMLSyntaxError, ValueError):
        return None
    entries = [
        e for e in root.iter() if isinstance(e.tag, str) and local(e.tag) in ("item", "entry")
    ]
    return [_extras(entry, url) for entry in entries]


def _extras(entry: Any, url: str) -> EntryExtras:
    base = entry.base or url or None
    link: str | None = None
    title: str | None = None
    content: str | None = None
    summary: str | None = None
    enclosures: list[Enclosure] = []
    thumbnails: list[MediaImage] = []
    categories: list[str] = []
    core_title: str | None = None
    second_body: str | None = None
    dc_date: str | None = None
    for ns, name, child in children(entry):
        href = child.get("href") if name == "link" else None
        if href is None and name == "link" and ns in (ATOM, ATOM03):
            href = child.text  # an Atom link written the RSS way; invalid, but meant
        if href is not None:
            rel = (child.get("rel") or "alternate").lower()
            child_base = child.base or base
            if rel == "alternate" and link is None:
                link = absolute_url(href, child_base)
            elif rel == "enclosure":
                found = enclosure(href, child_base, child.get("type"), child.get("length"))
                if found is not None:
                    enclosures.append(found)
        elif name == "title" and child.get("type") in _XHTML_TYPES:
            title = plain_text(inner_html(child))
        elif name == "title" and ns in CORE_NS and core_title is None:
            core_title = plain_text(element_text(child))
        elif name == "content" and ns in (ATOM, ATOM03):
            if child.get("type") in _XHTML_TYPES:
                content = markup_html(child, ns)
            elif _is_base64(child, ns):
                content = _base64(child.text)
            elif len(child) and not (child.get("type") or "").lower().endswith("xml"):
                content = markup_html(child, ns)  # HTML the publisher forgot to escape
        elif name == "summary" and ns in (ATOM, ATOM03):
            if child.get("type") in _XHTML_TYPES or len(child):
                summary = markup_html(child, ns)
            elif _is_base64(child, ns):
                summary = _base64(child.text)
        elif name in ("description", "summary") and ns in CORE_NS:
            # stripped as fastfeedparser strips it, so its copies of it are still recognised
            text = (markup_html(child, ns) if len(child) else (child.text or "")).strip()
            # An RSS item with both a <description> and a non-standard <summary> carries
            # two texts: the first is the summary, the second (as feedparser has it) the
            # body, unless content:encoded gives one.
            if summary is None:
                summary = text
            elif second_body is None and text != summary:
                second_body = text
        elif (name == "encoded" and ns == CONTENT and content is None) or (
            name == "fullitem" and ns == "" and content is None
        ):
            content = child.text
        elif name == "body" and ns == XHTML and content is None:
            content = inner_html(child).strip()
        elif name == "category" and ns in CORE_NS:
            categories.append((child.get("term") or child.text or "").strip())
        elif name == "tags" and ns == "":
            # a comma-separated list some generators write instead of <category> elements
            categories.extend(t.strip() for t in (child.text or "").split(","))
        elif name == "date" and ns not in (ATOM, ATOM03):
            dc_date = (child.text or "").strip() or dc_date
        elif name == "category" and ns.lower() == ITUNES:
            categories.extend(
                (c.get("text") or "").strip()
                for c in child.iter()
                if isinstance(c.tag, str) and local(c.tag) == "category"
            )
    for thumb in entry.iter(f"{{{MEDIA}}}thumbnail"):
        href = absolute_url(thumb.get("url"), thumb.base or base)
        if href:
            thumbnails.append(
                MediaImage(
                    href,
                    origin="media:thumbnail",
                    width=to_int(thumb.get("width")),
                    height=to_int(thumb.get("height")),
                )
            )
    return EntryExtras(
        base,
        link,
        title or core_title,
        content if content is not None else second_body,
        summary,
        tuple(enclosures),
        tuple(thumbnails),
        unique_terms(c for c in categories if c),
        dc_date,
    )


def _is_base64(element: Any, ns: str) -> bool:
    if ns == ATOM03:
        return (element.get("mode") or "").lower() == "base64"
    kind = (element.get("type") or "text").lower()
    # Atom 1.0: any type that is neither text nor XML is base64 (RFC 4287, 4.1.3.3)
    return not (kind in _BASE64_TEXT or kind.startswith("text/") or kind.endswith(("+xml", "/xml")))


def _base64(text: str | None) -> str | None:
    import base64
    import binascii

    try:
        return base64.b64decode("".join((text or "").split()), validate=True).decode(
            "utf-8", "replace"
        )
    except (binascii.Error, ValueError):
        return None
