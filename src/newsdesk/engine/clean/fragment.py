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
