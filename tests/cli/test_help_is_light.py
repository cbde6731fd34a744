"""`newsdesk --help` must stay fast: it may not import Django or the heavy libraries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HEAVY = {"django", "httpx", "lxml", "trafilatura", "nh3", "feedparser", "fastfeedparser", "rich"}


def test_help_imports_no_heavy_library() -> None:
    code = (
        "import sys, json, contextlib, io\n"
        "from newsdesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(out.stdout))
    assert not (loaded & HEAVY), loaded & HEAVY
    assert "newsdesk" in loaded


def _in_a_new_home(tmp_path: Path, code: str) -> Any:
    """Run `code` in a Python process on a home made by `newsdesk init`; the JSON of the
    last line it printed."""
    env = {**os.environ, "NEWSDESK_HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "newsdesk.cli", "init"], env=env, check=True)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_an_update_of_a_migrated_home_loads_no_migration_graph_nor_httpx(tmp_path: Path) -> None:
    code = (
        "import sys, json\n"
        "from newsdesk.cli import main\n"
        "main(['update'])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = set(_in_a_new_home(tmp_path, code))
    assert "django" in loaded and "newsdesk.pipeline.update" in loaded
    # the migration graph is not built when every migration file is recorded as applied
    slow = {"httpx", "django.db.migrations.loader", "django_stubs_ext"}
    assert not (loaded & slow), loaded & slow


def test_a_migration_not_recorded_yet_is_applied(tmp_path: Path) -> None:
    import sqlite3

    from newsdesk.store import search

    env = {**os.environ, "NEWSDESK_HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "newsdesk.cli", "init"], env=env, check=True)
    db = sqlite3.connect(tmp_path / "newsdesk.sqlite3")
    with db:  # the database as it was before 0015: no body_text, the index over body_html
        for statement in search.drop_statements("sqlite"):
            db.execute(statement)
        db.execute("ALTER TABLE store_article DROP COLUMN body_text")
        for statement in search.create_statements("sqlite", "body_html"):
            db.execute(statement)
        # and so before the migrations after it (0016 added the fetch log's encoding)
        db.execute("ALTER TABLE store_fetchrecord DROP COLUMN encoding")
        db.execute(
            "DELETE FROM django_migrations WHERE app = 'store'"
            " AND name IN ('0015_search_body_text', '0016_fetch_record_encoding')"
        )
    db.close()
    subprocess.run([sys.executable, "-m", "newsdesk.cli", "sources"], env=env, check=True)
    with sqlite3.connect(tmp_path / "newsdesk.sqlite3") as check:
        columns = {r[1] for r in check.execute("PRAGMA table_info(store_article)")}
        index = check.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'store_article_fts'"
        ).fetchone()[0]
        recorded = check.execute(
            "SELECT count(*) FROM django_migrations WHERE name = '0015_search_body_text'"
        ).fetchone()[0]
    assert "body_text" in columns and "body_text" in index and recorded == 1


def test_the_collector_is_back_on_once_a_command_has_started(tmp_path: Path) -> None:
    code = (
        "import gc, json, sys\n"
        "from newsdesk import cli\n"
        "real = cli.cmd_sources\n"
        "def sources(args):\n"
        "    held = gc.isenabled()\n"
        "    code = real(args)\n"
        "    state = [held, gc.isenabled(), gc.get_freeze_count(), gc.get_threshold()[0]]\n"
        "    print(json.dumps(state), flush=True)\n"
        "    return code\n"
        "cli.cmd_sources = sources\n"
        "sys.argv = ['newsdesk', 'sources']\n"
        "cli.entry()\n"
    )
    held, enabled, frozen, first = _in_a_new_home(tmp_path, code)
    # off while the command's imports run, on (start-up's heap frozen out) once it has begun
    assert (held, enabled, first) == (False, True, 10_000)
    assert frozen > 10_000
