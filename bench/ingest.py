"""Ingest benchmark (issue 2): `newsdesk update` against lemon24's reader, in the same run.

    .venv/bin/python bench/ingest.py [--feeds 200] [--items 50] [--repeat 3]
                                     [--only newsdesk|reader] [--workers 32]
                                     [--full-text default|never] [--out FILE]

Serves N feeds x M items with the shared feed farm on loopback, then for each tool and each
repeat, in a fresh temporary home: subscribe to every farm feed (not timed), fetch them all
once (phase "cold": every response is a 200 with a full feed), and fetch them all again
(phase "304": the farm answers every conditional request with 304 Not Modified).

Each timed phase is one child process, so wall time, CPU time (user + sys) and peak RSS come
from os.wait4 and cover the same things for both tools: interpreter start, imports, fetching,
parsing and writing to SQLite. Items are counted in each tool's SQLite file directly. The table
shows medians over the repeats and the ratio newsdesk / reader per phase (below 1 is better).
Run by hand; never from the test suite. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
FARM = ROOT.parent / "shared" / "feedfarm" / "feedfarm.py"
PHASES = ("cold", "304")
TOOLS = ("newsdesk", "reader")
CHILD_TIMEOUT_S = 1800


@dataclass
class Measure:
    tool: str
    phase: str
    repeat: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    items: int  # rows in the tool's article table after the phase
    new_items: int  # rows added by the phase
    farm: dict[str, int] = field(default_factory=dict)  # farm counters during the phase
    ok: bool = True
    note: str = ""  # the tool's own summary line, or its error


@dataclass(frozen=True)
class Run:
    returncode: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    stdout: str
    stderr: str


def run_child(cmd: Sequence[str], env: dict[str, str], cwd: Path) -> Run:
    """Run one command and read its resource use from wait4 (not a shell, not a wrapper)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        # A blocking wait4 keeps the parent asleep (no polling CPU on a 2-core machine); the
        # timer only fires for a child that hangs.
        timer = threading.Timer(CHILD_TIMEOUT_S, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        # Popen must not reap it again, or it would wait on a pid that is gone.
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            returncode=proc.returncode,
            wall_s=wall,
            cpu_s=usage.ru_utime + usage.ru_stime,
            peak_rss_mb=usage.ru_maxrss / 1024,  # Linux reports kilobytes
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


def last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:200] if lines else ""


def count_rows(db: Path, table: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return 0


# ---------------------------------------------------------------- the feed farm


class Farm:
    def __init__(self, feeds: int, items: int) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, str(FARM), "--feeds", str(feeds), "--items", str(items)]
        cmd += ["--port", str(self.port), "--seed", "1", "--prebuild"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 300
        while True:
            try:
                self.stats()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    raise SystemExit(f"bench: the feed farm did not start: {err}") from None
                time.sleep(0.2)

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.base + path, timeout=30) as resp:
            return bytes(resp.read())

    def stats(self) -> dict[str, int]:
        data = json.loads(self.get("/_stats"))
        return {k: int(data[k]) for k in ("requests", "200", "304", "bytes")}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    # The reading of /_stats itself is one request and one 200; leave it out.
    d = {k: after[k] - before[k] for k in before}
    d["requests"] -= 1
    d["200"] -= 1
    return d


# ---------------------------------------------------------------- the two tools


def bench_newsdesk(
    farm: Farm, work: Path, repeat: int, workers: int, full_text: str
) -> list[Measure]:
    home = work / f"newsdesk-{repeat}"
    home.mkdir()
    env = dict(os.environ)
    env.pop("NEWSDESK_DATABASE_URL", None)
    env |= {
        "NEWSDESK_HOME": str(home),
        "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "1",
        # Every farm feed is on one host; give newsdesk the same parallelism as reader's
        # workers instead of its polite per-host default, or the comparison is of settings.
        "NEWSDESK_FETCH_CONCURRENCY": str(workers),
        "NEWSDESK_PER_HOST_CONCURRENCY": str(workers),
    }
    exe = str(VENV_BIN / "newsdesk")
    opml = work / "farm.opml"
    db = home / "newsdesk.sqlite3"
    setups = [[exe, "init"]]
    if full_text == "default":
        setups.append([exe, "import-opml", str(opml)])
    else:
        # no article page is fetched: newsdesk does the same work as reader
        setups.append([exe, "import-opml", str(opml), "--full-text", full_text])
    for setup in setups:
        r = run_child(setup, env, work)
        if r.returncode != 0:
            note = f"setup `{' '.join(setup[1:2])}` failed: {last_line(r.stderr)}"
            return [failed("newsdesk", phase, repeat, note) for phase in PHASES]
    results = []
    for phase in PHASES:
        before_rows, before = count_rows(db, "store_article"), farm.stats()
        r = run_child([exe, "update", "--all"], env, work)
        after = count_rows(db, "store_article")
        note = last_line(r.stdout) if r.returncode == 0 else last_line(r.stderr)
        results.append(measure("newsdesk", phase, repeat, r, after, before_rows, farm, before))
        results[-1].note = note
    return results


