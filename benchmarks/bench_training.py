"""Benchmark: every training indicator per agence and centre from 500,000 prescriptions.

Generates a national-scale extract in the tidy format of the readers (900 agences in
13 régions, 1,500 training sites of which 250 AFPA centres, 30,000 sessions, 500,000
prescriptions of one year with every status and step dates, about 8 % out of
région), then times, under disclosure control:

- :func:`diagnostics.training.training_funnel` per agence, per centre, per région of
  the agence;
- :func:`~diagnostics.training.afpa_indicators` per agence and per centre (the eleven
  indicators, breakdowns by offer, sector × offer type and reasons included);
- :func:`~diagnostics.training.place_fill_rate` by funder × site département;
- :func:`~diagnostics.training.entry_waiting_time` per agence and per centre;
- :func:`~diagnostics.training.training_flows` and its matrix;
- :func:`~diagnostics.training.region_convention_indicators`;
- :func:`~diagnostics.training.training_vs_needs` against a synthetic BMO table.

Usage: ``python benchmarks/bench_training.py [--prescriptions 500000] [--tracemalloc]``.
Prints figures; asserts nothing. Target of issue 8: at most 5 s on this machine.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np
import pandas as pd

from diagnostics import training as tr
from geo.display import format_int

_REGIONS = np.array(["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"])
_STATUS_P = {
    "prescrit": 0.08,
    "liste_attente": 0.05,
    "reserve": 0.05,
    "desistement": 0.22,
    "entre": 0.12,
    "abandon": 0.06,
    "termine": 0.17,
    "certifie": 0.25,
}


def _codes(prefix: str, n: int, width: int = 4) -> pd.Series:
    return pd.Series([f"{prefix}{i:0{width}d}" for i in range(n)], dtype="string")


def generate(n: int, *, seed: int = 8) -> dict[str, pd.DataFrame]:
    """Agences, sessions, prescriptions, correspondence and BMO, in the tidy formats."""
    rng = np.random.default_rng(seed)
    n_agences, n_sites, n_sessions = 900, 1500, 30_000
    agence_region = _REGIONS[rng.integers(0, len(_REGIONS), n_agences)]
    agences = pd.DataFrame(
        {
            "agence": _codes("A", n_agences),
            "nom": _codes("Agence ", n_agences),
            "departement": pd.array([f"{d:02d}" for d in rng.integers(1, 96, n_agences)], "string"),
            "region": pd.array(agence_region, dtype="string"),
            "commune": pd.array([pd.NA] * n_agences, dtype="string"),
            "latitude": pd.array(rng.uniform(43, 50, n_agences), dtype="Float64"),
            "longitude": pd.array(rng.uniform(-4, 7, n_agences), dtype="Float64"),
        }
    )
    site_region = _REGIONS[rng.integers(0, len(_REGIONS), n_sites)]
    site_dep = np.array([f"{d:02d}" for d in rng.integers(1, 96, n_sites)])
    faps = [f"{a}{d}Z{k:02d}" for a in "ABCDEGJLRSTV" for d in range(3) for k in (20, 40, 60)]
    romes = [f"{a}{k:04d}" for a in "ABCDEFGHIJKLMN" for k in range(1101, 1141)]
    correspondence = pd.DataFrame(
        {
            "fap": pd.array(np.array(faps)[rng.integers(0, len(faps), len(romes))], "string"),
            "rome": pd.array(romes, dtype="string"),
            "rome_nom": pd.array(romes, dtype="string"),
            "renvoi": pd.array([pd.NA] * len(romes), dtype="string"),
        }
    )
    site = rng.integers(0, n_sites, n_sessions)
    start = pd.Timestamp("2024-01-08") + pd.to_timedelta(rng.integers(0, 330, n_sessions), "D")
    funders = np.array(list(tr.FUNDERS))
    sessions = pd.DataFrame(
        {
            "session_id": _codes("S", n_sessions, 5),
            "intitule": _codes("Formation ", n_sessions, 5),
            "financeur": pd.array(
                funders[
                    rng.choice(len(funders), n_sessions, p=[0.45, 0.3, 0.1, 0.05, 0.03, 0.04, 0.03])
                ],
                dtype="string",
            ),
            "cofinanceur": pd.array([pd.NA] * n_sessions, dtype="string"),
            "organisme": pd.array(np.where(site < 250, "AFPA", "Autre"), dtype="string"),
            "centre": pd.array(np.char.add("C", site.astype(str)), dtype="string"),
            "afpa": site < 250,
            "commune": pd.array([pd.NA] * n_sessions, dtype="string"),
            "departement": pd.array(site_dep[site], dtype="string"),
            "region": pd.array(site_region[site], dtype="string"),
            "latitude": pd.array(rng.uniform(43, 50, n_sessions), dtype="Float64"),
            "longitude": pd.array(rng.uniform(-4, 7, n_sessions), dtype="Float64"),
            "formacode": pd.array([pd.NA] * n_sessions, dtype="string"),
            "metier": pd.array(np.array(romes)[rng.integers(0, len(romes), n_sessions)], "string"),
            "nomenclature_metier": pd.array(["ROME"] * n_sessions, dtype="string"),
            "type_offre": pd.array(
                np.array(["pré-qualifiante", "qualifiante", "certifiante"])[
                    rng.integers(0, 3, n_sessions)
                ],
                dtype="string",
            ),
            "secteur": pd.array(
                np.char.add("Secteur ", rng.integers(0, 20, n_sessions).astype(str)), "string"
            ),
            "dispositif": pd.array(np.where(rng.random(n_sessions) < 0.05, "CSP", None), "string"),
            "places": rng.integers(8, 31, n_sessions).astype(np.int64),
            "date_debut": start.astype("datetime64[ns]"),
            "date_fin": (start + pd.to_timedelta(rng.integers(60, 300, n_sessions), "D")).astype(
                "datetime64[ns]"
            ),
        }
    )
    # prescriptions: a session, an agence of its région 92 % of the time
    which = rng.integers(0, n_sessions, n)
    region = site_region[site[which]]
    by_region = {r: np.flatnonzero(agence_region == r) for r in _REGIONS}
    agence = rng.integers(0, n_agences, n)
    local = rng.random(n) < 0.92
    for r, members in by_region.items():
        mask = local & (region == r)
        agence[mask] = members[rng.integers(0, len(members), mask.sum())]
    status = rng.choice(list(_STATUS_P), n, p=list(_STATUS_P.values()))
    begin = sessions["date_debut"].to_numpy()[which]
    end = sessions["date_fin"].to_numpy()[which]
    presc = pd.to_datetime(begin - pd.to_timedelta(rng.integers(7, 120, n), "D").to_numpy())
    entered = np.isin(status, ["entre", "abandon", "termine", "certifie"])
    booked = entered | (status == "reserve") | ((status == "desistement") & (rng.random(n) < 0.4))

    def days(mask: np.ndarray, base: np.ndarray, lo: int, hi: int) -> np.ndarray:
        out = base + pd.to_timedelta(rng.integers(lo, hi, n), "D").to_numpy()
        return np.where(mask, out, np.datetime64("NaT"))

    entry = np.where(entered, begin, np.datetime64("NaT"))
    reservation = np.minimum(days(booked, presc.to_numpy(), 1, 6), np.where(entered, begin, end))
    prescriptions = pd.DataFrame(
        {
            "prescription_id": _codes("P", n, 7),
            "agence": agences["agence"].to_numpy()[agence],
            "session_id": sessions["session_id"].to_numpy()[which],
            "statut": pd.Categorical(status, categories=list(tr.PRESCRIPTION_STATUSES)),
            "date_prescription": presc.astype("datetime64[ns]"),
            "date_liste_attente": days(status == "liste_attente", presc.to_numpy(), 1, 10),
            "date_reservation": np.where(booked, reservation, np.datetime64("NaT")),
            "date_desistement": days(status == "desistement", presc.to_numpy(), 2, 30),
            "date_entree": entry,
            "date_abandon": days(status == "abandon", begin, 5, 40),
            "date_fin_formation": np.where(np.isin(status, ["termine", "certifie"]), end, None),
            "date_certification": days(status == "certifie", end, 0, 15),
            "date_acces_emploi": days(
                np.isin(status, ["termine", "certifie"]) & (rng.random(n) < 0.5), end, 10, 90
            ),
            "motif": pd.array(
                np.where(
                    np.isin(status, ["desistement", "abandon"]),
                    np.char.add("motif ", rng.integers(0, 6, n).astype(str)),
                    None,
                ),
                dtype="string",
            ),
            "hors_region": pd.array([pd.NA] * n, dtype="boolean"),
        }
    )
    for col in [c for c in prescriptions if c.startswith("date_")]:
        prescriptions[col] = pd.to_datetime(prescriptions[col]).astype("datetime64[ns]")
    prescriptions["agence"] = prescriptions["agence"].astype("string")
    prescriptions["session_id"] = prescriptions["session_id"].astype("string")
    bmo = pd.DataFrame(
        {
            "annee": 2024,
            "metier": pd.array([f.replace("Z", "X") for f in faps], dtype="string"),
            "metier_nom": pd.array(faps, dtype="string"),
            "nomenclature": "FAP2021",
            "famille": "Z",
            "famille_nom": "Autres",
            "region": "99",
            "departement": "9A",
            "bassin": "9901",
            "projets": pd.array(rng.integers(50, 20_000, len(faps)), dtype="Int64"),
            "projets_difficiles": pd.array(rng.integers(0, 50, len(faps)), dtype="Int64"),
            "projets_saisonniers": pd.array([0] * len(faps), dtype="Int64"),
        }
    )
    bmo["projets_difficiles"] = (bmo["projets"] * rng.uniform(0.2, 0.9, len(faps))).round()
    bmo["projets_difficiles"] = bmo["projets_difficiles"].astype("Int64")
    return {
        "agences": agences,
        "sessions": sessions,
        "prescriptions": prescriptions,
        "correspondence": correspondence,
        "bmo": bmo,
    }


def run(data: dict[str, pd.DataFrame]) -> dict[str, tuple[float, int]]:
    """Compute every indicator; return name → (seconds, rows)."""
    p, s, a = data["prescriptions"], data["sessions"], data["agences"]
    steps = {
        "entonnoir par agence": lambda: tr.training_funnel(p, s, a, by="agence"),
        "entonnoir par centre": lambda: tr.training_funnel(p, s, a, by="centre"),
        "entonnoir par région d'agence": lambda: tr.training_funnel(p, s, a, by="agence_region"),
        "indicateurs AFPA par agence": lambda: tr.afpa_indicators(p, s, a, by="agence"),
        "indicateurs AFPA par centre": lambda: tr.afpa_indicators(p, s, a, by="centre"),
        "remplissage financeur × département": lambda: tr.place_fill_rate(
            s, p, by=["financeur", "site_departement"]
        ),
        "délais par agence": lambda: tr.entry_waiting_time(p, s, a, by="agence"),
        "délais par centre": lambda: tr.entry_waiting_time(p, s, a, by="centre"),
        "flux agence → centre + matrice": lambda: tr.training_flow_matrix(
            tr.training_flows(p, s, a)
        ),
        "annexe Région": lambda: tr.region_convention_indicators(p, s, year=2024),
        "formation et besoins BMO": lambda: tr.training_vs_needs(
            s, data["bmo"], data["correspondence"], prescriptions=p
        ),
    }
    out = {}
    for name, step in steps.items():
        t0 = time.perf_counter()
        table = step()
        out[name] = (time.perf_counter() - t0, len(table))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prescriptions", type=int, default=500_000)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="trace les allocations (ralentit fortement)"
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    data = generate(args.prescriptions)
    print(
        f"génération : {time.perf_counter() - t0:.1f} s ; {format_int(len(data['prescriptions']))} "
        f"prescriptions, {format_int(len(data['sessions']))} sessions, {len(data['agences'])} agences, "
        f"{format_int(data['sessions']['centre'].nunique())} centres"
    )
    if args.tracemalloc:
        tracemalloc.start()
    t0 = time.perf_counter()
    figures = run(data)
    total = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else 0
    tracemalloc.stop()
    for name, (seconds, rows) in figures.items():
        print(f"  {name:<40} {seconds:5.2f} s  {rows:>9,} lignes")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    traced = f" ; pic tracemalloc {format_int(peak / 2**20)} Mo" if args.tracemalloc else ""
    print(
        f"total : {total:.1f} s (cible ≤ 5 s){traced} ; RSS max du processus {format_int(rss)} Mo"
    )


if __name__ == "__main__":
    main()
