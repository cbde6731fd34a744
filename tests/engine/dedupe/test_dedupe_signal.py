"""The identity check: when a fetch shows a source's GUIDs cannot be trusted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from newsdesk.engine.dedupe.identity import KeyRule
from newsdesk.engine.dedupe.signal import Seen, StoredKey, assess

T = datetime(2026, 11, 30, 12, tzinfo=UTC)


def items(n: int, guid: str | None = "g{}", link: str = "https://w.example/{}", dated: bool = True):  # type: ignore[no-untyped-def]
    return [
        Seen(
            guid=guid.format(i) if guid is not None else "",
            url=link.format(i),
            title=f"Title {i}",
            published=T - timedelta(hours=i) if dated else None,
        )
        for i in range(n)
    ]


def test_good_guids_call_for_nothing() -> None:
    assert assess(KeyRule.GUID, items(40), {}) is None


def test_one_missing_guid_in_forty_is_a_small_share_but_three_are_not() -> None:
    few = items(40)
    few[0] = Seen("", few[0].url, few[0].title, few[0].published)
    assert assess(KeyRule.GUID, few, {}) is None
    many = [Seen("", s.url, s.title, s.published) if i < 3 else s for i, s in enumerate(items(40))]
    switch = assess(KeyRule.GUID, many, {})
    assert switch is not None and switch.to is KeyRule.LINK_DATE
    assert switch.reason == "3 of 40 items (8%) have no GUID"


def test_a_guid_shared_by_every_item() -> None:
    switch = assess(KeyRule.GUID, items(5, guid="same"), {})
    assert switch is not None and switch.to is KeyRule.LINK_DATE
    assert "5 of 5 items (100%) repeat a GUID" in switch.reason


def test_items_sharing_link_and_date_go_straight_to_the_title_key() -> None:
    # every item links to the home page and none is dated: only the title tells them apart
    same = items(6, guid="same", link="https://w.example/", dated=False)
    switch = assess(KeyRule.GUID, same, {})
    assert switch is not None and switch.to is KeyRule.LINK_DATE_TITLE
    assert switch.note().endswith("switched from guid to link+date+title")
    # a source on link+date that starts sharing links and dates moves on too
    later = assess(KeyRule.LINK_DATE, same, {})
    assert later is not None and later.to is KeyRule.LINK_DATE_TITLE
    assert assess(KeyRule.LINK_DATE_TITLE, same, {}) is None  # nothing stronger


def test_churn_is_a_new_guid_on_a_stored_link_and_title() -> None:
    fetch = items(10)
    stored = {s.url: [StoredKey(guid=f"old-{i}", title=s.title)] for i, s in enumerate(fetch)}
    switch = assess(KeyRule.GUID, fetch, stored)
    assert switch is not None and "10 of 10 items (100%) came with a new GUID" in switch.reason
    # the same GUIDs as stored: no churn
    same = {s.url: [StoredKey(guid=s.guid, title=s.title)] for s in fetch}
    assert assess(KeyRule.GUID, fetch, same) is None
    # a new GUID on a link whose stored article had another title is another story
    retitled = {s.url: [StoredKey(guid="old", title="Something else")] for s in fetch}
    assert assess(KeyRule.GUID, fetch, retitled) is None


def test_without_links_there_is_nothing_better_than_the_guid() -> None:
    assert assess(KeyRule.GUID, items(5, guid="same", link=""), {}) is None