def bench_reader(
    farm: Farm, work: Path, repeat: int, workers: int, full_text: str
) -> list[Measure]:
    del full_text  # reader has no full-text extraction
    db = work / f"reader-{repeat}.sqlite"
    urls = work / "urls.txt"
    script = str(Path(__file__).with_name("reader_run.py"))
    env = dict(os.environ)
    r = run_child([sys.executable, script, "add", str(db), str(urls)], env, work)
    if r.returncode != 0:
        note = f"setup failed: {last_line(r.stderr)}"
        return [failed("reader", phase, repeat, note) for phase in PHASES]
    results = []
    for phase in PHASES:
        before_rows, before = count_rows(db, "entries"), farm.stats()
        cmd = [sys.executable, script, "update", str(db), str(urls), "--workers", str(workers)]
        r = run_child(cmd, env, work)
        after = count_rows(db, "entries")
        results.append(measure("reader", phase, repeat, r, after, before_rows, farm, before))
        results[-1].note = last_line(r.stdout if r.returncode == 0 else r.stderr)
    return results


def measure(
    tool: str,
    phase: str,
    repeat: int,
    r: Run,
    rows: int,
    rows_before: int,
    farm: Farm,
    stats_before: dict[str, int],
) -> Measure:
    return Measure(
        tool=tool,
        phase=phase,
        repeat=repeat,
        wall_s=r.wall_s,
        cpu_s=r.cpu_s,
        peak_rss_mb=r.peak_rss_mb,
        items=rows,
        new_items=rows - rows_before,
        farm=delta(stats_before, farm.stats()),
        ok=r.returncode == 0,
    )


def failed(tool: str, phase: str, repeat: int, note: str) -> Measure:
    return Measure(tool, phase, repeat, 0.0, 0.0, 0.0, 0, 0, ok=False, note=note)


# ---------------------------------------------------------------- report


@dataclass(frozen=True)
class Row:
    tool: str
    phase: str
    runs: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    items: int
    new_items: int
    got_200: int
    got_304: int
    wire_mb: float
    note: str


def summarize(measures: list[Measure]) -> list[Row]:
    rows = []
    for tool in TOOLS:
        for phase in PHASES:
            ms = [m for m in measures if m.tool == tool and m.phase == phase]
            good = [m for m in ms if m.ok]
            if not ms:
                continue
            if not good:
                rows.append(Row(tool, phase, 0, 0, 0, 0, 0, 0, 0, 0, 0, ms[-1].note))
                continue

            def med(values: list[float]) -> float:
                return float(statistics.median(values))

            rows.append(
                Row(
                    tool=tool,
                    phase=phase,
                    runs=len(good),
                    wall_s=med([m.wall_s for m in good]),
                    cpu_s=med([m.cpu_s for m in good]),
                    peak_rss_mb=med([m.peak_rss_mb for m in good]),
                    items=int(med([m.items for m in good])),
                    new_items=int(med([m.new_items for m in good])),
                    got_200=int(med([m.farm.get("200", 0) for m in good])),
                    got_304=int(med([m.farm.get("304", 0) for m in good])),
                    wire_mb=med([m.farm.get("bytes", 0) / 1e6 for m in good]),
                    note=good[-1].note,
                )
            )
    return rows


