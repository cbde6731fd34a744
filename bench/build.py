"""The CPU time of each build stage a fetched item goes through: parse, clean, derive.

    .venv/bin/python bench/build.py --opml http://127.0.0.1:8901/opml.xml [--feeds 200]
                                    [--rounds 3]

Downloads the first --feeds feeds the OPML lists (the feed farm's, for instance), then runs
what a helper process does with each answer, in process, stage by stage: parse_feed, then
clean_item for every item, then derive (slugs, story signature, places, the body's words).
Prints microseconds an item for each stage, by content type for the parse, the best and the
median of --rounds passes. These are the stages that bound a cold import (bench/README.md);
compare two versions by putting the other's src first on PYTHONPATH, turn about. Run by
hand; never from the tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import urllib.request
from collections import defaultdict
from xml.etree import ElementTree

import django


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--opml", required=True, help="URL of an OPML list of feeds")
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.project.settings")
    os.environ.setdefault("NEWSDESK_HOME", tempfile.mkdtemp(prefix="newsdesk-build-"))
    django.setup()  # derive lives in the store package, which imports the models

    from newsdesk.engine.clean import clean_item
    from newsdesk.engine.parse import parse_feed
    from newsdesk.store.writes import derive
    from newsdesk.types import CleanOptions

    with urllib.request.urlopen(args.opml) as answer:
        outline = ElementTree.fromstring(answer.read())
    urls = [o.get("xmlUrl") or "" for o in outline.iter("outline") if o.get("xmlUrl")]
    feeds: list[tuple[str, bytes, str]] = []
    for url in urls[: args.feeds]:
        with urllib.request.urlopen(url) as answer:
            kind = answer.headers.get("Content-Type", "").split(";")[0]
            feeds.append((url, answer.read(), kind))
    options = CleanOptions()
    stages: dict[str, list[float]] = defaultdict(list)
    total = 0
    for _ in range(args.rounds):
        spent: dict[str, float] = defaultdict(float)  # stage -> CPU seconds in this round
        items: dict[str, int] = defaultdict(int)  # content type -> items
        for url, body, kind in feeds:
            started = time.thread_time()
            feed = parse_feed(body, url, kind)
            parsed = time.thread_time()
            articles = [clean_item(item, feed, options) for item in feed.items]
            cleaned = time.thread_time()
            for article in articles:
                derive(article)
            derived = time.thread_time()
            spent["parse"] += parsed - started
            spent[f"parse {kind}"] += parsed - started
            spent["clean"] += cleaned - parsed
            spent["derive"] += derived - cleaned
            items[kind] += len(feed.items)
        total = sum(items.values())
        spent["all three"] = spent["parse"] + spent["clean"] + spent["derive"]
        for stage, seconds in spent.items():
            kind = stage.removeprefix("parse ")
            count = items[kind] if stage.startswith("parse ") else total
            stages[stage].append(seconds / count * 1e6)
    print(f"{len(feeds)} feeds, {total:,} items; µs of CPU an item")
    print(f"{'stage':40} {'best':>8} {'median':>8}")
    for stage, values in stages.items():
        print(f"{stage:40} {min(values):8.1f} {statistics.median(values):8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
