"""Does the feed carry only a teaser? Then full-text mode "auto" fetches the article page."""

from __future__ import annotations

import re

from newsdesk.engine.clean.attribution import footer_start
from newsdesk.engine.clean.text import html_to_text
from newsdesk.types import ParsedItem

# A description this short is a teaser even without a "read more" marker.
SHORT_DESCRIPTION = 500

_TEASER_END = re.compile(
    r"(?:…|\.\.\.|\[\s*(?:…|\.\.\.)\s*\]|\((?:more|read more)…?\)"
    r"|\b(?:continue reading|read more|read the full (?:story|article)|keep reading)\b.{0,120})"
    r"[\s»→>]*$",
    re.IGNORECASE | re.DOTALL,
)


def looks_like_teaser(text: str, from_content: bool) -> bool:
    """The plain text of an item's body is a teaser, not the article.

    `from_content` says the text came from content:encoded / atom content, which counts as
    the article unless it is short and ends like a teaser (some feeds copy the excerpt there).
    """
    # Syndication footers follow the "[…]" of WordPress excerpts; look past them.
    cut = footer_start(text)
    if cut is not None:
        text = text[:cut].rstrip()
    ends_like_teaser = bool(_TEASER_END.search(text[-160:]))
    if from_content:
        return len(text) < SHORT_DESCRIPTION and ends_like_teaser
    return len(text) < SHORT_DESCRIPTION or ends_like_teaser


def is_summary_only(item: ParsedItem) -> bool:
    """True when the item carries a teaser, not the article: fetch the page for full text."""
    content = (item.content_html or "").strip()
    if content:
        return looks_like_teaser(html_to_text(content), from_content=True)
    return looks_like_teaser(html_to_text((item.summary_html or "").strip()), from_content=False)
