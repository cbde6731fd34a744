"""The editor's desk in the database: rules and source settings for the pipeline, tombstones,
the audit log, review-queue writes, login failures and the health dashboard's numbers.

The pipeline gets plain dataclasses (`Policy`, `RuleSpec`); the admin gets functions that do
one editorial act each and write its audit entry in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from newsdesk.engine.dating import DatePolicy
from newsdesk.engine.dedupe.identity import KeyRule
from newsdesk.store import rawsql
from newsdesk.store.models import (
    Article,
    AuditEntry,
    Carrier,
    LoginFailure,
    Rule,
    Source,
    SourcePolicy,
    Tombstone,
)

# --- what the pipeline reads --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One include/exclude/hold rule (see store.models.Rule)."""

    id: int
    action: str  # "include" | "exclude" | "hold"
    field: str  # "any" | "title" | "body" | "author" | "category"
    kind: str  # "keyword" | "regex"
    pattern: str
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Policy:
    """Everything the pipeline needs to screen one source's feed, loaded in one go."""

    source_id: int
    review: bool = False
    rules: tuple[RuleSpec, ...] = ()
    category_map: Mapping[str, str] = field(default_factory=dict)
    attribution_patterns: tuple[str, ...] = ()
    max_age_days: int | None = None
    min_interval_minutes: int | None = None
    max_interval_minutes: int | None = None
    first_fetch: bool = False
    # anything stored under the source: articles, items it carries, tombstones. Without
    # it, the lookups of stored keys, links and tombstones are skipped (they find nothing)
    history: bool = True
    identity_rule: KeyRule = KeyRule.GUID
    repair_identity: bool = True
    match_reissued: bool = True
    date_policy: DatePolicy = DatePolicy.SANE


def rules_for(source_id: int | None) -> tuple[RuleSpec, ...]:
    """The enabled rules that apply to a source: its own and the global ones."""
    mine = "OR source_id = %s" if source_id is not None else ""
    sql = (
        f"SELECT id, action, field, kind, pattern FROM {_RULE}"  # noqa: S608 (our table)
        f" WHERE enabled = %s AND (source_id IS NULL {mine}) ORDER BY id"
    )
    rows = rawsql.rows(sql, [True] if source_id is None else [True, source_id])
    return tuple(RuleSpec(id=r[0], action=r[1], field=r[2], kind=r[3], pattern=r[4]) for r in rows)


