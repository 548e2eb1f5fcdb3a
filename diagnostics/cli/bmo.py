"""``territoire bmo ...``: recruitment tensions from a BMO open-data file.

``territoire bmo resume --fichier FILE [--niveau {national,region,departement,bassin}]
[--code CODE] [--json] [--strict]`` prints, for the nation or for each territory of the level
(or the one given by ``--code``), the recruitment projects, the share judged
difficult and the share seasonal computed from the unmasked cells, the number of
masked cells and the bounds. Territories are those of the BMO file itself (its
``REG``, ``Dept`` and ``BE<aa>`` columns): no allocation is involved.

With ``--json``, one JSON object per territory and per line (JSON Lines). Each figure
``x`` comes with its bounds ``x_min`` and ``x_max`` (what the masked ``*`` cells leave
possible); a figure whose every cell is masked is ``null`` (never ``0``) and only its
bounds are known, e.g. ``"projets": null, "projets_min": 0, "projets_max": 8``; a share
is ``null`` when its numerator or its denominator is.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from diagnostics._readers.bmo import format_bmo_report, read_bmo
from diagnostics.bmo import (
    SECRET_MAX,
    format_projects_with_bounds,
    format_share_with_bounds,
    recruitment_summary,
)
from diagnostics.cli._strict import add_strict_option, check_strict
from geo import codes
from geo._errors import CodeError, UnknownTerritoryError
from geo.display import Missing, format_int
from geo.problems import problems_of

__all__ = ["register", "bmo_resume"]

_LEVELS = ("national", "region", "departement", "bassin")
_LABELS = {"region": "Région", "departement": "Département", "bassin": "Bassin"}
_NORMALIZERS = {
    "region": codes.normalize_region,
    "departement": codes.normalize_departement,
    "bassin": codes.normalize_bassin,
}
_JSON_FIELDS = (
    "nb_bassins",
    "projets",
    "projets_min",
    "projets_max",
    "projets_difficiles",
    "projets_difficiles_min",
    "projets_difficiles_max",
    "projets_saisonniers",
    "projets_saisonniers_min",
    "projets_saisonniers_max",
    "part_difficiles",
    "part_difficiles_min",
    "part_difficiles_max",
    "part_saisonniers",
    "part_saisonniers_min",
    "part_saisonniers_max",
    "cellules_secretes",
    "cellules_secretes_projets",
    "cellules_secretes_difficiles",
    "cellules_secretes_saisonniers",
)


def _plain(value: Any) -> Any:
    """JSON-ready scalar: Python int/float/str, ``None`` for missing."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if math.isfinite(value) and value == round(value) and abs(value) < 2**53:
            return value
        return round(value, 6)
    return value


def _share(row: pd.Series, column: str) -> str:
    """A share with its bounds: « ≤ 4,1 % » or « secret statistique », never 0 for a ``*``."""
    return format_share_with_bounds(row[column], row[f"{column}_min"], row[f"{column}_max"])


def _count(row: pd.Series, column: str) -> str:
    """A count, « secret statistique (entre 0 et 8) » when every cell is masked."""
    return format_projects_with_bounds(row[column], row[f"{column}_min"], row[f"{column}_max"])


def bmo_resume(
    bmo: pd.DataFrame, *, level: str = "national", code: str | None = None
) -> pd.DataFrame:
    """Summary rows for the command: one per territory of ``level`` (or ``code``).

    Adds the columns ``niveau``, ``code`` and ``nom`` to
    :func:`diagnostics.bmo.recruitment_summary`.

    Raises
    ------
    CodeError
        ``code`` given with the national level.
    UnknownTerritoryError
        ``code`` is in no row of the file (close codes are suggested).
    """
    if level == "national":
        if code is not None:
            raise CodeError(
                "L'option --code demande un niveau : ajoutez --niveau region, departement "
                "ou bassin."
            )
        out = recruitment_summary(bmo)
        out.insert(1, "niveau", "national")
        out.insert(2, "code", pd.Series([None] * len(out), dtype="string"))
        out.insert(3, "nom", "France entière")
        return out
    out = recruitment_summary(bmo, by=level)
    out.insert(1, "niveau", level)
    out.insert(2, "code", out[level])
    out.insert(3, "nom", out[f"{level}_nom"] if f"{level}_nom" in out.columns else out[level])
    if code is not None:
        wanted = _NORMALIZERS[level](code, errors="coerce") or str(code)
        selected = out[out["code"] == wanted]
        if selected.empty:
            import difflib

            known = sorted(out["code"].dropna().astype(str).unique())
            close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.5)
            hint = f" Codes proches : {', '.join(close)}." if close else ""
            raise UnknownTerritoryError(
                f"{_LABELS[level]} {code!s} absent(e) du fichier BMO ({len(known)} codes de "
                f"niveau {level} dans le fichier, de {known[0]} à {known[-1]}).{hint} "
                "Vérifiez le code et le niveau (--niveau).",
                suggestions=close,
            )
        out = selected
    return out.reset_index(drop=True)


