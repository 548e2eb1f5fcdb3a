"""The partner workshop: filter, map and position the partners of a territory, record decisions.

A facilitator runs it in a partner workshop, served by Voilà from
``notebooks/atelier_partenaires.ipynb`` so that nobody sees code::

    voila notebooks/atelier_partenaires.ipynb

Four controls (territory, domain, client situation, partner type) drive the
views that update together: the map of the partner sites (:func:`map_partners`,
offline, in an ``iframe``), the positioning grid of the territory
(:func:`positioning_grid`), the list of its partners with their role in the
chosen cell and their last decision, and — when the configuration names a
partnerships registry — the network of the territory's actors (:func:`workshop_network`, an
offline force layout in an ``iframe``, with its reading in plain French). A form
records, for one partner, its role on the grid, a priority and a decision (garder,
développer, arrêter) with a mandatory justification.

Nothing typed is lost
---------------------
Each record is written at once to the input files, never kept only in memory:

- the decision is appended to ``decisions_atelier.csv`` beside the partner
  directory (columns :data:`DECISION_COLUMNS`; one row per decision, the history
  is kept, the last row of a partner and territory is its current decision);
- a role changed on the grid is written into the positioning file of the
  configuration (``partenaires.positionnement``; when it names none,
  :data:`POSITIONING_FILE` beside the configuration, created at the first role):
  the row of the actor and cell is updated or added, or removed with *Retirer de
  la case*, keeping its separator, encoding, columns and other rows as they were;
- before any write, the previous version of the file is copied into a
  ``sauvegardes_atelier/`` folder beside it, its name stamped with the time
  (:func:`backup_file`); files are replaced atomically and keep their mode (a file
  shared with colleagues stays readable by them), a new file gets the folder's
  usual mode;
- a decision and its role are saved together or not at all
  (:func:`save_decision_and_role`): saving again after a failure never records the
  decision twice;
- a cell a spreadsheet would evaluate (a partner named ``=HYPERLINK(...)``, a
  justification starting with ``+`` or ``-``) is written with a quote in front
  (:mod:`geo.exports`) and read back without it.

The workshop writes only its decisions file and the positioning file; it never
writes the partner directory nor the referentials. A read-only file or folder is
refused, not replaced. A record that cannot be saved (missing justification, file
opened elsewhere or read-only) leaves the form as it was and says why in French.

Data
----
:func:`load_workshop_data` reads the inputs of a portrait configuration (the
demonstration territory by default; the environment variable :data:`CONFIG_ENV`,
when set, names another one): the referentials and commune polygons, the partner
directory, the positioning, the France Travail sites (drawn on the map) and the
network files (``partenariats.registre``, ``partenariats.unites``,
``partenariats.flux``). Without a partner directory (public data only), the
workshop says so and shows the map of the territory and its France Travail sites.

Partners of a territory are those whose ressort (:func:`~diagnostics.partners.partner_ressort`) or site
commune lies in it. The client situation keeps the partners positioned on that
situation in the territory, those whose publics match it
(:data:`SITUATION_PUBLICS`, the workbench's own correspondence) and those whose
publics are not recorded (unknown is not excluded).
"""

from __future__ import annotations

import csv
import datetime as _dt
import errno
import html
import io
import os
import re
import secrets
import shutil
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from diagnostics._readers.positioning import INPUT_COLUMNS as _POSITIONING_HEADERS
from diagnostics.coverage import map_partners
from diagnostics.network import NetworkSection, network_section, partner_network
from diagnostics.partners import DOMAINS
from diagnostics.portrait.config import PortraitConfig, read_portrait_config, required_inputs
from diagnostics.portrait.inputs import portrait_inputs
from diagnostics.portrait.notebook import missing_note
from diagnostics.positioning import (
    CLIENT_SITUATIONS,
    POSITIONING_DOMAINS,
    POSITIONING_ROLES,
    positioning_grid,
    read_positioning,
    validate_positioning,
)
from geo import settings
from geo import territories as _territories
from geo._errors import InputFileError, SchemaError, WorkbenchError
from geo.exports import neutralize_cell, neutralize_formulas, restore_formulas
from geo.maps import bounds_of, iframe_html, self_contained_html
from geo.problems import ProblemReport, attach_problems, collect_problems
from geo.tables import normalize_header, read_table

__all__ = [
    "CONFIG_ENV",
    "POSITIONING_FILE",
    "DECISIONS",
    "PRIORITIES",
    "DECISION_COLUMNS",
    "DECISIONS_FILE",
    "BACKUP_FOLDER",
    "SITUATION_PUBLICS",
    "WorkshopData",
    "workshop_configuration",
    "load_workshop_data",
    "read_decisions",
    "workshop_partners",
    "workshop_positioning",
    "workshop_network",
    "backup_file",
    "save_decision",
    "save_role",
    "save_decision_and_role",
    "PartnerWorkshop",
    "partner_workshop",
]

#: Environment variable naming the configuration of the workshop; when set, it replaces the
#: configuration given (Voilà passes no parameter to the notebook).
CONFIG_ENV = "ATELIER_CONFIGURATION"

#: Positioning file the workshop creates beside the configuration when it names none.
POSITIONING_FILE = "positionnement_atelier.csv"

#: Decisions on a partner (code → French label).
DECISIONS: dict[str, str] = {
    "garder": "Garder",
    "developper": "Développer",
    "arreter": "Arrêter",
}

#: Priorities of a partner (code → French label).
PRIORITIES: dict[str, str] = {
    "haute": "Haute",
    "moyenne": "Moyenne",
    "basse": "Basse",
}

#: Columns of the decisions file, in order. ``role`` is the partner's role in the
#: cell after the decision (``retire`` when it was removed, empty when no cell was
#: given or the cell has no role); ``horodatage`` is ISO 8601, to the second.
DECISION_COLUMNS: tuple[str, ...] = (
    "horodatage",
    "territoire",
    "partenaire_id",
    "nom",
    "domaine",
    "situation",
    "role",
    "priorite",
    "decision",
    "justification",
    "auteur",
)

#: Name of the decisions file, written beside the partner directory.
DECISIONS_FILE = "decisions_atelier.csv"

#: Folder, beside each file written, that receives the timestamped backups.
BACKUP_FOLDER = "sauvegardes_atelier"

#: Publics (:data:`diagnostics.partners.PUBLICS`) matching each client situation of
#: the grid, to filter the partner list. The workbench's own correspondence, not
#: the report's: partners positioned on the situation are kept whatever their publics.
SITUATION_PUBLICS: dict[str, tuple[str, ...]] = {
    "primo_accedant": ("jeunes", "jeunes_diplomes", "decrocheurs", "etudiants"),
    "eloigne_emploi": (
        "personnes_eloignees_emploi",
        "beneficiaires_rsa",
        "demandeurs_longue_duree",
        "personnes_handicapees",
        "personnes_sous_main_de_justice",
        "etrangers_primo_arrivants",
        "habitants_qpv",
    ),
    "retour_emploi": (
        "demandeurs_emploi",
        "demandeurs_longue_duree",
        "seniors",
        "cadres",
        "licencies_economiques",
        "femmes",
    ),
    "createur_entreprise": ("createurs",),
    "reconversion": ("salaries_reconversion", "licencies_economiques"),
    "besoin_recrutement": ("employeurs",),
    "besoin_accompagnement": ("employeurs",),
}

_POSITIONING_HEADER = (
    "territoire",
    "acteur",
    "domaine",
    "situation",
    "role",
    "commentaire",
    "date_verification",
)
_ALL = ""
_KEEP_ROLE = ""
_REMOVE_ROLE = "retire"


# ---------------------------------------------------------------------- data


