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
import pandas as pd
import shapely

from geo import codes
from geo._errors import CRSError, GeometryError, InputFileError, SchemaError
from geo.problems import ProblemReport, attach_problems, problems_of
from geo.tables import (
    file_label,
    normalize_header,
    pick_columns,
    raise_problems,
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


def _normalize_column(
    df: pd.DataFrame, column: str, kind: str, *, lines: pd.Series, problems: list[str]
) -> None:
    """Normalise ``df[column]`` in place, recording each bad code as a problem."""
    raw = df[column]
    out = getattr(codes, f"normalize_{kind}")(raw, errors="coerce")
    bad = raw.notna() & out.isna()
    for i in df.index[bad][:50]:
        problems.append(f"ligne {lines[i]}, colonne '{column}' : code {raw[i]!r} invalide")
    if bad.sum() > 50:
        problems.append(f"... et {int(bad.sum()) - 50} autre(s) code(s) invalide(s) en '{column}'")
    df[column] = out


def _dedupe(
    df: pd.DataFrame,
    value: str,
    *,
    lines: pd.Series,
    what: str,
    problems: list[str],
    report: ProblemReport,
) -> pd.DataFrame:
    """Drop exact duplicate commune rows (reported) and flag conflicting ones."""
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
                "supprimée.",
                line=lines[i],
            )
    kept = df[~dup_exact]
    conflict = kept.duplicated(subset=["commune"], keep=False)
    for commune, group in kept[conflict].groupby("commune", sort=True):
        detail = ", ".join(f"{v} (ligne {lines[i]})" for i, v in group[value].items())
        problems.append(
            f"commune {commune} rattachée à plusieurs territoires ({what}) : {detail} — "
            "gardez une seule ligne"
        )
    out = kept.reset_index(drop=True)
    out.attrs = dict(df.attrs)
    return out


def _read_commune_level(
    path: str | Path, level: str, *, extra: Sequence[str] = (), what: str
) -> pd.DataFrame:
    source = file_label(path)
    raw, lines = _read_lines(path)
    spec: dict[str, list[str]] = {"commune": _COMMUNE, level: _ALIASES[level]}
    for name in extra:
        spec[name] = _COMMUNE_NOM if name == "commune_nom" else _ALIASES[name]
    df = pick_columns(raw, spec, required=["commune", level], source=source, what=what)
    problems: list[str] = []
    missing = df[level].isna() | df["commune"].isna()
    for i in df.index[missing][:50]:
        problems.append(f"ligne {lines[i]} : commune ou {LEVELS[level]} vide")
    _normalize_column(df, "commune", "commune", lines=lines, problems=problems)
    _normalize_column(df, level, level, lines=lines, problems=problems)
    for name, kind in (("departement", "departement"), ("region", "region")):
        if name in df.columns and name != level:
            _normalize_column(df, name, kind, lines=lines, problems=problems)
    raise_problems(source, what, problems)
    if "departement" in extra and "departement" not in df.columns:
        df["departement"] = codes.departement_of_commune(df["commune"])
    report = ProblemReport(source)
    df = _dedupe(df, level, lines=lines, what=LEVELS[level], problems=problems, report=report)
    raise_problems(source, what, problems)
    ordered = [c for c in ["commune", "commune_nom", level, *extra] if c in df.columns]
    out = df[list(dict.fromkeys(ordered))]
    out.attrs = dict(df.attrs)
    return attach_problems(out, report)


