"""The tables. Queries against them live in store/reads.py (site, API, CLI listings)
and store/writes.py (the pipeline's upserts); nothing else touches the ORM."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class Category(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    class FullText(models.TextChoices):
        AUTO = "auto", "auto"
        ALWAYS = "always", "always"
        NEVER = "never", "never"

    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=200, unique=True)
    feed_url = models.URLField(max_length=2000, unique=True)
    site_url = models.URLField(max_length=2000, blank=True, default="")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    full_text = models.CharField(max_length=8, choices=FullText.choices, default=FullText.AUTO)
    review = models.BooleanField(default=False, help_text="hold new items for an editor")
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    # HTTP validators for conditional GET
    etag = models.CharField(max_length=500, blank=True, default="")
    last_modified = models.CharField(max_length=100, blank=True, default="")

    # health
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_status = models.IntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    consecutive_errors = models.IntegerField(default=0)
    next_fetch_at = models.DateTimeField(default=timezone.now, db_index=True)
    fetch_count = models.IntegerField(default=0)
    # a worker that claims the source holds it until then; a killed worker's lease runs out
    lease_until = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", "published"
        HELD = "held", "held for review"
        REJECTED = "rejected", "rejected"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="articles")
    # identity within the source: guid, else link, else a content hash (see engine.dedupe)
    identity = models.CharField(max_length=600)
    guid = models.CharField(max_length=2000, blank=True, default="")
    url = models.URLField(max_length=2000, blank=True, default="")
    title = models.CharField(max_length=1000)
    slug = models.SlugField(max_length=200, allow_unicode=False)
    author = models.CharField(max_length=500, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    # the date lists sort on: the feed's date, or first seen when the feed gave none
    sort_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(blank=True, default="")
    body_html = models.TextField(blank=True, default="")
    image_url = models.URLField(max_length=2000, blank=True, default="")
    image_caption = models.TextField(blank=True, default="")
    image_credit = models.CharField(max_length=500, blank=True, default="")
    image_alt = models.CharField(max_length=1000, blank=True, default="")
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    attribution_site = models.CharField(max_length=300, blank=True, default="")
    attribution_url = models.URLField(max_length=2000, blank=True, default="")
    origin = models.CharField(max_length=200, blank=True, default="")
    content_hash = models.CharField(max_length=64, blank=True, default="")
    categories = models.ManyToManyField(Category, blank=True, related_name="articles")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    pinned = models.BooleanField(default=False)
    # names of fields an editor changed; the pipeline never overwrites them
    edited_fields: models.JSONField[list[str], Any] = models.JSONField(default=list, blank=True)
    story_id = models.IntegerField(null=True, blank=True)
    places: models.JSONField[list[str], Any] = models.JSONField(default=list, blank=True)
    enclosures: models.JSONField[list[dict[str, Any]], Any] = models.JSONField(
        default=list, blank=True
    )

    class Meta:
        ordering = ["-sort_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "identity"], name="article_source_identity")
        ]
        indexes = [
            models.Index(fields=["status", "-sort_at", "-id"], name="article_list"),
            models.Index(fields=["source", "status", "-sort_at"], name="article_source_list"),
        ]

    def __str__(self) -> str:
        return self.title


class SiteSettings(models.Model):
    """One row (pk=1): what the publisher sets about the site."""

    name = models.CharField(max_length=200, default="newsdesk")
    tagline = models.CharField(max_length=300, blank=True, default="News from our partners")
    # [{"label": "RSS", "url": "/feed/rss.xml"}, ...]
    social_links: models.JSONField[list[dict[str, str]], Any] = models.JSONField(
        default=list, blank=True
    )
    footer = models.CharField(max_length=500, blank=True, default="")
    attribution_template = models.CharField(
        max_length=300, default="The post {title} first appeared on {site}."
    )
    listing_style = models.CharField(
        max_length=10, choices=[("excerpt", "excerpt"), ("full", "full text")], default="excerpt"
    )
    time_zone = models.CharField(max_length=64, default="UTC")

    class Meta:
        verbose_name = "site settings"
        verbose_name_plural = "site settings"

    def __str__(self) -> str:
        return self.name


class MetricCounter(models.Model):
    """A Prometheus counter kept in the database, so every process (workers on many hosts,
    web processes serving /metrics) sees one monotonic value. Runs add their deltas."""

    name = models.CharField(max_length=100)
    labels = models.CharField(max_length=300, blank=True, default="")  # 'outcome="ok"'
    value = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "labels"], name="metric_counter_key")
        ]

    def __str__(self) -> str:
        return f"{self.name}{{{self.labels}}} {self.value}"
