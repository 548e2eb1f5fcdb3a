"""Benchmark: the synthesis and comparison sections, per portrait, in a warm kernel.

A batch builds the portraits of a région in one Python process: the input tables
are read once, and the national aggregates of the comparisons (the figures of every
département and région and of France, the bassins of the région, the recruitment
profile of every bassin of France) are computed by the first portrait and kept
(``TerritoryInputs.cached``). Prints, for the real configuration
(``tests/data/portrait_pays_de_la_loire.toml``, national BMO and job-seeker files)
and the demo one:

- the reading of the inputs the two sections share with the rest of the portrait
  (commune table, BMO, job-seeker series and its commune estimates), done once;
- :func:`section_synthesis` + :func:`section_comparisons` for the first portrait
  (national aggregates included) and for each next one (median and maximum).

Usage::

    python benchmarks/bench_synthesis.py [--nombre 26] [--demo-seulement]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diagnostics import portrait  # noqa: E402
from diagnostics.jobseekers import jobseekers_by_commune  # noqa: E402
from geo import settings  # noqa: E402
from geo.display import format_number  # noqa: E402

__all__ = ["main"]

REAL = ROOT / "tests" / "data" / "portrait_pays_de_la_loire.toml"


def _measure(config: Path, region: str, count: int) -> None:
    start = time.perf_counter()
    first = portrait.load_portrait(config, "bassin", _codes(config, region)[0])
    inputs = first.inputs
    table = inputs.commune_table()
    first.bmo()
    series = inputs.get("demandeurs.fichier")
    if series is not None:
        inputs.cached("demandeurs_communes", lambda: jobseekers_by_commune(series, table))
    reading = time.perf_counter() - start
    print(
        f"  lecture des entrées partagées avec les autres sections : {format_number(reading, 2)} s"
    )
    times = []
    for code in _codes(config, region)[:count]:
        data = portrait.load_portrait(config, "bassin", code)
        data.bmo_summary()  # built by the key figures section before these two
        start = time.perf_counter()
        portrait.section_synthesis(data)
        portrait.section_comparisons(data)
        times.append(time.perf_counter() - start)
    print(f"  premier portrait (agrégats nationaux compris) : {format_number(times[0], 2)} s")
    if len(times) > 1:
        rest = times[1:]
        print(
            f"  portraits suivants ({len(rest)}) : médiane {format_number(statistics.median(rest), 3)} s, "
            f"maximum {format_number(max(rest), 3)} s"
        )


def _codes(config: Path, region: str) -> list[str]:
    data = portrait.load_territory(config, "region", region)
    listing = data.inputs.list_territories("bassin", region=region)
    return listing["code"].astype(str).tolist()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Temps des sections de synthèse et comparaisons.")
    parser.add_argument(
        "--nombre", type=int, default=26, help="portraits mesurés par configuration"
    )
    parser.add_argument("--demo-seulement", action="store_true")
    args = parser.parse_args(argv)
    runs = [("démonstration (région 99, 10 bassins)", settings.demo_dir() / "portrait.toml", "99")]
    if not args.demo_seulement:
        if (ROOT.parent / "shared" / "data").is_dir():
            runs.append(("fichiers réels (Pays de la Loire, BMO national)", REAL, "52"))
        else:
            print("Données réelles absentes (../shared/data) : configuration réelle non mesurée.")
    for label, config, region in runs:
        print(f"Synthèse + comparaisons, {label} :")
        _measure(config, region, max(2, args.nombre))
    return 0


if __name__ == "__main__":
    sys.exit(main())