def read_commune_bassin(path: str | Path) -> pd.DataFrame:
    """Read the commune → bassin d'emploi BMO table (any vintage).

    Parameters
    ----------
    path
        CSV with at least a commune code and a bassin code column
        (``code_commune_insee``, ``code_bassin_BMO`` in the official file).

    Returns
    -------
    pandas.DataFrame
        ``commune, bassin, bassin_nom, departement, region`` (``bassin_nom`` and
        ``region`` missing when the file lacks them; ``departement`` derived from
        the commune code when absent).

    Raises
    ------
    SchemaError
        Missing columns, invalid codes, a commune in two bassins.

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
    )
    return _complete(df, ["commune", "bassin", "bassin_nom", "departement", "region"])


def read_commune_zone_emploi(path: str | Path) -> pd.DataFrame:
    """Read the Insee commune → zone d'emploi 2020 composition.

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
    """Read a referential list: find columns, optionally filter rows, normalise codes, raise once.

    ``kinds`` maps a column to its code kind (``commune``, ``region``...); ``keep``
    is an optional row filter applied before normalisation.
    """
    source = file_label(path)
    raw, lines = _read_lines(path)
    df = pick_columns(raw, spec, required=required, source=source, what=what)
    if keep is not None:
        kept = keep(df)
        df, lines = df[kept].reset_index(drop=True), lines[kept].reset_index(drop=True)
    problems: list[str] = []
    for column, kind in kinds.items():
        if column in df.columns:
            _normalize_column(df, column, kind, lines=lines, problems=problems)
    raise_problems(source, what, problems)
    return attach_problems(df, ProblemReport(source))


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
        df["nb_communes"] = pd.to_numeric(df["nb_communes"]).astype("Int64")
    return _complete(df, ["zone_emploi", "zone_emploi_nom", "nb_communes"])


