from __future__ import annotations

import pytest

from newsdesk.engine.clean.fragment import normalize_blocks, parse_fragment, serialize_children


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<div>First</div><div>Second</div>", "<p>First</p><p>Second</p>"),
        ('<div class="x"><span>a</span> b</div>', '<p class="x"><span>a</span> b</p>'),
        ("<div><p>One</p><p>Two</p></div>", "<div><p>One</p><p>Two</p></div>"),
        ("<h1>Title</h1><p>x</p>", "<h2>Title</h2><p>x</p>"),
        ("<section><div>a</div></section>", "<section><p>a</p></section>"),
    ],
)
def test_normalize_blocks(html: str, expected: str) -> None:
    root = parse_fragment(html)
    assert root is not None
    normalize_blocks(root)
    assert serialize_children(root) == expected


def test_round_trip_keeps_leading_text_escaped() -> None:
    root = parse_fragment("a &lt;b&gt; &amp; c<p>d</p>")
    assert root is not None
    assert serialize_children(root) == "a &lt;b&gt; &amp; c<p>d</p>"
