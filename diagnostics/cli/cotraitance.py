"""``territoire cotraitance ...``: the monthly steering committee's dashboard.

``territoire cotraitance tableau --dossier DIR --annee A --mois M --sortie DIR
[--seuil N] [--seuil-depassement P] [--regle-civis exclure|inclure] [--strict] [--json]``
reads a cotraitance folder (``structures``, ``flux``, ``objectifs`` and, when
present, ``besoins``, ``episodes``, ``periodes``, ``ressorts``: the layout of
``data/demo/cotraitance``, templates in ``data/cotraitance``), writes the
committee's tables (CSV ``;`` and XLSX, hidden cells ``s``), figures (PNG) and the
flow map (offline HTML) into ``--sortie``, all under disclosure control, and prints
a French summary of the alerts (:func:`diagnostics.cotraitance.alert_sentences`),
through the shared dashboard flow (:mod:`diagnostics.cli._dashboard`).

``--sortie`` may be neither the input folder nor a folder where an export would
replace another command's input (:mod:`diagnostics.cli._outputs`); ``--strict``
stops, writing nothing, when a row would be left out.

Exit codes: 0 done, 1 done but rows of the input files were left out (listed),
2 unusable input (missing folder, file or column, period not covered), refused or
unwritable output, or a row left out with ``--strict``.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import pandas as pd

from diagnostics import cotraitance as ct
from diagnostics.cli._dashboard import Dashboard, add_dashboard_options, run_dashboard

__all__ = ["register"]


def _month(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 12:
        raise argparse.ArgumentTypeError(f"mois {text!r} invalide (attendu un entier de 1 à 12)")
    return value


def _share(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(
            f"seuil de dépassement {text!r} invalide (attendu une part ≥ 0, ex. 0.10 pour 10 %)"
        )
    return value


def _read(args: argparse.Namespace) -> dict[str, pd.DataFrame]:
    return ct.read_cotraitance_folder(args.dossier, year=args.annee, month=args.mois)


def _compute(
    inputs: dict[str, pd.DataFrame], args: argparse.Namespace, threshold: int
) -> dict[str, Any]:
    return ct.cotraitance_section(
        **inputs,
        year=args.annee,
        month=args.mois,
        civis_rule=args.regle_civis,
        overrun_threshold=args.seuil_depassement,
        threshold=threshold,
    )


_DASHBOARD = Dashboard(
    read=_read,
    compute=_compute,
    summarize=lambda section, inputs, args: ct.alert_sentences(
        ct.alert_summary(section, inputs["structures"], year=args.annee, month=args.mois)
    ),
    facts=lambda args, section: {"annee": args.annee, "mois": args.mois},
    problems_key="lignes_ecartees",
    details=lambda section: {
        "alertes": json.loads(section["alertes"].to_json(orient="records", force_ascii=False))
    },
    figures="figures PNG",
    advice="Le tableau est produit sans ces lignes : corrigez-les dans les fichiers source.",
)


def _tableau(args: argparse.Namespace) -> int:
    return run_dashboard(args, _DASHBOARD)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``cotraitance`` command group."""
    group = subparsers.add_parser(
        "cotraitance", help="cotraitance avec les missions locales : tableau du comité de pilotage"
    )
    sub = group.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "tableau",
        help="produire les tableaux, figures et la carte du comité de pilotage mensuel",
        description=(
            "Lit un dossier de cotraitance (structures, flux, objectifs ; besoins, episodes, "
            "periodes, ressorts s'ils sont présents ; modèles dans data/cotraitance/), écrit "
            "les tableaux (CSV et XLSX), les figures (PNG) et la carte des flux (HTML hors "
            "ligne) sous secret statistique, et résume les alertes. Code de sortie : 0 "
            "terminé, 1 terminé avec des lignes écartées, 2 entrée inutilisable."
        ),
    )
    p.add_argument(
        "--dossier",
        required=True,
        metavar="DOSSIER",
        help="dossier des fichiers de cotraitance (ex. data/demo/cotraitance)",
    )
    p.add_argument("--annee", required=True, type=int, metavar="A", help="année de l'objectif")
    p.add_argument(
        "--mois", required=True, type=_month, metavar="M", help="dernier mois connu (1 à 12)"
    )
    p.add_argument("--sortie", required=True, metavar="DOSSIER", help="dossier des exports")
    add_dashboard_options(p)
    p.add_argument(
        "--seuil-depassement",
        type=_share,
        default=0.10,
        metavar="P",
        help="alerte si la projection dépasse l'objectif de plus de cette part (défaut : 0.10)",
    )
    p.add_argument(
        "--regle-civis",
        choices=sorted(ct.CIVIS_RULES),
        default="exclure",
        help="jeunes en CIVIS à l'initialisation : exclure (défaut) ou inclure dans l'objectif",
    )
    p.add_argument("--json", action="store_true", help="résumé en JSON")
    p.set_defaults(func=_tableau)
