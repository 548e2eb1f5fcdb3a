"""Demonstration partnerships, indicators, flows and Pôle emploi units.

:func:`write_demo_partnerships` writes four files read by :mod:`diagnostics.partnerships`
(format of the templates of ``data/partenariats/``):

- ``unites_pole_emploi.csv``: the direction régionale ``PE-DR-99``, three directions
  territoriales ``PE-DT-9A/9B/9C`` and two agencies per département, placed in the
  communes with the most partner sites;
- ``partenariats.csv``: one bilateral partnership between each major operating
  structure of the demo directory and an agency of its département (the mode follows
  its type: cotraitance with the missions locales and Cap emploi, mise à disposition
  with the PLIE, agrément with the SIAE...), a few partnerships between partners,
  regional conventions signed by the DR, and one multilateral "pacte territorial
  d'insertion" in 9A. Every mode and every life-cycle step occurs; some evaluations
  are overdue on :data:`DEMO_DATE`, some partnerships ended but are still marked
  running, some end within six months, some have no indicator; one major operating
  structure (:data:`ISOLATED`) has no partnership and no flow;
- ``partenariats_indicateurs.csv``: indicators of means and of results with targets
  and observed values;
- ``flux_partenaires.csv``: cotraitance flows to the missions locales and Cap emploi
  and prescriptions to PLIE, SIAE and training bodies, for 2024 and 2025.

Every row is fictional. Run ``python scripts/demo/demo_partnerships.py`` to rewrite the
files of ``data/demo``; the output is byte-for-byte deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["DEMO_DATE", "ISOLATED", "write_demo_partnerships"]

#: Date on which the demo is read (the same as the positioning demo).
DEMO_DATE = dt.date(2026, 6, 30)

#: The major operating structure left without any relation (type searched in order).
ISOLATED = ("chambre_agriculture", "spip", "service_etat")

_MODE_OF_TYPE = {
    "mission_locale": "cotraitance",
    "cap_emploi": "cotraitance",
    "plie": "mise_a_disposition",
    "siae_aci": "agrement",
    "siae_ai": "agrement",
    "siae_ei": "agrement",
    "siae_etti": "agrement",
    "conseil_departemental": "cofinancement",
    "conseil_regional": "cofinancement",
    "opco": "cofinancement",
    "transitions_pro": "cofinancement",
    "entreprise": "partage_offres",
    "branche_professionnelle": "partage_offres",
    "cci": "partage_offres",
    "cma": "partage_offres",
    "entreprise_adaptee": "partage_offres",
    "organisme_formation": "substitution",
    "afpa": "substitution",
    "cfa": "substitution",
    "lycee": "substitution",
    "esat": "substitution",
    "association_solidarite": "complementarite",
    "ccas": "complementarite",
    "caf": "complementarite",
    "centre_social": "complementarite",
    "pjj": "complementarite",
}

_HEADERS = {
    "unites": ["Identifiant", "Nom", "Niveau", "Code commune", "Latitude", "Longitude"],
    "partenariats": [
        "Identifiant",
        "Intitulé",
        "Parties",
        "Niveau de conclusion",
        "Cadre",
        "Mode",
        "Domaines",
        "Publics",
        "Date de début",
        "Date de fin",
        "Statut",
        "Date de dernière évaluation",
        "Périodicité d'évaluation (mois)",
        "Comité de pilotage",
        "Dates des comités",
        "Commentaire",
    ],
    "indicateurs": [
        "Identifiant du partenariat",
        "Type d'indicateur",
        "Indicateur",
        "Cible",
        "Réalisé",
        "Date de mesure",
    ],
    "flux": ["Origine", "Destination", "Type de flux", "Année", "Volume"],
}

_INDICATORS = {
    "cotraitance": [
        ("moyens", "Comités de pilotage locaux tenus", 5),
        ("resultat", "Jeunes accompagnés en cotraitance", 300),
        ("resultat", "Sorties positives", 120),
    ],
    "mise_a_disposition": [
        ("moyens", "ETP mis à disposition", 2),
        ("resultat", "Participants entrés dans le PLIE", 80),
    ],
    "agrement": [("resultat", "Agréments IAE délivrés", 60)],
    "cofinancement": [("moyens", "Budget engagé (k€)", 150), ("resultat", "Bénéficiaires", 200)],
    "partage_offres": [("resultat", "Offres partagées", 90)],
    "substitution": [("resultat", "Personnes orientées", 70)],
    "complementarite": [("resultat", "Accompagnements conjoints", 40)],
    "echange_informations": [("moyens", "Réunions d'échange tenues", 4)],
}


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _fr(day: dt.date | None) -> str:
    return "" if day is None else day.strftime("%d/%m/%Y")


def _points(folder: Path) -> pd.DataFrame:
    from geo.referentials import read_commune_polygons

    polygons = read_commune_polygons(sorted(folder.glob("communes-*.geojson")))
    points = polygons.to_crs("EPSG:2154").representative_point().to_crs("EPSG:4326")
    return pd.DataFrame(
        {"commune": polygons["commune"], "lat": points.y.round(5), "lon": points.x.round(5)}
    ).set_index("commune")


def _units(partners: pd.DataFrame, points: pd.DataFrame) -> list[dict[str, str]]:
    counts = partners.dropna(subset=["commune"]).groupby("commune").size()
    counts = counts.sort_index().sort_values(ascending=False, kind="stable")
    rows = []

    def add(uid: str, name: str, level: str, commune: str) -> None:
        lat, lon = points.loc[commune, ["lat", "lon"]]
        rows.append(
            dict(
                zip(
                    _HEADERS["unites"],
                    [uid, name, level, commune, f"{lat:.5f}", f"{lon:.5f}"],
                    strict=True,
                )
            )
        )

    top = {d: [c for c in counts.index if c.startswith(d)][:2] for d in ("9A", "9B", "9C")}
    add("PE-DR-99", "Direction régionale Île-Démonstration", "direction_regionale", top["9A"][0])
    for dep, communes in top.items():
        add(f"PE-DT-{dep}", f"Direction territoriale {dep}", "direction_territoriale", communes[0])
        for commune in communes:
            add(f"PE-AG-{commune}", f"Agence Pôle emploi {commune}", "agence", commune)
    return rows


def _date(rng: np.random.Generator, start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(0, days)))


def _dates(
    rng: np.random.Generator, status: str, scenario: str, today: dt.date
) -> tuple[dt.date, dt.date | None, dt.date | None]:
    """Start, end and last evaluation of a partnership of ``status`` and ``scenario``."""
    start = _date(rng, dt.date(2021, 1, 1), 1200)
    end: dt.date | None = start + dt.timedelta(days=int(rng.choice([730, 1095, 1460])))
    evaluation: dt.date | None = None
    if status in ("identifie", "objectifs", "projets", "indicateurs"):
        start = _date(rng, dt.date(2026, 7, 1), 180)
        end = start + dt.timedelta(days=1095)
    elif status == "arrete":
        end = _date(rng, dt.date(2024, 1, 1), 700)
        start = end - dt.timedelta(days=1095)
        evaluation = end - dt.timedelta(days=60)
    else:
        end = max(end, today + dt.timedelta(days=200))
        evaluation = today - dt.timedelta(days=int(rng.integers(30, 330)))
        if status == "en_cours" and rng.random() < 0.15:
            evaluation = None
            start = min(start, dt.date(2024, 12, 31))
    if scenario == "overdue":
        evaluation = today - dt.timedelta(days=int(rng.integers(420, 700)))
        start = min(start, evaluation - dt.timedelta(days=200))
    elif scenario == "ended":
        end = today - dt.timedelta(days=int(rng.integers(20, 200)))
        start = end - dt.timedelta(days=1095)
    elif scenario == "renewal":
        end = today + dt.timedelta(days=int(rng.integers(20, 170)))
        start = end - dt.timedelta(days=1095)
    return start, end, evaluation


def _committee(
    rng: np.random.Generator, mode: str, level: str, scenario: str
) -> tuple[str, list[dt.date]]:
    """The steering committee (``regional``, ``local`` or none) and its meetings."""
    if mode != "cotraitance" and scenario != "committee":
        return "", []
    committee = "regional" if level == "regional" else "local"
    target = 4 if committee == "regional" else 5
    held = target if rng.random() < 0.6 else target - 2
    meetings = sorted(_date(rng, dt.date(2025, 1, 5), 350) for _ in range(held))
    meetings += sorted(_date(rng, dt.date(2026, 1, 5), 170) for _ in range(held // 2))
    return committee, meetings


class _Registry:
    """The partnerships and indicators drawn so far, in a fixed order (one generator)."""

    def __init__(self, rng: np.random.Generator, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.rows: list[list[str]] = []
        self.indicators: list[list[str]] = []
        self.local = 0  # conventions of an agence and one partner: CV001...
        self.extra = 0  # the others: CX001...

    def add(
        self,
        pid: str,
        title: str,
        parties: list[str],
        level: str,
        frame: str,
        mode: str,
        status: str,
        *,
        publics: tuple[str, ...],
        domains: tuple[str, ...],
        scenario: str = "",
    ) -> None:
        rng, today = self.rng, self.today
        start, end, evaluation = _dates(rng, status, scenario, today)
        committee, meetings = _committee(rng, mode, level, scenario)
        period = "12" if rng.random() < 0.8 else "6"
        self.rows.append(
            [
                pid,
                title,
                "|".join(parties),
                level,
                frame,
                mode,
                "|".join(domains),
                "|".join(publics),
                _fr(start),
                _fr(end),
                status,
                _fr(evaluation),
                period,
                committee,
                "|".join(_fr(d) for d in meetings),
                "",
            ]
        )
        if (
            status in ("indicateurs", "en_cours", "evalue", "renegocie", "arrete")
            and scenario != "noind"
        ):
            for kind, label, target in _INDICATORS[mode]:
                observed = (
                    "" if status == "indicateurs" else str(round(target * rng.uniform(0.5, 1.2)))
                )
                measured = (
                    ""
                    if status == "indicateurs"
                    else _fr(min(today, (end or today)) - dt.timedelta(days=30))
                )
                self.indicators.append([pid, kind, label, str(target), observed, measured])

    def add_local(
        self, agency: str, rec: Any, mode: str, status: str, frame: str, scenario: str
    ) -> None:
        """A convention of ``agency`` with partner ``rec`` (a row of the directory)."""
        self.local += 1
        self.add(
            f"CV{self.local:03d}",
            f"{mode.replace('_', ' ').capitalize()} {agency} – {rec.nom}",
            [agency, rec.partenaire_id],
            "local",
            frame,
            mode,
            status,
            publics=tuple(rec.publics)[:2],
            domains=tuple(rec.domaines)[:2],
            scenario=scenario,
        )

    def add_extra(
        self,
        parties: list[str],
        title: str,
        level: str,
        frame: str,
        mode: str,
        status: str,
        publics: tuple[str, ...],
        domains: tuple[str, ...],
        scenario: str = "",
    ) -> None:
        """A partnership between partners, or a convention of the DR or a DT."""
        self.extra += 1
        self.add(
            f"CX{self.extra:03d}",
            title,
            parties,
            level,
            frame,
            mode,
            status,
            publics=publics,
            domains=domains,
            scenario=scenario,
        )


def _major_conventions(
    reg: _Registry, partners: pd.DataFrame, agencies: dict[str, list[str]]
) -> dict[str, list[str]]:
    """A convention of an agence with every major operating structure but one isolate.

    Returns the ids of the structures drawn, by type.
    """
    major = partners.loc[partners["majeur"] & partners["operant"]].sort_values("partenaire_id")
    isolated = next(
        (
            major.loc[major["type"] == t, "partenaire_id"].iloc[0]
            for t in ISOLATED
            if (major["type"] == t).any()
        ),
    )
    by_type: dict[str, list[str]] = {}
    active_cycle = ("en_cours", "en_cours", "evalue", "renegocie", "en_cours", "evalue")
    for k, rec in enumerate(major.itertuples(index=False)):
        if rec.partenaire_id == isolated:
            continue
        dep = str(rec.commune)[:2] if isinstance(rec.commune, str) else "9A"
        agency = agencies[dep][k % len(agencies[dep])]
        mode = _MODE_OF_TYPE.get(rec.type, "echange_informations")
        by_type.setdefault(rec.type, []).append(rec.partenaire_id)
        status = active_cycle[k % len(active_cycle)]
        scenario = {3: "overdue", 7: "renewal", 11: "noind"}.get(k % 13, "")
        if scenario:
            status = "en_cours"
        frame = "avenant" if k % 17 == 4 else "convention_locale"
        reg.add_local(agency, rec, mode, status, frame, scenario)
    return by_type


def _other_conventions(
    reg: _Registry, partners: pd.DataFrame, agencies: dict[str, list[str]]
) -> None:
    """Partnerships not (or no longer) in force, with other structures of the directory."""
    others = partners.loc[
        ~partners["majeur"] & partners["operant"] & partners["commune"].notna()
    ].sort_values("partenaire_id")
    early = ("identifie", "objectifs", "projets", "indicateurs", "arrete")
    for k, rec in enumerate(others.head(3 * len(early) + 6).itertuples(index=False)):
        dep = str(rec.commune)[:2]
        agency = agencies[dep][k % len(agencies[dep])]
        mode = _MODE_OF_TYPE.get(rec.type, "echange_informations")
        in_force = k >= 3 * len(early)
        status = "en_cours" if in_force else early[k % len(early)]
        reg.add_local(agency, rec, mode, status, "convention_locale", "ended" if in_force else "")


def _partner_conventions(
    reg: _Registry, by_type: dict[str, list[str]], site_of: dict[str, str]
) -> None:
    """Partnerships between partners, conventions of the DR and DTs, the pact of 9A."""
    mls = by_type.get("mission_locale", [])
    plies = by_type.get("plie", [])
    cds = by_type.get("conseil_departemental", [])
    siae = by_type.get("siae_aci", [])
    for i, ml in enumerate(mls[:4]):
        if plies:
            reg.add_extra(
                [ml, plies[i % len(plies)]],
                "Échange d'informations mission locale – PLIE",
                "local",
                "convention_locale",
                "echange_informations",
                "en_cours",
                ("jeunes",),
                ("insertion",),
            )
    for i, cd in enumerate(cds):
        for s in siae[i :: len(cds)][:3]:
            reg.add_extra(
                [cd, s],
                "Cofinancement de l'insertion par l'activité économique",
                "territorial",
                "convention_locale",
                "cofinancement",
                "evalue",
                ("beneficiaires_rsa",),
                ("insertion",),
            )
        reg.add_extra(
            [f"PE-DT-{['9A', '9B', '9C'][i % 3]}", cd],
            "Convention d'accompagnement global",
            "territorial",
            "convention_locale",
            "complementarite",
            "renegocie",
            ("beneficiaires_rsa",),
            ("insertion",),
            "committee",
        )
    for t in ("conseil_regional", "afpa", "transitions_pro"):
        for p in by_type.get(t, [])[:1]:
            reg.add_extra(
                ["PE-DR-99", p],
                "Convention régionale formation",
                "regional",
                "convention_regionale",
                "cofinancement" if t != "afpa" else "substitution",
                "en_cours",
                ("demandeurs_emploi",),
                ("formation",),
                "committee",
            )
    reg.add_extra(
        ["PE-DR-99", *mls[:1]],
        "Déclinaison régionale de l'accord national de cotraitance",
        "national",
        "accord_national",
        "cotraitance",
        "en_cours",
        ("jeunes", "personnes_handicapees"),
        ("intermediation", "insertion"),
    )
    # The multilateral partnership: the pact of 9A.
    in_9a = [
        p
        for p in (*mls, *plies, *cds, *by_type.get("cap_emploi", []))
        if site_of[p].startswith("9A")
    ]
    pact = ["PE-DT-9A", *in_9a[:5]]
    reg.add_extra(
        pact,
        "Pacte territorial d'insertion Ormelin (multilatéral)",
        "territorial",
        "convention_locale",
        "complementarite",
        "en_cours",
        ("beneficiaires_rsa", "jeunes"),
        ("insertion", "orientation"),
        "committee",
    )


def _flows(
    partners: pd.DataFrame, by_type: dict[str, list[str]], agencies: dict[str, list[str]], seed: int
) -> list[list[str]]:
    """Yearly flows from the agences to the structures that receive job seekers."""
    flows: list[list[str]] = []
    frng = _rng(seed, "flux")
    site = dict(zip(partners["partenaire_id"], partners["commune"], strict=True))
    siae = by_type.get("siae_aci", [])
    receivers = [
        (
            "cotraitance",
            by_type.get("mission_locale", []) + by_type.get("cap_emploi", []),
            (150, 450),
        ),
        ("prescription", by_type.get("plie", []) + siae + by_type.get("siae_ai", []), (20, 120)),
        ("orientation", by_type.get("organisme_formation", []) + by_type.get("afpa", []), (10, 80)),
    ]
    for year in (2024, 2025):
        for kind, ids, (low, high) in receivers:
            for k, pid in enumerate(sorted(ids)):
                dep = str(site[pid])[:2]
                agency = agencies[dep][k % len(agencies[dep])]
                flows.append([agency, pid, kind, str(year), str(int(frng.integers(low, high)))])
    return flows


def write_demo_partnerships(out_dir: Path, partners: pd.DataFrame, *, seed: int) -> list[Path]:
    """Write the demo units, partnerships, indicators and flows into ``out_dir``.

    Parameters
    ----------
    out_dir
        Folder written into, normally ``data/demo`` (its commune polygons, or those
        of :func:`geo.settings.demo_dir`, place the Pôle emploi units).
    partners
        The demo partner directory (:func:`diagnostics.partners.read_partners`).
    seed
        Seed of the draws; the same seed writes identical bytes.

    Returns
    -------
    list of pathlib.Path
        ``unites_pole_emploi.csv``, ``partenariats.csv``,
        ``partenariats_indicateurs.csv``, ``flux_partenaires.csv`` (CSV ``;``,
        UTF-8 with BOM, LF, French headers of the templates).
    """
    from geo import settings

    out_dir = Path(out_dir)
    folder = out_dir if any(out_dir.glob("communes-*.geojson")) else settings.demo_dir()
    units = _units(partners, _points(folder))
    agencies = {
        d: [u["Identifiant"] for u in units if u["Identifiant"].startswith(f"PE-AG-{d}")]
        for d in ("9A", "9B", "9C")
    }
    reg = _Registry(_rng(seed, "partenariats"), DEMO_DATE)
    by_type = _major_conventions(reg, partners, agencies)
    _other_conventions(reg, partners, agencies)
    site_of = dict(zip(partners["partenaire_id"], partners["commune"].fillna(""), strict=True))
    _partner_conventions(reg, by_type, site_of)
    flows = _flows(partners, by_type, agencies, seed)

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, header, rows in (
        ("unites_pole_emploi.csv", _HEADERS["unites"], [list(u.values()) for u in units]),
        ("partenariats.csv", _HEADERS["partenariats"], reg.rows),
        ("partenariats_indicateurs.csv", _HEADERS["indicateurs"], reg.indicators),
        ("flux_partenaires.csv", _HEADERS["flux"], flows),
    ):
        path = out_dir / name
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Rewrite the demo partnership files of ``data/demo`` from the demo directory."""
    from diagnostics.partners import read_partners

    parser = argparse.ArgumentParser(description="Écrit les partenariats de démonstration.")
    root = Path(__file__).resolve().parents[2]
    parser.add_argument("--demo", type=Path, default=root / "data" / "demo")
    parser.add_argument("--graine", type=int, default=20240417)
    args = parser.parse_args(argv)
    partners = read_partners(args.demo / "partenaires.csv")
    for path in write_demo_partnerships(args.demo, partners, seed=args.graine):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