@dataclass
class WorkshopData:
    """Everything the workshop shows, read through a portrait configuration.

    Attributes
    ----------
    config
        The configuration (:func:`~diagnostics.portrait.read_portrait_config`).
    folder
        Folder of the configuration (its relative paths start there).
    level
        Level of the territories offered (``bassin`` by default).
    partners_path
        The partner directory (``None`` when the configuration names none).
    positioning_path, decisions_path
        Files written back: the configured positioning file (else
        :data:`POSITIONING_FILE` beside the configuration) and
        :data:`DECISIONS_FILE` beside the partner directory (else beside the
        configuration).
    communes
        Commune table (:func:`geo.territories.commune_table`).
    polygons
        Commune polygons, simplified (``commune, commune_nom, geometry``, WGS84).
    territories
        Territories of ``level`` with commune polygons: ``code, nom, nb_communes, population``.
    partners
        Partner directory (:func:`diagnostics.partners.read_partners`), ``None``
        when the configuration has none: the workshop then shows the map of the
        territory and its France Travail sites, and records nothing.
    ressort
        ``partenaire_id, commune``: the communes each partner serves (``None``
        without a directory).
    positioning
        Roles on the grid (:func:`diagnostics.positioning.read_positioning`).
    decisions
        Decisions recorded so far (:func:`read_decisions`).
    partnerships, units, partner_flows
        Partnerships registry, France Travail units (the units file, else the
        sites) and flows between actors (:mod:`diagnostics.partnerships`), for
        the network view; ``None`` when not configured or unreadable.
    sites
        France Travail sites (``partenaires.sites_france_travail``), drawn on the
        map; ``None`` when not configured or unreadable.
    notes
        French notes on the inputs the workshop lacks (shown above the views).
    """

    config: PortraitConfig = field(repr=False)
    folder: Path
    level: str
    partners_path: Path | None
    positioning_path: Path
    decisions_path: Path
    communes: pd.DataFrame = field(repr=False)
    polygons: gpd.GeoDataFrame = field(repr=False)
    territories: pd.DataFrame = field(repr=False)
    partners: pd.DataFrame | None = field(repr=False)
    ressort: pd.DataFrame | None = field(repr=False)
    positioning: pd.DataFrame = field(repr=False)
    decisions: pd.DataFrame = field(repr=False)
    partnerships: pd.DataFrame | None = field(default=None, repr=False)
    units: pd.DataFrame | None = field(default=None, repr=False)
    partner_flows: pd.DataFrame | None = field(default=None, repr=False)
    sites: pd.DataFrame | None = field(default=None, repr=False)
    notes: list[str] = field(default_factory=list, repr=False)

    def problems(self) -> ProblemReport:
        """What the readers reported in the workshop's files, in one report.

        Examples
        --------
        >>> load_workshop_data().problems().lines()
        []
        """
        return collect_problems(
            {
                "partenaires": self.partners,
                "positionnement": self.positioning,
                "decisions": self.decisions,
                "partenariats": self.partnerships,
                "unites": self.units,
                "flux_partenaires": self.partner_flows,
            }
        )

    def reload(self) -> None:
        """Read the positioning and decisions files again (after a record)."""
        self.positioning = _read_positioning_file(self.positioning_path, self.partners)
        self.decisions = read_decisions(self.decisions_path)

    def territory_key(self, code: str) -> str:
        """``"<level>:<code>"``, as written in the positioning file."""
        return f"{self.level}:{code}"

    def territory_communes(self, code: str) -> pd.Series:
        """Codes of the communes of territory ``code``."""
        return self.communes.loc[self.communes[self.level] == code, "commune"].astype(str)

    def territory_code(self, code: str) -> str:
        """The code of the territory ``code`` of :attr:`level`, given as a code or a name.

        Raises
        ------
        UnknownTerritoryError
            Neither a code nor a name of a territory of the configuration.

        Examples
        --------
        >>> load_workshop_data().territory_code("Vegicourt")
        '9901'
        """
        return portrait_inputs(self.config).territory(self.level, code).code


def workshop_configuration(config: str | Path | None = None) -> Path:
    """The workshop's configuration: :data:`CONFIG_ENV` when set, else ``config``, else the demo.

    Voilà passes no parameter to the notebook: the environment variable is the way
    to open the workshop on another configuration
    (``ATELIER_CONFIGURATION=config.toml voila notebooks/atelier_partenaires.ipynb``),
    so it replaces the configuration given.

    Examples
    --------
    >>> import os
    >>> os.environ.pop(CONFIG_ENV, None) and None
    >>> workshop_configuration("/tmp/atelier.toml").as_posix()
    '/tmp/atelier.toml'
    >>> workshop_configuration().name
    'portrait.toml'
    """
    chosen = os.environ.get(CONFIG_ENV, "") or config or ""
    return Path(chosen) if str(chosen) else settings.demo_dir() / "portrait.toml"


def _read_positioning_file(path: Path, partners: pd.DataFrame | None) -> pd.DataFrame:
    if not path.is_file():
        return validate_positioning(
            pd.DataFrame(columns=list(_POSITIONING_HEADER)), source=path.name
        )
    return read_positioning(path, partners=partners)


def load_workshop_data(
    config: str | Path | PortraitConfig | None = None,
    *,
    level: str = "bassin",
    files: Mapping[str, str | Path | None] | None = None,
) -> WorkshopData:
    """Read the inputs of a workshop from a portrait configuration.

    The workshop reads the referentials, the partner directory
    (``partenaires.annuaire``), the positioning (``partenaires.positionnement``),
    the France Travail sites and the network files (``partenariats.registre``,
    ``partenariats.unites``, ``partenariats.flux``) of the configuration. It
    writes the roles into the configured positioning file, or, when the
    configuration names none, into :data:`POSITIONING_FILE` beside the
    configuration (created at the first role; name it in the configuration to use
    it in the portraits); the decisions go to :data:`DECISIONS_FILE` beside the
    partner directory.

    Parameters
    ----------
    config
        The TOML configuration of the portraits (see :func:`workshop_configuration`).
    level
        Level of the territories offered: ``bassin``, ``zone_emploi``, ``clpe``,
        ``departement`` or ``region``.
    files
        Inputs replacing those of the configuration (key → path, ``None`` to drop
        one; relative paths against the current folder), as
        :func:`~diagnostics.portrait.load_territory`.

    Returns
    -------
    WorkshopData
        Without a partner directory, ``partners`` is ``None`` and ``notes`` says
        what is missing.

    Raises
    ------
    InputFileError
        The configuration, or its commune polygons, is missing; or the
        positioning file would be the partner directory.
    SchemaError
        The configuration cannot list the territories of ``level``.

    Examples
    --------
    >>> data = load_workshop_data()
    >>> data.level, len(data.territories), data.decisions_path.name
    ('bassin', 10, 'decisions_atelier.csv')
    """
    if not isinstance(config, PortraitConfig):
        config = read_portrait_config(workshop_configuration(config))
    config = config.with_overrides(files)
    required_inputs(config, level)
    inputs = portrait_inputs(config)
    inputs.check_level(level)
    folder = config.path.parent if config.path else Path.cwd()
    communes = inputs.commune_table()
    polygons = inputs.commune_shapes()
    if polygons is None:
        raise InputFileError(
            f"Configuration {config.path or ''} : contours des communes indisponibles "
            f"({inputs.problem('referentiels.communes_polygones')}). L'atelier en a besoin pour "
            "ses cartes : nommez les fichiers GeoJSON des communes dans l'entrée "
            "`communes_polygones` de la section `[referentiels]`."
        )
    listing = inputs.list_territories(level)
    drawn = set(communes.loc[communes["commune"].isin(set(polygons["commune"])), level].dropna())
    listing = listing[listing["code"].isin(drawn)].reset_index(drop=True)

    directory = inputs.get("partenaires.annuaire")
    partners_path = next(iter(config.files("partenaires.annuaire")), None)
    positioning_path = next(
        iter(config.files("partenaires.positionnement")), folder / POSITIONING_FILE
    )
    decisions_path = (partners_path.parent if partners_path else folder) / DECISIONS_FILE
    if partners_path is not None:
        _check_own_files(partners_path, positioning_path, decisions_path)
    notes = []
    if directory is None:
        note = missing_note(
            inputs,
            "partenaires.annuaire",
            pour="la liste des partenaires, leur positionnement et l'enregistrement des décisions",
        )
        shown = (
            "L'atelier montre la carte des communes du territoire et ses sites France Travail."
            if inputs.get("partenaires.sites_france_travail") is not None
            else "L'atelier montre la carte des communes du territoire."
        )
        notes.append(f"{note} {shown}")
    return WorkshopData(
        config=config,
        folder=folder,
        level=level,
        partners_path=partners_path,
        positioning_path=positioning_path,
        decisions_path=decisions_path,
        communes=communes,
        polygons=polygons,
        territories=listing,
        partners=directory,
        ressort=inputs.ressort(),
        positioning=_read_positioning_file(positioning_path, directory),
        decisions=read_decisions(decisions_path),
        partnerships=inputs.get("partenariats.registre"),
        units=inputs.pole_emploi_units(),
        partner_flows=inputs.get("partenariats.flux"),
        sites=inputs.get("partenaires.sites_france_travail"),
        notes=notes,
    )


