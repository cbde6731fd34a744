"""The review queue: held articles as they would be published, approved or rejected one at a
time (keyboard: j/k move, a approve, r reject, x select, e edit) or in bulk; an editor may
fix the headline or excerpt in place and approve in the same click."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from newsdesk.pipeline import rules
from newsdesk.store import editorial, reads
from newsdesk.store.models import Article

QUEUE_LENGTH = 100


@dataclass(frozen=True)
class Card:
    article: Article
    reason: str
    attribution: str
    categories: list[str]


def _attribution_line(article: Article, template: str) -> str:
    site = article.attribution_site or article.source.name
    return template.replace("{title}", article.title).replace("{site}", site)


def _reason(article: Article) -> str:
    verdict = rules.evaluate(
        editorial.as_clean(article),
        editorial.rules_for(article.source_id),
        review=article.source.review,
    )
    return verdict.reason or "held by an editor"


def queue_view(model_admin: ModelAdmin[Any], request: HttpRequest) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.method == "POST":
        if not model_admin.has_change_permission(request):
            raise PermissionDenied
        _act(request)
        return HttpResponseRedirect(request.get_full_path())
    template = reads.site_settings().attribution_template
    held = (
        Article.objects.filter(status=Article.Status.HELD)
        .select_related("source")
        .prefetch_related("categories")
        .order_by("-sort_at", "-id")[:QUEUE_LENGTH]
    )
    cards = [
        Card(a, _reason(a), _attribution_line(a, template), [c.name for c in a.categories.all()])
        for a in held
    ]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Review queue",
        "opts": model_admin.model._meta,
        "cards": cards,
        "total": Article.objects.filter(status=Article.Status.HELD).count(),
        "can_change": model_admin.has_change_permission(request),
    }
    return TemplateResponse(request, "admin/store/heldarticle/review.html", context)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _act(request: HttpRequest) -> None:
    post = request.POST
    user = request.user
    if post.get("approve", "").isdigit():
        article_id = int(post["approve"])
        changes = {
            name: post[f"{name}-{article_id}"].strip()
            for name in ("title", "summary")
            if f"{name}-{article_id}" in post
        }
        if not changes.get("title"):
            changes.pop("title", None)  # an empty headline is a slip, not an edit
        article = editorial.edit_article(user, article_id, changes, approve=True)
        messages.success(request, f"Approved “{article.title}”.")
        return
    if post.get("reject", "").isdigit():
        n = editorial.set_status(user, [int(post["reject"])], Article.Status.REJECTED, "reject")
        messages.success(request, f"Rejected {n} article.")
        return
    bulk = post.get("bulk")
    ids = _ids(post.getlist("ids"))
    if bulk in {"approve", "reject"} and not ids:
        messages.warning(request, "Select some articles first.")
        return
    if bulk == "approve":
        n = editorial.set_status(user, ids, Article.Status.PUBLISHED, "approve")
        messages.success(request, f"Approved {n} articles.")
    elif bulk == "reject":
        n = editorial.set_status(user, ids, Article.Status.REJECTED, "reject")
        messages.success(request, f"Rejected {n} articles.")


def queue_url() -> str:
    return reverse("admin:store_heldarticle_changelist")
