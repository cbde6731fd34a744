"""html_text: the card's escaping, C-fast or not, writes what markupsafe.escape writes."""

from __future__ import annotations

import importlib.util

import markupsafe
from hypothesis import given
from hypothesis import strategies as st

from newsdesk.site import htmltext


@given(st.text())
def test_both_escapers_write_markupsafes_entities(text: str) -> None:
    expected = str(markupsafe.escape(text))
    assert htmltext.html_text(text) == expected
    assert htmltext._replace_chain(text) == expected


def test_the_c_escaper_is_used_when_markupsafe_has_it() -> None:
    has_speedups = importlib.util.find_spec("markupsafe._speedups") is not None
    assert (htmltext.html_text is not htmltext._replace_chain) == has_speedups
    assert htmltext.html_text('<a href="x">Tom & Jerry\'s</a>') == (
        "&lt;a href=&#34;x&#34;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
    )
