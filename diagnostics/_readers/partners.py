"""Private plumbing of the partner directory reader: raw table, headers, cell parsers.

:mod:`diagnostics.partners` calls :func:`read_raw_table` (CSV with ``,`` or ``;``,
UTF-8 or latin-1, or an XLSX workbook read with python-calamine), matches the
headers with :func:`match_headers`, then parses each cell with the small
functions below. Every parser returns ``None`` (or raises nothing) for a value it
cannot read, so that the caller reports the cell and goes on with the rest of the
file.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine

from geo._errors import InputFileError
from geo.tables import normalize_header, read_table

__all__ = [
    "HEADER_ALIASES",
    "HEADER_LABELS",
    "RawTable",
    "read_raw_table",
    "match_headers",
    "split_values",
    "parse_bool",
    "parse_date",
    "parse_float",
    "parse_point",
    "siret_digits",
    "luhn_ok",
    "siret_ok",
]

#: Tidy field → accepted headers (compared once normalised: lower case, no accents,
#: ``_`` between words). The first header of each list is the template's.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "partenaire_id": (
        "Identifiant",
        "id",
        "partenaire_id",
        "id_partenaire",
        "identifiant partenaire",
        "identifiant de la structure",
        "code partenaire",
        "code structure",
        "référence",
        "ref",
        "n°",
        "numéro",
    ),
    "nom": (
        "Nom de la structure",
        "nom",
        "nom structure",
        "structure",
        "nom du partenaire",
        "partenaire",
        "raison sociale",
        "dénomination",
        "organisme",
        "nom de l'organisme",
        "libellé",
        "intitulé",
    ),
    "type": (
        "Type",
        "type de structure",
        "type structure",
        "type de partenaire",
        "type partenaire",
        "typologie",
        "catégorie",
        "nature",
        "type d'acteur",
    ),
    "siret": ("SIRET", "n° siret", "numéro siret", "code siret", "siret établissement"),
    "commune": (
        "Code commune",
        "code commune insee",
        "code insee",
        "code_commune_insee",
        "insee",
        "codgeo",
        "depcom",
        "code insee commune",
        "commune",
        "commune du siège",
        "commune d'implantation",
        "commune du site",
    ),
    "latitude": ("Latitude", "lat", "latitude wgs84", "y wgs84"),
    "longitude": ("Longitude", "lon", "lng", "long", "longitude wgs84", "x wgs84"),
    "coordonnees": (
        "Coordonnées",
        "geopoint",
        "geo point",
        "geo point 2d",
        "coordonnées gps",
        "gps",
        "lat lon",
        "latlon",
        "position",
    ),
    "ressort": (
        "Ressort",
        "ressort territorial",
        "territoire d'intervention",
        "zone d'intervention",
        "zone de compétence",
        "périmètre",
        "périmètre d'intervention",
        "territoire",
    ),
    "ressort_communes": (
        "Ressort (communes)",
        "ressort communes",
        "communes du ressort",
        "communes couvertes",
        "communes d'intervention",
    ),
    "ressort_territoire": (
        "Ressort (territoire)",
        "ressort territoire",
        "territoire du ressort",
        "territoire de ressort",
    ),
    "domaines": (
        "Domaines",
        "domaine",
        "domaines d'intervention",
        "domaine d'intervention",
        "domaines d'activité",
    ),
    "publics": (
        "Publics",
        "public",
        "publics cibles",
        "public cible",
        "publics accueillis",
        "publics servis",
    ),
    "operant": ("Opérant", "opérante", "acteur opérant", "est opérant", "actif", "active"),
    "majeur": ("Majeur", "majeure", "acteur majeur", "est majeur"),
    "reseau": (
        "Réseau",
        "réseau national",
        "tête de réseau",
        "réseau d'appartenance",
        "fédération",
    ),
    "date_verification": (
        "Date de vérification",
        "date vérification",
        "dernière vérification",
        "vérifié le",
        "date de mise à jour",
        "mise à jour",
        "date maj",
        "date de mise a jour",
    ),
    "source": ("Source", "origine", "source de l'information", "sources"),
}

#: The template header of each field (for messages).
HEADER_LABELS: dict[str, str] = {k: v[0] for k, v in HEADER_ALIASES.items()}

_NORMALIZED_ALIASES: dict[str, tuple[str, ...]] = {
    k: tuple(dict.fromkeys(normalize_header(a) for a in (k, *v))) for k, v in HEADER_ALIASES.items()
}

_HEADER_SEARCH_ROWS = 15


@dataclass
class RawTable:
    """A table as read: every cell as text, with the file line of each row."""

    frame: pd.DataFrame
    lines: list[int]
    label: str
    file_format: str
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)


def match_headers(header: Sequence[object]) -> dict[str, int]:
    """Position of each tidy field in ``header`` (first alias that matches wins)."""
    normalized = [normalize_header(h) if h is not None else "" for h in header]
    found: dict[str, int] = {}
    used: set[int] = set()
    for out, aliases in _NORMALIZED_ALIASES.items():
        for alias in aliases:
            hits = [i for i, n in enumerate(normalized) if n == alias and i not in used]
            if hits:
                found[out] = hits[0]
                used.add(hits[0])
                break
    return found


def _cell_text(value: object) -> str | None:
    """Text of one spreadsheet cell; integral floats without ``.0``; dates in ISO."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 2**53:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _sniff(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "csv"


