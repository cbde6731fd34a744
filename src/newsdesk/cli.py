"""`newsdesk <command>`: one small function per command.

Django and the heavy libraries are imported inside the commands, so `newsdesk --help` stays
fast. Every failure the user can cause ends as one line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newsdesk import __version__
from newsdesk.config import Settings, load_settings
from newsdesk.errors import InputError, NewsdeskError

EXIT_USAGE = 2
EXIT_INTERNAL = 70


# Allocations between two collections of the youngest generation once start-up is over
# (Python's default is 700): a fetch loop allocates many short-lived objects.
COLLECT_AFTER = 10_000
_collector_held = False  # entry() holds the collector until start-up is over


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.project.settings")
    import django

    django.setup()
    _start_up_over()


def _start_up_over() -> None:
    """The collector back on, with what start-up made (modules, Django's models and
    settings: about 80,000 tracked objects, kept to the end) left out of its walks.
    Collections during start-up and over that heap cost 8% of an all-304 update of 2,000
    feeds (paired runs, bench/README.md)."""
    global _collector_held
    if not _collector_held:
        return
    _collector_held = False
    gc.freeze()
    gc.set_threshold(COLLECT_AFTER, *gc.get_threshold()[1:])
    gc.enable()


def _migrate_if_needed() -> None:
    if _all_recorded():
        return
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False)


def _all_recorded() -> bool:
    """Whether every migration file of every app is recorded as applied: one query and a
    look at the folders, where building the migration graph imports every migration (a
    tenth of a short command's time). Anything else is left to the full check."""
    import importlib.util
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings
    from django.db import DatabaseError, connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
    except DatabaseError:  # no table yet: a new database
        return False
    for config in apps.get_app_configs():
        # where MigrationLoader.migrations_module looks (None: the app has none)
        module = settings.MIGRATION_MODULES.get(config.label, f"{config.name}.migrations")
        spec = importlib.util.find_spec(module) if module else None
        if spec is None or not spec.submodule_search_locations:
            continue
        for folder in spec.submodule_search_locations:
            for file in Path(folder).glob("[0-9]*.py"):
                if (config.label, file.stem) not in applied:
                    return False
    return True


def _ready() -> Settings:
    settings = load_settings()
    _django()
    _migrate_if_needed()
    return settings


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _json(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- commands


def cmd_init(args: argparse.Namespace) -> int:
    _ready()
    if args.admin or args.password:
        if not (args.admin and args.password):
            raise InputError("init: --admin and --password go together")
        from newsdesk.store.people import ensure_admin

        created = ensure_admin(args.admin, args.password)
        _out(f"administrator {args.admin} {'created' if created else 'updated'}")
    settings = load_settings()
    _out(f"database ready: {settings.database_url}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    settings = _ready()
    from newsdesk.pipeline.subscribe import subscribe
    from newsdesk.types import FullText

    result = subscribe(
        settings,
        args.url,
        name=args.name,
        category=args.category,
        full_text=FullText(args.full_text),
        review=args.review,
    )
    note = "" if result.created else " (already subscribed)"
    _out(f"{result.source.id}\t{result.title}{note}")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    settings = _ready()
    from datetime import UTC, datetime

    from newsdesk.store.sources import all_sources, span

    rows = all_sources(settings.failing_after)
    now = datetime.now(UTC)
    if args.json:
        for row in rows:
            _json(row.record())
        return 0
    if not rows:
        _out("no sources yet: newsdesk add URL")
    for row in rows:
        state = {"failing": "FAILING", "quiet": "QUIET"}.get(row.state, row.state)
        last = row.last_fetched_at.strftime("%Y-%m-%d %H:%M") if row.last_fetched_at else "never"
        error = f"  error: {row.last_error}" if row.last_error else ""
        if row.quiet_since and row.last_new_at:
            error += f"  quiet: nothing new since {row.last_new_at:%Y-%m-%d %H:%M}"
            if row.usual_gap_seconds:
                error += f", usually every {span(row.usual_gap_seconds)}"
        if row.websub is not None:
            error += f"  websub: {row.websub.state_at(now)} at {row.websub.hub_url}"
        _out(
            f"{row.id}\t{row.name}\t{row.feed_url}\t{state}\tlast {last} "
            f"({row.last_status or '-'})\t{row.articles} items\t"
            f"next {row.next_fetch_at:%Y-%m-%d %H:%M}{error}"
        )
    return 0


def cmd_import_opml(args: argparse.Namespace) -> int:
    _ready()
    from newsdesk.pipeline.subscribe import import_opml
    from newsdesk.types import FullText

    added, known, skipped = import_opml(Path(args.file), FullText(args.full_text))
    _out(f"{added} sources added, {known} already subscribed, {skipped} skipped")
    return 0


def cmd_export_opml(args: argparse.Namespace) -> int:
    _ready()
    from newsdesk.pipeline.subscribe import export_opml
    from newsdesk.store.reads import site_settings

    data = export_opml(site_settings().name)
    if args.file and args.file != "-":
        try:
            Path(args.file).write_bytes(data)
        except OSError as e:
            raise InputError(f"export-opml: cannot write {args.file}: {e.strerror or e}") from e
    else:
        sys.stdout.buffer.write(data)
    return 0


def _progress_bar() -> tuple[Callable[[int, int], None] | None, Callable[[], None]]:
    if not sys.stderr.isatty():
        return None, lambda: None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=None,
    )
    task = bar.add_task("updating", total=None)
    bar.start()

    def advance(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return advance, bar.stop


def cmd_update(args: argparse.Namespace) -> int:
    settings = _ready()
    from newsdesk.pipeline.update import update

    advance, stop = _progress_bar()
    try:
        summary = update(settings, everything=args.all, source_id=args.source, progress=advance)
    finally:
        stop()
    if args.json:
        _json({**summary.__dict__, "errors": list(summary.errors)})
    else:
        _out(summary.line())
    if args.source is not None and summary.failed:
        sys.stderr.write(f"newsdesk: {summary.errors[0]}\n")
        return 1
    return 0


def cmd_articles(args: argparse.Namespace) -> int:
    _ready()
    from newsdesk.store.reads import article_records

    records = article_records(source_id=args.source, category=args.category, limit=args.limit)
    _print_articles(records, as_json=args.json)
    return 0


def _print_articles(records: Sequence[dict[str, Any]], *, as_json: bool) -> None:
    for record in records:
        if as_json:
            _json(record)
        else:
            date = (record.get("published") or "")[:10] or "undated"
            _out(f"{record['id']}\t{date}\t{record['source']['name']}\t{record['title']}")


def cmd_search(args: argparse.Namespace) -> int:
    _ready()
    from newsdesk.store.search import search_records

    _print_articles(search_records(args.query, limit=args.limit), as_json=args.json)
    return 0


# Threads per server process. A request body is read on one of them, so a few clients that
# send theirs slowly hold that many threads (README, "Going public"); four leave room for that
# and for database round trips (PostgreSQL) while the GIL runs one at a time.
SERVE_THREADS = 4


def _serve(host: str, port: int, workers: int, threads: int = SERVE_THREADS) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        "newsdesk.project.wsgi:application",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=max(1, workers),
        # Django views are synchronous: a few threads per process keep the GIL from
        # thrashing, and back-pressure queues the rest in the socket instead of in memory
        blocking_threads=max(1, threads),
        backpressure=64,
        log_access=False,
    ).serve()


def cmd_serve(args: argparse.Namespace) -> int:
    _ready()
    _out(f"newsdesk: serving http://{args.host}:{args.port}/")
    _serve(args.host, args.port, args.workers, args.threads)
    return 0


def _load_demo_when_empty(settings: Settings) -> None:
    from newsdesk.demo import DEMO_SOURCES
    from newsdesk.pipeline.update import update
    from newsdesk.store import writes

    if writes.has_sources():
        return
    for demo in DEMO_SOURCES:
        writes.add_source(demo.feed_url, demo.name, category=demo.category)
    summary = update(settings, everything=True)
    _out(f"newsdesk: no sources yet, loaded the bundled demo feeds ({summary.new} articles)")


def _schedule_forever(
    settings: Settings, stop: threading.Event, exit_when_idle: bool = False
) -> None:
    from newsdesk.pipeline.scheduler import run_scheduler

    run_scheduler(settings, stop, exit_when_idle=exit_when_idle)


def _log_fetches() -> None:
    """The long-running commands log one line per fetch unless told otherwise."""
    os.environ.setdefault("NEWSDESK_LOG_LEVEL", "INFO")


def cmd_run(args: argparse.Namespace) -> int:
    _log_fetches()
    settings = _ready()
    if not args.no_demo:
        _load_demo_when_empty(settings)
    stop = threading.Event()
    thread = threading.Thread(
        target=_schedule_forever, args=(settings, stop), name="newsdesk-scheduler", daemon=True
    )
    thread.start()
    from newsdesk.store.people import has_staff

    base = f"http://{args.host}:{args.port}"
    _out(f"newsdesk: site and scheduler on {base}/")
    _out(f"newsdesk: editors log in at {base}/admin/")
    if not has_staff():
        _out("newsdesk: no login yet: newsdesk init --admin USER --password PW")
    try:
        _serve(args.host, args.port, args.workers, args.threads)
    finally:
        stop.set()
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _log_fetches()
    settings = _ready()
    _out("newsdesk: worker started (scheduler and fetch loop only)")
    stop = threading.Event()
    try:
        _schedule_forever(settings, stop, args.exit_when_idle)
    except KeyboardInterrupt:
        stop.set()
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    settings = _ready()
    from newsdesk.pipeline.replay import replay

    result = replay(
        args.source,
        args.fetch,
        full_text_limit=settings.full_text_per_fetch,
        embeds=settings.embeds,
    )
    if args.json:
        for item in result.items:
            _json(item.record())
        return 0
    _out(result.header())
    for item in result.items:
        _out(item.line())
    _out(result.footer())
    return 0


# ---------------------------------------------------------------- parsing


def _positive(text: str) -> int:
    """An argparse type: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk", description="News syndication: follow feeds, clean, publish."
    )
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("init", help="create or migrate the database; optionally an admin user")
    p.add_argument("--admin", metavar="USER")
    p.add_argument("--password", metavar="PW")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("add", help="subscribe to a feed URL or a page that names its feed")
    p.add_argument("url")
    p.add_argument("--name")
    p.add_argument("--category")
    p.add_argument("--full-text", choices=["auto", "always", "never"], default="auto")
    p.add_argument("--review", action="store_true", help="hold new items for an editor")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("sources", help="every source with its health")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("import-opml", help="subscribe to every feed of an OPML file")
    p.add_argument("file")
    p.add_argument(
        "--full-text",
        choices=["auto", "always", "never"],
        default="auto",
        help="full-text mode of the sources it adds",
    )
    p.set_defaults(func=cmd_import_opml)

    p = sub.add_parser("export-opml", help="write the subscriptions as OPML (stdout by default)")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_export_opml)

    p = sub.add_parser("update", help="fetch what is due now (or everything)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--all", action="store_true", help="every enabled source, due or not")
    group.add_argument("--source", type=int, metavar="ID")
    p.add_argument("--json", action="store_true", help="the summary as one JSON object")
    p.set_defaults(func=cmd_update)

    p = sub.add_parser("articles", help="newest articles first")
    p.add_argument("--json", action="store_true")
    p.add_argument("--source", type=int, metavar="ID")
    p.add_argument("--category", metavar="NAME")
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p.set_defaults(func=cmd_articles)

    p = sub.add_parser("search", help="full-text search of the articles")
    p.add_argument("query")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=20, metavar="N")
    p.set_defaults(func=cmd_search)

    for name, func, text in (
        ("serve", cmd_serve, "the website only"),
        ("run", cmd_run, "the website and the scheduler together"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=8000)
        p.add_argument(
            "--workers", type=int, default=1, metavar="N", help="web server processes (default 1)"
        )
        p.add_argument(
            "--threads",
            type=_positive,
            default=SERVE_THREADS,
            metavar="N",
            help=f"threads per server process (default {SERVE_THREADS}; README: Going public)",
        )
        if name == "run":
            p.add_argument(
                "--no-demo", action="store_true", help="do not load the demo feeds when empty"
            )
        p.set_defaults(func=func)

    p = sub.add_parser("worker", help="the scheduler and fetch loop only")
    p.add_argument(
        "--exit-when-idle",
        action="store_true",
        help="stop once nothing is due and no source is held (for cron and batch runs)",
    )
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser(
        "replay", help="re-run a stored fetch offline: what would happen to each item, and why"
    )
    p.add_argument("source", metavar="SOURCE", help="the source's id or slug")
    p.add_argument(
        "--fetch", type=int, default=1, metavar="N", help="which stored fetch (1: the newest)"
    )
    p.add_argument("--json", action="store_true", help="one JSON object per item")
    p.set_defaults(func=cmd_replay)
    return parser


def _describe(error: Exception) -> str:
    """One line for an error nobody planned for: name the layer, keep the first line."""
    module = type(error).__module__
    text = (str(error).strip().splitlines() or [""])[0]
    if module.startswith(("django.db", "psycopg", "sqlite3")):
        return f"database: {text}"
    return f"internal error ({type(error).__name__}: {text}); set NEWSDESK_DEBUG=1 for details"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except NewsdeskError as e:
        sys.stderr.write(f"newsdesk: {e}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("newsdesk: interrupted\n")
        return 130
    except BrokenPipeError:
        # `newsdesk sources | head`: the reader has all it wanted; say nothing, like cat
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as e:
        if os.environ.get("NEWSDESK_DEBUG"):
            raise
        sys.stderr.write(f"newsdesk: {_describe(e)}\n")
        return EXIT_INTERNAL


def entry() -> None:
    """The `newsdesk` command: main(), then out without tearing the interpreter down.

    Freeing every module and object at exit cost 60 to 190 ms of a 1.2 s update run (four
    paired runs), paid by every command. What exit would do that matters is done here
    first: the output and the log handlers are flushed, and the database connections
    closed (SQLite checkpoints its WAL when the last one closes). Helper processes and
    threads are already ended by the commands themselves. An exception that escapes main()
    (NEWSDESK_DEBUG) still goes the usual way, with its traceback.
    """
    import logging

    global _collector_held
    # a command's imports make only objects kept to the end: nothing for the collector
    gc.disable()
    _collector_held = True
    code = main()
    try:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away; its exit code says enough
        pass
    os._exit(code)


if __name__ == "__main__":
    entry()
