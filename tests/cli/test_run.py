"""`newsdesk run` on an empty home: migrates, loads the demo feeds, serves real pages."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.cli.clitools import NEWSDESK, make_cli
from tests.conftest import free_port


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def test_run_serves_the_demo_site_with_no_network(newsdesk_home: Path) -> None:
    port = free_port()
    env = {**os.environ, "NEWSDESK_HOME": str(newsdesk_home)}
    env.pop("NEWSDESK_DATABASE_URL", None)
    proc = subprocess.Popen(
        [NEWSDESK, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        status, page = 0, ""
        while time.monotonic() < deadline:
            try:
                status, page = get(base + "/")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
                time.sleep(0.3)
        assert status == 200
        assert "demo" in page.lower()
        assert "Continue Reading" in page
        assert get(base + "/healthz")[0] == 200
        assert get(base + "/feed/rss.xml")[0] == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    records = make_cli(newsdesk_home)("articles", "--json", "--limit", "100").json_lines()
    assert len(records) >= 15
    assert all("demo" in r["source"]["name"].lower() for r in records)
