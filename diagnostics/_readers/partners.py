"""Reader of the analyst's partner directory: headers, cells, problems, tidy table.

:func:`read_partners_report` reads the file through :func:`geo.tables.read_table`
(CSV with any usual separator and encoding, or a workbook: the sheet and header
row holding the most known headers), matches the headers with
:func:`match_headers`, parses each cell with the small functions below (each
returns ``None`` for a value it cannot read, so that the reader reports the cell
and goes on with the rest of the file), and reports every problem with its line
in a :class:`geo.problems.ProblemReport`, attached to the table
(``attrs["problemes"]``) and kept in the :class:`PartnerReport`.

:mod:`diagnostics.partners` re-exports the public names (``dg.read_partners``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pandera.pandas as pa

from diagnostics._readers import partner_typology as _typo
from diagnostics._readers._rows import SET_ASIDE
from geo import codes
from geo._errors import SchemaError, format_problems
from geo.crs import metric_crs_for
from geo.polygons import LOCATION_BOXES
from geo.problems import ProblemReport, attach_problems
from geo.tables import normalize_header, read_table, report_blank_lines

__all__ = [
    "DOMAINS",
    "PUBLICS",
    "PARTNER_FAMILIES",
    "PARTNER_TYPES",
    "PARTNER_COLUMNS",
    "PARTNER_SCHEMA",
    "RESSORT_LEVELS",
    "HEADER_ALIASES",
    "HEADER_LABELS",
    "PartnerReport",
    "RawTable",
    "read_partners",
    "read_partners_report",
    "partners_from_records",
    "read_raw_table",
    "match_headers",
    "sample_values",
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


# --------------------------------------------------------------------------- raw table


@dataclass
class RawTable:
    """A table as read: every cell as text, with the file line of each row."""

    frame: pd.DataFrame
    lines: list[int]
    label: str
    file_format: str
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)
    #: Lines of the blank rows left out (listed in the report, issue 14).
    blank_lines: list[int] = field(default_factory=list)


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


def _header_score(row: Sequence[object]) -> int:
    return len(match_headers(row))


def read_raw_table(path: str | Path) -> RawTable:
    """Read a partner directory file, every cell as text (:func:`geo.tables.read_table`).

    The sheet and header row of a workbook are those holding the most known
    headers. Fully blank rows are dropped.

    Raises
    ------
    InputFileError
        Missing, empty, binary or unreadable file.
    """
    table = read_table(path, header_score=_header_score, line_column="ligne")
    attrs = dict(table.attrs)
    lines = [int(line) for line in table["ligne"]]
    frame = table.drop(columns="ligne")
    if attrs["format"] == "csv":
        fmt = f"CSV (séparateur « {attrs['separator']} », {attrs['encoding']})"
    else:
        fmt = str(attrs["format"])
    notes = []
    if len(attrs.get("feuilles") or ()) > 1:
        notes.append(
            f"feuille lue : « {attrs['feuille']} » (en-tête ligne {attrs['ligne_en_tete']})"
        )
    blank = [int(v) for v in attrs.get("lignes_vides_liste", [])]
    return RawTable(frame, lines, str(attrs["source"]), fmt, attrs.get("feuille"), notes, blank)


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
    """``"lat, lon"`` → (lat, lon); ``None`` if unreadable.

    Also ``"lat; lon"``, ``"lat lon"`` and decimal commas (``"47,2; -1,5"``,
    ``"47,2, -1,5"``).
    """
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


# --------------------------------------------------------------------------- typology and schema

#: The report's six domains of intervention (code → French label).
DOMAINS: dict[str, str] = dict(_typo.DOMAINS)

#: Publics served (code → French label).
PUBLICS: dict[str, str] = dict(_typo.PUBLICS)

#: Families of partner types (code → French label).
PARTNER_FAMILIES: dict[str, str] = dict(_typo.FAMILIES)


def _types_table() -> pd.DataFrame:
    df = pd.DataFrame(
        list(_typo.TYPES),
        columns=["type", "libelle", "famille", "domaines_defaut", "priorite_nationale"],
    )
    for column in ("type", "libelle", "famille"):
        df[column] = df[column].astype("string")
    order = list(_typo.DOMAINS)
    df["domaines_defaut"] = [tuple(sorted(d, key=order.index)) for d in df["domaines_defaut"]]
    df["priorite_nationale"] = df["priorite_nationale"].astype(bool)
    return df


#: Partner typology: ``type, libelle, famille, domaines_defaut, priorite_nationale``.
#: Covers every actor type named in the source documents and the national insertion
#: referentials; ``autre`` receives the labels that match no type. The sources of
#: each entry are listed in ``data/partenaires/LISEZMOI.md``.
PARTNER_TYPES: pd.DataFrame = _types_table()

#: Levels accepted in ``ressort_territoire`` (columns of the commune table).
RESSORT_LEVELS: tuple[str, ...] = (
    "region",
    "departement",
    "bassin",
    "zone_emploi",
    "clpe",
    "commune",
)

#: Columns of the tidy partner table, in order.
PARTNER_COLUMNS: tuple[str, ...] = (
    "partenaire_id",
    "nom",
    "type",
    "type_libelle",
    "siret",
    "commune",
    "latitude",
    "longitude",
    "ressort_communes",
    "ressort_territoire",
    "domaines",
    "publics",
    "operant",
    "majeur",
    "reseau",
    "date_verification",
    "source",
)

_TUPLE_COLUMNS = ("ressort_communes", "domaines", "publics")
_STRING_COLUMNS = (
    "partenaire_id",
    "nom",
    "type",
    "type_libelle",
    "siret",
    "commune",
    "ressort_territoire",
    "reseau",
    "source",
)

_TYPE_LABELS: dict[str, str] = {t[0]: t[1] for t in _typo.TYPES}
_TYPE_DOMAINS: dict[str, tuple[str, ...]] = dict(
    zip(PARTNER_TYPES["type"], PARTNER_TYPES["domaines_defaut"], strict=True)
)

_NORMALIZERS = {
    "region": codes.normalize_region,
    "departement": codes.normalize_departement,
    "bassin": codes.normalize_bassin,
    "zone_emploi": codes.normalize_zone_emploi,
    "clpe": codes.normalize_clpe,
    "commune": codes.normalize_commune,
}

_LEVEL_ALIASES: dict[str, tuple[str, ...]] = {
    "region": ("region", "reg", "r", "conseil regional"),
    "departement": ("departement", "dep", "dept", "d", "departemental"),
    "bassin": ("bassin", "bassin d emploi", "bassin emploi", "bassin bmo", "be", "bassin_emploi"),
    "zone_emploi": ("zone emploi", "zone d emploi", "ze", "zone_emploi"),
    "clpe": ("clpe", "comite local pour l emploi"),
    "commune": ("commune", "com", "c"),
}


def _lookup(labels: Mapping[str, str], aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Normalised spelling → code, from the codes, labels and aliases."""
    out: dict[str, str] = {}
    for code, label in labels.items():
        for text in (code, label, *aliases.get(code, ())):
            out.setdefault(normalize_header(text), code)
    return out


_TYPE_LOOKUP = _lookup(_TYPE_LABELS, _typo.TYPE_ALIASES)
_DOMAIN_LOOKUP = _lookup(DOMAINS, _typo.DOMAIN_ALIASES)
_PUBLIC_LOOKUP = _lookup(PUBLICS, _typo.PUBLIC_ALIASES)
_LEVEL_LOOKUP = {
    normalize_header(a): level for level, names in _LEVEL_ALIASES.items() for a in names
}

