"""Benchmark: size of each map of a portrait, and how many features and labels it draws.

For each territory given, builds the map sections of the portrait (territory,
BMO bassins, partners, access) and prints, per map, the size of its
self-contained page (Leaflet included, about 150 KB of it), the number of
GeoJSON features and of place labels, and the seconds the section took. Issue 16:
a région maps its départements, not its communes; labels and borders stay light.

Defaults: the real Pays de la Loire configuration (bassin 5220, Nantes, and
région 52) when ``../shared/data`` is present, else the demo (bassin 9901,
région 99).

Usage::

    python benchmarks/bench_portrait_maps.py [--config F] [niveau:code ...]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diagnostics import portrait  # noqa: E402
from geo import settings  # noqa: E402

REAL = ROOT / "tests" / "data" / "portrait_pays_de_la_loire.toml"
SECTIONS = ("territory_map", "bmo_map", "partners_map", "access")
FEATURE = '"type": "Feature"'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path)
    parser.add_argument("territories", nargs="*", help="niveau:code, e.g. bassin:5220")
    args = parser.parse_args()
    real = (ROOT.parent / "shared" / "data").is_dir()
    config = args.config or (REAL if real else settings.demo_dir() / "portrait.toml")
    wanted = args.territories or (
        ["bassin:5220", "region:52"] if real else ["bassin:9901", "region:99"]
    )
    print(f"Configuration : {config}")
    print(f"{'territoire':<44}{'carte':<14}{'Ko':>7}{'objets':>8}{'noms':>6}{'s':>7}")
    for item in wanted:
        level, code = item.split(":")
        data = portrait.load_portrait(config, level, code)
        for name in SECTIONS:
            start = time.perf_counter()
            section = getattr(portrait, f"section_{name}")(data)
            seconds = time.perf_counter() - start
            for map_name, view in section.maps.items():
                page = view.page
                found = re.search(r"(\[\[[^\n]*?\]\])\.forEach", page)
                labels = found.group(1).count("], [") + 1 if found else 0
                features = page.count(FEATURE)
                print(
                    f"{data.label[:43]:<44}{map_name:<14}{len(page.encode()) / 1000:>7.0f}"
                    f"{features:>8}{labels:>6}{seconds:>7.1f}"
                )


if __name__ == "__main__":
    main()
