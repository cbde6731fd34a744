"""The identity check of one fetch, shared by update() and replay: does the source's key
still tell its items apart, and if not, the fetch's items under the stronger key."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from newsdesk.engine.dedupe.identity import KeyRule, identity_for
from newsdesk.engine.dedupe.signal import Seen, Switch, assess
from newsdesk.store import writes
from newsdesk.store.editorial import Policy
from newsdesk.store.writes import Incoming
from newsdesk.types import ParsedItem

if TYPE_CHECKING:
    from newsdesk.pipeline.prepare import Built


@dataclass(frozen=True, slots=True)
class Checked:
    built: Built
    rule: KeyRule  # the key the items now carry
    switch: Switch | None  # set when this fetch moves the source to a stronger key


def _seen(item: ParsedItem, incoming: Incoming) -> Seen:
    article = incoming.article
    return Seen(
        guid=(item.guid or "").strip(),
        url=article.url or "",
        title=article.title,
        published=article.published,
    )


def check_identity(source_id: int, policy: Policy, built: Built) -> Checked:
    rule = policy.identity_rule
    if not policy.repair_identity or not built.items:
        return Checked(built, rule, None)
    seen = [_seen(item, inc) for item, inc in built.items]
    stored = (
        writes.stored_link_keys(source_id, [s.url for s in seen])
        if rule is KeyRule.GUID and policy.history
        else {}
    )
    switch = assess(rule, seen, stored)
    if switch is None:
        return Checked(built, rule, None)
    items = [
        (item, replace(inc, identity=identity_for(item, inc.article, switch.to)))
        for item, inc in built.items
    ]
    return Checked(replace(built, items=items), switch.to, switch)
