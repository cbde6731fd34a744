from __future__ import annotations

import lxml.html
import pytest

from newsdesk.engine.clean.urls import (
    absolute_url,
    promote_lazy_attributes,
    resolve_urls,
    srcset_candidates,
    web_url,
)

BASE = "https://news.example/2025/06/01/story/"


def _tree(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/img/a.png", "https://news.example/img/a.png"),
        ("b.png", "https://news.example/2025/06/01/story/b.png"),
        ("//cdn.example/c.png", "https://cdn.example/c.png"),
        ("mailto:desk@news.example", "mailto:desk@news.example"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("jav\tascript:alert(1)", None),
        ("data:image/png;base64,AAAA", None),
        ("vbscript:msgbox(1)", None),
        ("", None),
    ],
)
def test_absolute_url(url: str, expected: str | None) -> None:
    assert absolute_url(url, BASE) == expected


def test_web_url_refuses_mailto() -> None:
    assert web_url("mailto:x@news.example") is None
    assert web_url("/a", "https://news.example/") == "https://news.example/a"


def test_resolve_urls_rewrites_every_url_attribute() -> None:
    root = _tree(
        '<a href="/a">a</a><img src="i.png" srcset="i-300.png 300w, /i-900.png 900w">'
        '<video poster="/p.jpg" src="v.mp4"></video><blockquote cite="/q">q</blockquote>'
        '<a href="javascript:alert(1)">bad</a>'
    )
    resolve_urls(root, BASE)
    links = root.findall("a")
    assert links[0].get("href") == "https://news.example/a"
    assert links[1].get("href") is None
    img = root.find("img")
    assert img.get("src") == BASE + "i.png"
    assert img.get("srcset") == f"{BASE}i-300.png 300w, https://news.example/i-900.png 900w"
    assert root.find("video").get("poster") == "https://news.example/p.jpg"
    assert root.find("blockquote").get("cite") == "https://news.example/q"


def test_lazy_attributes_replace_placeholders() -> None:
    root = _tree(
        '<img src="data:image/gif;base64,R0lGOD" data-lazy-src="/real.jpg" '
        'data-srcset="/real-800.jpg 800w">'
    )
    promote_lazy_attributes(root)
    resolve_urls(root, BASE)
    img = root.find("img")
    assert img.get("src") == "https://news.example/real.jpg"
    assert img.get("srcset") == "https://news.example/real-800.jpg 800w"


@pytest.mark.parametrize(
    ("srcset", "pairs"),
    [
        ("a.jpg 300w, b.jpg 1024w", [("a.jpg", "300w"), ("b.jpg", "1024w")]),
        ("a.jpg 1x,b.jpg 2x", [("a.jpg", "1x"), ("b.jpg", "2x")]),
        ("https://c/w_1,h_2/a.jpg 100w", [("https://c/w_1,h_2/a.jpg", "100w")]),
        ("a.jpg, b.jpg 2x", [("a.jpg", ""), ("b.jpg", "2x")]),
        ("", []),
    ],
)
def test_srcset_candidates(srcset: str, pairs: list[tuple[str, str]]) -> None:
    assert srcset_candidates(srcset) == pairs


def test_web_url_percent_encodes_unsafe_characters() -> None:
    assert (
        web_url('https://n.example/x` `<script>"') == "https://n.example/x%60%20%60%3Cscript%3E%22"
    )
    assert web_url("https://n.example/Zürich?q=a b") == "https://n.example/Z%C3%BCrich?q=a%20b"
    assert web_url("https://n.example/a%20b?x=1&y=2#f") == "https://n.example/a%20b?x=1&y=2#f"
