from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import UTC, datetime

from newsdesk.engine.dedupe import content_hash, item_identity
from newsdesk.types import CleanArticle, ParsedItem

WHEN = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)


def _item(**fields: object) -> ParsedItem:
    base: dict[str, object] = {"guid": None, "link": None, "title": "Title"}
    base.update(fields)
    return ParsedItem(**base)  # type: ignore[arg-type]


def test_guid_wins() -> None:
    item = _item(guid=" https://n.example/?p=1 ", link="https://n.example/a")
    assert item_identity(item) == "guid:https://n.example/?p=1"


def test_blank_guid_falls_back_to_the_canonical_link() -> None:
    item = _item(guid="   ", link="https://N.example/a?utm_source=rss#top")
    assert item_identity(item) == "url:https://n.example/a"


def test_without_guid_or_link_the_content_decides() -> None:
    one = _item(title="T", published=WHEN, summary_html="<p>Body</p>")
    same = _item(title="T", published=WHEN, summary_html="<p>Body</p>")
    other = _item(title="T", published=WHEN, summary_html="<p>Body!</p>")
    assert item_identity(one).startswith("hash:")
    assert item_identity(one) == item_identity(same)
    assert item_identity(one) != item_identity(other)
    assert item_identity(one) != item_identity(_item(title="T", summary_html="<p>Body</p>"))


def test_hash_fields_are_separated() -> None:
    assert item_identity(_item(title="ab", summary_html="c")) != item_identity(
        _item(title="a", summary_html="bc")
    )


def test_long_keys_are_hashed_to_fit() -> None:
    guid = "x" * 2000
    key = item_identity(_item(guid=guid))
    assert len(key) <= 600
    assert key == "guid:sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    assert len(item_identity(_item(link="https://n.example/" + "a" * 1000))) <= 600


def test_identity_is_stable_across_processes() -> None:
    # hash() is salted per process; the key must not be.
    code = (
        "from newsdesk.engine.dedupe import item_identity;"
        "from newsdesk.types import ParsedItem;"
        "print(item_identity(ParsedItem(guid=None, link=None, title='T', summary_html='B')))"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    assert runs == {item_identity(_item(title="T", summary_html="B"))}


def _article(title: str, body: str) -> CleanArticle:
    return CleanArticle(
        guid="g", url=None, title=title, author=None, published=None, updated=None,
        summary="s", body_html=body,
    )  # fmt: skip


def test_content_hash_tracks_title_and_body_only() -> None:
    base = _article("T", "<p>B</p>")
    assert content_hash(base) == content_hash(_article("T", "<p>B</p>"))
    assert content_hash(base) != content_hash(_article("T2", "<p>B</p>"))
    assert content_hash(base) != content_hash(_article("T", "<p>B2</p>"))
    assert len(content_hash(base)) == 64
