"""Content fidelity report (issue 4): how whole, clean and correct imported articles are.

    .venv/bin/python bench/fidelity.py [--shared DIR] [--skip-extraction] [--out FILE]

Prints, from one run over the corpora in ../shared:

- conformance: feedparser's fixtures, graded by the rule of
  tests/engine/parse/conformance.py, for newsdesk's parse stage and, on the same rows, for
  feedparser alone and fastfeedparser alone;
- golden feeds: the real captured feeds of tests/engine/test_golden_feeds.py whose parse +
  clean output matches its reviewed JSON, for newsdesk (feedparser and fastfeedparser give
  no articles to compare, so only the feeds each parses without an exception are counted);
- extraction: precision, recall and F1 of newsdesk's full-text extraction on trafilatura's
  evaluation subset, next to plain trafilatura with upstream's benchmark settings in the
  same run and trafilatura's published figure on the full corpus;
- XSS: vectors of the corpus that survive sanitizing (by the parse oracle of
  tests/engine/clean/xss_oracle.py; the Chromium render is tests/engine/clean/
  test_clean_xss_browser.py), which must be 0;
- lead images: accuracy against independent labels (tests/data/golden/lead-images.tsv,
  written by reading the raw feeds; tests/engine/test_lead_image_labels.py), for newsdesk and
  for a naive baseline over feedparser's and fastfeedparser's output (first image
  media:content, media:thumbnail, image enclosure, `image`, else first <img>); and, as a
  stability figure only, the share of items whose lead image is still the one the golden
  JSON names (our own reviewed output, not independent labels).

Run by hand; never from the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
for helper in ("engine/parse", "engine/clean", "engine/extract", "engine"):
    sys.path.insert(0, str(TESTS / helper))
sys.path.insert(0, str(ROOT))

PUBLISHED_TRAFILATURA_F1 = 0.924  # trafilatura 2.2.0, standard, full 990-document corpus


def _conformance() -> dict[str, Any]:
    import conformance
    import fastfeedparser
    import feedparser

    cases = conformance.cases()
    if not cases:
        return {}
    feedparser_alone: Callable[[bytes], Any] = feedparser.parse

    def fast_alone(raw: bytes) -> Any:
        return fastfeedparser.parse(raw)

    started = time.perf_counter()
    ours = sum(1 for c in cases if conformance.passes(c))
    seconds = time.perf_counter() - started
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fp = sum(1 for c in cases if conformance.passes_as(c, feedparser_alone))
        ffp = sum(1 for c in cases if conformance.passes_as(c, fast_alone))
    return {"cases": len(cases), "newsdesk": ours, "feedparser": fp, "fastfeedparser": ffp,
            "seconds": round(seconds, 2)}  # fmt: skip


def _golden(shared: Path) -> dict[str, Any]:
    import golden_feeds

    feeds = golden_feeds.feed_files(shared)
    matching = parsed = 0
    images = image_hits = 0
    for path in feeds:
        expected = golden_feeds.expected(shared, path)
        try:
            got = golden_feeds.records(path)
        except Exception:
            continue
        parsed += 1
        if expected is not None and got == expected:
            matching += 1
        if expected is None:
            continue
        for want, have in zip(expected["items"], got["items"], strict=False):
            images += 1
            image_hits += (want.get("image") or {}).get("url") == (have.get("image") or {}).get(
                "url"
            )
    alone = {}
    for name, parse in golden_feeds.alone_parsers().items():
        ok = 0
        for path in feeds:
            try:
                parse(path.read_bytes())
                ok += 1
            except Exception:
                pass
        alone[name] = ok
    return {
        "feeds": len(feeds),
        "newsdesk_parsed": parsed,
        "newsdesk_matching": matching,
        "parsed_alone": alone,
        "lead_images": images,
        "lead_images_right": image_hits,
        "lead_image_labels": _lead_image_labels(shared),
    }


def _lead_image_labels(shared: Path) -> dict[str, Any]:
    import golden_feeds

    choosers: dict[str, golden_feeds.Chooser] = {"newsdesk": golden_feeds.our_lead_images}
    for name, parse in golden_feeds.alone_parsers().items():
        choosers[name] = golden_feeds.alone_lead_images(parse)
    out: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, choose in choosers.items():
            score = golden_feeds.score_lead_images(shared, choose)
            out[name] = {"rows": score.scored, "right": score.right, "exact": score.exact,
                         "feeds": len(score.feeds), "ambiguous": score.ambiguous}  # fmt: skip
    return out


def _extraction(shared: Path) -> dict[str, Any]:
    import extraction_benchmark as bench
    import trafilatura

    def plain(raw: bytes, url: str) -> str | None:
        return trafilatura.extract(
            raw, url=url, include_comments=False, include_tables=True, include_formatting=False
        )

    out = {}
    for name, extract in (("newsdesk", bench.ours), ("trafilatura", plain)):
        got = bench.score(extract, shared)
        out[name] = {
            "precision": round(got.precision, 3),
            "recall": round(got.recall, 3),
            "f1": round(got.f1, 3),
            "failed": got.failed,
            "pages": got.pages,
            "seconds": round(got.seconds, 1),
        }
    return out


def _xss(shared: Path) -> dict[str, Any]:
    from xss_corpus import payloads
    from xss_oracle import safety_problems

    from newsdesk.engine.clean import sanitize_html

    total = surviving = 0
    for _, payload in payloads(shared):
        total += 1
        surviving += bool(safety_problems(sanitize_html(payload)))
    return {"vectors": total, "surviving": surviving}


def _pct(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.1f}%)" if total else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--skip-extraction", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if not (args.shared / "corpora").is_dir():
        print(f"fidelity: no corpora at {args.shared}/corpora", file=sys.stderr)
        return 1
    os.environ["NEWSDESK_SHARED"] = str(args.shared)
    report: dict[str, Any] = {
        "conformance": _conformance(),
        "golden": _golden(args.shared),
        "xss": _xss(args.shared),
    }
    if not args.skip_extraction:
        report["extraction"] = _extraction(args.shared)

    c = report["conformance"]
    print("\nconformance (feedparser fixtures, importer fields)")
    for name in ("newsdesk", "feedparser", "fastfeedparser"):
        print(f"  {name:<16} {_pct(c[name], c['cases'])}")
    g = report["golden"]
    print("\ngolden real feeds")
    print(f"  newsdesk         {_pct(g['newsdesk_matching'], g['feeds'])} match the reviewed JSON"
          f" ({g['newsdesk_parsed']} parsed)")  # fmt: skip
    for name, ok in g["parsed_alone"].items():
        print(f"  {name:<16} {_pct(ok, g['feeds'])} parsed without an exception (no articles)")
    labels = g["lead_image_labels"]
    ours = labels["newsdesk"]
    print(
        f"\nlead images against independent labels (tests/data/golden/lead-images.tsv:"
        f" {ours['rows']} items of {ours['feeds']} feeds, {ours['ambiguous']} ambiguous left out)"
    )
    for name, got in labels.items():
        what = "parse + clean" if name == "newsdesk" else "naive baseline on its output"
        print(f"  {name:<16} {_pct(got['right'], got['rows'])} correct ({what};"
              f" exact URL {got['exact']})")  # fmt: skip
    # the golden files are our own reviewed output: this says the lead images did not
    # change, it is not an accuracy
    print(
        f"  stability        {_pct(g['lead_images_right'], g['lead_images'])} of golden items "
        "keep the lead image of the golden snapshot (our output, not labels)"
    )
    if "extraction" in report:
        print("\nfull-text extraction (trafilatura eval subset, 268 pages)")
        print("  extractor        precision  recall   F1     failed")
        for name, e in report["extraction"].items():
            print(f"  {name:<16} {e['precision']:<10} {e['recall']:<8} {e['f1']:<6} {e['failed']}")
        print(f"  published        trafilatura 2.2.0 F1 {PUBLISHED_TRAFILATURA_F1} (990 pages)")
    x = report["xss"]
    print(f"\nXSS vectors surviving the sanitizer: {x['surviving']} of {x['vectors']} (goal 0)")
    if args.out:
        args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
