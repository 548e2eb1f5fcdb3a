"""``territoire partenaires importer``: a partner directory from the data·inclusion file.

``territoire partenaires importer --fichier F --sortie annuaire.csv [--departement D ...]
[--strict] [--json]`` reads the national open file of insertion structures published by
data·inclusion (CSV, XLSX, Parquet or JSON; ``territoire donnees telecharger
data_inclusion_structures`` downloads it), merges its duplicates and writes the partner
directory in the format of the template (``data/partenaires/``), which ``territoire
partenaires verifier`` and the portraits read.

Exit codes: 0 nothing to report, 1 problems reported (the directory is written),
2 unusable file or refused output.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections import Counter
from pathlib import Path

import pandas as pd

from diagnostics._readers.data_inclusion import _read_frame
from diagnostics._readers.partners import HEADER_LABELS
from diagnostics.cli._outputs import guard_output_file
from diagnostics.cli._strict import add_strict_option, check_strict
from diagnostics.partners import partners_from_data_inclusion
from geo import exports
from geo._errors import InputFileError, SchemaError, WorkbenchError
from geo.problems import problems_of

__all__ = ["register_import", "template_frame", "with_import_hint"]


def _cell(values: object) -> str:
    return "|".join(values) if isinstance(values, tuple) else ""


def template_frame(partners: pd.DataFrame) -> pd.DataFrame:
    """The tidy partner table in the columns and cell format of the directory template.

    French headers of the template, multi-valued cells joined by ``|``, decimal
    commas, dates ``JJ/MM/AAAA``, flags ``oui``/``non``: the file reads back with
    :func:`diagnostics.partners.read_partners`.
    """

    def decimal(column: str) -> list[str]:
        return [
            "" if pd.isna(v) else f"{v:.6f}".rstrip("0").rstrip(".").replace(".", ",")
            for v in partners[column]
        ]

    text = {c: partners[c].astype(object).where(partners[c].notna(), "") for c in partners}
    return pd.DataFrame(
        {
            HEADER_LABELS["partenaire_id"]: text["partenaire_id"],
            HEADER_LABELS["nom"]: text["nom"],
            HEADER_LABELS["type"]: text["type"],
            HEADER_LABELS["siret"]: text["siret"],
            HEADER_LABELS["commune"]: text["commune"],
            HEADER_LABELS["latitude"]: decimal("latitude"),
            HEADER_LABELS["longitude"]: decimal("longitude"),
            HEADER_LABELS["ressort"]: [_cell(v) for v in partners["ressort_communes"]],
            HEADER_LABELS["domaines"]: [_cell(v) for v in partners["domaines"]],
            HEADER_LABELS["publics"]: [_cell(v) for v in partners["publics"]],
            HEADER_LABELS["operant"]: ["oui" if v else "non" for v in partners["operant"]],
            HEADER_LABELS["majeur"]: ["oui" if v else "non" for v in partners["majeur"]],
            HEADER_LABELS["reseau"]: text["reseau"],
            HEADER_LABELS["date_verification"]: [
                "" if pd.isna(v) else v.strftime("%d/%m/%Y") for v in partners["date_verification"]
            ],
            HEADER_LABELS["source"]: text["source"],
        }
    )


def with_import_hint(error: WorkbenchError, path: Path) -> WorkbenchError:
    """``error`` with the way to import ``path`` when it is a data·inclusion file.

    ``territoire partenaires verifier`` reads the analyst's directory; given the
    data·inclusion national file instead, its message then says to import it first.
    """
    if not isinstance(error, SchemaError | InputFileError):
        return error
    try:
        columns = set(_read_frame(path)[0].columns)
    except Exception:  # whatever could not be read: keep the reader's own message
        return error
    if not ({"id", "nom"} <= columns and columns & {"reseaux_porteurs", "typologie"}):
        return error
    message = (
        f"{error} Ce fichier est le fichier des structures de data·inclusion : importez-le "
        f"d'abord avec territoire partenaires importer --fichier {path} --sortie "
        "annuaire.csv, puis vérifiez annuaire.csv."
    )
    if isinstance(error, SchemaError):
        return SchemaError(message, problems=getattr(error, "problems", None))
    return InputFileError(message)


def _importer(args: argparse.Namespace) -> int:
    source, output = Path(args.fichier), Path(args.sortie)
    guard_output_file(
        output, option="--sortie", inputs=[("--fichier", source)], example="annuaire.csv"
    )
    partners = partners_from_data_inclusion(source, departements=args.departement)
    report = problems_of(partners)
    check_strict(report, strict=args.strict)
    exports.save_table(template_frame(partners), output)
    code = 1 if report else 0
    merges = partners.attrs["fusions"]
    if args.json:
        payload = {
            "fichier": source.name,
            "sortie": str(output),
            "schema": partners.attrs["schema"],
            "structures": len(partners),
            "fusions": len(merges),
            "types": dict(Counter(partners["type"]).most_common()),
            "problemes": [dataclasses.asdict(p) for p in report],
            "code_sortie": code,
        }
        print(json.dumps(payload, ensure_ascii=False, indent=2))
        return code
    print(
        f"{len(partners)} structure(s) écrite(s) dans {output} (schéma data·inclusion "
        f"{partners.attrs['schema']}, {len(merges)} doublon(s) fusionné(s))."
    )
    if report:
        print(f"\n{len(report)} problème(s) signalé(s) :")
        for line in report.lines()[: args.limite]:
            print(f"- {line}")
        if len(report) > args.limite:
            print(f"… et {len(report) - args.limite} autre(s) : --json les donne tous.")
    return code


def register_import(sub: argparse._SubParsersAction) -> None:
    """Add ``importer`` to the ``partenaires`` command group."""
    p = sub.add_parser(
        "importer",
        help="annuaire des partenaires tiré du fichier national des structures data·inclusion",
        description=(
            "Lit le fichier national des structures d'insertion publié chaque semaine par "
            "data·inclusion (CSV, XLSX, Parquet ou JSON, schéma v1 « reseaux_porteurs » ou "
            "ancien schéma « typologie » ; téléchargement : territoire donnees telecharger "
            "data_inclusion_structures), rattache chaque structure à un type de partenaire "
            "(table data/partenaires/data_inclusion_types.csv), fusionne les doublons entre "
            "sources (même SIRET dans la même commune, puis même nom normalisé dans la même "
            "commune) et écrit l'annuaire au format du modèle data/partenaires/. Code de "
            "sortie : 0 rien à signaler, 1 problèmes signalés (annuaire écrit), 2 fichier "
            "inutilisable."
        ),
    )
    p.add_argument("--fichier", required=True, metavar="FICHIER", help="fichier des structures")
    p.add_argument(
        "--sortie",
        required=True,
        metavar="FICHIER",
        help="annuaire écrit (.csv, ou .xlsx) ; jamais le fichier lu",
    )
    p.add_argument(
        "--departement",
        nargs="+",
        metavar="D",
        help="ne garder que les structures de ce(s) département(s), ex. 44 85",
    )
    p.add_argument(
        "--limite",
        type=int,
        default=50,
        metavar="N",
        help="nombre de problèmes affichés (défaut : 50 ; --json les donne tous)",
    )
    add_strict_option(p)
    p.add_argument("--json", action="store_true", help="résumé et problèmes en JSON")
    p.set_defaults(func=_importer)
