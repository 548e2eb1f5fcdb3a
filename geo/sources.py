"""Registry of the official open-data sources, and their download into the cache.

The registry is the file ``data/sources.toml`` shipped with the workbench: one entry
per official file (BMO survey, Insee zoning and code tables, commune contours...),
with its publisher, landing page, download address template, licence and quirks.

:func:`download_source` fetches one file with :mod:`pooch` into
``settings.cache_dir / "sources" / <source id>``. The SHA-256 checksum of the file
is recorded on the first download (in ``checksums.json`` beside the files) and
checked on every later call: a file that changed, at the publisher or in the cache,
is refused with a French message rather than silently used.

Behind a firewall, or to test offline, a *mirror* replaces the scheme and host of
the publisher's address (``mirror="https://miroir.interne/opendata"``, CLI
``--miroir``, environment variable ``TERRITOIRE_MIROIR``). Sources whose direct
address could not be confirmed have no ``url``: their file is downloaded by hand
from the landing page and dropped into the cache folder, where it is checksummed
like the others.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import logging
import os
import re
import string
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from geo import settings
from geo._errors import CodeError, InputFileError, SchemaError, SourceError, format_problems
from geo.codes import FICTIONAL_DEPARTEMENTS, normalize_departement

__all__ = [
    "CHECKSUMS_FILE",
    "MIRROR_ENV",
    "DownloadResult",
    "Source",
    "download_source",
    "get_source",
    "list_sources",
    "load_registry",
    "mirror_url",
    "registry_path",
    "retrieve_source",
    "source_url",
]

MIRROR_ENV = "TERRITOIRE_MIROIR"
"""Environment variable holding the default mirror base URL."""

CHECKSUMS_FILE = "checksums.json"
"""Name of the checksum records, in ``<cache>/sources/``."""

_PLACEHOLDERS = frozenset({"annee", "departement", "departement_nom"})
_FORMATS = frozenset({"csv", "xlsx", "xls", "zip", "json", "geojson", "parquet", "gpkg"})
_REQUIRED = ("label", "publisher", "landing_page", "format", "licence", "notes")
_OPTIONAL = ("url", "file", "years", "by_year")
_OVERRIDABLE = frozenset({"url", "file", "format"})
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_YEAR_KEY = re.compile(r"^(\d{4})(?:-(\d{4}))?$")


@dataclass(frozen=True)
class Source:
    """One official file (or family of yearly / per-département files).

    Attributes
    ----------
    id, label, publisher, landing_page, format, licence, notes
        As in ``data/sources.toml`` (French label and notes).
    url
        Download address template, ``None`` when no direct address is confirmed.
    file
        File name template in the cache, ``None`` to use the last URL segment.
    years
        ``(first, last)`` millésimes accepted by ``annee``, ``None`` if the source
        takes no year.
    by_year
        Per-year overrides (``url``, ``file``, ``format``) and extra placeholder values.
    """

    id: str
    label: str
    publisher: str
    landing_page: str
    format: str
    licence: str
    notes: str
    url: str | None = None
    file: str | None = None
    years: tuple[int, int] | None = None
    by_year: Mapping[int, Mapping[str, str]] = field(default_factory=dict, repr=False)
    departement_names: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def parameters(self) -> tuple[str, ...]:
        """Parameters the source needs: ``"annee"`` and/or ``"departement"``."""
        params: list[str] = []
        if self.years is not None:
            params.append("annee")
        if {"departement", "departement_nom"} & self._fields_used():
            params.append("departement")
        return tuple(params)

    def _templates(self, year: int | None) -> dict[str, str | None]:
        values: dict[str, str | None] = {"url": self.url, "file": self.file, "format": self.format}
        if year is not None:
            values.update({k: v for k, v in self.by_year.get(year, {}).items() if k in values})
        return values

    def _fields_used(self) -> set[str]:
        years = range(self.years[0], self.years[1] + 1) if self.years else [None]
        used: set[str] = set()
        for year in years:
            templates = self._templates(year)
            for key in ("url", "file"):
                used |= _fields(templates[key])
        return used

    def as_dict(self) -> dict[str, Any]:
        """Plain description of the source (for JSON output)."""
        return {
            "id": self.id,
            "label": self.label,
            "publisher": self.publisher,
            "landing_page": self.landing_page,
            "url": self.url,
            "file": self.file,
            "format": self.format,
            "licence": self.licence,
            "years": list(self.years) if self.years else None,
            "parameters": list(self.parameters),
            "notes": self.notes,
        }


@dataclass(frozen=True)
class DownloadResult:
    """Outcome of :func:`retrieve_source`.

    Attributes
    ----------
    source_id : str
    path : pathlib.Path
        The file in the cache.
    url : str or None
        Address actually fetched (mirror applied); ``None`` for a file placed by hand.
    sha256 : str
    status : {"recorded", "verified"}
        ``"recorded"`` when the checksum was recorded by this call (first download),
        ``"verified"`` when it matched the record.
    """

    source_id: str
    path: Path
    url: str | None
    sha256: str
    status: Literal["recorded", "verified"]


# --------------------------------------------------------------------------- registry


def registry_path() -> Path:
    """Return the path of the registry shipped with the workbench (``data/sources.toml``)."""
    return settings.bundled_data_dir() / "sources.toml"


def _fields(template: str | None) -> set[str]:
    if not template:
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _slug(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^0-9a-z]+", "-", text).strip("-")


def _parse_years(value: object, where: str, problems: list[str]) -> tuple[int, int] | None:
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and value[0] <= value[1]
    ):
        return (value[0], value[1])
    problems.append(f"{where} : 'years' doit être [première, dernière] (par ex. [2015, 2026]).")
    return None


def _parse_by_year(
    value: object, years: tuple[int, int] | None, where: str, problems: list[str]
) -> dict[int, dict[str, str]]:
    if not isinstance(value, dict):
        problems.append(f"{where} : 'by_year' doit être une table.")
        return {}
    if years is None:
        problems.append(f"{where} : 'by_year' sans 'years' (millésimes acceptés).")
        return {}
    expanded: dict[int, dict[str, str]] = {}
    for key, overrides in value.items():
        match = _YEAR_KEY.match(key)
        if not match:
            problems.append(f"{where}.by_year : clé '{key}' invalide (attendu 2022 ou 2015-2021).")
            continue
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if not years[0] <= first <= last <= years[1]:
            problems.append(
                f"{where}.by_year : '{key}' hors des millésimes {years[0]} à {years[1]}."
            )
            continue
        if not isinstance(overrides, dict) or not all(
            isinstance(v, str) for v in overrides.values()
        ):
            problems.append(f"{where}.by_year.'{key}' : table de textes attendue.")
            continue
        for year in range(first, last + 1):
            if year in expanded:
                problems.append(f"{where}.by_year : l'année {year} est couverte deux fois.")
            expanded[year] = dict(overrides)
    return expanded


def _check_templates(source: Source, where: str, problems: list[str]) -> None:
    years: list[int | None] = (
        list(range(source.years[0], source.years[1] + 1)) if source.years else [None]
    )
    for year in years:
        templates = source._templates(year)
        extra = set(source.by_year.get(year, {})) - _OVERRIDABLE if year is not None else set()
        known = (_PLACEHOLDERS if year is not None else _PLACEHOLDERS - {"annee"}) | extra
        label = f"{where} ({year})" if year is not None else where
        for key in ("url", "file"):
            unknown = _fields(templates[key]) - known
            if unknown:
                problems.append(
                    f"{label} : '{key}' utilise {{{', '.join(sorted(unknown))}}}, "
                    "valeur inconnue pour ce millésime."
                )
        url = templates["url"]
        if url is not None and not url.startswith(("http://", "https://")):
            problems.append(f"{label} : 'url' doit commencer par http:// ou https://.")
        if templates["format"] not in _FORMATS:
            problems.append(
                f"{label} : format '{templates['format']}' inconnu "
                f"(attendus : {', '.join(sorted(_FORMATS))})."
            )
        name = templates["file"] or (url.rsplit("/", 1)[-1] if url else "")
        name_fields = _fields(name)
        if year is not None and "annee" not in name_fields:
            problems.append(f"{label} : le nom de fichier doit contenir {{annee}}.")
        if {"departement", "departement_nom"} & (
            _fields(url) | name_fields
        ) and "departement" not in name_fields:
            problems.append(f"{label} : le nom de fichier doit contenir {{departement}}.")


def _parse_source(
    source_id: str, entry: object, names: Mapping[str, str], problems: list[str]
) -> Source | None:
    where = f"[sources.{source_id}]"
    if not _ID.match(source_id):
        problems.append(f"{where} : identifiant invalide (minuscules, chiffres et _).")
    if not isinstance(entry, dict):
        problems.append(f"{where} : table attendue.")
        return None
    before = len(problems)
    for key in _REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            problems.append(f"{where} : clé '{key}' absente ou vide.")
    for key in ("url", "file"):
        if key in entry and not isinstance(entry[key], str):
            problems.append(f"{where} : '{key}' doit être un texte.")
    unknown = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:
        problems.append(
            f"{where} : clé(s) inconnue(s) {', '.join(unknown)} "
            f"(clés possibles : {', '.join(_REQUIRED + _OPTIONAL)})."
        )
    if "url" not in entry and "file" not in entry:
        problems.append(f"{where} : ni 'url' ni 'file' (nom du fichier déposé à la main).")
    landing = entry.get("landing_page")
    if isinstance(landing, str) and not landing.startswith(("http://", "https://")):
        problems.append(f"{where} : 'landing_page' doit commencer par http:// ou https://.")
    years = _parse_years(entry["years"], where, problems) if "years" in entry else None
    by_year = _parse_by_year(entry["by_year"], years, where, problems) if "by_year" in entry else {}
    if len(problems) > before:
        return None
    source = Source(
        id=source_id,
        label=entry["label"],
        publisher=entry["publisher"],
        landing_page=entry["landing_page"],
        format=entry["format"],
        licence=entry["licence"],
        notes=entry["notes"],
        url=entry.get("url"),
        file=entry.get("file"),
        years=years,
        by_year=MappingProxyType(by_year),
        departement_names=names,
    )
    _check_templates(source, where, problems)
    return source if len(problems) == before else None


def load_registry(path: str | Path | None = None) -> dict[str, Source]:
    """Read and validate a registry of sources.

    Parameters
    ----------
    path
        TOML file; defaults to :func:`registry_path`.

    Returns
    -------
    dict
        ``{source id: Source}`` in the order of the file.

    Raises
    ------
    InputFileError
        The file is missing.
    SchemaError
        The file is not valid TOML, or entries are incomplete or inconsistent
        (every problem is listed).

    Examples
    --------
    >>> registry = load_registry()
    >>> registry["bmo"].years
    (2015, 2026)
    """
    path = Path(path) if path is not None else registry_path()
    try:
        stat = path.stat()
    except OSError as exc:
        raise InputFileError(
            f"Registre des sources introuvable : {path} ({exc.strerror}). "
            "Réinstallez l'atelier ou indiquez le bon fichier."
        ) from exc
    return dict(_load_cached(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _load_cached(path_text: str, mtime: int, size: int) -> tuple[tuple[str, Source], ...]:
    """Parse the registry; cached per path, modification time and size."""
    path = Path(path_text)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(
            f"Registre des sources {path} : TOML invalide ({exc}). Corrigez la syntaxe du fichier.",
            [str(exc)],
        ) from exc
    problems: list[str] = []
    names: dict[str, str] = {}
    raw_names = data.get("departement_names", {})
    if not isinstance(raw_names, dict):
        problems.append("[departement_names] : table attendue.")
        raw_names = {}
    for code, name in raw_names.items():
        if not isinstance(name, str):
            problems.append(f"[departement_names] : nom du département {code} non textuel.")
            continue
        try:
            names[normalize_departement(code)] = name
        except CodeError:
            problems.append(f"[departement_names] : code département '{code}' invalide.")
    extra = sorted(set(data) - {"sources", "departement_names"})
    if extra:
        problems.append(f"table(s) inconnue(s) : {', '.join(extra)}.")
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, dict) or not raw_sources:
        problems.append("aucune table [sources.<id>].")
        raw_sources = {}
    sources: list[tuple[str, Source]] = []
    frozen_names = MappingProxyType(names)
    for source_id, entry in raw_sources.items():
        source = _parse_source(source_id, entry, frozen_names, problems)
        if source is not None:
            sources.append((source_id, source))
    if problems:
        raise SchemaError(
            format_problems(
                f"Registre des sources {path} : {len(problems)} problème(s). "
                "Corrigez le fichier (son en-tête décrit les clés attendues).",
                problems,
            ),
            problems,
        )
    return tuple(sources)


def list_sources() -> list[Source]:
    """Return the sources of the registry, in the order of ``data/sources.toml``.

    Examples
    --------
    >>> ids = [source.id for source in list_sources()]
    >>> "bmo" in ids and "contours_communes" in ids
    True
    """
    return list(load_registry().values())


def get_source(source_id: str) -> Source:
    """Return the source ``source_id``.

    Raises
    ------
    SourceError
        Unknown id; the message lists the valid ones.

    Examples
    --------
    >>> get_source("zones_emploi_2020").publisher
    'Insee'
    """
    registry = load_registry()
    try:
        return registry[source_id]
    except KeyError:
        raise SourceError(
            f"Source « {source_id} » inconnue. Sources disponibles : "
            f"{', '.join(registry)} (détail : territoire donnees sources)."
        ) from None


# --------------------------------------------------------------------------- addresses


@dataclass(frozen=True)
class _Target:
    source: Source
    url: str | None
    file: str
    params: dict[str, str]


def _year_range(source: Source) -> str:
    assert source.years is not None
    return f"{source.years[0]} à {source.years[1]}"


def _resolve(source: Source, annee: object, departement: object) -> _Target:
    """Check the parameters against the source and fill the templates."""
    params: dict[str, str] = {}
    values: dict[str, str] = {}
    year: int | None = None
    name = f"« {source.id} » ({source.label})"
    if source.years is None:
        if annee is not None:
            raise SourceError(f"La source {name} n'a pas de millésime : retirez l'année (--annee).")
    else:
        if annee is None:
            raise SourceError(
                f"La source {name} demande une année : précisez --annee (year= en Python). "
                f"Millésimes disponibles : {_year_range(source)}."
            )
        try:
            year = int(str(annee).strip())
        except ValueError:
            raise SourceError(
                f"Année « {annee} » invalide pour la source « {source.id} » : "
                f"attendu un millésime sur 4 chiffres, de {_year_range(source)}."
            ) from None
        if not source.years[0] <= year <= source.years[1]:
            raise SourceError(
                f"Millésime {year} indisponible pour la source {name}. "
                f"Millésimes disponibles : {_year_range(source)}."
            )
        params["annee"] = values["annee"] = str(year)
        values.update(
            {k: v for k, v in source.by_year.get(year, {}).items() if k not in _OVERRIDABLE}
        )
    if "departement" in source.parameters:
        if departement is None:
            raise SourceError(
                f"La source {name} est publiée par département : précisez --departement "
                "(departement= en Python), par ex. 44 ou 2A."
            )
        code = normalize_departement(str(departement), errors="coerce")
        if code is None:
            raise CodeError(
                f"Code département « {departement} » invalide (option --departement, source "
                f"« {source.id} ») : attendu 2 caractères (01, 2A) ou 3 en outre-mer (971)."
            )
        if code not in source.departement_names:
            known = list(source.departement_names)
            fictional = (
                " C'est un département fictif de la démonstration : il n'a pas de fichier officiel."
                if code in FICTIONAL_DEPARTEMENTS
                else ""
            )
            raise SourceError(
                f"Département « {code} » absent de la liste des départements du registre "
                f"(sources.toml, [departement_names] : {len(known)} codes, de {known[0]} à "
                f"{known[-1]}).{fictional}"
            )
        params["departement"] = values["departement"] = code
        values["departement_nom"] = _slug(source.departement_names[code])
    elif departement is not None:
        raise SourceError(
            f"La source {name} n'est pas découpée par département : retirez --departement."
        )
    templates = source._templates(year)
    url = templates["url"].format(**values) if templates["url"] else None
    file = templates["file"].format(**values) if templates["file"] else None
    if file is None:
        assert url is not None  # the registry guarantees url or file
        file = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return _Target(source=source, url=url, file=file, params=params)


def source_url(
    source_id: str, *, year: int | str | None = None, departement: str | int | None = None
) -> str:
    """Return the publisher's download address of one file.

    Parameters
    ----------
    source_id
        Identifier in the registry (``territoire donnees sources`` lists them).
    year
        Millésime, for yearly sources.
    departement
        Département code, for per-département sources (normalised: ``1`` → ``01``).

    Returns
    -------
    str

    Raises
    ------
    SourceError
        Unknown source, missing or unexpected parameter, year out of range, or a
        source without a confirmed direct address.
    CodeError
        ``departement`` is not a département code.

    Examples
    --------
    >>> url = source_url("contours_communes", departement=44)
    >>> url.rsplit("/", 2)[1:]
    ['44-loire-atlantique', 'communes-44-loire-atlantique.geojson']
    >>> source_url("bmo", year=2025).rsplit("/", 1)[1]
    'Base_open_data_BMO_2025.xlsx'
    """
    target = _resolve(get_source(source_id), year, departement)
    if target.url is None:
        raise SourceError(_manual_message(target, None))
    return target.url


def mirror_url(url: str, mirror: str) -> str:
    """Replace the scheme and host of ``url`` by the mirror base ``mirror``.

    The path of the publisher's address is kept under the mirror base; ``{host}``
    in ``mirror`` is replaced by the publisher's host, for mirrors that keep one
    folder per host.

    Raises
    ------
    SourceError
        ``mirror`` is not an ``http://`` or ``https://`` address.

    Examples
    --------
    >>> mirror_url("https://www.insee.fr/fr/statistiques/fichier/a.zip", "http://miroir/opendata/")
    'http://miroir/opendata/fr/statistiques/fichier/a.zip'
    >>> mirror_url("https://www.insee.fr/a.zip", "http://miroir/{host}")
    'http://miroir/www.insee.fr/a.zip'
    """
    if not mirror.startswith(("http://", "https://")):
        raise SourceError(
            f"Miroir « {mirror} » invalide : une adresse http:// ou https:// est attendue "
            f"(option --miroir ou variable {MIRROR_ENV})."
        )
    parts = urlsplit(url)
    base = mirror.replace("{host}", parts.netloc).rstrip("/")
    return base + parts.path + (f"?{parts.query}" if parts.query else "")


# --------------------------------------------------------------------------- downloads


def _record_key(target: _Target) -> str:
    params = "|".join(f"{k}={v}" for k, v in sorted(target.params.items()))
    return "|".join(part for part in (target.source.id, params, target.file) if part)


def _read_records(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        why = (
            f"JSON invalide ligne {exc.lineno}"
            if isinstance(exc, json.JSONDecodeError)
            else "lecture refusée"
            if isinstance(exc, PermissionError)
            else "contenu illisible"
        )
        raise SourceError(
            f"Empreintes des sources illisibles : {path} ({why}). Supprimez ce fichier : "
            "les empreintes seront réenregistrées au prochain téléchargement."
        ) from exc
    if not isinstance(records, dict):
        raise SourceError(
            f"Empreintes des sources illisibles : {path} (objet JSON attendu). "
            "Supprimez ce fichier : les empreintes seront réenregistrées."
        )
    return records


def _write_records(path: Path, records: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(
        json.dumps(records, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    os.replace(tmp, path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _manual_message(target: _Target, destination: Path | None) -> str:
    source = target.source
    where = (
        f"déposez-le sous {destination}, puis relancez la commande pour enregistrer son empreinte"
        if destination is not None
        else "déposez-le dans le dossier de cache que donne "
        f"« territoire donnees telecharger {source.id} »"
    )
    return (
        f"Source « {source.id} » ({source.label}) : pas d'adresse de téléchargement directe "
        f"confirmée. Téléchargez le fichier {target.file} depuis {source.landing_page} et "
        f"{where}."
    )


@contextlib.contextmanager
def _quiet_pooch() -> Iterator[None]:
    """Silence pooch's own (English) log lines; the workbench reports in French."""
    import pooch

    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _fetch(
    target: _Target, url: str, folder: Path, expected: str | None, *, progress: bool
) -> Path:
    """Download ``url`` with pooch, checking it against ``expected`` when known."""
    import pooch
    import requests

    found: dict[str, str] = {}
    http = pooch.HTTPDownloader(progressbar=progress)

    def downloader(url: str, output_file: Any, pup: Any) -> None:
        http(url, output_file, pup)
        found["sha256"] = pooch.file_hash(str(output_file))

    source = target.source
    destination = folder / target.file
    try:
        with _quiet_pooch():
            return Path(
                pooch.retrieve(
                    url,
                    known_hash=f"sha256:{expected}" if expected else None,
                    fname=target.file,
                    path=folder,
                    downloader=downloader,
                )
            )
    except requests.RequestException as exc:
        response = getattr(exc, "response", None)
        reason = (
            f"réponse HTTP {response.status_code}"
            if response is not None
            else type(exc).__name__ + " : serveur injoignable"
        )
        raise SourceError(
            f"Source « {source.id} » ({source.label}) : téléchargement impossible depuis "
            f"{url} ({reason}). Vérifiez la connexion ; derrière un pare-feu, passez par un "
            f"miroir (--miroir URL ou variable {MIRROR_ENV}), ou téléchargez le fichier à la "
            f"main depuis {source.landing_page} et déposez-le sous {destination}."
        ) from exc
    except ValueError as exc:
        if expected is None or found.get("sha256") in (None, expected):
            raise
        raise SourceError(
            f"Source « {source.id} » ({source.label}) : le fichier {target.file} téléchargé "
            f"depuis {url} a changé depuis son premier téléchargement (SHA-256 attendu "
            f"{expected}, trouvé {found['sha256']}). Le fichier en cache n'a pas été remplacé. "
            "Vérifiez auprès de l'éditeur s'il a publié une mise à jour ; si oui, oubliez "
            "l'ancienne empreinte avec --oublier (forget=True en Python) pour enregistrer la "
            "nouvelle."
        ) from exc


