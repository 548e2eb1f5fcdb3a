"""``territoire demandeurs ...``: job seekers per territory from the France Travail series.

``territoire demandeurs resume --fichier F --niveau {region,departement,bassin,zone_emploi,
clpe,commune} [--code C] [--region R] [--mois AAAA-MM] [--population P]
[--correspondance T] [--json] [--strict]`` prints one line (or, with ``--json``, one
JSON object) per territory: ``code, nom, mois, demandeurs, estimation,
evolution_12_mois`` (and the change in %, since January 2020, the rate per 1,000
inhabitants when the populations are given, the rule).

Régions, départements and communes of more than about 5,000 inhabitants are
published by the file: their figures are exact and need nothing else. Bassins, zones
d'emploi, CLPE and small communes are estimated from their communes
(:data:`diagnostics.jobseekers.ESTIMATE_RULE`): they need the commune populations
(``--population communes_population.json``, the Etalab file) and, for bassins,
zones d'emploi and CLPE, the commune → territory table (``--correspondance``, read
by :func:`geo.referentials.read_correspondence`, e.g. ``commune_bassin_bmo.csv``).
``--region R`` keeps the territories whose population lives mostly in région R.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics._readers.jobseekers import JOBSEEKERS_LABEL, read_jobseekers
from diagnostics.cli._strict import add_strict_option, check_strict
from diagnostics.cli._territory import code_names, understood
from diagnostics.jobseekers import (
    BREAK_NOTE,
    ESTIMATE_RULE,
    jobseekers_by_territory,
    jobseekers_reconciliation,
    territories_of_region,
)
from geo import codes, referentials, territories
from geo._errors import CodeError, SchemaError, UnknownTerritoryError
from geo.display import format_int, format_number, format_percent
from geo.problems import problems_of
from geo.territories import resolve_territory_code

__all__ = ["register", "jobseekers_resume"]

_LEVELS = ("region", "departement", "bassin", "zone_emploi", "clpe", "commune")
_NEEDS_TABLE = ("bassin", "zone_emploi", "clpe")


def _month(text: str | None) -> pd.Timestamp | None:
    if text is None:
        return None
    try:
        return pd.Timestamp(f"{text.strip()[:7]}-01")
    except ValueError:
        raise CodeError(
            f"Option --mois : « {text} » n'est pas un mois ; écrivez-le AAAA-MM (ex. 2024-12)."
        ) from None


def _published_only(series: pd.DataFrame, level: str) -> pd.DataFrame:
    """The rows of a published level, in the shape of :func:`jobseekers_by_territory`."""
    rows = pd.DataFrame(series)
    rows = rows[rows["niveau"] == level]
    return pd.DataFrame(
        {
            "niveau": level,
            "code": rows["code"],
            "nom": pd.NA,
            "mois": rows["mois"],
            "demandeurs": rows["demandeurs"].astype("float64"),
            "estimation": False,
            "regle": "chiffre publié",
        }
    ).reset_index(drop=True)


def jobseekers_resume(
    series: pd.DataFrame,
    *,
    level: str,
    communes: pd.DataFrame | None = None,
    code: str | None = None,
    region: str | None = None,
    month: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row per territory of ``level``: the figures the command prints.

    Returns
    -------
    pandas.DataFrame
        ``code, nom, mois, demandeurs, estimation, evolution_12_mois,
        evolution_12_mois_pct, evolution_depuis_janvier_2020, population,
        pour_1000_habitants, regle``.

    Raises
    ------
    SchemaError
        The level needs the commune table (``--population``, ``--correspondance``).
    UnknownTerritoryError
        ``code`` or ``region`` matches no territory; ``month`` is not in the series.
    """
    if communes is None and (level in _NEEDS_TABLE or region is not None):
        raise SchemaError(
            f"Niveau « {level} »"
            + (" avec --region" if region is not None else "")
            + " : le chiffre se calcule par les communes ; relancez avec --population "
            "communes_population.json"
            + (
                " et --correspondance <table communes → territoires>"
                if level in _NEEDS_TABLE
                else ""
            )
            + "."
        )
    if communes is None:
        long = _published_only(series, level)
    else:
        long = jobseekers_by_territory(series, communes, level)
    if region is not None and communes is not None:
        wanted = str(codes.normalize_region(region, errors="coerce") or region)
        if level == "region":
            keep = {wanted}
        elif level == "commune":
            keep = set(communes.loc[communes["region"] == wanted, "commune"])
        else:
            keep = set(territories_of_region(communes, level, wanted))
        if not keep:
            raise UnknownTerritoryError(
                f"Option --region : aucune commune de la région {region} dans la table des "
                "communes ; vérifiez le code (ex. 52) et le fichier --population."
            )
        long = long[long["code"].isin(keep)]
    if code is not None:
        wanted_code = resolve_territory_code(
            level, code, code_names(long, "code", "nom"), source="les demandeurs d'emploi"
        )
        long = long[long["code"] == wanted_code]
    return _summary(long, communes, level, month)


