"""Bytes of any charset to UTF-8 bytes, so both parsers see one encoding.

Order of trust: a BOM, then the byte pattern of UTF-16/32, then valid UTF-8 (a feed whose
bytes are valid UTF-8 is UTF-8 whatever its prolog claims: real feeds declare utf-16 or
windows-1252 and send UTF-8), then the prolog, then the HTTP charset. Bytes that are no
valid UTF-8 and declare nothing are read as UTF-8 with cp1252 for the broken bytes, the
usual mix of a UTF-8 template around pasted Windows text. Never raises.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_PROLOG = re.compile(rb"^\s*<\?xml[^>]*?\?>", re.S)
_DECLARED = re.compile(rb"""encoding\s*=\s*["']\s*([A-Za-z0-9._:-]+)""")
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.I)
_UTF8_NAMES = frozenset({"utf-8", "utf8"})
# Latin-1 labels mean windows-1252 in practice (curly quotes in 0x80-0x9f), as browsers read them.
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"})
_UTF8_PROLOG = b'<?xml version="1.0" encoding="utf-8"?>'


def _cp1252_for_broken_bytes(err: UnicodeError) -> tuple[str, int]:
    assert isinstance(err, UnicodeDecodeError)
    chunk = err.object[err.start : err.end]
    return chunk.decode("cp1252", errors="replace"), err.end


codecs.register_error("newsdesk-cp1252", _cp1252_for_broken_bytes)


def to_utf8(content: bytes, content_type: str = "") -> bytes:
    """The document as UTF-8 bytes; the prolog (if any) rewritten to say utf-8."""
    for bom, bom_encoding in _BOMS:
        if content.startswith(bom):
            return _reencode(content[len(bom) :].decode(bom_encoding, errors="replace"))
    wide = _sniff_wide(content[:4])
    if wide is not None:
        return _reencode(content.decode(wide, errors="replace"))
    declared = _declared(content)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if declared is None or declared in _UTF8_NAMES:
            return content
        return _reencode(text)
    encoding = _pick(declared) or _pick(_http_charset(content_type))
    if encoding is not None:
        try:
            return _reencode(content.decode(encoding, errors="replace"))
        except (LookupError, ValueError):
            pass  # labels of codecs that are no text encodings: base64, rot13, hex...
    return _reencode(content.decode("utf-8", errors="newsdesk-cp1252"))


def _sniff_wide(head: bytes) -> str | None:
    if len(head) < 4:
        return None
    if head[:3] == b"\0\0\0" and head[3]:
        return "utf-32-be"
    if head[0] and head[1:4] == b"\0\0\0":
        return "utf-32-le"
    if head[0] == 0 and head[1] and head[2] == 0 and head[3]:
        return "utf-16-be"
    if head[0] and head[1] == 0 and head[2] and head[3] == 0:
        return "utf-16-le"
    return None


def _declared(content: bytes) -> str | None:
    prolog = _PROLOG.match(content, 0, 512)
    if prolog is None:
        return None
    found = _DECLARED.search(prolog.group(0))
    return found.group(1).decode("ascii").lower() if found else None


def _http_charset(content_type: str) -> str | None:
    found = _HTTP_CHARSET.search(content_type or "")
    return found.group(1).lower() if found else None


def _pick(label: str | None) -> str | None:
    """A codec for a non-UTF-8 label we can decode with; None for UTF-8/16/32 or unknown."""
    if not label or label in _UTF8_NAMES:
        return None
    if label in _AS_CP1252:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32", "utf-8")):
        return None
    return name


def _reencode(text: str) -> bytes:
    data = text.encode("utf-8", errors="replace")
    prolog = _PROLOG.match(data, 0, 512)
    if prolog is None:
        return data
    return _UTF8_PROLOG + data[prolog.end() :]
