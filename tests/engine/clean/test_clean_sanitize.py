from __future__ import annotations

import lxml.html
import pytest
from xss_oracle import safety_problems

from newsdesk.engine.clean import plain_text, sanitize_html


def _root(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_keeps_article_markup() -> None:
    html = (
        "<h2>Heading</h2><p>Some <strong>bold</strong> and <em>em</em> text.</p>"
        "<blockquote><p>Quoted</p></blockquote><ul><li>one</li></ul>"
        '<table><tr><td colspan="2">cell</td></tr></table>'
    )
    root = _root(sanitize_html(html))
    assert [el.tag for el in root.iter("h2", "strong", "em", "blockquote", "li", "td")] == [
        "h2", "strong", "em", "blockquote", "li", "td",
    ]  # fmt: skip
    assert root.find(".//td").get("colspan") == "2"


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="jav&#x09;ascript:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<div style="width: expression(alert(1))">css</div>',
        "<style>@import 'http://evil/x.css';</style>",
        '<iframe src="https://evil.example/embed/1"></iframe>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<object data="javascript:alert(1)"></object>',
        '<form action="javascript:alert(1)"><button>go</button></form>',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<svg onload="alert(1)"><circle r="1"/></svg>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph>"
        "</table></mtext></math>",
        '<img srcset="javascript:alert(1) 1x, https://ok.example/a.jpg 2x">',
        '<video poster="javascript:alert(1)" src="https://ok.example/v.mp4"></video>',
    ],
)
def test_removes_active_content(payload: str) -> None:
    out = sanitize_html(f"<p>before</p>{payload}<p>after</p>")
    assert safety_problems(out) == []
    assert "before" in out and "after" in out


def test_links_get_rel_and_images_lazy_loading() -> None:
    root = _root(
        sanitize_html('<a href="https://x.example/">x</a><img src="https://x.example/a.png">')
    )
    assert root.find("a").get("rel") == "nofollow noopener noreferrer"
    assert root.find("img").get("loading") == "lazy"


@pytest.mark.parametrize(
    "src",
    [
        "https://www.youtube.com/embed/abc123",
        "https://www.youtube-nocookie.com/embed/abc123?start=10",
        "https://player.vimeo.com/video/42",
    ],
)
def test_allow_listed_embeds_are_sandboxed(src: str) -> None:
    frame = _root(sanitize_html(f'<iframe src="{src}" onload="x()"></iframe>')).find("iframe")
    assert frame is not None
    assert frame.get("src") == src
    assert frame.get("sandbox") == "allow-scripts allow-same-origin allow-presentation"
    assert frame.get("loading") == "lazy"
    assert frame.get("onload") is None


def test_embed_over_http_is_upgraded_and_other_paths_refused() -> None:
    out = sanitize_html('<iframe src="http://www.youtube.com/embed/x"></iframe>')
    assert 'src="https://www.youtube.com/embed/x"' in out
    assert "<iframe" not in sanitize_html(
        '<iframe src="https://www.youtube.com/watch?v=x"></iframe>'
    )
    assert "<iframe" not in sanitize_html('<iframe src="https://youtube.com.evil.example/embed/x">')


def test_the_operators_players_are_allowed_only_where_configured() -> None:
    player = '<iframe src="https://w.soundcloud.com/player/?url=x"></iframe>'
    assert "<iframe" not in sanitize_html(player)
    extra = ("w.soundcloud.com/player/",)
    frame = _root(sanitize_html(player, extra)).find("iframe")
    assert frame is not None and frame.get("src") == "https://w.soundcloud.com/player/?url=x"
    assert frame.get("sandbox") == "allow-scripts allow-same-origin allow-presentation"
    # the prefix is a host and a path, not the start of any URL
    for outside in (
        "https://w.soundcloud.com.evil.example/player/",
        "https://w.soundcloud.com/other/",
        "https://user@w.soundcloud.com/player/",
        "javascript:alert(1)//w.soundcloud.com/player/",
    ):
        assert "<iframe" not in sanitize_html(f'<iframe src="{outside}"></iframe>', extra)
    # the cleaner of the default list is not changed by another list
    assert "<iframe" not in sanitize_html(player)


def test_clean_item_keeps_the_embeds_its_options_allow() -> None:
    from newsdesk.engine.clean import clean_item
    from newsdesk.types import CleanOptions, ParsedFeed, ParsedItem

    body = '<p>Listen.</p><iframe src="https://w.soundcloud.com/player/?url=x"></iframe>'
    item = ParsedItem(guid="g", link="https://news.example/a", title="A", content_html=body)
    feed = ParsedFeed(format="rss", title="F", link="https://news.example/", items=(item,))
    assert "<iframe" not in clean_item(item, feed).body_html
    options = CleanOptions(embeds=("w.soundcloud.com/player/",))
    assert '<iframe src="https://w.soundcloud.com/player/?url=x"' in (
        clean_item(item, feed, options).body_html
    )


def test_media_keep_controls() -> None:
    root = _root(
        sanitize_html(
            '<video src="https://x.example/v.mp4"></video><audio src="https://x.example/a.mp3"></audio>'
        )
    )
    assert root.find("video").get("controls") is not None
    assert root.find("audio").get("controls") is not None


def test_srcset_with_commas_in_urls_survives() -> None:
    srcset = (
        "https://cdn.example/w_300,h_200/a.jpg 300w, https://cdn.example/w_900,h_600/a.jpg 900w"
    )
    img = _root(sanitize_html(f'<img src="https://cdn.example/a.jpg" srcset="{srcset}">')).find(
        "img"
    )
    assert img.get("srcset") == srcset


def test_idempotent_and_empty() -> None:
    html = '<p>a <a href="https://x.example/">b</a><img src="https://x.example/i.png"></p>'
    once = sanitize_html(html)
    assert sanitize_html(once) == once
    assert sanitize_html("") == ""
    assert sanitize_html("   \n") == ""


def test_control_characters_are_dropped() -> None:
    assert sanitize_html("<p>a\x00b\x08c</p>") == "<p>abc</p>"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (
            "Why Dublin&#8217;s budget matters &amp; what next",
            "Why Dublin’s budget matters & what next",
        ),
        ("<script>alert('title')</script> Headline", "Headline"),
        ("payload <img src=x onerror=alert(0)> <b>bold</b>", "payload bold"),
        ("  spread \n over\tlines ", "spread over lines"),
        ("a < b", "a < b"),
        (None, ""),
    ],
)
def test_plain_text(raw: str | None, text: str) -> None:
    assert plain_text(raw) == text


def test_embed_output_is_the_same_in_every_process() -> None:
    """nh3 sets sandbox and loading in a per-process hash order; the stored HTML (and so the
    content hash that says whether an article changed) must not depend on the process."""
    import subprocess
    import sys

    code = (
        "from newsdesk.engine.clean import sanitize_html;"
        'print(sanitize_html(\'<iframe src="https://www.youtube.com/embed/abc" width="560">'
        '</iframe><img src="https://x.example/a.jpg">\'))'
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in range(6)
    }
    assert len(outputs) == 1, outputs
    (out,) = outputs
    assert 'sandbox="allow-scripts allow-same-origin allow-presentation" loading="lazy"' in out
