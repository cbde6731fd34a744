"""Scoring an extractor on trafilatura's evaluation subset in ../shared (snippet ground
truth): used by test_extract_benchmark.py and bench/fidelity.py.

The rules are upstream's: whitespace-normalise the output and each snippet; a "with"
snippet found is a true positive, missed a false negative; a "without" snippet found is a
false positive; an extractor that fails on a page misses all its "with" snippets. Counts
are summed over the corpus (micro-average).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

Extractor = Callable[[bytes, str], str | None]  # None: nothing extracted
_SPACE = re.compile(r"\s+")
_BLOCKS = frozenset(
    {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
     "table", "tr", "td", "th", "figure", "figcaption", "br", "hr", "section", "article"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Score:
    precision: float
    recall: float
    f1: float
    pages: int
    failed: int
    seconds: float


def root(shared: Path) -> Path:
    return shared / "corpora" / "extraction-benchmark" / "trafilatura-eval"


def pages(shared: Path) -> Iterator[tuple[str, bytes, list[str], list[str]]]:
    base = root(shared)
    data = json.loads((base / "evaldata-subset.json").read_text(encoding="utf-8"))
    for url, case in data.items():
        yield url, (base / "html" / case["file"]).read_bytes(), case["with"], case["without"]


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def text_of_html(markup: str) -> str:
    """What a reader reads in extracted HTML: block elements end a line."""
    import lxml.html

    tree = lxml.html.fragment_fromstring(markup, create_parent="div")
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
    return str(tree.text_content())


def score(extract: Extractor, shared: Path) -> Score:
    tp = fp = fn = 0
    failed = count = 0
    started = time.perf_counter()
    for url, raw, with_, without in pages(shared):
        count += 1
        text = extract(raw, url)
        if text is None:
            failed += 1
            fn += len(with_)
            continue
        found = _norm(text)
        hits = sum(1 for s in with_ if _norm(s) in found)
        tp += hits
        fn += len(with_) - hits
        fp += sum(1 for s in without if _norm(s) in found)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(precision, recall, f1, count, failed, time.perf_counter() - started)


def ours(raw: bytes, url: str) -> str | None:
    """newsdesk's full-text extraction, as the pipeline runs it (before sanitizing)."""
    from newsdesk.engine.extract import extract_page
    from newsdesk.errors import ExtractError

    try:
        return text_of_html(extract_page(raw, url).html)
    except ExtractError:
        return None
