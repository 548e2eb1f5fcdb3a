"""Benchmark: import and deduplicate a national-scale data·inclusion file of structures.

Generates 80,000 structures in the official schema (``scripts/data_inclusion_fixture.py``
at a larger scale, on the 300 communes of the demonstration territory, plus one copy
from another source for every eighth structure, as the published file keeps its
duplicates across sources), writes them as the publisher does (Parquet and CSV), then
times :func:`diagnostics.partners.partners_from_data_inclusion` (reading, checks,
network mapping, deduplication, partner schema) on each, with peak memory
(tracemalloc, Python allocations incl. NumPy/pandas buffers) on the Parquet file.

Usage: ``python benchmarks/bench_data_inclusion.py [--structures 80000]``.
Prints wall-clock and CPU seconds (the CPU time stays meaningful on a loaded
machine); asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from data_inclusion_fixture import demo_communes, structures_frame  # noqa: E402

from diagnostics.partners import partners_from_data_inclusion  # noqa: E402
from geo.problems import problems_of  # noqa: E402


def generate(total: int) -> pd.DataFrame:
    """``total`` rows: base structures and one copy of every eighth from another source."""
    n_base = total * 8 // 9
    base = structures_frame(n_base, communes=demo_communes(300))
    copies = base.iloc[::8].head(total - len(base)).copy()
    copies["source"] = "soliguide"
    copies["id"] = "soliguide--x" + copies["id"].str.split("--").str[-1]
    copies["nom"] = copies["nom"].str.upper()
    return pd.concat([base, copies], ignore_index=True)


def main(argv: list[str] | None = None) -> int:
    """Generate, write, import and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--structures", type=int, default=80_000)
    args = parser.parse_args(argv)
    frame = generate(args.structures)
    with tempfile.TemporaryDirectory() as tmp:
        parquet, csv = Path(tmp) / "structures.parquet", Path(tmp) / "structures.csv"
        frame.to_parquet(parquet, index=False)
        frame.to_csv(csv, index=False)
        print(
            f"{len(frame)} structures ({parquet.stat().st_size / 1e6:.1f} Mo en Parquet, "
            f"{csv.stat().st_size / 1e6:.1f} Mo en CSV)"
        )
        for path in (parquet, csv):
            start, cpu = time.perf_counter(), time.process_time()
            partners = partners_from_data_inclusion(path)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            merges = partners.attrs["fusions"]
            print(
                f"{path.suffix[1:]:>8} : {seconds:.2f} s ({cpu:.2f} s de processeur), "
                f"{len(partners)} structures après "
                f"fusion de {len(merges)} doublons, {len(problems_of(partners))} problèmes"
            )
        tracemalloc.start()
        partners_from_data_inclusion(parquet)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"mémoire de pointe (Parquet, tracemalloc) : {peak / 1e6:.0f} Mo")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
