"""Every real captured feed of ../shared, parsed and cleaned, matches its reviewed golden
JSON in tests/data/golden/. After a deliberate change in parsing or cleaning, rewrite them
with NEWSDESK_UPDATE_GOLDEN=1, look at the diff, and commit what is right."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from golden_feeds import expected, feed_files, key, records, write

pytestmark = pytest.mark.slow


def test_every_real_feed_matches_its_golden_file(shared_dir: Path) -> None:
    feeds = feed_files(shared_dir)
    assert len(feeds) > 150
    update = os.environ.get("NEWSDESK_UPDATE_GOLDEN") == "1"
    missing, different = [], []
    for path in feeds:
        got = records(path)
        want = expected(shared_dir, path)
        if update and got != want:
            write(shared_dir, path, got)
            continue
        if want is None:
            missing.append(key(shared_dir, path))
        elif got != want:
            changed = [
                f"item {i}: {sorted(k for k in g if g.get(k) != w.get(k))}"
                for i, (g, w) in enumerate(zip(got["items"], want["items"], strict=False))
                if g != w
            ]
            different.append(f"{key(shared_dir, path)}: {changed[:3] or 'feed fields'}")
    assert missing == [], "no golden file (run with NEWSDESK_UPDATE_GOLDEN=1 and review)"
    assert different == []


def test_a_golden_file_catches_a_change(shared_dir: Path) -> None:
    path = next(p for p in feed_files(shared_dir) if records(p)["items"])
    want = expected(shared_dir, path)
    assert want is not None
    tampered = records(path)
    tampered["items"][0]["title"] += " (changed)"
    assert tampered != want
