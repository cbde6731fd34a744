"""Stories across outlets: near-duplicate copies share a story, other stories do not."""

from __future__ import annotations

from newsdesk.engine.dedupe.story import StoryIndex, signature

WIRE = (
    "The Israeli military said on Tuesday it struck Hezbollah targets in southern Lebanon "
    "overnight after rockets were fired toward northern Israel, the latest exchange in months "
    "of cross-border fire between the two sides."
)


def test_a_republished_copy_matches_and_another_story_does_not() -> None:
    original = signature("Israel strikes Hezbollah targets in southern Lebanon", WIRE)
    copy = signature(
        "Israel Strikes Hezbollah Targets in South Lebanon",
        "JERUSALEM (Reuters) - " + WIRE + " The post appeared first on Partner Post.",
    )
    other = signature(
        "Harbour council approves new ferry timetable",
        "The council voted on Monday to run the morning ferry every twenty minutes from the "
        "spring, after commuters asked for the change for two years.",
    )
    assert original and copy and other
    index = StoryIndex()
    index.add(10, original, None, source_id=1)
    index.add(11, other, None, source_id=1)
    assert index.match(copy) == 10
    unrelated = signature(
        "Storm warning for the outer islands",
        "Forecasters expect gusts of up to 90 km/h on Tuesday night across the outer islands, "
        "and the ferry company said crossings may be cancelled at short notice.",
    )
    assert unrelated and index.match(unrelated) is None


def test_short_texts_have_no_signature_and_signatures_are_stable() -> None:
    assert signature("Photo of the day", "") is None
    assert signature("T", WIRE) == signature("T", WIRE)
    assert len(signature("T", WIRE) or b"") == 64 * 4


def test_story_of_and_join() -> None:
    index = StoryIndex()
    raw = signature("Title", WIRE)
    assert raw
    index.add(5, raw, None, source_id=1)
    assert index.story_of(5) == 5 and len(index) == 1
    index.join(5, 3)
    assert index.story_of(5) == 3