def _header_score(row: Sequence[object]) -> int:
    return len(match_headers(row))


def _read_workbook(path: Path, label: str, kind: str) -> RawTable:
    if kind == "xlsx" and not zipfile.is_zipfile(path):
        raise InputFileError(
            f"{label} : classeur XLSX tronqué ou corrompu. Enregistrez-le à nouveau depuis le "
            "tableur, ou exportez-le en CSV."
        )
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise InputFileError(
            f"{label} : classeur illisible ({exc}). Enregistrez-le à nouveau depuis le "
            "tableur, ou exportez-le en CSV."
        ) from exc
    best: tuple[int, str, int, list[list[object]]] | None = None
    for name in workbook.sheet_names:
        try:
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except python_calamine.CalamineError as exc:
            raise InputFileError(f"{label} : la feuille « {name} » est illisible ({exc}).") from exc
        for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
            score = _header_score(row)
            if score >= 2 and (best is None or score > best[0]):
                best = (score, name, index, rows)
    if best is None:
        sheets = ", ".join(f"« {n} »" for n in workbook.sheet_names) or "aucune"
        first = (
            workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python(skip_empty_area=False)
            if workbook.sheet_names
            else []
        )
        found = [c for c in (first[0] if first else []) if c not in (None, "")]
        frame = pd.DataFrame(columns=[str(c) for c in found])
        return RawTable(frame, [], label, "xlsx", sheet=None, notes=[f"feuilles : {sheets}"])
    _, name, index, rows = best
    header = [_cell_text(c) or f"colonne_{i + 1}" for i, c in enumerate(rows[index])]
    width = len(header)
    body = rows[index + 1 :]
    records = [[_cell_text(c) for c in (list(r) + [None] * width)[:width]] for r in body]
    frame = pd.DataFrame(records, columns=header, dtype=object).astype("string")
    lines = [index + 2 + k for k in range(len(records))]
    notes = []
    if len(workbook.sheet_names) > 1:
        notes.append(f"feuille lue : « {name} » (en-tête ligne {index + 1})")
    return RawTable(frame, lines, label, "xlsx", sheet=name, notes=notes)


