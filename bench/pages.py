"""The CPU time of one request, in process, for the pages bench/web.py puts under wrk.

    .venv/bin/python bench/pages.py --home /tmp/wb-home [--rounds 3] [--targets article,search]

Calls the WSGI application (the one `newsdesk serve` runs) directly, for every path of each
target that bench/web.py rotates over (5,000 articles, 500 deep archive cursors, 200
searches), and prints the CPU time a request took (thread_time, so the database's work
counts too and other processes' does not): the best and the median of --rounds passes over
the paths. No server, socket or wrk: what is left is newsdesk's own work, the figure to
compare two versions by (put the other version's src first on PYTHONPATH and run both turn
about). The home must have been made by bench/web.py. Run by hand; never from the tests.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

TARGETS = ("article", "deep archive", "search")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--home", type=Path, required=True, help="a home made by bench/web.py")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--targets", default=",".join(TARGETS))
    args = parser.parse_args()
    os.environ["NEWSDESK_HOME"] = str(args.home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.project.settings")
    sys.path.insert(0, str(Path(__file__).parent))
    import web
    from newsdesk.project.wsgi import application

    with tempfile.TemporaryDirectory() as work:
        files = web.targets(args.home, Path(work))
        paths = {name: Path(files[name]).read_text().split() for name in files}
    print(f"{'target':14} {'paths':>6} {'best ms':>8} {'median ms':>10}  (CPU a request)")
    for name in args.targets.split(","):
        rounds = [_round(application, paths[name]) for _ in range(args.rounds + 1)][1:]
        print(
            f"{name:14} {len(paths[name]):6} {min(rounds) * 1e3:8.3f} "
            f"{statistics.median(rounds) * 1e3:10.3f}"
        )
    return 0


def _round(application: Callable[..., Iterable[bytes]], paths: list[str]) -> float:
    """CPU seconds a request, over one pass of `paths` (the first pass warms up)."""
    started = time.thread_time()
    for path in paths:
        _get(application, path)
    return (time.thread_time() - started) / len(paths)


def _get(application: Callable[..., Iterable[bytes]], path: str) -> bytes:
    path_info, _, query = path.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        status.append(line)

    result = application(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()  # as a server does: Django sends request_finished here
    if not status or not status[0].startswith("200"):
        raise SystemExit(f"bench: {path} answered {status[:1]}")
    return body


if __name__ == "__main__":
    raise SystemExit(main())
