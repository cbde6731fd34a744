"""Parse an HTML fragment once into an lxml tree, and write it back out."""

from __future__ import annotations

import html as htmllib
from typing import TYPE_CHECKING

from newsdesk.engine.clean.sanitize import strip_control_chars

if TYPE_CHECKING:
    from lxml.html import HtmlElement


def parse_fragment(html: str) -> HtmlElement | None:
    """A <div> holding the fragment, or None when lxml cannot read it (sanitize still will)."""
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.fragment_fromstring(strip_control_chars(html), create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return None


def serialize_children(root: HtmlElement) -> str:
    import lxml.html

    parts = [htmllib.escape(root.text, quote=False)] if root.text else []
    parts.extend(lxml.html.tostring(child, encoding=str) for child in root)
    return "".join(parts)


# Containers the allow-list strips (keeping their text); without a block of their own, the
# text of neighbouring ones would run together ("First</div><div>Second" -> "FirstSecond").
_CONTAINERS = frozenset(
    {"div", "section", "article", "header", "footer", "main", "aside", "center"}
)
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "main", "aside", "center", "figure",
     "blockquote", "ul", "ol", "dl", "table", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
     "iframe", "video", "audio", "picture", "form"}
)  # fmt: skip


def normalize_blocks(root: HtmlElement) -> None:
    """Give the stripped containers paragraph form and demote h1 (the page has its own)."""
    for el in root.iter("h1", *_CONTAINERS):
        if el.tag == "h1":
            el.tag = "h2"
        elif not any(child.tag in _BLOCK_TAGS for child in el.iterdescendants()):
            el.tag = "p"
