"""Reader of the France Travail (formerly Pôle emploi) sites file.

The public file of the 2019 sites (``pole_emploi_agencies.csv``: columns
``REFERENCE_PE, NOM, CODE_SAFIR, TYPE_SITE, REGION, LIBELLE_REGION,
COMPLEMENT_ADRESSE, DC_COMPLEMENTADRSITEPHYSIQUE, ADRESSE, CODE_POSTAL, COMMUNE,
DN_LATITUDE, DN_LONGITUDE``) gives no INSEE commune code: only a postal code (which
several communes share) and the commune name in capitals. Its coordinates use a
decimal comma, the text ``NULL`` stands for an empty cell, and the région codes
lost their leading zero (``1``..``6`` for the overseas régions).

:func:`read_france_travail_sites` reads it with :func:`geo.tables.read_table`,
normalises it, and places each site in its INSEE commune from its coordinates and
the commune polygons given (point in polygon). Each row is checked; what is wrong
is reported in a :class:`geo.problems.ProblemReport` (``attrs["problemes"]``) and
the rest is used:

- unknown ``TYPE_SITE``, blank or duplicated ``REFERENCE_PE``, coordinates missing,
  unreadable or outside France even once exchanged (:data:`geo.polygons.LOCATION_BOXES`):
  the site is set aside;
- latitude and longitude exchanged: put back in order, reported;
- with polygons: a site inside none of them although its postal code points to
  one of their départements is reported and kept without commune; a site found in
  a commune of another département than its postal code's is set aside (one of the
  two is wrong); same département but another commune name is reported and kept
  (a site of 2019 may have moved, or its commune merged since). Sites of
  départements the polygons do not cover are kept without commune (they still
  count as the nearest agence of a commune across the border) and counted in one
  ``hors_champ`` line.

:func:`pole_emploi_units_from_sites` turns the sites into the Pôle emploi units of
the partnership and network diagnostics (the schema of
:func:`diagnostics._readers.partnerships.read_pole_emploi_units`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from diagnostics._readers._rows import refuse_set_aside
from diagnostics._readers.partners import _check_point, parse_float
from geo._errors import SchemaError
from geo.codes import FICTIONAL_DEPARTEMENTS, departement_of_commune
from geo.problems import ProblemReport, attach_problems
from geo.tables import file_label, normalize_header, read_table, report_blank_lines

__all__ = [
    "SITE_LEVELS",
    "SITE_COLUMNS",
    "read_france_travail_sites",
    "pole_emploi_units_from_sites",
]

#: ``TYPE_SITE`` of the file → level of the Pôle emploi units.
SITE_LEVELS: dict[str, str] = {
    "ALE": "agence",
    "DDA": "direction_territoriale",
    "DRA": "direction_regionale",
}

#: Columns of the tidy sites table, in order.
SITE_COLUMNS: tuple[str, ...] = (
    "site_id",
    "nom",
    "code_safir",
    "type_site",
    "niveau",
    "region",
    "region_nom",
    "adresse",
    "code_postal",
    "commune_nom",
    "commune",
    "latitude",
    "longitude",
    "ligne",
)

_HEADERS = {
    "site_id": "REFERENCE_PE",
    "nom": "NOM",
    "code_safir": "CODE_SAFIR",
    "type_site": "TYPE_SITE",
    "region": "REGION",
    "region_nom": "LIBELLE_REGION",
    "complement": "COMPLEMENT_ADRESSE",
    "complement_site": "DC_COMPLEMENTADRSITEPHYSIQUE",
    "adresse": "ADRESSE",
    "code_postal": "CODE_POSTAL",
    "commune_nom": "COMMUNE",
    "latitude": "DN_LATITUDE",
    "longitude": "DN_LONGITUDE",
}
_REQUIRED = ("site_id", "type_site", "code_postal", "commune_nom", "latitude", "longitude")
_UNIT_PREFIX = {
    "agence": "PE-AG-",
    "direction_territoriale": "PE-DT-",
    "direction_regionale": "PE-DR-",
}


def _cell(value: Any) -> str | None:
    """The text of a cell; blank and ``NULL`` are empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = str(value).strip()
    return None if not text or text.upper() == "NULL" else text


def postal_departement(code: object) -> str | None:
    """Département of a postal code (``20xxx`` → ``2A``/``2B``, ``97xxx`` → 3 digits).

    The fictional demonstration territory numbers its postal codes ``99`` + the
    rank of the département (``991xx`` for 9A, ``992xx`` for 9B, ``993xx`` for 9C);
    no real postal code starts with 99.

    Examples
    --------
    >>> [postal_departement(c) for c in ("44300", "1600", "20000", "20200", "97400", "99203")]
    ['44', '01', '2A', '2B', '974', '9B']
    """
    text = _cell(code)
    if text is None:
        return None
    if not text.isdigit() or len(text) not in (4, 5):
        return None
    text = text.zfill(5)
    if text.startswith("99") and "1" <= text[2] <= str(len(FICTIONAL_DEPARTEMENTS)):
        return FICTIONAL_DEPARTEMENTS[int(text[2]) - 1]
    if text.startswith("20"):
        return "2A" if text < "20200" else "2B"
    return text[:3] if text.startswith("97") else text[:2]