def read_commune_clpe(path: str | Path) -> pd.DataFrame:
    """Read the France Travail commune → CLPE table.

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
        path, "clpe", extra=("clpe_nom", "departement"), what="la table communes → CLPE"
    )
    return _complete(df, ["commune", "clpe", "clpe_nom", "departement"])


def read_correspondence(path: str | Path, level: str) -> pd.DataFrame:
    """Read any commune → territory correspondence for ``level``.

    Parameters
    ----------
    path
        CSV holding a commune code column and a column for ``level`` (the
        département and région levels may use a file that only holds the
        commune codes plus ``dep``/``reg`` columns, such as Insee's).
    level
        One of :data:`LEVELS`.

    Returns
    -------
    pandas.DataFrame
        ``commune, territoire, territoire_nom`` plus ``departement`` and
        ``region`` when available; ``attrs["niveau"]`` holds ``level``.

    Raises
    ------
    SchemaError
        Unknown level, missing columns, invalid codes, conflicting rows.

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
    df = _read_commune_level(path, level, extra=tuple(extra), what=what)
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
            )
        raw = raw[keep].reset_index(drop=True)
    problems: list[str] = []
    df = pd.DataFrame({"commune": raw["code"].astype("string")})
    entries = pd.Series(range(2, len(df) + 2), index=df.index)  # entry number + 1
    _normalize_column(df, "commune", "commune", lines=entries, problems=problems)
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
    if (df["population"] < 0).any():
        problems.append(
            "population négative pour " + ", ".join(df.loc[df["population"] < 0, "commune"][:10])
        )
    raise_problems(source, "les communes", problems)
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
) -> gpd.GeoDataFrame:
    """Read commune polygons from GeoJSON, GeoPackage, Shapefile or GeoParquet files.

    Parameters
    ----------
    paths
        One file or several (one per département, say); they are concatenated.
    crs
        CRS to assume for files that declare none (a Shapefile without ``.prj``).
        GeoJSON files are WGS84 by definition.
    code_column
        Name of the commune code column when it is not one of the usual ones
        (``code``, ``insee``, ``codgeo``, ``code_insee``, ``insee_com``...).

    Returns
    -------
    geopandas.GeoDataFrame
        ``commune, commune_nom, geometry`` in EPSG:4326, one row per commune.
        Features sharing a code are merged, invalid polygons repaired; both are
        reported in ``attrs["problemes"]`` (:class:`geo.problems.ProblemReport`).

    Raises
    ------
    CRSError
        A file has no CRS and ``crs`` is not given, or its coordinates do not fit
        its declared CRS.
    GeometryError
        Missing or non-polygonal geometries.
    SchemaError
        No commune code column, invalid codes.

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
    frames = [_read_one_polygon_file(p, crs=crs, code_column=code_column) for p in files]
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
            + ", ".join(sorted(gdf.loc[dup, "commune"].unique())[:10]),
            column="commune",
            action="corrigée",
        )
        merged = gdf[dup].dissolve(by="commune", aggfunc={"commune_nom": "first"}).reset_index()
        gdf = pd.concat(
            [gdf[~dup], merged[["commune", "commune_nom", "geometry"]]], ignore_index=True
        )
        gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs="EPSG:4326")
    gdf = gdf.sort_values("commune", kind="stable").reset_index(drop=True)
    gdf.attrs = {"sources": [p.name for p in files]}
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
    if gdf.crs is None:
        if crs is None:
            raise CRSError(
                f"{source} : aucun système de coordonnées déclaré (fichier .prj absent ?). "
                "Ajoutez le .prj, ou précisez le système : relancez avec --crs EPSG:2154 "
                "(Lambert-93) ou --crs EPSG:4326 (WGS84) (en Python : crs='EPSG:2154')."
            )
        gdf = gdf.set_crs(crs)
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


def _entity_problems(out: gpd.GeoDataFrame, raw_codes: pd.Series, code_col: str) -> list[str]:
    """Invalid or missing codes, missing or non-polygonal geometries (20 of each at most)."""
    problems: list[str] = []
    for i in out.index[raw_codes.notna() & out["commune"].isna()][:20]:
        problems.append(f"entité {i + 1}, colonne '{code_col}' : code {raw_codes[i]!r} invalide")
    for i in out.index[raw_codes.isna()][:20]:
        problems.append(f"entité {i + 1} : code commune vide")
    geom = out.geometry
    empty = geom.isna() | geom.is_empty
    for i in out.index[empty][:20]:
        problems.append(f"entité {i + 1} (commune {out.at[i, 'commune']}) : géométrie absente")
    types = geom[~empty].geom_type
    not_poly = ~types.isin(["Polygon", "MultiPolygon"])
    for i in types.index[not_poly][:20]:
        problems.append(
            f"entité {i + 1} (commune {out.at[i, 'commune']}) : géométrie {types[i]} au lieu d'un polygone"
        )
    return problems


def _read_one_polygon_file(
    path: Path, *, crs: str | None, code_column: str | None
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
    )
    raw_codes = out["commune"].copy()
    out["commune"] = codes.normalize_commune(raw_codes, errors="coerce")
    problems = _entity_problems(out, raw_codes, code_col)
    if problems:
        raise GeometryError(
            f"{source} : {len(problems)} problème(s) dans les polygones des communes :\n"
            + "\n".join(f"  - {p}" for p in problems)
            + "\nCorrigez ces entités dans le fichier (ou retirez-les) puis relancez."
        )
    report = ProblemReport(source)
    invalid = ~out.geometry.is_valid
    if invalid.any():
        reasons = shapely.is_valid_reason(out.geometry[invalid].values)
        names = ", ".join(
            f"{c} ({r})"
            for c, r in zip(out.loc[invalid, "commune"][:10], reasons[:10], strict=False)
        )
        repaired = shapely.make_valid(
            out.geometry[invalid].values, method="structure", keep_collapsed=False
        )
        out.loc[invalid, "geometry"] = _polygonal(repaired)
        report.add(
            f"{int(invalid.sum())} polygone(s) invalide(s) réparé(s) : {names}",
            column=code_col,
            action="corrigée",
        )
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


def _check_coordinates_fit(gdf: gpd.GeoDataFrame, source: str) -> None:
    """Refuse coordinates that cannot be in the declared CRS (Lambert-93 labelled WGS84)."""
    if gdf.empty or gdf.crs is None or not gdf.crs.is_geographic:
        return
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise CRSError(
            f"{source} : coordonnées ({minx:.0f}, {miny:.0f}, {maxx:.0f}, {maxy:.0f}) impossibles "
            f"en degrés alors que le fichier se déclare en {gdf.crs.to_string()}. Le fichier est "
            "probablement en Lambert-93 (EPSG:2154) : corrigez sa projection déclarée."
        )
