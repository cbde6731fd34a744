"""Re-issued items: matched to the stored article only when the match is unambiguous."""

from __future__ import annotations

from newsdesk.engine.dedupe.reissue import Candidate, Reissue, match


def item(key: str, url: str, digest: str = "") -> Candidate:
    return Candidate(key, url, digest)


def stored(key: str, url: str, digest: str, article: int) -> Candidate:
    return Candidate(key, url, digest, article)


def test_same_link_new_key_is_the_stored_article() -> None:
    new = [item("guid:new", "https://w.example/a?utm_source=x", "h1")]
    got = match(new, [stored("guid:old", "https://w.example/a", "h0", 7)], set())
    assert got == {"guid:new": Reissue(7, "guid:old", "link")}


def test_same_title_and_body_under_a_new_link() -> None:
    new = [item("guid:new", "https://w.example/b", "h1")]
    got = match(new, [stored("guid:old", "https://w.example/a", "h1", 7)], set())
    assert got == {"guid:new": Reissue(7, "guid:old", "title and body")}


def test_ambiguous_links_prove_nothing() -> None:
    home = "https://w.example/"
    # two items of the fetch share the link
    new = [item("guid:1", home), item("guid:2", home)]
    assert match(new, [stored("guid:old", home, "", 7)], set()) == {}
    # two stored articles share the link
    one = [item("guid:1", home)]
    two = [stored("guid:a", home, "", 7), stored("guid:b", home, "", 8)]
    assert match(one, two, set()) == {}


def test_a_stored_article_still_in_the_feed_is_not_a_re_issue() -> None:
    url = "https://w.example/a"
    new = [item("guid:new", url)]
    feed = [*new, item("guid:old", "https://w.example/elsewhere")]
    assert match(feed, [stored("guid:old", url, "", 7)], {"guid:old"}) == {}


def test_a_stored_key_is_not_a_re_issue_and_a_repeated_key_counts_once() -> None:
    url = "https://w.example/a"
    old = [stored("guid:old", "https://w.example/elsewhere", "h", 7)]
    # the item's own key is stored: it is that article, whatever shares its hash
    assert match([item("guid:1", url, "h")], old, {"guid:1"}) == {}
    # two items under one new key: the first is the item (as save_feed keeps it), matched
    twice = [item("guid:1", url, "h"), item("guid:1", "https://w.example/b", "h2")]
    assert match(twice, old, set()) == {"guid:1": Reissue(7, "guid:old", "title and body")}
    # the same content twice in the feed proves nothing
    both = [item("guid:1", url, "h"), item("guid:2", "https://w.example/b", "h")]
    assert match(both, old, set()) == {}


def test_one_stored_article_is_matched_once() -> None:
    new = [item("guid:1", "https://w.example/a", "h"), item("guid:2", "https://w.example/b", "h2")]
    old = [stored("guid:old", "https://w.example/a", "h2", 7)]
    got = match(new, old, set())
    assert got == {"guid:1": Reissue(7, "guid:old", "link")}
