"""Demonstration France Travail sites, in the format of the public sites file.

:func:`write_demo_sites` writes ``partenaires/pole_emploi_agencies.csv`` with the
columns, separator, decimal commas, ``NULL`` cells, postal codes and capitals of the
real file (``REFERENCE_PE, NOM, CODE_SAFIR, TYPE_SITE, REGION, LIBELLE_REGION,
COMPLEMENT_ADRESSE, DC_COMPLEMENTADRSITEPHYSIQUE, ADRESSE, CODE_POSTAL, COMMUNE,
DN_LATITUDE, DN_LONGITUDE``), read by
:func:`diagnostics.partnerships.read_france_travail_sites`:

- one agence locale (``ALE``) per bassin, the agences of ``cotraitance/structures.csv``
  (same communes, same coordinates);
- the direction régionale (``DRA``) and the three directions territoriales (``DDA``)
  of ``unites_pole_emploi.csv`` (same communes, same coordinates).

Every row is fictional and deterministic (no random draw). Run
``python scripts/demo/demo_sites.py`` to rewrite the file of ``data/demo``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import unicodedata
from pathlib import Path

__all__ = ["SITES_FILE", "write_demo_sites"]

#: Where the sites file goes, relative to the demo folder.
SITES_FILE = Path("partenaires") / "pole_emploi_agencies.csv"

_HEADER = [
    "REFERENCE_PE", "NOM", "CODE_SAFIR", "TYPE_SITE", "REGION", "LIBELLE_REGION",
    "COMPLEMENT_ADRESSE", "DC_COMPLEMENTADRSITEPHYSIQUE", "ADRESSE", "CODE_POSTAL",
    "COMMUNE", "DN_LATITUDE", "DN_LONGITUDE",
]  # fmt: skip
_REGION_LABEL = "ILE DEMONSTRATION"
_STREETS = ["RUE DES MOUETTES", "AVENUE DU PHARE", "BOULEVARD DE L ESTRAN", "RUE DU PORT"]


def _capitals(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
    return text.replace("-", " ").replace("'", " ")


def _decimal(value: str) -> str:
    return value.replace(".", ",")


def _read(path: Path, delimiter: str) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def write_demo_sites(out_dir: str | Path) -> Path:
    """Write ``partenaires/pole_emploi_agencies.csv`` into ``out_dir`` and return its path.

    ``out_dir`` must already hold ``communes_population.json``,
    ``unites_pole_emploi.csv`` and ``cotraitance/structures.csv``.
    """
    out = Path(out_dir)
    communes = {
        c["code"]: c
        for c in json.loads((out / "communes_population.json").read_text(encoding="utf-8"))
        if c["type"] == "commune-actuelle"
    }
    units = _read(out / "unites_pole_emploi.csv", ";")
    agences = [
        s for s in _read(out / "cotraitance" / "structures.csv", ";") if s["type"] == "agence"
    ]
    rows = []

    def add(ref: str, name: str, safir: str, kind: str, commune: str, lat: str, lon: str) -> None:
        c = communes[commune]
        k = len(rows)
        rows.append(
            [
                ref, _capitals(name), safir, kind, str(int(c["region"])), _REGION_LABEL,
                "NULL", "BATIMENT B" if k % 3 == 2 else "NULL",
                f"{2 + 7 * k} {_STREETS[k % len(_STREETS)]}", c["codesPostaux"][0],
                _capitals(c["nom"]), _decimal(lat), _decimal(lon),
            ]
        )  # fmt: skip

    for u in units:
        if u["Niveau"] == "direction_regionale":
            add("DEM0000000001", "DR ILE DEMONSTRATION", "99000", "DRA",
                u["Code commune"], u["Latitude"], u["Longitude"])  # fmt: skip
    for u in units:
        if u["Niveau"] == "direction_territoriale":
            dep = u["Identifiant"].removeprefix("PE-DT-")
            add(f"DEM00000000{dep}", f"DT {dep}", f"99{dep}0", "DDA",
                u["Code commune"], u["Latitude"], u["Longitude"])  # fmt: skip
    for s in agences:
        name = s["nom"].removeprefix("Agence Pôle emploi de ").removesuffix(" (fictive)")
        add(f"DEM0000{s['code']}", name, f"9{s['code'][-4:]}", "ALE",
            s["commune"], s["latitude"], s["longitude"])  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_HEADER)
    for row in rows:
        writer.writerow(row)
    # The real file quotes the decimal-comma coordinates and nothing else; it has no
    # final newline.
    text = buffer.getvalue().rstrip("\n")
    path = out / SITES_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description="Sites France Travail fictifs de la démo.")
    parser.add_argument("--sortie", default=str(Path(__file__).resolve().parents[2] / "data/demo"))
    args = parser.parse_args(argv)
    print(write_demo_sites(args.sortie))
    return 0


if __name__ == "__main__":
    sys.exit(main())