# Plausible places for a partner's site: France (metropole and the five overseas
# régions) and the fictional demonstration island, as (lon min, lat min, lon max,
# lat max), the boxes of geo.polygons.LOCATION_BOXES. Used when no territory is
# given to tell swapped or wrong coordinates.
_REFERENCE_AREAS: dict[str, tuple[float, float, float, float]] = {
    name: LOCATION_BOXES[code]
    for code, name in {
        "": "France métropolitaine",
        "971": "Guadeloupe",
        "972": "Martinique",
        "973": "Guyane",
        "974": "La Réunion",
        "976": "Mayotte",
        "9A": "territoire de démonstration (fictif)",
    }.items()
}
# Margin added around the communes of the study (degrees, about 5 km).
_BOUNDS_MARGIN = 0.05
# Distance beyond which coordinates are reported as far from their site commune.
_FAR_FROM_COMMUNE_KM = 2.0


# --------------------------------------------------------------------------- schema


def _is_tuple_of_str(value: object) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


def _domains_ok(value: object) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, str) and v in DOMAINS for v in value)


def _communes_ok(values: pd.Series) -> bool:
    """Every cell a tuple of valid commune codes (checked in one pass)."""
    if not all(_is_tuple_of_str(v) for v in values):
        return False
    flat = [code for cell in values for code in cell]
    return bool(codes.is_valid(flat, "commune").all()) if flat else True


#: pandera schema of the tidy partner table (strict: exactly :data:`PARTNER_COLUMNS`).
PARTNER_SCHEMA = pa.DataFrameSchema(
    {
        "partenaire_id": pa.Column("string", unique=True),
        "nom": pa.Column("string"),
        "type": pa.Column("string", pa.Check.isin(list(_TYPE_LABELS))),
        "type_libelle": pa.Column("string"),
        "siret": pa.Column("string", pa.Check.str_matches(r"^\d{14}$"), nullable=True),
        "commune": pa.Column(
            "string",
            pa.Check(lambda s: codes.is_valid(s, "commune"), name="code_commune"),
            nullable=True,
        ),
        "latitude": pa.Column("float64", pa.Check.in_range(-90, 90), nullable=True),
        "longitude": pa.Column("float64", pa.Check.in_range(-180, 180), nullable=True),
        "ressort_communes": pa.Column(object, pa.Check(_communes_ok, name="communes")),
        "ressort_territoire": pa.Column(
            "string",
            pa.Check.str_matches(rf"^({'|'.join(RESSORT_LEVELS)}):\S+$"),
            nullable=True,
        ),
        "domaines": pa.Column(object, pa.Check(_domains_ok, element_wise=True, name="domaines")),
        "publics": pa.Column(object, pa.Check(_is_tuple_of_str, element_wise=True, name="publics")),
        "operant": pa.Column(bool),
        "majeur": pa.Column(bool),
        "reseau": pa.Column("string", nullable=True),
        "date_verification": pa.Column("datetime64[ns]", nullable=True),
        "source": pa.Column("string", nullable=True),
    },
    strict=True,
    ordered=True,
    name="annuaire des partenaires",
)


def _french_schema_error(exc: pa.errors.SchemaErrors, what: str) -> SchemaError:
    cases = exc.failure_cases
    problems = [
        f"colonne {row.column!r} : contrôle {row.check!r} en échec"
        + (f" (valeur {row.failure_case!r}, ligne {row.index})" if row.index is not None else "")
        for row in cases.itertuples()
    ]
    return SchemaError(
        format_problems(
            f"{what} : {len(problems)} valeur(s) ne respectent pas le schéma de l'annuaire des "
            "partenaires (voir diagnostics.partners.PARTNER_COLUMNS) :",
            problems,
        ),
        problems=problems,
    )


# --------------------------------------------------------------------------- report

#: What the reader does with the row or the value, for each category of problem
#: (``identifiant_duplique`` is ``écartée`` or ``corrigée`` case by case).
_ACTIONS: dict[str, str] = {
    "doublon_ligne": "écartée",
    "nom_manquant": "écartée",
    "identifiant_manquant": "corrigée",
    "identifiant_duplique": "corrigée",
    "type_manquant": "corrigée",
    "type_inconnu": "corrigée",
    "siret_invalide": "corrigée",
    "commune_invalide": "corrigée",
    "commune_inconnue": "corrigée",
    "commune_par_nom": "corrigée",
    "coordonnees_invalides": "corrigée",
    "coordonnees_inversees": "corrigée",
    "coordonnees_hors_zone": "corrigée",
    "coordonnees_hors_territoire": "conservée",
    "coordonnees_loin_commune": "conservée",
    "ressort_invalide": "corrigée",
    "ressort_commune_inconnue": "corrigée",
    "ressort_territoire_inconnu": "corrigée",
    "ressort_plusieurs_territoires": "corrigée",
    "domaine_inconnu": "corrigée",
    "public_inconnu": "conservée",
    "booleen_invalide": "corrigée",
    "date_invalide": "corrigée",
}

#: Columns of :meth:`PartnerReport.to_frame`.
_REPORT_COLUMNS = ["fichier", "ligne", "colonne", "categorie", "valeur", "action", "message"]


