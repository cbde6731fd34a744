"""A kill -9 in the middle of `newsdesk update`, then a re-run, gives the same articles as an
uninterrupted run: on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.cli.clitools import NEWSDESK, make_cli
from tests.conftest import Farm, start_farm

pytestmark = [pytest.mark.farm, pytest.mark.slow]

FEEDS, ITEMS = 80, 50


@pytest.fixture(scope="module")
def big_farm(shared_dir: Path) -> Iterator[Farm]:
    farm = start_farm(shared_dir, "--feeds", str(FEEDS), "--items", str(ITEMS), "--seed", "3")
    yield farm
    farm.process.kill()
    farm.process.wait()


def articles(home: Path, env: dict[str, str]) -> set[tuple[str, str, str, str]]:
    records = make_cli(home, **env)("articles", "--json", "--limit", "100000").json_lines()
    return {(r["source"]["feed_url"], r["guid"], r["url"], r["title"]) for r in records}


def kill_midway(home: Path, env: dict[str, str], count: Callable[[], int]) -> int:
    run_env = {**os.environ, "NEWSDESK_HOME": str(home), "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "1"}
    run_env.update(env)
    proc = subprocess.Popen(
        [NEWSDESK, "update", "--all"],
        env=run_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    seen = 0
    while time.monotonic() < deadline and proc.poll() is None:
        seen = count()
        if seen > 0:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # its feed-building helpers die with it: one left over would hold the killed run's
    # PostgreSQL session (and its locks) open
    deadline = time.monotonic() + 10
    while (left := processes_with_home(home)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"helpers outlived the killed update: {left}"
    return seen


def processes_with_home(home: Path) -> list[int]:
    """Processes started with NEWSDESK_HOME=home (Linux /proc; none elsewhere)."""
    wanted = f"NEWSDESK_HOME={home}".encode()
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours to read
            continue
        if wanted in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def scenario(tmp_path: Path, farm: Farm, env: dict[str, str], count: Callable[[], int]) -> None:
    opml = tmp_path / "farm.opml"
    opml.write_bytes(farm.get("/opml.xml"))
    victim = tmp_path / "victim"
    cli = make_cli(victim, **env)
    assert cli("init").code == 0
    # full text is tested elsewhere; here it would only make each run slower
    assert cli("import-opml", str(opml), "--full-text", "never").code == 0

    seen = kill_midway(victim, env, count)
    stored = count()
    assert 0 < stored < FEEDS * ITEMS, f"the kill came too late to prove anything ({seen})"
    assert stored % ITEMS == 0, "a feed was half saved"
    resumed = cli("update")
    assert resumed.code == 0, resumed.err

    reference_home = tmp_path / "reference"
    ref_env = {k: v for k, v in env.items() if k != "NEWSDESK_DATABASE_URL"}
    ref = make_cli(reference_home, **ref_env)
    assert ref("import-opml", str(opml), "--full-text", "never").code == 0
    assert ref("update").code == 0

    got = articles(victim, env)
    assert len(got) == FEEDS * ITEMS
    assert got == articles(reference_home, ref_env)


def test_kill_during_update_then_rerun_on_sqlite(tmp_path: Path, big_farm: Farm) -> None:
    db = tmp_path / "victim" / "newsdesk.sqlite3"

    def count() -> int:
        if not db.exists():
            return 0
        try:
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
                return int(conn.execute("SELECT count(*) FROM store_article").fetchone()[0])
        except sqlite3.OperationalError:
            return 0

    scenario(tmp_path, big_farm, {}, count)


def test_kill_during_update_then_rerun_on_postgres(
    tmp_path: Path, big_farm: Farm, pg_database: str
) -> None:
    import psycopg

    def count() -> int:
        with psycopg.connect(pg_database) as conn:
            row = conn.execute("SELECT count(*) FROM store_article").fetchone()
            return int(row[0]) if row else 0

    scenario(tmp_path, big_farm, {"NEWSDESK_DATABASE_URL": pg_database}, count)