def print_table(rows: list[Row], feeds: int, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    heads = ["tool", "phase", "wall s", "cpu s", "peak RSS MB", "items", "new", "items/s"]
    heads += ["feeds/s", "200s", "304s", "wire MB"]
    for h in heads:
        table.add_column(h, justify="left" if h in ("tool", "phase") else "right", no_wrap=True)
    for r in rows:
        if r.runs == 0:
            table.add_row(r.tool, r.phase, "failed", *[""] * (len(heads) - 3))
            continue
        per_s = f"{r.new_items / r.wall_s:,.0f}" if r.new_items and r.wall_s else "-"
        table.add_row(
            r.tool,
            r.phase,
            f"{r.wall_s:.2f}",
            f"{r.cpu_s:.2f}",
            f"{r.peak_rss_mb:.0f}",
            f"{r.items:,}",
            f"{r.new_items:,}",
            per_s,
            f"{feeds / r.wall_s:,.1f}",
            str(r.got_200),
            str(r.got_304),
            f"{r.wire_mb:.1f}",
        )
    by = {(r.tool, r.phase): r for r in rows if r.runs}
    for phase in PHASES:
        nd, rd = by.get(("newsdesk", phase)), by.get(("reader", phase))
        if nd and rd:
            table.add_row(
                "newsdesk/reader",
                phase,
                f"{nd.wall_s / rd.wall_s:.2f}x",
                f"{nd.cpu_s / rd.cpu_s:.2f}x" if rd.cpu_s else "-",
                f"{nd.peak_rss_mb / rd.peak_rss_mb:.2f}x" if rd.peak_rss_mb else "-",
                *[""] * (len(heads) - 5),
                style="bold",
            )
    # A pipe or a file gets a fixed width so that no column is cut to "…".
    console = Console(width=None if sys.stdout.isatty() else 132)
    console.print(table)
    for r in rows:
        if r.note:
            console.print(f"[dim]{r.tool} {r.phase}: {r.note}[/dim]", highlight=False)


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    py = platform.python_version()
    return f"{os.cpu_count()} CPUs ({cpu}), Python {py}, SQLite {sqlite3.sqlite_version}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="medians over this many runs")
    ap.add_argument("--only", choices=TOOLS, help="benchmark one tool only")
    ap.add_argument("--workers", type=int, default=32, help="parallel fetches, both tools")
    ap.add_argument(
        "--full-text",
        choices=["default", "never"],
        default="default",
        help="newsdesk: subscribe with import-opml (default: --full-text auto) or add each"
        " feed with --full-text never",
    )
    ap.add_argument("--out", type=Path, help="also write every run as JSON to this file")
    a = ap.parse_args(argv)
    if not FARM.is_file():
        raise SystemExit(f"bench: no feed farm at {FARM}")
    tools = [a.only] if a.only else list(TOOLS)

    print(f"bench: {machine()}", file=sys.stderr)
    farm = Farm(a.feeds, a.items)
    measures: list[Measure] = []
    try:
        with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
            work = Path(tmp)
            (work / "farm.opml").write_bytes(farm.get("/opml.xml"))
            (work / "urls.txt").write_bytes(farm.get("/urls.txt"))
            for repeat in range(a.repeat):
                # Alternate which tool goes first so drift in the machine hits both alike.
                order = tools if repeat % 2 == 0 else tools[::-1]
                for tool in order:
                    fn = bench_newsdesk if tool == "newsdesk" else bench_reader
                    got = fn(farm, work, repeat, a.workers, a.full_text)
                    for m in got:
                        state = "ok" if m.ok else "FAILED"
                        print(
                            f"bench: run {repeat + 1}/{a.repeat} {tool:8} {m.phase:4} {state}"
                            f" wall {m.wall_s:.2f}s cpu {m.cpu_s:.2f}s"
                            f" rss {m.peak_rss_mb:.0f}MB items {m.items} {m.farm}",
                            file=sys.stderr,
                        )
                    measures.extend(got)
    finally:
        farm.stop()

    title = (
        f"ingest: {a.feeds} feeds x {a.items} items, {a.workers} workers, median of {a.repeat},"
        f" newsdesk full text: {a.full_text}"
        f"\n{machine()}"
    )
    print_table(summarize(measures), a.feeds, title)
    if a.out:
        a.out.write_text(
            json.dumps(
                {
                    "args": vars(a) | {"out": str(a.out)},
                    "machine": machine(),
                    "runs": [asdict(m) for m in measures],
                },
                indent=1,
            )
        )
    return 0 if all(m.ok for m in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
