"""Source pages beyond the change form: add with a live preview, the health dashboard, OPML in
and out, and "would this item pass?" for a source's rules."""

from __future__ import annotations

import asyncio
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from newsdesk.editorial import charts
from newsdesk.errors import NewsdeskError
from newsdesk.pipeline import rules, subscribe
from newsdesk.pipeline.prepare import build_items
from newsdesk.store import editorial, fetchlog, reads
from newsdesk.store.models import Article, Source
from newsdesk.types import CleanArticle, CleanOptions, Fetched, FullText

PREVIEW_ITEMS = 5


def _context(model_admin: ModelAdmin[Any], request: HttpRequest, title: str) -> dict[str, Any]:
    return {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
    }


# --- health dashboard -----------------------------------------------------------------------


def health_view(model_admin: ModelAdmin[Any], request: HttpRequest) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    rows = editorial.health(timezone.now())
    context = _context(model_admin, request, "Source health")
    context["rows"] = [
        (row, charts.bars(row.per_day, label=f"{row.name}: items per day")) for row in rows
    ]
    return TemplateResponse(request, "admin/store/source/health.html", context)


# --- OPML -----------------------------------------------------------------------------------


class OpmlForm(forms.Form):
    file = forms.FileField(label="OPML file")
    full_text = forms.ChoiceField(choices=[(m.value, m.value) for m in FullText], initial="auto")


def opml_import_view(model_admin: ModelAdmin[Any], request: HttpRequest) -> HttpResponse:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = OpmlForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "import.opml"
            path.write_bytes(upload.read())
            try:
                added, known, skipped = subscribe.import_opml(
                    path, FullText(form.cleaned_data["full_text"])
                )
            except NewsdeskError as e:
                form.add_error("file", str(e))
            else:
                editorial.record(
                    request.user,
                    "import-opml",
                    None,
                    {"added": added, "known": known, "skipped": skipped},
                    object_type="source",
                )
                messages.success(
                    request,
                    f"OPML imported: {added} added, {known} already subscribed, {skipped} skipped.",
                )
                return HttpResponseRedirect(reverse("admin:store_source_changelist"))
    context = _context(model_admin, request, "Import subscriptions (OPML)")
    context["form"] = form
    return TemplateResponse(request, "admin/store/source/opml_import.html", context)


