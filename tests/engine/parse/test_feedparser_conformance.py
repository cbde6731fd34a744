"""feedparser's self-describing fixtures, graded on the fields a news importer keeps (the
harness and its applicability rule are in conformance.py).

Applicable rows that fail are listed, each with a reason, in
tests/data/parse/conformance-exclusions.tsv; they run as strict xfails, so fixing one
fails the suite until its line is removed.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from conformance import CORPUS, EXCLUSIONS, Case, cases, exclusions, passes

# The pass rate may only go up; raise this when the exclusion list shrinks.
FLOOR = 0.98

ALL = cases()


def _params() -> list[Any]:
    if not ALL:
        # one visible skip that says why, rather than pytest's "empty parameter set"
        reason = f"../shared is absent ({CORPUS}): the feedparser conformance corpus is there"
        return [pytest.param(None, id="corpus-absent", marks=pytest.mark.skip(reason=reason))]
    excluded = exclusions() if EXCLUSIONS.is_file() else {}
    return [
        pytest.param(
            c,
            id=c.path,
            marks=[pytest.mark.xfail(strict=True, reason=excluded[c.path])]
            if c.path in excluded
            else [],
        )
        for c in ALL
    ]


@pytest.mark.parametrize("case", _params())
def test_case(case: Case, shared_dir: Path) -> None:
    assert passes(case), f"{case.path}: {ast.unparse(case.expression)}"


def test_conformance_summary(shared_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert len(ALL) > 500, "the applicability rule selected too few cases"
    failing = {c.path for c in ALL if not passes(c)}
    passed = len(ALL) - len(failing)
    with capsys.disabled():
        print(f"\nconformance: {passed}/{len(ALL)} applicable cases pass")
    assert passed >= FLOOR * len(ALL)
    listed = set(exclusions())
    assert failing - listed == set(), "failing but not listed in conformance-exclusions.tsv"
    assert listed - failing == set(), "listed in conformance-exclusions.tsv but passing"
