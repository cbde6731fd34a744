"""Three `newsdesk worker` processes share one PostgreSQL and 500 farm feeds; one is killed
with SIGKILL halfway. Every source is fetched and saved exactly once, none is lost, no article
is duplicated."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.cli.clitools import NEWSDESK, make_cli
from tests.conftest import Farm, start_farm

pytestmark = [pytest.mark.farm, pytest.mark.slow]

FEEDS, ITEMS = 500, 20


@pytest.fixture(scope="module")
def farm500(shared_dir: Path) -> Iterator[Farm]:
    farm = start_farm(shared_dir, "--feeds", str(FEEDS), "--items", str(ITEMS), "--seed", "5")
    yield farm
    farm.process.kill()
    farm.process.wait()


def test_three_workers_one_killed(tmp_path: Path, farm500: Farm, pg_database: str) -> None:
    import psycopg

    env = {"NEWSDESK_DATABASE_URL": pg_database, "NEWSDESK_LEASE_SECONDS": "4"}
    cli = make_cli(tmp_path / "home", **env)
    opml = tmp_path / "farm.opml"
    opml.write_bytes(farm500.get("/opml.xml"))
    assert cli("init").code == 0
    imported = cli("import-opml", str(opml), "--full-text", "never")
    assert imported.out.startswith(f"{FEEDS} sources added"), imported.err

    def query(sql: str) -> list[tuple[object, ...]]:
        with psycopg.connect(pg_database) as conn:
            return list(conn.execute(sql).fetchall())

    run_env = {**os.environ, "NEWSDESK_HOME": str(tmp_path / "home")}
    run_env.update(env, NEWSDESK_ALLOW_PRIVATE_NETWORKS="1", NEWSDESK_FETCH_CONCURRENCY="8")
    workers = [
        subprocess.Popen(
            [NEWSDESK, "worker", "--exit-when-idle"],
            env=run_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    victim = workers[0]
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        saved = int(query("SELECT count(*) FROM store_source WHERE fetch_count > 0")[0][0])  # type: ignore[call-overload]
        if saved >= FEEDS // 2:
            break
        time.sleep(0.05)
    held = query("SELECT count(*) FROM store_source WHERE lease_until IS NOT NULL")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    for worker in workers[1:]:
        try:
            _, err = worker.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            worker.kill()
            pytest.fail("a worker did not finish")
        assert worker.returncode == 0, err.decode()

    assert 0 < saved < FEEDS, "the kill did not land halfway"
    assert int(held[0][0]) > 0  # type: ignore[call-overload]
    counts = query("SELECT fetch_count, count(*) FROM store_source GROUP BY fetch_count")
    unsaved = query("SELECT id, last_status, last_error FROM store_source WHERE fetch_count <> 1")
    assert counts == [(1, FEEDS)], f"every source saved exactly once: {counts} {unsaved}"
    assert query("SELECT count(*) FROM store_source WHERE lease_until IS NOT NULL") == [(0,)]
    assert query("SELECT count(*) FROM store_article") == [(FEEDS * ITEMS,)]
