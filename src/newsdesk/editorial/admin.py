"""The editor's desk, built on Django's admin: sources with their settings, rules and health,
the review queue, articles (edit, pin, unpublish, delete for good), categories, site settings
and a read-only audit log.

Every editorial act goes through newsdesk.store.editorial, which writes its audit entry. An
edited article lists the changed fields in `edited_fields`, so later fetches never overwrite
them, and keeps what the feed said in `feed_version`, shown beside the editor's version.
"""

from __future__ import annotations

from typing import Any

import django_stubs_ext
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from newsdesk.editorial import review, sources
from newsdesk.editorial.login import RateLimitedAuthenticationForm
from newsdesk.engine.dedupe.identity import KeyRule
from newsdesk.errors import NewsdeskError
from newsdesk.store import editorial, writes
from newsdesk.store.models import (
    Article,
    AuditEntry,
    Category,
    HeldArticle,
    Rule,
    SiteSettings,
    Source,
    SourcePolicy,
    Tombstone,
)
from newsdesk.store.writes import EDITABLE

# lets ModelAdmin[Model] and friends be subscripted at run time, as the type checker wants;
# done here, where they are, so commands that never load the admin do not pay for it
django_stubs_ext.monkeypatch()

admin.site.site_header = "newsdesk editor's desk"
admin.site.site_title = "newsdesk"
admin.site.index_title = "Sources, review queue, articles and site settings"
admin.site.login_form = RateLimitedAuthenticationForm
# our own name: django.contrib.admin comes first in INSTALLED_APPS, so an app template
# called admin/index.html would never be found
admin.site.index_template = "editorial/index.html"

# Django 5.2 warns that a scheme-less URL will mean https in 6.0; say so now
URL_FIELDS: dict[type[Any], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}


# --- sources ----------------------------------------------------------------------------------


class RuleForm(ModelForm[Rule]):
    class Meta:
        model = Rule
        fields = ("action", "field", "kind", "pattern", "enabled", "note")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        error = sources.valid_pattern(data.get("kind", ""), data.get("pattern", ""))
        if error:
            self.add_error("pattern", error)
        return data


class RuleInline(admin.TabularInline[Rule, Source]):
    model = Rule
    form = RuleForm
    extra = 1
    verbose_name = "include/exclude/hold rule"


