"""The same story from several outlets: MinHash signatures of an article's words, and a
banded LSH index of recent ones that finds a new article's near-duplicates.

Partner sites republish wire copy (Reuters, i24 News) with their own headline tweaks,
datelines and footers; word 3-shingles of the title and the opening of the text still
overlap by far more than two different stories do. Signatures are stored with the article
(`bytes`), so a new run rebuilds the index of the last few days without re-reading text.

The MinHash and the banding are done here with numpy rather than by datasketch: measured on
a 5,000-item cold import, datasketch's per-signature objects made story grouping a quarter
of the ingest time, and importing it (its LSH pulls in scipy) cost 0.4 s in every process.
The math is the textbook one: each word hashed once (crc32), a 3-shingle's hash combining
its three words' in order, h_i(x) = the top 32 bits of (a_i * x + b_i) mod 2^64 with a_i odd
(multiply-shift hashing), the minimum over the shingles, compared band by band.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

NUM_PERM = 64
BANDS, ROWS = 16, 4  # at Jaccard 0.5 a pair is a candidate 64% of the time, at 0.7 99%
THRESHOLD = 0.5  # estimated Jaccard of shingle sets: the same text, lightly edited
MAX_SHINGLES = 150  # the opening is where copies agree; footers and tails differ
MIN_SHINGLES = 8  # shorter texts are too alike by chance ("Photo of the day")

# a band value shared by this many articles says little about any one of them; capping the
# buckets keeps a flood of look-alike items (templated copy) from making matching quadratic
BUCKET_CAP = 64
CHECKED = 24  # candidates compared in full: those sharing the most bands first
_WORD = re.compile(r"\w+", re.UNICODE)


@cache
def _constants() -> tuple[Any, Any, Any, Any]:
    import numpy as np

    # two odd multipliers to combine word hashes in order, a mask, the shift of the hashing
    return np.uint64(0x9E3779B1), np.uint64(0x85EBCA77), np.uint64(0xFFFFFFFF), np.uint64(32)


@cache
def _permutations() -> tuple[Any, Any]:
    import numpy as np

    # fixed seed: signatures are stored and compared across processes and releases
    rng = np.random.RandomState(7)
    a = rng.randint(1, 1 << 63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd
    b = rng.randint(0, 1 << 63, size=NUM_PERM, dtype=np.uint64)
    return a, b


_WANTED = MAX_SHINGLES + 2
_PROBE = 1200  # characters that usually hold _WANTED words; the rest is read only if not
# ASCII bytes that are not word characters (\w) become spaces; splitting the UTF-8 of a text
# whose other characters are all word characters gives exactly _WORD's words, at a fraction
# of the regex's cost (most of which is one match object per word)
_WORD_BYTES = bytes(b if chr(b).isalnum() or b == ord("_") else ord(" ") for b in range(128))
_WORD_BYTES += bytes(range(128, 256))
_NON_ASCII_NON_WORD = re.compile(r"[^\x00-\x7f\w]")
# common non-ASCII punctuation, replaced first so that it does not force the regex
_PUNCTUATION = "’‘“”–—…\u00a0"


def _words(text: str, end: int) -> list[bytes]:
    """_WORD's words in text[:end], UTF-8 encoded."""
    text = text[:end]
    if not text.isascii():
        for mark in _PUNCTUATION:
            if mark in text:
                text = text.replace(mark, " ")
        if _NON_ASCII_NON_WORD.search(text):
            return [word.encode() for word in _WORD.findall(text)]
    return text.encode().translate(_WORD_BYTES).split()


def _opening_words(text: str) -> list[bytes]:
    """The first _WANTED words of `text`, reading no more of it than needed."""
    if len(text) > _PROBE:
        words = _words(text, _PROBE)
        # one word more than wanted proves the last wanted one was not cut at the probe
        if len(words) > _WANTED:
            return words[:_WANTED]
    return _words(text, len(text))[:_WANTED]


_HASHES: dict[bytes, int] = {}
_HASHES_MAX = 200_000  # distinct words remembered; news vocabulary repeats from item to item


def _word_hash(word: bytes) -> int:
    found = _HASHES.get(word)
    if found is None:
        if len(_HASHES) >= _HASHES_MAX:
            _HASHES.clear()
        found = _HASHES[word] = zlib.crc32(word)
    return found


