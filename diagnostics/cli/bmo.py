"""``territoire bmo ...``: recruitment tensions from a BMO open-data file.

``territoire bmo resume --fichier FILE [--niveau {national,region,departement,bassin}]
[--code CODE] [--region R] [--departement D] [--json] [--strict]`` prints, for the nation
or for each territory of the level (or the one given by ``--code``; only those of région
``R`` or département ``D``), the recruitment projects, the share judged difficult and
the share seasonal computed from the unmasked cells, the number of masked cells and the
bounds. Territories are those of the BMO file itself (its ``REG``, ``Dept`` and
``BE<aa>`` columns): no allocation is involved. ``--code``, ``--region`` and
``--departement`` take a code or a name (« Nantes », « Loire-Atlantique »), matched by
:func:`geo.territories.resolve_territory_code` against the names of the file.

When one territory is shown, its first métiers by projects (:func:`diagnostics.bmo.
metier_ranking`) and its first métiers en tension (:func:`diagnostics.bmo.
top_tension_metiers`, default measure) follow.

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
    metier_ranking,
    recruitment_summary,
    top_tension_metiers,
)
from diagnostics.cli._strict import add_strict_option, check_strict
from diagnostics.cli._territory import code_names, understood
from geo._errors import CodeError
from geo.display import Missing, format_int, format_percent
from geo.problems import problems_of
from geo.territories import display_name, resolve_territory_code

__all__ = ["register", "bmo_resume", "bmo_resume_metiers"]

_LEVELS = ("national", "region", "departement", "bassin")
_LABELS = {"region": "Région", "departement": "Département", "bassin": "Bassin"}
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


def _names(frame: pd.DataFrame, level: str) -> pd.Series:
    """Code → names of the territories of ``level`` in ``frame`` (:func:`code_names`)."""
    return code_names(frame, level, f"{level}_nom")


def _source(bmo: pd.DataFrame) -> str:
    years = sorted({int(a) for a in bmo["annee"].dropna()}) if "annee" in bmo.columns else []
    return f"le fichier BMO {years[0]}" if len(years) == 1 else "le fichier BMO"


def bmo_resume(
    bmo: pd.DataFrame,
    *,
    level: str = "national",
    code: str | None = None,
    region: str | None = None,
    departement: str | None = None,
) -> pd.DataFrame:
    """Summary rows for the command: one per territory of ``level`` (or ``code``).

    Adds the columns ``niveau``, ``code`` and ``nom`` to
    :func:`diagnostics.bmo.recruitment_summary`.

    Parameters
    ----------
    bmo
        Tidy BMO table (:func:`diagnostics.read_bmo`).
    level
        ``national``, ``region``, ``departement`` or ``bassin``.
    code
        One territory of ``level``: its code or its name (« Nantes », « st nazaire »).
    region, departement
        Keep the territories of ``level`` that have rows of the file in that région or
        département (code or name); a bassin straddling two départements belongs to
        both.

    Raises
    ------
    CodeError
        ``code``, ``region`` or ``departement`` given with the national level.
    UnknownTerritoryError
        ``code``, ``region`` or ``departement`` is in no row of the file (close names
        and codes are suggested); :class:`~geo._errors.AmbiguousTerritoryError` when a
        name fits several.

    Examples
    --------
    >>> from diagnostics import read_bmo
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx")
    >>> bmo_resume(bmo, level="bassin", code="saint jevrocourt")[["code", "nom"]].values.tolist()
    [['9908', 'SAINT JEVROCOURT']]
    >>> bmo_resume(bmo, level="bassin", departement="9C")["code"].tolist()
    ['9908', '9909', '9910']
    """
    if level == "national":
        given = [
            option
            for option, value in (
                ("--code", code),
                ("--region", region),
                ("--departement", departement),
            )
            if value is not None
        ]
        if given:
            raise CodeError(
                f"L'option {' et '.join(given)} demande un niveau : ajoutez --niveau region, "
                "departement ou bassin."
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
    source = _source(bmo)
    for column, value in (("region", region), ("departement", departement)):
        if value is None:
            continue
        wanted = resolve_territory_code(column, value, _names(bmo, column), source=source)
        inside = set(bmo.loc[(bmo[column] == wanted).fillna(False).astype(bool), level].dropna())
        out = out[out["code"].isin(inside)]
        source = f"{source} ({_LABELS[column].lower()} {wanted})"
    if code is not None:
        wanted = resolve_territory_code(level, code, _names(out, level), source=source)
        out = out[out["code"] == wanted]
    return out.reset_index(drop=True)


def bmo_resume_metiers(
    bmo: pd.DataFrame, *, level: str = "national", code: str | None = None, n: int = 5
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first métiers of one territory of the file: by projects, and en tension.

    Parameters
    ----------
    bmo
        Tidy BMO table (:func:`diagnostics.read_bmo`).
    level, code
        The territory, as a row of :func:`bmo_resume` gives it (normalised code);
        ``national`` for the whole file.
    n
        Number of métiers of each list.

    Returns
    -------
    tuple of pandas.DataFrame
        :func:`diagnostics.bmo.metier_ranking` by projects and
        :func:`diagnostics.bmo.top_tension_metiers` (default measure, métiers of at
        least 20 published projects, or 5 when none has 20); ``attrs["min_projets"]``
        of the second says which.

    Examples
    --------
    >>> from diagnostics import read_bmo
    >>> from geo import settings
    >>> bmo = read_bmo(settings.demo_dir() / "bmo" / "Base_open_data_BMO_2024.xlsx")
    >>> most, tension = bmo_resume_metiers(bmo, level="bassin", code="9901", n=3)
    >>> most["rang"].tolist(), len(tension) <= 3, tension.attrs["min_projets"]
    ([1, 2, 3], True, 20)
    """
    rows = bmo if level == "national" else bmo[(bmo[level] == code).fillna(False).astype(bool)]
    most = metier_ranking(rows, n=n)
    min_projets = 20
    tension = top_tension_metiers(rows, n=n, min_projets=min_projets)
    if tension.empty:
        min_projets = 5
        tension = top_tension_metiers(rows, n=n, min_projets=min_projets)
    tension.attrs["min_projets"] = min_projets
    return most, tension


