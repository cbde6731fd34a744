"""Template helpers for the public pages: image URLs, credits and the attribution line."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from newsdesk.site import articles, attribution, cards, media
from newsdesk.store.reads import ArticleView, SiteInfo

register = template.Library()


@register.filter
def media_url(url: str) -> str:
    return media.media_url(url or "")


@register.filter
def demo_links(html: str) -> str:
    return media.localize_demo_links(html or "")


@register.filter
def credit_label(credit: str) -> str:
    return cards.credit_label(credit)


@register.simple_tag
def card(site: SiteInfo, article: ArticleView) -> SafeString:
    return cards.card(site, article)


@register.simple_tag
def figure(article: ArticleView, figure_class: str = "", lead: bool = False) -> SafeString:
    return cards.figure(article, lead=lead, figure_class=figure_class)


@register.simple_tag
def attribution_line(site: SiteInfo, article: ArticleView) -> SafeString:
    return attribution.article_attribution(site.attribution_template, article)


@register.filter
def article_path(article: ArticleView) -> str:
    return articles.article_path(article)
