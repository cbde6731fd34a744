from __future__ import annotations

import re

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsdesk.engine.clean import attribution
from newsdesk.engine.clean.attribution import find_origin, pop_attribution
from newsdesk.engine.clean.fragment import serialize_children
from newsdesk.types import Attribution


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


WORDPRESS_FOOTER = (
    '<p>The post <a href="https://www.algemeiner.com/2024/12/07/x/" rel="nofollow">A '
    'headline</a> first appeared on <a href="https://www.algemeiner.com" rel="nofollow">'
    "Algemeiner.com</a>.</p>"
)


def test_wordpress_footer_is_removed_and_credited() -> None:
    root = _tree(f"<p>Body text.</p>\n{WORDPRESS_FOOTER}\n")
    assert pop_attribution(root) == Attribution("Algemeiner.com", "https://www.algemeiner.com")
    assert serialize_children(root) == "<p>Body text.</p>"


def test_the_last_link_named_for_the_site_is_its_address() -> None:
    footer = (
        '<p>The post <a href="https://www.algemeiner.com/tag/x/">Algemeiner.com</a> picks first'
        ' appeared on <a href="https://www.algemeiner.com/">Algemeiner.com</a>.</p>'
    )
    root = _tree(f"<p>Body text.</p>{footer}")
    found = pop_attribution(root)
    assert found == Attribution("Algemeiner.com", "https://www.algemeiner.com/")


@pytest.mark.parametrize(
    "footer",
    [
        "The post A headline appeared first on Example News.",
        "The post A headline first appeared on Example News",
        "This article originally appeared on Example News.",
    ],
)
def test_plain_text_footers(footer: str) -> None:
    root = _tree(f"<p>Body text. {footer}</p>")
    assert pop_attribution(root) == Attribution("Example News")
    assert serialize_children(root) == "<p>Body text.</p>"


def test_footer_in_bare_text() -> None:
    root = _tree("Body text here. The post X first appeared on Algemeiner.com.")
    assert pop_attribution(root) == Attribution("Algemeiner.com")
    assert root.text == "Body text here."


def test_a_mention_mid_text_is_not_a_footer() -> None:
    html = "<p>The post office first appeared on Main Street in 1890.</p><p>More text.</p>"
    root = _tree(html)
    assert pop_attribution(root) is None
    assert serialize_children(root) == html


def test_source_specific_pattern() -> None:
    root = _tree("<p>Body.</p><p>Originally published by Harbour Times</p>")
    found = pop_attribution(root, (r"Originally published by (?P<site>.+)$",))
    assert found == Attribution("Harbour Times")
    assert serialize_children(root) == "<p>Body.</p>"


def test_source_specific_pattern_with_url_from_markup() -> None:
    root = _tree(
        '<p>Body.</p><p class="credit">Via <a href="https://ht.example/">Harbour Times</a></p>'
    )
    pattern = r'Via <a href="(?P<url>[^"]+)">(?P<site>[^<]+)</a>'
    root[-1].find("a").set("href", "https://ht.example/?a=1&b=2")
    found = pop_attribution(root, (pattern,))
    assert found == Attribution("Harbour Times", "https://ht.example/?a=1&b=2")
    assert serialize_children(root) == "<p>Body.</p>"


@pytest.mark.parametrize(
    ("text", "origin"),
    [
        ("i24 News – The ferry union said on Saturday", "i24 News"),
        ("(Reuters) - Syrian rebels entered the city", "Reuters"),
        ("JERUSALEM (AP) — The cabinet met on Sunday", "AP"),
        ("WASHINGTON, D.C. (AFP) - Officials said", "AFP"),
        ("By Reuters\nThe talks resumed", "Reuters"),
        ("Times of Israel – Ministers met", "Times of Israel"),
        ("GAZA CITY – Residents said", None),
        ("By Jane Doe\nThe talks resumed", None),
        ("Critics argue – loudly – that the plan fails", None),
        ("The talks resumed on Monday.", None),
        ("ANKARA, Feb 17 (Reuters) - The president said", "Reuters"),
        ("By Jane Roe and Ada Quill DUBAI, Feb 17 (Reuters) - Officials said", "Reuters"),
        ("[Capital FM] Nairobi -- Pilots have warned", "Capital FM"),
        ("A talk about Protocols with Associated Types (PATs) – I was worried", None),
        ("Hot Wheels UNLEASHED 2 - Turbocharged was added", None),
        ("Harbour News – The council met", "Harbour News"),
        ("[15:15:56] r@ttler: logged", None),
    ],
)
def test_find_origin(text: str, origin: str | None) -> None:
    assert find_origin(text) == origin


def test_invalid_source_pattern_is_skipped() -> None:
    root = _tree(f"<p>Body text.</p>{WORDPRESS_FOOTER}")
    found = pop_attribution(root, ("(unclosed",))
    assert found is not None and found.site == "Algemeiner.com"


# the footers as first written, with the boundary before "The"/"This" as a plain assertion
_PLAIN_FOOTERS = tuple(
    re.compile(p.pattern.replace(attribution._FOOTER_START + "h", r"(?:^|(?<=[\s.!?]))Th"), p.flags)
    for p in attribution._FOOTERS
)
_FOOTER_TEXT = st.tuples(
    st.sampled_from(["", " ", "x", ".", "!", "\n", "é", "_", "9", "tT"]),
    st.sampled_from(["The post", "the  post", "THE POST", "This story was originally",
                     "this article first", "This post", "The", "This"]),
    st.sampled_from([" Headline here", " A", "", " x.The post B"]),
    st.sampled_from([" first appeared", " appeared first", " was first published",
                     " originally appeared", " published", " appeared", ""]),
    st.sampled_from([" on", " in", " at", " by", ""]),
    st.sampled_from([" Algemeiner.com.", " x", "", "\nSite", " S. "]),
).map("".join)  # fmt: skip


@given(st.lists(_FOOTER_TEXT, min_size=1, max_size=3).map("".join) | st.text(max_size=40))
def test_the_fast_footer_patterns_match_as_the_plain_ones(text: str) -> None:
    for fast, plain in zip(attribution._FOOTERS, _PLAIN_FOOTERS, strict=True):
        assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == [
            (m.span(), m.groupdict()) for m in plain.finditer(text)
        ]
