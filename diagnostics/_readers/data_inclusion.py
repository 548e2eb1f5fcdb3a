"""Reader of the data·inclusion open file of structures: a partner directory.

data·inclusion (GIP de l'inclusion) publishes every week the national referential of
insertion structures on data.gouv.fr, in CSV, Parquet, JSON, GeoJSON and XLSX. The
schema is public (repository ``gip-inclusion/data-inclusion-schema``); version 1
carries a list ``reseaux_porteurs``, older files a single ``typologie`` code. The
columns read, the commits read and the mapping tables are described in
``data/partenaires/data_inclusion.md``.

:func:`partners_from_data_inclusion` reads the file, checks each row once (name,
commune code, SIRET, coordinates, date), gives each structure a partner type through
``data/partenaires/data_inclusion_types.csv`` (and, for the old ``typologie`` codes,
the official correspondence ``data_inclusion_typologie_v0.csv``), merges the
duplicates the open file keeps across sources (same identifier; same SIRET in the
same commune; same normalised name in the same commune) and returns the tidy partner
table of :mod:`diagnostics.partners` (columns
:data:`~diagnostics.partners.PARTNER_COLUMNS`). Every problem is reported in one
:class:`geo.problems.ProblemReport` (``attrs["problemes"]``); the merges are listed in
``attrs["fusions"]``.
"""

from __future__ import annotations

import functools
import io
import json
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from diagnostics._readers._rows import refuse_set_aside
from diagnostics._readers.partners import (
    _TYPE_DOMAINS,
    _TYPE_LABELS,
    PARTNER_SCHEMA,
    _assemble,
    _french_schema_error,
    luhn_ok,
)
from geo import codes, settings
from geo._errors import InputFileError, SchemaError
from geo.polygons import LOCATION_BOXES
from geo.problems import ProblemReport, attach_problems
from geo.tables import cell_text, file_label, normalize_header, read_input_bytes, read_table

__all__ = [
    "DATA_INCLUSION_TYPES",
    "DATA_INCLUSION_TYPOLOGIE_V0",
    "MERGE_COLUMNS",
    "data_inclusion_types",
    "normalized_name",
    "partners_from_data_inclusion",
]

#: Table of ``data/`` mapping data·inclusion networks (and old codes) to partner types.
DATA_INCLUSION_TYPES = "partenaires/data_inclusion_types.csv"
#: Official correspondence of the old ``typologie`` codes to the v1 networks.
DATA_INCLUSION_TYPOLOGIE_V0 = "partenaires/data_inclusion_typologie_v0.csv"

#: Columns of ``attrs["fusions"]``: one row per structure merged into another.
MERGE_COLUMNS: tuple[str, ...] = ("partenaire_id", "fiche_fusionnee", "ligne", "source", "critere")

_DOWNLOAD_FIX = (
    "Téléchargez le fichier des structures de data·inclusion (territoire donnees "
    "telecharger data_inclusion_structures) et relancez avec ce fichier."
)
_SOURCE_LABEL = "data·inclusion"
_TABLE_FIX = (
    "Ajoutez-le à data/partenaires/data_inclusion_types.csv avec le type de partenaire voulu "
    "(liste : territoire partenaires types), puis relancez."
)


# --------------------------------------------------------------------------- tables


