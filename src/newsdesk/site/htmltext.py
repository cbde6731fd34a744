"""HTML-escaped text as a plain str.

markupsafe's escape() gives the same five entities as a Markup object; building that object
cost more than the escaping for the short values of a card (a title, a slug, a credit), and a
card escapes about fifteen of them.
"""

from __future__ import annotations


def html_text(text: str) -> str:
    """`text` with &, <, >, " and ' as markupsafe.escape writes them."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )
