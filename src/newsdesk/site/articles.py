"""One article: /article/<id>/<slug>/, and /article/<id>/ redirecting there."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from newsdesk.site.layout import render_page
from newsdesk.store import reads


def article_path(article: reads.ArticleView) -> str:
    return f"/article/{article.id}/{article.slug}/"


def _load(article_id: int) -> reads.ArticleView:
    article = reads.article(article_id)
    if article is None:
        raise Http404("no such article")
    return article


def redirect_to_slug(request: HttpRequest, article_id: int) -> HttpResponse:
    return HttpResponsePermanentRedirect(article_path(_load(article_id)))


def detail(request: HttpRequest, article_id: int, slug: str) -> HttpResponse:
    article = _load(article_id)
    if slug != article.slug:
        # Titles get corrected after publication; old links keep working.
        return HttpResponsePermanentRedirect(article_path(article))
    siblings = (
        reads.story_siblings(article.story_id, exclude_id=article.id)
        if article.story_id is not None
        else []
    )
    return render_page(
        request,
        "site/article.html",
        {"article": article, "siblings": siblings, "canonical": article_path(article)},
    )
