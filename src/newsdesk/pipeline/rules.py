"""What an editor's rules make of an incoming item: publish, hold for review, or drop.

Pure functions of (policy, items, now): the policy is loaded once per feed by
`newsdesk.store.editorial.policy_for`, so a whole feed is screened without another query.

The order of the checks is the order an editor reasons in: a deleted article stays deleted;
a first import skips the archive; an exclude rule drops; when include rules exist, an item
must match one; a hold rule, or a source set to review, holds the item for a person.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from newsdesk.pipeline import decide
from newsdesk.store.editorial import Policy, RuleSpec
from newsdesk.store.writes import Incoming
from newsdesk.types import CleanArticle, CleanOptions

T = TypeVar("T")


class Outcome(StrEnum):
    PUBLISH = "publish"
    HOLD = "hold"
    DROP = "drop"


@dataclass(frozen=True, slots=True)
class Verdict:
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Screened(Generic[T]):
    """A feed after the rules: the (item, incoming) pairs to save, categories mapped; which
    of them are held and why (identity → reason); which were dropped and why."""

    items: list[tuple[T, Incoming]] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)
    dropped: list[tuple[str, str]] = field(default_factory=list)


_TAG = re.compile(r"<[^>]*>")


def _text(markup: str) -> str:
    # a tag becomes a space (block ends separate words), runs of spaces become one, so a
    # phrase split by inline markup ("the <b>change</b>") still reads as written
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def _values(article: CleanArticle, name: str) -> list[str]:
    if name == "title":
        return [article.title]
    if name == "body":
        return [article.summary, _text(article.body_html)]
    if name == "author":
        return [article.author or ""]
    if name == "category":
        return list(article.categories)
    return [
        *_values(article, "title"),
        *_values(article, "body"),
        *_values(article, "author"),
        *_values(article, "category"),
    ]


def compile_rule(rule: RuleSpec) -> re.Pattern[str]:
    """The rule as one regular expression; raises re.error for a bad pattern.

    A keyword rule may list several keywords separated by commas: any of them matches, as a
    whole word in any case ("war" matches "War" but not "software").
    """
    if rule.kind == "regex":
        return re.compile(rule.pattern, re.IGNORECASE)
    words = [w.strip() for w in rule.pattern.split(",") if w.strip()]
    if not words:
        return re.compile(r"(?!)")  # an empty keyword list matches nothing
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def matches(rule: RuleSpec, article: CleanArticle) -> str | None:
    """The text that made the rule match, or None."""
    try:
        pattern = compile_rule(rule)
    except re.error:
        return None  # the admin refuses bad patterns; an old bad row must not stop a feed
    for value in _values(article, rule.field):
        found = pattern.search(value)
        if found:
            return found.group(0)
    return None


def _describe(rule: RuleSpec, hit: str) -> str:
    return (
        f"rule {rule.id} ({rule.action} {rule.field} {rule.kind} {rule.pattern!r}) matched {hit!r}"
    )


def evaluate(article: CleanArticle, rules: Sequence[RuleSpec], *, review: bool = False) -> Verdict:
    """Publish, hold or drop one item under the rules (tombstones and age are checked by
    `screen`, which knows the identity and the time)."""
    active = [r for r in rules if r.enabled]
    for rule in active:
        if rule.action == "exclude":
            hit = matches(rule, article)
            if hit is not None:
                return Verdict(Outcome.DROP, "excluded: " + _describe(rule, hit))
    includes = [r for r in active if r.action == "include"]
    if includes and all(matches(r, article) is None for r in includes):
        return Verdict(Outcome.DROP, "matches none of the include rules")
    for rule in active:
        if rule.action == "hold":
            hit = matches(rule, article)
            if hit is not None:
                return Verdict(Outcome.HOLD, "held: " + _describe(rule, hit))
    if review:
        return Verdict(Outcome.HOLD, "the source is set to review")
    return Verdict(Outcome.PUBLISH)


def map_categories(categories: Iterable[str], mapping: Mapping[str, str]) -> tuple[str, ...]:
    """The feed's categories as site categories: mapped ones renamed (matched without regard
    to case), ones mapped to "" dropped, unmapped ones kept as the feed names them."""
    lowered = {k.strip().lower(): v.strip() for k, v in mapping.items()}
    out: list[str] = []
    for name in categories:
        target = lowered.get(name.strip().lower(), name.strip())
        if target and target not in out:
            out.append(target)
    return tuple(out)


def too_old(article: CleanArticle, max_age_days: int | None, now: datetime) -> bool:
    if max_age_days is None or article.published is None:
        return False
    return article.published < now - timedelta(days=max_age_days)


def screen(
    policy: Policy,
    items: Sequence[tuple[T, Incoming]],
    now: datetime,
    tombstoned: Collection[str] = frozenset(),
) -> Screened[T]:
    """Apply the source's policy to a feed's (parsed item, incoming) pairs.

    `tombstoned`: the identities an editor deleted (newsdesk.store.editorial.tombstoned).
    """
    result: Screened[T] = Screened()
    for item, incoming in items:
        if incoming.identity in tombstoned:
            result.dropped.append((incoming.identity, "deleted by an editor"))
            continue
        article = incoming.article
        if policy.first_fetch and too_old(article, policy.max_age_days, now):
            result.dropped.append(
                (incoming.identity, f"older than {policy.max_age_days} days on the first fetch")
            )
            continue
        if policy.category_map:
            article = replace(
                article, categories=map_categories(article.categories, policy.category_map)
            )
            incoming = replace(incoming, article=article)
        verdict = evaluate(article, policy.rules, review=policy.review)
        if verdict.outcome is Outcome.DROP:
            result.dropped.append((incoming.identity, verdict.reason))
            continue
        if verdict.outcome is Outcome.HOLD:
            result.held[incoming.identity] = verdict.reason
        result.items.append((item, incoming))
    return result


def clean_options(policy: Policy, base: CleanOptions | None = None) -> CleanOptions:
    """The clean stage's options with the source's own attribution patterns."""
    base = base or CleanOptions()
    if not policy.attribution_patterns:
        return base
    return replace(base, attribution_patterns=policy.attribution_patterns)


def bounds(policy: Policy, default: decide.Bounds) -> decide.Bounds:
    """The fetch interval bounds, narrowed or widened by the source's own settings."""
    low = default.min_interval
    high = default.max_interval
    if policy.min_interval_minutes:
        low = timedelta(minutes=policy.min_interval_minutes)
    if policy.max_interval_minutes:
        high = timedelta(minutes=policy.max_interval_minutes)
    return decide.Bounds(min_interval=low, max_interval=max(low, high))
