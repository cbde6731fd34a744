"""The article card of the lists, the image figure and the search result, in Python.

These fragments are most of every list page (twenty cards a page) and of a results page.
They are built with f-strings and plain str escaping rather than a template or Django's
format_html: on the 100,000-article bench, format_html's per-argument escaping was 80% of a
list page's time, and a Markup object for each escaped value still a third of a card's. The
markup is the one the templates had; tests read the pages, not this module.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from newsdesk.site import attribution, localtime, media
from newsdesk.site.articles import article_path
from newsdesk.site.htmltext import html_text
from newsdesk.store.reads import ArticleView, ImageView, SiteInfo
from newsdesk.store.search import SearchHit

# Credits that already say what they are ("Photo: AP", "© Reuters") are shown as they come.
_CREDIT_WORDS = ("photo", "image", "picture", "credit", "illustration", "video", "©", "(c)")
# The site's pages are English (<html lang="en">); Django's "F" format gives the same names.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def credit_label(credit: str) -> str:
    credit = (credit or "").strip()
    if not credit or credit.lower().startswith(_CREDIT_WORDS):
        return credit
    return f"Photo: {credit}"


def long_date(when: object) -> str:
    """Django's "F j, Y" ("June 14, 2025")."""
    return f"{MONTHS[when.month - 1]} {when.day}, {when.year}"  # type: ignore[attr-defined]


def time_html(article: ArticleView) -> str:
    # the template filter's behaviour: shown in the current (site) time zone; Django's "c"
    # format is isoformat()
    when = localtime.localtime(article.date)
    return f'<time datetime="{when.isoformat()}">{long_date(when)}</time>'


def _figure_html(image: ImageView, link: str, lead: bool, figure_class: str) -> str:
    size = (
        f' width="{int(image.width)}" height="{int(image.height)}"'
        if image.width and image.height
        else ""
    )
    loading = ' fetchpriority="high"' if lead else ' loading="lazy"'
    img = (
        f'<img src="{html_text(media.media_url(image.url))}" alt="{html_text(image.alt)}"'
        f'{size}{loading} decoding="async">'
    )
    if link:
        img = f'<a href="{html_text(link)}" tabindex="-1" aria-hidden="true">{img}</a>'
    caption = ""
    if image.caption or image.credit:
        credit = (
            f' <span class="credit">{html_text(credit_label(image.credit))}</span>'
            if image.credit
            else ""
        )
        caption = f"\n  <figcaption>{html_text(image.caption)}{credit}</figcaption>"
    return (
        f'<figure class="{html_text(figure_class or "card-image")}">\n  {img}{caption}\n</figure>'
    )


def figure(
    article: ArticleView, *, link: str = "", lead: bool = False, figure_class: str = ""
) -> Markup:
    if article.image is None:
        return Markup()
    # every interpolated piece is escaped or our own constant markup
    return Markup(_figure_html(article.image, link, lead, figure_class))  # noqa: S704


def _card_html(site: SiteInfo, article: ArticleView) -> str:
    path = html_text(article_path(article))
    first = article.categories[0] if article.categories else None
    pin = '<span class="pin">Pinned</span> ' if article.pinned else ""
    source_slug, source_name = html_text(article.source.slug), html_text(article.source.name)
    if first is not None:
        label = f'<a href="/category/{html_text(first.slug)}/">{html_text(first.name)}</a>'
    else:
        label = f'<a href="/source/{source_slug}/">{source_name}</a>'
    if site.listing_style == "full":
        # sanitized by the pipeline; only demo links are rewritten
        text = f'<div class="body">{media.localize_demo_links(article.body_html)}</div>'
    else:
        text = f'<p class="excerpt">{html_text(article.summary)}</p>'
    image = article.image
    classes = "card" + (" has-image" if image else "") + (" pinned" if article.pinned else "")
    title = html_text(article.title)
    picture = _figure_html(image, path, False, "") if image else ""
    line = attribution.article_html(site.attribution_template, article)
    # every interpolated piece above is escaped or our own constant markup
    return (
        f'<article class="{classes}" aria-labelledby="card-{article.id}">\n'
        f'  <p class="label">{pin}{label}</p>\n'
        f'  <h2 class="card-title" id="card-{article.id}"><a href="{path}">{title}</a></h2>\n'
        f'  <p class="meta">{time_html(article)} · <a href="/source/{source_slug}/">'
        f"{source_name}</a></p>\n"
        f"  {picture}\n  {text}\n"
        f'  <p class="attribution">{line}</p>\n'
        f'  <p class="more"><a href="{path}" aria-label="Continue reading: {title}">'
        "Continue Reading</a></p>\n"
        "</article>"
    )


def cards(site: SiteInfo, articles: Iterable[ArticleView]) -> Markup:
    """A list's cards, each followed by a newline: one call from the template instead of
    a template loop calling card() for each."""
    return Markup("".join([f"{_card_html(site, a)}\n" for a in articles]))  # noqa: S704


def _result_html(hit: SearchHit) -> str:
    article = hit.article
    path = html_text(article_path(article))
    categories = "".join(
        f' · <a href="/category/{html_text(c.slug)}/">{html_text(c.name)}</a>'
        for c in article.categories
    )
    # title_html and snippet_html come escaped from the search, with <mark> added
    return (
        '\n    <li class="result">\n'
        f'      <h2 class="result-title"><a href="{path}">{hit.title_html}</a></h2>\n'
        f'      <p class="meta">{time_html(article)} · <a href="/source/'
        f'{html_text(article.source.slug)}/">{html_text(article.source.name)}</a>'
        f"{categories}</p>\n"
        f'      <p class="snippet">{hit.snippet_html}</p>\n'
        "    </li>\n  "
    )


def result_items(hits: Iterable[SearchHit]) -> Markup:
    """A results page's list items, as cards() gives a list's cards. The template loop made
    a Markup object of each escaped value: 300 against 139 µs for the items of a bench search
    (bench/README.md, stop 18). Called from the template, so the dates are in the site's
    time zone (layout.render_page)."""
    return Markup("".join([_result_html(hit) for hit in hits]))  # noqa: S704
