"""Web benchmark (issue 5): newsdesk's pages under wrk, next to nginx serving the same bytes.

    .venv/bin/python bench/web.py [--articles 100000] [--sources 200] [--duration 10]
                                  [--connections 64] [--workers 2] [--home DIR] [--out FILE]
                                  [--repeat 1] [--before-src DIR] [--threads N]
                                  [--before-threads N]

1. Generates --articles articles across --sources sources (our own made-up words, bulk ORM
   inserts, the search index filled by its triggers) into a fresh SQLite NEWSDESK_HOME; with
   --home DIR it reuses a home made by an earlier run. The search index is then merged, as
   `newsdesk update` leaves it after a large import.
2. Serves it with `newsdesk serve --workers W` (granian) and the project's settings (the
   front page comes from the micro cache, at the WSGI door). Starts nginx (2 worker
   processes, access log off) serving the front page's bytes, fetched from newsdesk, from
   disk.
3. Runs wrk for each target at --connections connections, after a short warm-up:
   nginx (front page bytes), the front page, article pages (rotating over 5,000 different
   articles, so none is served from a cache), a deep archive page (the front page's keyset
   cursor 90% of the way into the archive, rotating over 500 cursors), and a search
   (rotating over 200 one- and two-word queries, words found in 50 to 5,000 articles), also
   at one connection, where latency is the search itself rather than the queue.
4. Prints requests/s, p50/p95/p99 latency, errors, and each target's requests/s as a share
   of nginx's from the same run, next to the issue's goals.

This machine's speed drifts within minutes (nginx alone has ranged from 59,000 to 94,000
requests/s between runs), so one round says little. --repeat N runs every target N times,
nginx first in each round; each share is of its own round's nginx, and the table gives the
medians (and each round's share). --before-src DIR serves a second newsdesk from the same
home with DIR (an older version's `src`, from `git archive REV src`) first on PYTHONPATH and
measures it in the same rounds, the two taking turns at going first: a paired comparison.
--threads N serves this checkout with `newsdesk serve --threads N`, --before-threads N the
--before-src version (which must know the option); with --before-src naming this checkout's
own src, the two compare thread counts.

Needs `wrk` and `nginx` (Debian: apt-get install wrk nginx-light). Run by hand; never from the
test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WRK = shutil.which("wrk") or "/usr/bin/wrk"

# Made-up words, so the text is ours and search has a realistic spread of word frequencies:
# a few very common words, a long tail of rare ones.
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "me",
    "sa",
    "lo",
    "vi",
    "na",
    "de",
    "ru",
    "po",
    "li",
    "ma",
    "te",
    "ko",
    "su",
    "ni",
    "ra",
    "bo",
    "le",
    "fa",
    "gu",
    "hi",
    "ja",
    "mo",
    "pe",
    "qui",
    "se",
    "ta",
    "vo",
    "we",
    "xa",
    "yo",
    "ze",
    "an",
    "el",
    "in",
    "or",
    "um",
    "ar",
    "es",
    "is",
    "os",
    "ul",
]
COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "by",
    "at",
    "from",
    "said",
    "city",
    "government",
    "report",
    "minister",
    "talks",
    "police",
    "court",
    "election",
    "market",
    "storm",
    "border",
    "health",
    "school",
]

WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Result:
    target: str
    requests_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    status_errors: int
    socket_errors: int
    connections: int = 0
    share_of_nginx: float = 0.0
    goal: str = ""
    version: str = ""
    round: int = 1


# (name, paths, connections or None for --connections, goal) of every newsdesk target, in
# the order they run
TARGETS: list[tuple[str, str, int | None, str]] = [
    ("front", "front", None, "≥20% of nginx, p99 < 25 ms"),
    ("article", "article", None, "≥5% of nginx"),
    ("deep archive", "deep archive", None, "≥5% of nginx"),
    ("search", "search", None, "p95 < 100 ms"),
    ("search, 1 connection", "search", 1, "p95 < 100 ms"),
]


def print_table(results: list[Result], versions: list[str]) -> None:
    """One line a target (and version), each figure the median over the rounds; with more
    than one round, each round's share of nginx after it."""
    rounds = max(r.round for r in results)
    width = 40 if len(versions) > 1 else 26
    header = f"{'target':<{width}}{'conns':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
    header += f"{'errors':>8}{'vs nginx':>10}"
    print(header + ("  by round" if rounds > 1 else "") + "  goal")
    rows = [("nginx (front page bytes)", "")]
    rows += [(name, version) for name, _, _, _ in TARGETS for version in versions]
    for name, version in rows:
        found = [r for r in results if r.target == name and r.version == version]
        if not found:
            continue
        label = f"{name} ({version})" if version and len(versions) > 1 else name
        errors = sum(r.status_errors + r.socket_errors for r in found)
        by_round = " ".join(f"{r.share_of_nginx:.1%}" for r in found) if rounds > 1 else ""
        print(
            f"{label:<{width}}{found[0].connections:>6}"
            f"{statistics.median(r.requests_per_s for r in found):>9.0f}"
            f"{statistics.median(r.p50_ms for r in found):>9.1f}"
            f"{statistics.median(r.p95_ms for r in found):>9.1f}"
            f"{statistics.median(r.p99_ms for r in found):>9.1f}{errors:>8}"
            f"{statistics.median(r.share_of_nginx for r in found):>9.1%}"
            + (f"  {by_round}" if by_round else "")
            + f"  {found[0].goal}"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"bench: {url} did not answer within {timeout:.0f}s")


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def sentence(rng: random.Random, vocab: list[str], n: int) -> str:
    # Zipf-like: low indexes (the start of a shuffled vocabulary) come up far more often.
    out = []
    for _ in range(n):
        if rng.random() < 0.3:
            out.append(rng.choice(COMMON))
        else:
            out.append(vocab[min(len(vocab) - 1, int(rng.paretovariate(1.1)) - 1)])
    return " ".join(out).capitalize() + "."


