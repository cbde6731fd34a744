"""The command line end to end against the local feed farm."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.cli.clitools import Cli, make_cli

pytestmark = pytest.mark.farm

RECORD_KEYS = {
    "id", "guid", "url", "title", "author", "published", "updated", "source", "categories",
    "image", "summary", "body_html", "attribution", "story", "places",
    # added to INTERFACE.md's record, which may grow but never lose a key
    "enclosures", "carriers",
}  # fmt: skip
SUMMARY = re.compile(
    r"^(\d+) fetched, (\d+) not modified, (\d+) failed, (\d+) new articles, (\d+) updated articles$"
)


def counts(out: str) -> tuple[int, ...]:
    match = SUMMARY.match(out.strip().splitlines()[-1])
    assert match, out
    return tuple(int(g) for g in match.groups())


def test_subscribe_update_list_export(cli: Cli, farm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("init").code == 0
    added = cli("add", farm.url("/feed/1.rss"), "--category", "World")
    assert added.code == 0, added.err
    assert re.match(r"^1\t\S", added.out)
    # a web page whose <link rel="alternate"> names its feed
    page = cli("add", farm.url("/site/2/"))
    assert page.code == 0, page.err
    assert page.out.startswith("2\t")

    sources = cli("sources", "--json").json_lines()
    assert [s["id"] for s in sources] == [1, 2]
    assert sources[1]["feed_url"].startswith(farm.url("/feed/2."))

    first = cli("update")
    assert first.code == 0, first.err
    assert counts(first.out) == (2, 0, 0, 20, 0)
    # nothing is due right after a successful fetch
    assert counts(cli("update").out) == (0, 0, 0, 0, 0)
    # forced: the farm answers 304 to our validators
    assert counts(cli("update", "--all").out) == (0, 2, 0, 0, 0)

    records = cli("articles", "--json", "--limit", "5").json_lines()
    assert len(records) == 5
    for record in records:
        assert set(record) == RECORD_KEYS
        assert set(record["source"]) == {"id", "name", "feed_url"}
        assert record["published"].endswith("Z")
        assert len(record["summary"]) <= 310
        assert "<script" not in record["body_html"]
    dates = [r["published"] for r in records]
    assert dates == sorted(dates, reverse=True)
    world = cli("articles", "--json", "--category", "World", "--limit", "50").json_lines()
    assert len(world) == 10 and all(r["source"]["id"] == 1 for r in world)

    opml = tmp_path / "subs.opml"
    assert cli("export-opml", str(opml)).code == 0
    other = make_cli(tmp_path / "other")
    imported = other("import-opml", str(opml))
    assert imported.code == 0, imported.err
    assert imported.out.startswith("2 sources added")
    moved = {(s["feed_url"], s["category"]) for s in other("sources", "--json").json_lines()}
    assert moved == {(s["feed_url"], s["category"]) for s in sources}


def one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.code != 0
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return str(lines[0])


def test_bad_input_gets_one_line_and_loses_nothing(cli: Cli, farm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("add", farm.url("/feed/3.rss")).code == 0
    assert cli("update").code == 0
    before = cli("articles", "--json", "--limit", "100").json_lines()
    assert len(before) == 10

    assert "not an http(s) URL" in one_line_error(cli("add", "not a url"))
    assert one_line_error(cli("add", "http://127.0.0.1:9/feed.xml")).startswith("newsdesk: fetch")
    assert "no feed" in one_line_error(cli("add", farm.url("/hostile/")))
    assert "not a feed" in one_line_error(cli("add", farm.url("/_stats")))
    # an HTML page served as a feed: its advertised feed is found instead
    discovered = cli("add", farm.url("/hostile/html.xml"))
    assert discovered.code == 0 and discovered.out.startswith("2\t"), discovered.err
    assert cli("sources", "--json").json_lines()[1]["feed_url"] == farm.url("/feed/0.rdf")
    broken = tmp_path / "broken.opml"
    broken.write_text("<opml version='2.0'><body><outline text='x'")
    assert one_line_error(cli("import-opml", str(broken))).startswith("newsdesk: opml")
    assert "cannot read" in one_line_error(cli("import-opml", str(tmp_path / "missing.opml")))
    assert one_line_error(cli("update", "--source", "999")).startswith("newsdesk: store")

    after = cli("articles", "--json", "--source", "1", "--limit", "100").json_lines()
    assert after == before


def test_private_addresses_are_refused_by_default(farm, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli = make_cli(tmp_path / "home", NEWSDESK_ALLOW_PRIVATE_NETWORKS="0")
    message = one_line_error(cli("add", farm.url("/feed/1.rss")))
    assert "127.0.0.1" in message or "private" in message or "loopback" in message
    assert cli("sources", "--json").json_lines() == []
