"""The credit line under every article: "The post {title} first appeared on {site}."

The template comes from the site settings and the title and site from feeds, so every piece is
escaped; only the two links we build ourselves are markup.
"""

from __future__ import annotations

import functools
import re

from markupsafe import Markup

from newsdesk.site.htmltext import html_text
from newsdesk.store.reads import ArticleView

_PLACEHOLDER = re.compile(r"\{(title|site)\}")


def _link(text: str, url: str) -> str:
    if url.startswith(("https://", "http://")):
        return f'<a href="{html_text(url)}">{html_text(text)}</a>'
    return html_text(text)


@functools.lru_cache(maxsize=64)
def _parts(template: str) -> tuple[str, ...]:
    """The template split into escaped literal text (even indexes) and placeholder names (odd
    indexes): one template serves every card of a page, so it is split once."""
    pieces = _PLACEHOLDER.split(template)
    return tuple(html_text(p) if i % 2 == 0 else p for i, p in enumerate(pieces))


def attribution_html(template: str, *, title: str, url: str, site: str, site_url: str) -> str:
    """The line as HTML text: the literal text escaped, the title and site linked."""
    pieces: list[str] = []
    for index, part in enumerate(_parts(template)):
        if index % 2 == 0:
            pieces.append(part)
        elif part == "title":
            pieces.append(_link(title, url))
        else:
            pieces.append(_link(site, site_url))
    return "".join(pieces)


def attribution_line(template: str, *, title: str, url: str, site: str, site_url: str) -> Markup:
    # every piece is escaped or our own constant markup
    return Markup(  # noqa: S704
        attribution_html(template, title=title, url=url, site=site, site_url=site_url)
    )


def article_html(template: str, article: ArticleView) -> str:
    """The site's attribution line, or the one the editor set for the article's source."""
    return attribution_html(
        article.source.attribution_template or template,
        title=article.title,
        url=article.url,
        site=article.credited_site,
        site_url=article.credited_site_url,
    )


def article_attribution(template: str, article: ArticleView) -> Markup:
    return Markup(article_html(template, article))  # noqa: S704 (escaped in attribution_html)