class SourcePolicyInline(admin.StackedInline[SourcePolicy, Source]):
    model = SourcePolicy
    can_delete = False
    max_num = 1
    verbose_name = verbose_name_plural = "mapping, attribution and fetching"


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    formfield_overrides = URL_FIELDS
    change_list_template = "admin/store/source/change_list.html"
    change_form_template = "admin/store/source/change_form.html"
    list_display = (
        "name",
        "feed_url",
        "category",
        "enabled",
        "review",
        "last_status",
        "consecutive_errors",
        "last_fetched_at",
        "next_fetch_at",
    )
    list_filter = ("enabled", "review", "full_text", "category")
    search_fields = ("name", "feed_url")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (SourcePolicyInline, RuleInline)
    actions = ("fetch_now", "pause", "resume")
    readonly_fields = (
        "etag",
        "last_modified",
        "last_fetched_at",
        "last_success_at",
        "last_status",
        "last_error",
        "consecutive_errors",
        "fetch_count",
        "created_at",
        "identity_note",
        "identity_changed_at",
        "last_new_at",
        "usual_gap_seconds",
        "quiet_since",
        "websub",
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "feed_url", "site_url", "category", "enabled")}),
        ("Import", {"fields": ("full_text", "review", "disabled_reason")}),
        ("Identity", {"fields": ("identity_rule", "identity_note", "identity_changed_at")}),
        (
            "Health",
            {
                "fields": (
                    *readonly_fields[:9],
                    "next_fetch_at",
                    "last_new_at",
                    "usual_gap_seconds",
                    "quiet_since",
                )
            },
        ),
        ("WebSub", {"fields": ("websub",)}),
    )

    @admin.display(description="WebSub")
    def websub(self, obj: Source) -> str:
        from newsdesk.store.websub import subscription_of

        sub = subscription_of(obj.pk) if obj.pk else None
        if sub is None:
            return "no subscription (the feed names no hub, or NEWSDESK_PUBLIC_URL is unset)"
        parts = [f"{sub.state_at(timezone.now())} at {sub.hub_url} for {sub.topic_url}"]
        if sub.lease_expires_at:
            parts.append(f"lease until {sub.lease_expires_at:%Y-%m-%d %H:%M} UTC")
        if sub.last_push_at:
            parts.append(f"{sub.pushes} pushes, the last at {sub.last_push_at:%Y-%m-%d %H:%M} UTC")
        if sub.last_error:
            parts.append(sub.last_error)
        return "; ".join(parts)

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        own = [
            path("health/", wrap(self._health), name="store_source_health"),
            path("opml/import/", wrap(self._opml_import), name="store_source_opml_import"),
            path("opml/export/", wrap(self._opml_export), name="store_source_opml_export"),
            path("add-preview/", wrap(self._add_preview), name="store_source_add_preview"),
            path("<path:object_id>/rules/", wrap(self._rule_test), name="store_source_rule_test"),
            path("<path:object_id>/replay/", wrap(self._replay), name="store_source_replay"),
        ]
        return own + super().get_urls()

    def _health(self, request: HttpRequest) -> HttpResponse:
        return sources.health_view(self, request)

    def _opml_import(self, request: HttpRequest) -> HttpResponse:
        return sources.opml_import_view(self, request)

    def _opml_export(self, request: HttpRequest) -> HttpResponse:
        return sources.opml_export_view(self, request)

    def _add_preview(self, request: HttpRequest) -> HttpResponse:
        return sources.add_preview_view(self, request)

    def _rule_test(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return sources.rule_test_view(self, request, object_id)

    def _replay(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return sources.replay_view(self, request, object_id)

    @admin.action(description="Fetch now", permissions=["change"])
    def fetch_now(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        from newsdesk.pipeline.update import update

        for source in queryset:
            try:
                summary = update(settings.NEWSDESK, source_id=source.pk)
            except NewsdeskError as e:
                messages.error(request, f"{source.name}: {e}")
                continue
            editorial.record(request.user, "fetch-now", source, {"summary": summary.line()})
            level = messages.ERROR if summary.failed else messages.SUCCESS
            detail = f" ({summary.errors[0]})" if summary.errors else ""
            messages.add_message(request, level, f"{source.name}: {summary.line()}{detail}")

    @admin.action(description="Pause (stop fetching)", permissions=["change"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        n = editorial.set_enabled(request.user, queryset.values_list("pk", flat=True), False)
        messages.success(request, f"Paused {n} sources.")

    @admin.action(description="Resume (fetch again, due now)", permissions=["change"])
    def resume(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        n = editorial.set_enabled(request.user, queryset.values_list("pk", flat=True), True)
        messages.success(request, f"Resumed {n} sources.")

    def save_model(
        self, request: HttpRequest, obj: Source, form: ModelForm[Any], change: bool
    ) -> None:
        if change and "identity_rule" in form.changed_data:
            # the stored articles move to the new key with the rule, or the next fetch
            # would import them all again
            # (the admin's change view runs in one transaction with this save)
            rule = KeyRule(obj.identity_rule)
            moved = writes.rekey_articles(obj.pk, rule)
            obj.identity_note = (
                f"identity: set to {rule} by {request.user.get_username()}; "
                f"{moved} stored articles moved to the new key"
            )[:500]
            obj.identity_changed_at = timezone.now()
        super().save_model(request, obj, form, change)
        action = "change-source" if change else "add-source"
        editorial.record(request.user, action, obj, {"fields": sorted(form.changed_data)})

    def save_formset(
        self, request: HttpRequest, form: ModelForm[Any], formset: Any, change: bool
    ) -> None:
        super().save_formset(request, form, formset, change)
        if formset.has_changed():
            kind = "rules" if formset.model is Rule else "source-settings"
            editorial.record(request.user, f"change-{kind}", form.instance)

    def delete_model(self, request: HttpRequest, obj: Source) -> None:
        editorial.record(request.user, "delete-source", obj, {"feed_url": obj.feed_url})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        for source in queryset:
            editorial.record(request.user, "delete-source", source, {"feed_url": source.feed_url})
        super().delete_queryset(request, queryset)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin[Rule]):
    """Rules for every source (source left empty) and each source's own."""

    form = RuleForm
    list_display = ("pattern", "action", "field", "kind", "source", "enabled")
    list_filter = ("action", "field", "kind", "enabled")
    search_fields = ("pattern", "note")

    fields = ("source", "action", "field", "kind", "pattern", "enabled", "note")

    def save_model(
        self, request: HttpRequest, obj: Rule, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        editorial.record(request.user, "change-rule" if change else "add-rule", obj)

    def delete_model(self, request: HttpRequest, obj: Rule) -> None:
        editorial.record(request.user, "delete-rule", obj)
        super().delete_model(request, obj)


# --- articles and the review queue ---------------------------------------------------------


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return value if value not in (None, "") else "—"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    formfield_overrides = URL_FIELDS
    change_form_template = "admin/store/article/change_form.html"
    list_display = ("title", "source", "status", "pinned", "edited", "sort_at")
    list_filter = ("status", "pinned", "source", "categories")
    search_fields = ("title", "summary")
    date_hierarchy = "sort_at"
    filter_horizontal = ("categories",)
    readonly_fields = (
        "source",
        "identity",
        "guid",
        "url",
        "first_seen_at",
        "edited_fields",
        "feed_now",
        "carried_by",
    )
    exclude = ("feed_version", "link_key")
    list_select_related = ("source",)
    actions = ("approve", "reject", "unpublish", "pin", "unpin", "revert")

    @admin.display(boolean=True, description="edited")
    def edited(self, obj: Article) -> bool:
        return bool(obj.edited_fields)

    @admin.display(description="Also carried by")
    def carried_by(self, obj: Article) -> SafeString:
        rows = obj.carriers.select_related("source").order_by("first_seen_at", "id")
        if not rows:
            return SafeString("No other source: only its own feed had it.")
        return format_html_join(
            ", ",
            '{} (<a href="{}" rel="noopener">as linked there</a>)',
            ((c.source.name, c.url) for c in rows),
        )

    @admin.display(description="What the feed now says")
    def feed_now(self, obj: Article) -> SafeString:
        version = obj.feed_version or {}
        fields = [f for f in obj.edited_fields if f in version]
        if not fields:
            return SafeString("Not edited: the article is as the feed gives it.")
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (
                    f,
                    _cell(getattr(obj, f, "") if f != "categories" else _names(obj)),
                    _cell(version[f]),
                )
                for f in fields
            ),
        )
        return format_html(
            '<table class="nd-versions"><tr><th></th><th>Editor\'s version (published)</th>'
            "<th>The feed now</th></tr>{}</table>",
            rows,
        )

    def save_model(
        self, request: HttpRequest, obj: Article, form: ModelForm[Any], change: bool
    ) -> None:
        changed = [f for f in form.changed_data if f in EDITABLE]
        for name in list(changed):
            before, after = form.initial.get(name), getattr(obj, name, None)
            if isinstance(before, str) and isinstance(after, str) and _same_text(before, after):
                # a textarea round trip turns \n into \r\n and trims the ends: that is not
                # an edit, and must not freeze the field against the feed
                setattr(obj, name, before)
                changed.remove(name)
        if change and changed:
            originals: dict[str, Any] = {
                f: (_names(obj) if f == "categories" else form.initial.get(f)) for f in changed
            }
            editorial.mark_edited(obj, originals)
        approve = "_approve" in request.POST and obj.status == Article.Status.HELD
        old_status = form.initial.get("status", obj.status)
        if approve:
            obj.status = Article.Status.PUBLISHED
        super().save_model(request, obj, form, change)
        if changed:
            editorial.record(request.user, "edit", obj, {"fields": sorted(changed)})
        if obj.status != old_status:
            action = {"published": "approve", "rejected": "reject", "held": "hold"}[obj.status]
            editorial.record(request.user, action, obj, {"from": old_status, "to": obj.status})
        if "pinned" in form.changed_data:
            editorial.record(request.user, "pin" if obj.pinned else "unpin", obj)

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        editorial.delete_articles(request.user, [obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        editorial.delete_articles(request.user, list(queryset.values_list("pk", flat=True)))

    def _ids(self, queryset: QuerySet[Article]) -> list[int]:
        return list(queryset.values_list("pk", flat=True))

    @admin.action(description="Approve (publish)", permissions=["change"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = editorial.set_status(request.user, self._ids(queryset), "published", "approve")
        messages.success(request, f"Published {n} articles.")

    @admin.action(description="Reject", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = editorial.set_status(request.user, self._ids(queryset), "rejected", "reject")
        messages.success(request, f"Rejected {n} articles.")

    @admin.action(description="Unpublish (back to the review queue)", permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = editorial.set_status(request.user, self._ids(queryset), "held", "unpublish")
        messages.success(request, f"Unpublished {n} articles.")

    @admin.action(description="Undo edits: follow the feed again", permissions=["change"])
    def revert(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = editorial.revert_edits(request.user, self._ids(queryset))
        messages.success(request, f"{n} articles follow their feed again.")

    @admin.action(description="Pin to the front page", permissions=["change"])
    def pin(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = editorial.set_pinned(request.user, self._ids(queryset), True)
        messages.success(request, f"Pinned {n} articles.")

    @admin.action(description="Unpin", permissions=["change"])
    def unpin(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        n = editorial.set_pinned(request.user, self._ids(queryset), False)
        messages.success(request, f"Unpinned {n} articles.")


def _same_text(a: str, b: str) -> bool:
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()


def _names(article: Article) -> list[str]:
    if article.pk is None:
        return []
    return sorted(article.categories.values_list("name", flat=True))


@admin.register(HeldArticle)
class HeldArticleAdmin(admin.ModelAdmin[HeldArticle]):
    """The review queue page; a held article's full edit form is the article's own."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return review.queue_view(self, request)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:store_article_change", args=[object_id]))


# --- the rest -------------------------------------------------------------------------------


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


class SiteSettingsForm(ModelForm[SiteSettings]):
    class Meta:
        model = SiteSettings
        fields = "__all__"
        widgets = {"footer": forms.TextInput(attrs={"size": 80})}
        help_texts = {
            "social_links": 'The "Connect with us" links: '
            '[{"label": "RSS", "url": "/feed/rss.xml"}, ...]',
            "footer": "{year} and {name} are filled in",
            "attribution_template": "{title} and {site} are filled in",
        }

    def clean_time_zone(self) -> str:
        from zoneinfo import available_timezones

        name = str(self.cleaned_data.get("time_zone") or "UTC").strip()
        if name != "UTC" and name not in available_timezones():
            raise forms.ValidationError(f"{name!r} is not a time zone name (e.g. Europe/Oslo)")
        return name

    def clean_social_links(self) -> Any:
        links = self.cleaned_data.get("social_links") or []
        shaped = isinstance(links, list) and all(
            isinstance(x, dict)
            and isinstance(x.get("label"), str)
            and isinstance(x.get("url"), str)
            for x in links
        )
        if not shaped:
            raise forms.ValidationError('Give a list of {"label": ..., "url": ...} objects.')
        return links

    def clean_logo_url(self) -> str:
        url = str(self.cleaned_data.get("logo_url") or "").strip()
        if url and not url.startswith(("https://", "/")):
            raise forms.ValidationError("Give an https:// address or a path on this site.")
        return url


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin[SiteSettings]):
    form = SiteSettingsForm
    list_display = ("name", "tagline", "footer")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: SiteSettings | None = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: SiteSettings, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        editorial.record(request.user, "site-settings", obj, {"fields": sorted(form.changed_data)})


@admin.register(Tombstone)
class TombstoneAdmin(admin.ModelAdmin[Tombstone]):
    """Deleted articles the pipeline will not import again; delete a row to allow it."""

    list_display = ("title", "source", "deleted_at", "deleted_by")
    list_filter = ("source",)
    search_fields = ("title", "identity")
    readonly_fields = ("source", "identity", "title", "url", "deleted_at", "deleted_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    list_display = ("at", "username", "action", "object_type", "object_repr", "details")
    list_filter = ("action", "object_type", "username")
    search_fields = ("object_repr", "username", "object_id")
    date_hierarchy = "at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
