"""What the bytes are (XML feed, JSON, HTML, nothing) and whether they are well-formed.

Everything a parser sees passes through `prepare` first: it turns the bytes into UTF-8,
removes any DOCTYPE (the only place entities can be declared, so no parser after this
point can expand a billion laughs or fetch an external DTD) and decides, with expat, whether
the document is well-formed enough for the fast parser.
"""

from __future__ import annotations

import html.entities
import pyexpat
import re
from dataclasses import dataclass

from newsdesk.engine.parse.charset import to_utf8
from newsdesk.errors import NotAFeedError, ParseError

# Comments, processing instructions and a DOCTYPE (with or without an internal subset) may
# come before the root element; so may junk in broken feeds, which we do not skip.
_MISC = re.compile(
    rb"""\s*(?:<\?.*?\?>|<!--.*?-->|(?P<doctype><!DOCTYPE(?:[^\[>]*\[.*?\]\s*>|[^>]*>)))""",
    re.S | re.I,
)
_ROOT = re.compile(rb"\s*<([A-Za-z_][\w.:-]*)")
_ENTITY_SIMPLE = re.compile(
    rb"""<!ENTITY\s+([A-Za-z_][\w.-]{0,63})\s+(?:"([^"&<%]{0,64})"|'([^'&<%]{0,64})')\s*>"""
)
_ENTITY_USE = re.compile(rb"&([A-Za-z_][\w.-]{0,63});")
_MAX_SAFE_ENTITIES = 64
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ENTITY_REF = re.compile(rb"&(?:([A-Za-z][A-Za-z0-9]{0,31});|(?!#[0-9]{1,7};|#x[0-9A-Fa-f]{1,6};))")
_ENTRY_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]")
_XML_ENTITIES = frozenset({b"amp", b"lt", b"gt", b"quot", b"apos"})

FEED_ROOTS = {"rss": "rss", "rdf": "rdf", "feed": "atom", "channel": "rss"}


@dataclass(frozen=True, slots=True)
class Document:
    """UTF-8 bytes with no DOCTYPE, the wire format, and whether strict XML reads them."""

    data: bytes
    format: str  # "rss", "atom", "rdf", "json"
    well_formed: bool


class _EntityDeclared(Exception):
    pass


def prepare(content: bytes, content_type: str = "") -> Document:
    if not isinstance(content, bytes):
        if not isinstance(content, bytearray):
            raise ParseError(f"parse: expected bytes, got {type(content).__name__}")
        content = bytes(content)
    if not content.strip():
        raise ParseError("parse: empty document")
    data = to_utf8(content, content_type)
    start = data.lstrip()[:1]
    if start in (b"{", b"["):
        return Document(data, "json", True)
    data, root = _strip_prolog_doctype(data)
    if root is None:
        if _looks_like_html(data):
            raise NotAFeedError("parse: the document is HTML, not a feed")
        raise ParseError("parse: the document is neither XML nor JSON")
    local = root.rsplit(":", 1)[-1].lower()
    if local == "html" or (local not in FEED_ROOTS and _looks_like_html(data)):
        raise NotAFeedError("parse: the document is HTML, not a feed")
    if local not in FEED_ROOTS:
        raise ParseError(f"parse: not a feed (root element <{root}>)")
    if _ENTITY_DECL.search(data):
        data = _ENTITY_DECL.sub(b"&lt;!ENTITY", data)
    if is_well_formed(data):
        return Document(data, FEED_ROOTS[local], True)
    repaired = repair(data)
    if repaired != data and is_well_formed(repaired):
        return Document(repaired, FEED_ROOTS[local], True)
    return Document(data, FEED_ROOTS[local], False)


def strip_doctype(data: bytes) -> bytes:
    """The document without its DOCTYPE and with any other entity declaration made inert."""
    data = _strip_prolog_doctype(data)[0]
    return _ENTITY_DECL.sub(b"&lt;!ENTITY", data) if _ENTITY_DECL.search(data) else data


def _strip_prolog_doctype(data: bytes) -> tuple[bytes, str | None]:
    """Remove a DOCTYPE before the root; return the data and the root element's name."""
    pos = 0
    doctype: tuple[int, int] | None = None
    while True:
        misc = _MISC.match(data, pos)
        if misc is None or misc.end() == pos:
            break
        if misc.group("doctype") is not None:
            doctype = misc.span("doctype")
        pos = misc.end()
    root = _ROOT.match(data, pos)
    if doctype is not None:
        safe = _safe_entities(data[doctype[0] : doctype[1]])
        data = data[: doctype[0]] + data[doctype[1] :]
        if safe:
            data = _expand_safe(data, safe)
    return data, root.group(1).decode("ascii") if root else None


def _safe_entities(doctype: bytes) -> dict[bytes, bytes]:
    """Internal entities whose value is short plain text: the only ones we honour.

    A value with '&', '<' or '%' could nest or inject markup, so it is ignored; what is
    left cannot grow the document beyond MAX_ENTITY_VALUE bytes per reference.
    """
    found: dict[bytes, bytes] = {}
    for name, double_quoted, single_quoted in _ENTITY_SIMPLE.findall(doctype):
        if name in _XML_ENTITIES or name in found or len(found) >= _MAX_SAFE_ENTITIES:
            continue
        found[name] = (double_quoted or single_quoted).replace(b">", b"&gt;")
    return found


def _expand_safe(data: bytes, entities: dict[bytes, bytes]) -> bytes:
    def replace(match: re.Match[bytes]) -> bytes:
        return entities.get(match.group(1), match.group(0))

    return _ENTITY_USE.sub(replace, data)


def has_entries(data: bytes) -> bool:
    return _ENTRY_START.search(data) is not None


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lower()
    return b"<html" in head or b"<!doctype html" in head or b"<body" in head


def is_well_formed(data: bytes) -> bool:
    """Strict XML check with expat; any entity declaration counts as not well-formed."""
    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise _EntityDeclared

    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
    # LookupError: an encoding declaration naming no codec, which strict XML cannot read
    except (pyexpat.ExpatError, _EntityDeclared, ValueError, RecursionError, LookupError):
        return False
    return True


def repair(data: bytes) -> bytes:
    """Fix the two cheap faults: control characters, and HTML entities or bare '&'.

    HTML named entities become numeric references (also inside CDATA, where for HTML
    content they mean the same character), bare ampersands become &amp;.
    """
    data = _CONTROL.sub(b"", data)
    return _ENTITY_REF.sub(_entity_to_reference, data)


def _entity_to_reference(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name is None:
        return b"&amp;"
    if name in _XML_ENTITIES:
        return match.group(0)
    text = html.entities.html5.get(name.decode("ascii") + ";")
    if text is None:
        return b"&amp;" + name + b";"
    return b"".join(b"&#%d;" % ord(char) for char in text)
