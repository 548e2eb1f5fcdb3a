"""Fixture of the data·inclusion open file of structures, in the official schema.

:func:`structures_frame` builds a table of fictional structures laid out like the
national file published on data.gouv.fr (schema v1 of
``gip-inclusion/data-inclusion-schema``: ``source``, ``id``, ``nom``, ``siret``,
``code_insee``, ``reseaux_porteurs``...), placed on the communes of the fictional
demonstration territory, with what the real file holds: several sources, duplicates
across sources (same SIRET; same name written differently), missing and bad codes,
contacts blanked at publication. :func:`v0_frame` builds a small file of the older
schema (one ``typologie`` code). No randomness: every anomaly sits at a fixed row,
so the tests assert exact counts (see ``tests/data/data_inclusion/README.md``).

Run ``python scripts/data_inclusion_fixture.py`` to rewrite
``tests/data/data_inclusion/structures-inclusion.csv`` and ``structures-v0.csv``
(written as the publisher writes them: ``DataFrame.to_csv(index=False)``, lists as
Python lists). ``benchmarks/bench_data_inclusion.py`` uses :func:`structures_frame`
at the national scale.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "data_inclusion"

SOURCES = ("dora", "emplois-de-linclusion", "france-travail", "mes-aides", "soliguide")
NETWORKS = (
    "mission-locale",
    "cap-emploi-reseau-cheops",
    "ccas-cias",
    "aci",
    "ei",
    "plie",
    "france-travail",
    "ecoles-de-la-deuxieme-chance",
    "reseau-bge",
    "chrs",
    "communes",
    "espaces-publics-numeriques",
    "siao",
    "spip",
)
COLUMNS = (
    "source",
    "id",
    "nom",
    "date_maj",
    "description",
    "lien_source",
    "siret",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "longitude",
    "latitude",
    "telephone",
    "courriel",
    "site_web",
    "horaires_accueil",
    "accessibilite_lieu",
    "reseaux_porteurs",
)

# Fixed anomalies of the base rows (row number i of the base structures).
NO_COMMUNE = (5, 15, 25, 35, 45, 55, 65, 75)
BAD_COMMUNE = {11: "9A0", 21: "1234567", 31: "CODE?"}
BAD_SIRET = (2, 4, 6)
NO_NAME = (100, 101)
UNKNOWN_NETWORK = {50: ["reseau-inconnu"], 60: ["reseau-inconnu"], 70: ["reseau-inconnu"]}
UNKNOWN_NETWORK[80] = ["ml"]
SWAPPED = (90, 91, 92)
OUTSIDE = (93, 94)
NO_ID = 110
CCAS_NAMES = range(151, 180, 2)  # their copies are written « CCAS <COMMUNE> <i> »
SIRET_COPIES = range(200, 240, 2)  # copies from another source, same SIRET and commune
HEAD_OFFICE = range(240, 250, 2)  # antennas with the same SIRET in another commune
REPEATED = (120, 130)  # the same record twice


def siret_with_key(i: int) -> str:
    """A SIRET ``999…`` with a valid Luhn key (fictional: no such siren)."""
    body = f"999{i:010d}"
    for key in range(10):
        digits = body + str(key)
        total = 0
        for k, ch in enumerate(reversed(digits)):
            d = int(ch) * (2 if k % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return digits
    raise AssertionError("no Luhn key")  # pragma: no cover


def demo_communes(n: int = 60) -> list[tuple[str, str]]:
    """The first ``n`` communes (code, name) of the demonstration territory."""
    table = pd.read_csv(ROOT / "data" / "demo" / "insee_communes.csv", dtype=str)
    return list(zip(table["code_insee"], table["libelle_commune"], strict=True))[:n]


def _base_row(i: int, communes: list[tuple[str, str]]) -> dict[str, object]:
    code, name = communes[i % len(communes)]
    source = SOURCES[i % len(SOURCES)]
    networks = [] if i % 10 == 9 else [NETWORKS[i % len(NETWORKS)]]
    if i % 7 == 0 and networks:
        networks.append("departements")
    blank_contacts = i % 3 == 0
    label = "Centre communal d'action sociale de" if i in CCAS_NAMES else "Structure"
    return {
        "source": source,
        "id": f"{source}--{1000 + i}",
        "nom": f"{label} {name} {i}",
        "date_maj": (dt.date(2025, 1, 1) + dt.timedelta(days=i % 365)).isoformat(),
        "description": None,
        "lien_source": f"https://example.org/{source}/{1000 + i}",
        "siret": siret_with_key(i) if i % 2 == 0 else None,
        "commune": name,
        "code_postal": None,
        "code_insee": code,
        "adresse": f"{i} rue de l'Exemple",
        "complement_adresse": None,
        "longitude": round(-10.0 + (i % 40) * 0.05, 5),
        "latitude": round(45.5 + (i % 50) * 0.03, 5),
        "telephone": None if blank_contacts else f"+3310000{i:04d}",
        "courriel": None if blank_contacts else f"contact{i}@example.org",
        "site_web": None,
        "horaires_accueil": "Mo-Fr 09:00-12:00",
        "accessibilite_lieu": None,
        "reseaux_porteurs": networks,
    }


def _with_anomalies(row: dict[str, object], i: int) -> dict[str, object]:
    if i in NO_COMMUNE:
        row["code_insee"] = None
    if i in BAD_COMMUNE:
        row["code_insee"] = BAD_COMMUNE[i]
    if i in BAD_SIRET:
        siret = str(row["siret"])
        row["siret"] = "12345" if i == 6 else siret[:-1] + str((int(siret[-1]) + 1) % 10)
    if i in NO_NAME:
        row["nom"] = None
    if i in UNKNOWN_NETWORK:
        row["reseaux_porteurs"] = UNKNOWN_NETWORK[i]
    if i in SWAPPED:
        row["latitude"], row["longitude"] = row["longitude"], row["latitude"]
    if i in OUTSIDE:
        row["latitude"], row["longitude"] = 0.0, 0.0
    if i == NO_ID:
        row["id"] = None
    return row


def _copies(base: list[dict[str, object]], communes: list[tuple[str, str]]) -> list[dict]:
    out: list[dict[str, object]] = []
    for i in SIRET_COPIES:
        src = SOURCES[(i + 1) % len(SOURCES)]
        out.append(
            {**base[i], "source": src, "id": f"{src}--s{i}", "nom": str(base[i]["nom"]).upper()}
            | {"courriel": None, "telephone": None}
        )
    for i in CCAS_NAMES:
        src = SOURCES[(i + 2) % len(SOURCES)]
        name = communes[i % len(communes)][1]
        out.append(
            {**base[i], "source": src, "id": f"{src}--c{i}", "nom": f"CCAS {name.upper()} {i}"}
            | {"courriel": None, "telephone": None}
        )
    for i in HEAD_OFFICE:
        other = communes[(i + 1) % len(communes)]
        out.append(
            {**base[i], "id": f"{base[i]['source']}--a{i}", "nom": f"Antenne {base[i]['nom']}"}
            | {"code_insee": other[0], "commune": other[1]}
        )
    out.extend(dict(base[i]) for i in REPEATED)
    return out


def structures_frame(
    n: int = 250, *, communes: list[tuple[str, str]] | None = None
) -> pd.DataFrame:
    """``n`` base structures with the fixed anomalies, then their duplicates.

    With the default ``n=250``: 292 rows (250 structures, 20 copies with the same
    SIRET, 15 « CCAS » copies, 5 antennas of a head office, 2 repeated records).
    A larger ``n`` repeats the pattern of the base rows (anomalies and copies are
    those of the first 250).
    """
    communes = communes or demo_communes()
    base = [_with_anomalies(_base_row(i, communes), i) for i in range(n)]
    rows = base + _copies(base, communes)
    return pd.DataFrame(rows, columns=list(COLUMNS))


V0_ROWS = (
    # id, source, nom, typologie, code_insee, siret
    ("1", "dora", "Mission locale de Barette", "ML", "9A002", siret_with_key(900)),
    ("2", "dora", "CCAS de Barette", "CCAS", "9A002", None),
    ("3", "mes-aides", "Centre communal d'action sociale de Barette", "CCAS", "9A002", None),
    ("4", "dora", "Communauté de communes du Nord", "EPCI", "9A001", None),
    ("5", "dora", "Organisme de formation Alpha", "OF", "9A003", siret_with_key(901)),
    ("6", "soliguide", "Association intermédiaire du Port", "AI", "9A004", None),
    ("7", "dora", "Épicerie solidaire", "ES", "9A005", None),
    ("8", "dora", "Structure mystère", "XYZ", "9A006", None),
    ("9", "dora", "Structure sans typologie", None, "9A007", None),
    ("10", "soliguide", "Mission Locale de BARETTE", "ML", "9A002", siret_with_key(900)),
)


def v0_frame() -> pd.DataFrame:
    """Ten structures of the older schema (``typologie``; ``id`` without the source)."""
    return pd.DataFrame(
        [
            {
                "id": ident,
                "siret": siret,
                "rna": None,
                "nom": nom,
                "commune": None,
                "code_postal": None,
                "code_insee": code,
                "adresse": None,
                "complement_adresse": None,
                "longitude": None,
                "latitude": None,
                "typologie": typologie,
                "telephone": None,
                "courriel": "accueil@example.org",
                "site_web": None,
                "presentation_resume": None,
                "source": source,
                "date_maj": "2023-06-01",
                "antenne": False,
            }
            for ident, source, nom, typologie, code, siret in V0_ROWS
        ]
    )


def main() -> None:
    """Rewrite the two fixture files."""
    OUT.mkdir(parents=True, exist_ok=True)
    structures_frame().to_csv(OUT / "structures-inclusion.csv", index=False)
    v0_frame().to_csv(OUT / "structures-v0.csv", index=False)


if __name__ == "__main__":
    main()
