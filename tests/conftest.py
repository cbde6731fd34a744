"""Shared fixtures: where ../shared is, a running feed farm, and an isolated NEWSDESK_HOME."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(os.environ.get("NEWSDESK_SHARED", REPO.parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared (feed farm, corpora); tests that need it skip on a user's machine."""
    if not (SHARED / "corpora").is_dir():
        pytest.skip(f"../shared is absent ({SHARED}): corpus and feed-farm tests need it")
    return SHARED


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Farm:
    base: str
    process: subprocess.Popen[bytes]

    def url(self, path: str) -> str:
        return self.base + path

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.url(path), timeout=10) as resp:
            return bytes(resp.read())


def start_farm(shared: Path, *args: str) -> Farm:
    port = free_port()
    script = shared / "feedfarm" / "feedfarm.py"
    proc = subprocess.Popen(
        [sys.executable, str(script), "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Farm(base, proc)
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("feed farm did not start")


@pytest.fixture(scope="session")
def farm(shared_dir: Path) -> Iterator[Farm]:
    """A feed farm of 20 feeds x 10 items on a free loopback port, for the whole session."""
    f = start_farm(shared_dir, "--feeds", "20", "--items", "10", "--seed", "1")
    yield f
    f.process.kill()
    f.process.wait()


@pytest.fixture
def newsdesk_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


def postgres_url() -> str | None:
    url = os.environ.get("NEWSDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3):
            return url
    except Exception as e:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no PostgreSQL at {url}: {e}")
    return None


@pytest.fixture
def pg_database() -> Iterator[str]:
    import psycopg

    admin = postgres_url()
    assert admin
    name = f"newsdesk_kill_{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
