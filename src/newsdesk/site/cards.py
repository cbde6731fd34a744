"""The article card of the lists and the image figure, rendered in Python.

These two fragments are most of every list page (twenty cards a page), and the template
engine spent about 4 ms a page on them; format_html does the same escaping for a fraction of
that. The markup is the one the templates had; tests read the pages, not this module.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from newsdesk.site import attribution, media
from newsdesk.site.articles import article_path
from newsdesk.store.reads import ArticleView, SiteInfo

# Credits that already say what they are ("Photo: AP", "© Reuters") are shown as they come.
_CREDIT_WORDS = ("photo", "image", "picture", "credit", "illustration", "video", "©", "(c)")


def credit_label(credit: str) -> str:
    credit = (credit or "").strip()
    if not credit or credit.lower().startswith(_CREDIT_WORDS):
        return credit
    return f"Photo: {credit}"


def time_tag(article: ArticleView) -> SafeString:
    # the template filter's behaviour: shown in the current (site) time zone
    when = timezone.localtime(article.date)
    return format_html(
        '<time datetime="{}">{}</time>', format_date(when, "c"), format_date(when, "F j, Y")
    )


def figure(
    article: ArticleView, *, link: str = "", lead: bool = False, figure_class: str = ""
) -> SafeString:
    image = article.image
    if image is None:
        return mark_safe("")  # a constant
    size = (
        format_html(' width="{}" height="{}"', image.width, image.height)
        if image.width and image.height
        else ""
    )
    loading = ' fetchpriority="high"' if lead else ' loading="lazy"'
    img = format_html(
        '<img src="{}" alt="{}"{}{} decoding="async">',
        media.media_url(image.url),
        image.alt,
        size,
        mark_safe(loading),
    )
    if link:
        img = format_html('<a href="{}" tabindex="-1" aria-hidden="true">{}</a>', link, img)
    caption = ""
    if image.caption or image.credit:
        credit = (
            format_html(' <span class="credit">{}</span>', credit_label(image.credit))
            if image.credit
            else ""
        )
        caption = format_html("\n  <figcaption>{}{}</figcaption>", image.caption, credit)
    return format_html(
        '<figure class="{}">\n  {}{}\n</figure>', figure_class or "card-image", img, caption
    )


def card(site: SiteInfo, article: ArticleView) -> SafeString:
    path = article_path(article)
    first = article.categories[0] if article.categories else None
    pin = mark_safe('<span class="pin">Pinned</span> ') if article.pinned else ""
    if first is not None:
        label = format_html('<a href="/category/{}/">{}</a>', first.slug, first.name)
    else:
        label = format_html(
            '<a href="/source/{}/">{}</a>', article.source.slug, article.source.name
        )
    if site.listing_style == "full":
        # sanitized by the pipeline; only demo links are rewritten
        text = format_html(
            '<div class="body">{}</div>',
            mark_safe(media.localize_demo_links(article.body_html)),
        )
    else:
        text = format_html('<p class="excerpt">{}</p>', article.summary)
    classes = (
        "card" + (" has-image" if article.image else "") + (" pinned" if article.pinned else "")
    )
    return format_html(
        '<article class="{}" aria-labelledby="card-{}">\n'
        '  <p class="label">{}{}</p>\n'
        '  <h2 class="card-title" id="card-{}"><a href="{}">{}</a></h2>\n'
        '  <p class="meta">{} · <a href="/source/{}/">{}</a></p>\n'
        "  {}\n  {}\n"
        '  <p class="attribution">{}</p>\n'
        '  <p class="more"><a href="{}" aria-label="Continue reading: {}">'
        "Continue Reading</a></p>\n"
        "</article>",
        classes,
        article.id,
        pin,
        label,
        article.id,
        path,
        article.title,
        time_tag(article),
        article.source.slug,
        article.source.name,
        figure(article, link=path) if article.image else "",
        text,
        attribution.article_attribution(site.attribution_template, article),
        path,
        article.title,
    )
