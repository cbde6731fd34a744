"""Template helpers for the public pages: image URLs, credits and the attribution line."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from newsdesk.site import articles, attribution, media
from newsdesk.store.reads import ArticleView, SiteInfo

register = template.Library()

# Credits that already say what they are ("Photo: AP", "© Reuters") are shown as they come.
_CREDIT_WORDS = ("photo", "image", "picture", "credit", "illustration", "video", "©", "(c)")


@register.filter
def media_url(url: str) -> str:
    return media.media_url(url or "")


@register.filter
def demo_links(html: str) -> str:
    return media.localize_demo_links(html or "")


@register.filter
def credit_label(credit: str) -> str:
    credit = (credit or "").strip()
    if not credit or credit.lower().startswith(_CREDIT_WORDS):
        return credit
    return f"Photo: {credit}"


@register.simple_tag
def attribution_line(site: SiteInfo, article: ArticleView) -> SafeString:
    return attribution.article_attribution(site.attribution_template, article)


@register.filter
def article_path(article: ArticleView) -> str:
    return articles.article_path(article)