def read_raw_table(path: str | Path) -> RawTable:
    """Read a partner directory file, every cell as text.

    CSV (``,``, ``;`` or tab; UTF-8 with or without BOM, or latin-1) or XLSX
    (the sheet and header row holding the most known headers, within the first
    15 rows). Fully blank rows are dropped.

    Raises
    ------
    InputFileError
        Missing, empty, binary or unreadable file.
    """
    path = Path(path)
    label = path.name
    if not path.is_file():
        raise InputFileError(
            f"{path} : fichier introuvable. Vérifiez le chemin (dossier courant : {Path.cwd()})."
        )
    kind = _sniff(path)
    if kind in ("xlsx", "xls"):
        table = _read_workbook(path, label, kind)
    else:
        df = read_table(path)
        frame = df.astype("string")
        for column in frame.columns:
            frame[column] = frame[column].str.strip().replace("", pd.NA)
        fmt = f"CSV (séparateur « {df.attrs.get('separator')} », {df.attrs.get('encoding')})"
        table = RawTable(frame, [i + 2 for i in range(len(frame))], label, fmt)
    frame = table.frame
    if len(frame.columns):
        blank = frame.isna().all(axis=1).to_numpy()
        if blank.any():
            table.frame = frame[~blank].reset_index(drop=True)
            table.lines = [line for line, b in zip(table.lines, blank, strict=True) if not b]
    return table


# --------------------------------------------------------------------------- cells

_SPLIT = re.compile(r"\s*[;,|\n]\s*")


def split_values(text: object) -> list[str]:
    """Items of a multi-valued cell separated by ``;``, ``,``, ``|`` or new lines."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return []
    return [item for item in _SPLIT.split(str(text).strip()) if item]


_TRUE = {"oui", "o", "1", "x", "vrai", "true", "yes", "y", "v"}
_FALSE = {"non", "n", "0", "faux", "false", "no", "-"}


def parse_bool(text: object) -> bool | None:
    """``oui/non/1/0/x/vrai/faux`` → bool; a blank cell is ``False``; other text ``None``."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return False
    key = normalize_header(text).replace("_", "")
    if key in _TRUE:
        return True
    if key in _FALSE or key == "":
        return False
    return None


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.]+)?$")
_YM = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_date(text: object) -> pd.Timestamp | None:
    """``JJ/MM/AAAA`` (or ``-``, ``.``, 2-digit years 20xx), ISO ``AAAA-MM-JJ`` or ``AAAA-MM``."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    value = str(text).strip()
    for pattern, order in ((_ISO, "ymd"), (_DMY, "dmy"), (_YM, "ym")):
        m = pattern.match(value)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        year = int(parts["y"])
        if year < 100:
            year += 2000
        try:
            return pd.Timestamp(dt.date(year, int(parts["m"]), int(parts.get("d", 1))))
        except ValueError:
            return None
    return None


def parse_float(text: object) -> float | None:
    """A decimal number, with ``.`` or ``,`` as decimal separator; ``None`` if unreadable."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    value = str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    value = value.rstrip("°")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def parse_point(text: object) -> tuple[float, float] | None:
    """``"lat, lon"`` → (lat, lon); also ``"lat; lon"``, ``"lat lon"`` and decimal commas
    (``"47,2; -1,5"``, ``"47,2, -1,5"``). ``None`` if unreadable."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    value = str(text).strip().strip("()[]").strip()
    if ";" in value:
        parts = value.split(";")
    elif value.count(",") == 3:  # decimal commas: "47,2, -1,5"
        parts = re.split(r",\s+", value)
    elif value.count(",") == 1 and ("." in value or " " in value):
        parts = value.split(",")
    else:
        parts = value.split()
    if len(parts) != 2:
        return None
    lat, lon = parse_float(parts[0]), parse_float(parts[1])
    return None if lat is None or lon is None else (lat, lon)


def siret_digits(text: object) -> str:
    """The SIRET as written, without spaces, dots or dashes."""
    return re.sub(r"[\s.\-\u00a0]", "", str(text))


def luhn_ok(digits: str) -> bool:
    """Luhn checksum of a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        d = int(char)
        if position % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# La Poste's establishments share SIREN 356 000 000; their SIRET does not follow
# the Luhn key but the sum of their digits is a multiple of 5.
_LA_POSTE = "356000000"


def siret_ok(text: object) -> bool:
    """14 digits with a valid key (Luhn, or La Poste's rule)."""
    digits = siret_digits(text)
    if not re.fullmatch(r"\d{14}", digits):
        return False
    if digits.startswith(_LA_POSTE):
        return sum(int(c) for c in digits) % 5 == 0
    return luhn_ok(digits)
