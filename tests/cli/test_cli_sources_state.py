"""`newsdesk sources` says which sources are quiet and how their items are keyed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.clitools import make_cli


def test_sources_shows_a_quiet_source_and_its_identity(tmp_path: Path) -> None:
    home = tmp_path / "home"
    cli = make_cli(home)
    assert cli("add", "https://demo.newsdesk.invalid/feeds/world.xml").code == 0
    assert cli("update", "--all").code == 0
    fresh = cli("sources", "--json").json_lines()[0]
    assert fresh["state"] == "ok" and fresh["identity"] == "guid"
    assert fresh["quiet_since"] is None and fresh["last_new_item"] is not None
    # what a run weeks later would have recorded for a source that stopped publishing
    with sqlite3.connect(home / "newsdesk.sqlite3") as db:
        db.execute(
            "UPDATE store_source SET quiet_since = '2026-11-30 12:00:00', "
            "last_new_at = '2026-11-20 08:00:00', usual_gap_seconds = 7200, "
            "identity_rule = 'link+date', identity_note = 'identity: 3 of 3 items (100%) "
            "have no GUID; switched from guid to link+date'"
        )
    text = cli("sources")
    assert text.code == 0
    line = text.out.splitlines()[0]
    assert "\tQUIET\t" in line
    assert "quiet: nothing new since 2026-11-20 08:00, usually every 2 h" in line
    row = cli("sources", "--json").json_lines()[0]
    assert row["state"] == "quiet" and row["quiet_since"] == "2026-11-30T12:00:00Z"
    assert row["usual_gap_seconds"] == 7200 and row["identity"] == "link+date"
    assert row["identity_note"].endswith("switched from guid to link+date")