def _check_own_files(partners: Path, positioning: Path, decisions: Path) -> None:
    """Refuse names that would make the workshop write over the partner directory."""
    if partners.resolve() in (positioning.resolve(), decisions.resolve()):
        raise InputFileError(
            f"{partners.name} est l'annuaire des partenaires : l'atelier ne l'écrit jamais, "
            f"il enregistre les rôles dans le fichier de positionnement et les décisions dans "
            f"{DECISIONS_FILE}. Nommez un autre fichier de positionnement (entrée "
            "`positionnement` de la section `[partenaires]` de la configuration)."
        )
    if positioning.resolve() == decisions.resolve():
        raise InputFileError(
            f"{positioning.name} est le fichier des décisions de l'atelier : nommez un autre "
            "fichier de positionnement (entrée `positionnement` de la section `[partenaires]` "
            "de la configuration)."
        )


def read_decisions(path: str | Path) -> pd.DataFrame:
    """Read a decisions file; an absent file is an empty table.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DECISION_COLUMNS`, all ``string``, in the order written;
        ``attrs["problemes"]``: an empty :class:`geo.problems.ProblemReport` (no row
        is set aside), so :meth:`WorkshopData.problems` reads every file alike.

    Examples
    --------
    >>> read_decisions("/nonexistent/decisions_atelier.csv").columns.tolist()[:3]
    ['horodatage', 'territoire', 'partenaire_id']
    """
    path = Path(path)
    report = ProblemReport(path.name)
    if not path.is_file():
        empty = pd.DataFrame({c: pd.Series(dtype="string") for c in DECISION_COLUMNS})
        return attach_problems(empty, report)
    table = read_table(path)
    missing = [c for c in DECISION_COLUMNS if c not in table.columns]
    if missing:
        raise SchemaError(
            f"{path.name} : colonne(s) {', '.join(missing)} absente(s) (colonnes trouvées : "
            f"{', '.join(map(str, table.columns))}). Ce fichier n'est pas un fichier de "
            "décisions de l'atelier : renommez-le, l'atelier en créera un nouveau.",
            problems=[f"colonne {c} absente" for c in missing],
        )
    decisions = table[list(DECISION_COLUMNS)].astype("string").reset_index(drop=True)
    decisions = restore_formulas(decisions)  # the workshop quotes formula-like cells
    return attach_problems(decisions, report)


# ---------------------------------------------------------------- selections


def _contains(values: Any, wanted: str | tuple[str, ...]) -> bool:
    items = tuple(values) if isinstance(values, tuple | list) else ()
    wanted = (wanted,) if isinstance(wanted, str) else wanted
    return any(v in wanted for v in items)


def workshop_positioning(
    data: WorkshopData,
    territory: str,
    *,
    domain: str | None = None,
    situation: str | None = None,
    partner_type: str | None = None,
) -> pd.DataFrame:
    """Rows of the positioning of ``territory`` in the chosen domain, situation and type.

    Pôle emploi's rows are kept whatever the partner type.

    Examples
    --------
    >>> data = load_workshop_data()
    >>> rows = workshop_positioning(data, "9901", domain="orientation")
    >>> sorted(rows["domaine"].unique())
    ['orientation']
    """
    rows = data.positioning.loc[data.positioning["territoire"] == data.territory_key(territory)]
    if domain:
        rows = rows.loc[rows["domaine"] == domain]
    if situation:
        rows = rows.loc[rows["situation"] == situation]
    if partner_type and data.partners is not None:
        types = data.partners.set_index("partenaire_id")["type"]
        of_type = rows["acteur"].map(types) == partner_type
        rows = rows.loc[of_type.fillna(False).astype(bool) | ~rows["acteur"].isin(types.index)]
    return rows.reset_index(drop=True)


def workshop_network(data: WorkshopData, code: str) -> NetworkSection | None:
    """The network of the actors of territory ``code`` (``None`` without a registry).

    Partners sited in the territory or whose ressort meets it, the other parties of
    their partnerships in force (status running, evaluated or renegotiated), the
    flows between them, and the declared pivots of the territory's positioning
    (:func:`diagnostics.network.partner_network`, :func:`diagnostics.network.network_section`).

    Examples
    --------
    >>> section = workshop_network(load_workshop_data(), "9901")
    >>> section.reading[0].startswith("Le réseau compte")
    True
    """
    if data.partnerships is None or data.partners is None:
        return None
    roles = data.positioning
    roles = roles[roles["territoire"] == data.territory_key(code)] if len(roles) else roles
    graph = partner_network(
        data.partners,
        data.partnerships,
        flows=data.partner_flows,
        units=data.units,
        positioning=roles if len(roles) else None,
        communes=data.territory_communes(code).tolist(),
    )
    return network_section(graph)


