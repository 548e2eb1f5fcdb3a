"""``territoire partenaires ...``: check a partner directory, list the partner typology.

``territoire partenaires verifier --fichier F [--communes-table CHEMIN ...] [--json]``
reads the analyst's partner file (CSV or XLSX) and prints, in French, what was
fixed or could not be used, line by line. With ``--communes-table``, commune codes,
ressort territories and coordinates are checked against the study's communes: give
the referential files, or folders holding them under their usual names
(``communes-*.geojson``, ``commune_bassin_bmo.csv``, ``commune_zone_emploi.csv``,
``commune_clpe.csv``, ``communes_population.json``, ``insee_communes.csv``), e.g.
``--communes-table data/demo``.

Exit codes: 0 the file is clean, 1 problems were reported but the file is usable,
2 the file is unusable (missing mandatory column, unreadable file).

``territoire partenaires types [--json]`` prints the partner typology.

``territoire partenaires importer --fichier F --sortie annuaire.csv`` writes a partner
directory from the data·inclusion national file (:mod:`diagnostics.cli._data_inclusion`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from diagnostics.cli._data_inclusion import register_import, with_import_hint
from diagnostics.cli._strict import add_strict_option, check_strict
from diagnostics.partners import DOMAINS, PARTNER_TYPES, read_partners_report
from geo import referentials, territories
from geo._errors import InputFileError, SchemaError, WorkbenchError
from geo.tables import describe_file

__all__ = ["register", "load_commune_table"]

# Usual file names of the referentials, looked for in a folder.
_POLYGON_GLOB = "communes-*.geojson"
_NAMED = {
    "commune_bassin_bmo.csv": "bassin",
    "commune_zone_emploi.csv": "zone_emploi",
    "commune_clpe.csv": "clpe",
    "insee_communes.csv": "cog",
    "communes_population.json": "population",
}
_CSV_READERS = (
    ("bassin", referentials.read_commune_bassin),
    ("zone_emploi", referentials.read_commune_zone_emploi),
    ("clpe", referentials.read_commune_clpe),
    ("cog", referentials.read_cog_communes),
)


def _files(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob(_POLYGON_GLOB)) + [
                path / name for name in _NAMED if (path / name).is_file()
            ]
            if not found:
                raise InputFileError(
                    f"{path} (--communes-table) : aucun référentiel de communes reconnu dans ce "
                    f"dossier (attendu {_POLYGON_GLOB}, {', '.join(_NAMED)}). Donnez le dossier "
                    "des référentiels ou les fichiers eux-mêmes (voir data/demo/LISEZMOI.md)."
                )
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise InputFileError(
                f"{path} (--communes-table) : fichier ou dossier introuvable. Vérifiez le chemin "
                f"(dossier courant : {Path.cwd()})."
            )
    return files


def _kind(path: Path) -> str:
    if path.name in _NAMED:
        return _NAMED[path.name]
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".gpkg", ".shp", ".parquet"):
        return "polygons"
    if suffix == ".json":
        with open(path, "rb") as handle:
            start = handle.read(64).lstrip()
        return "population" if start.startswith(b"[") else "polygons"
    return "csv"


def load_commune_table(paths: Sequence[str | Path]) -> pd.DataFrame:
    """Commune table of the study from referential files or folders.

    Commune polygons give the list of communes and the geometry (the result is
    then a GeoDataFrame); otherwise the population file, the COG list or the
    correspondence tables do. Correspondence tables (bassin, zone d'emploi,
    CLPE) add their level.

    Raises
    ------
    InputFileError
        A path does not exist, or a CSV is none of the known referentials.
    """
    import geopandas as gpd

    tables: dict[str, pd.DataFrame] = {}
    polygons = []
    for path in _files([Path(p) for p in paths]):
        kind = _kind(path)
        if kind == "polygons":
            polygons.append(path)
        elif kind == "population":
            tables["population"] = referentials.read_communes_population(path)
        elif kind != "csv":
            tables[kind] = dict(_CSV_READERS)[kind](path)
        else:
            for name, reader in _CSV_READERS:
                try:
                    tables[name] = reader(path)
                    break
                except SchemaError:
                    continue
            else:
                raise InputFileError(
                    f"{path.name} (--communes-table) : ce n'est ni une table commune → bassin, "
                    "zone d'emploi ou CLPE, ni la liste des communes du COG (trouvé : "
                    f"{describe_file(path)}). Donnez les référentiels sous leurs noms usuels "
                    "(voir data/demo/LISEZMOI.md)."
                )
    shapes = referentials.read_commune_polygons(polygons) if polygons else None
    base = next(
        (t for t in (shapes, tables.get("population"), tables.get("cog")) if t is not None),
        None,
    )
    if base is None:
        levels = [tables[k] for k in ("bassin", "zone_emploi", "clpe") if k in tables]
        base = pd.concat([t[["commune"]] for t in levels]).drop_duplicates()
    table = territories.commune_table(
        base,
        bassin=tables.get("bassin"),
        zone_emploi=tables.get("zone_emploi"),
        clpe=tables.get("clpe"),
        population=tables.get("population"),
    )
    if shapes is None:
        return table
    merged = table.merge(shapes[["commune", "geometry"]], on="commune", how="left")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=shapes.crs)


def _verifier(args: argparse.Namespace) -> int:
    communes = load_commune_table(args.communes_table) if args.communes_table else None
    try:
        _, report = read_partners_report(args.fichier, communes=communes)
    except WorkbenchError as exc:
        hinted = with_import_hint(exc, Path(args.fichier))
        if not args.json:
            raise hinted from exc
        payload = {
            "fichier": Path(args.fichier).name,
            "utilisable": False,
            "code_sortie": 2,
            "erreur": str(hinted),
            "problemes": list(getattr(exc, "problems", [])),
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return 2
    check_strict(report.problemes, strict=args.strict)
    code = 0 if report.clean else 1
    if args.json:
        payload = {**report.to_dict(), "utilisable": True, "code_sortie": code}
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return code
    print(report.summary(limit=args.limite))
    if communes is None:
        print(
            "Conseil : ajoutez --communes-table (ex. --communes-table data/demo) pour vérifier "
            "aussi les codes communes, les territoires de ressort et les coordonnées."
        )
    if code:
        print(
            "\nLe fichier reste utilisable : les valeurs signalées ont été corrigées ou "
            "ignorées comme indiqué. Corrigez-les dans le fichier source."
        )
    return code


def _types(args: argparse.Namespace) -> int:
    if args.json:
        records = [
            {
                "type": row.type,
                "libelle": row.libelle,
                "famille": row.famille,
                "domaines_defaut": list(row.domaines_defaut),
                "priorite_nationale": bool(row.priorite_nationale),
            }
            for row in PARTNER_TYPES.itertuples(index=False)
        ]
        print(json.dumps(records, ensure_ascii=False, indent=2))
        return 0
    for row in PARTNER_TYPES.itertuples(index=False):
        domains = ", ".join(DOMAINS[d] for d in row.domaines_defaut) or "—"
        star = " *" if row.priorite_nationale else ""
        print(f"{row.type:<36} {row.libelle}{star}\n{'':<36}   domaines : {domains}")
    print("\n* type prioritaire au niveau national (rapport de territorialisation, § 2.11).")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``partenaires`` command group."""
    group = subparsers.add_parser(
        "partenaires", help="annuaire des partenaires : vérification, typologie et import"
    )
    sub = group.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "verifier",
        help="vérifier un annuaire des partenaires (CSV ou XLSX) et lister ses problèmes",
        description=(
            "Lit un annuaire des partenaires (modèle : data/partenaires/"
            "modele_annuaire_partenaires.csv) et indique, ligne par ligne, ce qui a été corrigé "
            "ou n'a pas pu être utilisé. Code de sortie : 0 fichier propre, 1 problèmes signalés "
            "(fichier utilisable), 2 fichier inutilisable."
        ),
    )
    p.add_argument("--fichier", required=True, metavar="FICHIER", help="annuaire (CSV ou XLSX)")
    p.add_argument(
        "--communes-table",
        nargs="+",
        metavar="CHEMIN",
        help=(
            "référentiels des communes du territoire (fichiers ou dossiers : contours "
            "communes-*.geojson, commune_bassin_bmo.csv, commune_clpe.csv...), "
            "ex. data/demo"
        ),
    )
    p.add_argument(
        "--limite",
        type=int,
        default=50,
        metavar="N",
        help="nombre de problèmes affichés (défaut : 50 ; --json les donne tous)",
    )
    add_strict_option(p)
    p.add_argument("--json", action="store_true", help="rapport complet en JSON")
    p.set_defaults(func=_verifier)
    t = sub.add_parser(
        "types",
        help="lister les types de partenaires, leurs domaines par défaut et priorités",
    )
    t.add_argument("--json", action="store_true", help="typologie en JSON")
    t.set_defaults(func=_types)
    register_import(sub)
