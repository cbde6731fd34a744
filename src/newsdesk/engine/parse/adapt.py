"""Shared rules for turning either parser's values into ParsedItem/ParsedFeed fields.

Both adapters (fast.py, lenient.py) and the JSON Feed reader call these, so a title, an
author or a URL comes out the same whichever parser read the document.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from newsdesk.types import Enclosure, MediaImage

_NEEDS_COLLAPSE = re.compile(r"[\t\r\n\f\v]|  ")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_C1 = re.compile("[\x80-\x9f]")
_C1_TO_CP1252 = {
    code: bytes([code]).decode("cp1252", errors="ignore") or chr(code) for code in range(0x80, 0xA0)
}
_SCRIPT = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|$)", re.S | re.I)
_TAG = re.compile(r"</?[A-Za-z][\w:.-]*(?:\s[^<>]*)?/?>")
_AUTHOR_IN_PARENS = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^()]+)\)\s*$")
_MAIL_IN_PARENS = re.compile(r"^\s*(?P<name>[^()]+?)\s*\(\s*\S+@\S+\s*\)\s*$")
_AUTHOR_BEFORE_ANGLE = re.compile(r"^\s*(?P<name>[^<>]+?)\s*<\S+@\S+>\s*$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# The numeric character references that may need rewriting (`charrefs` decides): an
# upper-case X, decimal 120-159 or of five digits and more (surrogates, past U+10FFFF), hex
# 80-9F or of four digits and more, and zero. The common ones (&#8217;, &#x27;) never match,
# so most bodies cost one scan and no call back into Python.
_CHARREF = re.compile(
    r"&#(X[0-9A-Fa-f]{1,8}|x0*(?:[89][0-9A-Fa-f]|[1-9A-Fa-f][0-9A-Fa-f]{3,7})"
    r"|0*(?:1[2-5][0-9]|[1-9][0-9]{4,9})|x?0+);"
)
_NOT_A_CHARACTER = 0xFFFD
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")
_URL_SCHEMES = frozenset({"http", "https"})


def plain_text(value: str | None) -> str | None:
    """Markup and entities out, whitespace collapsed; '' becomes None.

    Titles arrive as text, as escaped HTML, or double-escaped ("&amp;amp;"); readers
    want the words either way.
    """
    if not value:
        return None
    if "<" in value:
        value = _TAG.sub(" ", _SCRIPT.sub(" ", value))
    if "&" in value:
        value = html.unescape(value)
    # Only ASCII whitespace collapses: a no-break or em space in a title is meant.
    if _NEEDS_COLLAPSE.search(value):
        value = _SPACES.sub(" ", value)
    value = demoronize(value).strip(" ")
    return value or None


def html_field(value: str | None) -> str | None:
    """An HTML body or summary as given, None when blank, C1 controls read as cp1252,
    numeric character references written as HTML5 reads them (see `charrefs`)."""
    if not value or not value.strip():
        return None
    if "&#" in value:
        value = charrefs(value)
    return demoronize(value)


def charrefs(value: str) -> str:
    """Numeric character references that only an HTML5 parser reads right, rewritten.

    `&#146;` is U+2019 for an HTML5 parser (the windows-1252 remap of 128-159) but a C1
    control for anything that decodes by the numbers: an XML tool, a search indexer, a
    reader downstream. `&#X61;` is HTML but not XML. Each such reference becomes the
    lower-case hex reference of the character an HTML5 parser would see; the others stay
    exactly as written, so `&#60;` and `&#38;` remain escapes, never markup.
    """

    def rewrite(match: re.Match[str]) -> str:
        ref = match.group(1)
        code = int(ref[1:], 16) if ref[0] in "xX" else int(ref)
        seen = code
        if 0x80 <= code <= 0x9F:
            seen = ord(_C1_TO_CP1252[code])
        elif code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            seen = _NOT_A_CHARACTER
        if seen == code and ref[0] != "X":
            return match.group(0)
        return f"&#x{seen:x};"

    return _CHARREF.sub(rewrite, value)


def demoronize(value: str) -> str:
    """U+0080-U+009F are cp1252 bytes mislabelled as Latin-1 (curly quotes, dashes)."""
    if value.isascii() or _C1.search(value) is None:
        return value
    return value.translate(_C1_TO_CP1252)


def text_to_html(value: str) -> str:
    """Plain text (Atom type="text", JSON content_text) as HTML that shows the same words."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
    if len(paragraphs) == 1:
        return html.escape(paragraphs[0], quote=False)
    return "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def absolute_url(href: str | None, base: str | None) -> str | None:
    """An http(s) URL resolved against the base; anything else (javascript:, data:) is None."""
    if not href:
        return None
    href = href.strip()
    if not href:
        return None
    if href.startswith(("https://", "http://")) and href[href.index("//") + 2 :][:1] not in "/\\":
        return href  # already absolute: urljoin keeps it as it is, only slower
    try:
        joined = urljoin(base, href) if base else href
        parts = urlsplit(joined)
    except ValueError:
        return None
    return joined if parts.scheme.lower() in _URL_SCHEMES and parts.netloc else None


def comments_url(value: str | None, base: str | None) -> str | None:
    """<comments> is a URL; some feeds put a count there (slash:comments mix-ups)."""
    if not value or not value.strip().lower().startswith(("http://", "https://", "/")):
        return None
    return absolute_url(value, base)


def author_name(value: str | None) -> str | None:
    """The person's name from "name", "mail (Name)" or "Name <mail>"."""
    text = plain_text(value)
    if text is None:
        return None
    for pattern in (_AUTHOR_IN_PARENS, _MAIL_IN_PARENS, _AUTHOR_BEFORE_ANGLE):
        found = pattern.match(text)
        if found:
            return found.group("name").strip() or None
    return text


def author_email(value: str | None) -> str | None:
    """The address in an author written "mail (Name)", "Name (mail)", "Name <mail>" or "mail"."""
    if not value or "@" not in value:
        return None
    found = _EMAIL.search(value)
    return found.group(0) if found else None


def unique_terms(terms: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for term in terms:
        text = plain_text(term)
        if text and text not in seen:
            seen[text] = None
    return tuple(seen)


def to_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        return int(text) if text.isdigit() and len(text) < 19 else None
    return None


def enclosure(url: str | None, base: str | None, type_: object, length: object) -> Enclosure | None:
    href = absolute_url(url, base)
    if href is None:
        return None
    return Enclosure(href, str(type_ or "").strip().lower(), to_int(length))


def is_image(url: str, type_: str | None, medium: str | None) -> bool:
    if medium:
        return medium.lower() == "image"
    if type_:
        return type_.lower().startswith("image/")
    return urlsplit(url).path.lower().endswith(_IMAGE_SUFFIXES)


def unique_media(images: Iterable[MediaImage]) -> tuple[MediaImage, ...]:
    """First occurrence of each image URL wins (media:content before its thumbnail)."""
    seen: dict[str, MediaImage] = {}
    for image in images:
        seen.setdefault(image.url, image)
    return tuple(seen.values())


def images_from_enclosures(enclosures: Iterable[Enclosure]) -> list[MediaImage]:
    return [
        MediaImage(e.url, origin="enclosure") for e in enclosures if e.type.startswith("image/")
    ]