def _summary(
    long: pd.DataFrame, communes: pd.DataFrame | None, level: str, month: pd.Timestamp | None
) -> pd.DataFrame:
    if long.empty:
        raise UnknownTerritoryError(
            f"Aucun territoire de niveau « {level} » dans les demandeurs d'emploi ; vérifiez "
            "--niveau, --code et --region."
        )
    at = long["mois"].max() if month is None else month
    if at not in set(long["mois"]):
        raise UnknownTerritoryError(
            f"Option --mois : {at:%Y-%m} absent de la série (de {long['mois'].min():%Y-%m} à "
            f"{long['mois'].max():%Y-%m}) ; choisissez un mois de la série."
        )
    wide = long.pivot_table(index="code", columns="mois", values="demandeurs", aggfunc="sum")
    now = long[long["mois"] == at].set_index("code")
    year_ago = at - pd.DateOffset(years=1)
    start = pd.Timestamp("2020-01-01")
    before = wide[year_ago] if year_ago in wide.columns else pd.Series(float("nan"), wide.index)
    first = wide[start] if start in wide.columns and start != at else None
    out = pd.DataFrame(
        {
            "code": now.index,
            "nom": now["nom"].to_numpy(),
            "mois": f"{at:%Y-%m}",
            "demandeurs": now["demandeurs"].to_numpy(),
            "estimation": now["estimation"].to_numpy(),
        }
    )
    current = out.set_index("code")["demandeurs"]
    out["evolution_12_mois"] = (current - before.reindex(current.index)).to_numpy()
    out["evolution_12_mois_pct"] = (current / before.reindex(current.index) - 1).to_numpy()
    out["evolution_depuis_janvier_2020"] = (
        (current - first.reindex(current.index)).to_numpy() if first is not None else float("nan")
    )
    population = _population(communes, level)
    out["population"] = out["code"].map(population) if population is not None else pd.NA
    out["pour_1000_habitants"] = out["demandeurs"] / pd.to_numeric(out["population"]) * 1000
    out["regle"] = now["regle"].to_numpy()
    names = out["nom"].astype("string")
    out["nom"] = names.fillna(out["code"].map(lambda c: f"{level.replace('_', ' ')} {c}"))
    out.attrs["rupture"] = year_ago < pd.Timestamp("2025-01-01") <= at
    out.attrs["hors_referentiel"] = list(long.attrs.get("hors_referentiel", []))
    return out.sort_values("code").reset_index(drop=True)


def _population(communes: pd.DataFrame | None, level: str) -> pd.Series | None:
    if communes is None:
        return None
    key = "commune" if level == "commune" else level
    return communes.groupby(key)["population"].sum(min_count=1)


def _sign(value: float) -> str:
    return "+" if value > 0 else ""


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


