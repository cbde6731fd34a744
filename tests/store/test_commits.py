"""Group commits (store.commits): several feeds' saves in one SQLite transaction."""

from __future__ import annotations

import pytest
from django.db import connection

from newsdesk.store import commits
from newsdesk.store.commits import CommitGroup
from newsdesk.store.models import Category

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_both]


def names() -> set[str]:
    return set(Category.objects.values_list("name", flat=True))


def in_transaction() -> bool:
    """Whether an atomic block is open on the connection (the test database is in memory,
    so a second connection cannot look at what is committed)."""
    return connection.in_atomic_block


def test_parts_stay_in_one_transaction_until_the_group_commits() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite groups commits")
    group = CommitGroup.for_connection()
    assert group.enabled
    with group.part():
        Category.objects.create(name="One", slug="one")
    assert in_transaction()
    with group.part():
        Category.objects.create(name="Two", slug="two")
    assert in_transaction()
    group.commit()
    assert not in_transaction()
    assert names() == {"One", "Two"}
    group.commit()  # nothing open: nothing to do


def test_a_failed_part_is_rolled_back_alone() -> None:
    group = CommitGroup(enabled=True)
    with group.part():
        Category.objects.create(name="Kept", slug="kept")
    with pytest.raises(RuntimeError), group.part():
        Category.objects.create(name="Lost", slug="lost")
        raise RuntimeError("this feed's save failed")
    with group.part():
        Category.objects.create(name="After", slug="after")
    group.commit()
    assert not in_transaction()
    assert names() == {"Kept", "After"}


def test_a_group_commits_when_full_or_old(monkeypatch: pytest.MonkeyPatch) -> None:
    group = CommitGroup(enabled=True)
    for n in range(commits.MAX_PARTS - 1):
        with group.part():
            Category.objects.create(name=f"c{n}", slug=f"c{n}")
        group.commit_if_due()
    assert in_transaction()
    with group.part():
        Category.objects.create(name="last", slug="last")
    group.commit_if_due()
    assert not in_transaction()
    assert len(names()) == commits.MAX_PARTS
    monkeypatch.setattr(commits, "MAX_OPEN_SECONDS", 0.0)
    with group.part():
        Category.objects.create(name="old", slug="old")
    assert in_transaction()
    group.commit_if_due()
    assert not in_transaction()


def test_a_disabled_group_commits_each_part_on_its_own() -> None:
    group = CommitGroup(enabled=False)
    with group.part():
        Category.objects.create(name="Alone", slug="alone")
        assert not in_transaction()
    assert names() == {"Alone"}
