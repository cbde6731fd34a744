"""Child process for bench/ingest.py: one phase of lemon24's reader against the feed farm.

    python bench/reader_run.py add    DB URLS_FILE
    python bench/reader_run.py update DB URLS_FILE --workers W

Runs as its own process so that the parent can read its CPU time and peak RSS from wait4,
exactly as it does for `newsdesk update`. Prints one JSON summary line on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _import_reader() -> object:
    # reader vendors an old feedparser that does `import sgmllib` (the sgmllib3k package);
    # feedparser >= 6.0.12 ships the same module as feedparser_sgmllib instead, so when only
    # that one is installed, alias it rather than benchmark nothing.
    try:
        import sgmllib  # noqa: F401
    except ImportError:
        import feedparser_sgmllib

        sys.modules["sgmllib"] = feedparser_sgmllib
    import reader

    return reader


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("phase", choices=["add", "update"])
    ap.add_argument("db")
    ap.add_argument("urls", type=Path)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args(argv)

    reader = _import_reader()
    r = reader.make_reader(a.db)  # type: ignore[attr-defined]
    urls = [u.strip() for u in a.urls.read_text().splitlines() if u.strip()]
    summary: dict[str, int] = {"feeds": len(urls)}
    if a.phase == "add":
        for url in urls:
            r.add_feed(url, exist_ok=True)
    else:
        counts = {"new": 0, "modified": 0, "updated_feeds": 0, "not_modified": 0, "errors": 0}
        # scheduled=False: fetch every feed now, like `newsdesk update --all`; with the default
        # (scheduled=True) the second run would skip feeds updated less than an hour ago.
        for result in r.update_feeds_iter(scheduled=False, workers=a.workers):
            value = result.value
            if isinstance(value, Exception):
                counts["errors"] += 1
            elif value is None:
                counts["not_modified"] += 1
            else:
                counts["updated_feeds"] += 1
                counts["new"] += value.new
                counts["modified"] += value.modified
        summary |= counts
    r.close()
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
