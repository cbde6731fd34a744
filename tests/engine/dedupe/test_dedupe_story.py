"""Stories across outlets: near-duplicate copies share a story, other stories do not."""

from __future__ import annotations

import random
import struct

import numpy as np
import pytest

from newsdesk.engine.dedupe import story
from newsdesk.engine.dedupe.story import BUCKET_CAP, NUM_PERM, StoryIndex, signature

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


_strong = story._band_hashes


def _family(rng: random.Random, originals: list[list[int]], count: int) -> list[bytes]:
    """Signatures that share bands with each other in many ways: copies of a few originals
    with some of their values changed, so buckets fill up past the cap."""
    out = []
    for _ in range(count):
        values = list(rng.choice(originals))
        for position in rng.sample(range(NUM_PERM), rng.randrange(0, 16)):
            values[position] = rng.getrandbits(32)
        out.append(struct.pack(f"<{NUM_PERM}I", *values))
    return out


@pytest.mark.parametrize(("seed", "weak_hash"), [(n, n % 2 == 1) for n in range(6)])
def test_a_loaded_index_matches_as_one_built_article_by_article(
    seed: int, weak_hash: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if weak_hash:
        # band keys that collide all the time: only the check against the signatures
        # themselves keeps other bands' and other keys' articles out of a bucket
        monkeypatch.setattr(story, "_band_hashes", lambda s: _strong(s) & np.uint64(7))
    rng = random.Random(seed)
    originals = [[rng.getrandbits(32) for _ in range(NUM_PERM)] for _ in range(3)]
    stored = _family(rng, originals, 400)
    rows = [
        (1000 - n, raw, rng.choice([None, 7, 8]), rng.randrange(3)) for n, raw in enumerate(stored)
    ]
    rows.append(rows[5])  # a repeated id is indexed once, as add() does
    rows.append((5, bytes(8), None, 1))  # a signature of the wrong length is skipped, as add() does
    one_by_one, loaded = StoryIndex(), StoryIndex()
    for row in rows:
        one_by_one.add(*row)
    loaded.load(rows)
    assert len(loaded) == len(one_by_one) == 400
    assert max(len(bucket) for band in one_by_one._bands for bucket in band.values()) == BUCKET_CAP
    for number, raw in enumerate(_family(rng, originals, 150)):
        values = np.frombuffer(raw, dtype="<u4")
        # the same articles, the same counts, met in the same order (it breaks ties)
        assert list(loaded._hits(raw, values).items()) == list(
            one_by_one._hits(raw, values).items()
        )
        assert loaded.match(raw) == one_by_one.match(raw)
        if number % 3 == 0:  # articles of the run join both, after the loaded ones
            for index in (one_by_one, loaded):
                index.add(5000 + number, raw, None, 1)
    assert [loaded.story_of(i) for i in range(601, 1001)] == [
        one_by_one.story_of(i) for i in range(601, 1001)
    ]


def test_load_takes_an_empty_index_only() -> None:
    index = StoryIndex()
    raw = signature("Title", WIRE)
    assert raw
    index.add(1, raw, None, source_id=1)
    with pytest.raises(ValueError, match="not empty"):
        index.load([(2, raw, None, 1)])
    empty = StoryIndex()
    empty.load([])
    assert len(empty) == 0 and empty.match(raw) is None
