"""The partner directory: typology, reader of the analyst's file, ressorts and freshness.

The territorialisation report makes a "cartographie des acteurs locaux majeurs et
opérants" mandatory at every level before any partnership (L346, L380), kept alive
over time (L413). This module turns the analyst's spreadsheet of local actors
into one tidy table, says clearly what it fixed or could not use, and expands
each structure's *ressort territorial* into communes.

Tidy partner table (one row per structure)
------------------------------------------
======================  ================  ==================================================
column                  dtype             content
======================  ================  ==================================================
``partenaire_id``       string            identifier, unique
``nom``                 string            name of the structure
``type``                string            typology code (:data:`PARTNER_TYPES`), ``autre``
                                          for a type that matches none
``type_libelle``        string            French label of the type (the label as written
                                          for an unknown type)
``siret``               string            14 digits with a valid key, or missing
``commune``             string            site commune code (normalised), or missing
``latitude``            float64           WGS84, or NaN
``longitude``           float64           WGS84, or NaN
``ressort_communes``    object (tuple)    commune codes of the ressort, possibly empty
``ressort_territoire``  string            ``"<niveau>:<code>"`` (``bassin:9903``), niveau in
                                          region, departement, bassin, zone_emploi, clpe,
                                          commune; or missing
``domaines``            object (tuple)    subset of the six domains of :data:`DOMAINS`
``publics``             object (tuple)    codes of :data:`PUBLICS` (other values kept as
                                          written, reported)
``operant``             bool              actor "opérant" (blank cell: ``False``)
``majeur``              bool              actor "majeur" (blank cell: ``False``)
``reseau``              string            national head network, or missing
``date_verification``   datetime64[ns]    last verification, or NaT
``source``              string            where the entry comes from, or missing
======================  ================  ==================================================

:data:`PARTNER_SCHEMA` is the pandera schema of this table; build small tables of
this shape with :func:`partners_from_records`.

The input file (CSV or XLSX) is described in ``data/partenaires/LISEZMOI.md``, with
a blank template next to it; ``data/demo/partenaires.csv`` is a filled example on
the demonstration territory.

Functions
---------
- :func:`read_partners` / :func:`read_partners_report`: read the file, validate the
  cells once (pandera), fix what can safely be fixed and report everything, line by
  line (:class:`PartnerReport`), while the rest of the file is used;
- :func:`partner_ressort`: the communes each structure serves (long table);
- :func:`stale_partners`: entries not verified for more than N months;
- :func:`partners_from_records`: a tidy table from records, for tests and notebooks.

The reader, the typology and the schema live in :mod:`diagnostics._readers.partners`
and are re-exported here.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from diagnostics._readers.data_inclusion import partners_from_data_inclusion
from diagnostics._readers.partners import (
    DOMAINS,
    PARTNER_COLUMNS,
    PARTNER_FAMILIES,
    PARTNER_SCHEMA,
    PARTNER_TYPES,
    PUBLICS,
    RESSORT_LEVELS,
    PartnerReport,
    partners_from_records,
    read_partners,
    read_partners_report,
    sample_values,
)
from geo._errors import SchemaError

__all__ = [
    "DOMAINS",
    "PUBLICS",
    "PARTNER_FAMILIES",
    "PARTNER_TYPES",
    "PARTNER_COLUMNS",
    "PARTNER_SCHEMA",
    "RESSORT_LEVELS",
    "PartnerReport",
    "read_partners",
    "read_partners_report",
    "partners_from_records",
    "partners_from_data_inclusion",
    "partner_ressort",
    "stale_partners",
]


def partner_ressort(partners: pd.DataFrame, communes_table: pd.DataFrame) -> pd.DataFrame:
    """Expand each structure's ressort into the communes it serves.

    Parameters
    ----------
    partners
        Tidy partner table (:func:`read_partners`).
    communes_table
        Commune table (:func:`geo.territories.commune_table`): ``commune`` and the
        code of every level used by the ressorts (``bassin``, ``departement``...).

    Returns
    -------
    pandas.DataFrame
        ``partenaire_id, commune`` (``string``), one row per structure × commune
        of its ressort, in the order of ``partners`` then of the commune codes.
        The ressort is the union of ``ressort_communes`` and of the communes of
        ``ressort_territoire`` in the table; a structure with neither gets its
        site commune. Only communes of the table are kept. ``attrs["remarques"]``
        lists, in French, the structures given their site commune, those left
        without any commune, and what could not be expanded;
        ``attrs["commune_du_site"]`` holds the identifiers of the structures
        given their site commune.

    Raises
    ------
    SchemaError
        A column is missing in ``partners`` or ``communes_table``.

    Examples
    --------
    >>> table = pd.DataFrame({"commune": ["9A001", "9A002", "9A003"],
    ...                       "bassin": ["9901", "9901", "9902"]})
    >>> partners = partners_from_records([
    ...     {"partenaire_id": "ML1", "nom": "ML", "type": "mission_locale",
    ...      "ressort_communes": ["9A001"], "ressort_territoire": "bassin:9902"},
    ...     {"partenaire_id": "C1", "nom": "CCAS", "type": "ccas", "commune": "9A002"},
    ... ])
    >>> partner_ressort(partners, table).values.tolist()
    [['ML1', '9A001'], ['ML1', '9A003'], ['C1', '9A002']]
    """
    _require(partners, ["partenaire_id"], "Annuaire des partenaires")
    _require(communes_table, ["commune"], "Table des communes")
    table = pd.DataFrame(communes_table).drop(columns="geometry", errors="ignore")
    table = table.dropna(subset=["commune"]).drop_duplicates("commune")
    table["commune"] = table["commune"].astype(str)
    table = table.sort_values("commune", kind="stable")
    known = pd.Index(table["commune"].to_numpy(dtype=object))
    ids = partners["partenaire_id"].astype(str).to_numpy(dtype=object)
    n = len(ids)
    remarks: list[str] = []
    owners: list[np.ndarray] = []
    positions: list[np.ndarray] = []
    outside: set[str] = set()

    def add(owner: np.ndarray, communes: np.ndarray) -> None:
        found = known.get_indexer(communes)
        outside.update(communes[found < 0].tolist())
        owners.append(owner[found >= 0])
        positions.append(found[found >= 0])

    has_list = np.zeros(n, dtype=bool)
    if "ressort_communes" in partners.columns:
        lists = partners["ressort_communes"].to_numpy(dtype=object)
        lengths = np.fromiter((len(t) for t in lists), dtype=np.int64, count=n)
        has_list = lengths > 0
        flat = np.fromiter(
            itertools.chain.from_iterable(lists), dtype=object, count=int(lengths.sum())
        )
        add(np.repeat(np.arange(n), lengths), flat)
    has_territory = np.zeros(n, dtype=bool)
    if "ressort_territoire" in partners.columns:
        territory = partners["ressort_territoire"].astype(object).to_numpy(na_value=None)
        has_territory = np.array([t is not None for t in territory], dtype=bool)
        parsed = [str(t).split(":", 1) for t in territory[has_territory]]
        wanted = pd.DataFrame(
            {
                "owner": np.flatnonzero(has_territory),
                "niveau": [p[0] for p in parsed],
                "code": [p[1] if len(p) > 1 else "" for p in parsed],
            }
        )
        for level, group in wanted.groupby("niveau", sort=True):
            owner = group["owner"].to_numpy()
            codes_ = group["code"].to_numpy(dtype=object)
            if level == "commune":
                add(owner, codes_)
                continue
            if level not in table.columns:
                remarks.append(
                    f"{len(group)} ressort(s) de niveau {level} non développé(s) : la table "
                    f"des communes n'a pas de colonne '{level}' "
                    f"(structures {sample_values(ids[owner])})."
                )
                continue
            members = table[["commune", level]].dropna()
            member_codes = members[level].astype(str).to_numpy(dtype=object)
            member_positions = known.get_indexer(members["commune"].to_numpy(dtype=object))
            groups = pd.Series(member_positions).groupby(member_codes, sort=False).indices
            unknown = []
            for k, code in zip(owner, codes_, strict=True):
                rows = groups.get(code)
                if rows is None:
                    unknown.append(f"{ids[k]} ({level}:{code})")
                    continue
                owners.append(np.full(len(rows), k))
                positions.append(member_positions[rows])
            if unknown:
                remarks.append(
                    f"{len(unknown)} territoire(s) de ressort sans commune dans la table : "
                    f"{sample_values(unknown)}."
                )
    without = ~has_list & ~has_territory
    site_given: list[str] = []
    if without.any():
        site = (
            partners["commune"].astype(object).to_numpy(na_value=None)
            if "commune" in partners.columns
            else np.full(n, None, dtype=object)
        )
        fallback = np.flatnonzero(without)
        with_site = np.array([site[k] is not None for k in fallback], dtype=bool)
        site_given = ids[fallback[with_site]].tolist()
        if site_given:
            remarks.append(
                f"{len(site_given)} structure(s) sans ressort : leur commune d'implantation sert "
                f"de ressort ({sample_values(site_given)})."
            )
        if (~with_site).any():
            remarks.append(
                f"{int((~with_site).sum())} structure(s) sans ressort ni commune d'implantation, "
                f"absente(s) du résultat : {sample_values(ids[fallback[~with_site]])}."
            )
        add(fallback[with_site], site[fallback[with_site]].astype(object))
    if outside:
        remarks.append(
            f"{len(outside)} commune(s) de ressort hors de la table des communes, non "
            f"retenue(s) : {sample_values(sorted(outside))}."
        )
    m = max(len(known), 1)
    keys = np.sort(
        np.concatenate([o.astype(np.int64) * m + c for o, c in zip(owners, positions, strict=True)])
        if owners
        else np.array([], dtype=np.int64)
    )
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    result = pd.DataFrame(
        {
            "partenaire_id": pd.array(ids[keys // m], dtype="string"),
            "commune": pd.array(known.to_numpy()[keys % m], dtype="string"),
        }
    )
    result.attrs = {"remarques": remarks, "commune_du_site": site_given}
    return result


def stale_partners(
    partners: pd.DataFrame,
    *,
    months: int = 24,
    date: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Structures whose last verification is older than ``months`` months, or missing.

    The report wants a *living* map of local actors (L413): an entry nobody has
    checked for two years is not a reliable basis for a partnership.

    Parameters
    ----------
    partners
        Tidy partner table (:func:`read_partners`).
    months
        Age limit in calendar months: a structure verified on or after
        ``date - months`` is fresh.
    date
        Reference date (default: today's date, read at call time).

    Returns
    -------
    pandas.DataFrame
        The stale rows of ``partners`` (same columns and index, input order) plus
        ``anciennete_mois`` (``Int64``: whole months since the verification,
        missing when never verified) and ``motif`` (French).

    Examples
    --------
    >>> partners = partners_from_records([
    ...     {"partenaire_id": "A", "nom": "A", "type": "ccas", "date_verification": "2023-01-15"},
    ...     {"partenaire_id": "B", "nom": "B", "type": "ccas", "date_verification": "2025-06-01"},
    ...     {"partenaire_id": "C", "nom": "C", "type": "ccas"},
    ... ])
    >>> stale_partners(partners, date="2026-06-30")[["partenaire_id", "anciennete_mois"]]
      partenaire_id  anciennete_mois
    0             A               41
    2             C             <NA>
    """
    _require(partners, ["partenaire_id", "date_verification"], "Annuaire des partenaires")
    if months < 0:
        raise ValueError(f"months doit être positif ou nul (reçu {months}).")
    now = pd.Timestamp.today().normalize() if date is None else pd.Timestamp(date).normalize()
    dates = pd.to_datetime(partners["date_verification"])
    limit = now - pd.DateOffset(months=months)
    stale = dates.isna() | (dates < limit)
    out = partners.loc[stale].copy()
    d = dates[stale]
    elapsed = (now.year - d.dt.year) * 12 + (now.month - d.dt.month) - (now.day < d.dt.day)
    out["anciennete_mois"] = elapsed.astype("Int64")
    out["motif"] = pd.Series(
        [
            "jamais vérifiée (date de vérification absente)"
            if pd.isna(m)
            else f"vérifiée il y a {int(m)} mois (limite : {months} mois)"
            for m in out["anciennete_mois"]
        ],
        index=out.index,
        dtype="string",
    )
    return out


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{what} : colonne(s) absente(s) : {', '.join(missing)} (colonnes trouvées : "
            f"{', '.join(map(str, df.columns))}). Lisez l'annuaire avec "
            "diagnostics.partners.read_partners et construisez la table des communes avec "
            "geo.territories.commune_table.",
            problems=[f"colonne absente : {c}" for c in missing],
        )
