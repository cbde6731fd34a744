"""Full text from an article page: wraps trafilatura; takes bytes, does no I/O itself.

The HTML it returns is trafilatura's simplified markup, not yet safe: the pipeline passes it
through the clean stage (URL resolution, lead image, sanitize) like any feed content.
"""

from __future__ import annotations

from datetime import UTC, datetime

from newsdesk.errors import ExtractError
from newsdesk.types import ExtractedPage

# below this much text the "article" is a stub page, a paywall or a consent wall
MIN_TEXT = 200


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _drop_leading_title(html: str, title: str | None) -> str:
    """The page's own <h1> repeats the headline the site already shows."""
    import lxml.html

    if not title:
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for heading in root.iter("h1"):
        if heading.text_content().strip() == title.strip():
            heading.drop_tree()
        break
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def extract_page(content: bytes, url: str) -> ExtractedPage:
    import trafilatura
    from trafilatura.htmlprocessing import convert_to_html

    try:
        document = trafilatura.bare_extraction(
            content,
            url=url,
            with_metadata=True,
            include_images=True,
            include_formatting=True,
            include_links=True,
            include_comments=False,
        )
    except Exception as e:  # trafilatura raises assorted errors on odd markup
        raise ExtractError(f"extract: {url}: {type(e).__name__}: {e}") from e
    if document is None or isinstance(document, dict) or document.body is None:
        raise ExtractError(f"extract: no article found in {url}")
    text = document.text or ""
    if len(text) < MIN_TEXT:
        raise ExtractError(f"extract: only {len(text)} characters of text in {url}")
    import lxml.html

    tree = convert_to_html(document.body)
    body = tree.find("body")
    inner = body if body is not None else tree
    html = "".join(lxml.html.tostring(child, encoding="unicode") for child in inner)
    return ExtractedPage(
        html=_drop_leading_title(html, document.title),
        title=document.title,
        author=document.author,
        published=_date(document.date),
        image_url=document.image,
        text_length=len(text),
    )
