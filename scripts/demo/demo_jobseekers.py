"""Demonstration job-seeker series: the France Travail monthly file for the demo territory.

:func:`write_demo_jobseekers` writes ``demandeurs/emploi_demandeur.csv`` in the format
of the real export read by :func:`diagnostics.jobseekers.read_jobseekers`
(``codgeo,YEAR,Demandeurs_Emploi``; French month names without accents,
``janvier_2020`` to ``decembre_2024``; values rounded to tens):

- the three départements ``9A``, ``9B``, ``9C`` and the région as ``reg99``;
- only the communes of more than :data:`THRESHOLD` inhabitants (as the real file
  publishes communes of more than 5,000), so that the other communes, bassins, zones
  d'emploi and CLPE must be estimated from the département's remainder.

Each commune gets a job-seeker rate (6 to 10 % of its population, higher in the
towns), a common trend (falling from 2021, rising again in 2024) and a small
seasonal swing; the département and the région are the rounded sums of their
communes, as the publisher rounds each figure on its own (so the région differs from
the sum of its départements by a few tens, as in the real file). Every figure is
fictional; the output is byte-for-byte deterministic for a given seed.

Run ``python scripts/demo/demo_jobseekers.py`` to (re)write the file from
``data/demo/communes_population.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from pathlib import Path

import numpy as np

from diagnostics._readers.jobseekers import MONTHS as _READER_MONTHS

__all__ = ["MONTHS", "THRESHOLD", "write_demo_jobseekers", "main"]

#: Communes published by the demo file: more than this many inhabitants.
THRESHOLD = 5000

#: Month names as written in the real file (French, no accents), from the reader.
MONTHS = tuple(_READER_MONTHS)
_YEARS = range(2020, 2025)
_DEFAULT_OUT = Path(__file__).resolve().parents[2] / "data" / "demo"
_SEED = 20240417


def _round10(values: np.ndarray) -> np.ndarray:
    return (np.round(values / 10.0) * 10).astype(int)


def write_demo_jobseekers(out_dir: str | Path = _DEFAULT_OUT, *, seed: int = _SEED) -> Path:
    """Write ``<out_dir>/demandeurs/emploi_demandeur.csv`` and return its path.

    Reads the communes and populations of ``<out_dir>/communes_population.json``.
    """
    out = Path(out_dir)
    entries = json.loads((out / "communes_population.json").read_text(encoding="utf-8"))
    communes = sorted(
        (e["code"], e["departement"], e["region"], int(e.get("population") or 0))
        for e in entries
        if e.get("type", "commune-actuelle") == "commune-actuelle"
    )
    rng = np.random.default_rng([seed, zlib.crc32(b"demandeurs")])
    population = np.array([c[3] for c in communes], dtype=float)
    town = population > THRESHOLD
    rate = rng.uniform(0.06, 0.09, len(communes)) + np.where(town, 0.012, 0.0)
    n = len(_YEARS) * 12
    t = np.arange(n)
    trend = 1.0 - 0.12 * np.clip((t - 12) / 36, 0, 1) + 0.04 * np.clip((t - 48) / 12, 0, 1)
    seasonal = 1.0 + 0.015 * np.cos(2 * np.pi * (t % 12) / 12)
    noise = 1.0 + rng.normal(0.0, 0.01, (len(communes), n))
    true = population[:, None] * rate[:, None] * trend * seasonal * noise
    departements = sorted({c[1] for c in communes})
    regions = sorted({c[2] for c in communes})
    dep_of = np.array([c[1] for c in communes])
    reg_of = np.array([c[2] for c in communes])
    lines = ["codgeo,YEAR,Demandeurs_Emploi"]
    for k, (year, month) in enumerate((y, m) for y in _YEARS for m in MONTHS):
        label = f"{month}_{year}"
        for i, (code, *_rest) in enumerate(communes):
            if town[i]:
                lines.append(f"{code},{label},{_round10(true[i, k])}")
        for dep in departements:
            lines.append(f"{dep},{label},{_round10(true[dep_of == dep, k].sum())}")
        for reg in regions:
            lines.append(f"reg{reg},{label},{_round10(true[reg_of == reg, k].sum())}")
    path = out / "demandeurs" / "emploi_demandeur.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description="Écrit la série fictive des demandeurs d'emploi du territoire de démonstration."
    )
    parser.add_argument("--sortie", type=Path, default=_DEFAULT_OUT, help="dossier data/demo")
    args = parser.parse_args(argv)
    path = write_demo_jobseekers(args.sortie)
    print(f"{path} écrit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
