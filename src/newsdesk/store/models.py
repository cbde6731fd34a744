"""The tables. Queries against them live in store/reads.py (site, API, CLI listings)
and store/writes.py (the pipeline's upserts); nothing else touches the ORM."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Category(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A place articles are about (engine.tag): /place/<slug>/ lists them."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, default="city")  # country, region or city

    class Meta:
        ordering = ["name"]

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

    # how items are told apart (engine.dedupe.identity.KeyRule), and why it last changed
    identity_rule = models.CharField(
        max_length=20,
        default="guid",
        choices=[
            ("guid", "GUID (else link, else content)"),
            ("link+date", "link and date"),
            ("link+date+title", "link, date and title"),
        ],
        help_text="how this source's items are told apart; newsdesk moves it to a link key "
        "when the feed's GUIDs are missing, repeated or churn",
    )
    identity_note = models.CharField(max_length=500, blank=True, default="")
    identity_changed_at = models.DateTimeField(null=True, blank=True)
    # publishing rhythm, for "gone quiet": the newest item seen, the usual gap between items,
    # and since when the source has been silent for much longer than that gap
    last_new_at = models.DateTimeField(null=True, blank=True)
    usual_gap_seconds = models.FloatField(null=True, blank=True)
    quiet_since = models.DateTimeField(null=True, blank=True)

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
    # /author/<slug>/; null for no author (and so SQLite adds the column in place)
    author_slug = models.CharField(max_length=200, null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    # when the source's date policy put another date in published_at: what the feed said,
    # and why (null: published_at is the feed's own; nullable so SQLite adds the columns
    # without rebuilding the table)
    feed_date = models.DateTimeField(null=True, blank=True)
    date_note = models.CharField(max_length=200, null=True, blank=True)
    # the date lists sort on: the feed's date, or first seen when the feed gave none
    sort_at = models.DateTimeField(default=timezone.now)
    summary = models.TextField(blank=True, default="")
    body_html = models.TextField(blank=True, default="")
    # the body's words without markup (engine.tag.body_text), which the SQLite search index
    # reads; kept by save() and by the writer's inserts. Null until migration 0015 fills
    # it, and so SQLite adds the column without rebuilding the table.
    body_text = models.TextField(null=True, blank=True, editable=False)
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
    # what the feed last said for each field in edited_fields, shown beside the editor's
    # version; null (not {}) so SQLite adds the column without rebuilding the table
    feed_version: models.JSONField[dict[str, Any] | None, Any] = models.JSONField(
        null=True, blank=True, default=None
    )
    story_id = models.IntegerField(null=True, blank=True)
    # MinHash signature of the title and text, for grouping stories across sources
    story_signature = models.BinaryField(null=True, blank=True)
    places: models.JSONField[list[str], Any] = models.JSONField(default=list, blank=True)
    # the same places as rows, for /place/<slug>/ (JSON cannot be indexed on SQLite)
    place_tags = models.ManyToManyField(Place, blank=True, related_name="articles")
    enclosures: models.JSONField[list[dict[str, Any]], Any] = models.JSONField(
        default=list, blank=True
    )
    # engine.dedupe.canonical.article_key of the link: the same article from another source
    # is found by it and recorded as a Carrier, not stored twice (null: no article link)
    link_key = models.CharField(max_length=2000, null=True, blank=True)

    class Meta:
        ordering = ["-sort_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "identity"], name="article_source_identity")
        ]
        indexes = [
            models.Index(fields=["status", "-sort_at", "-id"], name="article_list"),
            models.Index(fields=["source", "status", "-sort_at"], name="article_source_list"),
            # "also covered by" on every article page
            models.Index(fields=["story_id", "status", "-sort_at"], name="article_story"),
            models.Index(fields=["-sort_at"], condition=Q(pinned=True), name="article_pinned"),
            models.Index(fields=["author_slug", "status", "-sort_at"], name="article_author"),
            # the recent articles a new one is compared with for its story
            models.Index(fields=["first_seen_at"], name="article_first_seen"),
            models.Index(
                fields=["link_key"], condition=Q(link_key__isnull=False), name="article_link_key"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # an editor's body or an updated feed item: the indexed words follow the body
        fields = kwargs.get("update_fields")
        if fields is None or "body_html" in fields:
            # here, not at the top: every command imports the models at start-up
            from newsdesk.engine.tag import body_text

            self.body_text = body_text(self.body_html)
            if fields is not None:
                kwargs["update_fields"] = {*fields, "body_text"}
        super().save(*args, **kwargs)


class Carrier(models.Model):
    """Another source whose feed carries a stored article: the same article link (after
    canonicalisation) came from it too. The article is stored once, under the source that
    brought it first; this row keeps the other source's key for the item, so its next
    fetches know the item, and lets the pages name every source that carried it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="carriers")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="carried")
    identity = models.CharField(max_length=600)  # the item's key within `source`
    url = models.URLField(max_length=2000, blank=True, default="")  # as that feed gave it
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "identity"], name="carrier_source_identity")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} carries {self.article_id}"