def opml_export_view(model_admin: ModelAdmin[Any], request: HttpRequest) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    body = subscribe.export_opml(reads.site_settings().name)
    response = HttpResponse(body, content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="subscriptions.opml"'
    return response


# --- add with a live preview ----------------------------------------------------------------


class AddSourceForm(forms.Form):
    url = forms.CharField(label="Feed or page URL", max_length=2000)
    name = forms.CharField(max_length=300, required=False, help_text="blank: the feed's title")
    category = forms.CharField(max_length=200, required=False, help_text="a site category")
    full_text = forms.ChoiceField(choices=[(m.value, m.value) for m in FullText], initial="auto")
    review = forms.BooleanField(required=False, help_text="hold new items for an editor")


@dataclass(frozen=True)
class PreviewItem:
    article: CleanArticle
    verdict: rules.Verdict
    attribution: str


def fetch_for_preview(url: str) -> tuple[str, Fetched, str | None]:
    """Fetch the feed (discovering it from a page) the way `subscribe` will; a seam for tests."""
    feed_url, fetched, title, _ = asyncio.run(subscribe._fetch_feed(settings.NEWSDESK, url))
    return feed_url, fetched, title


def preview_items(
    fetched: Fetched, *, review: bool, category: str, limit: int = PREVIEW_ITEMS
) -> list[PreviewItem]:
    """The first items as they would be published, with what the global rules make of them."""
    built = build_items(fetched, CleanOptions(embeds=settings.NEWSDESK.embeds))
    template = reads.site_settings().attribution_template
    global_rules = editorial.rules_for(None)
    out = []
    for _, incoming in built.items[:limit]:
        article = incoming.article
        site = article.attribution.site if article.attribution else ""
        line = template.replace("{title}", article.title).replace("{site}", site) if site else ""
        verdict = rules.evaluate(article, global_rules, review=review)
        out.append(PreviewItem(article, verdict, line))
    return out


def add_preview_view(model_admin: ModelAdmin[Any], request: HttpRequest) -> HttpResponse:
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    form = AddSourceForm(request.POST or None)
    context = _context(model_admin, request, "Add a source")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "subscribe" in request.POST:
                done = subscribe.subscribe(
                    settings.NEWSDESK,
                    data["url"],
                    name=data["name"] or None,
                    category=data["category"] or None,
                    full_text=FullText(data["full_text"]),
                    review=data["review"],
                )
                source = Source.objects.get(pk=done.source.id)
                editorial.record(request.user, "add-source", source, {"url": data["url"]})
                verb = "Subscribed to" if done.created else "Already subscribed to"
                messages.success(request, f"{verb} {done.title}; it is fetched on the next run.")
                return HttpResponseRedirect(reverse("admin:store_source_change", args=[source.pk]))
            feed_url, fetched, title = fetch_for_preview(data["url"])
            context.update(
                feed_url=feed_url,
                feed_title=title,
                items=preview_items(fetched, review=data["review"], category=data["category"]),
            )
        except NewsdeskError as e:
            form.add_error("url", str(e))
    context["form"] = form
    return TemplateResponse(request, "admin/store/source/add_preview.html", context)


# --- would this item pass? ------------------------------------------------------------------


class RuleTestForm(forms.Form):
    title = forms.CharField(max_length=1000, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    author = forms.CharField(max_length=500, required=False)
    categories = forms.CharField(required=False, help_text="separated by commas")


def rule_test_view(
    model_admin: ModelAdmin[Any], request: HttpRequest, object_id: str
) -> HttpResponse:
    source = get_object_or_404(Source, pk=object_id)
    if not model_admin.has_view_permission(request, source):
        raise PermissionDenied
    policy = editorial.policy_for(source.pk)
    form = RuleTestForm(request.POST or None)
    context = _context(model_admin, request, f"Would this item pass? {source.name}")
    context.update(source=source, form=form, rules=policy.rules)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        categories = tuple(c.strip() for c in data["categories"].split(",") if c.strip())
        article = CleanArticle(
            guid=None,
            url=None,
            title=data["title"],
            author=data["author"] or None,
            published=None,
            updated=None,
            summary="",
            body_html=data["body"],
            categories=rules.map_categories(categories, policy.category_map),
        )
        context["verdict"] = rules.evaluate(article, policy.rules, review=policy.review)
        context["mapped"] = article.categories
    recent = (
        Article.objects.filter(source=source).prefetch_related("categories").order_by("-id")[:20]
    )
    context["recent"] = [
        (a, rules.evaluate(editorial.as_clean(a), policy.rules, review=policy.review))
        for a in recent
    ]
    return TemplateResponse(request, "admin/store/source/rule_test.html", context)


def replay_view(model_admin: ModelAdmin[Any], request: HttpRequest, object_id: str) -> HttpResponse:
    """`newsdesk replay` on the source page: a kept fetch re-run offline, item by item."""
    from newsdesk.pipeline.replay import replay

    source = get_object_or_404(Source, pk=object_id)
    if not model_admin.has_view_permission(request, source):
        raise PermissionDenied
    kept = fetchlog.kept_fetches(source.pk)
    raw = request.GET.get("fetch", "1")
    number = int(raw) if raw.isdigit() and 1 <= int(raw) <= max(kept, 1) else 1
    context = _context(model_admin, request, f"Replay: {source.name}")
    context.update(source=source, kept=range(1, kept + 1), number=number)
    if kept:
        result = replay(
            str(source.pk),
            number,
            full_text_limit=settings.NEWSDESK.full_text_per_fetch,
            embeds=settings.NEWSDESK.embeds,
        )
        context.update(result=result, header=result.header().splitlines())
    return TemplateResponse(request, "admin/store/source/replay.html", context)


def valid_pattern(kind: str, pattern: str) -> str | None:
    """The error in a rule's pattern, or None."""
    if kind != "regex":
        return None
    try:
        re.compile(pattern)
    except re.error as e:
        return f"not a valid regular expression: {e}"
    return None
