"""Readers of the official territorial referentials.

One reader per official format, each returning a tidy table with normalised codes
(see :mod:`geo.codes`). Columns are found by name (with accepted aliases), never by
position, so the analyst's re-exports (``;`` and latin-1, French headers, extra
columns) read like the publisher's files.

Validation happens once, here: every problem of a file is collected and raised in
one :class:`~geo._errors.SchemaError`; harmless oddities (exact duplicate rows,
repaired polygons, non-current communes) are removed or fixed and *reported*, one
problem per row, in ``df.attrs["problemes"]`` (a :class:`geo.problems.ProblemReport`,
as for every reader), never dropped silently. CSV tables are read by
:func:`geo.tables.read_table`; line numbers are the file's.

Tidy schemas
------------
- commune → bassin BMO: ``commune, bassin, bassin_nom, departement, region``
- commune → zone d'emploi: ``commune, commune_nom, zone_emploi, zone_emploi_nom,
  departement, region``
- commune → CLPE: ``commune, clpe, clpe_nom, departement``
- any correspondence (:func:`read_correspondence`): ``commune, territoire,
  territoire_nom`` (+ ``departement, region`` when the file has them)
- communes and populations: ``commune, commune_nom, departement, region, population``
- commune polygons: ``commune, commune_nom, geometry`` (EPSG:4326)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import codes, polygons
from geo._errors import CRSError, GeometryError, InputFileError, SchemaError, format_problems
from geo.problems import ProblemReport, attach_problems, problems_of
from geo.tables import (
    file_label,
    normalize_header,
    pick_columns,
    read_input_bytes,
    read_table,
)

__all__ = [
    "LEVELS",
    "read_commune_bassin",
    "read_commune_zone_emploi",
    "read_zones_emploi",
    "read_commune_clpe",
    "read_correspondence",
    "read_communes_population",
    "read_cog_communes",
    "read_departements",
    "read_regions",
    "read_code_passage",
    "read_commune_polygons",
]

#: Territorial levels that a correspondence table can describe, with French labels.
LEVELS: dict[str, str] = {
    "region": "région",
    "departement": "département",
    "bassin": "bassin d'emploi BMO",
    "zone_emploi": "zone d'emploi 2020",
    "clpe": "comité local pour l'emploi (CLPE)",
}

_COMMUNE = [
    "code_commune_insee",
    "codgeo",
    "commune_id",
    "code_insee",
    "code_commune",
    "depcom",
    "insee_com",
    "com",
    "commune",
]
_COMMUNE_NOM = ["libgeo", "libelle_commune", "nom_commune", "lib_commune", "commune_nom", "nom"]
_DEP = ["dep", "code_dept", "departement_id", "code_departement", "departement", "dept"]
_REG = ["reg", "code_region", "region"]
_ALIASES: dict[str, list[str]] = {
    "bassin": ["code_bassin_bmo", "code_bassin", "bassin", "bassin_bmo", "re:be\\d\\d", "be"],
    "bassin_nom": [
        "lib_bassin_bmo",
        "nom_bassin",
        "libelle_bassin",
        "bassin_nom",
        "re:nombe\\d\\d",
    ],
    "zone_emploi": ["ze2020", "code_zone_emploi", "zone_emploi", "ze"],
    "zone_emploi_nom": ["libze2020", "libelle_zone_emploi", "nom_zone_emploi", "zone_emploi_nom"],
    "clpe": ["territoire_id", "code_clpe", "clpe"],
    "clpe_nom": ["territoire_libelle", "libelle_clpe", "nom_clpe", "clpe_nom"],
    "departement": _DEP,
    "region": _REG,
}
_NAME_OF = {
    "bassin": "bassin_nom",
    "zone_emploi": "zone_emploi_nom",
    "clpe": "clpe_nom",
    "departement": None,
    "region": None,
}


def _read_lines(path: str | Path) -> tuple[pd.DataFrame, pd.Series]:
    """The table (every cell as text) and the file line of each row."""
    raw = read_table(path, line_column="ligne")
    return raw.drop(columns="ligne"), raw["ligne"].astype("int64")


def _headers(raw: pd.DataFrame, spec: dict[str, list[str]], source: str, what: str) -> dict:
    """Header of the file behind each output column of ``pick_columns`` (for messages)."""
    names = pd.DataFrame([list(raw.columns)], columns=raw.columns)
    picked = pick_columns(names, spec, required=[], source=source, what=what)
    return {c: str(picked.at[0, c]) for c in picked.columns}


def _dedupe(
    df: pd.DataFrame,
    value: str,
    *,
    lines: pd.Series,
    what: str,
    report: ProblemReport,
    header: str,
) -> pd.DataFrame:
    """Drop exact duplicate commune rows and set aside conflicting ones (both reported)."""
    dup_exact = df.duplicated(subset=["commune", value], keep="first")
    if dup_exact.any():
        first = df.drop_duplicates(subset=["commune", value]).reset_index()
        first_line = {
            (c, v): lines[i]
            for i, c, v in zip(first["index"], first["commune"], first[value], strict=True)
        }
        for i in df.index[dup_exact]:
            report.add(
                f"ligne en double (commune {df.at[i, 'commune']}, {what} {df.at[i, value]}, "
                f"comme la ligne {first_line[(df.at[i, 'commune'], df.at[i, value])]}) : "
                "gardée une fois (rien à corriger si c'est voulu ; retirez-la sinon).",
                line=lines[i],
                action="corrigée",
                category="doublon_ligne",
            )
    kept = df[~dup_exact]
    conflict = kept.duplicated(subset=["commune"], keep=False)
    for commune, group in kept[conflict].groupby("commune", sort=True):
        detail = ", ".join(f"{v} (ligne {lines[i]})" for i, v in group[value].items())
        for i in group.index:
            report.add(
                f"commune {commune} rattachée à plusieurs territoires ({what}) : {detail} — "
                "gardez une seule ligne pour cette commune ; ses lignes sont écartées.",
                line=lines[i],
                column=header,
                value=group.at[i, value],
                category="commune_en_double",
            )
    out = kept[~conflict].reset_index(drop=True)
    out.attrs = dict(df.attrs)
    return out


def _refuse(
    source: str,
    what: str,
    problems: Iterable,
    *,
    header: str,
    fix: str,
    error: type[SchemaError] | type[GeometryError] = SchemaError,
) -> None:
    """Raise one ``error`` listing ``problems`` (no file name repeated)."""
    texts = [
        ", ".join(
            [f"ligne {p.line}"] * (p.line is not None)
            + [f"colonne « {p.column} »"] * bool(p.column)
        )
        + f" : {p.message}"
        for p in problems
    ]
    message = format_problems(f"{source} : {header}", texts) + f"\n{fix}"
    if error is GeometryError:
        raise GeometryError(message)
    raise SchemaError(message, problems=texts)


def _check_codes(
    df: pd.DataFrame,
    checks: Sequence[tuple[str, str]],
    *,
    lines: pd.Series,
    headers: dict,
    report: ProblemReport,
) -> pd.Series:
    """Normalise the code columns; report empty and invalid cells; the rows to set aside."""
    aside = pd.Series(False, index=df.index)
    for column, kind in checks:
        raw = df[column]
        out = getattr(codes, f"normalize_{kind}")(raw, errors="coerce")
        for i in df.index[raw.isna() & ~aside]:
            report.add(
                f"cellule vide ({codes._LABELS[kind]}) : complétez-la ou retirez la ligne.",
                line=lines[i],
                column=headers.get(column, column),
                category="cellule_vide",
            )
        bad = raw.notna() & out.isna()
        for i in df.index[bad & ~aside]:
            report.add(
                f"{codes._LABELS[kind]} {raw[i]!r} invalide (attendu : {codes._EXPECTED[kind]}) : "
                "corrigez-le ou retirez la ligne.",
                line=lines[i],
                column=headers.get(column, column),
                value=raw[i],
                category="code_invalide",
            )
        aside |= raw.isna() | bad
        df[column] = out
    return aside


def _read_commune_level(
    path: str | Path, level: str, *, extra: Sequence[str] = (), what: str, strict: bool = False
) -> pd.DataFrame:
    """Read a commune → territory table; bad rows are set aside and reported, not fatal.

    A row with an empty or invalid commune or territory code, or a commune given
    two territories, is set aside (one problem per line, with the fix). The file
    is refused when more than half of its rows are bad (probably not the right
    file), or when ``strict`` and any row is.
    """
    source = file_label(path)
    raw, lines = _read_lines(path)
    spec: dict[str, list[str]] = {"commune": _COMMUNE, level: _ALIASES[level]}
    for name in extra:
        spec[name] = _COMMUNE_NOM if name == "commune_nom" else _ALIASES[name]
    df = pick_columns(raw, spec, required=["commune", level], source=source, what=what)
    headers = _headers(raw, spec, source, what)
    report = ProblemReport(source)
    aside = _check_codes(
        df, [("commune", "commune"), (level, level)], lines=lines, headers=headers, report=report
    )
    _refuse_if_mostly_bad(source, what, report, aside)
    for name, kind in (("departement", "departement"), ("region", "region")):
        if name in df.columns and name != level:
            _check_optional_code(df, name, kind, lines=lines, headers=headers, report=report)
    df, lines = df[~aside].reset_index(drop=True), lines[~aside].reset_index(drop=True)
    if "departement" in extra:
        derived = codes.departement_of_commune(df["commune"])
        df["departement"] = df["departement"].fillna(derived) if "departement" in df else derived
    df = _dedupe(df, level, lines=lines, what=LEVELS[level], report=report, header=headers[level])
    _refuse_if_strict(source, what, report, strict=strict)
    ordered = [c for c in ["commune", "commune_nom", level, *extra] if c in df.columns]
    out = df[list(dict.fromkeys(ordered))]
    out.attrs = dict(df.attrs)
    return attach_problems(out, report)


def _check_optional_code(
    df: pd.DataFrame,
    column: str,
    kind: str,
    *,
    lines: pd.Series,
    headers: dict,
    report: ProblemReport,
) -> None:
    """Normalise a secondary code column: an invalid cell is emptied and reported, the row kept."""
    raw = df[column]
    out = getattr(codes, f"normalize_{kind}")(raw, errors="coerce")
    for i in df.index[raw.notna() & out.isna()]:
        report.add(
            f"{codes._LABELS[kind]} {raw[i]!r} invalide (attendu : {codes._EXPECTED[kind]}), "
            "ignoré : corrigez la cellule.",
            line=lines[i],
            column=headers.get(column, column),
            value=raw[i],
            action="corrigée",
            category="code_invalide",
        )
    df[column] = out


def _refuse_if_mostly_bad(source: str, what: str, report: ProblemReport, aside: pd.Series) -> None:
    """Refuse the file when more than half of its rows are unusable (wrong file?)."""
    if aside.sum() * 2 > len(aside):
        _refuse(
            source,
            what,
            report,
            header=f"{int(aside.sum())} ligne(s) inutilisable(s) sur {len(aside)} dans {what} :",
            fix="Vérifiez que c'est le bon fichier et ses colonnes, corrigez ces lignes puis "
            "relancez.",
        )


def _refuse_if_strict(
    source: str,
    what: str,
    report: ProblemReport,
    *,
    strict: bool,
    error: type[SchemaError] | type[GeometryError] = SchemaError,
) -> None:
    """In strict mode, refuse the file when any row was set aside or a geometry cut.

    Exact duplicate rows, harmless, are removed in both modes.
    """
    if not strict:
        return
    found = [
        p
        for p in report
        if (p.action == "écartée" and p.category != "doublon_ligne")
        or p.category == "chevauchement"
    ]
    if found:
        _refuse(
            source,
            what,
            found,
            header=f"{len(found)} ligne(s) ou entité(s) refusée(s) en mode strict dans {what} :",
            fix="Corrigez-les dans le fichier, ou relancez sans --strict (strict=False) pour "
            "les écarter et garder le reste.",
            error=error,
        )


def read_commune_bassin(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Read the commune → bassin d'emploi BMO table (any vintage).

    Parameters
    ----------
    path
        CSV with at least a commune code and a bassin code column
        (``code_commune_insee``, ``code_bassin_BMO`` in the official file).
    strict
        Refuse the file when any row is set aside (by default a row with an empty
        or invalid code, or a commune in two bassins, is set aside and reported
        in ``attrs["problemes"]``).

    Returns
    -------
    pandas.DataFrame
        ``commune, bassin, bassin_nom, departement, region`` (``bassin_nom`` and
        ``region`` missing when the file lacks them; ``departement`` derived from
        the commune code when absent).

    Raises
    ------
    SchemaError
        Missing columns; more than half of the rows unusable; any row set aside
        with ``strict``.

    Examples
    --------
    >>> from geo import settings
    >>> df = read_commune_bassin(settings.demo_dir() / "commune_bassin_bmo.csv")
    >>> df.columns.tolist()
    ['commune', 'bassin', 'bassin_nom', 'departement', 'region']
    """
    df = _read_commune_level(
        path,
        "bassin",
        extra=("bassin_nom", "departement", "region"),
        what="la table communes → bassins BMO",
        strict=strict,
    )
    return _complete(df, ["commune", "bassin", "bassin_nom", "departement", "region"])


