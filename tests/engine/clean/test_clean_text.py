from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsdesk.engine.clean import html_to_text, slugify, summarize
from newsdesk.engine.clean import text as clean_text


def test_short_text_is_returned_whole() -> None:
    assert summarize("<p>One.</p><p>Two.</p>") == "One. Two."


def test_long_text_is_cut_at_a_word_boundary() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    summary = summarize(f"<p>{words}</p>", 100)
    assert len(summary) <= 100
    assert summary.endswith("…")
    assert summary[:-1] in words
    assert words[len(summary) - 1] == " "  # the cut fell on a space, not inside a word


def test_single_overlong_word_is_cut_hard() -> None:
    summary = summarize("x" * 500, 50)
    assert summary == "x" * 49 + "…"


@pytest.mark.parametrize(
    "tail",
    [
        "[&#8230;]",
        "[…]",
        "[...]",
        "<a href='/x'>Continue reading <span>The title</span></a>",
        "Read more »",
    ],
)
def test_teaser_tails_are_stripped(tail: str) -> None:
    summary = summarize(f"<p>The council said it would fund the plan {tail}</p>")
    assert summary == "The council said it would fund the plan…"


def test_captions_are_not_part_of_the_text() -> None:
    html = "<figure><img src='a'><figcaption>Caption. Photo: X</figcaption></figure><p>Body</p>"
    assert html_to_text(html) == "Body"


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Zürich", "zurich"),
        (
            "Why Dublin’s budget matters & what comes next",
            "why-dublins-budget-matters-and-what-comes-next",
        ),
        ("Łódź, Gdańsk and Straße", "lodz-gdansk-and-strasse"),
        ("  --!!--  ", "article"),
        ("日本語", "article"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slug_is_at_most_80_chars_and_ends_on_a_word() -> None:
    slug = slugify("Parliament " * 20)
    assert len(slug) <= 80
    assert slug.endswith("parliament")


_TITLE_CHARS = "ßæÆøØœŒłŁđĐðÐþÞı&’'aZ 9-é\u0130"


@given(st.text(alphabet=st.sampled_from(_TITLE_CHARS), max_size=30) | st.text())
def test_transliteration_is_what_one_translate_table_gives(title: str) -> None:
    table = str.maketrans(clean_text._TRANSLITERATION)
    assert clean_text._transliterate(title) == title.translate(table)
