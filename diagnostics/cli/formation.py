"""``territoire formation ...``: the training dashboard of a folder of training files.

``territoire formation tableau --dossier DIR --sortie DIR [--annee A] [--seuil N]
[--regle-reussite certification|fin_de_formation] [--strict] [--json]`` reads a training folder
(``sessions``, ``prescriptions`` and, when present, ``agences``, ``poe``,
``fap_rome``: the layout of ``data/demo/formation``, templates in
``data/formation``), writes every table of
:func:`diagnostics.training.training_section` (CSV ``;`` and XLSX, hidden cells
``s``), the funnel chart (PNG) and the flow map (offline HTML) into ``--sortie``,
all under disclosure control, and prints the French summary
(:func:`diagnostics.training.training_sentences`), through the shared dashboard flow
(:mod:`diagnostics.cli._dashboard`). Training against BMO needs needs a
territory and its BMO table: it is in the portrait and in ``formation.ipynb``.

``--sortie`` may be neither the input folder nor a folder where an export would
replace another command's input: the exports include ``flux.csv``, the name of a
cotraitance folder's flows (:mod:`diagnostics.cli._outputs`). ``--strict`` stops,
writing nothing, when a row would be set aside.

Exit codes: 0 done, 1 done but rows of the input files were reported (listed),
2 unusable input (missing folder, file or column), refused or unwritable output, or
a row set aside with ``--strict``.
"""

from __future__ import annotations

import argparse

from diagnostics import training as tr
from diagnostics.cli._dashboard import Dashboard, add_dashboard_options, run_dashboard

__all__ = ["register"]


_DASHBOARD = Dashboard(
    read=lambda args: tr.read_training_folder(args.dossier),
    compute=lambda inputs, args, threshold: tr.training_section(
        **inputs, year=args.annee, success_rule=args.regle_reussite, threshold=threshold
    ),
    summarize=lambda section, inputs, args: tr.training_sentences(tr.training_summary(section)),
    facts=lambda args, section: {"annee": section["annee"]},
    problems_key="lignes_signalees",
    figures="figure PNG",
    advice="Corrigez-les dans les fichiers source ; le tableau est produit sans elles.",
)


def _tableau(args: argparse.Namespace) -> int:
    return run_dashboard(args, _DASHBOARD)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``formation`` command group."""
    group = subparsers.add_parser(
        "formation", help="formation (Région, AFPA, POE) : tableau de suivi des prescriptions"
    )
    sub = group.add_subparsers(dest="action", metavar="ACTION")
    sub.required = True
    p = sub.add_parser(
        "tableau",
        help="produire les indicateurs des conventions AFPA et Région, les flux et la carte",
        description=(
            "Lit un dossier de formation (sessions, prescriptions ; agences, poe, fap_rome "
            "s'ils sont présents ; modèles dans data/formation/), écrit les tableaux (CSV et "
            "XLSX), l'entonnoir (PNG) et la carte des flux (HTML hors ligne) sous secret "
            "statistique, et en résume la lecture. Code de sortie : 0 terminé, 1 terminé avec "
            "des lignes signalées, 2 entrée inutilisable."
        ),
    )
    p.add_argument(
        "--dossier",
        required=True,
        metavar="DOSSIER",
        help="dossier des fichiers de formation (ex. data/demo/formation)",
    )
    p.add_argument("--sortie", required=True, metavar="DOSSIER", help="dossier des exports")
    p.add_argument(
        "--annee",
        type=int,
        default=None,
        metavar="A",
        help="année des prescriptions (défaut : la plus récente du fichier)",
    )
    add_dashboard_options(p)
    p.add_argument(
        "--regle-reussite",
        choices=sorted(tr.SUCCESS_RULES),
        default="certification",
        help="parcours réussi : certification (défaut) ou fin_de_formation",
    )
    p.add_argument("--json", action="store_true", help="résumé en JSON")
    p.set_defaults(func=_tableau)