def _label(row: pd.Series) -> str:
    """« Bassin 5220 – Nantes »: the territory of a row of :func:`bmo_resume`, for people."""
    if row["niveau"] == "national":
        return "France entière"
    return f"{_LABELS[row['niveau']]} {row['code']} – {display_name(str(row['nom']))}"


def _print_one(row: pd.Series) -> None:
    where = _label(row)
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


def _print_metiers(most: pd.DataFrame, tension: pd.DataFrame) -> None:
    """The first métiers by projects and en tension, each with its bounds when masked."""
    if most.empty:
        return
    print(f"  Les {len(most)} métiers aux plus nombreux projets de recrutement :")
    for _, m in most.iterrows():
        print(
            f"    {int(m['rang'])}. {m['metier_nom']} : {_count(m, 'projets')} projets, dont "
            f"{_share(m, 'part_difficiles')} jugés difficiles"
        )
    minimum = tension.attrs.get("min_projets", 20)
    if tension.empty:
        print(
            f"  Métiers en tension : aucun métier ne compte au moins {minimum} projets publiés "
            "avec une part jugée difficile au moins égale à celle du territoire."
        )
        return
    overall = format_percent(tension["part_difficiles_territoire"].iloc[0])
    print(
        f"  Les {len(tension)} métiers en tension (classés par projets jugés difficiles, parmi "
        f"les métiers d'au moins {minimum} projets publiés au moins aussi difficiles à pourvoir "
        f"que l'ensemble du territoire, {overall}) :"
    )
    for _, m in tension.iterrows():
        print(
            f"    {int(m['rang'])}. {m['metier_nom']} : {_count(m, 'projets_difficiles')} "
            f"projets jugés difficiles sur {_count(m, 'projets')} "
            f"({_share(m, 'part_difficiles')})"
        )


def _print_table(rows: pd.DataFrame) -> None:
    table = pd.DataFrame(
        {
            "Code": rows["code"].astype(str),
            "Nom": [display_name(str(v))[:32] for v in rows["nom"]],
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
    rows = bmo_resume(
        bmo,
        level=args.niveau,
        code=args.code,
        region=args.region,
        departement=args.departement,
    )
    # 1: done, but rows of the file were set aside (listed in the report)
    status = 1 if problems_of(bmo).set_aside_lines() else 0
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
        return status
    print(format_bmo_report(bmo))
    print()
    for level, text in (("region", args.region), ("departement", args.departement)):
        if text is not None:
            names = _names(bmo, level)
            area = resolve_territory_code(level, text, names, source=_source(bmo))
            _say(level, text, area, f"{_LABELS[level]} {area} – {names[area].iloc[0]}")
    if args.code is not None and len(rows) == 1:
        _say(args.niveau, args.code, str(rows["code"].iloc[0]), _label(rows.iloc[0]))
    if rows.empty:
        print("Aucun territoire de ce niveau dans cette zone du fichier BMO.")
    elif len(rows) == 1:
        _print_one(rows.iloc[0])
        most, tension = bmo_resume_metiers(bmo, level=args.niveau, code=rows["code"].iloc[0])
        _print_metiers(most, tension)
    else:
        _print_table(rows)
        print(
            "\nProjets des cellules non secrètes ; une part qu'une cellule « * » rend incertaine "
            "est donnée par ses bornes ; « --code CODE » détaille un territoire."
        )
    return status


def _say(level: str, text: str, code: str, label: str) -> None:
    """Print which territory a name given on the command line was taken for."""
    sentence = understood(level, text, code, label[:1].lower() + label[1:])
    if sentence:
        print(sentence)


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
    p.add_argument(
        "--code",
        metavar="CODE",
        help="code ou nom du territoire (ex. 52, 44, 5203, « Nantes », « Loire-Atlantique »)",
    )
    p.add_argument(
        "--region",
        metavar="CODE",
        help="ne garder que les territoires de cette région (code ou nom, ex. 52)",
    )
    p.add_argument(
        "--departement",
        metavar="CODE",
        help="ne garder que les territoires de ce département (code ou nom, ex. 44)",
    )
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
