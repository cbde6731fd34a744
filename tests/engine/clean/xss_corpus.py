"""The XSS vectors of ../shared/corpora/xss-vectors, by name: html5sec, DOMPurify's payloads,
bleach's regressions and html5sec's RSS vectors. Used by the sanitizer tests (parsed and
in Chromium) and bench/fidelity.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

CORPUS = "corpora/xss-vectors"


def payloads(shared: Path) -> Iterator[tuple[str, str]]:
    root = shared / CORPUS
    for item in json.loads((root / "html5sec" / "items.json").read_text(encoding="utf-8")):
        yield f"html5sec-{item['id']}", item["data_expanded"]
    for index, case in enumerate(
        json.loads((root / "dompurify" / "expect.json").read_text(encoding="utf-8"))
    ):
        yield f"dompurify-{index}", case["payload"]
    for path in sorted((root / "bleach" / "regressions").glob("*.test")):
        yield f"bleach-{path.stem}", path.read_text(encoding="utf-8").split("\n--\n")[0]
    rss_vectors = root / "html5sec" / "rss-vectors.txt"
    for index, line in enumerate(rss_vectors.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            yield f"rss-vector-{index}", line