class SiteSettings(models.Model):
    """One row (pk=1): what the publisher sets about the site."""

    name = models.CharField(max_length=200, default="newsdesk")
    tagline = models.CharField(max_length=300, blank=True, default="News from our partners")
    logo_url = models.CharField(
        max_length=500,
        blank=True,
        default="",
        help_text="an https:// URL or a /static/ path; shown beside the site name",
    )
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


# --- the editor's desk (issue 6) -----------------------------------------------------------


class SourcePolicy(models.Model):
    """What an editor set about one source beyond subscribing: how its items are mapped,
    filtered and fetched. A row of its own (one per source, created on first edit) so the
    pipeline's hot Source rows stay narrow and its writes never race an editor's save."""

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="policy")
    # {"feed category": "Site Category"}; a feed category mapped to "" is dropped
    category_map: models.JSONField[dict[str, str], Any] = models.JSONField(
        default=dict, blank=True, help_text='{"feed category": "site category"}; "" drops it'
    )
    attribution_patterns = models.TextField(
        blank=True,
        default="",
        help_text="one regular expression a line, with a (?P<site>...) group "
        "and optionally (?P<url>...): the source's own 'first appeared on' footer",
    )
    attribution_template = models.CharField(
        max_length=300, blank=True, default="", help_text="blank: the site's template"
    )
    max_age_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="on the first fetch, skip items older than this"
    )
    min_interval_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_interval_minutes = models.PositiveIntegerField(null=True, blank=True)
    date_policy = models.CharField(
        max_length=10,
        choices=[
            ("sane", "the feed's date, unless in the future, before 1995 or missing"),
            ("feed", "the feed's date as given"),
            ("first_seen", "always the time first seen"),
        ],
        default="sane",
        help_text="which date an article is listed under",
    )
    repair_identity = models.BooleanField(
        default=True,
        help_text="switch to a link key when the feed's GUIDs are missing, repeated or churn",
    )
    canonical_to_original = models.BooleanField(
        default=True,
        help_text='article pages say <link rel="canonical"> to the original article (the '
        "practice for republished content); off: to our own page",
    )
    match_reissued = models.BooleanField(
        default=True,
        help_text="an item with a new GUID or date but the link, or title and body, of a "
        "stored article updates that article",
    )

    class Meta:
        verbose_name = "source settings"
        verbose_name_plural = "source settings"

    def __str__(self) -> str:
        return f"settings of {self.source_id}"


class Rule(models.Model):
    """An include/exclude/hold rule, for one source or (source empty) for every source."""

    class Action(models.TextChoices):
        INCLUDE = "include", "include only matching items"
        EXCLUDE = "exclude", "drop matching items"
        HOLD = "hold", "hold matching items for review"

    class Field(models.TextChoices):
        ANY = "any", "title, body, author or category"
        TITLE = "title", "title"
        BODY = "body", "body"
        AUTHOR = "author", "author"
        CATEGORY = "category", "category"

    class Kind(models.TextChoices):
        KEYWORD = "keyword", "keyword (whole words, any case)"
        REGEX = "regex", "regular expression"

    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.EXCLUDE)
    field = models.CharField(max_length=8, choices=Field.choices, default=Field.ANY)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.KEYWORD)
    pattern = models.CharField(max_length=500)
    enabled = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.action} {self.field} {self.kind} {self.pattern!r}"