def generate(home: Path, articles: int, sources: int, seed: int = 5) -> None:
    """Fill a fresh home. Runs in this process: Django is set up for that home here."""
    os.environ["NEWSDESK_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.project.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from newsdesk.engine.tag import body_text
    from newsdesk.store.models import Article, Category, SiteSettings, Source

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    rng.shuffle(vocab)
    started = time.monotonic()
    with transaction.atomic():
        SiteSettings.objects.update_or_create(pk=1, defaults={"name": "Bench Daily"})
        cats = Category.objects.bulk_create(
            Category(name=f"Section {n}", slug=f"section-{n}") for n in range(24)
        )
        srcs = Source.objects.bulk_create(
            Source(
                name=f"Outlet {n}",
                slug=f"outlet-{n}",
                feed_url=f"https://outlet{n}.example/feed/",
                site_url=f"https://outlet{n}.example/",
            )
            for n in range(sources)
        )
    now = datetime.now(UTC)
    through = Article.categories.through
    batch = 2000
    for start in range(0, articles, batch):
        rows = []
        for n in range(start, min(articles, start + batch)):
            when = now - timedelta(seconds=rng.randint(0, 2 * 365 * 86400))
            title = sentence(rng, vocab, rng.randint(6, 11)).rstrip(".")
            paragraphs = [sentence(rng, vocab, rng.randint(18, 40)) for _ in range(5)]
            source = srcs[n % len(srcs)]
            body = "".join(f"<p>{p}</p>" for p in paragraphs)
            rows.append(
                Article(
                    source=source,
                    identity=f"bench-{n}",
                    guid=f"https://outlet.example/?p={n}",
                    url=f"{source.site_url}{when:%Y/%m/%d}/story-{n}/",
                    title=title,
                    slug=f"story-{n}",
                    author=rng.choice(["", "Staff Writer", "A. Reporter", "B. Correspondent"]),
                    published_at=when,
                    first_seen_at=when,
                    sort_at=when,
                    summary=paragraphs[0][:280],
                    body_html=body,
                    body_text=body_text(body),  # bulk_create skips save(), which sets it
                    image_url=f"https://images.example/{n}.jpg" if n % 3 else "",
                    image_caption="A scene from the day." if n % 3 else "",
                    image_credit="Bench Photo" if n % 3 else "",
                    image_width=1200 if n % 3 else None,
                    image_height=675 if n % 3 else None,
                    attribution_site=source.name,
                    attribution_url=source.site_url,
                    story_id=n // 4 if n % 5 == 0 else None,
                )
            )
        with transaction.atomic():
            made = Article.objects.bulk_create(rows)
            links = [
                through(article_id=a.pk, category_id=c.pk)
                for a in made
                for c in rng.sample(cats, rng.randint(1, 2))
            ]
            through.objects.bulk_create(links)
        done = min(articles, start + batch)
        if done % 20000 == 0 or done == articles:
            rate = done / (time.monotonic() - started)
            print(f"bench: {done:,} articles written ({rate:,.0f}/s)", file=sys.stderr)
    with django.db.connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def tidy_search_index(home: Path) -> None:
    """The search index as an import of this size leaves it: `newsdesk update` merges it
    into one b-tree after a run that adds 1,000 articles or more (store.search.tidy_index,
    FTS5 'optimize'); the bulk inserts above bypass it. Quick when already merged."""
    db = sqlite3.connect(home / "newsdesk.sqlite3")
    try:
        with db:
            db.execute("INSERT INTO store_article_fts(store_article_fts) VALUES ('optimize')")
    finally:
        db.close()


def targets(home: Path, dest: Path) -> dict[str, Path]:
    """Files of paths for wrk to rotate over, read straight from the database.

    The same home gives the same paths every time (a seeded choice, not SQL's random()), so
    two versions, or two runs of bench/pages.py, are measured on the same requests: with a
    fresh draw of 200 search words each time, two runs differed by the draw as well."""
    pick = random.Random(1)
    db = sqlite3.connect(home / "newsdesk.sqlite3")
    published = db.execute(
        "SELECT id, slug FROM store_article WHERE status = 'published' ORDER BY id"
    ).fetchall()
    articles = pick.sample(published, min(5000, len(published)))
    total = db.execute("SELECT count(*) FROM store_article").fetchone()[0]
    deep = db.execute(
        "SELECT sort_at, id FROM store_article WHERE status = 'published' AND NOT pinned "
        "ORDER BY sort_at DESC, id DESC LIMIT 500 OFFSET ?",
        (int(total * 0.9),),
    ).fetchall()
    # Words in 50 to 5,000 articles: the searches a reader makes, neither empty nor "the".
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_vocab USING fts5vocab(main, "
        "store_article_fts, 'row')"
    )
    vocabulary = [
        r[0]
        for r in db.execute(
            "SELECT term FROM temp.fts_vocab WHERE doc BETWEEN 50 AND 5000 ORDER BY term"
        )
    ]
    words = pick.sample(vocabulary, min(300, len(vocabulary)))
    db.close()
    queries = words[:100] + [
        f"{a} {b}" for a, b in zip(words[100:200], words[200:300], strict=False)
    ]

    def cursor(sort_at: str, article_id: int) -> str:
        when = datetime.fromisoformat(sort_at).replace(tzinfo=UTC)
        return quote(f"{when:%Y-%m-%dT%H:%M:%S.%fZ},{article_id}", safe="")

    files = {
        "front": ["/"],
        "article": [f"/article/{i}/{slug}/" for i, slug in articles],
        "deep archive": [f"/?before={cursor(s, i)}" for s, i in deep],
        "search": [f"/search?q={quote(q)}" for q in queries],
    }
    out = {}
    for name, paths in files.items():
        path = dest / f"{name.replace(' ', '-')}.paths"
        path.write_text("\n".join(paths) + "\n")
        out[name] = path
    return out


def run_wrk(
    name: str, base: str, paths: Path, work: Path, args: argparse.Namespace, connections: int
) -> Result:
    script = work / f"{paths.stem}.lua"
    script.write_text(WRK_SCRIPT % {"paths": paths})
    threads = min(2, connections)
    common = [f"-t{threads}", f"-c{connections}", "--timeout", "10s", "-s", str(script), base]
    subprocess.run([WRK, "-d2s", *common], capture_output=True, check=True)  # warm-up
    out = subprocess.run(
        [WRK, f"-d{args.duration}s", *common], capture_output=True, text=True, check=True
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    requests, duration_us, p50, p95, p99, status_err, sock_err = map(int, line.split()[1:])
    return Result(
        target=name,
        requests_per_s=requests / (duration_us / 1e6),
        p50_ms=p50 / 1000,
        p95_ms=p95 / 1000,
        p99_ms=p99 / 1000,
        status_errors=status_err,
        socket_errors=sock_err,
        connections=connections,
    )


def start_nginx(work: Path, front: bytes) -> tuple[subprocess.Popen[bytes], str]:
    www = work / "www"
    www.mkdir()
    (www / "front.html").write_bytes(front)
    for p in (work, www, www / "front.html"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    port = free_port()
    conf = work / "nginx.conf"
    conf.write_text(
        f"""worker_processes 2;
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {work}/body; proxy_temp_path {work}/proxy;
  fastcgi_temp_path {work}/fcgi; uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {www};
    location / {{ default_type "text/html; charset=utf-8"; try_files /front.html =404; }}
  }}
}}
"""
    )
    proc = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(work)], stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/")
    return proc, base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        help="newsdesk serve --threads N for this checkout (default: serve's own, 4)",
    )
    parser.add_argument(
        "--before-threads",
        type=int,
        help="newsdesk serve --threads N for the --before-src version",
    )
    parser.add_argument("--home", type=Path, help="reuse this home (generated when empty)")
    parser.add_argument("--out", type=Path, help="also write the results as JSON")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of every target")
    parser.add_argument(
        "--before-src",
        type=Path,
        help="also serve the newsdesk whose src is in this folder, measured in the same rounds",
    )
    args = parser.parse_args()
    for tool in (WRK, NGINX):
        if not Path(tool).exists():
            raise SystemExit(f"bench: {tool} not found (apt-get install wrk nginx-light)")
    work = Path(tempfile.mkdtemp(prefix="newsdesk-web-"))
    home = args.home or work / "home"
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "newsdesk.sqlite3").exists():
        started = time.monotonic()
        child = subprocess.run(
            [
                sys.executable,
                __file__,
                "--generate",
                str(home),
                str(args.articles),
                str(args.sources),
            ]
        )
        if child.returncode:
            return child.returncode
        print(f"bench: generated in {time.monotonic() - started:.0f}s", file=sys.stderr)
    env = {**os.environ, "NEWSDESK_HOME": str(home), "NEWSDESK_LOG_LEVEL": "ERROR"}
    # a reused home may predate the newest migration
    subprocess.run([str(VENV_BIN / "newsdesk"), "init"], env=env, check=True, capture_output=True)
    tidy_search_index(home)
    paths = targets(home, work)
    versions = {"this checkout": env}
    if args.before_src:
        # an older version's src first on the path, served the same way from the same home
        before_path = os.pathsep.join(
            p for p in (str(args.before_src.resolve()), env.get("PYTHONPATH", "")) if p
        )
        versions["before"] = {**env, "PYTHONPATH": before_path}
    threads = {"this checkout": args.threads, "before": args.before_threads}
    servers: list[subprocess.Popen[bytes]] = []
    nginx = None
    results: list[Result] = []
    try:
        bases: dict[str, str] = {}
        for version, server_env in versions.items():
            port = free_port()
            servers.append(
                subprocess.Popen(
                    [
                        str(VENV_BIN / "newsdesk"),
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--workers",
                        str(args.workers),
                        *(["--threads", str(threads[version])] if threads[version] else []),
                    ],
                    env=server_env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
            bases[version] = f"http://127.0.0.1:{port}"
            wait_for(bases[version] + "/healthz")
        with urllib.request.urlopen(bases["this checkout"] + "/", timeout=10) as r:
            front = r.read()
        nginx, nginx_base = start_nginx(work, front)
        order = list(versions)
        for round_number in range(1, args.repeat + 1):
            # nginx first in every round: each share is of the nginx figure of its own round
            reference = run_wrk(
                "nginx (front page bytes)", nginx_base, paths["front"], work, args, args.connections
            )
            reference.round, reference.share_of_nginx = round_number, 1.0
            results.append(reference)
            # the versions turn about, so neither always runs on the warmer machine
            for version in order if round_number % 2 else order[::-1]:
                for name, kind, connections, goal in TARGETS:
                    result = run_wrk(
                        name,
                        bases[version],
                        paths[kind],
                        work,
                        args,
                        connections or args.connections,
                    )
                    result.goal, result.version, result.round = goal, version, round_number
                    rps = reference.requests_per_s
                    result.share_of_nginx = result.requests_per_s / rps if rps else 0.0
                    results.append(result)
    finally:
        for proc in servers:
            proc.send_signal(signal.SIGINT)
        if nginx is not None:
            nginx.terminate()
        for proc in [*servers, *([nginx] if nginx else [])]:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(
        f"\n{args.articles:,} articles, {args.sources} sources; wrk -t2 "
        f"-d{args.duration}s; newsdesk serve --workers {args.workers}"
        + (f" --threads {args.threads}" if args.threads else "")
        + (f" (before: --threads {args.before_threads})" if args.before_threads else "")
        + "; nginx 2 workers; "
        f"front page {len(front):,} bytes; {args.repeat} round(s)"
        + ("; medians over the rounds" if args.repeat > 1 else "")
        + "\n"
    )
    print_table(results, list(versions))
    if args.out:
        args.out.write_text(json.dumps([asdict(r) for r in results], indent=1))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--generate":
        generate(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
        raise SystemExit(0)
    raise SystemExit(main())