@dataclass
class PartnerReport:
    """What :func:`read_partners_report` found, fixed or could not use.

    Attributes
    ----------
    fichier
        File name.
    format
        ``CSV (séparateur « ; », utf-8)`` or ``xlsx``.
    feuille
        Sheet read in a workbook.
    lignes_lues
        Data rows read (blank rows excepted).
    structures
        Rows of the tidy table.
    colonnes
        Tidy field → header found in the file.
    colonnes_supplementaires
        Headers of the file that match no field, kept aside in :attr:`supplementaires`.
    supplementaires
        The values of these columns, one row per structure kept
        (``partenaire_id`` then the extra columns).
    problemes
        Every problem, with its line (:class:`geo.problems.ProblemReport`; the
        ``category`` of each problem is one of the keys of :meth:`counts`:
        ``doublon_ligne``, ``identifiant_manquant``, ``identifiant_duplique``,
        ``nom_manquant``, ``type_manquant``, ``type_inconnu``, ``siret_invalide``,
        ``commune_invalide``, ``commune_inconnue``, ``commune_par_nom``,
        ``coordonnees_invalides``, ``coordonnees_inversees``,
        ``coordonnees_hors_zone``, ``coordonnees_hors_territoire``,
        ``coordonnees_loin_commune``, ``ressort_invalide``,
        ``ressort_commune_inconnue``, ``ressort_territoire_inconnu``,
        ``ressort_plusieurs_territoires``, ``domaine_inconnu``, ``public_inconnu``,
        ``booleen_invalide``, ``date_invalide``). The same report is attached to
        the table (``attrs["problemes"]``).
    remarques
        Informational notes (columns found, defaults applied...).
    """

    fichier: str
    format: str = ""
    feuille: str | None = None
    lignes_lues: int = 0
    structures: int = 0
    colonnes: dict[str, str] = field(default_factory=dict)
    colonnes_supplementaires: list[str] = field(default_factory=list)
    supplementaires: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    problemes: ProblemReport = field(default_factory=ProblemReport)
    remarques: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """``True`` when no problem was reported (remarks do not count)."""
        return not self.problemes

    def counts(self) -> dict[str, int]:
        """Number of problems per category."""
        out: dict[str, int] = {}
        for p in self.problemes:
            key = p.category or "autre"
            out[key] = out.get(key, 0) + 1
        return out

    def lines(self) -> list[str]:
        """One French sentence per problem (:meth:`geo.problems.ProblemReport.lines`)."""
        return self.problemes.lines()

    def to_frame(self) -> pd.DataFrame:
        """One row per problem: ``fichier, ligne, colonne, categorie, valeur, action, message``."""
        frame = self.problemes.to_frame()
        frame.insert(3, "categorie", [p.category for p in self.problemes])
        for column in ("fichier", "colonne", "categorie", "valeur", "action", "message"):
            frame[column] = frame[column].astype("string")
        return frame[_REPORT_COLUMNS]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, ready for JSON (the extra values are left out)."""
        return {
            "fichier": self.fichier,
            "format": self.format,
            "feuille": self.feuille,
            "lignes_lues": self.lignes_lues,
            "structures": self.structures,
            "propre": self.clean,
            "colonnes": dict(self.colonnes),
            "colonnes_supplementaires": list(self.colonnes_supplementaires),
            "problemes_par_categorie": self.counts(),
            "problemes": [
                {
                    "fichier": p.file,
                    "ligne": p.line,
                    "colonne": p.column,
                    "categorie": p.category,
                    "valeur": p.value,
                    "action": p.action,
                    "message": p.message,
                }
                for p in self.problemes
            ],
            "remarques": list(self.remarques),
        }

    def to_json(self) -> str:
        """JSON text (UTF-8, French accents kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def summary(self, *, limit: int = 50) -> str:
        """French summary for the command line and notebooks."""
        head = (
            f"Annuaire des partenaires {self.fichier} : {self.structures} structure(s) retenue(s) "
            f"sur {self.lignes_lues} ligne(s) lue(s)."
        )
        lines = [head]
        if self.clean:
            lines.append("Aucun problème détecté.")
        else:
            counts = ", ".join(f"{k} : {v}" for k, v in sorted(self.counts().items()))
            lines.append(f"{len(self.problemes)} problème(s) signalé(s) ({counts}) :")
            lines += [f"  - {p}" for p in self.problemes.lines()[:limit]]
            if len(self.problemes) > limit:
                lines.append(
                    f"  ... et {len(self.problemes) - limit} autre(s) : voir le rapport complet "
                    "(option --json ou PartnerReport.to_frame())."
                )
        lines += [f"Remarque : {r}" for r in self.remarques]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


# --------------------------------------------------------------------------- reading


class _Collector:
    """Collects the problems of one file, with the header of each field."""

    def __init__(self, label: str, headers: Mapping[str, str]) -> None:
        self.headers = dict(headers)
        self.problems = ProblemReport(label)

    def add(
        self,
        line: int | None,
        column: str | None,
        category: str,
        value: object,
        message: str,
        *,
        action: str | None = None,
    ) -> None:
        header = self.headers.get(column, HEADER_LABELS.get(column, column)) if column else None
        text = (
            None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
        )
        self.problems.add(
            message,
            line=line,
            column=header,
            value=text,
            action=action or _ACTIONS.get(category, "conservée"),
            category=category,
        )


def _missing_columns_error(label: str, header: Sequence[str], missing: list[str]) -> SchemaError:
    def expected(field: str) -> str:
        if field == "site":
            return (
                "le site de la structure : 'Code commune', ou 'Latitude' et 'Longitude', ou "
                "'Coordonnées'"
            )
        aliases = ", ".join(repr(a) for a in HEADER_ALIASES[field][1:4])
        return f"'{HEADER_LABELS[field]}' (ou {aliases})"

    found = ", ".join(repr(str(h)) for h in header) or "aucune"
    return SchemaError(
        f"{label} : colonne(s) obligatoire(s) absente(s) : {'; '.join(map(expected, missing))}. "
        f"Colonnes trouvées : {found}. Renommez la colonne comme dans le modèle "
        "data/partenaires/modele_annuaire_partenaires.csv (voir data/partenaires/LISEZMOI.md).",
        problems=[
            "colonne absente : "
            + ("Code commune ou Latitude/Longitude" if c == "site" else HEADER_LABELS[c])
            for c in missing
        ],
    )


def _raw_schema(fields: Iterable[str]) -> pa.DataFrameSchema:
    """The pandera schema of the raw text cells (only the fields present in the file)."""
    element = {
        "siret": pa.Check(siret_ok, element_wise=True, name="siret_invalide"),
        "latitude": pa.Check(
            lambda v: parse_float(v) is not None, element_wise=True, name="nombre_invalide"
        ),
        "longitude": pa.Check(
            lambda v: parse_float(v) is not None, element_wise=True, name="nombre_invalide"
        ),
        "coordonnees": pa.Check(
            lambda v: parse_point(v) is not None, element_wise=True, name="point_invalide"
        ),
        "operant": pa.Check(
            lambda v: parse_bool(v) is not None, element_wise=True, name="booleen_invalide"
        ),
        "majeur": pa.Check(
            lambda v: parse_bool(v) is not None, element_wise=True, name="booleen_invalide"
        ),
        "date_verification": pa.Check(
            lambda v: parse_date(v) is not None, element_wise=True, name="date_invalide"
        ),
    }
    columns = {}
    for name in fields:
        checks = [element[name]] if name in element else []
        columns[name] = pa.Column(
            "string", checks=checks, nullable=name not in ("nom", "type"), required=False
        )
    return pa.DataFrameSchema(columns, strict=False, coerce=False)


def _raw_failures(raw: pd.DataFrame) -> dict[tuple[int, str], str]:
    """(row position, field) → failed check name, from the pandera validation."""
    try:
        _raw_schema(raw.columns).validate(raw, lazy=True)
    except pa.errors.SchemaErrors as exc:
        out: dict[tuple[int, str], str] = {}
        for row in exc.failure_cases.itertuples():
            if row.index is None or pd.isna(row.index):
                continue
            check = "valeur_manquante" if row.check == "not_nullable" else str(row.check)
            out[(int(row.index), str(row.column))] = check
        return out
    return {}


def _bounds_of(
    communes: pd.DataFrame | None, bounds: Sequence[float] | None
) -> tuple[float, float, float, float] | None:
    """Extent of the territory (WGS84, with a margin), from ``bounds`` or the polygons."""
    if bounds is not None:
        return tuple(float(b) for b in bounds)  # type: ignore[return-value]
    if communes is None or "geometry" not in communes.columns:
        return None
    if isinstance(communes, gpd.GeoDataFrame) and communes.crs is not None:
        geometry = communes.geometry.to_crs("EPSG:4326")
    else:
        geometry = gpd.GeoSeries(communes["geometry"], crs="EPSG:4326")
    geometry = geometry[geometry.notna() & ~geometry.is_empty]
    if geometry.empty:
        return None
    minx, miny, maxx, maxy = geometry.total_bounds
    m = _BOUNDS_MARGIN
    return (minx - m, miny - m, maxx + m, maxy + m)


def _inside(lat: float, lon: float, box: tuple[float, float, float, float]) -> bool:
    return box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def _area_of(lat: float, lon: float) -> str | None:
    for name, box in _REFERENCE_AREAS.items():
        if _inside(lat, lon, box):
            return name
    return None


def _fmt(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _check_point(
    lat: float, lon: float, territory: tuple[float, float, float, float] | None
) -> tuple[str, float | None, float | None, str]:
    """Classify one point: (category or "", lat, lon kept, French explanation)."""
    if territory is not None:
        if _inside(lat, lon, territory):
            return "", lat, lon, ""
        if _inside(lon, lat, territory):
            return (
                "coordonnees_inversees",
                lon,
                lat,
                f"latitude et longitude inversées ({_fmt(lat)}, {_fmt(lon)}) : corrigées en "
                f"latitude {_fmt(lon)}, longitude {_fmt(lat)} (le point retombe dans le "
                "territoire). Corrigez l'ordre des colonnes dans le fichier.",
            )
        area = _area_of(lat, lon)
        if area is not None:
            return (
                "coordonnees_hors_territoire",
                lat,
                lon,
                f"point ({_fmt(lat)}, {_fmt(lon)}) hors de l'emprise du territoire étudié "
                f"(longitude {_fmt(territory[0])} à {_fmt(territory[2])}, latitude "
                f"{_fmt(territory[1])} à {_fmt(territory[3])}) mais en {area} : gardé. "
                "Vérifiez l'adresse si la structure doit être dans le territoire.",
            )
    else:
        if _area_of(lat, lon) is not None:
            return "", lat, lon, ""
        area = _area_of(lon, lat)
        if area is not None:
            return (
                "coordonnees_inversees",
                lon,
                lat,
                f"latitude et longitude inversées ({_fmt(lat)}, {_fmt(lon)}) : corrigées en "
                f"latitude {_fmt(lon)}, longitude {_fmt(lat)} (le point retombe en {area}). "
                "Corrigez l'ordre des colonnes dans le fichier.",
            )
    hint = ""
    if abs(lat) > 1000 or abs(lon) > 1000:
        hint = " Ces valeurs ressemblent à des mètres (Lambert-93 ?) : convertissez-les en WGS84."
    where = "hors du territoire étudié et hors de France" if territory else "hors de France"
    return (
        "coordonnees_hors_zone",
        None,
        None,
        f"point ({_fmt(lat)}, {_fmt(lon)}) {where}, même en inversant latitude et longitude : "
        f"coordonnées ignorées.{hint} Corrigez-les : degrés décimaux WGS84, par ex. latitude "
        "47,218 et longitude -1,554.",
    )


_COMMUNE_TOKEN = re.compile(r"(?i)\d{4,5}|(2[AB]|9[ABC])\d{3}")
_CLPE_TOKEN = re.compile(r"(?i)clpe\s*[0-9A-Z]{5}")
_LEVEL_TOKEN = re.compile(r"(.+?)\s*(?::|=|\s)\s*([0-9A-Za-z]+)")


def _parse_ressort_tokens(tokens: Iterable[str]) -> dict[str, tuple[str, str | None]]:
    """Classify ressort items, all at once (codes normalised in one pass per level).

    Returns ``token → ("commune", code)``, ``("<level>", code)`` or ``("invalide", None)``.
    """
    unique = list(dict.fromkeys(tokens))
    out: dict[str, tuple[str, str | None]] = {t: ("invalide", None) for t in unique}
    by_level: dict[str, list[tuple[str, str]]] = {}
    for token in unique:
        text = token.strip()
        if _COMMUNE_TOKEN.fullmatch(text):
            by_level.setdefault("commune", []).append((token, text))
        elif _CLPE_TOKEN.fullmatch(text):
            by_level.setdefault("clpe", []).append((token, text.replace(" ", "")))
        elif m := _LEVEL_TOKEN.fullmatch(text):
            level = _LEVEL_LOOKUP.get(normalize_header(m.group(1)))
            if level is not None:
                by_level.setdefault(level, []).append((token, m.group(2)))
    for level, items in by_level.items():
        normalized = _NORMALIZERS[level](pd.Series([v for _, v in items]), errors="coerce")
        for (token, _), code in zip(items, normalized, strict=True):
            if not pd.isna(code):
                out[token] = (level, str(code))
    return out


def _commune_names(communes: pd.DataFrame | None) -> dict[str, str]:
    """Normalised commune name → code, for the names that are unique in the table."""
    if communes is None or "commune_nom" not in communes.columns:
        return {}
    names = pd.DataFrame(communes)[["commune", "commune_nom"]].dropna()
    keys = names["commune_nom"].map(normalize_header)
    unique = keys[~keys.duplicated(keep=False)]
    return dict(zip(unique, names.loc[unique.index, "commune"], strict=True))


class _Reader:
    """One reading of a partner file: the raw cells, their lines, the problems found.

    Each ``_step`` method reads one group of fields into :attr:`out`; rows are only
    removed by :meth:`_deduplicate` and :meth:`_identifiers`, before the fields
    are read.
    """

    def __init__(self, path: str | Path, communes: pd.DataFrame | None, bounds) -> None:
        table = read_raw_table(path)
        self.label = table.label
        self.table = table
        header = [str(c) for c in table.frame.columns]
        found = match_headers(header)
        missing = [c for c in ("nom", "type") if c not in found]
        if not (
            "commune" in found
            or "coordonnees" in found
            or ("latitude" in found and "longitude" in found)
        ):
            missing.append("site")
        if missing:
            raise _missing_columns_error(self.label, header, missing)
        if table.frame.empty:
            raise SchemaError(
                f"{self.label} : aucune structure dans le fichier (seulement l'en-tête). "
                "Remplissez une ligne par structure.",
                problems=["fichier sans ligne"],
            )
        self.headers = {field_: header[i] for field_, i in found.items()}
        self.collector = _Collector(self.label, self.headers)
        report_blank_lines(table.blank_lines, self.collector.problems)
        self.remarks: list[str] = list(table.notes)
        self.raw = pd.DataFrame(
            {field_: table.frame.iloc[:, i] for field_, i in found.items()}
        ).astype("string")
        extra_positions = [i for i in range(len(header)) if i not in set(found.values())]
        self.extra_names = [header[i] for i in extra_positions]
        self.extra = table.frame.iloc[:, extra_positions].reset_index(drop=True)
        self.lines = list(table.lines)
        self.n_read = len(self.raw)
        self.failures: dict[tuple[int, str], str] = {}
        self.communes = communes
        self.known: set[str] | None = None
        if communes is not None:
            if "commune" not in communes.columns:
                raise SchemaError(
                    "La table des communes donnée n'a pas de colonne 'commune' : construisez-la "
                    "avec geo.territories.commune_table(...) ou "
                    "geo.referentials.read_commune_polygons(...)."
                )
            self.known = set(pd.Series(communes["commune"]).dropna().astype(str))
        self.territory = _bounds_of(communes, bounds)
        self.out: dict[str, list[Any]] = {}
        if self.extra_names:
            self.remarks.append(
                f"{len(self.extra_names)} colonne(s) non reconnue(s), gardée(s) à part "
                f"(PartnerReport.supplementaires) : {', '.join(map(repr, self.extra_names))}."
            )

    # -- helpers -------------------------------------------------------------

    def problem(
        self,
        pos: int,
        column: str | None,
        category: str,
        value: object,
        text: str,
        *,
        action: str | None = None,
    ) -> None:
        """Report a problem of the row at ``pos`` (its file line is looked up)."""
        self.collector.add(self.lines[pos], column, category, value, text, action=action)

    def values(self, column: str) -> list[str | None]:
        """The cells of a field (``None`` for blank cells or an absent column)."""
        if column not in self.raw.columns:
            return [None] * len(self.raw)
        return self.raw[column].to_numpy(dtype=object, na_value=None).tolist()

    def _keep(self, keep: np.ndarray) -> None:
        """Keep the rows where ``keep`` is true, in every per-row structure."""
        new_position = np.cumsum(keep) - 1
        self.raw = self.raw[keep].reset_index(drop=True)
        self.extra = self.extra[keep].reset_index(drop=True)
        self.lines = [line for line, k in zip(self.lines, keep, strict=True) if k]
        self.failures = {
            (int(new_position[old]), column): check
            for (old, column), check in self.failures.items()
            if keep[old]
        }

    # -- rows ----------------------------------------------------------------

    def _deduplicate(self) -> None:
        """Exact duplicate rows (every column, extra ones included), rows without a name."""
        whole = self.table.frame
        duplicated = whole.duplicated(keep="first").to_numpy()
        if duplicated.any():
            first_line: dict[tuple, int] = {}
            rows = whole.astype(object).to_numpy(na_value=None).tolist()
            for pos, row in enumerate(rows):
                key = tuple(row)
                if duplicated[pos]:
                    self.problem(
                        pos,
                        None,
                        "doublon_ligne",
                        None,
                        f"doublon exact de la ligne {first_line[key]} : ligne ignorée.",
                    )
                else:
                    first_line.setdefault(key, self.lines[pos])
        self.failures = _raw_failures(self.raw)
        keep = ~duplicated
        for kept in np.flatnonzero(keep):
            if self.failures.get((int(kept), "nom")) == "valeur_manquante":
                keep[kept] = False
                self.problem(
                    int(kept),
                    "nom",
                    "nom_manquant",
                    None,
                    "nom de la structure vide : ligne ignorée. Renseignez le nom.",
                )
        self._keep(keep)
        if self.raw.empty:
            problems = self.collector.problems.lines()
            raise SchemaError(
                format_problems(
                    f"{self.label} : aucune structure utilisable (toutes les lignes sont des "
                    "doublons ou n'ont pas de nom) :",
                    problems,
                ),
                problems=problems,
            )

    def _identifiers(self) -> None:
        """Missing identifiers get ``L<line>``; duplicated ones are dropped or renamed."""
        n = len(self.raw)
        if "partenaire_id" not in self.raw.columns:
            ids = [f"P{i + 1:04d}" for i in range(n)]
            self.remarks.append(
                "pas de colonne 'Identifiant' : identifiants P0001, P0002... attribués dans "
                "l'ordre des lignes (ils changeront si le fichier est trié : ajoutez une colonne "
                "'Identifiant')."
            )
        else:
            ids = []
            for pos, value in enumerate(self.values("partenaire_id")):
                if value is None:
                    value = f"L{self.lines[pos]}"
                    self.problem(
                        pos,
                        "partenaire_id",
                        "identifiant_manquant",
                        None,
                        f"identifiant vide : identifiant « {value} » attribué (numéro de ligne). "
                        "Donnez un identifiant stable à chaque structure.",
                    )
                ids.append(value)
        fields = [c for c in self.raw.columns if c != "partenaire_id"]
        cells = self.raw[fields].fillna("\0").to_numpy().tolist()
        taken = set(ids)
        first_of: dict[str, int] = {}
        keep = np.ones(n, dtype=bool)
        for pos in range(n):
            pid = ids[pos]
            ref = first_of.setdefault(pid, pos)
            if ref == pos:
                continue
            if cells[pos] == cells[ref]:
                keep[pos] = False
                self.problem(
                    pos,
                    "partenaire_id",
                    "identifiant_duplique",
                    pid,
                    f"identifiant « {pid} » déjà utilisé ligne {self.lines[ref]}, avec les mêmes "
                    "valeurs (seules des colonnes non reconnues diffèrent) : ligne ignorée.",
                    action="écartée",
                )
                continue
            k = 2
            while f"{pid}#{k}" in taken:
                k += 1
            ids[pos] = f"{pid}#{k}"
            taken.add(ids[pos])
            self.problem(
                pos,
                "partenaire_id",
                "identifiant_duplique",
                pid,
                f"identifiant « {pid} » déjà utilisé ligne {self.lines[ref]} pour une autre "
                f"fiche : renommé « {ids[pos]} ». Donnez un identifiant distinct à chaque "
                "structure.",
            )
        self._keep(keep)
        self.out["partenaire_id"] = [i for i, k in zip(ids, keep, strict=True) if k]
        self.out["nom"] = [v.strip() for v in self.values("nom")]  # type: ignore[union-attr]

    # -- fields --------------------------------------------------------------

    def _types(self) -> None:
        codes_: list[str] = []
        labels: list[str | None] = []
        for pos, text in enumerate(self.values("type")):
            if text is None:
                code, label = _typo.UNKNOWN_TYPE, _TYPE_LABELS[_typo.UNKNOWN_TYPE]
                self.problem(
                    pos,
                    "type",
                    "type_manquant",
                    None,
                    "type vide : structure classée « autre ». Indiquez un type de la liste "
                    "(data/partenaires/LISEZMOI.md).",
                )
            elif (known := _TYPE_LOOKUP.get(normalize_header(text))) is not None:
                code, label = known, _TYPE_LABELS[known]
            else:
                code, label = _typo.UNKNOWN_TYPE, text
                close = difflib.get_close_matches(
                    normalize_header(text), list(_TYPE_LOOKUP), n=3, cutoff=0.75
                )
                near = list(dict.fromkeys(_TYPE_LOOKUP[c] for c in close))
                hint = (
                    " Types proches : " + ", ".join(f"{c} ({_TYPE_LABELS[c]})" for c in near) + "."
                    if near
                    else ""
                )
                self.problem(
                    pos,
                    "type",
                    "type_inconnu",
                    text,
                    f"type « {text} » inconnu : structure gardée avec le type « autre » et ce "
                    f"libellé.{hint} Utilisez un code ou un libellé de la liste "
                    "(data/partenaires/LISEZMOI.md).",
                )
            codes_.append(code)
            labels.append(label)
        self.out["type"], self.out["type_libelle"] = codes_, labels

    def _siret(self) -> None:
        result: list[str | None] = []
        for pos, value in enumerate(self.values("siret")):
            if value is None or (pos, "siret") not in self.failures:
                result.append(None if value is None else siret_digits(value))
                continue
            digits = siret_digits(value)
            why = (
                f"{len(digits)} caractère(s) au lieu de 14 chiffres"
                if not re.fullmatch(r"\d{14}", digits)
                else "clé de contrôle fausse (algorithme de Luhn)"
            )
            result.append(None)
            self.problem(
                pos,
                "siret",
                "siret_invalide",
                value,
                f"SIRET « {value} » invalide ({why}) : ignoré. Vérifiez-le sur "
                "annuaire-entreprises.data.gouv.fr.",
            )
        self.out["siret"] = result

    def _site_commune(self) -> None:
        written = self.values("commune")
        normalized = codes.normalize_commune(pd.Series(written, dtype="string"), errors="coerce")
        names = _commune_names(self.communes)
        result: list[str | None] = []
        for pos, (value, code) in enumerate(zip(written, normalized, strict=True)):
            if value is None:
                result.append(None)
            elif pd.isna(code) or not _COMMUNE_TOKEN.fullmatch(value):
                by_name = names.get(normalize_header(value))
                result.append(by_name)
                if by_name is not None:
                    self.problem(
                        pos,
                        "commune",
                        "commune_par_nom",
                        value,
                        f"« {value} » n'est pas un code commune mais le nom de la commune "
                        f"{by_name} : code {by_name} retenu. Indiquez le code Insee.",
                    )
                else:
                    self.problem(
                        pos,
                        "commune",
                        "commune_invalide",
                        value,
                        f"code commune « {value} » invalide (attendu le code Insee sur 5 "
                        "caractères, par ex. 44109 ou 2A004) : ignoré.",
                    )
            elif self.known is not None and code not in self.known:
                result.append(None)
                self.problem(
                    pos,
                    "commune",
                    "commune_inconnue",
                    value,
                    f"commune {code} absente de la table des communes du territoire : ignorée. "
                    "Vérifiez le code (code Insee courant, pas le code postal).",
                )
            else:
                result.append(str(code))
        self.out["commune"] = result

    def _coordinates(self) -> None:
        lats: list[float] = []
        lons: list[float] = []
        lat_cells, lon_cells = self.values("latitude"), self.values("longitude")
        point_cells = self.values("coordonnees")
        for pos in range(len(self.raw)):
            lat = lon = None
            lat_text, lon_text = lat_cells[pos], lon_cells[pos]
            column: str = "latitude"
            written: str | None = f"{lat_text} ; {lon_text}"
            if lat_text is not None or lon_text is not None:
                bad = [
                    (c, t)
                    for c, t in (("latitude", lat_text), ("longitude", lon_text))
                    if t is None or (pos, c) in self.failures
                ]
                if not bad:
                    lat, lon = parse_float(lat_text), parse_float(lon_text)
                else:
                    shown = ", ".join(f"{self.headers.get(c, c)} « {t or ''} »" for c, t in bad)
                    self.problem(
                        pos,
                        bad[0][0],
                        "coordonnees_invalides",
                        bad[0][1],
                        f"coordonnées incomplètes ou illisibles ({shown}) : ignorées. Attendu "
                        "deux nombres décimaux WGS84, par ex. 47,218 et -1,554.",
                    )
                    lat = lon = None
            if lat is None and point_cells[pos] is not None:
                column, written = "coordonnees", point_cells[pos]
                if (pos, column) in self.failures:
                    self.problem(
                        pos,
                        column,
                        "coordonnees_invalides",
                        written,
                        f"coordonnées « {written} » illisibles : ignorées. Attendu « latitude, "
                        "longitude » en degrés décimaux, par ex. « 47.218, -1.554 ».",
                    )
                else:
                    lat, lon = parse_point(written)  # type: ignore[misc]
            if lat is not None and lon is not None:
                category, lat, lon, text = _check_point(lat, lon, self.territory)
                if category:
                    self.problem(pos, column, category, written, text)
            lats.append(np.nan if lat is None else lat)
            lons.append(np.nan if lon is None else lon)
        self.out["latitude"], self.out["longitude"] = lats, lons
        if self.communes is not None and "geometry" in self.communes.columns:
            self._against_polygons()

    def _against_polygons(self) -> None:
        """Point ↔ site commune: distance to the commune, commune found from the point."""
        communes = self.communes
        polygons = gpd.GeoDataFrame(
            pd.DataFrame(communes)[["commune", "geometry"]].dropna(subset=["geometry"]),
            geometry="geometry",
            crs=getattr(communes, "crs", None) or "EPSG:4326",
        ).drop_duplicates("commune")
        lat = np.asarray(self.out["latitude"], dtype=float)
        lon = np.asarray(self.out["longitude"], dtype=float)
        positions = np.flatnonzero(~np.isnan(lat) & ~np.isnan(lon))
        if not len(positions) or polygons.empty:
            return
        departement = codes.departement_of_commune(str(polygons["commune"].iloc[0]))
        crs = metric_crs_for(departement)
        metric = polygons.to_crs(crs).set_index("commune").geometry
        points = gpd.GeoSeries(
            gpd.points_from_xy(lon[positions], lat[positions]), crs="EPSG:4326"
        ).to_crs(crs)
        hits = metric.sindex.query(points.to_numpy(), predicate="within")
        within = dict(zip(hits[0].tolist(), hits[1].tolist(), strict=True))
        found: list[str] = []
        for k, pos in enumerate(positions):
            site = self.out["commune"][pos]
            if site is None:
                if k in within:
                    code = str(metric.index[within[k]])
                    self.out["commune"][pos] = code
                    found.append(f"ligne {self.lines[pos]} → {code}")
                continue
            if site not in metric.index:
                continue
            distance = float(metric.loc[site].distance(points.iloc[k])) / 1000
            if distance > _FAR_FROM_COMMUNE_KM:
                self.problem(
                    int(pos),
                    "latitude" if "latitude" in self.raw.columns else "coordonnees",
                    "coordonnees_loin_commune",
                    f"{_fmt(lat[pos])}, {_fmt(lon[pos])}",
                    f"coordonnées à {distance:.1f} km de la commune indiquée {site} : gardées. "
                    "Vérifiez le code commune ou les coordonnées.",
                )
        if found:
            self.remarks.append(
                f"{len(found)} commune(s) d'implantation déduite(s) des coordonnées : "
                + sample_values(found)
                + "."
            )

    def _ressort(self) -> None:
        communes = self.communes
        levels_known = {
            level: set(pd.Series(communes[level]).dropna().astype(str))
            for level in RESSORT_LEVELS
            if communes is not None and level in communes.columns
        }
        if self.known is not None:
            levels_known["commune"] = self.known
        fields = [c for c in ("ressort", "ressort_communes", "ressort_territoire") if c in self.raw]
        cells = {c: [split_values(v) for v in self.values(c)] for c in fields}
        parsed = _parse_ressort_tokens(t for c in fields for items in cells[c] for t in items)
        lists, territories = [], []
        for pos in range(len(self.raw)):
            listed: list[str] = []
            named: list[tuple[str, str, str]] = []
            unknown: dict[str, list[str]] = {}
            for column in fields:
                for token in cells[column][pos]:
                    kind, code = parsed[token]
                    # a bare commune code joins the list; "commune:X" names a territory
                    if kind == "commune" and not _LEVEL_TOKEN.fullmatch(token.strip()):
                        if self.known is not None and code not in self.known:
                            unknown.setdefault(column, []).append(code)  # type: ignore[arg-type]
                        else:
                            listed.append(code)  # type: ignore[arg-type]
                    elif kind != "invalide":
                        named.append((kind, code, column))  # type: ignore[arg-type]
                    else:
                        self.problem(
                            pos,
                            column,
                            "ressort_invalide",
                            token,
                            f"élément de ressort « {token} » illisible : ignoré. Attendu des "
                            "codes commune (44109|44020) ou un territoire « niveau:code » "
                            "(bassin:5203, departement:44, zone_emploi:5205, clpe:CLPE44001, "
                            "region:52, commune:44109).",
                        )
            for column, missing in unknown.items():
                self.problem(
                    pos,
                    column,
                    "ressort_commune_inconnue",
                    sample_values(missing),
                    f"{len(missing)} commune(s) du ressort absente(s) de la table des communes, "
                    f"retirée(s) du ressort : {sample_values(missing)}. Vérifiez les codes (code Insee "
                    "courant) ou la table des communes donnée.",
                )
            kept = None
            for level, code, column in named:
                if level in levels_known and code not in levels_known[level]:
                    self.problem(
                        pos,
                        column,
                        "ressort_territoire_inconnu",
                        f"{level}:{code}",
                        f"territoire {level}:{code} absent de la table des communes : ressort "
                        "ignoré. Vérifiez le code.",
                    )
                elif kept is None:
                    kept = f"{level}:{code}"
                else:
                    self.problem(
                        pos,
                        column,
                        "ressort_plusieurs_territoires",
                        f"{level}:{code}",
                        f"plusieurs territoires dans le ressort : seul {kept} est retenu, "
                        f"{level}:{code} est ignoré. Pour un ressort à cheval sur plusieurs "
                        "territoires, listez ses communes.",
                    )
            lists.append(tuple(dict.fromkeys(listed)))
            territories.append(kept)
        self.out["ressort_communes"], self.out["ressort_territoire"] = lists, territories

    def _domains_and_publics(self) -> None:
        domains, publics = [], []
        defaulted = 0
        for pos, (cell, kind) in enumerate(
            zip(self.values("domaines"), self.out["type"], strict=True)
        ):
            found: list[str] = []
            for token in split_values(cell):
                code = _DOMAIN_LOOKUP.get(normalize_header(token))
                if code is None:
                    self.problem(
                        pos,
                        "domaines",
                        "domaine_inconnu",
                        token,
                        f"domaine « {token} » inconnu : ignoré. Domaines possibles : "
                        + ", ".join(DOMAINS)
                        + ".",
                    )
                else:
                    found.append(code)
            if not found:
                defaulted += 1
                found = list(_TYPE_DOMAINS[kind])
            domains.append(tuple(d for d in DOMAINS if d in found))
        for pos, cell in enumerate(self.values("publics")):
            codes_: list[str] = []
            for token in split_values(cell):
                code = _PUBLIC_LOOKUP.get(normalize_header(token))
                if code is None:
                    code = normalize_header(token)
                    self.problem(
                        pos,
                        "publics",
                        "public_inconnu",
                        token,
                        f"public « {token} » hors de la liste : gardé tel quel (« {code} »). "
                        "Utilisez de préférence un code de la liste "
                        "(data/partenaires/LISEZMOI.md).",
                    )
                if code:
                    codes_.append(code)
            publics.append(tuple(dict.fromkeys(codes_)))
        self.out["domaines"], self.out["publics"] = domains, publics
        if defaulted:
            self.remarks.append(
                f"{defaulted} structure(s) sans domaine renseigné : domaines par défaut de leur "
                "type appliqués (PARTNER_TYPES.domaines_defaut)."
            )

    def _flags_dates_text(self) -> None:
        for flag in ("operant", "majeur"):
            if flag not in self.raw.columns:
                self.out[flag] = [False] * len(self.raw)
                self.remarks.append(
                    f"pas de colonne '{HEADER_LABELS[flag]}' : aucune structure n'est marquée "
                    f"{'opérante' if flag == 'operant' else 'majeure'}."
                )
                continue
            result = []
            for pos, value in enumerate(self.values(flag)):
                parsed = parse_bool(value) if (pos, flag) not in self.failures else None
                if parsed is None:
                    self.problem(
                        pos,
                        flag,
                        "booleen_invalide",
                        value,
                        f"valeur « {value} » non reconnue (attendu oui/non, 1/0 ou x) : lue "
                        "comme « non ».",
                    )
                result.append(bool(parsed))
            self.out[flag] = result
        dates = []
        for pos, value in enumerate(self.values("date_verification")):
            date = None
            if (pos, "date_verification") in self.failures:
                self.problem(
                    pos,
                    "date_verification",
                    "date_invalide",
                    value,
                    f"date « {value} » illisible (attendu JJ/MM/AAAA ou AAAA-MM-JJ) : ignorée, "
                    "la fiche compte comme jamais vérifiée.",
                )
            elif value is not None:
                date = parse_date(value)
            dates.append(date)
        self.out["date_verification"] = dates
        self.out["reseau"] = self.values("reseau")
        self.out["source"] = self.values("source")

    # -- all -----------------------------------------------------------------

    def run(self) -> tuple[pd.DataFrame, PartnerReport]:
        self._deduplicate()
        self._identifiers()
        self._types()
        self._siret()
        self._site_commune()
        self._coordinates()
        self._ressort()
        self._domains_and_publics()
        self._flags_dates_text()
        partners = _assemble(self.out)
        try:
            PARTNER_SCHEMA.validate(partners, lazy=True)
        except pa.errors.SchemaErrors as exc:  # pragma: no cover - a defect of this reader
            raise _french_schema_error(exc, self.label) from exc
        extra = self.extra.copy()
        extra.insert(0, "partenaire_id", partners["partenaire_id"].to_numpy())
        order = list(HEADER_LABELS)
        report = PartnerReport(
            fichier=self.label,
            format=self.table.file_format,
            feuille=self.table.sheet,
            lignes_lues=self.n_read,
            structures=len(partners),
            colonnes={k: self.headers[k] for k in sorted(self.headers, key=order.index)},
            colonnes_supplementaires=list(self.extra_names),
            supplementaires=extra,
            problemes=ProblemReport(
                self.label,
                sorted(self.collector.problems, key=lambda p: p.line if p.line is not None else -1),
            ),
            remarques=list(self.remarks),
        )
        partners.attrs = {
            "source": self.label,
            "remarques": list(self.remarks),
            "colonnes_supplementaires": list(self.extra_names),
            SET_ASIDE: self._set_aside(),
        }
        attach_problems(partners, report.problemes)
        return partners, report

    def _set_aside(self) -> dict[str, str]:
        """Identifier of each row set aside → « ligne N de fichier (problem) ».

        The partnerships readers tell a relation to such a structure why it goes.
        """
        column = match_headers([str(c) for c in self.table.frame.columns]).get("partenaire_id")
        if column is None:
            return {}
        ids = dict(zip(self.table.lines, self.table.frame.iloc[:, column], strict=True))
        kept = set(self.out["partenaire_id"])
        out: dict[str, str] = {}
        for p in self.collector.problems:
            value = ids.get(p.line) if p.line is not None else None
            if p.action == "écartée" and isinstance(value, str) and value not in kept:
                out.setdefault(value, f"ligne {p.line} de {self.label} ({p.message.rstrip('. ')})")
        return out


def read_partners_report(
    path: str | Path,
    *,
    communes: pd.DataFrame | None = None,
    bounds: Sequence[float] | None = None,
) -> tuple[pd.DataFrame, PartnerReport]:
    """Read a partner directory and return the tidy table with the full report.

    Parameters
    ----------
    path
        CSV (``,`` or ``;``, UTF-8 or latin-1) or XLSX file, one row per structure,
        headers as in ``data/partenaires/modele_annuaire_partenaires.csv`` or one
        of their French aliases (``data/partenaires/LISEZMOI.md``).
    communes
        Commune table of the study (:func:`geo.territories.commune_table`), a
        GeoDataFrame of commune polygons
        (:func:`geo.referentials.read_commune_polygons`), or a commune table with
        a ``geometry`` column. With it, site and ressort communes that do not
        exist and ressort territories absent from the table are reported; with
        polygons, coordinates are also checked against the territory's extent
        and their site commune, and a missing site commune is found from the
        coordinates.
    bounds
        Extent of the territory ``(lon min, lat min, lon max, lat max)`` in WGS84,
        when ``communes`` has no polygons.

    Returns
    -------
    tuple of (pandas.DataFrame, PartnerReport)
        The tidy table (columns :data:`PARTNER_COLUMNS`, schema
        :data:`PARTNER_SCHEMA`) and what was fixed or rejected.

    Raises
    ------
    InputFileError
        The file is missing, empty or unreadable.
    SchemaError
        A mandatory column is missing (``Nom de la structure``, ``Type``, and a
        site: ``Code commune`` or ``Latitude``/``Longitude`` or ``Coordonnées``),
        or no row is usable. The message names the missing columns and the
        columns found.

    Notes
    -----
    What is reported, each with its line, while the rest of the file is used:
    exact duplicate rows (removed); duplicated identifiers (rows identical on
    the directory's columns are removed, otherwise the later ones are renamed
    ``ID#2``, ``ID#3``...); missing identifiers (``L<line>`` given); missing name
    (row ignored); missing or unknown type (kept as ``autre`` with the label as
    written, closest types suggested); invalid SIRET (length or key, set
    missing); invalid or unknown commune codes (set missing; a commune name is
    turned into its code when the commune table gives it unambiguously);
    unreadable, swapped (fixed when swapping puts them back in France or in the
    territory), out-of-territory (kept) or out-of-France (removed) coordinates;
    coordinates far from their site commune; unreadable ressort items, unknown
    ressort communes or territories (removed); unknown domains (removed) and
    publics (kept as written); unreadable booleans (read as ``non``) and dates
    (set missing). A structure with no domain receives the default domains of
    its type (:data:`PARTNER_TYPES`); this is a remark, not a problem.

    Examples
    --------
    >>> from geo import settings
    >>> partners, report = read_partners_report(settings.demo_dir() / "partenaires.csv")
    >>> report.clean, report.structures == len(partners)
    (True, True)
    """
    return _Reader(path, communes, bounds).run()


def _assemble(out: Mapping[str, list[Any]]) -> pd.DataFrame:
    """Tidy DataFrame with the dtypes of :data:`PARTNER_SCHEMA`."""
    n = len(out["partenaire_id"])
    df = pd.DataFrame(index=pd.RangeIndex(n))
    for column in PARTNER_COLUMNS:
        values = out[column]
        if column in _TUPLE_COLUMNS:
            series = pd.Series([tuple(v) for v in values], dtype=object, index=df.index)
        elif column in ("latitude", "longitude"):
            series = pd.Series(values, dtype="float64", index=df.index)
        elif column in ("operant", "majeur"):
            series = pd.Series(values, dtype=bool, index=df.index)
        elif column == "date_verification":
            series = pd.Series(
                pd.to_datetime(pd.Series(values, dtype=object)), index=df.index
            ).astype("datetime64[ns]")
        else:
            series = pd.Series(values, dtype=object, index=df.index).astype("string")
        df[column] = series
    return df


def read_partners(
    path: str | Path,
    *,
    communes: pd.DataFrame | None = None,
    bounds: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Read a partner directory (CSV or XLSX) into the tidy partner table.

    Same as :func:`read_partners_report` but returns only the table; the problems
    are in ``attrs["problemes"]`` (a :class:`geo.problems.ProblemReport`, one
    problem per line, read with :func:`geo.problems.problems_of`), the remarks in
    ``attrs["remarques"]``, the unrecognised headers in
    ``attrs["colonnes_supplementaires"]``. Use :func:`read_partners_report` for
    the :class:`PartnerReport` (problems as a table, values of the extra
    columns).

    Parameters
    ----------
    path
        CSV or XLSX file (see ``data/partenaires/LISEZMOI.md``).
    communes
        Commune table or commune polygons of the study, to check codes and
        coordinates (see :func:`read_partners_report`).
    bounds
        Extent ``(lon min, lat min, lon max, lat max)`` of the territory.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PARTNER_COLUMNS`, one row per structure.

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    SchemaError
        A mandatory column is missing, or no row is usable.

    Examples
    --------
    >>> from geo import settings
    >>> partners = read_partners(settings.demo_dir() / "partenaires.csv")
    >>> partners.columns.tolist()[:4]
    ['partenaire_id', 'nom', 'type', 'type_libelle']
    >>> partners.attrs["problemes"]
    ProblemReport('partenaires.csv', 0 problème(s))
    """
    return read_partners_report(path, communes=communes, bounds=bounds)[0]


# --------------------------------------------------------------------------- records


def _as_tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(split_values(value))
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    if pd.isna(value):
        return ()
    return (str(value),)


def partners_from_records(records: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Build a tidy partner table from records (tests, notebooks, other sources).

    Each record gives at least ``partenaire_id``, ``nom`` and ``type`` (a code of
    :data:`PARTNER_TYPES`); missing fields take their empty value (missing text,
    empty tuple, ``False``, NaT), ``type_libelle`` comes from the typology,
    ``domaines`` default to the type's, lists and ``|``-separated strings become
    tuples. No report: values are validated against :data:`PARTNER_SCHEMA`.

    Raises
    ------
    SchemaError
        A value breaks the schema (unknown type or domain, duplicated identifier...).

    Examples
    --------
    >>> df = partners_from_records(
    ...     [{"partenaire_id": "ML1", "nom": "Mission locale du Nord", "type": "mission_locale",
    ...       "ressort_communes": ["9A001", "9A002"], "operant": True}]
    ... )
    >>> df.loc[0, "domaines"], df.loc[0, "type_libelle"]
    (('intermediation', 'orientation', 'insertion'), 'Mission locale')
    """
    rows = records.to_dict("records") if isinstance(records, pd.DataFrame) else list(records)
    out: dict[str, list[Any]] = {c: [] for c in PARTNER_COLUMNS}
    unknown = sorted({k for r in rows for k in r} - set(PARTNER_COLUMNS))
    if unknown:
        raise SchemaError(
            f"Colonnes inconnues dans les enregistrements : {', '.join(unknown)}. Colonnes "
            f"possibles : {', '.join(PARTNER_COLUMNS)}."
        )
    for row in rows:
        kind = row.get("type")
        for column in PARTNER_COLUMNS:
            value = row.get(column)
            if column in _TUPLE_COLUMNS:
                value = _as_tuple(value)
                if column == "domaines":
                    if not value and kind in _TYPE_DOMAINS:
                        value = _TYPE_DOMAINS[kind]
                    value = tuple(
                        sorted(value, key=lambda d: list(DOMAINS).index(d) if d in DOMAINS else 99)
                    )
            elif column == "type_libelle" and value is None:
                value = _TYPE_LABELS.get(str(kind), kind)
            elif column in ("operant", "majeur"):
                value = bool(value) if value is not None and not pd.isna(value) else False
            elif column in ("latitude", "longitude"):
                value = np.nan if value is None else float(value)
            elif column == "date_verification":
                value = None if value is None else pd.Timestamp(value)
            elif column == "commune" and value is not None:
                value = codes.normalize_commune(value, errors="coerce") or value
            out[column].append(value)
    df = _assemble(out)
    try:
        PARTNER_SCHEMA.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise _french_schema_error(exc, "Enregistrements de partenaires") from exc
    return df


# --------------------------------------------------------------------------- diagnostics


def sample_values(values: Iterable[Any], n: int = 10) -> str:
    """The first ``n`` values, comma-separated, then how many more."""
    values = list(values)
    more = f" … (+{len(values) - n})" if len(values) > n else ""
    return ", ".join(map(str, values[:n])) + more
