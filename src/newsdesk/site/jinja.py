"""The Jinja2 environment of the public pages (templates in site/jinja2/).

The public pages are rendered per request for anonymous readers, so their templates use
Jinja2, which compiles a template to Python once and renders several times faster than
Django's template language; the admin keeps Django's templates. The helpers here are the
few the pages need, with Django's meaning: dates in the current (site) time zone, Django's
static file URLs, and the card, figure and attribution HTML of cards.py.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django.templatetags.static import static
from django.utils import timezone
from django.utils.dateformat import format as format_date
from jinja2 import Environment
from markupsafe import Markup

from newsdesk.site import articles, attribution, cards, localtime, media


def local_date(value: datetime | None, fmt: str) -> str:
    """Django's `date` filter: formatted in the time zone active for the render."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = localtime.localtime(value)
    # the two formats every page uses, without dateformat's per-character dispatch
    if fmt == "c":
        return value.isoformat()
    if fmt == "F j, Y":
        return cards.long_date(value)
    return format_date(value, fmt)


def truncate_chars(value: str, length: int) -> str:
    """Django's `truncatechars`: at most `length` characters, the last one an ellipsis."""
    value = value or ""
    if len(value) <= length:
        return value
    return value[: max(0, length - 1)] + "…"


@functools.lru_cache(maxsize=64)
def static_url(path: str) -> str:
    # the storage's answer cannot change while the process runs
    return static(path)


def quote_all(value: str) -> str:
    """A value for a query string with every reserved character escaped (`/` too)."""
    return quote(str(value or ""), safe="")


def site_header(env: Environment) -> Callable[..., Markup]:
    """The page header (site/_header.html): the masthead and the category nav.

    Every page shows it, and it changes only with the site settings, the nav's categories and
    which of them is the current page. Both come from the per-process memo (reads.shared),
    the same objects for half a minute, so the header is kept for those very objects, per
    current page: a third of the page frame's render time. A new settings or nav object
    renders it again; nothing is kept while templates reload (DEBUG).
    """
    kept: dict[tuple[bool, str], tuple[Any, Any, Markup]] = {}

    def header(site: Any, nav: Any, on_front: bool, current: Any) -> Markup:
        key = (bool(on_front), current if isinstance(current, str) else "")
        hit = kept.get(key)
        if hit is not None and hit[0] is site and hit[1] is nav and not env.auto_reload:
            return hit[2]
        html = env.get_template("site/_header.html").render(
            site=site, nav_categories=nav, on_front=key[0], current_category=key[1]
        )
        markup = Markup(html)  # noqa: S704 (an autoescaped template's output)
        if len(kept) > 256:  # one entry per category at most; a bound all the same
            kept.clear()
        # the entry holds site and nav, so their identities cannot be reused meanwhile
        kept[key] = (site, nav, markup)
        return markup

    return header


def environment(**options: Any) -> Environment:
    # Django's backend passes autoescape=True; a page template must never run without it
    options.setdefault("keep_trailing_newline", True)  # the bytes Django's templates gave
    env = Environment(autoescape=options.pop("autoescape", True), **options)
    env.globals.update(
        site_header=site_header(env),
        static=static_url,
        cards=cards.cards,
        result_items=cards.result_items,
        figure=lambda article, figure_class="", lead=False: cards.figure(
            article, lead=lead, figure_class=figure_class
        ),
        attribution_line=lambda site, article: attribution.article_attribution(
            site.attribution_template, article
        ),
    )
    env.filters.update(
        date=local_date,
        truncatechars=truncate_chars,
        quote_all=quote_all,
        demo_links=lambda html: media.localize_demo_links(html or ""),
        article_path=articles.article_path,
    )
    return env