def signature(title: str, text: str) -> bytes | None:
    """The article's signature (NUM_PERM little-endian uint32), or None when it has too
    few words to compare."""
    import numpy as np

    words = _opening_words(f"{title} {text[:2000]}".casefold())
    if len(words) < MIN_SHINGLES + 2:
        return None
    # each word hashed once (crc32: stable across processes, C-fast); a 3-shingle's hash
    # combines its words' in order
    k1, k2, low32, shift = _constants()
    w = np.array([_word_hash(word) for word in words], dtype=np.uint64)
    shingles = np.sort((w[:-2] * k1 + w[1:-1] * k2 + w[2:]) & low32)
    if 1 + np.count_nonzero(shingles[1:] != shingles[:-1]) < MIN_SHINGLES:  # distinct ones
        return None
    a, b = _permutations()
    # multiply-shift hashing (a odd, arithmetic mod 2^64): the top 32 bits of a * x + b; a
    # repeated shingle cannot change a minimum, and the shift, being monotonic, can follow it
    with np.errstate(over="ignore"):
        values = (shingles[:, None] * a + b).min(axis=0) >> shift
    return bytes(values.astype("<u4").tobytes())


def _values(raw: bytes) -> np.ndarray | None:
    import numpy as np

    values = np.frombuffer(raw, dtype="<u4")
    return values if len(values) == NUM_PERM else None


def similarity(one: bytes, other: bytes) -> float:
    """Estimated Jaccard similarity of the two articles' shingle sets."""
    a, b = _values(one), _values(other)
    if a is None or b is None:
        return 0.0
    return float((a == b).sum()) / NUM_PERM