def workshop_partners(
    data: WorkshopData,
    territory: str,
    *,
    domain: str | None = None,
    situation: str | None = None,
    partner_type: str | None = None,
) -> pd.DataFrame:
    """Partners of ``territory`` for the chosen domain, situation and type.

    Parameters
    ----------
    data
        Workshop data (:func:`load_workshop_data`).
    territory
        Code of a territory of ``data.level``.
    domain
        A key of :data:`~diagnostics.positioning.POSITIONING_DOMAINS`: partners
        active in it (column ``domaines``) or positioned on it.
    situation
        A key of :data:`~diagnostics.positioning.CLIENT_SITUATIONS`: partners
        positioned on it, serving its publics (:data:`SITUATION_PUBLICS`) or whose
        publics are not recorded.
    partner_type
        A partner type code.

    Returns
    -------
    pandas.DataFrame
        The partner directory's rows (sorted by name) plus ``roles`` (the
        partner's roles in the territory, restricted to the domain and situation,
        as French text), ``decision``, ``priorite``, ``justification`` (its last
        decision in the territory, or missing).

    Examples
    --------
    >>> data = load_workshop_data()
    >>> all_ = workshop_partners(data, "9901")
    >>> training = workshop_partners(data, "9901", domain="formation")
    >>> 0 < len(training) < len(all_)
    True
    """
    if data.partners is None or data.ressort is None:  # no directory: no partner
        return pd.DataFrame(
            {c: pd.Series(dtype="string") for c in ("partenaire_id", "nom", "type", "commune")}
        )
    communes = set(data.territory_communes(territory))
    serving = set(data.ressort.loc[data.ressort["commune"].isin(communes), "partenaire_id"])
    partners = data.partners
    inside = partners["partenaire_id"].isin(serving) | partners["commune"].isin(communes)
    rows = workshop_positioning(data, territory, domain=domain, situation=situation)
    positioned = set(rows["acteur"])
    keep = inside.fillna(False).to_numpy(dtype=bool).copy()
    if domain:
        active = partners["domaines"].map(lambda v: _contains(v, domain)).to_numpy(dtype=bool)
        keep &= active | partners["partenaire_id"].isin(positioned).to_numpy(dtype=bool)
    if situation:
        wanted = SITUATION_PUBLICS.get(situation, ())
        fits = partners["publics"].map(lambda v: _contains(v, wanted) or not v)
        keep &= fits.to_numpy(dtype=bool) | partners["partenaire_id"].isin(positioned).to_numpy(
            dtype=bool
        )
    if partner_type:
        keep &= (partners["type"] == partner_type).fillna(False).to_numpy(dtype=bool)
    out = partners.loc[keep].copy()
    roles = (
        rows.assign(
            texte=rows["role"].map(POSITIONING_ROLES)
            + " ("
            + rows["domaine"].map(POSITIONING_DOMAINS)
            + " × "
            + rows["situation"].map(CLIENT_SITUATIONS)
            + ")"
        )
        .groupby("acteur")["texte"]
        .agg(" ; ".join)
    )
    out["roles"] = out["partenaire_id"].map(roles).astype("string")
    decided = data.decisions.loc[data.decisions["territoire"] == data.territory_key(territory)]
    last = decided.drop_duplicates("partenaire_id", keep="last").set_index("partenaire_id")
    for column in ("decision", "priorite", "justification"):
        out[column] = out["partenaire_id"].map(last[column]).astype("string")
    return out.sort_values(["nom", "partenaire_id"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------- writing


def _now() -> _dt.datetime:
    return _dt.datetime.now().astimezone()


def backup_file(path: str | Path, *, now: _dt.datetime | None = None) -> Path | None:
    r"""Copy ``path`` into ``sauvegardes_atelier/`` beside it, the time in its name.

    Returns
    -------
    pathlib.Path or None
        The copy (``<stem>_<AAAAMMJJ-HHMMSS-µs><suffix>``), or ``None`` when
        ``path`` does not exist yet.

    Examples
    --------
    >>> import tempfile, datetime
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "positionnement.csv").write_text("territoire\n", encoding="utf-8")
    >>> copy = backup_file(folder / "positionnement.csv", now=datetime.datetime(2026, 3, 14, 9, 30))
    >>> copy.relative_to(folder).as_posix()
    'sauvegardes_atelier/positionnement_20260314-093000-000000.csv'
    """
    path = Path(path)
    if not path.is_file():
        return None
    stamp = (now or _now()).strftime("%Y%m%d-%H%M%S-%f")
    target = path.parent / BACKUP_FOLDER / f"{path.stem}_{stamp}{path.suffix}"
    target.parent.mkdir(exist_ok=True)
    shutil.copy2(path, target)
    return target


@dataclass(frozen=True)
class _Pending:
    """A file to write: its path and its new content."""

    path: Path
    text: str
    encoding: str


def _os_reason(exc: OSError) -> str:
    """A French reason for an operating-system error (its English text never shown)."""
    if isinstance(exc, PermissionError):
        return "droits insuffisants"
    if isinstance(exc, FileNotFoundError):
        return "dossier introuvable"
    reasons = {
        errno.ENOSPC: "disque plein",
        errno.EROFS: "disque en lecture seule",
        errno.EDQUOT: "quota du disque atteint",
        errno.EBUSY: "fichier occupé par un autre programme",
    }
    return reasons.get(exc.errno or 0, f"erreur du système n° {exc.errno}")


def _read_only(path: Path) -> bool:
    """Whether ``path`` is marked read-only (no write bit) or not writable by us."""
    mode = path.stat().st_mode
    return not mode & 0o222 or not os.access(path, os.W_OK)


def _check_writable(path: Path) -> None:
    """Refuse a read-only file, or a read-only folder, before anything is written."""
    retry = "puis enregistrez à nouveau : la saisie est conservée dans le formulaire."
    if path.exists() and _read_only(path):
        raise InputFileError(
            f"{path} est en lecture seule : l'atelier ne le remplace pas. Retirez la "
            "lecture seule (propriétés du fichier) ou demandez le droit d'écrire à son "
            f"propriétaire, {retry}"
        )
    folder = next((p for p in (path.parent, *path.parent.parents) if p.exists()), None)
    if folder is not None and _read_only(folder):
        raise InputFileError(
            f"Dossier {folder} en lecture seule : l'atelier ne peut pas y enregistrer "
            f"{path.name}. Demandez le droit d'écrire dans ce dossier, ou copiez les données "
            f"dans un dossier où vous pouvez écrire et ouvrez l'atelier sur cette copie, {retry}"
        )


def _temporary(path: Path, content: bytes) -> Path:
    """Write ``content`` beside ``path`` in a new file with the mode ``path`` will keep.

    The mode of an existing ``path`` is copied (a shared 0644 file stays 0644); a new
    file gets the usual mode of the folder (0666 less the umask), never owner-only.
    """
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    handle = os.open(temporary, flags, 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        if path.exists():
            os.chmod(temporary, stat.S_IMODE(path.stat().st_mode))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def _write_together(pending: list[_Pending], now: _dt.datetime) -> list[Path | None]:
    """Write every file of ``pending``, or none: back up, write aside, then replace.

    Each file is written to a temporary file of its folder, then put in place; when a
    replacement fails, the files already replaced get their previous content back,
    so a retry never duplicates a record. Returns the backups (:func:`backup_file`).
    """
    for item in pending:
        _check_writable(item.path)
    temporaries: list[Path] = []
    replaced: list[tuple[Path, bytes | None]] = []
    current = pending[0].path
    try:
        backups = []
        for item in pending:
            current = item.path
            item.path.parent.mkdir(parents=True, exist_ok=True)
            backups.append(backup_file(item.path, now=now))
            temporaries.append(_temporary(item.path, item.text.encode(item.encoding)))
        for item, temporary in zip(pending, temporaries, strict=True):
            current = item.path
            before = item.path.read_bytes() if item.path.exists() else None
            os.replace(temporary, item.path)
            replaced.append((item.path, before))
    except OSError as exc:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        kept = _undo(replaced)
        raise InputFileError(
            f"{current} : écriture impossible ({_os_reason(exc)}). Fermez le fichier s'il est "
            "ouvert dans un tableur, vérifiez les droits du dossier, puis enregistrez à nouveau : "
            f"la saisie est conservée dans le formulaire.{kept}"
        ) from exc
    return backups


def _undo(replaced: list[tuple[Path, bytes | None]]) -> str:
    """Give the replaced files their previous content back; say what could not be."""
    lost = []
    for path, before in reversed(replaced):
        try:
            if before is None:
                path.unlink(missing_ok=True)
            else:
                os.replace(_temporary(path, before), path)
        except OSError:
            lost.append(path.name)
    if not lost:
        return " Aucun fichier n'a été modifié."
    return (
        f" Attention : {', '.join(lost)} n'a pas pu être remis dans son état précédent ; "
        f"reprenez sa dernière version dans {BACKUP_FOLDER}/."
    )


def _one_line_break(value: Any) -> Any:
    """A text's carriage returns written as line feeds.

    The csv module, ending rows with LF, does not quote a lone CR: the row would be
    split in two when read back.
    """
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def _check_record(record: Mapping[str, Any]) -> dict[str, str]:
    values = {
        c: "" if record.get(c) is None else str(record.get(c)).strip() for c in DECISION_COLUMNS
    }
    problems = []
    if not values["partenaire_id"]:
        problems.append("choisissez un partenaire")
    if not values["territoire"]:
        problems.append("choisissez un territoire")
    if values["decision"] not in DECISIONS:
        problems.append(
            f"décision « {values['decision']} » inconnue ; valeurs possibles : "
            f"{', '.join(DECISIONS)}"
        )
    if values["priorite"] not in PRIORITIES:
        problems.append(
            f"priorité « {values['priorite']} » inconnue ; valeurs possibles : "
            f"{', '.join(PRIORITIES)}"
        )
    if not values["justification"]:
        problems.append(
            "la justification est obligatoire : écrivez pourquoi ce choix est fait "
            "(le rapport demande à chaque niveau de justifier ses choix)"
        )
    if problems:
        raise SchemaError(
            "Décision non enregistrée : " + " ; ".join(problems) + ".", problems=problems
        )
    return values


def save_decision(
    path: str | Path, record: Mapping[str, Any], *, now: _dt.datetime | None = None
) -> Path | None:
    """Append one decision to the decisions file, after a backup of its previous version.

    Parameters
    ----------
    path
        Decisions file (created with its header when absent).
    record
        Values of :data:`DECISION_COLUMNS`; ``decision`` a key of :data:`DECISIONS`,
        ``priorite`` a key of :data:`PRIORITIES`, ``justification`` not blank.
        ``horodatage`` defaults to now.
    now
        Time of the record and of the backup (default: now).

    Returns
    -------
    pathlib.Path or None
        The backup of the previous file (see :func:`backup_file`).

    Raises
    ------
    SchemaError
        The record is incomplete (the message says what to fill in).
    InputFileError
        The file, or its folder, is read-only or cannot be written (nothing is changed).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "decisions_atelier.csv"
    >>> save_decision(path, {"territoire": "bassin:9901", "partenaire_id": "P0001",
    ...     "decision": "garder", "priorite": "haute", "justification": ""})
    Traceback (most recent call last):
    ...
    geo._errors.SchemaError: Décision non enregistrée : la justification est obligatoire ...
    """
    moment = now or _now()
    return _write_together([_decision_text(Path(path), record, moment)], moment)[0]


def _decision_text(path: Path, record: Mapping[str, Any], moment: _dt.datetime) -> _Pending:
    """The decisions file with ``record`` appended (checked; formula-like cells quoted)."""
    values = _check_record(record)
    values["horodatage"] = values["horodatage"] or moment.isoformat(timespec="seconds")
    encoding = "utf-8"
    if path.is_file():
        previous = read_decisions(path)  # refuses to append to a file of another kind
        text = path.read_bytes().decode("utf-8-sig")
        encoding = "utf-8-sig" if path.read_bytes().startswith(b"\xef\xbb\xbf") else "utf-8"
        if text and not text.endswith(("\n", "\r")):
            text += "\n"
        columns = list(previous.columns)
    else:
        text, columns = "", list(DECISION_COLUMNS)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if not text:
        writer.writerow(columns)
    writer.writerow([neutralize_cell(_one_line_break(values[c])) for c in columns])
    return _Pending(path, text + buffer.getvalue(), encoding)


def _header_map(columns: list[str]) -> dict[str, str]:
    """Positioning column → header of the file (aliases of the positioning reader)."""
    found: dict[str, str] = {}
    for column in columns:
        key = normalize_header(column)
        for name, aliases in _POSITIONING_HEADERS.items():
            if name not in found and key in aliases:
                found[name] = column
    return found


def _cell_rows(
    tidy: pd.DataFrame, territoire: str, acteur: str, domaine: str, situation: str
) -> list[int]:
    """Positions, in the table as read, of the rows of one actor and cell."""
    key = (tidy["territoire"] == territoire) & (tidy["acteur"] == acteur)
    key &= (tidy["domaine"] == domaine) & (tidy["situation"] == situation)
    return [int(line) - 2 for line in tidy.loc[key.fillna(False), "ligne"]]


def _check_role(domaine: str, situation: str, role: str) -> None:
    """Raise :class:`SchemaError` naming every unknown domain, situation or role."""
    problems = []
    if domaine not in POSITIONING_DOMAINS:
        problems.append(f"domaine « {domaine} » inconnu ({', '.join(POSITIONING_DOMAINS)})")
    if situation not in CLIENT_SITUATIONS:
        problems.append(f"situation « {situation} » inconnue ({', '.join(CLIENT_SITUATIONS)})")
    if role not in (*POSITIONING_ROLES, _REMOVE_ROLE):
        problems.append(f"rôle « {role} » inconnu ({', '.join(POSITIONING_ROLES)}, retire)")
    if problems:
        raise SchemaError("Rôle non enregistré : " + " ; ".join(problems) + ".", problems=problems)


def _positioning_as_written(path: Path) -> tuple[pd.DataFrame, dict[str, str], str, str]:
    """The positioning file as written: (cells, column → header, encoding, separator).

    An absent file is the template's header; the optional columns are added.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise InputFileError(
            f"{path.name} : l'atelier n'écrit que les fichiers CSV. Enregistrez le "
            "positionnement en CSV (UTF-8) et donnez ce fichier à l'atelier."
        )
    if not path.is_file():
        raw = pd.DataFrame({c: pd.Series(dtype="string") for c in _POSITIONING_HEADER})
        return raw, {c: c for c in _POSITIONING_HEADER}, "utf-8", ","
    raw = read_table(path)
    encoding, separator = raw.attrs.get("encoding", "utf-8"), raw.attrs.get("separator", ",")
    raw = restore_formulas(raw)  # quoted again when written back
    if encoding == "utf-8-sig" and not path.read_bytes().startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8"  # no byte-order mark to keep
    headers = _header_map([str(c) for c in raw.columns])
    missing = [c for c in _POSITIONING_HEADER[:5] if c not in headers]
    if missing:
        raise SchemaError(
            f"{path.name} : colonne(s) {', '.join(missing)} absente(s) ; ce n'est pas un "
            "fichier de positionnement (modèle : data/positionnement/modele_roles.csv).",
            problems=[f"colonne {c} absente" for c in missing],
        )
    for extra in _POSITIONING_HEADER[5:]:
        if extra not in headers:
            raw[extra] = pd.NA
            headers[extra] = extra
    return raw, headers, encoding, separator


def save_role(
    path: str | Path,
    *,
    territory: str,
    actor: str,
    domain: str,
    situation: str,
    role: str,
    comment: str = "",
    now: _dt.datetime | None = None,
) -> Path | None:
    """Set (or remove) an actor's role in one cell of the positioning file.

    The row of the actor, territory and cell is updated (role, comment,
    verification date: today), or added at the end; ``role="retire"`` removes it
    (and its duplicates). The other rows, the columns, the separator and the
    encoding are kept; the previous file is backed up first (:func:`backup_file`).

    Parameters
    ----------
    path
        Positioning file (CSV); created from the template header when absent.
    territory
        ``"<niveau>:<code>"``.
    actor
        ``partenaire_id`` or ``pole_emploi``.
    domain, situation
        Keys of :data:`~diagnostics.positioning.POSITIONING_DOMAINS` and
        :data:`~diagnostics.positioning.CLIENT_SITUATIONS`.
    role
        A key of :data:`~diagnostics.positioning.POSITIONING_ROLES`, or ``"retire"``.
    comment
        Written in the comment column of the row.
    now
        Date of verification and time of the backup (default: now).

    Returns
    -------
    pathlib.Path or None
        The backup of the previous file.

    Raises
    ------
    SchemaError
        Unknown domain, situation or role, or a file without the positioning columns.
    InputFileError
        The file is not a CSV file, is read-only or cannot be written (nothing is changed).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "positionnement.csv"
    >>> _ = save_role(path, territory="bassin:9901", actor="P0001", domain="formation",
    ...     situation="reconversion", role="pivot")
    >>> read_positioning(path)[["acteur", "role"]].values.tolist()
    [['P0001', 'pivot']]
    """
    moment = now or _now()
    change = {"territory": territory, "actor": actor, "domain": domain, "situation": situation}
    pending = _role_text(Path(path), **change, role=role, comment=comment, moment=moment)
    return _write_together([pending], moment)[0]


def save_decision_and_role(
    decisions: str | Path,
    record: Mapping[str, Any],
    positioning: str | Path,
    *,
    role: str,
    comment: str = "",
    now: _dt.datetime | None = None,
) -> list[Path | None]:
    """Record a decision and the partner's role in its cell together, or not at all.

    Both files are checked and written aside first, then put in place; if the second
    cannot be, the first gets its previous content back, so saving again after the
    fix never records the decision twice.

    Parameters
    ----------
    decisions, record
        As :func:`save_decision`; ``record`` gives the territory, the partner
        (``partenaire_id``) and the cell (``domaine``, ``situation``).
    positioning, role, comment
        As :func:`save_role`.
    now
        Time of the record, of the verification and of the backups (default: now).

    Returns
    -------
    list
        The backups of the previous decisions and positioning files.

    Raises
    ------
    SchemaError
        The record or the role is incomplete or unknown; nothing is written.
    InputFileError
        A file is read-only or cannot be written; nothing is changed.
    """
    moment = now or _now()
    decision = _decision_text(Path(decisions), record, moment)
    change = {
        "territory": str(record.get("territoire") or ""),
        "actor": str(record.get("partenaire_id") or ""),
        "domain": str(record.get("domaine") or ""),
        "situation": str(record.get("situation") or ""),
    }
    cell = _role_text(Path(positioning), **change, role=role, comment=comment, moment=moment)
    return _write_together([decision, cell], moment)


def _role_text(
    path: Path,
    *,
    territory: str,
    actor: str,
    domain: str,
    situation: str,
    role: str,
    comment: str,
    moment: _dt.datetime,
) -> _Pending:
    """The positioning file with the role set or removed (formula-like cells quoted)."""
    _check_role(domain, situation, role)
    raw, headers, encoding, separator = _positioning_as_written(path)
    tidy = validate_positioning(raw, source=path.name)
    raw = raw.astype(object).where(raw.notna(), "").reset_index(drop=True)
    positions = _cell_rows(tidy, territory, actor, domain, situation)
    if role == _REMOVE_ROLE:
        while positions:  # the reader keeps the first of duplicated rows: remove them all
            raw = raw.drop(index=positions).reset_index(drop=True)
            tidy = validate_positioning(raw, source=path.name) if len(raw) else tidy.iloc[:0]
            positions = _cell_rows(tidy, territory, actor, domain, situation)
    else:
        values = {
            headers["territoire"]: territory,
            headers["acteur"]: actor,
            headers["domaine"]: domain,
            headers["situation"]: situation,
            headers["role"]: role,
            headers["commentaire"]: comment,
            headers["date_verification"]: moment.date().isoformat(),
        }
        if positions:
            for column, value in values.items():
                if column not in (headers["territoire"], headers["acteur"]):
                    raw.loc[positions[0], column] = value
        else:
            row = {c: values.get(c, "") for c in raw.columns}
            raw = pd.concat([raw, pd.DataFrame([row], columns=raw.columns)], ignore_index=True)
    buffer = io.StringIO()
    cells = neutralize_formulas(raw.map(_one_line_break))
    cells.to_csv(buffer, sep=separator, index=False, lineterminator="\n")
    return _Pending(path, buffer.getvalue(), encoding)


# ------------------------------------------------------------------- the app

_STYLE = """<style>
.atelier-table {border-collapse: collapse; font-size: 12px; width: 100%}
.atelier-table th, .atelier-table td {border: 1px solid #ccc; padding: 3px 5px;
  text-align: left; vertical-align: top}
.atelier-table thead th {background: #eef2f7}
.atelier-statut-ok {color: #1b6e20} .atelier-statut-erreur {color: #b00020}
</style>"""


def _options(labels: Mapping[str, str], everything: str) -> list[tuple[str, str]]:
    return [(everything, _ALL), *((label, code) for code, label in labels.items())]


def _markdown_html(text: str) -> str:
    """HTML of a French note written in Markdown (**bold**, `code`), escaped.

    >>> _markdown_html("**Non établi ici : <x>.** Entrée `annuaire`.")
    '<b>Non établi ici : &lt;x&gt;.</b> Entrée <code>annuaire</code>.'
    """
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def _text(value: Any) -> str:
    if isinstance(value, tuple | list):
        return ", ".join(map(str, value))
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return str(value)


class PartnerWorkshop:
    """The workshop app: controls, map, grid, partner list and the decision form.

    Every widget is an attribute, so that a test (or a notebook) drives it by
    setting values and clicking (``app.domain.value = "formation"``,
    ``app.save_button.click()``); :attr:`app` is the widget to display.

    Parameters
    ----------
    data
        Workshop data (:func:`load_workshop_data`).
    territory
        Code of the territory shown first (default: the first one).
    author
        Name of the facilitator, written with each decision.

    Attributes
    ----------
    territory, domain, situation, partner_type
        The four controls (``Dropdown``; ``""`` means every value).
    map_view, grid_view, partner_view, network_view
        ``HTML`` widgets: the map (an ``iframe`` whose page is self-contained),
        the positioning grid, the partner list (one ``tr`` per partner with
        ``data-partenaire``) and the network of the territory (its reading and
        an offline ``iframe``; :func:`workshop_network`).
    partner, cell_domain, cell_situation, role, priority, decision, justification, author
        The decision form.
    save_button, status
        Records the form; says in French what was saved or what is missing.
    """

    def __init__(self, data: WorkshopData, *, territory: str | None = None, author: str = ""):
        import ipywidgets as w

        self.data = data
        codes = data.territories["code"].astype(str).tolist()
        where = data.config.path or data.folder
        if not codes:
            raise SchemaError(
                f"Aucun territoire de niveau {data.level} avec des contours de communes dans la "
                f"configuration {where}."
            )
        if territory and territory not in codes:  # a name (« Nantes »)
            territory = data.territory_code(territory)
            if territory not in codes:
                raise SchemaError(
                    f"Territoire {territory} : aucun contour de ses communes dans la "
                    f"configuration {where} ; l'atelier ne peut pas le montrer. Choisissez un "
                    "territoire des départements dont les contours sont donnés."
                )
        labels = [
            (f"{code} – {name}" if isinstance(name, str) else code, code)
            for code, name in zip(codes, data.territories["nom"].astype(object), strict=True)
        ]
        layout = w.Layout(width="auto")
        style = {"description_width": "initial"}
        self.territory = w.Dropdown(
            options=labels,
            value=territory if territory in codes else codes[0],
            description=f"Territoire ({_territories.LEVEL_LABELS[data.level]})",
            style=style,
            layout=layout,
        )
        self.domain = w.Dropdown(
            options=_options(POSITIONING_DOMAINS, "Tous les domaines"),
            description="Domaine",
            style=style,
            layout=layout,
        )
        self.situation = w.Dropdown(
            options=_options(CLIENT_SITUATIONS, "Toutes les situations"),
            description="Situation du client",
            style=style,
            layout=layout,
        )
        type_labels = (
            {}
            if data.partners is None
            else dict(
                data.partners[["type", "type_libelle"]]
                .dropna()
                .drop_duplicates("type")
                .sort_values("type_libelle")
                .itertuples(index=False)
            )
        )
        self.partner_type = w.Dropdown(
            options=_options(type_labels, "Tous les types"),
            description="Type de partenaire",
            style=style,
            layout=layout,
        )
        self.map_view = w.HTML(layout=w.Layout(width="100%"))
        self.grid_view = w.HTML(layout=w.Layout(width="100%"))
        self.partner_view = w.HTML(layout=w.Layout(width="100%"))
        self.network_view = w.HTML(layout=w.Layout(width="100%"))
        self.summary = w.HTML()
        self._networks: dict[str, str] = {}

        self.partner = w.Dropdown(description="Partenaire", style=style, layout=layout)
        self.cell_domain = w.Dropdown(
            options=_options(POSITIONING_DOMAINS, "— aucune case —"),
            description="Case : domaine",
            style=style,
            layout=layout,
        )
        self.cell_situation = w.Dropdown(
            options=_options(CLIENT_SITUATIONS, "— aucune case —"),
            description="situation",
            style=style,
            layout=layout,
        )
        self.role = w.Dropdown(
            options=[
                ("— rôle inchangé —", _KEEP_ROLE),
                *((label, code) for code, label in POSITIONING_ROLES.items()),
                ("Retirer de la case", _REMOVE_ROLE),
            ],
            description="Rôle sur la grille",
            style=style,
            layout=layout,
        )
        self.priority = w.Dropdown(
            options=[(label, code) for code, label in PRIORITIES.items()],
            value="moyenne",
            description="Priorité",
            style=style,
            layout=layout,
        )
        self.decision = w.ToggleButtons(
            options=[(label, code) for code, label in DECISIONS.items()],
            value="garder",
            description="Décision",
            style=style,
        )
        self.justification = w.Textarea(
            placeholder="Pourquoi ce choix ? (obligatoire)",
            description="Justification",
            style=style,
            layout=w.Layout(width="100%", height="70px"),
        )
        self.author = w.Text(value=author, description="Animateur·rice", style=style)
        self.save_button = w.Button(description="Enregistrer la décision", button_style="primary")
        self.status = w.HTML()

        for control in (self.territory, self.domain, self.situation, self.partner_type):
            control.observe(self._on_filter, names="value")
        self.save_button.on_click(lambda _button: self.record())

        notes = "".join(
            f"<p class='atelier-note'>{_markdown_html(note)}</p>" for note in data.notes
        )
        self.notes = w.HTML(notes)
        if data.partners is None:  # the map of the territory, nothing to record
            self.app = w.VBox(
                [
                    w.HTML(_STYLE),
                    self.notes,
                    self.territory,
                    self.summary,
                    w.HTML("<h3>Carte du territoire</h3>"),
                    self.map_view,
                ]
            )
            self.refresh()
            return
        controls = w.HBox([self.territory, self.domain, self.situation, self.partner_type])
        controls.layout.flex_flow = "row wrap"
        form = w.VBox(
            [
                w.HTML("<h3>Enregistrer une décision</h3>"),
                w.HBox([self.partner, self.priority]),
                w.HBox([self.cell_domain, self.cell_situation, self.role]),
                self.decision,
                self.justification,
                w.HBox([self.author, self.save_button]),
                self.status,
            ]
        )
        self.app = w.VBox(
            [
                w.HTML(_STYLE),
                self.notes,
                controls,
                self.summary,
                w.HTML("<h3>Carte des partenaires</h3>"),
                self.map_view,
                w.HTML("<h3>Grille de positionnement</h3>"),
                self.grid_view,
                w.HTML("<h3>Partenaires</h3>"),
                self.partner_view,
                w.HTML("<h3>Réseau des partenaires</h3>"),
                self.network_view,
                form,
            ]
        )
        self.refresh()

    # -------------------------------------------------------------- views

    def _filters(self) -> dict[str, str | None]:
        return {
            "domain": self.domain.value or None,
            "situation": self.situation.value or None,
            "partner_type": self.partner_type.value or None,
        }

    def _on_filter(self, change: Mapping[str, Any]) -> None:
        if change["owner"] is self.domain:
            self.cell_domain.value = self.domain.value
        if change["owner"] is self.situation:
            self.cell_situation.value = self.situation.value
        self.refresh()

    def refresh(self) -> None:
        """Recompute the views from the controls and the files read."""
        code = self.territory.value
        if self.data.partners is None:
            sites = self._sites_here(code)
            self.summary.value = (
                f"<p class='atelier-resume'>Territoire {html.escape(self.territory.label)} : "
                + (
                    f"<b>{int((sites['niveau'] == 'agence').sum())}</b> agence(s) France Travail "
                    "dans ses communes.</p>"
                    if sites is not None
                    else "pas de fichier des sites France Travail dans la configuration.</p>"
                )
            )
            self.map_view.value = self._map_html(code, None)
            return
        partners = workshop_partners(self.data, code, **self._filters())
        self._partners = partners
        self.summary.value = (
            f"<p class='atelier-resume'><b>{len(partners)}</b> partenaire(s) retenu(s) sur "
            f"le territoire {html.escape(self.territory.label)}.</p>"
        )
        self.map_view.value = self._map_html(code, partners)
        self.grid_view.value = self._grid_html(code)
        self.partner_view.value = self._list_html(partners)
        self.network_view.value = self._network_html(code)
        chosen = self.partner.value
        self.partner.options = [
            (f"{name} ({pid})", pid)
            for name, pid in zip(partners["nom"], partners["partenaire_id"], strict=True)
        ]
        # keep the partner being recorded; otherwise the first one, as the list shows it
        ids = partners["partenaire_id"].tolist()
        self.partner.value = chosen if chosen in ids else (ids[0] if ids else None)

    def _sites_here(self, code: str) -> pd.DataFrame | None:
        """The France Travail sites in the communes of territory ``code`` (``None`` without sites)."""
        sites = self.data.sites
        if sites is None:
            return None
        return sites.loc[sites["commune"].isin(set(self.data.territory_communes(code)))]

    def _map_html(self, code: str, partners: pd.DataFrame | None) -> str:
        communes = set(self.data.territory_communes(code))
        background = self.data.polygons.loc[self.data.polygons["commune"].isin(communes)]
        if partners is None:
            partners = pd.DataFrame(
                {
                    c: pd.Series(dtype="string")
                    for c in ("partenaire_id", "type", "commune", "latitude")
                }
            )
        located = partners.loc[
            partners["latitude"].notna()
            | partners["commune"].isin(set(self.data.polygons["commune"]))
        ]
        sites = self._sites_here(code)
        if len(located) or (sites is not None and len(sites)):
            m = map_partners(
                located,
                geometries=self.data.polygons,
                cluster=False,
                background=background,
                sites=sites if sites is not None and len(sites) else None,
            )
        else:
            import folium

            m = folium.Map(tiles=None, control_scale=True)
            folium.GeoJson(
                background[[background.geometry.name]].__geo_interface__,
                style_function=lambda _f: {"color": "#999999", "weight": 1, "fillOpacity": 0.3},
            ).add_to(m)
        if len(background):
            m.fit_bounds(bounds_of(background))
        page = self_contained_html(m.get_root().render())
        return iframe_html(
            page,
            title="Carte des partenaires",
            css_class="atelier-carte",
            attributes=f'data-partenaires="{len(located)}"',
        )

    def _network_html(self, code: str) -> str:
        """The network view of the territory (computed once per territory and session)."""
        if code not in self._networks:
            section = workshop_network(self.data, code)
            if section is None:
                note = missing_note(
                    portrait_inputs(self.data.config),
                    "partenariats.registre",
                    pour="le réseau des partenaires",
                )
                self._networks[code] = (
                    f"<p class='atelier-reseau-vide'>{_markdown_html(note or '')}</p>"
                )
            else:
                page = section.html(title=f"Réseau des partenaires – {self.territory.label}")
                reading = "".join(f"<li>{html.escape(line)}</li>" for line in section.reading)
                self._networks[code] = (
                    f"<ul class='atelier-reseau-lecture'>{reading}</ul>"
                    + iframe_html(
                        page,
                        title="Réseau des partenaires",
                        height=560,
                        css_class="atelier-reseau",
                        attributes=f'data-acteurs="{len(section.metrics)}"',
                    )
                )
        return self._networks[code]

    def _grid_html(self, code: str) -> str:
        filters = self._filters()
        rows = workshop_positioning(self.data, code, **filters)
        if rows.empty:
            return (
                "<p class='atelier-grille-vide'>Aucun rôle enregistré pour ce choix : "
                "positionnez un partenaire avec le formulaire ci-dessous.</p>"
            )
        actors = rows["acteur"].unique()
        grid = positioning_grid(
            rows,
            territory=self.data.territory_key(code),
            actor=actors[0] if len(actors) == 1 else None,
            partners=self.data.partners,
        )
        if filters["domain"]:
            grid = grid.loc[[POSITIONING_DOMAINS[filters["domain"]]]]
        if filters["situation"]:
            grid = grid.loc[
                :, grid.columns.get_level_values(1) == CLIENT_SITUATIONS[filters["situation"]]
            ]
        caption = ""
        if len(actors) == 1 and self.data.partners is not None:
            names = self.data.partners.set_index("partenaire_id")["nom"]
            caption = f"<p>Rôles de {html.escape(str(names.get(actors[0], actors[0])))}.</p>"
        return caption + grid.to_html(classes="atelier-table atelier-grille", border=0)

    def _list_html(self, partners: pd.DataFrame) -> str:
        if partners.empty:
            return "<p class='atelier-liste-vide'>Aucun partenaire pour ce choix.</p>"
        header = (
            "Nom", "Type", "Commune", "Opérant", "Majeur", "Domaines",
            "Rôles sur la grille", "Décision", "Priorité", "Justification",
        )  # fmt: skip
        body = []
        commune_names = self.data.communes.set_index("commune")["commune_nom"]
        for row in partners.itertuples(index=False):
            cells = (
                row.nom,
                row.type_libelle,
                f"{commune_names.get(row.commune, '')} ({row.commune})"
                if _text(row.commune)
                else "",
                "oui" if row.operant else "non",
                "oui" if row.majeur else "non",
                ", ".join(DOMAINS.get(d, d) for d in (row.domaines or ())),
                row.roles,
                DECISIONS.get(_text(row.decision), _text(row.decision)),
                PRIORITIES.get(_text(row.priorite), _text(row.priorite)),
                row.justification,
            )
            body.append(
                f'<tr data-partenaire="{html.escape(str(row.partenaire_id))}">'
                + "".join(f"<td>{html.escape(_text(v))}</td>" for v in cells)
                + "</tr>"
            )
        return (
            '<table class="atelier-table atelier-partenaires"><thead><tr>'
            + "".join(f"<th>{h}</th>" for h in header)
            + "</tr></thead><tbody>"
            + "".join(body)
            + "</tbody></table>"
        )

    # -------------------------------------------------------------- record

    def record(self) -> bool:
        """Save the form to the files; say what was done in :attr:`status`.

        Returns ``True`` when saved. On error the form is left as it was.
        """
        data = self.data
        if data.partners is None:
            self.status.value = "".join(
                f"<p class='atelier-statut-erreur'>{_markdown_html(n)}</p>" for n in data.notes
            )
            return False
        territoire = data.territory_key(self.territory.value)
        acteur = self.partner.value
        domaine, situation, role = (
            self.cell_domain.value,
            self.cell_situation.value,
            self.role.value,
        )
        names = data.partners.set_index("partenaire_id")["nom"]
        try:
            if role and not (domaine and situation):
                raise SchemaError(
                    "Rôle non enregistré : choisissez la case de la grille (domaine et "
                    "situation) où placer ce partenaire, ou laissez le rôle inchangé."
                )
            current = ""
            if domaine and situation and acteur:
                cell = workshop_positioning(
                    data, self.territory.value, domain=domaine, situation=situation
                )
                found = cell.loc[cell["acteur"] == acteur, "role"]
                current = str(found.iloc[0]) if len(found) else ""
            record = {
                "territoire": territoire,
                "partenaire_id": acteur,
                "nom": names.get(acteur, "") if acteur else "",
                "domaine": domaine if domaine and situation else "",
                "situation": situation if domaine and situation else "",
                "role": role or current,
                "priorite": self.priority.value,
                "decision": self.decision.value,
                "justification": self.justification.value,
                "auteur": self.author.value,
            }
            _check_record(record)
            if role:  # the decision and its role together, or neither
                save_decision_and_role(
                    data.decisions_path,
                    record,
                    data.positioning_path,
                    role=role,
                    comment=f"atelier : {self.justification.value.strip()}",
                )
            else:
                save_decision(data.decisions_path, record)
        except WorkbenchError as exc:
            self.status.value = f"<p class='atelier-statut-erreur'>{html.escape(str(exc))}</p>"
            return False
        except OSError as exc:  # reading a file back: never a raw traceback in the form
            self.status.value = (
                "<p class='atelier-statut-erreur'>Enregistrement impossible "
                f"({html.escape(_os_reason(exc))}) : vérifiez que les fichiers de "
                f"{html.escape(str(data.folder))} sont accessibles, puis enregistrez à nouveau ; "
                "la saisie est conservée dans le formulaire.</p>"
            )
            return False
        data.reload()
        saved = [data.decisions_path.name] + ([data.positioning_path.name] if role else [])
        self.status.value = (
            "<p class='atelier-statut-ok'>Décision enregistrée pour "
            f"{html.escape(str(record['nom']))} ({html.escape(acteur)}) dans "
            f"{html.escape(', '.join(saved))} ; version précédente sauvegardée dans "
            f"{BACKUP_FOLDER}/.</p>"
        )
        self.justification.value = ""
        self.role.value = _KEEP_ROLE
        self.refresh()
        return True


def partner_workshop(
    config: str | Path | PortraitConfig | None = None,
    *,
    territory: str | None = None,
    author: str = "",
    **options: Any,
) -> PartnerWorkshop:
    """Read the inputs of a configuration and build the workshop app.

    Parameters
    ----------
    config
        The TOML configuration of the portraits (see :func:`workshop_configuration`).
    territory
        Territory shown first: a code or a name (default: the first one).
    author
        Facilitator's name, written with each decision.
    **options
        Passed to :func:`load_workshop_data` (``level``, ``files``).

    Examples
    --------
    >>> app = partner_workshop(territory="9902")
    >>> app.territory.value, app.domain.value
    ('9902', '')
    >>> partner_workshop(territory="Vegicourt").territory.value
    '9901'
    """
    return PartnerWorkshop(
        load_workshop_data(config, **options), territory=territory, author=author
    )