def _commune_table(args: argparse.Namespace) -> pd.DataFrame | None:
    if args.population is None:
        if args.correspondance is not None:
            raise SchemaError(
                "Option --correspondance sans --population : relancez avec --population "
                "communes_population.json (les populations répartissent le reste des "
                "départements)."
            )
        return None
    population = referentials.read_communes_population(Path(args.population))
    tables: dict[str, pd.DataFrame] = {}
    if args.correspondance is not None:
        if args.niveau not in _NEEDS_TABLE:
            raise SchemaError(
                f"Option --correspondance : inutile au niveau « {args.niveau} » ; retirez-la ou "
                "choisissez --niveau bassin, zone_emploi ou clpe."
            )
        tables[args.niveau] = referentials.read_correspondence(
            Path(args.correspondance), args.niveau, strict=args.strict
        )
        check_strict(tables, strict=args.strict)
    elif args.niveau in _NEEDS_TABLE:
        raise SchemaError(
            f"Niveau « {args.niveau} » : relancez avec --correspondance <table communes → "
            f"{args.niveau}> (par exemple commune_bassin_bmo.csv pour les bassins)."
        )
    return territories.commune_table(population, population=population, **tables)


def _say_understood(args: argparse.Namespace, rows: pd.DataFrame) -> None:
    """Print which territory ``--code`` was taken for, when it was a name."""
    if args.code is None or len(rows) != 1:
        return
    row = rows.iloc[0]
    label = (
        f"{territories.LEVEL_LABELS[args.niveau]} {row['code']} – "
        f"{territories.display_name(str(row['nom']))}"
    )
    sentence = understood(args.niveau, args.code, str(row["code"]), label)
    if sentence:
        print(sentence)


def _resume(args: argparse.Namespace) -> int:
    path = Path(args.fichier)
    series = read_jobseekers(path, strict=args.strict, cache=not args.sans_cache)
    check_strict({"demandeurs": series}, strict=args.strict)
    communes = _commune_table(args)
    rows = jobseekers_resume(
        series,
        level=args.niveau,
        communes=communes,
        code=args.code,
        region=args.region,
        month=_month(args.mois),
    )
    code = 1 if problems_of(series).set_aside_lines() else 0
    if args.json:
        for _, row in rows.iterrows():
            payload = {name: _plain(row[name]) for name in rows.columns}
            payload["estimation"] = bool(row["estimation"])
            payload["mesure"] = JOBSEEKERS_LABEL
            if rows.attrs.get("rupture"):
                payload["rupture"] = BREAK_NOTE
            print(json.dumps({"fichier": path.name, **payload}, ensure_ascii=False))
        for line in problems_of(series).lines():
            print(f"Signalé : {line}", file=sys.stderr)
        return code
    report = problems_of(series)
    if report:
        print(
            f"{path.name} : {len(report)} remarque(s), dont "
            f"{len(report.set_aside())} ligne(s) écartée(s) :"
        )
        for line in report.lines()[:10]:
            print(f"  {line}")
        if len(report) > 10:
            print(f"  … et {len(report) - 10} autre(s)")
        print()
    _say_understood(args, rows)
    print(f"Demandeurs d'emploi : {JOBSEEKERS_LABEL}.")
    for _, row in rows.iterrows():
        change = (
            "évolution sur 12 mois non calculable"
            if pd.isna(row["evolution_12_mois"])
            else f"{_sign(row['evolution_12_mois'])}{format_number(row['evolution_12_mois'], 0)} "
            f"sur 12 mois ({_sign(row['evolution_12_mois'])}"
            f"{format_percent(row['evolution_12_mois_pct'])})"
        )
        rate = (
            ""
            if pd.isna(row["pour_1000_habitants"])
            else f", {format_number(row['pour_1000_habitants'], 1)} pour 1 000 habitants"
        )
        flag = " (estimation)" if row["estimation"] else ""
        print(
            f"{row['code']} – {row['nom']} : {row['mois']} : "
            f"{format_int(round(float(row['demandeurs'])))} demandeurs{flag}, {change}{rate}"
        )
    if rows["estimation"].any():
        print(f"\n(estimation) : {ESTIMATE_RULE}.")
    outside = rows.attrs.get("hors_referentiel") or []
    if outside:
        print(
            f"{len(outside)} commune(s) publiée(s) absente(s) de --population (ancien code ?) : "
            f"{', '.join(outside[:10])}{' …' if len(outside) > 10 else ''} ; leurs chiffres "
            "sont répartis avec le reste de leur département. Passez-les au code actuel "
            "(table de passage des codes communes) pour les compter telles quelles."
        )
    if rows.attrs.get("rupture"):
        print(f"Attention : {BREAK_NOTE}.")
    if args.region is not None and communes is not None and args.niveau in _NEEDS_TABLE:
        _print_reconciliation(series, communes, args.niveau, args.region, rows)
    return code