def read_commune_zone_emploi(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Read the Insee commune → zone d'emploi 2020 composition.

    Bad rows are set aside and reported (``strict=True`` refuses the file
    instead), as in :func:`read_commune_bassin`.

    Returns
    -------
    pandas.DataFrame
        ``commune, commune_nom, zone_emploi, zone_emploi_nom, departement, region``.

    Examples
    --------
    >>> from geo import settings
    >>> df = read_commune_zone_emploi(settings.demo_dir() / "commune_zone_emploi.csv")
    >>> df["zone_emploi"].str.len().eq(4).all()
    np.True_
    """
    df = _read_commune_level(
        path,
        "zone_emploi",
        extra=("commune_nom", "zone_emploi_nom", "departement", "region"),
        what="la table communes → zones d'emploi",
        strict=strict,
    )
    return _complete(
        df, ["commune", "commune_nom", "zone_emploi", "zone_emploi_nom", "departement", "region"]
    )


def _read_list(
    path: str | Path,
    spec: dict[str, list[str]],
    *,
    required: list[str],
    kinds: dict[str, str],
    what: str,
    keep=None,
) -> pd.DataFrame:
    """Read a referential list: find columns, optionally filter rows, normalise codes.

    ``kinds`` maps a column to its code kind (``commune``, ``region``...); ``keep``
    is an optional row filter applied before normalisation. A row whose required
    code is empty or invalid is set aside and reported; an invalid optional code
    is emptied and reported; the file is refused when more than half of its rows
    are unusable.
    """
    source = file_label(path)
    raw, lines = _read_lines(path)
    df = pick_columns(raw, spec, required=required, source=source, what=what)
    headers = _headers(raw, spec, source, what)
    if keep is not None:
        kept = keep(df)
        df, lines = df[kept].reset_index(drop=True), lines[kept].reset_index(drop=True)
    report = ProblemReport(source)
    checks = [(c, k) for c, k in kinds.items() if c in required]
    aside = _check_codes(df, checks, lines=lines, headers=headers, report=report)
    _refuse_if_mostly_bad(source, what, report, aside)
    for column, kind in kinds.items():
        if column in df.columns and column not in required:
            _check_optional_code(df, column, kind, lines=lines, headers=headers, report=report)
    out = df[~aside].reset_index(drop=True)
    out.attrs = dict(df.attrs)
    return attach_problems(out, report)


def read_zones_emploi(path: str | Path) -> pd.DataFrame:
    """Read the Insee list of zones d'emploi 2020 (``zone_emploi, zone_emploi_nom, nb_communes``).

    Examples
    --------
    >>> from geo import settings
    >>> read_zones_emploi(settings.demo_dir() / "zones_emploi.csv").columns.tolist()
    ['zone_emploi', 'zone_emploi_nom', 'nb_communes']
    """
    spec = {
        "zone_emploi": _ALIASES["zone_emploi"],
        "zone_emploi_nom": _ALIASES["zone_emploi_nom"],
        "nb_communes": ["nb_com", "nb_communes"],
    }
    df = _read_list(
        path,
        spec,
        required=["zone_emploi"],
        kinds={"zone_emploi": "zone_emploi"},
        what="les zones d'emploi",
    )
    if "nb_communes" in df.columns:
        counts = pd.to_numeric(df["nb_communes"], errors="coerce")
        report = problems_of(df)
        for i in df.index[counts.isna() & df["nb_communes"].notna()]:
            report.add(
                f"zone d'emploi {df.at[i, 'zone_emploi']} : nombre de communes "
                f"{df.at[i, 'nb_communes']!r} illisible, laissé vide. Corrigez la colonne "
                "« nb_com » si vous en avez besoin.",
                column="nb_com",
                value=df.at[i, "nb_communes"],
                action="corrigée",
            )
        df["nb_communes"] = counts.round().astype("Int64")
        attach_problems(df, report)
    return _complete(df, ["zone_emploi", "zone_emploi_nom", "nb_communes"])


def read_commune_clpe(path: str | Path, *, strict: bool = False) -> pd.DataFrame:
    """Read the France Travail commune → CLPE table.

    Bad rows are set aside and reported (``strict=True`` refuses the file
    instead), as in :func:`read_commune_bassin`.

    Returns
    -------
    pandas.DataFrame
        ``commune, clpe, clpe_nom, departement``.

    Examples
    --------
    >>> from geo import settings
    >>> read_commune_clpe(settings.demo_dir() / "commune_clpe.csv").columns.tolist()
    ['commune', 'clpe', 'clpe_nom', 'departement']
    """
    df = _read_commune_level(
        path,
        "clpe",
        extra=("clpe_nom", "departement"),
        what="la table communes → CLPE",
        strict=strict,
    )
    return _complete(df, ["commune", "clpe", "clpe_nom", "departement"])


def read_correspondence(path: str | Path, level: str, *, strict: bool = False) -> pd.DataFrame:
    """Read any commune → territory correspondence for ``level``.

    Parameters
    ----------
    path
        CSV holding a commune code column and a column for ``level`` (the
        département and région levels may use a file that only holds the
        commune codes plus ``dep``/``reg`` columns, such as Insee's).
    level
        One of :data:`LEVELS`.
    strict
        Refuse the file when any row is set aside (by default a row with an empty
        or invalid code, or a commune in two territories, is set aside and
        reported in ``attrs["problemes"]``).

    Returns
    -------
    pandas.DataFrame
        ``commune, territoire, territoire_nom`` plus ``departement`` and
        ``region`` when available; ``attrs["niveau"]`` holds ``level``.

    Raises
    ------
    SchemaError
        Unknown level, missing columns, more than half of the rows unusable, any
        row set aside with ``strict``.

    Examples
    --------
    >>> from geo import settings
    >>> df = read_correspondence(settings.demo_dir() / "commune_clpe.csv", "clpe")
    >>> df.columns.tolist()[:3]
    ['commune', 'territoire', 'territoire_nom']
    """
    if level not in LEVELS:
        raise SchemaError(
            f"Niveau territorial inconnu : {level!r}. Niveaux possibles : {', '.join(LEVELS)}."
        )
    extra = [c for c in (_NAME_OF[level], "departement", "region") if c and c != level]
    what = f"la table communes → {LEVELS[level]}"
    df = _read_commune_level(path, level, extra=tuple(extra), what=what, strict=strict)
    name = _NAME_OF[level]
    out = pd.DataFrame(
        {
            "commune": df["commune"],
            "territoire": df[level],
            "territoire_nom": df[name] if name in df.columns else pd.NA,
        }
    )
    for col in ("departement", "region"):
        if col in df.columns and col != level:
            out[col] = df[col]
    if level == "departement" and "region" in df.columns:
        out["region"] = df["region"]
    out["territoire_nom"] = out["territoire_nom"].astype("string")
    out.attrs = dict(df.attrs)
    out.attrs["niveau"] = level
    return out


def _complete(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return ``df`` with ``columns`` in order, adding missing ones as empty text."""
    out = df.copy()
    for c in columns:
        if c not in out.columns:
            out[c] = pd.Series(pd.NA, index=out.index, dtype="string")
    out = out[columns]
    out.attrs = dict(df.attrs)
    return out


def read_communes_population(path: str | Path, *, include_all_types: bool = False) -> pd.DataFrame:
    """Read communes and legal populations from the Etalab découpage administratif JSON.

    Parameters
    ----------
    path
        ``communes.json`` of the Etalab API (one object per commune with ``code``,
        ``nom``, ``departement``, ``region``, ``type``, ``population``).
    include_all_types
        Keep communes déléguées/associées and municipal arrondissements (by
        default only ``commune-actuelle`` rows are kept, the others counted in
        ``attrs["problemes"]``).

    Returns
    -------
    pandas.DataFrame
        ``commune, commune_nom, departement, region, population`` (``Int64``,
        missing when the file has none).

    Examples
    --------
    >>> from geo import settings
    >>> df = read_communes_population(settings.demo_dir() / "communes_population.json")
    >>> int(df["population"].sum()) > 0
    True
    """
    path = Path(path)
    source = file_label(path)
    content = read_input_bytes(path)
    try:
        records = json.loads(content.decode("utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = (
            f"ligne {exc.lineno}, colonne {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else "encodage : UTF-8 attendu"
        )
        raise InputFileError(
            f"{source} : JSON illisible ({where}). Attendu : la liste des communes de l'API "
            "Découpage administratif (code, nom, population...) ; téléchargez-la à nouveau."
        ) from exc
    if not isinstance(records, list) or not records or not isinstance(records[0], dict):
        raise SchemaError(
            f"{source} : attendu une liste d'objets commune, trouvé {type(records).__name__}."
        )
    raw = pd.DataFrame.from_records(records)
    missing = [c for c in ("code", "nom") if c not in raw.columns]
    if missing:
        raise SchemaError(
            f"{source} : clé(s) absente(s) : {', '.join(missing)} "
            f"(clés trouvées : {', '.join(map(str, raw.columns))})."
        )
    report = ProblemReport(source)
    if "type" in raw.columns and not include_all_types:
        keep = raw["type"].fillna("commune-actuelle").eq("commune-actuelle")
        if (~keep).any():
            counts = raw.loc[~keep, "type"].value_counts().to_dict()
            report.add(
                "entrées écartées (hors communes actuelles) : "
                + ", ".join(f"{k} {v}" for k, v in counts.items())
                + " ; c'est normal pour ce fichier : seules les communes actuelles servent "
                "(en Python, include_all_types=True les garde).",
                column="type",
                category="hors_champ",
            )
        raw = raw[keep].reset_index(drop=True)
    df = pd.DataFrame({"commune": codes.normalize_commune(raw["code"], errors="coerce")})
    bad = df["commune"].isna()
    for i in df.index[bad]:
        report.add(
            f"entrée {i + 1} ({raw.at[i, 'nom']}) : code commune {raw.at[i, 'code']!r} vide ou "
            f"invalide (attendu {codes._EXPECTED['commune']}) : corrigez-le ; entrée écartée.",
            column="code",
            value=raw.at[i, "code"],
            category="code_invalide",
        )
    if bad.sum() * 2 > len(df):
        raise SchemaError(
            format_problems(
                f"{source} : {int(bad.sum())} entrée(s) inutilisable(s) sur {len(df)} dans les "
                "communes :",
                [str(p).removeprefix(f"{source}, ") for p in report if p.category],
            )
            + "\nVérifiez que c'est le bon fichier (communes.json de l'API Découpage "
            "administratif), corrigez ces entrées puis relancez."
        )
    df["commune_nom"] = raw["nom"].astype("string")
    dep = (
        raw["departement"]
        if "departement" in raw.columns
        else codes.departement_of_commune(df["commune"])
    )
    df["departement"] = codes.normalize_departement(dep, errors="coerce")
    reg = raw["region"] if "region" in raw.columns else pd.Series(pd.NA, index=raw.index)
    df["region"] = codes.normalize_region(reg, errors="coerce")
    pop = raw["population"] if "population" in raw.columns else pd.Series(pd.NA, index=raw.index)
    df["population"] = pd.to_numeric(pop, errors="coerce").astype("Int64")
    for i in df.index[(df["population"] < 0).fillna(False)]:
        report.add(
            f"entrée {i + 1} (commune {df.at[i, 'commune']}) : population négative "
            f"({df.at[i, 'population']}), laissée vide : corrigez-la.",
            column="population",
            value=df.at[i, "population"],
            action="corrigée",
            category="valeur_invalide",
        )
        df.at[i, "population"] = pd.NA
    df = df[~bad].reset_index(drop=True)
    df.attrs.update(source=source)
    return attach_problems(df, report)


def read_cog_communes(path: str | Path) -> pd.DataFrame:
    """Read Insee COG communes (``commune, commune_nom, departement, region, epci, zone_emploi``).

    Examples
    --------
    >>> from geo import settings
    >>> read_cog_communes(settings.demo_dir() / "insee_communes.csv").columns.tolist()
    ['commune', 'commune_nom', 'departement', 'region', 'epci', 'zone_emploi']
    """
    spec = {
        "commune": _COMMUNE,
        "commune_nom": _COMMUNE_NOM,
        "departement": _DEP,
        "region": _REG,
        "epci": ["code_epci", "epci", "siren_epci"],
        "zone_emploi": ["code_zone_emploi", "ze2020", "zone_emploi"],
    }
    kinds = {c: c for c in ("commune", "departement", "region", "zone_emploi")}
    df = _read_list(path, spec, required=["commune"], kinds=kinds, what="les communes du COG")
    if "departement" not in df.columns:
        df["departement"] = codes.departement_of_commune(df["commune"])
    return _complete(df, ["commune", "commune_nom", "departement", "region", "epci", "zone_emploi"])


def read_departements(path: str | Path) -> pd.DataFrame:
    """Read Insee COG départements (``departement, region, departement_nom``).

    Examples
    --------
    >>> from geo import settings
    >>> read_departements(settings.demo_dir() / "departements.csv")["departement"].tolist()
    ['9A', '9B', '9C']
    """
    spec = {
        "departement": _DEP,
        "region": _REG,
        "departement_nom": ["libelle", "nccenr", "nom", "ncc"],
    }
    kinds = {"departement": "departement", "region": "region"}
    df = _read_list(path, spec, required=["departement"], kinds=kinds, what="les départements")
    return _complete(df, ["departement", "region", "departement_nom"])


def read_regions(path: str | Path) -> pd.DataFrame:
    """Read Insee COG régions (``region, region_nom``).

    Examples
    --------
    >>> from geo import settings
    >>> read_regions(settings.demo_dir() / "regions.csv")["region"].tolist()
    ['99']
    """
    spec = {"region": _REG, "region_nom": ["libelle", "nccenr", "nom", "ncc"]}
    df = _read_list(path, spec, required=["region"], kinds={"region": "region"}, what="les régions")
    return _complete(df, ["region", "region_nom"])


def read_code_passage(path: str | Path) -> pd.DataFrame:
    """Read the commune code passage table (former code → current code).

    Only commune rows (``Niveau`` = ``COM`` when present) whose codes differ are
    kept: ``ancien_code, code_courant``.

    Examples
    --------
    >>> from geo import settings
    >>> df = read_code_passage(settings.demo_dir() / "passage_codes_communes.csv")
    >>> df.columns.tolist()
    ['ancien_code', 'code_courant']
    """
    spec = {
        "ancien_code": ["ancien_code_officiel", "ancien_code", "code_ancien", "com_ini", "com_av"],
        "code_courant": [
            "code_courant_officiel",
            "code_courant",
            "code_actuel",
            "com_fin",
            "com_ap",
        ],
        "niveau": ["niveau", "typecom"],
    }
    df = _read_list(
        path,
        spec,
        required=["ancien_code", "code_courant"],
        kinds={"ancien_code": "commune", "code_courant": "commune"},
        what="la table de passage des codes communes",
        keep=lambda d: (
            d["niveau"].fillna("COM").str.upper().eq("COM")
            if "niveau" in d.columns
            else pd.Series(True, index=d.index)
        ),
    )
    df = df[df["ancien_code"] != df["code_courant"]].drop_duplicates(
        ["ancien_code", "code_courant"]
    )
    return df[["ancien_code", "code_courant"]].reset_index(drop=True)


def read_commune_polygons(
    paths: str | Path | Iterable[str | Path],
    *,
    crs: str | None = None,
    code_column: str | None = None,
    swap_axes: bool = False,
    strict: bool = False,
) -> gpd.GeoDataFrame:
    """Read commune polygons from GeoJSON, GeoPackage, Shapefile or GeoParquet files.

    Every commune is checked against where its code says it is
    (:data:`geo.polygons.LOCATION_BOXES`) and against its neighbours (overlaps,
    :func:`geo.polygons.remove_overlaps`). An unusable entity (empty code or
    geometry, invalid code, point or line, commune outside its zone) is set
    aside and reported, the others are kept; a file where most entities are
    unusable is refused (with swapped latitude/longitude named as such).

    Parameters
    ----------
    paths
        One file or several (one per département, say); they are concatenated.
    crs
        CRS to assume for files that declare none (a Shapefile without ``.prj``),
        or whose coordinates cannot be in the CRS they declare (a GeoJSON,
        WGS84 by definition, written in Lambert-93).
    code_column
        Name of the commune code column when it is not one of the usual ones
        (``code``, ``insee``, ``codgeo``, ``code_insee``, ``insee_com``...).
    swap_axes
        Exchange the two coordinates of every vertex as the files are read (for
        files written latitude first).
    strict
        Refuse the files when any entity is set aside or any overlap cut.

    Returns
    -------
    geopandas.GeoDataFrame
        ``commune, commune_nom, geometry`` in EPSG:4326, one row per commune.
        Features sharing a code are merged, invalid polygons repaired, overlaps
        cut, unusable entities set aside; all are reported in
        ``attrs["problemes"]`` (:class:`geo.problems.ProblemReport`).

    Raises
    ------
    CRSError
        A file has no CRS and ``crs`` is not given, or its coordinates do not fit
        its declared CRS.
    GeometryError
        Most entities of a file are unusable (or lie outside their zone, or have
        swapped axes); any entity set aside with ``strict``.
    SchemaError
        No commune code column.

    Examples
    --------
    >>> from geo import settings
    >>> communes = read_commune_polygons(sorted(settings.demo_dir().glob("communes-*.geojson")))
    >>> communes.crs.to_epsg(), communes.columns.tolist()
    (4326, ['commune', 'commune_nom', 'geometry'])
    """
    files = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    if not files:
        raise InputFileError(
            "Aucun fichier de communes donné. Indiquez au moins un fichier de polygones."
        )
    frames = [
        _read_one_polygon_file(p, crs=crs, code_column=code_column, swap=swap_axes) for p in files
    ]
    gdf = pd.concat(frames, ignore_index=True)
    gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326")
    report = ProblemReport(", ".join(p.name for p in files))
    for frame in frames:
        report.extend(problems_of(frame))
    dup = gdf["commune"].duplicated(keep=False)
    if dup.any():
        n = int(gdf.loc[dup, "commune"].nunique())
        report.add(
            f"{n} code(s) commune présent(s) dans plusieurs entités, fusionnées : "
            + ", ".join(sorted(gdf.loc[dup, "commune"].unique())[:10])
            + " ; vérifiez qu'il s'agit bien des parties d'une même commune (îles).",
            column="commune",
            action="corrigée",
            category="commune_en_double",
        )
        merged = (
            gdf[dup]
            .dissolve(by="commune", aggfunc={"commune_nom": "first", "_ou": "first"})
            .reset_index()
        )
        gdf = pd.concat([gdf[~dup], merged[list(gdf.columns)]], ignore_index=True)
        gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326")
    gdf = gdf.sort_values("commune", kind="stable").reset_index(drop=True)
    gdf, _ = polygons.remove_overlaps(gdf, report=report, where=gdf["_ou"])
    _refuse_if_strict(
        report.file, "les polygones des communes", report, strict=strict, error=GeometryError
    )
    gdf = gdf.drop(columns="_ou").reset_index(drop=True)
    gdf.attrs = {"sources": [p.name for p in files], polygons.CHECKED: True}
    return attach_problems(gdf, report)


_POLY_CODE = [
    "code",
    "insee",
    "code_insee",
    "codgeo",
    "insee_com",
    "code_commune",
    "com",
    "depcom",
    "commune",
]
_POLY_NAME = ["nom", "libgeo", "nom_com", "nom_commune", "libelle", "commune_nom", "name"]


def _open_polygons(path: Path, crs: str | None) -> gpd.GeoDataFrame:
    """The features of one file, with a CRS whose coordinates fit."""
    source = path.name
    _check_polygon_file(path)
    try:
        if path.suffix.lower() in (".parquet", ".geoparquet"):
            gdf = gpd.read_parquet(path)
        else:
            gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio / arrow raise many kinds, with English messages
        raise InputFileError(
            f"{source} : lecture des polygones impossible ({_polygon_failure(path, exc)}). "
            "Vérifiez que c'est bien un fichier de contours : formats acceptés GeoJSON, "
            "GeoPackage, Shapefile (avec .shx, .dbf, .prj), GeoParquet ; exportez-le à nouveau "
            "depuis le logiciel SIG si besoin."
        ) from exc
    if gdf.crs is None and crs is None:
        raise CRSError(
            f"{source} : aucun système de coordonnées déclaré (fichier .prj absent ?). "
            "Ajoutez le .prj à côté du fichier, ou précisez le système : relancez avec "
            "--crs EPSG:2154 (Lambert-93) ou --crs EPSG:4326 (WGS84) (en Python : "
            "crs='EPSG:2154')."
        )
    if gdf.crs is None or (crs is not None and not _coordinates_fit(gdf)):
        # no CRS declared, or a declared one the coordinates cannot be in: the one given wins
        try:
            gdf = gdf.set_crs(crs, allow_override=True)
        except (ValueError, RuntimeError) as exc:  # pyproj.exceptions.CRSError
            raise CRSError(
                f"{source} : projection « {crs} » inconnue. Indiquez un code EPSG existant, "
                "par ex. EPSG:2154 (Lambert-93) ou EPSG:4326 (WGS84)."
            ) from exc
    _check_coordinates_fit(gdf, source)
    return gdf


def _check_polygon_file(path: Path) -> None:
    """Refuse, in French, a polygon path that is missing, a folder, empty or a lone ``.shp``."""
    if not path.exists():
        raise InputFileError(
            f"{path} : fichier de polygones introuvable. Vérifiez le chemin (dossier courant : "
            f"{Path.cwd()})."
        )
    if path.is_dir():
        raise InputFileError(
            f"{path} : c'est un dossier, pas un fichier de polygones. Donnez le fichier lui-même "
            "(par exemple communes-44.geojson)."
        )
    if path.stat().st_size == 0:
        raise InputFileError(
            f"{path.name} : fichier de polygones vide. Téléchargez-le ou exportez-le à nouveau."
        )
    if path.suffix.lower() == ".shp":
        siblings = {p.name.lower() for p in path.parent.iterdir()}
        absent = [
            path.with_suffix(s).name
            for s in (".shx", ".dbf")
            if path.with_suffix(s).name.lower() not in siblings
        ]
        if absent:
            raise InputFileError(
                f"{path.name} : fichier(s) compagnon(s) {', '.join(absent)} absent(s) à côté du "
                "Shapefile (le .dbf porte les codes communes, le .shx l'index). Copiez ensemble "
                "les fichiers .shp, .shx, .dbf et .prj du même nom."
            )


def _polygon_failure(path: Path, exc: Exception) -> str:
    """What went wrong reading ``path``, in French (the library's message is English)."""
    text = str(exc)
    if "not recognized as being in a supported file format" in text:
        with open(path, "rb") as stream:
            head = stream.read(512).lstrip()
        if head.startswith(b"PK"):
            return "archive ZIP sans couche géographique lisible"
        if head[:1] in (b"{", b"["):
            return "JSON qui n'est pas du GeoJSON"
        return "format non reconnu : ni GeoJSON, ni GeoPackage, ni Shapefile"
    if "GeoJSON" in text or "JSON" in text:
        return "GeoJSON mal formé ou tronqué"
    if "No such file" in text:
        return "fichier compagnon introuvable"
    if "arrow" in type(exc).__module__.lower() or "parquet" in text.lower():
        return "GeoParquet illisible ou tronqué"
    return f"erreur de la bibliothèque de lecture {type(exc).__name__}"


def _polygon_columns(
    gdf: gpd.GeoDataFrame, source: str, code_column: str | None
) -> tuple[str, str | None]:
    """The commune code column and the name column (if any) of a polygon file."""
    columns = {normalize_header(c): c for c in gdf.columns if c != gdf.geometry.name}
    if code_column is not None:
        if code_column not in gdf.columns:
            raise SchemaError(
                f"{source} : colonne {code_column!r} absente (colonnes : "
                f"{', '.join(columns.values())}). Corrigez le nom de la colonne du code commune "
                "(--colonne-code, ou code_column= en Python)."
            )
        code_col: str | None = code_column
    else:
        code_col = next((columns[a] for a in _POLY_CODE if a in columns), None)
    if code_col is None:
        raise SchemaError(
            f"{source} : aucune colonne de code commune trouvée (attendu l'une de : "
            f"{', '.join(_POLY_CODE)} ; colonnes trouvées : {', '.join(columns.values())}). "
            "Renommez la colonne du code commune, ou précisez-la : relancez avec --colonne-code "
            "NOM (en Python : code_column='NOM')."
        )
    name_col = next(
        (columns[a] for a in _POLY_NAME if a in columns and columns[a] != code_col), None
    )
    return code_col, name_col


def _unusable_entities(
    out: gpd.GeoDataFrame, raw_codes: pd.Series, code_col: str, report: ProblemReport
) -> pd.Series:
    """Report entities with an empty or invalid code or a missing or non-polygonal geometry.

    Returns the mask of the entities to set aside.
    """
    geom = out.geometry
    no_code = raw_codes.isna()
    bad_code = raw_codes.notna() & out["commune"].isna()
    empty = geom.isna() | geom.is_empty
    not_poly = ~empty & ~geom.geom_type.isin(["Polygon", "MultiPolygon"])
    for i in out.index[no_code]:
        report.add(
            f"entité {i + 1} : code commune vide : complétez-le ou retirez l'entité ; "
            "entité écartée.",
            column=code_col,
            category="cellule_vide",
        )
    for i in out.index[bad_code]:
        report.add(
            f"entité {i + 1} : code commune {raw_codes[i]!r} invalide (attendu "
            f"{codes._EXPECTED['commune']}) : corrigez-le ; entité écartée.",
            column=code_col,
            value=raw_codes[i],
            category="code_invalide",
        )
    named = ~(no_code | bad_code)
    for i in out.index[empty & named]:
        report.add(
            f"entité {i + 1} (commune {out.at[i, 'commune']}) : géométrie absente ou vide : "
            "ajoutez le contour de la commune ou retirez l'entité ; commune écartée.",
            column="geometry",
            value=out.at[i, "commune"],
            category="geometrie_absente",
        )
    for i in out.index[not_poly & named]:
        report.add(
            f"entité {i + 1} (commune {out.at[i, 'commune']}) : géométrie {geom.geom_type[i]} "
            "au lieu d'un polygone : remplacez-la par le contour de la commune ; commune écartée.",
            column="geometry",
            value=out.at[i, "commune"],
            category="geometrie_non_polygonale",
        )
    return no_code | bad_code | empty | not_poly


def _repair(out: gpd.GeoDataFrame, code_col: str, report: ProblemReport) -> gpd.GeoDataFrame:
    """Repair invalid polygons (reported); those with nothing left are set aside."""
    invalid = ~out.geometry.is_valid
    if not invalid.any():
        return out
    reasons = shapely.is_valid_reason(out.geometry[invalid].values)
    names = ", ".join(
        f"{c} ({r})" for c, r in zip(out.loc[invalid, "commune"][:10], reasons[:10], strict=False)
    )
    repaired = shapely.make_valid(
        out.geometry[invalid].values, method="structure", keep_collapsed=False
    )
    out.loc[invalid, "geometry"] = _polygonal(repaired)
    report.add(
        f"{int(invalid.sum())} polygone(s) invalide(s) réparé(s) : {names} ; vérifiez leur "
        "contour sur la carte.",
        column=code_col,
        action="corrigée",
        category="geometrie_invalide",
    )
    lost = out.geometry.is_empty | ~out.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
    for i in out.index[lost]:
        report.add(
            f"entité {i + 1} (commune {out.at[i, 'commune']}) : polygone invalide sans surface "
            "une fois réparé : corrigez son contour ; commune écartée.",
            column="geometry",
            value=out.at[i, "commune"],
            category="geometrie_invalide",
        )
    return out[~lost]


def _misplaced(
    out: gpd.GeoDataFrame, source: str, code_col: str, report: ProblemReport, *, swapped: bool
) -> gpd.GeoDataFrame:
    """Set aside the communes outside their zone; refuse the file when most of them are."""
    placed = polygons.misplaced_communes(out)
    if placed.empty:
        return out
    first = placed.iloc[0]
    example = (
        f"colonne « {code_col} », entité {placed.index[0] + 1} : commune {first['commune']} "
        f"attendue {first['zone']}, trouvée vers ({first['lon']:.2f}, {first['lat']:.2f})"
    )
    share = f"{len(placed)} commune(s) sur {len(out)}"
    if len(placed) * 2 > len(out):
        if placed["axes_inversees"].sum() * 2 > len(placed) and not swapped:
            raise GeometryError(
                f"{source} : les coordonnées semblent inversées (latitude/longitude) : {share} "
                f"sont hors de leur zone et y reviennent une fois les axes échangés ({example}). "
                "Corrigez l'ordre des coordonnées du fichier (longitude d'abord, puis latitude, "
                "comme l'exige GeoJSON), ou relancez avec --inverser-axes (swap_axes=True en "
                "Python) pour les échanger à la lecture."
            )
        hint = (
            "les axes ont été échangés à votre demande alors que le fichier était dans le bon "
            "ordre : relancez sans --inverser-axes."
            if swapped
            else "vérifiez la projection déclarée du fichier (un fichier en Lambert-93 doit "
            "déclarer EPSG:2154) et la colonne des codes communes, corrigez le fichier puis "
            "relancez."
        )
        raise GeometryError(f"{source} : {share} hors de la zone attendue ({example}) : {hint}")
    for i, row in placed.iterrows():
        found = (
            f"hors de sa zone (attendue {row['zone']}, trouvée vers ({row['lon']:.4f}, "
            f"{row['lat']:.4f}))"
        )
        fix = (
            "les coordonnées semblent inversées (latitude/longitude) : corrigez l'ordre des "
            "coordonnées de cette entité (longitude d'abord)"
            if row["axes_inversees"]
            else "vérifiez son code et sa géométrie, corrigez le fichier"
        )
        report.add(
            f"entité {i + 1} : commune {row['commune']} {found} ; {fix} ; commune écartée.",
            column=code_col,
            value=row["commune"],
            category="axes_inverses" if row["axes_inversees"] else "hors_zone",
        )
    return out.drop(index=placed.index)


def _read_one_polygon_file(
    path: Path, *, crs: str | None, code_column: str | None, swap: bool = False
) -> gpd.GeoDataFrame:
    source = path.name
    gdf = _open_polygons(path, crs)
    code_col, name_col = _polygon_columns(gdf, source, code_column)
    out = gpd.GeoDataFrame(
        {
            "commune": gdf[code_col].astype("string"),
            "commune_nom": gdf[name_col].astype("string")
            if name_col
            else pd.Series(pd.NA, index=gdf.index, dtype="string"),
        },
        geometry=gdf.geometry.to_crs("EPSG:4326").values,
        crs="EPSG:4326",
    ).reset_index(drop=True)
    if swap:
        out = out.set_geometry(polygons.swap_axes(out.geometry))
    raw_codes = out["commune"].copy()
    out["commune"] = codes.normalize_commune(raw_codes, errors="coerce")
    report = ProblemReport(source)
    unusable = _unusable_entities(out, raw_codes, code_col, report)
    if unusable.sum() * 2 > len(out):
        raise GeometryError(
            format_problems(
                f"{source} : {int(unusable.sum())} entité(s) inutilisable(s) sur {len(out)} "
                "dans les polygones des communes :",
                [str(p).removeprefix(f"{source}, ") for p in report],
            )
            + "\nCorrigez ces entités dans le fichier (ou retirez-les) puis relancez."
        )
    out = _repair(out[~unusable].copy(), code_col, report)
    out = _misplaced(out, source, code_col, report, swapped=swap)
    out["_ou"] = [f"{source}, entité {i + 1}" for i in out.index]
    out.attrs = {}
    return attach_problems(out, report)


def _polygonal(geoms) -> list:
    """Keep only the polygonal parts of repaired geometries."""
    out = []
    for g in geoms:
        if g.geom_type in ("Polygon", "MultiPolygon"):
            out.append(g)
        else:
            parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
            out.append(shapely.union_all(parts) if parts else g)
    return out


def _coordinates_fit(gdf: gpd.GeoDataFrame) -> bool:
    """Whether the coordinates can be in the declared CRS (degrees within ±180, ±90)."""
    if gdf.empty or gdf.crs is None or not gdf.crs.is_geographic:
        return True
    bounds = gdf.total_bounds
    if not np.isfinite(bounds).all():  # no geometry at all: nothing to judge
        return True
    minx, miny, maxx, maxy = bounds
    return bool(-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90)


def _check_coordinates_fit(gdf: gpd.GeoDataFrame, source: str) -> None:
    """Refuse coordinates that cannot be in the declared CRS (Lambert-93 labelled WGS84)."""
    if _coordinates_fit(gdf):
        return
    minx, miny, maxx, maxy = gdf.total_bounds
    raise CRSError(
        f"{source} : coordonnées ({minx:.0f}, {miny:.0f}, {maxx:.0f}, {maxy:.0f}) impossibles "
        f"en degrés alors que le fichier se déclare en {gdf.crs.to_string()}. Le fichier est "
        "probablement en Lambert-93 (EPSG:2154) : corrigez sa projection déclarée, ou "
        "imposez-la avec l'option --crs EPSG:2154 (crs= en Python)."
    )
