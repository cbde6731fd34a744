"""Does the feed carry only a teaser? Then full-text mode "auto" fetches the article page."""

from __future__ import annotations

import re

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


def is_summary_only(item: ParsedItem) -> bool:
    """True when the item carries a teaser, not the article: fetch the page for full text."""
    content = (item.content_html or "").strip()
    if content:
        text = html_to_text(content)
        # Some feeds copy the teaser into content:encoded too.
        return len(text) < SHORT_DESCRIPTION and bool(_TEASER_END.search(text[-160:]))
    summary = html_to_text((item.summary_html or "").strip())
    if len(summary) < SHORT_DESCRIPTION:
        return True
    return bool(_TEASER_END.search(summary[-160:]))