def _print_reconciliation(
    series: pd.DataFrame, communes: pd.DataFrame, level: str, region: str, rows: pd.DataFrame
) -> None:
    """Why the territories listed do not add up to the région's published figure."""
    wanted = str(codes.normalize_region(region, errors="coerce") or region)
    month = pd.Timestamp(f"{rows['mois'].iloc[0]}-01")
    gap = jobseekers_reconciliation(series, communes, level, wanted)
    gap = gap[gap["mois"] == month]
    published = pd.DataFrame(series)
    published = published[(published["niveau"] == "region") & (published["code"] == wanted)]
    published = published[published["mois"] == month]["demandeurs"]
    if published.empty:
        return
    print(
        f"\nSomme des {len(rows)} territoires : {format_int(round(rows['demandeurs'].sum()))} ; "
        f"région {wanted} publiée : {format_int(int(published.iloc[0]))}. L'écart vient de :"
    )
    for _, row in gap.iterrows():
        value = format_int(round(float(row["demandeurs"])))
        if pd.isna(row["commune"]):
            print(f"  - {row['sens']} : {value}")
        else:
            print(
                f"  - {row['commune_nom']} ({row['commune']}, département {row['departement']}) : "
                f"{value}, {row['sens']} ({row['territoire']} {row['territoire_nom']})"
            )


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``demandeurs`` command group."""
    group = subparsers.add_parser(
        "demandeurs", help="demandeurs d'emploi par territoire (série mensuelle France Travail)"
    )
    sub = group.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "resume",
        help="demandeurs d'emploi d'un mois, évolution sur 12 mois, estimation ou non",
        description=(
            "Lit la série mensuelle des demandeurs d'emploi inscrits à France Travail "
            "(emploi_demandeur.csv : codgeo, YEAR, Demandeurs_Emploi ; catégories non "
            "précisées, ordres de grandeur des catégories A, B et C) et affiche une ligne par "
            "territoire. Régions, départements et communes de plus de 5 000 habitants environ "
            "sont publiés (chiffres exacts). Bassins, zones d'emploi, CLPE et petites communes "
            "sont estimés : " + ESTIMATE_RULE + ". Ils demandent --population (et "
            "--correspondance pour bassin, zone_emploi, clpe)."
        ),
    )
    p.add_argument("--fichier", required=True, metavar="FICHIER", help="emploi_demandeur.csv")
    p.add_argument("--niveau", choices=_LEVELS, required=True, help="niveau des territoires")
    p.add_argument(
        "--code",
        metavar="CODE",
        help="un seul territoire, par son code ou son nom (ex. 52, 44, 5203, 44109, « Nantes »)",
    )
    p.add_argument(
        "--region",
        metavar="R",
        help="les territoires dont la population vit surtout dans la région R (demande "
        "--population)",
    )
    p.add_argument("--mois", metavar="AAAA-MM", help="mois affiché (défaut : le dernier)")
    p.add_argument(
        "--population",
        metavar="FICHIER",
        help="communes_population.json (Etalab) : populations des communes, pour estimer "
        "les territoires non publiés et les taux pour 1 000 habitants",
    )
    p.add_argument(
        "--correspondance",
        metavar="FICHIER",
        help="table communes → territoires du niveau (ex. commune_bassin_bmo.csv, "
        "commune_zone_emploi.csv, commune_clpe.csv)",
    )
    p.add_argument("--json", action="store_true", help="un objet JSON par territoire et par ligne")
    p.add_argument(
        "--sans-cache", action="store_true", help="relire le fichier sans le cache Parquet"
    )
    add_strict_option(p)
    p.set_defaults(func=_resume)
