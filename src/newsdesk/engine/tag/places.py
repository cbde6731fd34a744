"""Which places an article is about: the gazetteer's names, found in its title and text.

A name counts when it is written capitalised as a whole word run ("Tel Aviv", not "tel
aviv" or "Aviv" alone), and, for the less certain ones, when the article gives it weight:
in the title, in the dateline ("JERUSALEM (AP) —"), or more than once. Countries, regions and
cities of 300,000 people or more count on one mention, unless their name is also a common
word or name (gazetteer.AMBIGUOUS).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from newsdesk.engine.tag.gazetteer import AMBIGUOUS, STRONG_WHEN_REPEATED, Entry, places

MAX_PLACES = 6
# the places a story is about are named in its opening; a long piece's tail (related links,
# the archive, a "more from our region" box) adds noise and time
MAX_TEXT = 2000
MAX_WORDS = 4
BIG_CITY = 300_000
# a capitalised word ("Tel", "U.S.", "Saint-Denis", "Ho"), possibly ending in 's
_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w'’-]*)"
# A run is \b{_WORD}(?:[ \u00a0]{_WORD})*, written to begin with the capital itself (the
# word boundary checked behind it): a pattern that opens with a character class lets the
# regex engine skip to the next capital in C instead of trying the whole pattern at every
# position, 5.9 against 16.2 µs for 2,000 characters of text, the same runs found.
_RUN = re.compile(rf"[A-Z](?<!\w.)(?:\.(?:[A-Z]\.)+|[\w'’-]*)(?:[ \u00a0]{_WORD})*")
_DATELINE = re.compile(r"^\s*([A-Z][A-Z .'-]{2,40}?)(?:,| \(|\s+[-–—])")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str  # "country", "region" or "city"


def _lookup(index: dict[str, Entry], name: str) -> Entry | None:
    entry = index.get(name)
    if entry is None and name.endswith(("'s", "’s")):
        entry = index.get(name[:-2])
    return entry


@cache
def _name_lengths() -> dict[str, int]:
    """For each word a multi-word name starts with, the most words such a name has."""
    longest: dict[str, int] = {}
    for name in places():
        words = name.split(" ")
        if len(words) > 1:
            longest[words[0]] = max(longest.get(words[0], 0), min(len(words), MAX_WORDS))
    return longest


def _mentions(text: str, index: dict[str, Entry]) -> list[Entry]:
    """Every gazetteer name in `text`, in order, longest names first."""
    found: list[Entry] = []
    longest = _name_lengths()
    for phrase in _RUN.findall(text):
        if " " not in phrase and "\u00a0" not in phrase:  # most runs: one capitalised word
            entry = _lookup(index, phrase)
            if entry is not None:
                found.append(entry)
            continue
        words = phrase.replace("\u00a0", " ").split(" ")
        i, count = 0, len(words)
        while i < count:
            entry = None
            # only a word some name starts with can begin a multi-word match
            for n in range(min(longest.get(words[i], 1), count - i), 1, -1):
                entry = _lookup(index, " ".join(words[i : i + n]))
                if entry is not None:
                    break
            else:
                n = 1
                entry = _lookup(index, words[i])
            if entry is not None:
                found.append(entry)
            i += n
    return found


def _dateline(text: str, index: dict[str, Entry]) -> Entry | None:
    match = _DATELINE.match(text)
    if not match:
        return None
    words = match.group(1).strip().split()
    return index.get(" ".join(w.capitalize() for w in words))


def _certain(entry: Entry, name: str) -> bool:
    if name in AMBIGUOUS:
        return False
    return entry.kind != "city" or entry.population >= BIG_CITY


def tag_places(title: str, text: str) -> tuple[Place, ...]:
    """The places the article is about, most mentioned first (ties: first mentioned)."""
    index = places()
    text = text[:MAX_TEXT]
    dated = _dateline(text, index)
    in_title = _mentions(title, index)
    in_text = _mentions(text, index)
    counts = Counter(e.name for e in in_title)
    counts.update(e.name for e in in_text)
    # where each place is first named: its rank among the mentions; the dateline ranks
    # between the title and the text, for a place the text itself does not name
    first: dict[str, tuple[int, Entry]] = {}
    for position, entry in enumerate(in_title):
        first.setdefault(entry.name, (position, entry))
    for position, entry in enumerate(in_text, start=len(in_title) + 1):
        first.setdefault(entry.name, (position, entry))
    if dated is not None:
        counts[dated.name] += 2
        first.setdefault(dated.name, (len(in_title), dated))
    titled = {e.name for e in in_title}
    kept: list[tuple[int, int, Entry]] = []
    for name, (position, entry) in first.items():
        weighty = name in titled or (dated is not None and dated.name == name)
        if (
            _certain(entry, name)
            or (weighty and (name not in AMBIGUOUS or name in STRONG_WHEN_REPEATED))
            or (counts[name] >= 2 and (name not in AMBIGUOUS or name in STRONG_WHEN_REPEATED))
        ):
            kept.append((-counts[name], position, entry))
    kept.sort(key=lambda row: (row[0], row[1]))
    return tuple(Place(e.name, e.kind) for _, _, e in kept[:MAX_PLACES])