def name_key(name: object) -> str:
    """Commune name for comparison: no accents, no case, ``SAINT``/``ST`` alike, no punctuation.

    Examples
    --------
    >>> name_key("Saint-Herblain") == name_key("ST HERBLAIN")
    True
    """
    words = normalize_header(name).upper().split("_")
    words = [{"ST": "SAINT", "STE": "SAINTE"}.get(w, w) for w in words]
    return " ".join(w for w in words if w not in ("CEDEX", "LE", "LA", "LES", "L"))


def _same_name(one: object, other: object) -> bool:
    """Same commune name, or one extends the other (``SEGRE`` in ``Segré-en-Anjou Bleu``)."""
    a, b = sorted((name_key(one), name_key(other)), key=len)
    return a == b or (bool(a) and b.startswith(a + " "))


def _columns(raw: pd.DataFrame, label: str) -> dict[str, str]:
    normalized = {normalize_header(c): c for c in raw.columns}
    found = {
        f: normalized[normalize_header(h)]
        for f, h in _HEADERS.items()
        if normalize_header(h) in normalized
    }
    missing = [_HEADERS[f] for f in _REQUIRED if f not in found]
    if missing:
        raise SchemaError(
            f"Fichier des sites France Travail {label} : colonne(s) "
            f"{', '.join(f'« {m} »' for m in missing)} absente(s) (colonnes trouvées : "
            f"{', '.join(map(str, raw.columns))}). Donnez le fichier des sites au format "
            "pole_emploi_agencies.csv (voir data/demo/partenaires/).",
            [f"colonne {m} absente" for m in missing],
        )
    return found


def _region(value: object) -> str | None:
    text = _cell(value)
    if text is None:
        return None
    return text.zfill(2) if text.isdigit() and len(text) < 2 else text


def _point(
    rec: dict[str, Any], cols: dict[str, str], report: ProblemReport, line: int
) -> tuple[float, float] | None:
    """The site's checked (latitude, longitude), or ``None`` (reported, set aside)."""
    values = {}
    for field in ("latitude", "longitude"):
        text = _cell(rec[field])
        values[field] = parse_float(text)
        if values[field] is None:
            report.add(
                f"{field} {'absente' if text is None else f'« {text} » illisible'} (attendu des "
                "degrés décimaux WGS84, ex. 47,218) ; site écarté. Corrigez la coordonnée.",
                line=line,
                column=cols[field],
                value=text,
                action="écartée",
                category="coordonnee_invalide",
            )
            return None
    lat, lon = values["latitude"], values["longitude"]
    assert lat is not None and lon is not None
    category, lat_kept, lon_kept, text = _check_point(lat, lon, None)
    if category:
        gone = lat_kept is None or lon_kept is None
        report.add(
            text.replace("coordonnées ignorées.", "site écarté.") if gone else text,
            line=line,
            column=cols["latitude"],
            value=f"{rec['latitude']} ; {rec['longitude']}",
            action="écartée" if gone else "corrigée",
            category=category,
        )
        if gone:
            return None
    return float(lat_kept), float(lon_kept)  # type: ignore[arg-type]


