"""The clean stage: ParsedItem -> CleanArticle, framework-free.

    html --parse once--> tree --lazy images, URLs, pixels--> --lead image--> --footer-->
         --serialize--> sanitize (always last) --> body_html

The tree is parsed once per item and every step edits it in place; nh3 then re-parses the
result and keeps only its allow-list, so no earlier step can let markup through.
"""

from __future__ import annotations

from newsdesk.engine.clean.attribution import find_origin, footer_start, pop_attribution
from newsdesk.engine.clean.fragment import normalize_blocks, parse_fragment, serialize_children
from newsdesk.engine.clean.images import (
    drop_tracking_pixels,
    feed_image,
    restore_noscript_images,
    split_credit,
    take_lead_image,
)
from newsdesk.engine.clean.sanitize import plain_text, sanitize_html
from newsdesk.engine.clean.summary_only import is_summary_only, looks_like_teaser
from newsdesk.engine.clean.text import (
    html_to_text,
    sanitized_html_to_text,
    slugify,
    summarize,
    summarize_text,
    truncate,
)
from newsdesk.engine.clean.urls import promote_lazy_attributes, resolve_urls, web_url
from newsdesk.types import (
    Attribution,
    CleanArticle,
    CleanOptions,
    Enclosure,
    LeadImage,
    ParsedFeed,
    ParsedItem,
)

__all__ = [
    "clean_item",
    "find_origin",
    "html_to_text",
    "is_summary_only",
    "plain_text",
    "sanitize_html",
    "slugify",
    "split_credit",
    "summarize",
]

_DEFAULT_OPTIONS = CleanOptions()
_TITLE_FROM_TEXT = 100


def _enclosures(item: ParsedItem, base: str | None) -> tuple[Enclosure, ...]:
    out = []
    for enclosure in item.enclosures:
        url = web_url(enclosure.url, base)
        if url is not None:
            out.append(Enclosure(url=url, type=enclosure.type, length=enclosure.length))
    return tuple(out)


def _categories(item: ParsedItem) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for category in item.categories:
        name = plain_text(category)
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return tuple(seen.values())


def _clean_body(
    html: str, item: ParsedItem, base: str | None, options: CleanOptions
) -> tuple[str, LeadImage | None, Attribution | None, str | None]:
    root = parse_fragment(html) if html.strip() else None
    if root is None:
        return html, feed_image(item, base), None, None
    normalize_blocks(root)
    promote_lazy_attributes(root)
    restore_noscript_images(root)
    resolve_urls(root, base)
    drop_tracking_pixels(root)
    image = take_lead_image(root, item, base)
    attribution = pop_attribution(root, options.attribution_patterns)
    origin = find_origin(" ".join(root.text_content()[:300].split()))
    return serialize_children(root), image, attribution, origin


def clean_item(
    item: ParsedItem, feed: ParsedFeed, options: CleanOptions = _DEFAULT_OPTIONS
) -> CleanArticle:
    """Turn one parsed entry into a stored-ready article; never raises on hostile markup."""
    feed_link = web_url(feed.link) or web_url(feed.self_url)
    url = web_url(item.link, feed_link)
    base = url or feed_link
    has_content = bool((item.content_html or "").strip())
    source_html = item.content_html if has_content else item.summary_html
    body, image, attribution, origin = _clean_body(source_html or "", item, base, options)
    body_html = sanitize_html(body, options.embeds)

    body_text = sanitized_html_to_text(body_html)
    summary = summarize_text(body_text, options.summary_length)
    if not summary and item.summary_html:
        text = html_to_text(item.summary_html)
        summary = summarize_text(text[: footer_start(text)], options.summary_length)
    title = plain_text(item.title) or truncate(summary, _TITLE_FROM_TEXT) or "Untitled"
    return CleanArticle(
        guid=item.guid,
        url=url,
        title=title,
        author=plain_text(item.author) or None,
        published=item.published,
        updated=item.updated,
        summary=summary,
        body_html=body_html,
        categories=_categories(item),
        image=image,
        attribution=attribution,
        origin=origin,
        enclosures=_enclosures(item, base),
        is_summary_only=looks_like_teaser(body_text, from_content=has_content),
    )