class StoryIndex:
    """Recent articles by signature: which story does a new one belong to?

    The signatures are rows of one matrix, so a new article is compared with all its
    candidates in one numpy operation (one comparison per candidate cost 4 µs of numpy
    overhead each, a third of matching).

    The stored articles a run starts from are indexed at once by load(): their band keys are
    one sorted numpy array instead of a bucket list for each key. Adding the 100,000
    articles of a busy three-day window one by one took 2.5 to 3.3 s of every run that saw
    news, loading them takes 0.3 to 0.5 s (bench/README.md, stop 19); articles added during
    the run go to the buckets.
    """

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self._threshold = threshold
        self._bands: list[defaultdict[bytes, list[int]]] = [defaultdict(list) for _ in range(BANDS)]
        # article id -> (row of its signature, story id, source id)
        self._known: dict[int, tuple[int, int | None, int]] = {}
        self._matrix: np.ndarray | None = None
        self._loaded: _Loaded | None = None

    def __len__(self) -> int:
        return len(self._known)

    @staticmethod
    def _keys(raw: bytes) -> list[bytes]:
        step = ROWS * 4  # bytes of one band: ROWS little-endian uint32 values
        return [raw[i * step : (i + 1) * step] for i in range(BANDS)]

    def _row(self, values: np.ndarray) -> int:
        import numpy as np

        row = len(self._known)
        if self._matrix is None or row == len(self._matrix):
            grown = np.empty((max(1024, 2 * row), NUM_PERM), dtype="<u4")
            if self._matrix is not None:
                grown[:row] = self._matrix
            self._matrix = grown
        self._matrix[row] = values
        return row

    def load(self, rows: Iterable[tuple[int, bytes, int | None, int]]) -> None:
        """Index stored articles, (id, signature, story id, source id) each, as add() would
        one by one in that order; only into an empty index."""
        import numpy as np

        if self._known:
            raise ValueError("StoryIndex.load: the index is not empty")
        width = NUM_PERM * 4
        signatures: list[bytes] = []
        for article_id, raw, story, source in rows:
            if len(raw) == width and article_id not in self._known:  # as add() skips them
                self._known[article_id] = (len(signatures), story, source)
                signatures.append(raw)
        if not signatures:
            return
        count = len(signatures)
        # room for the run's own articles: growing copies the whole matrix
        self._matrix = np.empty((count + max(1024, count // 8), NUM_PERM), dtype="<u4")
        self._matrix[:count] = np.frombuffer(b"".join(signatures), dtype="<u4").reshape(
            count, NUM_PERM
        )
        self._loaded = _Loaded(self._matrix[:count], np.fromiter(self._known, dtype=np.int64))

    def add(self, article_id: int, raw: bytes, story_id: int | None, source_id: int) -> None:
        values = _values(raw)
        if values is None or article_id in self._known:
            return
        self._known[article_id] = (self._row(values), story_id, source_id)
        for band, key in zip(self._bands, self._keys(raw), strict=True):
            bucket = band[key]
            if len(bucket) < BUCKET_CAP:
                bucket.append(article_id)

    def match(self, raw: bytes) -> int | None:
        """The article most like this signature (at least THRESHOLD alike), or None: the
        most alike of the CHECKED candidates sharing the most bands, the lowest id on a tie."""
        values = _values(raw)
        if values is None or self._matrix is None:
            return None
        hits = self._hits(raw, values)
        if not hits:
            return None
        candidates = [key_id for key_id, _ in hits.most_common(CHECKED)]
        rows = [self._known[key_id][0] for key_id in candidates]
        equal = (self._matrix[rows] == values).sum(axis=1).tolist()
        best: tuple[int, int] | None = None
        for key_id, same in zip(candidates, equal, strict=True):
            if same / NUM_PERM >= self._threshold and (
                best is None or (same, -key_id) > (best[0], -best[1])
            ):
                best = (same, key_id)
        return best[1] if best else None

    def _hits(self, raw: bytes, values: np.ndarray) -> Counter[int]:
        """The indexed articles sharing a band with the signature: how many bands each, in
        the order they are met, band by band, each bucket in the order it was filled."""
        hits: Counter[int] = Counter()
        loaded = None
        if self._loaded is not None and self._matrix is not None:
            loaded = self._loaded.buckets(self._matrix, values)
        for number, (band, key) in enumerate(zip(self._bands, self._keys(raw), strict=True)):
            found = band.get(key)
            if loaded and loaded[number]:
                # the loaded articles came first, so they fill a capped bucket first
                found = (loaded[number] + (found or []))[:BUCKET_CAP]
            if found:
                hits.update(found)
        return hits

    def story_of(self, article_id: int) -> int:
        """The story an indexed article belongs to: its story id, or its own id."""
        story = self._known[article_id][1]
        return story if story is not None else article_id

    def join(self, article_id: int, story_id: int) -> None:
        """Record that an indexed article now belongs to `story_id`."""
        row, _, source = self._known[article_id]
        self._known[article_id] = (row, story_id, source)


def _band_hashes(signatures: np.ndarray) -> np.ndarray:
    """(rows, BANDS) uint64: a number for each band key of each signature, its band mixed
    in. Equal keys of one band give equal numbers; unequal ones almost never do, and every
    match is checked against the signatures themselves."""
    import numpy as np

    pairs = np.ascontiguousarray(signatures).view("<u8").reshape(len(signatures), BANDS, 2)
    band = np.arange(1, BANDS + 1, dtype=np.uint64)
    first, second, third = _mix()
    with np.errstate(over="ignore"):
        mixed: np.ndarray = pairs[..., 0] * first ^ pairs[..., 1] * second ^ band * third
    spread: np.ndarray = mixed ^ (mixed >> np.uint64(31))
    return spread


@cache
def _mix() -> tuple[Any, Any, Any]:
    import numpy as np

    return np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B1)


class _Loaded:
    """The band keys of the loaded signatures (rows 0..n-1 of the index's matrix), sorted."""

    def __init__(self, matrix: np.ndarray, ids: np.ndarray) -> None:
        import numpy as np

        hashes = _band_hashes(matrix).ravel()
        # stable: the entries of one key stay in the order the articles were loaded
        self.order = np.argsort(hashes, kind="stable")
        self.hashes = hashes[self.order]
        self.ids = ids
        self.bands = np.arange(BANDS)
        self.columns = np.arange(ROWS)

    def buckets(self, matrix: np.ndarray, values: np.ndarray) -> list[list[int]] | None:
        """For each band, the loaded articles sharing that band's key with `values`, in
        load order, at most BUCKET_CAP (what add() would have put in the bucket); None when
        no band has any. All bands at once: numpy's cost is per call, not per element."""
        import numpy as np

        wanted = _band_hashes(values[None, :])[0]
        starts = np.searchsorted(self.hashes, wanted, side="left")
        lengths = np.searchsorted(self.hashes, wanted, side="right") - starts
        if not lengths.any():
            return None
        # a bucket holds the first BUCKET_CAP of its key's articles, so the first ones of
        # each range are enough, unless one of them only shares the hash
        capped = np.minimum(lengths, BUCKET_CAP)
        band, rows, same = self._entries(matrix, values, starts, capped)
        if same.all():
            found = self.ids[rows].tolist()
            ends = np.cumsum(capped).tolist()
            return [
                found[end - size : end] for end, size in zip(ends, capped.tolist(), strict=True)
            ]
        band, rows, same = self._entries(matrix, values, starts, lengths)
        out: list[list[int]] = [[] for _ in range(BANDS)]
        for found_for, article_id in zip(
            band[same].tolist(), self.ids[rows[same]].tolist(), strict=True
        ):
            bucket = out[found_for]
            if len(bucket) < BUCKET_CAP:
                bucket.append(article_id)
        return out

    def _entries(
        self, matrix: np.ndarray, values: np.ndarray, starts: np.ndarray, lengths: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The entries of each band's range (`lengths` of them from `starts`): the band each
        was looked up for, its row, and whether it has that band's key in that band."""
        import numpy as np

        band = np.repeat(self.bands, lengths)
        offsets = np.cumsum(lengths) - lengths
        entries = self.order[np.arange(len(band)) - np.repeat(offsets - starts, lengths)]
        rows = entries // BANDS
        columns = band[:, None] * ROWS + self.columns
        same = (entries % BANDS == band) & (matrix[rows[:, None], columns] == values[columns]).all(
            axis=1
        )
        return band, rows, same
