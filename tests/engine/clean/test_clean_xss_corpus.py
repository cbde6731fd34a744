"""Every payload of ../shared/corpora/xss-vectors through sanitize_html, checked by parsing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from xss_oracle import safety_problems

from newsdesk.engine.clean import sanitize_html

CORPUS = "corpora/xss-vectors"


def _payloads(shared: Path) -> Iterator[tuple[str, str]]:
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


def test_every_corpus_vector_is_neutralised(shared_dir: Path) -> None:
    failures = {}
    count = 0
    for name, payload in _payloads(shared_dir):
        count += 1
        out = sanitize_html(payload)
        problems = safety_problems(out)
        if sanitize_html(out) != out:
            problems.append("not idempotent")
        if problems:
            failures[name] = (problems, out[:200])
    assert count > 500  # the corpus is really there: 149 + 223 + 20 + 208 vectors
    assert failures == {}


def test_oracle_catches_what_it_should() -> None:
    # The oracle must be able to fail, or the corpus test proves nothing.
    assert safety_problems("<script>alert(1)</script>")
    assert safety_problems('<img src="x" onerror="alert(1)">')
    assert safety_problems('<a href=" java\tscript:alert(1)">x</a>')
    assert safety_problems('<a href="data:text/html,x">x</a>')
    assert safety_problems('<p style="color:red">x</p>')
    assert safety_problems('<iframe src="https://evil.example/embed/x"></iframe>')
    assert safety_problems("<svg><circle/></svg>")
    assert safety_problems('<img srcset="javascript:alert(1) 1x">')
    assert not safety_problems(
        '<p><a href="https://x.example/" rel="nofollow noopener noreferrer">x</a></p>'
    )
