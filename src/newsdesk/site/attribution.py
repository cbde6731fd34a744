"""The credit line under every article: "The post {title} first appeared on {site}."

The template comes from the site settings and the title and site from feeds, so every piece is
escaped; only the two links we build ourselves are markup.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from newsdesk.store.reads import ArticleView

_PLACEHOLDER = re.compile(r"\{(title|site)\}")


def _link(text: str, url: str) -> str:
    if url.startswith(("https://", "http://")):
        return f'<a href="{escape(url)}">{escape(text)}</a>'
    return escape(text)


def attribution_line(template: str, *, title: str, url: str, site: str, site_url: str) -> Markup:
    pieces: list[str] = []
    for index, part in enumerate(_PLACEHOLDER.split(template)):
        # split() alternates literal text (even indexes) and placeholder names (odd indexes).
        if index % 2 == 0:
            pieces.append(escape(part))
        elif part == "title":
            pieces.append(_link(title, url))
        else:
            pieces.append(_link(site, site_url))
    # every interpolated piece above is escaped or our own constant markup
    return Markup("".join(pieces))  # noqa: S704


def article_attribution(template: str, article: ArticleView) -> Markup:
    """The site's attribution line, or the one the editor set for the article's source."""
    return attribution_line(
        article.source.attribution_template or template,
        title=article.title,
        url=article.url,
        site=article.credited_site,
        site_url=article.credited_site_url,
    )
