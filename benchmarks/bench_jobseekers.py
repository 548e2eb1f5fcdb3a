"""Benchmark: the national job-seeker series, and estimates for every bassin.

Prints, on ``../shared/data`` (the real files):

- reading and normalising ``emploi_demandeur.csv`` (147,420 rows, every level of
  France): cold (no cache) and from the Parquet cache;
- the estimates for every bassin BMO of France over the 60 months: the commune
  figures (published, or the département's remainder shared by population) of the
  whole commune table, then their sums by bassin
  (:func:`diagnostics.jobseekers.jobseekers_by_territory`).

Targets of issue 15 on the reference machine (2 cores): read and normalise in at most
1 s; estimates for all 406 bassins over 60 months in at most 2 s.

Usage::

    python benchmarks/bench_jobseekers.py [--donnees ../shared/data] [--repetitions N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from diagnostics.jobseekers import jobseekers_by_territory, read_jobseekers  # noqa: E402
from geo import referentials, settings, territories  # noqa: E402
from geo.display import format_int  # noqa: E402

__all__ = ["main"]

DEFAULT = ROOT.parent / "shared" / "data"


def _best(func, repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Temps de la série des demandeurs d'emploi.")
    parser.add_argument("--donnees", type=Path, default=DEFAULT)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)
    path = args.donnees / "demandeurs" / "emploi_demandeur.csv"
    if not path.is_file():
        print(f"Fichier absent : {path}", file=sys.stderr)
        return 2
    n = max(1, args.repetitions)
    cold, series = _best(lambda: read_jobseekers(path, cache=False), n)
    with tempfile.TemporaryDirectory() as cache:
        settings.cache_dir = Path(cache)
        read_jobseekers(path)  # writes the cache entry
        cached, _ = _best(lambda: read_jobseekers(path), n)
    print(
        f"Lecture et normalisation ({format_int(len(series))} lignes gardées) : {cold:.2f} s "
        f"à froid, {cached:.2f} s depuis le cache (objectif : 1 s)"
    )
    ref = args.donnees / "referentiels"
    population = referentials.read_communes_population(ref / "communes_population.json")
    bassins = referentials.read_commune_bassin(ref / "commune_bassin_bmo.csv")
    table = territories.commune_table(population, bassin=bassins, population=population)
    elapsed, out = _best(lambda: jobseekers_by_territory(series, table, "bassin"), n)
    print(
        f"Estimations pour {out['code'].nunique()} bassins × {out['mois'].nunique()} mois "
        f"({format_int(len(table))} communes) : {elapsed:.2f} s (objectif : 2 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
