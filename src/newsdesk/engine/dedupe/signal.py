"""Is this source's identity signal still good? Decide when to key its items on links instead.

A feed's GUIDs are the best key while they behave. Some feeds leave them out, give every
item the same one, or mint new ones on every fetch while the link and title stay: under a
GUID key the first loses items' updates, the second loses items outright, the third
duplicates the whole feed on every fetch. One fetch is enough to see each of these, so the
check runs on every fetch, before anything is saved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from newsdesk.engine.dedupe.canonical import canonical_url
from newsdesk.engine.dedupe.identity import KeyRule

# more than this share of a fetch's items misbehaving moves the source to a stronger key
SMALL_SHARE = 0.05


@dataclass(frozen=True, slots=True)
class Seen:
    """What the check needs of one item of the fetch."""

    guid: str
    url: str
    title: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class StoredKey:
    """An article already stored for the source under a link: its GUID and title."""

    guid: str
    title: str


@dataclass(frozen=True, slots=True)
class Switch:
    """Move the source from `rule` to `to`, because of `reason` (shown to editors)."""

    rule: KeyRule
    to: KeyRule
    reason: str

    def note(self) -> str:
        return f"identity: {self.reason}; switched from {self.rule} to {self.to}"


def _norm(title: str) -> str:
    return " ".join(title.split()).casefold()


def _repeated(items: Sequence[Seen], key: Callable[[Seen], Hashable]) -> int:
    """How many items share their key with another item of the fetch."""
    counts = Counter(key(i) for i in items)
    return sum(n for n in counts.values() if n > 1)


def _link_date(i: Seen) -> Hashable:
    return (canonical_url(i.url), i.published)


def _link_date_title(i: Seen) -> Hashable:
    return (canonical_url(i.url), i.published, _norm(i.title))


_KEYS: dict[KeyRule, Callable[[Seen], Hashable]] = {
    KeyRule.LINK_DATE: _link_date,
    KeyRule.LINK_DATE_TITLE: _link_date_title,
}


def _share(n: int, total: int) -> str:
    return f"{n} of {total} items ({100 * n / total:.0f}%)"


def _guid_trouble(items: Sequence[Seen], stored: Mapping[str, Sequence[StoredKey]]) -> str | None:
    total = len(items)
    limit = SMALL_SHARE * total
    empty = sum(1 for i in items if not i.guid)
    if empty > limit:
        return f"{_share(empty, total)} have no GUID"
    with_guid = [i for i in items if i.guid]
    repeated = _repeated(with_guid, lambda i: i.guid)
    if repeated > limit:
        return f"{_share(repeated, total)} repeat a GUID another item of the same fetch uses"
    churned = 0
    for item in with_guid:
        title = _norm(item.title)
        same = [s for s in stored.get(canonical_url(item.url), ()) if _norm(s.title) == title]
        if same and all(s.guid and s.guid != item.guid for s in same):
            churned += 1
    if churned > limit:
        return (
            f"{_share(churned, total)} came with a new GUID while their link and title "
            "stayed the same"
        )
    return None


def assess(
    rule: KeyRule, items: Sequence[Seen], stored: Mapping[str, Sequence[StoredKey]]
) -> Switch | None:
    """The switch this fetch calls for, or None. `stored` maps canonical links to the
    source's stored articles under them (only needed for GUID churn)."""
    linked = [i for i in items if i.url]
    if not linked:
        return None  # no link to key on: the GUID (or content) is the best there is
    if rule is KeyRule.GUID:
        reason = _guid_trouble(items, stored)
    else:
        repeated = _repeated(linked, _KEYS[rule])
        reason = (
            f"{_share(repeated, len(items))} share their {rule} with another item"
            if repeated > SMALL_SHARE * len(items)
            else None
        )
    if reason is None:
        return None
    target = rule.stronger
    if target is None:
        return None
    # go as far as this fetch needs: link+date is not enough when items share dates too
    while target.stronger and _repeated(linked, _KEYS[target]) > SMALL_SHARE * len(items):
        target = target.stronger
    return Switch(rule=rule, to=target, reason=reason)