def retrieve_source(
    source_id: str,
    *,
    year: int | str | None = None,
    departement: str | int | None = None,
    cache_dir: str | Path | None = None,
    mirror: str | None = None,
    progress: bool = False,
    forget: bool = False,
) -> DownloadResult:
    """Download one official file into the cache, recording or checking its SHA-256.

    Same parameters as :func:`download_source`; returns a :class:`DownloadResult`
    that also tells whether the checksum was recorded or verified.
    """
    target = _resolve(get_source(source_id), year, departement)
    root = Path(cache_dir) if cache_dir is not None else Path(settings.cache_dir)
    folder = root / "sources" / target.source.id
    destination = folder / target.file
    records_path = root / "sources" / CHECKSUMS_FILE
    key = _record_key(target)
    records = _read_records(records_path)
    if forget:
        records.pop(key, None)
        _write_records(records_path, records)
        if target.url is not None:  # a file placed by hand is the user's: keep it
            destination.unlink(missing_ok=True)
    expected = records.get(key, {}).get("sha256")

    if mirror is None:
        mirror = os.environ.get(MIRROR_ENV) or None
    url: str | None = None
    if target.url is None:
        if not destination.is_file():
            raise SourceError(_manual_message(target, destination))
        path = destination
        sha = _sha256(path)
        if expected is not None and sha != expected:
            raise SourceError(
                f"Source « {target.source.id} » ({target.source.label}) : le fichier {path} a "
                f"changé depuis l'enregistrement de son empreinte (SHA-256 attendu {expected}, "
                f"trouvé {sha}). S'il s'agit d'une nouvelle version de l'éditeur, oubliez "
                "l'ancienne empreinte avec --oublier (forget=True en Python) puis redéposez "
                "le fichier."
            )
    else:
        url = mirror_url(target.url, mirror) if mirror else target.url
        path = _fetch(target, url, folder, expected, progress=progress)
        sha = expected or _sha256(path)

    if expected is not None:
        return DownloadResult(target.source.id, path, url, sha, "verified")
    records[key] = {
        "sha256": sha,
        "url": target.url,
        "size": path.stat().st_size,
        "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    _write_records(records_path, records)
    return DownloadResult(target.source.id, path, url, sha, "recorded")


def download_source(
    source_id: str,
    *,
    year: int | str | None = None,
    departement: str | int | None = None,
    cache_dir: str | Path | None = None,
    mirror: str | None = None,
    progress: bool = False,
    forget: bool = False,
) -> Path:
    """Download one official file into the cache and return its path.

    The file goes to ``<cache_dir>/sources/<source id>/``. Its SHA-256 is recorded
    in ``<cache_dir>/sources/checksums.json`` on the first download and checked on
    every later call: a cached file that still matches is returned without network
    access; a missing or altered one is downloaded again and must match the record.

    Parameters
    ----------
    source_id
        Identifier in the registry (``territoire donnees sources`` lists them).
    year
        Millésime, for yearly sources.
    departement
        Département code, for per-département sources.
    cache_dir
        Cache root; defaults to ``settings.cache_dir`` (read at call time).
    mirror
        Base URL replacing the scheme and host of the publisher's address (see
        :func:`mirror_url`); defaults to the ``TERRITOIRE_MIROIR`` environment variable.
    progress
        Show a progress bar while downloading.
    forget
        Forget the recorded checksum first (and delete the cached copy of a
        downloadable file), to take a new version published by the publisher.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    SourceError
        Unknown source or bad parameters (the message lists the valid choices),
        network failure, no confirmed address and no file placed by hand, or a
        file whose checksum differs from the record.
    CodeError
        ``departement`` is not a département code.

    Examples
    --------
    ``download_source("bmo", year=2024)`` returns
    ``<cache>/sources/bmo/Base_open_data_BMO_2024.xlsx``. Without its year:

    >>> download_source("bmo")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    geo._errors.SourceError: La source « bmo » (...) demande une année : précisez --annee ...
    """
    return retrieve_source(
        source_id,
        year=year,
        departement=departement,
        cache_dir=cache_dir,
        mirror=mirror,
        progress=progress,
        forget=forget,
    ).path
