"""The editors' admin, first cut: sources with their health, articles, categories, site settings.

Editing an article here records the changed fields in `edited_fields`, so the next fetch of
its feed never overwrites what an editor wrote.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from newsdesk.store.models import Article, Category, SiteSettings, Source
from newsdesk.store.writes import EDITABLE

admin.site.site_header = "newsdesk editor's desk"
admin.site.site_title = "newsdesk"
admin.site.index_title = "Sources, articles and site settings"


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin[Source]):
    list_display = (
        "name",
        "feed_url",
        "category",
        "enabled",
        "last_status",
        "consecutive_errors",
        "last_fetched_at",
        "next_fetch_at",
    )
    list_filter = ("enabled", "review", "full_text", "category")
    search_fields = ("name", "feed_url")
    prepopulated_fields = {"slug": ("name",)}
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
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "feed_url", "site_url", "category", "enabled")}),
        ("Import", {"fields": ("full_text", "review", "disabled_reason")}),
        ("Health", {"fields": (*readonly_fields, "next_fetch_at")}),
    )


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ("title", "source", "status", "pinned", "sort_at")
    list_filter = ("status", "pinned", "source", "categories")
    search_fields = ("title", "summary")
    date_hierarchy = "sort_at"
    filter_horizontal = ("categories",)
    readonly_fields = ("source", "identity", "guid", "url", "first_seen_at", "edited_fields")
    list_select_related = ("source",)

    def save_model(
        self, request: HttpRequest, obj: Article, form: ModelForm[Any], change: bool
    ) -> None:
        if change:
            edited = set(obj.edited_fields) | (set(form.changed_data) & EDITABLE)
            obj.edited_fields = sorted(edited)
        super().save_model(request, obj, form, change)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin[SiteSettings]):
    list_display = ("name", "tagline", "footer")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: SiteSettings | None = None) -> bool:
        return False
