"""Run the storage and pipeline tests (marker db_both) again against a real PostgreSQL.

The database URL comes from NEWSDESK_TEST_POSTGRES (default: the CI server at
127.0.0.1:5432, user postgres). pytest-django creates and drops a throwaway test database
named after this run. When no server answers, the pass is skipped with a clear reason on a
user's machine and fails under CI (CI=true), where PostgreSQL must be there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def main() -> int:
    url = os.environ.get("NEWSDESK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql://", "postgres://", 1), connect_timeout=3):
            pass
    except Exception as e:
        reason = f"PostgreSQL at {url} does not answer ({str(e).strip().splitlines()[0]})"
        if os.environ.get("CI"):
            print(f"postgres pass: FAILED: {reason}", file=sys.stderr)
            return 1
        print(f"postgres pass: skipped: {reason}")
        return 0
    base = url.rsplit("/", 1)[0]
    env = {
        **os.environ,
        "NEWSDESK_DATABASE_URL": f"{base}/newsdesk_pass_{os.getpid()}",
        "NEWSDESK_TEST_POSTGRES": url,
    }
    repo = Path(__file__).resolve().parent.parent
    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-m", "db_both", "-q"]
    print("postgres pass:", " ".join(cmd[2:]), "against", env["NEWSDESK_DATABASE_URL"])
    return subprocess.call(cmd + sys.argv[1:], cwd=repo, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