def _print_one(row: pd.Series) -> None:
    where = (
        "France entière"
        if row["niveau"] == "national"
        else f"{_LABELS[row['niveau']]} {row['code']} – {row['nom']}"
    )
    print(f"{where} : enquête BMO {int(row['annee'])}, {int(row['nb_bassins'])} bassin(s)")
    print(
        f"  Projets de recrutement : {_count(row, 'projets')} (cellules non secrètes ; "
        f"entre {format_int(row['projets_min'])} et {format_int(row['projets_max'])} avec les "
        f"{format_int(row['cellules_secretes_projets'])} cellules secrètes)"
    )
    print(
        f"  Jugés difficiles : {_count(row, 'projets_difficiles')}, soit "
        f"{_share(row, 'part_difficiles')}"
    )
    print(
        f"  Saisonniers : {_count(row, 'projets_saisonniers')}, soit "
        f"{_share(row, 'part_saisonniers')}"
    )
    print(
        f"  Cellules secrètes : {format_int(row['cellules_secretes'])} "
        f"({format_int(row['cellules_secretes_projets'])} projets, "
        f"{format_int(row['cellules_secretes_difficiles'])} difficiles, "
        f"{format_int(row['cellules_secretes_saisonniers'])} saisonniers)"
    )


def _print_table(rows: pd.DataFrame) -> None:
    table = pd.DataFrame(
        {
            "Code": rows["code"].astype(str),
            "Nom": rows["nom"].astype(str).str.slice(0, 32),
            "Bassins": rows["nb_bassins"].astype(int),
            "Projets": [format_int(v, missing=Missing.SECRET) for v in rows["projets"]],
            "% difficiles": [_share(row, "part_difficiles") for _, row in rows.iterrows()],
            "% saisonniers": [_share(row, "part_saisonniers") for _, row in rows.iterrows()],
            "Cellules secrètes": [format_int(v) for v in rows["cellules_secretes"]],
        }
    )
    print(table.to_string(index=False))


def _resume(args: argparse.Namespace) -> int:
    bmo = read_bmo(Path(args.fichier), cache=not args.sans_cache, strict=args.strict)
    check_strict({"bmo": bmo}, strict=args.strict)
    rows = bmo_resume(bmo, level=args.niveau, code=args.code)
    # 1: done, but rows of the file were set aside (listed in the report)
    code = 1 if problems_of(bmo).set_aside_lines() else 0
    if args.json:
        for _, row in rows.iterrows():
            payload = {
                "fichier": Path(args.fichier).name,
                "annee": _plain(row["annee"]),
                "niveau": row["niveau"],
                "code": _plain(row["code"]),
                "nom": _plain(row["nom"]),
                **{name: _plain(row[name]) for name in _JSON_FIELDS},
                "regle": "valeurs des cellules non secrètes ; bornes (_min, _max) avec les "
                f"cellules « * » comprises entre 0 et {SECRET_MAX} ; null quand toutes les "
                "cellules sont secrètes",
            }
            print(json.dumps(payload, ensure_ascii=False))
        for line in problems_of(bmo).lines():
            print(f"Signalé : {line}", file=sys.stderr)
        return code
    print(format_bmo_report(bmo))
    print()
    if len(rows) == 1:
        _print_one(rows.iloc[0])
    else:
        _print_table(rows)
        print(
            "\nProjets des cellules non secrètes ; une part qu'une cellule « * » rend incertaine "
            "est donnée par ses bornes ; « --code CODE » détaille un territoire."
        )
    return code


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``bmo`` command group."""
    group = subparsers.add_parser(
        "bmo", help="tensions de recrutement de l'enquête Besoins en Main-d'Œuvre (BMO)"
    )
    sub = group.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "resume",
        help="projets de recrutement, part difficile et saisonnière, cellules secrètes",
        description=(
            "Lit un fichier open data BMO (XLSX, ZIP ou CSV, toute année 2015–2026) et affiche "
            "les projets de recrutement, la part jugée difficile et la part saisonnière, "
            "calculées sur les cellules non secrètes, avec le nombre de cellules secrètes (« * ») "
            "et les bornes qu'elles laissent possibles."
        ),
    )
    p.add_argument(
        "--fichier",
        required=True,
        metavar="FICHIER",
        help="fichier open data BMO (Base_open_data_BMO_<année>.xlsx, ZIP ou CSV)",
    )
    p.add_argument(
        "--niveau",
        choices=_LEVELS,
        default="national",
        help="niveau des territoires (défaut : national)",
    )
    p.add_argument("--code", metavar="CODE", help="code du territoire (ex. 52, 44, 5203)")
    p.add_argument(
        "--json",
        action="store_true",
        help="un objet JSON par territoire et par ligne ; chaque valeur x a ses bornes x_min "
        "et x_max, et vaut null (jamais 0) quand toutes ses cellules sont secrètes",
    )
    p.add_argument(
        "--sans-cache",
        action="store_true",
        help="relire le fichier sans utiliser le cache Parquet",
    )
    add_strict_option(p)
    p.set_defaults(func=_resume)
