"""The same story from several outlets: MinHash signatures of an article's words, and an
LSH index of recent ones (datasketch) that finds a new article's near-duplicates.

Partner sites republish wire copy (Reuters, i24 News) with their own headline tweaks,
datelines and footers; word 3-shingles of the title and the opening of the text still
overlap by far more than two different stories do. Signatures are stored with the article
(`bytes`), so a new run rebuilds the index of the last few days without re-reading text.
"""

from __future__ import annotations

import re
import zlib
from functools import cache

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
THRESHOLD = 0.5  # estimated Jaccard of shingle sets: the same text, lightly edited
MAX_SHINGLES = 150  # the opening is where copies agree; footers and tails differ
MIN_SHINGLES = 8  # shorter texts are too alike by chance ("Photo of the day")
_WORD = re.compile(r"\w+", re.UNICODE)


@cache
def _seed() -> MinHash:
    # crc32: stable across processes (signatures are stored), and C-fast
    return MinHash(num_perm=NUM_PERM, seed=7, hashfunc=zlib.crc32)


def _minhash(values: np.ndarray | None = None) -> MinHash:
    seed = _seed()
    return MinHash(
        num_perm=NUM_PERM,
        seed=7,
        hashfunc=zlib.crc32,
        permutations=seed.permutations,
        scheme=seed.scheme,
        hashvalues=values,
    )


def signature(title: str, text: str) -> bytes | None:
    """The article's signature, or None when it has too few words to compare."""
    words = _WORD.findall(f"{title} {text}".casefold())
    shingles = {
        " ".join(words[i : i + 3]).encode() for i in range(min(len(words) - 2, MAX_SHINGLES))
    }
    if len(shingles) < MIN_SHINGLES:
        return None
    digest = _minhash()
    digest.update_batch(list(shingles))
    return bytes(digest.hashvalues.astype(np.uint64).tobytes())


def _from_bytes(raw: bytes) -> MinHash | None:
    values = np.frombuffer(raw, dtype=np.uint64)
    return _minhash(values.copy()) if len(values) == NUM_PERM else None


class StoryIndex:
    """Recent articles by signature: which story does a new one belong to?"""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._threshold = threshold
        self._known: dict[int, tuple[MinHash, int | None, int]] = {}

    def __len__(self) -> int:
        return len(self._known)

    def add(self, article_id: int, raw: bytes, story_id: int | None, source_id: int) -> None:
        digest = _from_bytes(raw)
        if digest is None or article_id in self._known:
            return
        self._known[article_id] = (digest, story_id, source_id)
        self._lsh.insert(article_id, digest)

    def match(self, raw: bytes) -> int | None:
        """The article most like this signature (at least THRESHOLD alike), or None."""
        digest = _from_bytes(raw)
        if digest is None:
            return None
        best: tuple[float, int] | None = None
        for key in self._lsh.query(digest):
            alike = digest.jaccard(self._known[key][0])
            if alike >= self._threshold and (best is None or (alike, -key) > (best[0], -best[1])):
                best = (alike, key)
        return best[1] if best else None

    def story_of(self, article_id: int) -> int:
        """The story an indexed article belongs to: its story id, or its own id."""
        story = self._known[article_id][1]
        return story if story is not None else article_id

    def join(self, article_id: int, story_id: int) -> None:
        """Record that an indexed article now belongs to `story_id`."""
        digest, _, source = self._known[article_id]
        self._known[article_id] = (digest, story_id, source)
