from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.engine.parse import parse_opml, write_opml
from newsdesk.errors import OpmlError
from newsdesk.types import OpmlOutline

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Loose" type="rss" xmlUrl="https://loose.example/feed" htmlUrl="https://loose.example/"/>
    <outline text="News">
      <outline text="World" title="World">
        <outline text="Wire &amp; Co" type="rss" xmlUrl="https://wire.example/rss"/>
      </outline>
      <outline title="Harbour" type="rss" xmlurl="https://gazette.example/feed/"/>
      <outline text="Directory" type="link" url="https://dir.example/list.opml"/>
      <outline text="Included" type="include" xmlUrl="https://dir.example/more.opml"/>
      <outline text="Local file" type="rss" xmlUrl="file:///etc/passwd"/>
    </outline>
    <outline text="Dup" type="rss" xmlUrl="https://wire.example/rss"/>
    <outline text="Spec style" xmlUrl="https://spec.example/rss" category="/Tech/Web,/Other"/>
  </body>
</opml>"""


def test_nested_folders_become_category_paths() -> None:
    assert parse_opml(NESTED) == [
        OpmlOutline("https://loose.example/feed", "Loose", "https://loose.example/", None),
        OpmlOutline("https://wire.example/rss", "Wire & Co", None, "News/World"),
        OpmlOutline("https://gazette.example/feed/", "Harbour", None, "News"),
        OpmlOutline("https://spec.example/rss", "Spec style", None, "Tech/Web"),
    ]


def test_links_and_includes_are_not_followed_and_only_http_is_kept() -> None:
    urls = [o.xml_url for o in parse_opml(NESTED)]
    assert not any("dir.example" in u or u.startswith("file:") for u in urls)


def test_ill_formed_file_is_read_as_far_as_it_goes() -> None:
    broken = NESTED.split(b'<outline text="Dup"')[0]  # no closing tags at all
    assert [o.xml_url for o in parse_opml(broken)] == [
        "https://loose.example/feed",
        "https://wire.example/rss",
        "https://gazette.example/feed/",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "opml: the file is empty"),
        (b"<rss version='2.0'><channel/></rss>", "opml: not an OPML document (root element <rss>)"),
        (b"not xml at all", "opml: not an XML document"),
        (b"<opml version='2.0'><body><outline text='folder'/></body></opml>", "opml: no feed"),
    ],
)
def test_unusable_files_raise_one_line_errors(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError) as info:
        parse_opml(data)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_entities_are_not_expanded() -> None:
    data = b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY x SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&b;&x;" xmlUrl="https://e.example/f"/></body></opml>"""
    (outline,) = parse_opml(data)
    assert outline.title is None or ("aaaa" not in outline.title and "root" not in outline.title)


def test_write_then_read_round_trips_categories() -> None:
    outlines = [
        OpmlOutline("https://a.example/feed", "A & B <news>", "https://a.example/", "News/World"),
        OpmlOutline("https://b.example/feed", "B", None, "News"),
        OpmlOutline("https://c.example/feed", None, None, None),
        OpmlOutline("https://d.example/feed", "D\x00\x1f", None, "News/World"),
    ]
    data = write_opml(outlines, "newsdesk export")
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert b'<opml version="2.0">' in data
    back = sorted(parse_opml(data), key=lambda o: o.xml_url)  # written folder by folder
    assert [(o.xml_url, o.category) for o in back] == [
        ("https://a.example/feed", "News/World"),
        ("https://b.example/feed", "News"),
        ("https://c.example/feed", None),
        ("https://d.example/feed", "News/World"),
    ]
    assert back[0].title == "A & B <news>"
    assert back[0].html_url == "https://a.example/"
    assert back[2].title == "https://c.example/feed"
    assert back[3].title == "D"
    assert data.count(b'text="World"') == 1  # one folder for both feeds


def test_too_many_feeds_fail_cleanly() -> None:
    body = b"".join(b'<outline xmlUrl="https://e.example/%d"/>' % i for i in range(10_001))
    with pytest.raises(OpmlError, match="more than"):
        parse_opml(b"<opml version='2.0'><body>" + body + b"</body></opml>")


def test_real_reader_export(shared_dir: Path) -> None:
    path = shared_dir / "corpora" / "opml" / "netnewswire-rsparser"
    subs = parse_opml((path / "Subs.opml").read_bytes())
    assert len(subs) == 207
    assert {o.category for o in subs} == {None, "Programming", "Macintosh", "Weblogs", "Writers"}
    assert sum(o.category == "Weblogs" for o in subs) == 97
    untitled = parse_opml((path / "SubsNoTitleAttributes.opml").read_bytes())
    assert len(untitled) == 207
    assert all(o.title for o in untitled)  # falls back to text=


def test_spec_samples(shared_dir: Path) -> None:
    path = shared_dir / "corpora" / "opml" / "opml-parser"
    assert len(parse_opml((path / "mySubscriptions.opml").read_bytes())) == 13
    feeder = parse_opml((path / "github_issue_3_opml.opml").read_bytes())
    assert feeder[0].category == "News"
    for name in ("scriptingNewsDirectory.opml", "userlandsamples.opml", "states.opml"):
        with pytest.raises(OpmlError):  # links, includes, no feeds: nothing to import
            parse_opml((path / name).read_bytes())


def test_bad_samples_never_crash(shared_dir: Path) -> None:
    path = shared_dir / "corpora" / "opml" / "opml-parser"
    outcomes = {}
    for sample in sorted(path.glob("bad*.opml")):
        try:
            outcomes[sample.name] = len(parse_opml(sample.read_bytes()))
        except OpmlError as e:
            assert str(e).startswith("opml: ")
            outcomes[sample.name] = 0
    assert outcomes["badsample01.opml"] == 0  # <qpml> is no OPML
    assert outcomes["badsample06.opml"] == 1  # duplicate attribute: recovered