class Tombstone(models.Model):
    """A deleted article's identity: the pipeline never imports it again."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="tombstones")
    identity = models.CharField(max_length=600)
    title = models.CharField(max_length=1000, blank=True, default="")
    url = models.URLField(max_length=2000, blank=True, default="")
    deleted_at = models.DateTimeField(default=timezone.now)
    deleted_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        ordering = ["-deleted_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "identity"], name="tombstone_source_identity")
        ]

    def __str__(self) -> str:
        return self.title or self.identity


class AuditEntry(models.Model):
    """Who did what to which object, when: written by the editorial admin, never edited."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # the name is kept as text too: the log outlives a deleted user
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, blank=True, default="")
    object_repr = models.CharField(max_length=300, blank=True, default="")
    details: models.JSONField[dict[str, Any], Any] = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit log"

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.object_type} {self.object_id}"


class LoginFailure(models.Model):
    """A failed admin login, kept briefly for the rate limit: in the database so every web
    process (granian workers, several hosts) counts the same failures."""

    key = models.CharField(max_length=200, db_index=True)  # "username|ip"
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.key} at {self.at}"


class HeldArticle(Article):
    """The review queue: held articles, as their own admin page with its own permission."""

    class Meta:
        proxy = True
        verbose_name = "held article"
        verbose_name_plural = "review queue"


# --- replay (issue 7) ---------------------------------------------------------------------


class FetchRecord(models.Model):
    """The raw answer of one successful (200) fetch, kept so `newsdesk replay` can re-run the
    pipeline on it offline. Bounded: only the last few per source are kept (keep_fetches)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="fetches")
    fetched_at = models.DateTimeField(default=timezone.now)
    status = models.IntegerField(default=200)
    url = models.CharField(max_length=2000)
    headers: models.JSONField[dict[str, str], Any] = models.JSONField(default=dict, blank=True)
    body = models.BinaryField()
    # the Content-Encoding `body` is kept in, as it came over the wire (a gzipped feed is a
    # tenth of its text); null or "": the decoded bytes. Null, so adding it alters the table
    # in place instead of copying every kept body.
    encoding = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["source", "-id"], name="fetch_record_source")]

    def __str__(self) -> str:
        return f"fetch {self.pk} of source {self.source_id} at {self.fetched_at}"


class HostPause(models.Model):
    """A host that asked us to wait (429/503 with Retry-After): no feed or page of it is
    fetched before `until`, by any worker on any machine."""

    host = models.CharField(max_length=300, unique=True)
    until = models.DateTimeField(db_index=True)
    reason = models.CharField(max_length=500, blank=True, default="")

    def __str__(self) -> str:
        return f"{self.host} paused until {self.until}"


# --- WebSub (issue 3) ---------------------------------------------------------------------


class WebSubSubscription(models.Model):
    """A source's subscription at the WebSub hub its feed names, so the hub pushes new
    content to /websub/<id>/<token> instead of waiting for the next poll.

    One per source: the feed's first hub. `due_at` is when newsdesk next asks the hub (the
    first request, a retry after a failure or an unanswered request, or the renewal before
    the lease runs out), so the scheduler finds the work with one indexed query.
    """

    class State(models.TextChoices):
        REQUESTED = "requested", "requested, not verified yet"
        VERIFIED = "verified", "verified by the hub"
        DENIED = "denied", "denied by the hub"
        EXPIRED = "expired", "lease expired"

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="websub")
    hub_url = models.CharField(max_length=2000)
    topic_url = models.CharField(max_length=2000)
    # HMAC key of the pushes (hub.secret), and the unguessable part of the callback URL
    secret = models.CharField(max_length=200)
    token = models.CharField(max_length=100)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    requested_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    lease_seconds = models.IntegerField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    last_push_at = models.DateTimeField(null=True, blank=True)
    pushes = models.IntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    # requests since the last verification: the retry backoff
    attempts = models.IntegerField(default=0)
    due_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "WebSub subscription"

    def __str__(self) -> str:
        return f"WebSub {self.state} at {self.hub_url} for source {self.source_id}"
