"""The portrait configuration file (TOML): which input files feed which section.

A configuration names the input files of a territory's portrait, with paths
relative to the file itself, grouped by theme::

    titre = "Pays de la Loire"

    [referentiels]
    communes_polygones = ["communes-44.geojson", "communes-49.geojson"]
    communes_bassins = "commune_bassin_bmo.csv"

    [bmo]
    fichiers = ["Base_open_data_BMO_2024.xlsx"]

    [partenaires]
    annuaire = "partenaires.csv"

Every input is declared once in :data:`INPUTS` (its key ``"<table>.<name>"``, its
French label, whether it takes one file or a list, the section it feeds). A key
that is not declared is refused with the closest declared key, so that a typo is
not silently ignored. Adding a section that needs new files means adding its
inputs to :data:`INPUTS`; nothing else in this module changes.

Inputs are optional: a section whose input is not given, or whose file is
missing, says so in the portrait. The inputs that the requested territorial
level needs (the commune → bassin table for bassins...) are checked by
:func:`required_inputs`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo._errors import InputFileError, SchemaError, format_problems
from geo.tables import read_input_bytes

__all__ = [
    "InputSpec",
    "INPUTS",
    "LEVEL_INPUTS",
    "PortraitConfig",
    "read_portrait_config",
    "required_inputs",
]


@dataclass(frozen=True)
class InputSpec:
    """One input file (or list of files) of a portrait configuration.

    Attributes
    ----------
    key
        ``"<table>.<name>"`` as written in the TOML file.
    label
        French description, used in messages and in the sources section.
    multiple
        A list of files (a single path is accepted too).
    section
        Section of the portrait that needs it (``"referentiels"`` feeds several).
    """

    key: str
    label: str
    multiple: bool = False
    section: str = "referentiels"


#: Every input a portrait configuration may name. A new section adds its own here.
INPUTS: dict[str, InputSpec] = {
    spec.key: spec
    for spec in (
        InputSpec(
            "referentiels.communes_polygones",
            "contours des communes (GeoJSON, GeoPackage, Shapefile, GeoParquet)",
            multiple=True,
        ),
        InputSpec(
            "referentiels.communes_population",
            "communes et populations légales (API Découpage administratif)",
        ),
        InputSpec("referentiels.communes_insee", "communes du COG Insee (EPCI, zones d'emploi)"),
        InputSpec("referentiels.communes_bassins", "table communes → bassins d'emploi BMO"),
        InputSpec("referentiels.communes_zones_emploi", "table communes → zones d'emploi"),
        InputSpec("referentiels.communes_clpe", "table communes → CLPE"),
        InputSpec("referentiels.passage_codes", "table de passage des codes communes"),
        InputSpec("referentiels.departements", "départements (COG Insee)"),
        InputSpec("referentiels.regions", "régions (COG Insee)"),
        InputSpec(
            "bmo.fichiers",
            "enquête Besoins en Main-d'Œuvre (fichiers open data France Travail)",
            multiple=True,
            section="bmo",
        ),
        InputSpec(
            "bmo.tensions_dares",
            "indicateurs de tension DARES par métier",
            section="bmo",
        ),
        InputSpec(
            "demandeurs.fichier",
            "demandeurs d'emploi inscrits à France Travail (série mensuelle STMT)",
            section="demandeurs",
        ),
        InputSpec("partenaires.annuaire", "annuaire des partenaires", section="partenaires"),
        InputSpec(
            "partenaires.sites_france_travail",
            "sites France Travail (agences, directions ; fichier public des sites)",
            section="acces",
        ),
        InputSpec(
            "partenaires.positionnement",
            "positionnement des acteurs (rôles par domaine et situation)",
            section="positionnement",
        ),
        InputSpec(
            "cotraitance.structures",
            "cotraitance : agences et missions locales",
            section="cotraitance",
        ),
        InputSpec(
            "cotraitance.flux",
            "cotraitance : flux mensuels agence → mission locale",
            section="cotraitance",
        ),
        InputSpec(
            "cotraitance.objectifs", "cotraitance : objectifs annuels", section="cotraitance"
        ),
        InputSpec(
            "cotraitance.besoins",
            "cotraitance : demande potentielle et jeunes demandeurs d'emploi",
            section="cotraitance",
        ),
        InputSpec(
            "cotraitance.episodes",
            "cotraitance : extraction d'épisodes pseudonymisée (données personnelles)",
            section="cotraitance",
        ),
        InputSpec(
            "cotraitance.periodes",
            "cotraitance : périodes d'alerte et de suspension des épisodes",
            section="cotraitance",
        ),
        InputSpec(
            "cotraitance.ressorts",
            "cotraitance : ressort des missions locales (communes)",
            section="cotraitance",
        ),
        InputSpec(
            "partenariats.registre",
            "registre des partenariats et conventions",
            section="reseau",
        ),
        InputSpec(
            "partenariats.indicateurs",
            "indicateurs des partenariats (cibles et valeurs observées)",
            section="reseau",
        ),
        InputSpec(
            "partenariats.flux",
            "flux entre partenaires (orientations, prescriptions)",
            section="reseau",
        ),
        InputSpec(
            "formation.sessions",
            "formation : sessions et places financées",
            section="formation",
        ),
        InputSpec(
            "formation.prescriptions",
            "formation : prescriptions et leurs suites (données personnelles)",
            section="formation",
        ),
        InputSpec(
            "formation.agences",
            "formation : agences prescriptrices (commune, coordonnées)",
            section="formation",
        ),
        InputSpec("formation.poe", "formation : entrées en POE", section="formation"),
        InputSpec(
            "formation.correspondance",
            "formation : table de correspondance FAP ↔ ROME",
            section="formation",
        ),
        InputSpec(
            "partenariats.unites",
            "unités France Travail (direction régionale, territoriales, agences)",
            section="reseau",
        ),
    )
}

#: Inputs that list the territories of each level (one of them is required).
LEVEL_INPUTS: dict[str, tuple[str, ...]] = {
    "bassin": ("referentiels.communes_bassins",),
    "zone_emploi": ("referentiels.communes_zones_emploi", "referentiels.communes_insee"),
    "clpe": ("referentiels.communes_clpe",),
    "departement": (
        "referentiels.communes_population",
        "referentiels.communes_insee",
        "referentiels.communes_bassins",
    ),
    "region": (
        "referentiels.communes_population",
        "referentiels.communes_insee",
        "referentiels.communes_bassins",
    ),
    "commune": (
        "referentiels.communes_population",
        "referentiels.communes_insee",
        "referentiels.communes_polygones",
    ),
}

_TOP_LEVEL = {
    "titre": "titre du portrait (texte)",
    "date": "date d'observation (AAAA-MM-JJ) : partenariats en vigueur, mois de cotraitance",
}


@dataclass(frozen=True)
class PortraitConfig:
    """A portrait configuration, paths resolved.

    Attributes
    ----------
    path
        The TOML file (``None`` for a configuration built in memory).
    title
        Optional title (the ``titre`` key), e.g. the name of the région.
    date
        Date of observation (the ``date`` key): the partnerships in force and
        the last cotraitance month shown are those of this date; ``None`` means
        the day the portrait is produced.
    inputs
        Input key → tuple of absolute paths (one path for single inputs).
    """

    path: Path | None
    title: str | None
    inputs: dict[str, tuple[Path, ...]] = field(default_factory=dict)
    date: dt.date | None = None

    def files(self, key: str) -> tuple[Path, ...]:
        """Paths given for ``key`` (empty when the input is not given)."""
        return self.inputs.get(key, ())

    def missing_files(self) -> dict[str, list[Path]]:
        """Input key → the paths given for it that do not exist."""
        out = {}
        for key, paths in self.inputs.items():
            absent = [p for p in paths if not p.is_file()]
            if absent:
                out[key] = absent
        return out

    def with_overrides(
        self, overrides: Mapping[str, Any] | None, *, base: Path | None = None
    ) -> PortraitConfig:
        """A copy where the inputs of ``overrides`` replace those of the file.

        ``overrides`` maps input keys to a path, a list of paths, or ``None`` /
        an empty list to drop the input; relative paths are resolved against
        ``base`` (the current folder by default).
        """
        if not overrides:
            return self
        problems = _unknown_keys(overrides)
        if problems:
            raise SchemaError(
                format_problems("Remplacement de fichiers d'entrée du portrait :", problems),
                problems=problems,
            )
        inputs = dict(self.inputs)
        folder = base or Path.cwd()
        for key, value in overrides.items():
            paths = _as_paths(value, key, folder, problems)
            if paths:
                inputs[key] = paths
            else:
                inputs.pop(key, None)
        if problems:
            raise SchemaError(
                format_problems("Remplacement de fichiers d'entrée du portrait :", problems),
                problems=problems,
            )
        return PortraitConfig(self.path, self.title, inputs, self.date)

    def fingerprint(self) -> str:
        """SHA-256 of the inputs' contents and names, of the title and the date.

        Independent of the folders (a moved configuration is not rebuilt), but not of
        the file names, which the portrait's Sources show: a renamed input rebuilds.
        """
        from diagnostics._cache import file_checksum

        digest = hashlib.sha256(f"{self.title or ''}|{self.date or ''}".encode())
        for key in sorted(self.inputs):
            digest.update(key.encode())
            for path in self.inputs[key]:
                digest.update(path.name.encode())
                digest.update(file_checksum(path).encode() if path.is_file() else b"absent")
        return digest.hexdigest()


def _unknown_keys(keys) -> list[str]:
    problems = []
    for key in keys:
        if key not in INPUTS:
            close = difflib.get_close_matches(key, list(INPUTS), n=1, cutoff=0.6)
            hint = f" Vouliez-vous dire « {close[0]} » ?" if close else ""
            problems.append(
                f"entrée inconnue « {key} ».{hint} Entrées possibles : {', '.join(INPUTS)}."
            )
    return problems


def _as_paths(value: Any, key: str, folder: Path, problems: list[str]) -> tuple[Path, ...]:
    if value is None:
        return ()
    values = value if isinstance(value, list | tuple) else [value]
    if len(values) > 1 and not INPUTS[key].multiple:
        problems.append(f"« {key} » attend un seul fichier, {len(values)} donnés.")
        return ()
    paths = []
    for item in values:
        if not isinstance(item, str | Path) or not str(item).strip():
            problems.append(f"« {key} » : chemin de fichier attendu, trouvé {item!r}.")
            continue
        path = Path(str(item)).expanduser()
        paths.append((path if path.is_absolute() else folder / path).resolve())
    return tuple(paths)


def read_portrait_config(path: str | Path) -> PortraitConfig:
    """Read a portrait configuration (TOML), paths relative to the file.

    Parameters
    ----------
    path
        The TOML file (for instance ``data/demo/portrait.toml``).

    Returns
    -------
    PortraitConfig
        With absolute paths. Files that do not exist are *not* an error here
        (:meth:`PortraitConfig.missing_files` lists them).

    Raises
    ------
    InputFileError
        The file is missing or is not valid TOML (the message gives the line).
    SchemaError
        Unknown tables or keys (with the closest known key), wrong value types.

    Examples
    --------
    >>> from geo import settings
    >>> config = read_portrait_config(settings.demo_dir() / "portrait.toml")
    >>> [p.name for p in config.files("bmo.fichiers")]
    ['Base_open_data_BMO_2024.xlsx', 'Base_open_data_BMO_2023.xlsx']
    >>> config.missing_files()
    {}
    """
    path = Path(path).expanduser()
    if not path.exists():
        hint = f" (dossier courant : {Path.cwd()})" if not path.is_absolute() else ""
        raise InputFileError(
            f"{path} : fichier de configuration du portrait introuvable{hint}. Partez de "
            "data/demo/portrait.toml (chemins relatifs au fichier de configuration)."
        )
    try:
        raw = tomllib.loads(read_input_bytes(path).decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputFileError(
            f"{path} : fichier TOML illisible ({_toml_where(exc)}). Vérifiez les guillemets "
            "autour des chemins et les crochets des tables ([referentiels], [bmo]...), et "
            "enregistrez le fichier en UTF-8."
        ) from exc
    problems: list[str] = []
    title = raw.pop("titre", None)
    if title is not None and not isinstance(title, str):
        problems.append(f"« titre » : texte attendu, trouvé {title!r}.")
        title = None
    given = raw.pop("date", None)  # TOML reads 2026-06-30 as a date, "2026-06-30" as text
    date = given.date() if isinstance(given, dt.datetime) else given
    if isinstance(date, str):
        with contextlib.suppress(ValueError):
            date = dt.date.fromisoformat(date.strip())
    if date is not None and not isinstance(date, dt.date):
        problems.append(f"« date » : date AAAA-MM-JJ attendue, trouvé {given!r}.")
        date = None
    flat: dict[str, Any] = {}
    for table, content in raw.items():
        if not isinstance(content, dict):
            problems.append(
                f"clé « {table} » inconnue au premier niveau (seules « titre », « date » et les tables "
                f"{', '.join(sorted({k.split('.')[0] for k in INPUTS}))} sont possibles)."
            )
            continue
        for name, value in content.items():
            flat[f"{table}.{name}"] = value
    problems += _unknown_keys(flat)
    folder = path.resolve().parent
    inputs = {}
    for key, value in flat.items():
        if key not in INPUTS:
            continue
        paths = _as_paths(value, key, folder, problems)
        if paths:
            inputs[key] = paths
    if problems:
        raise SchemaError(
            format_problems(f"{path} : configuration du portrait invalide :", problems),
            problems=problems,
        )
    return PortraitConfig(path.resolve(), title, inputs, date)


def _toml_where(exc: Exception) -> str:
    """Where a TOML file went wrong, in French (``tomllib``'s message is English)."""
    if isinstance(exc, UnicodeDecodeError):
        return f"octet {exc.start} : ce n'est pas du texte UTF-8"
    found = re.search(r"line (\d+), column (\d+)", str(exc))
    return f"ligne {found[1]}, colonne {found[2]}" if found else "syntaxe"


def required_inputs(config: PortraitConfig, level: str) -> None:
    """Check that ``config`` can list the territories of ``level``.

    Raises
    ------
    SchemaError
        None of the inputs of :data:`LEVEL_INPUTS` for ``level`` is given.
    InputFileError
        They are given but their files are missing.
    """
    from geo.territories import LEVEL_LABELS

    if level not in LEVEL_INPUTS:
        raise SchemaError(
            f"Niveau territorial inconnu pour un portrait : {level!r}. Niveaux possibles : "
            f"{', '.join(LEVEL_INPUTS)}."
        )
    candidates = [k for k in LEVEL_INPUTS[level] if config.files(k)]
    where = f" ({config.path})" if config.path else ""
    if not candidates:
        raise SchemaError(
            f"Configuration du portrait{where} : le niveau « {LEVEL_LABELS[level]} » demande "
            f"l'entrée {' ou '.join(LEVEL_INPUTS[level])}. Ajoutez-la au fichier de configuration."
        )
    missing = config.missing_files()
    for key in candidates:
        if key not in missing:
            return
    absent = [str(p) for k in candidates for p in missing[k]]
    raise InputFileError(
        f"Configuration du portrait{where} : fichier(s) introuvable(s) pour lister les "
        f"territoires ({LEVEL_LABELS[level]}) : {', '.join(absent)}. Vérifiez les chemins "
        "(ils sont relatifs au fichier de configuration)."
    )
