"""Ingest benchmark (issues 2 and 3): newsdesk, reader, newsboat and the wire limit, one run.

    .venv/bin/python bench/ingest.py [--feeds 200] [--items 50] [--repeat 3] [--workers 32]
                                     [--only TOOL | --tools newsdesk,reader,newsboat,wire]
                                     [--full-text default|never] [--newsboat-json rss|keep]
                                     [--churn 0.1] [--out FILE]

Serves N feeds x M items with the shared feed farm on loopback (`--churn` is the farm's
fraction of feeds that change per tick) and, for each repeat, gives every tool a fresh
temporary home, subscribes it to every farm feed (not timed), then runs three timed phases:

  cold   every response is a 200 with a full feed: N x M new items.
  304    fetch all again; each tool sends the validators it stored, the farm answers 304.
  churn  the farm ticks once (a --churn fraction of the feeds gains 1-3 items each), then
         fetch all again: the changed feeds answer 200, the rest 304.

Phases run across tools, not tool after tool: all tools do cold, then all do 304, then the
farm ticks ONCE and all do churn. The farm decides 304 against each request's own validators
(If-None-Match against ETag "<id>-<fmt>-<version>", else If-Modified-Since against a
Last-Modified that is server start + the feed's last tick in seconds), and a tick bumps the
version of a seeded sample of feeds that is different on every tick. One tick per tool would
give each tool other changed feeds and another count of new items; one tick for all of them
gives every tool the same changed feeds and the same new items, while each tool still gets
200 or 304 from its own validators. Before the first phase and after each tick the parent
HEADs every feed URL any tool will ask for (not timed): that makes the farm render and gzip
each new version before the clock starts, so the first tool after a tick does not pay for the
farm's rendering, and the ETags give the expected new items of the churn phase (the sum over
changed feeds of min(version step, M)). Tool order alternates between repeats.

The tools:
  newsdesk  `newsdesk update --all` (NEWSDESK_FETCH_CONCURRENCY = PER_HOST = W).
  reader    bench/reader_run.py: lemon24's reader, update_feeds_iter(scheduled=False, workers=W).
  newsboat  `newsboat -x reload` with its own -u urls, -c cache.db and -C config (reload-threads
            W), HOME and XDG dirs in the temporary folder. newsboat 2.21 (Debian) stores
            validators only for feeds already in its cache, so its first reload saves none and
            its second gets 200s again; one untimed reload after cold makes its 304 phase a
            real conditional cycle. newsboat 2.21 has no JSON Feed support, so by default
            (--newsboat-json rss) it is given the JSON feeds in RSS, which the farm serves for
            any feed; items are rows of its rss_item table.
  wire      bench/wire_run.py: download only (W keep-alive connections, body read and
            dropped, validators kept in a JSON file between phases). The wire limit: items 0.

Each timed phase is one child process, so wall time, CPU time (user + sys) and peak RSS come
from os.wait4 and cover the same things for every tool: start-up, imports, fetching, parsing
and writing its database. Items are counted in each tool's SQLite file directly. The table
shows medians over the repeats, then newsdesk's items/s and feeds/s as ratios to the others
from the same run, with issue 3's goals. Run by hand; never from the test suite. See
bench/README.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
VENV_BIN = ROOT / ".venv" / "bin"
FARM = ROOT.parent / "shared" / "feedfarm" / "feedfarm.py"
PHASES = ("cold", "304", "churn")
TOOLS = ("newsdesk", "reader", "newsboat", "wire")
CHILD_TIMEOUT_S = 1800
ETAG = re.compile(r'^"(\d+)-([a-z]+)-(\d+)"$')  # the farm's ETag: "<feed id>-<format>-<version>"


@dataclass(frozen=True)
class Goal:
    phase: str
    figure: str  # "items/s" or "feeds/s"
    other: str
    at_least: float | None  # issue 3's goal for newsdesk / other; None: shown for orientation


GOALS = (
    Goal("cold", "items/s", "reader", 5.0),
    Goal("cold", "items/s", "newsboat", 1.5),
    Goal("cold", "feeds/s", "wire", None),
    Goal("304", "feeds/s", "reader", 4.0),
    Goal("304", "feeds/s", "newsboat", None),
    Goal("304", "feeds/s", "wire", 0.35),
    Goal("churn", "items/s", "reader", None),
    Goal("churn", "items/s", "newsboat", None),
    Goal("churn", "feeds/s", "wire", None),
)


@dataclass
class Measure:
    tool: str
    phase: str
    repeat: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    items: int  # rows in the tool's article table after the phase (0 for wire)
    new_items: int  # rows added by the phase
    feeds: int = 0  # feeds the tool was asked to fetch
    expected_new: int | None = None  # churn: what the farm added to the feeds, from its ETags
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
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err
        )
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


def read_urls(path: Path) -> list[str]:
    return [u.strip() for u in path.read_text().splitlines() if u.strip()]


# ---------------------------------------------------------------- the feed farm


class Farm:
    def __init__(self, feeds: int, items: int, churn: float) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, str(FARM), "--feeds", str(feeds), "--items", str(items)]
        cmd += ["--port", str(self.port), "--seed", "1", "--churn", str(churn), "--prebuild"]
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
        body = self.get("/_stats")
        data = json.loads(body)
        counts = {k: int(data[k]) for k in ("requests", "200", "304", "bytes")}
        # The farm counts a response after sending it: this reading is in the next one.
        return counts | {"self_bytes": len(body)}

    def tick(self) -> dict[str, int]:
        data = json.loads(self.get("/_tick"))
        return {"tick": int(data["tick"]), "changed": int(data["changed"])}

    def warm(self, urls: Sequence[str]) -> dict[str, str]:
        """HEAD every URL on one kept-alive connection; return each URL's ETag.

        The farm renders (and gzips) a feed's current version on any request to it, HEAD
        included, and keeps it, so after this no timed phase waits for the farm's rendering.
        """
        etags: dict[str, str] = {}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            for url in urls:
                conn.request("HEAD", urlsplit(url).path, headers={"Accept-Encoding": "gzip"})
                resp = conn.getresponse()
                resp.read()
                etags[url] = resp.getheader("ETag") or ""
        finally:
            conn.close()
        return etags

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
    # The first reading of /_stats is one request, one 200 and its bytes; leave it out.
    d = {k: after[k] - before[k] for k in ("requests", "200", "304", "bytes")}
    d["requests"] -= 1
    d["200"] -= 1
    d["bytes"] -= before["self_bytes"]
    return d


def expected_new(before: dict[str, str], after: dict[str, str], items: int) -> int | None:
    """New items a tool should find after a tick: per changed feed, its version step (<= M)."""
    total = 0
    for url, tag in after.items():
        old, new = ETAG.match(before.get(url, "")), ETAG.match(tag)
        if old is None or new is None:
            return None
        total += min(int(new[3]) - int(old[3]), items)
    return total


# ---------------------------------------------------------------- the tools


@dataclass
class Setting:
    work: Path  # the run's temporary folder (farm.opml and urls.txt are in it)
    workers: int
    full_text: str
    newsboat_json: str


class Tool:
    """One tool in one repeat: untimed setup, then one child command per timed phase."""

    name = ""

    def __init__(self, s: Setting, repeat: int) -> None:
        self.s = s
        self.dir = s.work / f"{self.name}-{repeat}"
        self.dir.mkdir()
        self.env = dict(os.environ)
        self.urls = s.work / "urls.txt"

    def setup(self) -> str:
        """Prepare the tool (not timed); return an error note, or "" when it is ready."""
        return ""

    def command(self, phase: str) -> list[str]:
        raise NotImplementedError

    def items(self) -> int:
        return 0

    def feeds(self) -> int:
        return len(read_urls(self.urls))

    def note(self, r: Run) -> str:
        return last_line(r.stdout) if r.returncode == 0 else last_line(r.stderr or r.stdout)

    def after(self, phase: str) -> str:
        """Untimed work after a phase; return a remark for the note, or ""."""
        del phase
        return ""

    def run(self, args: Sequence[str]) -> str:
        r = run_child(args, self.env, self.s.work)
        return "" if r.returncode == 0 else f"`{' '.join(args[:3])}` failed: {self.note(r)}"


class Newsdesk(Tool):
    name = "newsdesk"

    def __init__(self, s: Setting, repeat: int) -> None:
        super().__init__(s, repeat)
        self.env.pop("NEWSDESK_DATABASE_URL", None)
        self.env |= {
            "NEWSDESK_HOME": str(self.dir),
            "NEWSDESK_ALLOW_PRIVATE_NETWORKS": "1",
            # Every farm feed is on one host; give newsdesk the same parallelism as the
            # others instead of its polite per-host default, or the comparison is of settings.
            "NEWSDESK_FETCH_CONCURRENCY": str(s.workers),
            "NEWSDESK_PER_HOST_CONCURRENCY": str(s.workers),
        }
        self.exe = str(VENV_BIN / "newsdesk")

    def setup(self) -> str:
        opml = str(self.s.work / "farm.opml")
        steps = [[self.exe, "init"], [self.exe, "import-opml", opml]]
        if self.s.full_text != "default":
            # no article page is fetched: newsdesk does the same work as the others
            steps[1] += ["--full-text", self.s.full_text]
        for step in steps:
            if err := self.run(step):
                return err
        return ""

    def command(self, phase: str) -> list[str]:
        return [self.exe, "update", "--all"]

    def items(self) -> int:
        return count_rows(self.dir / "newsdesk.sqlite3", "store_article")


class Reader(Tool):
    name = "reader"
    script = str(BENCH / "reader_run.py")

    def setup(self) -> str:
        return self.run([sys.executable, self.script, "add", str(self.db), str(self.urls)])

    @property
    def db(self) -> Path:
        return self.dir / "reader.sqlite"

    def command(self, phase: str) -> list[str]:
        cmd = [sys.executable, self.script, "update", str(self.db), str(self.urls)]
        return [*cmd, "--workers", str(self.s.workers)]

    def items(self) -> int:
        return count_rows(self.db, "entries")


class Newsboat(Tool):
    name = "newsboat"

    def __init__(self, s: Setting, repeat: int) -> None:
        super().__init__(s, repeat)
        home = self.dir / "home"
        self.env |= {
            "HOME": str(home),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "XDG_DATA_HOME": str(home / ".local" / "share"),
            "XDG_CACHE_HOME": str(home / ".cache"),
        }
        self.urls = s.work / ("urls-newsboat.txt" if s.newsboat_json == "rss" else "urls.txt")
        self.exe = shutil.which("newsboat") or ""

    def setup(self) -> str:
        if not self.exe:
            return "newsboat is not installed (apt-get install newsboat)"
        (self.dir / "home").mkdir()
        config = [
            f"reload-threads {self.s.workers}",
            "download-retries 1",
            "download-timeout 60",
            "show-read-feeds yes",
        ]
        (self.dir / "config").write_text("\n".join(config) + "\n")
        return ""

    @property
    def db(self) -> Path:
        return self.dir / "cache.db"

    def command(self, phase: str) -> list[str]:
        cmd = [self.exe, "-u", str(self.urls), "-c", str(self.db), "-C", str(self.dir / "config")]
        return [*cmd, "-x", "reload"]

    def items(self) -> int:
        return count_rows(self.db, "rss_item")

    def note(self, r: Run) -> str:
        if r.returncode != 0:
            return f"exit {r.returncode}: {last_line(r.stderr or r.stdout)}"
        feeds = count_rows(self.db, "rss_feed")
        out = last_line(r.stderr or r.stdout)
        return f"{feeds} feeds, {self.items()} items in cache.db" + (f"; {out}" if out else "")

    def after(self, phase: str) -> str:
        if phase != "cold":
            return ""
        # newsboat 2.21 saves ETag/Last-Modified only for feeds already in its cache, so the
        # reload that first stores a feed keeps no validators; this one stores them.
        err = self.run(self.command("prime"))
        with_tags = 0
        if self.db.exists():
            with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as conn:
                q = "SELECT count(*) FROM rss_feed WHERE etag != '' OR lastmodified != 0"
                with_tags = int(conn.execute(q).fetchone()[0])
        return err or f"untimed priming reload: {with_tags} feeds now have validators"


class Wire(Tool):
    name = "wire"
    script = str(BENCH / "wire_run.py")

    def command(self, phase: str) -> list[str]:
        state = str(self.dir / "validators.json")
        cmd = [sys.executable, self.script, str(self.urls), state]
        return [*cmd, "--workers", str(self.s.workers)]


KINDS: dict[str, Callable[[Setting, int], Tool]] = {
    "newsdesk": Newsdesk,
    "reader": Reader,
    "newsboat": Newsboat,
    "wire": Wire,
}


def run_phase(tool: Tool, phase: str, repeat: int, farm: Farm, expect: int | None) -> Measure:
    before_rows, before = tool.items(), farm.stats()
    r = run_child(tool.command(phase), tool.env, tool.s.work)
    after_rows = tool.items()
    m = Measure(
        tool=tool.name,
        phase=phase,
        repeat=repeat,
        wall_s=r.wall_s,
        cpu_s=r.cpu_s,
        peak_rss_mb=r.peak_rss_mb,
        items=after_rows,
        new_items=after_rows - before_rows,
        feeds=tool.feeds(),
        expected_new=expect,
        farm=delta(before, farm.stats()),
        ok=r.returncode == 0,
        note=tool.note(r),
    )
    if remark := tool.after(phase):
        m.note = f"{m.note}; {remark}" if m.note else remark
    return m


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
    expected_new: int | None
    items_per_s: float | None  # None for the wire client, which stores no items
    feeds_per_s: float
    got_200: int
    got_304: int
    wire_mb: float
    note: str


def med(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def summarize(measures: list[Measure], tools: Sequence[str]) -> list[Row]:
    rows = []
    for phase in PHASES:
        for tool in tools:
            ms = [m for m in measures if m.tool == tool and m.phase == phase]
            good = [m for m in ms if m.ok]
            if not ms:
                continue
            if not good:
                rows.append(Row(tool, phase, 0, 0, 0, 0, 0, 0, None, None, 0, 0, 0, 0, ms[-1].note))
                continue
            expects = [m.expected_new for m in good if m.expected_new is not None]
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
                    expected_new=int(med(expects)) if expects else None,
                    items_per_s=None
                    if tool == "wire"
                    else med([m.new_items / m.wall_s for m in good]),
                    feeds_per_s=med([m.feeds / m.wall_s for m in good]),
                    got_200=int(med([m.farm.get("200", 0) for m in good])),
                    got_304=int(med([m.farm.get("304", 0) for m in good])),
                    wire_mb=med([m.farm.get("bytes", 0) / 1e6 for m in good]),
                    note=good[-1].note,
                )
            )
    return rows


@dataclass(frozen=True)
class Ratio:
    goal: Goal
    newsdesk: float | None
    other: float | None

    @property
    def ratio(self) -> float | None:
        if self.newsdesk is None or not self.other:
            return None
        return self.newsdesk / self.other

    @property
    def verdict(self) -> str:
        if self.goal.at_least is None:
            return ""
        if self.ratio is None:
            return "n/a"
        return "met" if self.ratio >= self.goal.at_least else "NOT met"


def ratios(rows: list[Row]) -> list[Ratio]:
    by = {(r.tool, r.phase): r for r in rows if r.runs}

    def figure(tool: str, g: Goal) -> float | None:
        r = by.get((tool, g.phase))
        if r is None:
            return None
        return r.items_per_s if g.figure == "items/s" else r.feeds_per_s

    return [Ratio(g, figure("newsdesk", g), figure(g.other, g)) for g in GOALS]


def print_table(rows: list[Row], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    heads = ["phase", "tool", "wall s", "cpu s", "peak RSS MB", "items", "new", "items/s"]
    heads += ["feeds/s", "200s", "304s", "wire MB"]
    for h in heads:
        table.add_column(h, justify="left" if h in ("tool", "phase") else "right", no_wrap=True)
    last_phase = ""
    for r in rows:
        if last_phase and r.phase != last_phase:
            table.add_section()
        last_phase = r.phase
        if r.runs == 0:
            table.add_row(r.phase, r.tool, "failed", *[""] * (len(heads) - 3))
            continue
        new = "-" if r.tool == "wire" else f"{r.new_items:,}"
        if r.expected_new is not None and r.tool != "wire" and r.new_items != r.expected_new:
            new += f" (of {r.expected_new:,})"
        per_s = "-" if r.items_per_s is None or not r.new_items else f"{r.items_per_s:,.0f}"
        table.add_row(
            r.phase,
            r.tool,
            f"{r.wall_s:.2f}",
            f"{r.cpu_s:.2f}",
            f"{r.peak_rss_mb:.0f}",
            "-" if r.tool == "wire" else f"{r.items:,}",
            new,
            per_s,
            f"{r.feeds_per_s:,.1f}",
            f"{r.got_200:,}",
            f"{r.got_304:,}",
            f"{r.wire_mb:.1f}",
        )
    goals = Table(title="newsdesk / other, from this run (issue 3's goals)")
    for h in ("phase", "figure", "vs", "newsdesk", "other", "ratio", "goal", "verdict"):
        goals.add_column(h, justify="left" if h in ("phase", "figure", "vs") else "right")
    for q in ratios(rows):
        g = q.goal
        goals.add_row(
            g.phase,
            g.figure,
            g.other,
            "-" if q.newsdesk is None else f"{q.newsdesk:,.1f}",
            "-" if q.other is None else f"{q.other:,.1f}",
            "-" if q.ratio is None else f"{q.ratio:.2f}x",
            "" if g.at_least is None else f">= {g.at_least:g}x",
            q.verdict,
            style="bold" if g.at_least is not None else "",
        )
    # A pipe or a file gets a fixed width so that no column is cut to "…".
    console = Console(width=None if sys.stdout.isatty() else 132)
    console.print(table)
    console.print(goals)
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


def versions() -> str:
    parts = []
    try:
        from importlib.metadata import version

        parts.append(f"reader {version('reader')}")
    except Exception:  # only a label
        pass
    if exe := shutil.which("newsboat"):
        out = subprocess.run([exe, "-v"], capture_output=True, text=True, check=False).stdout
        parts.append(out.split(" - ")[0].strip() if out else "newsboat ?")
    return ", ".join(parts)


def parse_tools(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    bad = [n for n in names if n not in TOOLS]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"tools are {','.join(TOOLS)}; got {value!r}")
    return list(dict.fromkeys(names))


def byte_compile_newsdesk() -> None:
    """Compile newsdesk's modules once, before any timed phase. pip compiled reader's (and
    every other installed package's) at install time, but newsdesk is installed editable
    here, and with PYTHONDONTWRITEBYTECODE set (as on this machine) every newsdesk run would
    compile its own modules from source again: about 45 ms a run, which the others do not
    pay."""
    import compileall

    import newsdesk

    compileall.compile_dir(Path(newsdesk.__file__).parent, quiet=1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="medians over this many runs")
    pick = ap.add_mutually_exclusive_group()
    pick.add_argument("--only", choices=TOOLS, help="benchmark one tool only")
    pick.add_argument(
        "--tools",
        type=parse_tools,
        default=list(TOOLS),
        help=f"comma-separated tools to run (default {','.join(TOOLS)})",
    )
    ap.add_argument("--workers", type=int, default=32, help="parallel fetches, every tool")
    ap.add_argument(
        "--full-text",
        choices=["default", "never"],
        default="default",
        help="newsdesk: subscribe with import-opml (default: --full-text auto) or with"
        " import-opml --full-text never",
    )
    ap.add_argument(
        "--newsboat-json",
        choices=["rss", "keep"],
        default="rss",
        help="newsboat 2.21 cannot read JSON Feed: ask for those feeds as RSS (default) or"
        " keep the JSON URLs (newsboat then stores nothing for them)",
    )
    ap.add_argument("--churn", type=float, default=0.1, help="fraction of feeds a tick changes")
    ap.add_argument("--out", type=Path, help="also write every run as JSON to this file")
    a = ap.parse_args(argv)
    if not FARM.is_file():
        raise SystemExit(f"bench: no feed farm at {FARM}")
    tools: list[str] = [a.only] if a.only else a.tools

    print(f"bench: {machine()}", file=sys.stderr)
    if "newsdesk" in tools:
        byte_compile_newsdesk()
    farm = Farm(a.feeds, a.items, a.churn)
    measures: list[Measure] = []
    ticks: list[dict[str, int]] = []
    try:
        with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
            work = Path(tmp)
            (work / "farm.opml").write_bytes(farm.get("/opml.xml"))
            (work / "urls.txt").write_bytes(farm.get("/urls.txt"))
            urls = read_urls(work / "urls.txt")
            as_rss = [re.sub(r"\.json$", ".rss", u) for u in urls]
            (work / "urls-newsboat.txt").write_text("".join(u + "\n" for u in as_rss))
            every = list(dict.fromkeys(urls + as_rss))
            etags = farm.warm(every)
            setting = Setting(work, a.workers, a.full_text, a.newsboat_json)
            for repeat in range(a.repeat):
                # Alternate which tool goes first so drift in the machine hits all alike.
                order = tools if repeat % 2 == 0 else tools[::-1]
                ready: list[Tool] = []
                for name in order:
                    tool = KINDS[name](setting, repeat)
                    if err := tool.setup():
                        measures += [failed(name, phase, repeat, err) for phase in PHASES]
                        print(f"bench: {name} setup failed: {err}", file=sys.stderr)
                    else:
                        ready.append(tool)
                for phase in PHASES:
                    expect: int | None = None
                    if phase == "churn":
                        # one tick for every tool, so all see the same changed feeds
                        ticks.append(farm.tick())
                        fresh = farm.warm(every)
                        expect = expected_new(
                            {u: etags[u] for u in urls}, {u: fresh[u] for u in urls}, a.items
                        )
                        etags = fresh
                        print(f"bench: tick {ticks[-1]}, expect +{expect} items", file=sys.stderr)
                    for tool in ready:
                        m = run_phase(tool, phase, repeat, farm, expect)
                        state = "ok" if m.ok else "FAILED"
                        print(
                            f"bench: run {repeat + 1}/{a.repeat} {tool.name:8} {phase:5} {state}"
                            f" wall {m.wall_s:.2f}s cpu {m.cpu_s:.2f}s"
                            f" rss {m.peak_rss_mb:.0f}MB items {m.items} new {m.new_items}"
                            f" {m.farm}",
                            file=sys.stderr,
                        )
                        measures.append(m)
    finally:
        farm.stop()

    title = (
        f"ingest: {a.feeds} feeds x {a.items} items, churn {a.churn:g}, {a.workers} workers,"
        f" median of {a.repeat}, newsdesk full text: {a.full_text},"
        f" newsboat JSON feeds: {a.newsboat_json}"
        f"\n{machine()}; {versions()}"
    )
    rows = summarize(measures, tools)
    print_table(rows, title)
    if a.out:
        a.out.write_text(
            json.dumps(
                {
                    "args": vars(a) | {"out": str(a.out)},
                    "machine": machine(),
                    "versions": versions(),
                    "ticks": ticks,
                    "runs": [asdict(m) for m in measures],
                    "ratios": [
                        asdict(q.goal) | {"ratio": q.ratio, "verdict": q.verdict}
                        for q in ratios(rows)
                    ],
                },
                indent=1,
            )
        )
    return 0 if all(m.ok for m in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