def _patterns(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def build_settings(source_ids: Sequence[int]) -> dict[int, tuple[tuple[str, ...], KeyRule]]:
    """source id -> (attribution patterns, identity rule): the part of policy_for that
    parsing and cleaning depend on, for many sources in one statement (asked for every
    batch of claimed sources, where compiling two ORM queries cost more than the feeds'
    304s)."""
    if not source_ids:
        return {}
    marks = ", ".join(["%s"] * len(source_ids))
    # only our models' table names and placeholders are formatted into the statement
    sql = (
        f"SELECT s.id, s.identity_rule, p.attribution_patterns FROM {_SOURCE} s"  # noqa: S608
        f" LEFT JOIN {_POLICY} p ON p.source_id = s.id WHERE s.id IN ({marks})"
    )
    found = rawsql.rows(sql, list(source_ids))
    return {pk: (_patterns(patterns or ""), _key_rule(rule)) for pk, rule, patterns in found}


_SOURCE = Source._meta.db_table
_POLICY = SourcePolicy._meta.db_table
_RULE = Rule._meta.db_table
_TOMBSTONE = Tombstone._meta.db_table
_ARTICLE = Article._meta.db_table
_CARRIER = Carrier._meta.db_table


def policy_for(source_id: int) -> Policy:
    """The source's policy: review mode, rules, category map, patterns, age and bounds.

    Fixed SQL (asked once per fetched feed, where compiling three ORM queries cost more
    than the feed's other reads); a source without a SourcePolicy row has the defaults.
    """
    sql = (
        "SELECT s.review, s.last_success_at, s.identity_rule, p.id, p.category_map,"  # noqa: S608
        " p.attribution_patterns, p.max_age_days, p.min_interval_minutes,"
        " p.max_interval_minutes, p.repair_identity, p.match_reissued, p.date_policy,"
        f" EXISTS (SELECT 1 FROM {_ARTICLE} a WHERE a.source_id = s.id)"
        f" OR EXISTS (SELECT 1 FROM {_CARRIER} c WHERE c.source_id = s.id)"
        f" OR EXISTS (SELECT 1 FROM {_TOMBSTONE} t WHERE t.source_id = s.id)"
        f" FROM {_SOURCE} s LEFT JOIN {_POLICY} p ON p.source_id = s.id WHERE s.id = %s"
    )
    found = rawsql.rows(sql, [source_id])
    if not found:
        raise Source.DoesNotExist(f"no source with id {source_id}")
    (review, last_success, rule, policy, categories, patterns, max_age, low, high, repair,
     reissued, dates, history) = found[0]  # fmt: skip
    if isinstance(categories, str):  # SQLite keeps JSON as text; psycopg decodes jsonb
        categories = json.loads(categories)
    has = policy is not None
    return Policy(
        source_id=source_id,
        review=bool(review),
        rules=rules_for(source_id),
        category_map=dict(categories or {}),
        attribution_patterns=_patterns(patterns or ""),
        max_age_days=max_age,
        min_interval_minutes=low,
        max_interval_minutes=high,
        # the archive question only arises before anything was ever imported
        first_fetch=last_success is None,
        identity_rule=_key_rule(rule),
        repair_identity=bool(repair) if has else True,
        match_reissued=bool(reissued) if has else True,
        date_policy=_date_policy(dates or ""),
        history=bool(history),
    )


_KEY_RULES = {rule.value: rule for rule in KeyRule}  # asked per claimed source


def _key_rule(value: str) -> KeyRule:
    return _KEY_RULES.get(value, KeyRule.GUID)


def _date_policy(value: str) -> DatePolicy:
    try:
        return DatePolicy(value)
    except ValueError:
        return DatePolicy.SANE


def tombstoned(
    source_id: int, identities: Iterable[str], links: Mapping[str, str] | None = None
) -> set[str]:
    """Those of `identities` an editor deleted from this source: never import them again.

    `links` maps identities to their article links: an item re-issued under a new key
    (a new GUID, or a new date under a link key) is still the deleted article when its
    link is a tombstone's.
    """
    wanted = list(identities)
    if not wanted:
        return set()
    gone = set(_tombstone_values("identity", source_id, wanted))
    by_link: dict[str, list[str]] = {}
    for key, url in (links or {}).items():
        if url and key not in gone:
            by_link.setdefault(url, []).append(key)
    if by_link:
        for url in _tombstone_values("url", source_id, list(by_link)):
            gone.update(by_link[url])
    return gone


def _tombstone_values(column: str, source_id: int, values: Sequence[str]) -> list[str]:
    """The source's tombstones' `column` (identity or url) among `values` (fixed SQL: asked
    for every fetched feed, nearly always to find none)."""
    found: list[str] = []
    for start in range(0, len(values), 500):  # under SQLite's bound-parameter limit
        chunk = values[start : start + 500]
        marks = ", ".join(["%s"] * len(chunk))
        sql = (
            f"SELECT {column} FROM {_TOMBSTONE}"  # noqa: S608 (our table and column)
            f" WHERE source_id = %s AND {column} IN ({marks})"
        )
        found += [row[0] for row in rawsql.rows(sql, [source_id, *chunk])]
    return found


def feed_version_of(fields: Mapping[str, Any], edited: Iterable[str]) -> dict[str, Any] | None:
    """What the feed now says for the fields an editor changed (for Article.feed_version).

    `fields` is the feed's new value per model field (writes._article_fields, plus
    "categories" as a list of names); fields the editor did not touch are not kept.
    """
    kept = {name: fields[name] for name in edited if name in fields}
    return kept or None


# --- the audit log ------------------------------------------------------------------------


def record(
    user: Any,
    action: str,
    obj: Any | None = None,
    details: Mapping[str, Any] | None = None,
    *,
    object_type: str | None = None,
) -> None:
    """Write one audit entry: `user` (a User, or None for the system) did `action` to `obj`."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    AuditEntry.objects.create(
        user=user if authenticated else None,
        username=(user.get_username() if authenticated else "system")[:150],
        action=action[:40],
        object_type=(object_type or (obj._meta.model_name if obj is not None else ""))[:40],
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        details=dict(details or {}),
    )


# --- editorial acts on articles -----------------------------------------------------------


def set_status(user: Any, article_ids: Iterable[int], status: str, action: str) -> int:
    """Approve (published), reject or unpublish articles; one audit entry each."""
    changed = 0
    with transaction.atomic():
        for article in Article.objects.filter(pk__in=list(article_ids)).exclude(status=status):
            old = article.status
            article.status = status
            article.save(update_fields=["status"])
            record(user, action, article, {"from": old, "to": status})
            changed += 1
    return changed


def set_pinned(user: Any, article_ids: Iterable[int], pinned: bool) -> int:
    changed = 0
    with transaction.atomic():
        for article in Article.objects.filter(pk__in=list(article_ids)).exclude(pinned=pinned):
            article.pinned = pinned
            article.save(update_fields=["pinned"])
            record(user, "pin" if pinned else "unpin", article)
            changed += 1
    return changed


def delete_articles(user: Any, article_ids: Iterable[int]) -> int:
    """Delete articles, leaving a tombstone each so the next fetch does not bring them back:
    in their own source, and in each source that carried them too (store.carriers), which
    would otherwise store the article afresh once its first copy is gone."""
    deleted = 0
    who = user.get_username() if getattr(user, "is_authenticated", False) else "system"
    with transaction.atomic():
        for article in Article.objects.filter(pk__in=list(article_ids)):
            keys = [(article.source_id, article.identity, article.url)]
            keys += article.carriers.values_list("source_id", "identity", "url")
            for source_id, identity, url in keys:
                Tombstone.objects.update_or_create(
                    source_id=source_id,
                    identity=identity,
                    defaults={"title": article.title[:1000], "url": url, "deleted_by": who},
                )
            record(
                user,
                "delete",
                article,
                {"source": article.source_id, "identity": article.identity},
            )
            article.delete()
            deleted += 1
    return deleted


def mark_edited(article: Article, originals: Mapping[str, Any]) -> list[str]:
    """Note on `article` (not saved) that an editor changed these fields: listed in
    edited_fields so fetches keep them, and the feed's value remembered in feed_version the
    first time, so the admin can show what the feed said beside the edit."""
    from newsdesk.store.writes import EDITABLE

    changed = sorted(name for name in originals if name in EDITABLE)
    if not changed:
        return []
    article.edited_fields = sorted(set(article.edited_fields) | set(changed))
    version = dict(article.feed_version or {})
    for name in changed:
        version.setdefault(name, originals[name])
    article.feed_version = version
    return changed


def edit_article(
    user: Any, article_id: int, changes: Mapping[str, str], *, approve: bool = False
) -> Article:
    """Apply an editor's changes to text fields (title, summary, ...) and maybe approve."""
    from django.utils.text import slugify

    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        originals = {
            name: getattr(article, name)
            for name, value in changes.items()
            if getattr(article, name) != value
        }
        for name in originals:
            setattr(article, name, changes[name])
        if "title" in originals:
            article.slug = slugify(article.title)[:200] or "article"
        changed = mark_edited(article, originals)
        old_status = article.status
        if approve:
            article.status = Article.Status.PUBLISHED
        article.save()
        if changed:
            record(user, "edit", article, {"fields": changed})
        if approve and old_status != article.status:
            record(user, "approve", article, {"from": old_status, "to": article.status})
    return article


def revert_edits(user: Any, article_ids: Iterable[int]) -> int:
    """Give edited articles back to the feed: the feed's last known version of each edited
    field is restored, and later fetches update them again."""
    reverted = 0
    with transaction.atomic():
        for article in Article.objects.filter(pk__in=list(article_ids)).exclude(edited_fields=[]):
            version = dict(article.feed_version or {})
            fields = list(article.edited_fields)
            for name in fields:
                if name in version and name != "categories":
                    setattr(article, name, version[name])
            if "categories" in version and "categories" in fields:
                from newsdesk.store.writes import category_named

                article.categories.set([category_named(n) for n in version["categories"] if n])
            article.edited_fields = []
            article.feed_version = None
            # the next fetch must not skip the item as unchanged: it brings the feed's version
            article.content_hash = ""
            article.save()
            record(user, "revert", article, {"fields": fields})
            reverted += 1
    return reverted


def source_attribution_template(source_id: int) -> str | None:
    """The source's own attribution line template, or None for the site's."""
    found = (
        SourcePolicy.objects.filter(source_id=source_id)
        .exclude(attribution_template="")
        .values_list("attribution_template", flat=True)
        .first()
    )
    return found or None


def as_clean(article: Article) -> Any:
    """A stored article as the pipeline's CleanArticle, to test rules against it."""
    from newsdesk.types import CleanArticle

    return CleanArticle(
        guid=article.guid or None,
        url=article.url or None,
        title=article.title,
        author=article.author or None,
        published=article.published_at,
        updated=article.updated_at,
        summary=article.summary,
        body_html=article.body_html,
        categories=tuple(c.name for c in article.categories.all()),
    )


# --- sources --------------------------------------------------------------------------------


def set_enabled(user: Any, source_ids: Iterable[int], enabled: bool) -> int:
    changed = 0
    with transaction.atomic():
        for source in Source.objects.filter(pk__in=list(source_ids)):
            source.enabled = enabled
            source.disabled_reason = "" if enabled else "paused by an editor"
            fields = ["enabled", "disabled_reason"]
            if enabled:
                # resumed: due at once, with a clean slate after whatever made it fail
                source.next_fetch_at = timezone.now()
                source.consecutive_errors = 0
                fields += ["next_fetch_at", "consecutive_errors"]
            source.save(update_fields=fields)
            record(user, "resume" if enabled else "pause", source)
            changed += 1
    return changed


@dataclass(frozen=True, slots=True)
class HealthRow:
    id: int
    name: str
    feed_url: str
    enabled: bool
    failing: bool
    stale: bool  # no successful fetch for a long while: slow or silently broken
    consecutive_errors: int
    last_status: int | None
    last_error: str
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    next_fetch_at: datetime | None
    per_day: tuple[int, ...]  # articles first seen per day, oldest first
    held: int
    # answering, but nothing new for much longer than its usual gap between items
    quiet_since: datetime | None = None
    last_new_at: datetime | None = None
    usual_gap_seconds: float | None = None
    identity_note: str = ""


def health(now: datetime, days: int = 14) -> list[HealthRow]:
    """Every source with its health, failing first, then stale, then by name."""
    start = (now - timedelta(days=days - 1)).date()
    counts: dict[tuple[int, date], int] = {}
    per_day = (
        Article.objects.filter(first_seen_at__date__gte=start)
        .annotate(day=TruncDate("first_seen_at"))
        .values_list("source_id", "day")
        .annotate(n=Count("id"))
    )
    for source_id, day, n in per_day:
        counts[(source_id, day)] = n
    held = dict(
        Article.objects.filter(status=Article.Status.HELD)
        .values_list("source_id")
        .annotate(n=Count("id"))
        .values_list("source_id", "n")
    )
    rows = []
    for s in Source.objects.order_by("name"):
        stale = s.enabled and (
            s.last_success_at is None or s.last_success_at < now - timedelta(days=2)
        )
        rows.append(
            HealthRow(
                id=s.pk,
                name=s.name,
                feed_url=s.feed_url,
                enabled=s.enabled,
                # any error counts here: the dashboard is where an editor looks first
                failing=s.consecutive_errors > 0,
                stale=stale,
                consecutive_errors=s.consecutive_errors,
                last_status=s.last_status,
                last_error=s.last_error,
                last_fetched_at=s.last_fetched_at,
                last_success_at=s.last_success_at,
                next_fetch_at=s.next_fetch_at if s.enabled else None,
                per_day=tuple(
                    counts.get((s.pk, start + timedelta(days=i)), 0) for i in range(days)
                ),
                held=held.get(s.pk, 0),
                quiet_since=s.quiet_since if s.enabled else None,
                last_new_at=s.last_new_at,
                usual_gap_seconds=s.usual_gap_seconds,
                identity_note=s.identity_note,
            )
        )
    rows.sort(
        key=lambda r: (
            not r.failing,
            -r.consecutive_errors,
            r.quiet_since is None,
            not r.stale,
            r.name.lower(),
        )
    )
    return rows


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    username: str
    action: str
    object_repr: str


@dataclass(frozen=True, slots=True)
class DeskSummary:
    held: int
    failing: int
    sources: int
    published_today: int
    recent: tuple[AuditLine, ...]
    quiet: int = 0


def desk_summary(now: datetime | None = None) -> DeskSummary:
    now = now or timezone.now()
    recent = AuditEntry.objects.order_by("-at", "-id")[:5]
    return DeskSummary(
        held=Article.objects.filter(status=Article.Status.HELD).count(),
        failing=Source.objects.filter(consecutive_errors__gt=0).count(),
        quiet=Source.objects.filter(enabled=True, quiet_since__isnull=False).count(),
        sources=Source.objects.count(),
        published_today=Article.objects.filter(
            status=Article.Status.PUBLISHED, first_seen_at__gte=now - timedelta(days=1)
        ).count(),
        recent=tuple(AuditLine(e.at, e.username, e.action, e.object_repr) for e in recent),
    )


# --- login failures (rate limit) ----------------------------------------------------------


def recent_login_failures(key: str, window: timedelta) -> int:
    return LoginFailure.objects.filter(key=key[:200], at__gte=timezone.now() - window).count()


def add_login_failure(key: str, window: timedelta) -> None:
    now = timezone.now()
    # old rows are useless once out of the window: each failure sweeps them
    LoginFailure.objects.filter(at__lt=now - window).delete()
    LoginFailure.objects.create(key=key[:200], at=now)


def clear_login_failures(key: str) -> None:
    LoginFailure.objects.filter(key=key[:200]).delete()
