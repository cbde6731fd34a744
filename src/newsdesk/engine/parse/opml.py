"""OPML subscription lists in and out.

Reading is lenient (libxml2's recover mode keeps what an ill-formed export still holds)
but never follows anything: `type="link"` and `include` outlines point at other documents
and are skipped, and only http(s) xmlUrl values are kept. Folders become the category
path "News/World". Limits keep a hostile file from becoming a hostile import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from newsdesk.engine.parse.charset import to_utf8
from newsdesk.engine.parse.detect import strip_doctype
from newsdesk.errors import OpmlError
from newsdesk.types import OpmlOutline

MAX_FEEDS = 10_000
MAX_DEPTH = 32
MAX_NAME = 200
_NOT_FOLLOWED = frozenset({"link", "include"})
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def parse_opml(content: bytes) -> list[OpmlOutline]:
    """Every feed subscription of an OPML document, in document order, without duplicates."""
    from lxml import etree

    if not content.strip():
        raise OpmlError("opml: the file is empty")
    data = strip_doctype(to_utf8(content))
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as e:
        raise OpmlError(f"opml: not an XML document ({e})") from e
    if root is None or not isinstance(root.tag, str):
        raise OpmlError("opml: not an XML document, nothing could be read")
    if _local(root.tag).lower() != "opml":
        raise OpmlError(f"opml: not an OPML document (root element <{_local(root.tag)}>)")
    body = next((c for c in root if _local(c.tag) == "body"), root)
    found: dict[str, OpmlOutline] = {}
    for outline in _walk(body, (), 0):
        found.setdefault(outline.xml_url, outline)
        if len(found) > MAX_FEEDS:
            raise OpmlError(f"opml: more than {MAX_FEEDS} feeds; split the file")
    if not found:
        raise OpmlError("opml: no feed subscriptions (outlines with an http(s) xmlUrl)")
    return list(found.values())


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attr(element: Any, name: str) -> str | None:
    """An attribute by case-insensitive name (xmlUrl, xmlurl, XMLURL all occur)."""
    wanted = name.lower()
    for key, value in element.attrib.items():
        if _local(key).lower() == wanted:
            text = " ".join(str(value).split())
            return text or None
    return None


def _name(element: Any) -> str | None:
    name = _attr(element, "title") or _attr(element, "text")
    return name[:MAX_NAME] if name else None


def _walk(parent: Any, path: tuple[str, ...], depth: int) -> Iterator[OpmlOutline]:
    if depth > MAX_DEPTH:
        raise OpmlError(f"opml: folders nested deeper than {MAX_DEPTH} levels")
    for element in parent:
        if _local(element.tag) != "outline":
            continue
        if (_attr(element, "type") or "").lower() in _NOT_FOLLOWED:
            continue
        url = _attr(element, "xmlUrl")
        if url is None:
            folder = _name(element)
            yield from _walk(element, (*path, folder) if folder else path, depth + 1)
            continue
        if not url.lower().startswith(("http://", "https://")):
            continue
        category = "/".join(path) if path else _category_attr(element)
        yield OpmlOutline(
            xml_url=url,
            title=_name(element),
            html_url=_attr(element, "htmlUrl"),
            category=category,
        )


def _category_attr(element: Any) -> str | None:
    """OPML 2.0's category attribute: comma-separated slash paths; the first one counts."""
    value = _attr(element, "category")
    if not value:
        return None
    first = value.split(",")[0].strip().strip("/")
    return first[:MAX_NAME] or None


def write_opml(outlines: Sequence[OpmlOutline], title: str) -> bytes:
    """OPML 2.0; each category path becomes nested folders, in first-seen order."""
    from lxml import etree

    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = _xml_safe(title)
    body = etree.SubElement(root, "body")
    folders: dict[tuple[str, ...], Any] = {(): body}
    for outline in outlines:
        path = tuple(p for p in (outline.category or "").split("/") if p.strip())
        parent = _folder(folders, path)
        name = _xml_safe(outline.title or outline.xml_url)
        attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": _xml_safe(outline.xml_url)}
        if outline.html_url:
            attrs["htmlUrl"] = _xml_safe(outline.html_url)
        etree.SubElement(parent, "outline", attrs)
    out: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out


def _folder(folders: dict[tuple[str, ...], Any], path: tuple[str, ...]) -> Any:
    from lxml import etree

    if path not in folders:
        parent = _folder(folders, path[:-1])
        name = _xml_safe(path[-1])
        folders[path] = etree.SubElement(parent, "outline", text=name, title=name)
    return folders[path]


def _xml_safe(text: str) -> str:
    """Characters XML 1.0 cannot carry are dropped (lxml refuses them outright)."""
    return _NOT_XML.sub("", text)
