"""replay(): why did this happen? Re-run a stored fetch through the pipeline, offline.

The raw bytes of a source's last few fetches are kept (`store.fetchlog`, written by update()).
Replay runs one of them through parse → clean → identity → the editor's rules → decide, as
update() would now, and says per item what would happen and why. It never touches the
network and never writes to the database: it only reads the source's policy, its tombstones
and the articles stored under the items' identities or links. Full text is not fetched; an
item that would get it says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from newsdesk.engine.dating import date_article
from newsdesk.engine.dedupe import reissue
from newsdesk.errors import InputError
from newsdesk.pipeline import rules
from newsdesk.pipeline.prepare import build_items
from newsdesk.pipeline.update import full_text_items, screen_feed
from newsdesk.pipeline.websub import PUSHED_BY
from newsdesk.store import carriers, editorial, fetchlog
from newsdesk.store.fetchlog import StoredArticle, StoredFetch
from newsdesk.store.writes import Incoming, SourceState
from newsdesk.types import CleanOptions


class Decision(StrEnum):
    NEW = "new"
    HELD = "held"  # new, but held for review
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    DROPPED = "dropped"
    TOMBSTONED = "tombstoned"


_KEY_NAMES = (
    ("guid:", "guid"),
    ("url:", "link"),
    ("hash:", "content hash"),
    ("ld:", "link and date"),
    ("ldt:", "link, date and title"),
)
_RULE_ID = re.compile(r"^rule (\d+) ")


def key_of(identity: str) -> str:
    """Which key made an identity: "guid", "link" or "content hash" (engine.dedupe.identity)."""
    for prefix, name in _KEY_NAMES:
        if identity.startswith(prefix):
            return name
    return "identity"


@dataclass(frozen=True, slots=True)
class ItemReplay:
    """What update() would do with one item of the feed, and why."""

    index: int  # 1-based position in the feed
    identity: str
    title: str
    url: str | None
    decision: Decision
    why: str  # the human-readable verdict, e.g. "duplicate of article #3 by guid"
    article: int | None = None  # the stored article it updates, matches or duplicates
    duplicate_of_item: int | None = None
    rule: int | None = None
    image_url: str | None = None
    image_origin: str | None = None
    full_text: bool = False  # a new item whose page would be fetched for its full text
    same_link_as: int | None = None  # a stored article with the same link but another key
    edited_fields: tuple[str, ...] = ()

    @property
    def image(self) -> str:
        return f"image from {self.image_origin}" if self.image_url else "no image"

    def line(self) -> str:
        return f"{self.index}\t{self.why}\t{self.image}\t{self.title}"

    def record(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "title": self.title,
            "url": self.url,
            "identity": self.identity,
            "key": key_of(self.identity),
            "decision": self.decision.value,
            "why": self.why,
            "article": self.article,
            "duplicate_of_item": self.duplicate_of_item,
            "rule": self.rule,
            "image": (
                {"url": self.image_url, "origin": self.image_origin} if self.image_url else None
            ),
            "full_text": self.full_text,
            "same_link_as": self.same_link_as,
            "edited_fields": list(self.edited_fields),
        }


@dataclass(frozen=True, slots=True)
class Replay:
    source: SourceState
    fetch: StoredFetch
    items: list[ItemReplay] = field(default_factory=list)
    identity: str = ""  # the key the items carry, or the switch this fetch would make

    def header(self) -> str:
        f = self.fetch
        when = f.fetched_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        hub = f.fetched.headers.get(PUSHED_BY)
        how = f"pushed by the WebSub hub {hub}" if hub else f"HTTP {f.fetched.status}"
        return (
            f"source {self.source.id} ({self.source.name}): fetch {f.number} of {f.kept}, "
            f"{when} UTC, {how}, {len(f.fetched.content)} bytes, "
            f"{len(self.items)} items; replayed offline, nothing saved\n{self.identity}"
        )

    def footer(self) -> str:
        counts = {d: 0 for d in Decision}
        for item in self.items:
            counts[item.decision] += 1
        return "would be: " + ", ".join(f"{n} {d.value}" for d, n in counts.items())


def _dropped(reason: str) -> tuple[Decision, str, int | None]:
    if reason == "deleted by an editor":
        return Decision.TOMBSTONED, "tombstoned (deleted by an editor)", None
    if reason.startswith("older than"):
        return Decision.DROPPED, f"dropped: too old ({reason})", None
    detail = reason.removeprefix("excluded: ")
    found = _RULE_ID.match(detail)
    return Decision.DROPPED, f"dropped: {detail}", int(found.group(1)) if found else None


def _held(reason: str) -> tuple[str, int | None]:
    detail = reason.removeprefix("held: ")
    found = _RULE_ID.match(detail)
    if found:
        return f"held by {detail}", int(found.group(1))
    return f"held: {detail}", None


def _reissues(
    items: list[tuple[Any, Incoming]], stored: list[StoredArticle], keys: set[str]
) -> dict[str, tuple[int, str]]:
    """As store.writes._reissued: items under a new key that re-issue a stored article."""
    found = reissue.match(
        [reissue.Candidate(i.identity, i.article.url or "", i.content_hash) for _, i in items],
        [reissue.Candidate(a.identity, a.url, a.content_hash, a.id) for a in stored],
        keys,
    )
    return {key: (hit.article_id, hit.by) for key, hit in found.items()}


def replay(
    source_ref: str,
    number: int = 1,
    now: datetime | None = None,
    full_text_limit: int = 50,
    embeds: tuple[str, ...] = (),
) -> Replay:
    """Replay the `number`-th newest stored fetch (1: the newest) of a source (id or slug);
    `full_text_limit` is update()'s cap on full-text pages per fetch, `embeds` the
    operator's players (Settings.embeds)."""
    source = fetchlog.find_source(source_ref)
    stored = fetchlog.stored_fetch(source.id, number)
    if stored is None:
        kept = fetchlog.kept_fetches(source.id)
        raise InputError(
            f"replay: source {source.id} has no stored fetch {number} "
            f"({kept} kept; fetches are kept from the next `newsdesk update` on)"
        )
    now = now or datetime.now(UTC)
    policy = editorial.policy_for(source.id)
    options = rules.clean_options(policy, CleanOptions(embeds=embeds))
    built = build_items(stored.fetched, options, policy.identity_rule)
    checked, screened_all = screen_feed(source, policy, built, now)
    built = checked.built
    stored_rows = fetchlog.stored_articles(
        source.id,
        [inc.identity for _, inc in built.items],
        [inc.article.url or "" for _, inc in built.items],
        [inc.content_hash for _, inc in built.items],
        rekey=checked.switch.to if checked.switch else None,
    )
    by_identity: dict[str, StoredArticle] = {a.identity: a for a in stored_rows}
    by_id = {a.id: a for a in stored_rows}
    by_url: dict[str, StoredArticle] = {}
    for row in stored_rows:
        by_url.setdefault(row.url, row)
    reissued = (
        _reissues(screened_all.items, stored_rows, set(by_identity))
        if policy.match_reissued
        else {}
    )
    # as save_feed: items neither stored nor re-issued may be carried (store.carriers)
    fresh: dict[str, str | None] = {}
    for _, inc in screened_all.items:
        if inc.identity not in by_identity and inc.identity not in reissued:
            fresh.setdefault(inc.identity, inc.article.url)
    carried = carriers.known(source.id, fresh)
    elsewhere = carriers.elsewhere(
        source.id, {k: url for k, url in fresh.items() if k not in carried}
    )
    paged = {
        inc.identity
        for _, inc in full_text_items(
            source.full_text,
            screened_all.items,
            # as update(): stored unchanged, re-issued or carried means no page fetch
            {
                inc.identity
                for _, inc in screened_all.items
                if inc.identity in by_identity
                and by_identity[inc.identity].content_hash == inc.content_hash
            }
            | set(reissued)
            | set(carried)
            | set(elsewhere),
            full_text_limit,
        )
    }
    result = Replay(
        source=source,
        fetch=stored,
        identity=checked.switch.note() if checked.switch else f"identity: {checked.rule}",
    )
    gone = editorial.tombstoned(
        source.id,
        [inc.identity for _, inc in built.items],
        {inc.identity: inc.article.url or "" for _, inc in built.items},
    )
    first_seen: dict[str, int] = {}  # identity -> index of the first item kept under it
    for index, pair in enumerate(built.items, 1):
        screened = rules.screen(policy, [pair], now, gone)
        incoming = screened.items[0][1] if screened.items else pair[1]
        article = incoming.article
        image = article.image
        base: dict[str, Any] = {
            "index": index,
            "identity": incoming.identity,
            "title": article.title,
            "url": article.url,
            "image_url": image.url if image else None,
            "image_origin": image.origin if image else None,
        }
        if screened.dropped:
            decision, why, dropped_by = _dropped(screened.dropped[0][1])
            result.items.append(ItemReplay(**base, decision=decision, why=why, rule=dropped_by))
            continue
        old = by_identity.get(incoming.identity)
        key = key_of(incoming.identity)
        if incoming.identity in first_seen:
            # save_feed keeps the first item of a repeated identity (the newest, in feed order)
            first = first_seen[incoming.identity]
            why = (
                f"duplicate of article #{old.id} by {key}"
                if old
                else f"duplicate of item {first} by {key} (that item is new)"
            )
            result.items.append(
                ItemReplay(
                    **base,
                    decision=Decision.DUPLICATE,
                    why=why,
                    article=old.id if old else None,
                    duplicate_of_item=first,
                )
            )
            continue
        first_seen[incoming.identity] = index
        hit = reissued.get(incoming.identity)
        if old is None and hit is not None:
            old = by_id[hit[0]]
            edited = old.edited_fields
            why = f"updated (re-issued under a new {key}, same {hit[1]}): article #{old.id}"
            if edited:
                why += "; editor's edits kept: " + ", ".join(edited)
            result.items.append(
                ItemReplay(
                    **base, decision=Decision.UPDATED, why=why, article=old.id, edited_fields=edited
                )
            )
            continue
        if old is not None:
            edited = old.edited_fields
            if old.content_hash == incoming.content_hash:
                decision, why = Decision.UNCHANGED, f"unchanged: article #{old.id}"
            else:
                decision, why = Decision.UPDATED, f"updated (content changed): article #{old.id}"
                if edited:
                    why += "; editor's edits kept: " + ", ".join(edited)
            result.items.append(
                ItemReplay(**base, decision=decision, why=why, article=old.id, edited_fields=edited)
            )
            continue
        if incoming.identity in carried:
            owner = carried[incoming.identity]
            why = f"unchanged: carried, article #{owner} of another source"
            result.items.append(
                ItemReplay(**base, decision=Decision.UNCHANGED, why=why, article=owner)
            )
            continue
        match = elsewhere.get(incoming.identity)
        if match is not None:
            why = (
                f"duplicate of article #{match.article_id} of source {match.source_id}"
                f" ({match.source_name}) by link: carried, not stored again"
            )
            result.items.append(
                ItemReplay(**base, decision=Decision.DUPLICATE, why=why, article=match.article_id)
            )
            continue
        rule: int | None = None
        decision, why = Decision.NEW, "new"
        if incoming.identity in screened.held:
            decision = Decision.HELD
            held_why, rule = _held(screened.held[incoming.identity])
            why = f"new, {held_why}"
        dated = date_article(policy.date_policy, article.published, now)
        if dated.note:
            why += f"; date: {dated.note}"
        full_text = incoming.identity in paged
        if full_text:
            why += "; would fetch full text"
        twin = by_url.get(article.url or "")
        same_link = twin.id if twin and twin.identity != incoming.identity else None
        if twin and same_link:
            why += f"; same link as article #{twin.id} (stored by {key_of(twin.identity)})"
        result.items.append(
            ItemReplay(
                **base,
                decision=decision,
                why=why,
                rule=rule,
                full_text=full_text,
                same_link_as=same_link,
            )
        )
    return result
