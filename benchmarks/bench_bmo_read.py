"""Benchmark: reading the national BMO open-data file.

Prints, for ``Base_open_data_BMO_2024.xlsx`` (53,443 rows):

- the cold read: python-calamine + validation + normalisation, empty cache (the
  Parquet cache is written during this read), and the same without any cache;
- the cached read (the normalised table read back from Parquet);
- the raw read by pandas' default engine (openpyxl), without any normalisation;
- the ratios.

Targets of issue 3: at most 2 s cold and 0.3 s from cache on the reference machine
(2 cores); pandas' default openpyxl engine takes about 6 s.

Usage::

    python benchmarks/bench_bmo_read.py [--fichier FILE] [--repetitions N] [--sans-openpyxl]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from diagnostics._readers.bmo import read_bmo  # noqa: E402
from geo import settings  # noqa: E402
from geo.display import format_int  # noqa: E402

__all__ = ["main"]

DEFAULT = ROOT.parent / "shared" / "data" / "bmo" / "Base_open_data_BMO_2024.xlsx"


def _timed(func, repeat: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Temps de lecture du fichier BMO national.")
    parser.add_argument("--fichier", type=Path, default=DEFAULT)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--sans-openpyxl", action="store_true", help="ne pas mesurer openpyxl")
    args = parser.parse_args(argv)
    if not args.fichier.is_file():
        print(f"Fichier absent : {args.fichier}", file=sys.stderr)
        return 2
    n = max(1, args.repetitions)
    print(f"Fichier : {args.fichier} ({args.fichier.stat().st_size / 1e6:.1f} Mo), {n} répétitions")

    cold_times = []
    for _ in range(n):
        with tempfile.TemporaryDirectory() as cache:
            settings.cache_dir = Path(cache)
            start = time.perf_counter()
            bmo = read_bmo(args.fichier)
            cold_times.append(time.perf_counter() - start)
            assert bmo.attrs["cache"] == "écrit dans le cache"
            cached, cached_times, again = _timed(lambda: read_bmo(args.fichier), max(5, n))
            assert again.attrs["cache"] == "lu depuis le cache"
    cold = min(cold_times)
    no_cache, no_cache_times, _ = _timed(lambda: read_bmo(args.fichier, cache=False), n)
    print(f"Lignes lues : {format_int(len(bmo))}")
    print(
        f"Lecture à froid (calamine + normalisation + écriture du cache) : {cold:.2f} s "
        f"(médiane {statistics.median(cold_times):.2f} s)"
    )
    print(
        f"Lecture à froid sans cache : {no_cache:.2f} s "
        f"(médiane {statistics.median(no_cache_times):.2f} s)"
    )
    print(
        f"Lecture depuis le cache Parquet : {cached:.3f} s "
        f"(médiane {statistics.median(cached_times):.3f} s)"
    )
    try:
        import openpyxl as _openpyxl  # noqa: F401  (only for the comparison)
    except ImportError:
        print("openpyxl non installé (pip install openpyxl) : comparaison non faite")
        args.sans_openpyxl = True
    if not args.sans_openpyxl:
        sheet = bmo.attrs["rapport"]["feuille"]
        openpyxl, _, raw = _timed(
            lambda: pd.read_excel(args.fichier, sheet_name=sheet, engine="openpyxl"), 1
        )
        print(f"pandas.read_excel (openpyxl, lecture brute sans normalisation) : {openpyxl:.2f} s")
        print(f"Rapport openpyxl / lecture à froid : {openpyxl / cold:.1f}×")
        print(f"Rapport openpyxl / lecture depuis le cache : {openpyxl / cached:.0f}×")
        print(f"lignes lues : openpyxl {len(raw)}, atelier {len(bmo)}")
    ok_cold = "OK" if cold <= 2.0 else "AU-DESSUS"
    ok_cache = "OK" if cached <= 0.3 else "AU-DESSUS"
    print(f"Objectifs : à froid ≤ 2 s : {ok_cold} ; depuis le cache ≤ 0,3 s : {ok_cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