@functools.lru_cache(maxsize=4)
def _load_tables(folder: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(network → type, old code → type, old code → network) from the tables of ``folder``."""
    base = Path(folder)
    types = pd.read_csv(base / DATA_INCLUSION_TYPES, dtype="string", keep_default_na=False)
    bad = sorted(set(types["type"]) - set(_TYPE_LABELS))
    if bad:
        raise SchemaError(
            f"{DATA_INCLUSION_TYPES} : type(s) de partenaire inconnu(s) {', '.join(bad)}. "
            "Corrigez la colonne « type » avec un code de territoire partenaires types."
        )
    by_ref = {
        ref: dict(zip(part["code"], part["type"], strict=True))
        for ref, part in types.groupby("referentiel", sort=False)
    }
    official = pd.read_csv(
        base / DATA_INCLUSION_TYPOLOGIE_V0, dtype="string", keep_default_na=False
    )
    v0 = {
        k.upper(): v for k, v in zip(official["typologie"], official["reseau_porteur"], strict=True)
    }
    typologie = {k.upper(): v for k, v in by_ref.get("typologie", {}).items()}
    return by_ref.get("reseaux_porteurs", {}), typologie, v0


def data_inclusion_types() -> pd.DataFrame:
    """The mapping table of data·inclusion networks and old codes to partner types.

    Returns
    -------
    pandas.DataFrame
        ``referentiel`` (``reseaux_porteurs`` or ``typologie``), ``code``, ``type``,
        ``commentaire``, as in ``data/partenaires/data_inclusion_types.csv``.

    Examples
    --------
    >>> table = data_inclusion_types()
    >>> table.loc[table["code"] == "mission-locale", "type"].item()
    'mission_locale'
    """
    path = settings.bundled_data_dir() / DATA_INCLUSION_TYPES
    return pd.read_csv(path, dtype="string", keep_default_na=False)


# --------------------------------------------------------------------------- reading


def _frame_from_json(content: bytes, label: str) -> pd.DataFrame:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(
            f"{label} : fichier JSON illisible ({exc}). Le fichier est peut-être tronqué : "
            + _DOWNLOAD_FIX
        ) from exc
    if isinstance(data, dict) and isinstance(data.get("features"), list):  # GeoJSON
        data = [f.get("properties") or {} for f in data["features"] if isinstance(f, dict)]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise InputFileError(
            f"{label} : JSON sans liste d'enregistrements (attendu : une liste d'objets, un "
            "par structure). " + _DOWNLOAD_FIX
        )
    return pd.DataFrame.from_records(data)


def _read_frame(path: str | Path) -> tuple[pd.DataFrame, str]:
    """The file as a frame with normalised headers and a ``ligne`` column; its format."""
    label = file_label(path)
    content = read_input_bytes(path)
    if content[:4] == b"PAR1":
        try:
            df = pd.read_parquet(io.BytesIO(content))
        except Exception as exc:  # pyarrow raises many kinds of errors on a damaged file
            raise InputFileError(
                f"{label} : fichier Parquet illisible ({type(exc).__name__}). Le fichier est "
                "peut-être tronqué : " + _DOWNLOAD_FIX
            ) from exc
        kind = "parquet"
    elif content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        df, kind = _frame_from_json(content, label), "json"
    else:
        df = read_table(path, line_column="ligne", normalize=True)
        df["ligne"] = df["ligne"].astype("int64")
        return df, "table"
    df.columns = [normalize_header(c) for c in df.columns]
    # Parquet and JSON have no lines: the record's rank (1 = first record) stands for it.
    df.insert(0, "ligne", np.arange(1, len(df) + 1, dtype="int64"))
    return df, kind


def _text(df: pd.DataFrame, column: str) -> pd.Series:
    """The column as stripped text, blank → missing (a missing column is all missing)."""
    if column not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    values = df[column]
    if values.dtype == object:
        values = values.map(cell_text)
    return values.astype("string").str.strip().replace("", pd.NA)


_SLUG = re.compile(r"[0-9a-z][0-9a-z-]*")


def _networks(value: Any) -> list[str]:
    """The network slugs of a ``reseaux_porteurs`` cell (list, array or text)."""
    if value is None or value is pd.NA:
        return []
    if isinstance(value, list | tuple | np.ndarray):
        return [str(v).strip().lower() for v in value if v is not None and str(v).strip()]
    if isinstance(value, float):
        return []
    # CSV: "['aci', 'ei']" (Python), '["aci","ei"]' (JSON), "{aci,ei}" or "aci|ei".
    return _SLUG.findall(str(value).lower())


def _check_schema(df: pd.DataFrame, label: str) -> str:
    """``"v1"`` or ``"v0"``, or a French :class:`SchemaError` for any other table."""
    found = ", ".join(c for c in df.columns if c != "ligne")
    if "reseaux_porteurs" not in df.columns and "typologie" not in df.columns:
        services = (
            " Ce fichier semble être celui des services (colonne « structure_id ») et non "
            "celui des structures."
            if "structure_id" in df.columns
            else ""
        )
        raise SchemaError(
            f"{label} : ni colonne « reseaux_porteurs » (schéma data·inclusion v1) ni colonne "
            f"« typologie » (schéma v0) : version de schéma inconnue (colonnes trouvées : "
            f"{found}).{services} {_DOWNLOAD_FIX}"
        )
    missing = [c for c in ("id", "nom") if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{label} : colonne(s) {', '.join(f'« {c} »' for c in missing)} absente(s) "
            f"(colonnes trouvées : {found}). {_DOWNLOAD_FIX}"
        )
    return "v1" if "reseaux_porteurs" in df.columns else "v0"


# --------------------------------------------------------------------------- rows


def _report_each(
    report: ProblemReport,
    lines: pd.Series,
    mask: pd.Series | np.ndarray,
    values: pd.Series,
    *,
    column: str,
    message: str,
    action: str,
    category: str,
) -> None:
    mask = np.asarray(mask, dtype=bool)
    for line, value in zip(lines.to_numpy()[mask], values.to_numpy()[mask], strict=True):
        report.add(
            message.format(value=value),
            line=int(line),
            column=column,
            value=None if value is pd.NA else value,
            action=action,
            category=category,
        )


def _communes(df: pd.DataFrame, report: ProblemReport) -> pd.Series:
    raw = _text(df, "code_insee")
    commune = codes.normalize_commune(raw, errors="coerce").astype("string")
    bad = raw.notna() & commune.isna()
    _report_each(
        report,
        df["ligne"],
        bad,
        raw,
        column="code_insee",
        message=(
            "code commune « {value} » illisible (attendu le code Insee à 5 caractères, ex. "
            "44109 ; un code postal n'est pas un code commune) : ignoré, la structure est gardée "
            "sans commune. Corrigez-le dans la source de la structure."
        ),
        action="corrigée",
        category="commune_invalide",
    )
    _report_each(
        report,
        df["ligne"],
        raw.isna(),
        _text(df, "commune"),
        column="code_insee",
        message=(
            "code commune vide : la structure est gardée sans commune (ni carte ni couverture "
            "par commune ; pas de dédoublonnage par nom). Complétez son code Insee dans la "
            "source de la structure."
        ),
        action="conservée",
        category="commune_manquante",
    )
    return commune


def _sirets(df: pd.DataFrame, report: ProblemReport) -> pd.Series:
    raw = _text(df, "siret")
    digits = raw.str.replace(r"[\s.\-]", "", regex=True)
    ok = digits.str.fullmatch(r"\d{14}").fillna(False).astype(bool)
    candidates = digits.where(ok, "").astype(object).tolist()  # Luhn only on 14 digits
    ok &= np.array([bool(d) and (luhn_ok(d) or d.startswith("356000000")) for d in candidates])
    bad = raw.notna() & ~ok
    _report_each(
        report,
        df["ligne"],
        bad,
        raw,
        column="siret",
        message=(
            "SIRET « {value} » invalide (attendu 14 chiffres avec une clé de contrôle juste) : "
            "ignoré. Corrigez-le dans la source de la structure."
        ),
        action="corrigée",
        category="siret_invalide",
    )
    blank = int(raw.isna().sum())
    if blank:
        report.add(
            f"{blank} structure(s) sans SIRET : gardées, et dédoublonnées par leur nom et leur "
            "commune seulement. Complétez leur SIRET dans leur source pour un dédoublonnage sûr.",
            column="siret",
            action="conservée",
            category="siret_manquant",
        )
    return digits.where(ok, pd.NA)


def _in_boxes(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    inside = np.zeros(len(lat), dtype=bool)
    for lon_min, lat_min, lon_max, lat_max in set(LOCATION_BOXES.values()):
        inside |= (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)
    return inside


def _coordinates(df: pd.DataFrame, report: ProblemReport) -> tuple[np.ndarray, np.ndarray]:
    raw_lat, raw_lon = _text(df, "latitude"), _text(df, "longitude")
    lat = pd.to_numeric(raw_lat.str.replace(",", "."), errors="coerce").to_numpy(float)
    lon = pd.to_numeric(raw_lon.str.replace(",", "."), errors="coerce").to_numpy(float)
    given = (raw_lat.notna() | raw_lon.notna()).to_numpy()
    both = ~np.isnan(lat) & ~np.isnan(lon)
    shown = (raw_lat.fillna("") + ", " + raw_lon.fillna("")).str.strip(", ")
    inside, swapped = _in_boxes(lat, lon), _in_boxes(lon, lat)
    fix = swapped & ~inside & both
    lat, lon = np.where(fix, lon, lat), np.where(fix, lat, lon)
    bad = given & ~(both & (inside | swapped))
    for mask, message, category in (
        (
            fix,
            "latitude et longitude inversées (« {value} ») : remises dans l'ordre. Corrigez-les "
            "dans la source de la structure.",
            "coordonnees_inversees",
        ),
        (
            bad,
            "coordonnées « {value} » illisibles ou hors de France : ignorées, la structure est "
            "placée au centre de sa commune. Corrigez-les dans la source de la structure.",
            "coordonnees_invalides",
        ),
    ):
        _report_each(
            report,
            df["ligne"],
            mask,
            shown,
            column="latitude",
            message=message,
            action="corrigée",
            category=category,
        )
    lat[bad], lon[bad] = np.nan, np.nan
    return lat, lon


def _contacts(df: pd.DataFrame, report: ProblemReport) -> pd.DataFrame:
    contacts = pd.DataFrame({c: _text(df, c) for c in ("courriel", "telephone", "site_web")})
    blank = int(contacts[["courriel", "telephone"]].isna().all(axis=1).sum())
    if blank:
        report.add(
            f"{blank} structure(s) sans courriel ni téléphone (effacés à la publication "
            "quand ils sont personnels, ou jamais renseignés) : gardées. Cherchez leurs "
            "contacts auprès de leur source (colonne « source ») avant de les solliciter.",
            column="courriel",
            action="conservée",
            category="contacts_effaces",
        )
    return contacts


def _types(
    df: pd.DataFrame, version: str, report: ProblemReport
) -> tuple[list[str], list[list[str]]]:
    """Partner type and network slugs of each row; unmapped values reported once each."""
    networks_types, typologie_types, v0_networks = _load_tables(str(settings.bundled_data_dir()))
    cells = df["reseaux_porteurs"].tolist() if "reseaux_porteurs" in df.columns else None
    old = _text(df, "typologie").astype(object).where(lambda s: s.notna(), None).tolist()
    unmapped: Counter[tuple[str, str]] = Counter()
    no_network = 0
    kinds: list[str] = []
    slugs_of: list[list[str]] = []
    for i in range(len(df)):
        slugs = _networks(cells[i]) if cells is not None else []
        kind = None
        if slugs:
            mapped = [networks_types.get(s) for s in slugs]
            unmapped.update(
                ("reseaux_porteurs", s) for s, t in zip(slugs, mapped, strict=True) if t is None
            )
            kind = next((t for t in mapped if t and t != "autre"), None)
        elif old[i] is not None:
            code = str(old[i]).upper()
            slug = v0_networks.get(code) or None
            slugs = [slug] if slug else []
            kind = typologie_types.get(code) or (networks_types.get(slug) if slug else None)
            if kind is None:
                unmapped[("typologie", str(old[i]))] += 1
        else:
            no_network += 1
        kinds.append(kind or "autre")
        slugs_of.append(slugs)
    for (column, value), count in sorted(unmapped.items(), key=lambda kv: (-kv[1], kv[0])):
        what = "réseau porteur" if column == "reseaux_porteurs" else "code de typologie"
        report.add(
            f"{count} structure(s) portent le {what} « {value} », absent des tables de "
            f"rattachement (hors du référentiel officiel ?) : type « autre » donné. {_TABLE_FIX}",
            column=column,
            value=value,
            action="corrigée",
            category="reseau_non_rattache",
        )
    if no_network:
        column = "reseaux_porteurs" if version == "v1" else "typologie"
        report.add(
            f"{no_network} structure(s) sans {column} : type « autre » donné. Complétez leur "
            "réseau porteur dans leur source pour les classer.",
            column=column,
            action="corrigée",
            category="reseau_absent",
        )
    return kinds, slugs_of


def _identifiers(df: pd.DataFrame, report: ProblemReport) -> pd.Series:
    ident, source = _text(df, "id"), _text(df, "source")
    # v1 identifiers already start with their source (``dora--123``); v0 ones do not.
    bare = [
        isinstance(i, str) and isinstance(s, str) and not i.startswith(f"{s}--")
        for i, s in zip(ident.astype(object), source.astype(object), strict=True)
    ]
    ident = ident.mask(np.array(bare), source + "--" + ident)
    missing = ident.isna()
    _report_each(
        report,
        df["ligne"],
        missing,
        ident,
        column="id",
        message="identifiant vide : L<ligne> attribué. Vérifiez la ligne dans le fichier.",
        action="corrigée",
        category="identifiant_manquant",
    )
    return ident.fillna("L" + df["ligne"].astype("string"))


def _departements(commune: pd.Series, df: pd.DataFrame) -> pd.Series:
    """Département of each row: from the commune code, else from the postal code."""
    dep = codes.departement_of_commune(commune).astype("string")
    postal = _text(df, "code_postal").str.extract(r"^(\d{5})$")[0]
    from_postal = postal.str.slice(0, 2).where(~postal.str.startswith("97"), postal.str[:3])
    corsica = postal.str.startswith("20")
    from_postal = from_postal.where(
        ~corsica.fillna(False), np.where(postal.fillna("0") < "20200", "2A", "2B")
    )
    return dep.fillna(from_postal)


# --------------------------------------------------------------------------- names

_LONG_FORMS: tuple[tuple[str, str], ...] = (
    (r"centre communal d action sociale", "ccas"),
    (r"centre intercommunal d action sociale", "cias"),
    (r"mission locale", "ml"),
    (r"maison de l emploi", "mde"),
    (r"plan local pour l insertion et l emploi", "plie"),
    (r"ecole de la (deuxieme|2e|2eme) chance", "e2c"),
    (r"protection judiciaire de la jeunesse", "pjj"),
    (r"service penitentiaire d insertion et de probation", "spip"),
)
_STOP_WORDS = r"\b(de|du|des|la|le|les|l|d|et|a|au|aux)\b"


def normalized_name(names: pd.Series) -> pd.Series:
    """Names reduced for comparison: the rule of the data·inclusion deduplication.

    Lower case, no accents, punctuation as spaces, the long forms of a few
    public-service names replaced by their acronym (« centre communal d'action
    sociale » → ``ccas``, « mission locale » → ``ml``), the words ``de, du, des, la,
    le, les, l, d, et, a, au, aux`` removed, single spaces.

    Examples
    --------
    >>> normalized_name(pd.Series(["CCAS de Nantes", "Centre Communal d'Action Sociale - NANTES"])).tolist()
    ['ccas nantes', 'ccas nantes']
    """
    text = (
        names.astype("string")
        .str.normalize("NFKD")
        .str.encode("ascii", "ignore")
        .str.decode("ascii")
        .str.lower()
        .str.replace(r"[^0-9a-z]+", " ", regex=True)
    )
    for pattern, short in _LONG_FORMS:
        text = text.str.replace(rf"\b{pattern}\b", short, regex=True)
    text = text.str.replace(_STOP_WORDS, " ", regex=True).str.split().str.join(" ")
    return text.replace("", pd.NA)


# --------------------------------------------------------------------------- dedup


def _groups(keys: Sequence[pd.Series]) -> np.ndarray:
    """Root row of each row: rows sharing any key end in the same group (union-find)."""
    n = len(keys[0])
    parent = np.arange(n)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for key in keys:
        codes_, _ = pd.factorize(key, use_na_sentinel=True)
        first: dict[int, int] = {}
        for i, k in enumerate(codes_.tolist()):
            if k < 0:
                continue
            j = first.setdefault(k, i)
            if j != i:
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return np.array([find(i) for i in range(n)])


def _join(values: list[str]) -> str | None:
    """Distinct values in their order, ``|``-separated (``None`` if there are none)."""
    return "|".join(dict.fromkeys(v for v in values if v)) or None


def _deduplicate(rows: pd.DataFrame, report: ProblemReport) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per group of duplicates, completed by the others; the merges listed."""
    siret_key = rows["siret"] + "@" + rows["commune"].fillna("")
    name_key = rows["nom_cle"] + "@" + rows["commune"]
    root = _groups([rows["partenaire_id"], siret_key, name_key])
    score = (
        rows["siret"].notna().astype(int)
        + rows["commune"].notna().astype(int)
        + rows["latitude"].notna().astype(int)
        + (rows["type"] != "autre").astype(int)
    )
    rows = rows.assign(_root=root, _score=score, _rank=np.arange(len(rows)))
    multi = rows["_root"].duplicated(keep=False)
    if not multi.any():
        empty = pd.DataFrame({c: pd.Series(dtype="string") for c in MERGE_COLUMNS})
        return rows.drop(columns=["_root", "_score", "_rank"]), empty.astype({"ligne": "Int64"})
    dup = rows[multi].sort_values(["_root", "_score", "_rank"], ascending=[True, False, True])
    kept = dup.groupby("_root", sort=False).head(1).set_index("_root")
    filled = dup.assign(type=dup["type"].where(dup["type"] != "autre")).groupby("_root").first()
    merged = kept.copy()
    for column in ("siret", "commune", "latitude", "longitude", "type"):
        merged[column] = merged[column].fillna(filled[column])
    merged["type"] = merged["type"].fillna("autre")
    sources: dict[int, list[str]] = {}
    networks: dict[int, list[str]] = {}
    for r, source, network in zip(
        dup["_root"].tolist(),
        dup["source"].astype(object).tolist(),
        dup["reseau"].astype(object).tolist(),
        strict=True,
    ):
        if isinstance(source, str):
            sources.setdefault(r, []).append(source)
        if isinstance(network, str):
            networks.setdefault(r, []).extend(network.split("|"))
    merged["source"] = [_join(sources.get(r, [])) for r in merged.index]
    merged["reseau"] = [_join(networks.get(r, [])) for r in merged.index]
    grouped = dup.groupby("_root")
    merged["date_verification"] = grouped["date_verification"].max()
    merged["contact_courriel"] = merged["contact_courriel"].fillna(filled["contact_courriel"])
    merged["contact_telephone"] = merged["contact_telephone"].fillna(filled["contact_telephone"])
    merged["contact_site_web"] = merged["contact_site_web"].fillna(filled["contact_site_web"])

    gone = dup[~dup["_rank"].isin(kept["_rank"])]
    ref = kept.loc[gone["_root"]]
    at_gone, at_ref = gone["_rank"].to_numpy(), ref["_rank"].to_numpy()
    same_id = gone["partenaire_id"].to_numpy() == ref["partenaire_id"].to_numpy()
    sk, nk = siret_key.fillna("").to_numpy(), name_key.fillna("").to_numpy()
    same_siret = (sk[at_gone] == sk[at_ref]) & (sk[at_gone] != "")
    same_name = (nk[at_gone] == nk[at_ref]) & (nk[at_gone] != "")
    criteria = np.select(
        [same_id, same_siret, same_name],
        ["identifiant", "siret", "nom_commune"],
        default="transitif",
    )
    texts = {
        "identifiant": "même identifiant",
        "siret": "même SIRET dans la même commune",
        "nom_commune": "même nom (normalisé) dans la même commune",
        "transitif": "par une autre fiche du même groupe",
    }
    for line, ident, crit, kept_line, kept_id, joined in zip(
        gone["ligne"],
        gone["partenaire_id"],
        criteria,
        ref["ligne"],
        ref["partenaire_id"],
        merged["source"].reindex(gone["_root"]).to_numpy(),
        strict=True,
    ):
        column = {"siret": "siret", "nom_commune": "nom"}.get(crit, "id")
        report.add(
            f"doublon de la ligne {int(kept_line)} ({kept_id}) : {texts[crit]} ; fusionnée avec "
            f"elle (sources réunies : {joined or 'non renseignée'}). Si ce sont deux structures "
            "distinctes, corrigez le SIRET ou le nom de l'une dans sa source.",
            line=int(line),
            column=column,
            value=ident,
            action="corrigée",
            category="doublon_fusionne",
        )
    merges = pd.DataFrame(
        {
            "partenaire_id": ref["partenaire_id"].to_numpy(),
            "fiche_fusionnee": gone["partenaire_id"].to_numpy(),
            "ligne": gone["ligne"].to_numpy(),
            "source": gone["source"].to_numpy(),
            "critere": criteria,
        }
    ).astype({"partenaire_id": "string", "fiche_fusionnee": "string", "source": "string"})
    merges["ligne"] = merges["ligne"].astype("Int64")
    singles = rows[~multi]
    out = pd.concat([singles, merged.reset_index()], ignore_index=True)
    out = out.sort_values("_rank").drop(columns=["_root", "_score", "_rank"])
    return out.reset_index(drop=True), merges


# --------------------------------------------------------------------------- public


def partners_from_data_inclusion(
    path: str | Path,
    *,
    departements: Sequence[str] | None = None,
    strict: bool = False,
) -> pd.DataFrame:
    """Read the data·inclusion open file of structures into the tidy partner table.

    Parameters
    ----------
    path
        The national file of structures as published on data.gouv.fr: CSV, XLSX,
        Parquet, JSON or GeoJSON (format detected from the content), schema v1
        (``reseaux_porteurs``) or v0 (``typologie``).
    departements
        Keep only the structures of these départements (from the commune code, else
        the postal code); rows whose département cannot be told are set aside and
        reported. Default: the whole file.
    strict
        Refuse the file if any row is set aside (instead of using the rest).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`diagnostics.partners.PARTNER_COLUMNS`, one row per structure
        once the duplicates are merged: ``partenaire_id`` the data·inclusion
        identifier (``source--id``), ``type`` from the mapping tables (see
        ``data/partenaires/data_inclusion.md``), ``reseau`` the network slugs
        (``|``-separated), ``source`` the data·inclusion sources merged,
        ``date_verification`` the last update (``date_maj``), no ressort (the site
        commune serves), ``operant`` and ``majeur`` false (the analyst's call).
        ``attrs``: ``problemes`` (:class:`geo.problems.ProblemReport`; for Parquet
        and JSON the line is the record's rank, 1 = first record), ``fusions``
        (:data:`MERGE_COLUMNS`), ``contacts`` (``partenaire_id, courriel,
        telephone, site_web``), ``schema`` (``"v1"`` or ``"v0"``), ``format``.

    Raises
    ------
    InputFileError
        The file is missing or unreadable.
    SchemaError
        Neither ``reseaux_porteurs`` nor ``typologie`` (unknown schema version, or
        the services file), no ``id`` or ``nom`` column, no usable row, or a row
        set aside with ``strict``.

    Examples
    --------
    >>> from pathlib import Path
    >>> path = Path("tests/data/data_inclusion/structures-inclusion.csv")
    >>> partners = partners_from_data_inclusion(path)
    >>> partners.columns.tolist()[:4]
    ['partenaire_id', 'nom', 'type', 'type_libelle']
    """
    label = file_label(path)
    df, kind = _read_frame(path)
    version = _check_schema(df, label)
    report = ProblemReport(label)
    names = _text(df, "nom")
    no_name = names.isna()
    _report_each(
        report,
        df["ligne"],
        no_name,
        names,
        column="nom",
        message="nom de la structure vide : ligne écartée. Complétez le nom dans la source.",
        action="écartée",
        category="nom_manquant",
    )
    commune = _communes(df, report)
    keep = ~no_name
    if departements is not None:
        wanted = {codes.normalize_departement(d) for d in departements}
        dep = _departements(commune, df)
        unknown = dep.isna() & keep
        _report_each(
            report,
            df["ligne"],
            unknown,
            names,
            column="code_insee",
            message=(
                "ni code commune ni code postal lisible : département inconnu, structure « "
                "{value} » écartée du filtre par département. Complétez son code Insee."
            ),
            action="écartée",
            category="departement_inconnu",
        )
        keep &= dep.isin(wanted).fillna(False).astype(bool)
    refuse_set_aside(report, strict=strict)
    df, commune = df[keep.to_numpy()], commune[keep.to_numpy()]
    if df.empty:
        raise SchemaError(
            f"{label} : aucune structure utilisable"
            + (f" dans le(s) département(s) {', '.join(departements)}" if departements else "")
            + ". Vérifiez le fichier et le filtre --departement."
        )
    rows = _rows(df, commune, version, report)
    rows, merges = _deduplicate(rows, report)
    table = _table(rows)
    contacts = pd.DataFrame(
        {
            "partenaire_id": rows["partenaire_id"],
            "courriel": rows["contact_courriel"],
            "telephone": rows["contact_telephone"],
            "site_web": rows["contact_site_web"],
        }
    )
    table.attrs.update(fusions=merges, contacts=contacts, schema=version, format=kind)
    return attach_problems(table, report)


def _rows(
    df: pd.DataFrame, commune: pd.Series, version: str, report: ProblemReport
) -> pd.DataFrame:
    """The checked fields of each kept row, before deduplication."""
    lat, lon = _coordinates(df, report)
    contacts = _contacts(df, report)
    kinds, slugs = _types(df, version, report)
    dates = pd.to_datetime(
        _text(df, "date_maj").str.slice(0, 10), errors="coerce", format="%Y-%m-%d"
    )
    bad_date = _text(df, "date_maj").notna() & dates.isna()
    _report_each(
        report,
        df["ligne"],
        bad_date,
        _text(df, "date_maj"),
        column="date_maj",
        message="date de mise à jour « {value} » illisible (attendu AAAA-MM-JJ) : ignorée.",
        action="corrigée",
        category="date_invalide",
    )
    sources = _text(df, "source")
    names = _text(df, "nom")
    return pd.DataFrame(
        {
            "ligne": df["ligne"].to_numpy(),
            "partenaire_id": _identifiers(df, report).to_numpy(),
            "nom": names.to_numpy(),
            "nom_cle": normalized_name(names).to_numpy(),
            "type": kinds,
            "siret": _sirets(df, report).to_numpy(),
            "commune": commune.to_numpy(),
            "latitude": lat,
            "longitude": lon,
            "reseau": ["|".join(s) or None for s in slugs],
            "date_verification": dates.to_numpy(),
            "source": sources.to_numpy(),
            "contact_courriel": contacts["courriel"].to_numpy(),
            "contact_telephone": contacts["telephone"].to_numpy(),
            "contact_site_web": contacts["site_web"].to_numpy(),
        }
    ).astype(
        {
            c: "string"
            for c in ("partenaire_id", "nom", "nom_cle", "type", "siret", "commune", "source")
        }
    )


def _table(rows: pd.DataFrame) -> pd.DataFrame:
    """The partner table of the deduplicated rows, checked against the partner schema."""
    n = len(rows)
    kinds = rows["type"].astype(str).tolist()
    sources = rows["source"].astype(object)
    out: dict[str, list[Any]] = {
        "partenaire_id": rows["partenaire_id"].tolist(),
        "nom": rows["nom"].tolist(),
        "type": kinds,
        "type_libelle": [_TYPE_LABELS[k] for k in kinds],
        "siret": rows["siret"].tolist(),
        "commune": rows["commune"].tolist(),
        "latitude": rows["latitude"].astype(float).tolist(),
        "longitude": rows["longitude"].astype(float).tolist(),
        "ressort_communes": [()] * n,
        "ressort_territoire": [None] * n,
        "domaines": [_TYPE_DOMAINS[k] for k in kinds],
        "publics": [()] * n,
        "operant": [False] * n,
        "majeur": [False] * n,
        "reseau": rows["reseau"].tolist(),
        "date_verification": rows["date_verification"].tolist(),
        "source": [
            f"{_SOURCE_LABEL} ({s.replace('|', ', ')})" if isinstance(s, str) else _SOURCE_LABEL
            for s in sources
        ],
    }
    table = _assemble(out)
    try:
        PARTNER_SCHEMA.validate(table, lazy=True)
    except pa.errors.SchemaErrors as exc:
        raise _french_schema_error(exc, "Structures data·inclusion") from exc
    return table