def _parse_rows(
    raw: pd.DataFrame, cols: dict[str, str], report: ProblemReport, lines: list[int]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    for line, rec in zip(lines, raw.to_dict("records"), strict=True):
        site_id = _cell(rec["site_id"])
        if site_id is None:
            report.add(
                "référence du site vide ; site écarté. Complétez REFERENCE_PE.",
                line=line,
                column=cols["site_id"],
                category="valeur_manquante",
            )
            continue
        if site_id in first:
            report.add(
                f"site « {site_id} » déjà donné ligne {first[site_id]} ; ligne écartée. "
                "Retirez le doublon.",
                line=line,
                column=cols["site_id"],
                value=site_id,
                category="identifiant_duplique",
            )
            continue
        first[site_id] = line
        kind = (_cell(rec["type_site"]) or "").upper()
        if kind not in SITE_LEVELS:
            report.add(
                f"type de site « {_cell(rec['type_site']) or ''} » inconnu (attendu ALE agence, "
                "DDA direction territoriale ou DRA direction régionale) ; site écarté. "
                "Corrigez TYPE_SITE.",
                line=line,
                column=cols["type_site"],
                value=_cell(rec["type_site"]),
                category="valeur_inconnue",
            )
            continue
        point = _point(rec, cols, report, line)
        if point is None:
            continue
        postal = _cell(rec["code_postal"])
        address = [_cell(rec.get(f)) for f in ("complement", "complement_site", "adresse")]
        rows.append(
            {
                "site_id": site_id,
                "nom": _cell(rec.get("nom")) or site_id,
                "code_safir": _cell(rec.get("code_safir")),
                "type_site": kind,
                "niveau": SITE_LEVELS[kind],
                "region": _region(rec.get("region")),
                "region_nom": _cell(rec.get("region_nom")),
                "adresse": ", ".join(a for a in address if a) or None,
                "code_postal": postal.zfill(5) if postal and postal.isdigit() else postal,
                "commune_nom": _cell(rec["commune_nom"]),
                "commune": None,
                "latitude": point[0],
                "longitude": point[1],
                "ligne": line,
            }
        )
    return rows


def _place(
    df: pd.DataFrame, communes: gpd.GeoDataFrame, cols: dict[str, str], report: ProblemReport
) -> pd.DataFrame:
    """Fill ``commune`` from the polygons (point in polygon); report the disagreements."""
    if "commune" not in communes.columns or "geometry" not in communes.columns:
        raise SchemaError(
            "Polygones des communes : colonnes « commune » et « geometry » attendues "
            f"(colonnes trouvées : {', '.join(map(str, communes.columns))}). Lisez-les avec "
            "geo.referentials.read_commune_polygons."
        )
    polygons = communes[communes.geometry.notna() & ~communes.geometry.is_empty]
    if polygons.crs is not None and not polygons.crs.equals("EPSG:4326"):
        polygons = polygons.to_crs("EPSG:4326")
    codes = polygons["commune"].astype("string").to_numpy()
    names = (
        polygons["commune_nom"].astype("string").to_numpy()
        if "commune_nom" in polygons.columns
        else np.full(len(polygons), None, dtype=object)
    )
    covered = set(departement_of_commune(pd.Series(codes, dtype="string")).dropna())
    points = gpd.points_from_xy(df["longitude"], df["latitude"], crs="EPSG:4326")
    site_pos, poly_pos = polygons.sindex.query(points, predicate="within")
    found = np.full(len(df), -1)
    found[site_pos[::-1]] = poly_pos[::-1]  # first polygon of each site
    keep = np.ones(len(df), dtype=bool)
    commune = np.full(len(df), None, dtype=object)
    out_of_scope = 0
    for i, rec in enumerate(df.to_dict("records")):
        postal_dep = postal_departement(rec["code_postal"])
        where = f"({rec['latitude']:.5f}, {rec['longitude']:.5f})"
        if found[i] < 0:
            if postal_dep is not None and postal_dep not in covered:
                out_of_scope += 1
                continue
            report.add(
                f"site « {rec['nom']} » au point {where}, hors de toutes les communes données "
                f"(code postal {rec['code_postal']}, {rec['commune_nom']}) : gardé sans commune. "
                "Vérifiez ses coordonnées ou donnez les polygones de sa commune.",
                line=rec["ligne"],
                column=cols["latitude"],
                value=f"{rec['latitude']} ; {rec['longitude']}",
                action="conservée",
                category="commune_introuvable",
            )
            continue
        code, name = str(codes[found[i]]), names[found[i]]
        found_dep = departement_of_commune(code)
        if postal_dep is None:
            report.add(
                f"site « {rec['nom']} » : code postal « {rec['code_postal'] or ''} » illisible ; "
                f"site placé par ses coordonnées dans {name or code} ({code}). Corrigez le code "
                "postal (5 chiffres).",
                line=rec["ligne"],
                column=cols["code_postal"],
                value=rec["code_postal"],
                action="conservée",
                category="code_postal_invalide",
            )
        elif postal_dep != found_dep:
            keep[i] = False
            report.add(
                f"site « {rec['nom']} » : ses coordonnées {where} le placent dans la commune "
                f"{name or code} ({code}, département {found_dep}) mais son code postal "
                f"{rec['code_postal']} ({rec['commune_nom']}) est du département "
                f"{postal_dep} ; site écarté. Corrigez les coordonnées ou le code "
                "postal.",
                line=rec["ligne"],
                column=cols["code_postal"],
                value=rec["code_postal"],
                category="code_postal_discordant",
            )
            continue
        commune[i] = code
        if name is not None and not pd.isna(name) and not _same_name(name, rec["commune_nom"]):
            report.add(
                f"site « {rec['nom']} » : placé par ses coordonnées dans {name} ({code}), "
                f"l'adresse dit {rec['commune_nom']} ; gardé dans {code}. Vérifiez l'adresse "
                "(commune fusionnée depuis, ou site déménagé).",
                line=rec["ligne"],
                column=cols["commune_nom"],
                value=rec["commune_nom"],
                action="conservée",
                category="commune_discordante",
            )
    if out_of_scope:
        report.add(
            f"{out_of_scope} site(s) de départements sans polygone donné, gardés sans commune "
            "(ils comptent pour la distance à l'agence la plus proche).",
            action="conservée",
            category="hors_champ",
        )
    df = df.assign(commune=pd.array(commune, dtype="string"))
    return df[keep].reset_index(drop=True)


def read_france_travail_sites(
    path: str | Path, *, communes: gpd.GeoDataFrame | None = None, strict: bool = False
) -> pd.DataFrame:
    """Read the France Travail sites file: one row per site, placed in its commune.

    Parameters
    ----------
    path
        The sites file (CSV or workbook) as published (``pole_emploi_agencies.csv``).
    communes
        Commune polygons (:func:`geo.referentials.read_commune_polygons`); each
        site is placed in the commune whose polygon holds its point. Without
        them, ``commune`` is left empty.
    strict
        Refuse the file if any site would be set aside.

    Returns
    -------
    pandas.DataFrame
        :data:`SITE_COLUMNS`: ``site_id`` (``REFERENCE_PE``), ``nom``,
        ``code_safir``, ``type_site`` (ALE, DDA, DRA), ``niveau`` (agence,
        direction_territoriale, direction_regionale), ``region`` (two characters
        at least), ``region_nom``, ``adresse``, ``code_postal``, ``commune_nom``
        (as written), ``commune`` (INSEE code found from the polygons),
        ``latitude``, ``longitude`` (WGS84) and ``ligne``. The problems are in
        ``attrs["problemes"]`` (see the module docstring).

    Raises
    ------
    SchemaError
        A mandatory column is missing, or (``strict``) a site would be set aside.

    Examples
    --------
    >>> from geo import settings
    >>> sites = read_france_travail_sites(settings.demo_dir() / "partenaires" /
    ...     "pole_emploi_agencies.csv")
    >>> sites["niveau"].value_counts().sort_index().to_dict()
    {'agence': 10, 'direction_regionale': 1, 'direction_territoriale': 3}
    """
    label = file_label(path)
    raw = read_table(
        path,
        line_column="ligne",
        header_score=lambda cells: sum(
            normalize_header(c) in {normalize_header(h) for h in _HEADERS.values()} for c in cells
        ),
    )
    lines = [int(v) for v in raw.pop("ligne")]
    cols = _columns(raw, label)
    report = ProblemReport(label)
    report_blank_lines(raw, report)
    data = pd.DataFrame({f: raw[c].to_numpy() for f, c in cols.items()}, dtype=object)
    for f in _HEADERS:
        if f not in data:
            data[f] = None
    rows = _parse_rows(data, cols, report, lines)
    df = pd.DataFrame(rows, columns=list(SITE_COLUMNS))
    if communes is not None and len(df):
        df = _place(df, communes, cols, report)
    for c in SITE_COLUMNS:
        if c in ("latitude", "longitude"):
            df[c] = df[c].astype("float64")
        elif c == "ligne":
            df[c] = df[c].astype("Int64")
        else:
            df[c] = df[c].astype("string")
    refuse_set_aside(report, strict=strict)
    return attach_problems(df, report)


def pole_emploi_units_from_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """The sites as Pôle emploi units: ``unite_id, nom, niveau, commune, latitude, longitude``.

    The schema of :func:`diagnostics.partnerships.read_pole_emploi_units`, so the
    sites become the units of the partnership and network diagnostics.
    ``unite_id`` is ``PE-AG-``, ``PE-DT-`` or ``PE-DR-`` followed by the site's
    reference; ``commune`` is the INSEE code found from the polygons (empty
    without them). The problems of the sites file follow in
    ``attrs["problemes"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> sites = pd.DataFrame({"site_id": ["X1"], "nom": ["Agence X"], "niveau": ["agence"],
    ...     "commune": ["9A111"], "latitude": [46.2], "longitude": [-9.5]})
    >>> pole_emploi_units_from_sites(sites)["unite_id"].tolist()
    ['PE-AG-X1']
    """
    prefix = sites["niveau"].astype("string").map(_UNIT_PREFIX)
    units = pd.DataFrame(
        {
            "unite_id": (prefix + sites["site_id"].astype("string")).astype("string"),
            "nom": sites["nom"].astype("string"),
            "niveau": sites["niveau"].astype("string"),
            "commune": sites["commune"].astype("string"),
            "latitude": sites["latitude"].astype("float64"),
            "longitude": sites["longitude"].astype("float64"),
        }
    ).reset_index(drop=True)
    units.attrs = dict(sites.attrs)
    return units
