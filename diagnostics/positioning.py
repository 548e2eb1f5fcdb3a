"""Positioning of the actors of a territory, and the gaps it reveals.

The territorialisation commission (Van Lerberghe report, April 2010, § 2.2–2.3) places
every actor of the employment ecosystem, per **domain** and per **client situation**,
in one of three roles (L170–L179):

- *pivot*: the main actor, or one of the main actors, of the domain; it structures
  the interactions of the ecosystem;
- *structurant*: indispensable to the ecosystem, it drives the collaboration;
- *contributeur*: an actor of the domain outside its core business, offering services
  complementary to the pivot's.

Its reference matrix (L191–L197) gives Pôle emploi's role on a grid of 5 domains
(intermédiation, orientation, formation, insertion, développement économique;
indemnisation is left out, L168) × 7 client situations in 3 segments; 10 of the 35
cells are empty. It is shipped as data (``data/reference/matrice_positionnement_2010.csv``)
and read by :func:`reference_matrix`.

Per-territory roles
-------------------
An analyst records the roles of the local actors on the same grid, one row per actor
and cell (template ``data/positionnement/modele_roles.csv``); :func:`read_positioning`
reads and validates the file and returns the tidy table (the reader lives in
:mod:`diagnostics._readers.positioning` and is re-exported here; every problem, one per
row, is in ``attrs["problemes"]``, a :class:`geo.problems.ProblemReport`):

=====================  ==============  ==================================================
column                 dtype           content
=====================  ==============  ==================================================
``territoire``         string          ``"<niveau>:<code>"``, normalised (``bassin:9903``)
``niveau``             string          ``region``, ``departement``, ``bassin``,
                                       ``zone_emploi``, ``clpe`` or ``commune``
``code_territoire``    string          normalised code of the territory
``acteur``             string          ``partenaire_id`` of the partner directory, or
                                       :data:`POLE_EMPLOI`
``domaine``            string          a key of :data:`POSITIONING_DOMAINS`
``situation``          string          a key of :data:`CLIENT_SITUATIONS`
``role``               string          a key of :data:`POSITIONING_ROLES`
``commentaire``        string          free text (may be missing)
``date_verification``  datetime64[ns]  when the analyst last checked the row (may be NaT)
``ligne``              Int64           row of the source file (header = row 1)
=====================  ==============  ==================================================

Pôle emploi's own role in a territory is the one of the file when the file gives it
for the cell, otherwise the role of the reference matrix (:func:`pole_emploi_roles`
says which).

Gap analysis
------------
Pure functions on that table (and on the partner directory of
:func:`diagnostics.partners.read_partners` and the commune table of
:func:`geo.territories.commune_table`), each returning a table with French-readable
columns and a ``constat`` column; :func:`positioning_gaps` bundles them:

- :func:`cells_without_pivot`: cells where no actor is pivot;
- :func:`pole_emploi_unsupported_cells`: cells where Pôle emploi is pivot or
  structurant and no operating partner is positioned to help it (L187);
- :func:`pivots_to_support`: cells where Pôle emploi is contributeur, and which local
  pivot it should support, or none (L189);
- :func:`missing_priority_types`: partner types prioritised nationally (column
  ``priorite_nationale`` of :data:`diagnostics.partners.PARTNER_TYPES`, from L1032
  and L673–L687) but absent, not operating or not positioned locally;
- :func:`actors_outside_priorities`: actors positioned locally whose type is outside
  the national priorities (the "acteurs très efficaces localement", L673);
- :func:`stale_positioning_entries`: rows not verified for more than a given number
  of months.

Display
-------
:func:`positioning_grid` lays any of these tables out as the report's grid (domains
in rows, situations under their segments in columns, empty cells left empty);
:func:`plot_positioning_heatmap` draws one actor's roles as a heatmap.
"""

from __future__ import annotations

import difflib
import functools
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from diagnostics._readers.partner_typology import UNKNOWN_TYPE
from diagnostics._readers.positioning import (
    CLIENT_SITUATIONS,
    POLE_EMPLOI,
    POSITIONING_DOMAINS,
    POSITIONING_ROLES,
    SEGMENTS,
    SITUATION_SEGMENTS,
    format_positioning_report,
    normalize_actor,
    parse_territory,
    read_positioning,
    validate_positioning,
)
from diagnostics.partners import PARTNER_TYPES, partner_ressort
from geo import settings
from geo._errors import InputFileError, SchemaError, UnknownTerritoryError, format_problems
from geo.display import axes_or_new
from geo.tables import read_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "POLE_EMPLOI",
    "POSITIONING_DOMAINS",
    "SEGMENTS",
    "CLIENT_SITUATIONS",
    "SITUATION_SEGMENTS",
    "POSITIONING_ROLES",
    "reference_matrix",
    "positioning_grid",
    "plot_positioning_heatmap",
    "read_positioning",
    "validate_positioning",
    "format_positioning_report",
    "pole_emploi_roles",
    "cells_without_pivot",
    "pole_emploi_unsupported_cells",
    "pivots_to_support",
    "missing_priority_types",
    "actors_outside_priorities",
    "stale_positioning_entries",
    "positioning_gaps",
]

_REFERENCE_FILE = "matrice_positionnement_2010.csv"
_REFERENCE_ORIGIN = "matrice de référence 2010"
_LOCAL_ORIGIN = "positionnement local"
_PE_NAME = "Pôle emploi (France Travail)"
_CELL_KEY = ["domaine", "situation"]


# ---------------------------------------------------------------- the reference matrix


def _cells() -> pd.DataFrame:
    """The 35 cells of the grid, in the order of the report, with their labels."""
    rows = [
        {
            "domaine": d,
            "domaine_libelle": d_label,
            "situation": s,
            "situation_libelle": s_label,
            "segment": SITUATION_SEGMENTS[s],
            "segment_libelle": SEGMENTS[SITUATION_SEGMENTS[s]],
        }
        for d, d_label in POSITIONING_DOMAINS.items()
        for s, s_label in CLIENT_SITUATIONS.items()
    ]
    return pd.DataFrame(rows).astype("string")


@functools.lru_cache(maxsize=4)
def _read_reference_cached(path: Path, mtime: float) -> pd.DataFrame:
    return read_table(path)


def _read_reference(path: Path) -> pd.DataFrame:
    """The shipped file, read once per modification (every gap function needs it)."""
    return _read_reference_cached(path, path.stat().st_mtime).copy()


def reference_matrix() -> pd.DataFrame:
    """Pôle emploi's role per domain and client situation, as set by the commission (2010).

    The exact reproduction of the matrix of the territorialisation report (L191–L197),
    shipped as ``data/reference/matrice_positionnement_2010.csv`` (see the
    ``LISEZMOI.md`` of that folder for the source lines).

    Returns
    -------
    pandas.DataFrame
        One row per cell, 35 rows in the order of the report (domain by domain, then
        situation by situation): ``domaine, domaine_libelle, situation,
        situation_libelle, segment, segment_libelle, role, role_libelle,
        ligne_source``. ``role`` is a key of :data:`POSITIONING_ROLES`; the 10 cells
        to which the report assigns no role have a missing ``role`` and
        ``role_libelle``. ``ligne_source`` is the line of the report (193–197).

    Raises
    ------
    SchemaError
        The shipped file was altered (missing cell, unknown code, label that no
        longer matches the report).

    Examples
    --------
    >>> m = reference_matrix()
    >>> len(m), int(m["role"].isna().sum())
    (35, 10)
    >>> m.loc[(m["domaine"] == "orientation") & (m["situation"] == "eloigne_emploi"), "role_libelle"].item()
    'Pivot'
    """
    path = settings.bundled_data_dir() / "reference" / _REFERENCE_FILE
    if not path.is_file():
        raise InputFileError(
            f"Matrice de référence introuvable ({path}). Réinstallez l'atelier : ce fichier "
            "fait partie des données livrées avec lui."
        )
    raw = _read_reference(path)
    expected = _cells()
    problems = []
    columns = [*expected.columns, "role", "role_libelle", "ligne_source"]
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        problems.append(f"colonnes absentes : {', '.join(missing)}")
    else:
        key = ["domaine", "situation", "domaine_libelle", "situation_libelle"]
        key += ["segment", "segment_libelle"]
        if len(raw) != len(expected) or not raw[key].equals(expected[key]):
            problems.append(
                "les cases (codes et libellés des domaines, situations et segments) ne "
                "correspondent pas aux 5 domaines × 7 situations du rapport, dans son ordre"
            )
        roles = raw["role"].dropna()
        bad = sorted(set(roles) - set(POSITIONING_ROLES))
        if bad:
            problems.append(f"rôles inconnus : {', '.join(bad)}")
        labels = raw["role"].map(POSITIONING_ROLES)
        if not labels.fillna("").astype(str).equals(raw["role_libelle"].fillna("").astype(str)):
            problems.append("les libellés de rôle ne correspondent pas aux codes")
    if problems:
        raise SchemaError(
            format_problems(
                f"{path.name} : matrice de référence altérée. Restaurez le fichier livré "
                "avec l'atelier (git checkout data/reference/).",
                problems,
            ),
            problems=problems,
        )
    out = raw[columns].copy()
    out["ligne_source"] = out["ligne_source"].astype("int64")
    return out


# ---------------------------------------------------------------- actors and cells


def _check_positioning(positioning: pd.DataFrame) -> None:
    missing = [c for c in ("territoire", *_CELL_KEY, "acteur", "role") if c not in positioning]
    if missing:
        raise SchemaError(
            f"Table de positionnement sans colonne(s) {', '.join(missing)} : lisez le fichier "
            "avec read_positioning (ou validate_positioning pour une table en mémoire)."
        )


def _actors(partners: pd.DataFrame | None) -> pd.DataFrame:
    """One row per actor id: ``nom, type, type_libelle, operant, majeur, date_annuaire``."""
    columns = {
        "nom": "string",
        "type": "string",
        "type_libelle": "string",
        "operant": "boolean",
        "date_annuaire": "datetime64[ns]",
    }
    if partners is None:
        table = pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
        table.index = pd.Index([], dtype="string", name="acteur")
    else:
        table = pd.DataFrame(index=pd.Index(partners["partenaire_id"].astype("string")))
        table.index.name = "acteur"
        for column, dtype in columns.items():
            source = "date_verification" if column == "date_annuaire" else column
            if source in partners.columns:
                table[column] = partners[source].to_numpy()
            else:
                table[column] = pd.NA
            table[column] = table[column].astype(dtype)
        table = table[~table.index.duplicated()]
    pe = pd.DataFrame(
        {
            "nom": [_PE_NAME],
            "type": [POLE_EMPLOI],
            "type_libelle": ["Pôle emploi / France Travail"],
            "operant": [True],
            "date_annuaire": [pd.NaT],
        },
        index=pd.Index([POLE_EMPLOI], dtype="string", name="acteur"),
    ).astype(columns)
    return pd.concat([table[~table.index.isin([POLE_EMPLOI])], pe])


def _with_actors(positioning: pd.DataFrame, partners: pd.DataFrame | None) -> pd.DataFrame:
    actors = _actors(partners)
    out = positioning.join(actors, on="acteur")
    out["nom"] = out["nom"].fillna(out["acteur"])
    return out


def _sort(table: pd.DataFrame, extra: list[str] | None = None) -> pd.DataFrame:
    """Sort by territory, then in the order of the grid."""
    domains = {d: i for i, d in enumerate(POSITIONING_DOMAINS)}
    situations = {s: i for i, s in enumerate(CLIENT_SITUATIONS)}
    order = table.assign(
        _d=table["domaine"].map(domains) if "domaine" in table else 0,
        _s=table["situation"].map(situations) if "situation" in table else 0,
    )
    keys = ["territoire", "_d", "_s", *(extra or [])]
    return order.sort_values(keys, kind="stable").drop(columns=["_d", "_s"]).reset_index(drop=True)


def _territories(positioning: pd.DataFrame) -> list[str]:
    return sorted(positioning["territoire"].dropna().astype(str).unique())


def _describe(names: pd.Series, roles: pd.Series) -> str:
    return " ; ".join(f"{n} ({r})" for n, r in zip(names, roles, strict=True))


def pole_emploi_roles(
    positioning: pd.DataFrame, *, reference: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Pôle emploi's role in every cell of every territory of the table.

    The role of the local file when it gives one for the cell, otherwise the role of
    the reference matrix.

    Parameters
    ----------
    positioning
        Per-territory roles (:func:`read_positioning`).
    reference
        Reference matrix (:func:`reference_matrix`, the default).

    Returns
    -------
    pandas.DataFrame
        35 rows per territory: ``territoire, domaine, domaine_libelle, situation,
        situation_libelle, role_pole_emploi, origine_role, role_reference,
        ecart_reference``. ``origine_role`` is ``"positionnement local"``,
        ``"matrice de référence 2010"`` or missing (no role at all);
        ``ecart_reference`` is true where the local role differs from the reference.

    Examples
    --------
    >>> roles = pd.DataFrame({"territoire": ["bassin:9901"], "acteur": ["pole_emploi"],
    ...     "domaine": ["insertion"], "situation": ["retour_emploi"], "role": ["contributeur"]})
    >>> pe = pole_emploi_roles(roles).set_index(["domaine", "situation"])
    >>> pe.loc[("insertion", "retour_emploi"), ["role_pole_emploi", "origine_role"]].tolist()
    ['contributeur', 'positionnement local']
    >>> pe.loc[("orientation", "eloigne_emploi"), ["role_pole_emploi", "origine_role"]].tolist()
    ['pivot', 'matrice de référence 2010']
    """
    _check_positioning(positioning)
    reference = reference_matrix() if reference is None else reference
    cells = _cells().merge(
        reference[[*_CELL_KEY, "role"]].rename(columns={"role": "role_reference"}),
        on=_CELL_KEY,
        how="left",
    )
    local = positioning.loc[
        positioning["acteur"] == POLE_EMPLOI, ["territoire", *_CELL_KEY, "role"]
    ]
    local = local.drop_duplicates(["territoire", *_CELL_KEY]).rename(columns={"role": "role_local"})
    frames = [cells.assign(territoire=t) for t in _territories(positioning)]
    grid = pd.concat(frames, ignore_index=True) if frames else cells.assign(territoire="").iloc[:0]
    grid = grid.merge(local, on=["territoire", *_CELL_KEY], how="left")
    grid["role_pole_emploi"] = grid["role_local"].fillna(grid["role_reference"]).astype("string")
    grid["origine_role"] = pd.Series(pd.NA, index=grid.index, dtype="string")
    grid.loc[grid["role_reference"].notna(), "origine_role"] = _REFERENCE_ORIGIN
    grid.loc[grid["role_local"].notna(), "origine_role"] = _LOCAL_ORIGIN
    grid["ecart_reference"] = (
        grid["role_local"].notna()
        & (grid["role_local"].fillna("") != grid["role_reference"].fillna(""))
    ).astype(bool)
    columns = ["territoire", "domaine", "domaine_libelle", "situation", "situation_libelle"]
    columns += ["role_pole_emploi", "origine_role", "role_reference", "ecart_reference"]
    return _sort(grid[columns])


def _cell_actors(
    positioning: pd.DataFrame, partners: pd.DataFrame | None, reference: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(Pôle emploi's grid, the partners' rows with names) for the gap functions."""
    _check_positioning(positioning)
    pe = pole_emploi_roles(positioning, reference=reference)
    others = _with_actors(positioning.loc[positioning["acteur"] != POLE_EMPLOI], partners)
    return pe, others


def _partner_summary(others: pd.DataFrame) -> pd.DataFrame:
    """Per territory × cell: the partners positioned, described."""
    if others.empty:
        return pd.DataFrame(
            columns=["territoire", *_CELL_KEY, "_pivots", "_partenaires", "_descr", "_operants"]
        )
    rank = {r: i for i, r in enumerate(POSITIONING_ROLES)}
    others = others.assign(_rank=others["role"].map(rank)).sort_values(
        ["_rank", "nom"], kind="stable"
    )
    grouped = others.groupby(["territoire", *_CELL_KEY], sort=False)
    return pd.DataFrame(
        {
            "_pivots": grouped["role"].agg(lambda r: int((r == "pivot").sum())),
            "_partenaires": grouped.size(),
            "_descr": grouped.apply(lambda g: _describe(g["nom"], g["role"]), include_groups=False),
            "_operants": grouped["operant"].agg(lambda o: int(o.fillna(True).sum())),
        }
    ).reset_index()


# ---------------------------------------------------------------- gap analysis

_CELL_COLUMNS = ["territoire", "domaine", "domaine_libelle", "situation", "situation_libelle"]


def cells_without_pivot(
    positioning: pd.DataFrame,
    *,
    partners: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cells of the grid where no actor, Pôle emploi included, is pivot.

    Parameters
    ----------
    positioning
        Per-territory roles (:func:`read_positioning`); every territory of the table
        is examined on the 35 cells of the grid.
    partners
        Partner directory, for the names of the actors.
    reference
        Reference matrix giving Pôle emploi's role where the table does not.

    Returns
    -------
    pandas.DataFrame
        ``territoire, domaine, domaine_libelle, situation, situation_libelle,
        nb_acteurs, acteurs, constat``: ``acteurs`` lists the actors positioned in
        the cell with their role, strongest first (Pôle emploi first);
        ``constat`` is ``"aucun acteur positionné"`` or ``"des acteurs positionnés,
        aucun pivot"``.

    Examples
    --------
    >>> roles = pd.DataFrame({"territoire": ["bassin:9901"], "acteur": ["ML-1"],
    ...     "domaine": ["insertion"], "situation": ["primo_accedant"], "role": ["pivot"]})
    >>> gaps = cells_without_pivot(roles)
    >>> len(gaps)  # 35 cells, 6 with Pôle emploi pivot, 1 with the mission locale pivot
    28
    >>> gaps.iloc[0][["domaine", "situation", "acteurs"]].tolist()
    ['intermediation', 'primo_accedant', 'Pôle emploi (France Travail) (structurant)']
    """
    pe, others = _cell_actors(positioning, partners, reference)
    grid = pe.merge(_partner_summary(others), on=["territoire", *_CELL_KEY], how="left")
    for column in ("_pivots", "_partenaires"):
        grid[column] = grid[column].fillna(0).astype("int64")
    has_pe = grid["role_pole_emploi"].notna()
    grid["nb_acteurs"] = grid["_partenaires"] + has_pe.astype("int64")
    pe_text = (_PE_NAME + " (" + grid["role_pole_emploi"] + ")").fillna("")
    partner_text = grid["_descr"].astype("string").fillna("")
    grid["acteurs"] = pd.array(
        [" ; ".join(p for p in pair if p) for pair in zip(pe_text, partner_text, strict=True)],
        dtype="string",
    )
    pivot = (grid["role_pole_emploi"] == "pivot").fillna(False).astype(bool) | (grid["_pivots"] > 0)
    out = grid.loc[~pivot].copy()
    out["constat"] = pd.Series(
        "des acteurs positionnés, aucun pivot", index=out.index, dtype="string"
    ).mask(out["nb_acteurs"] == 0, "aucun acteur positionné")
    return _sort(out[[*_CELL_COLUMNS, "nb_acteurs", "acteurs", "constat"]])


def pole_emploi_unsupported_cells(
    positioning: pd.DataFrame,
    *,
    partners: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cells where Pôle emploi is pivot or structurant and no operating partner is positioned.

    The report (L187): where Pôle emploi is pivot or structurant, the grid helps
    find "quels partenaires sont susceptibles de l'aider". A cell with no partner,
    or only partners flagged non-operating in the directory (``operant`` false), is
    a cell where it stands alone.

    Parameters
    ----------
    positioning, partners, reference
        As in :func:`cells_without_pivot`; partners of unknown ``operant`` flag (no
        directory, or a missing flag) count as operating.

    Returns
    -------
    pandas.DataFrame
        ``territoire, domaine, domaine_libelle, situation, situation_libelle,
        role_pole_emploi, origine_role, partenaires_non_operants, constat``.

    Examples
    --------
    >>> roles = pd.DataFrame({"territoire": ["bassin:9901"], "acteur": ["ML-1"],
    ...     "domaine": ["orientation"], "situation": ["eloigne_emploi"], "role": ["structurant"]})
    >>> gaps = pole_emploi_unsupported_cells(roles)
    >>> len(gaps)  # 14 cells where Pôle emploi is pivot or structurant, one supported
    13
    """
    pe, others = _cell_actors(positioning, partners, reference)
    non_operating = others.loc[others["operant"].eq(False).fillna(False).astype(bool)]
    grid = pe.merge(_partner_summary(others), on=["territoire", *_CELL_KEY], how="left")
    grid["_operants"] = grid["_operants"].fillna(0).astype("int64")
    strong = grid["role_pole_emploi"].isin(["pivot", "structurant"]).fillna(False).astype(bool)
    out = grid.loc[strong & (grid["_operants"] == 0)].copy()
    names = non_operating.groupby(["territoire", *_CELL_KEY])["nom"].agg(
        lambda n: " ; ".join(sorted(n))
    )
    keys = pd.MultiIndex.from_frame(out[["territoire", *_CELL_KEY]])
    out["partenaires_non_operants"] = pd.array(names.reindex(keys).to_numpy(), dtype="string")
    out["constat"] = pd.Series("aucun partenaire positionné", index=out.index, dtype="string").mask(
        out["partenaires_non_operants"].notna(), "seulement des partenaires non opérants"
    )
    columns = [*_CELL_COLUMNS, "role_pole_emploi", "origine_role", "partenaires_non_operants"]
    return _sort(out[[*columns, "constat"]])


def pivots_to_support(
    positioning: pd.DataFrame,
    *,
    partners: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Cells where Pôle emploi is contributeur, and the local pivot(s) it should support.

    The report (L189): where Pôle emploi is a contributor, the grid helps it see
    "comment il peut aider les partenaires pivots à remplir leurs propres missions".

    Parameters
    ----------
    positioning, partners, reference
        As in :func:`cells_without_pivot`.

    Returns
    -------
    pandas.DataFrame
        One row per cell and pivot (one row with a missing pivot when the cell has
        none): ``territoire, domaine, domaine_libelle, situation,
        situation_libelle, origine_role, pivot, pivot_nom, pivot_type_libelle,
        pivot_operant, constat``. ``constat`` is ``"pivot local à soutenir"``,
        ``"pivot local non opérant"`` or ``"aucun pivot local à soutenir"``.

    Examples
    --------
    >>> roles = pd.DataFrame({"territoire": ["bassin:9901"], "acteur": ["ML-1"],
    ...     "domaine": ["orientation"], "situation": ["primo_accedant"], "role": ["pivot"]})
    >>> s = pivots_to_support(roles)
    >>> len(s), int(s["pivot"].notna().sum())  # 11 cells where Pôle emploi contributes
    (11, 1)
    """
    pe, others = _cell_actors(positioning, partners, reference)
    grid = pe.loc[pe["role_pole_emploi"] == "contributeur"]
    pivots = others.loc[others["role"] == "pivot"].rename(
        columns={
            "acteur": "pivot",
            "nom": "pivot_nom",
            "type_libelle": "pivot_type_libelle",
            "operant": "pivot_operant",
        }
    )
    pivots = pivots[
        ["territoire", *_CELL_KEY, "pivot", "pivot_nom", "pivot_type_libelle", "pivot_operant"]
    ]
    out = grid.merge(pivots, on=["territoire", *_CELL_KEY], how="left")
    constat = pd.Series("pivot local à soutenir", index=out.index, dtype="string")
    constat = constat.mask(
        out["pivot_operant"].eq(False).fillna(False).astype(bool), "pivot local non opérant"
    )
    out["constat"] = constat.mask(out["pivot"].isna(), "aucun pivot local à soutenir")
    for column in ("pivot", "pivot_nom", "pivot_type_libelle"):
        out[column] = out[column].astype("string")
    out["pivot_operant"] = out["pivot_operant"].astype("boolean")
    columns = [*_CELL_COLUMNS, "origine_role", "pivot", "pivot_nom", "pivot_type_libelle"]
    return _sort(out[[*columns, "pivot_operant", "constat"]], extra=["pivot_nom"])


def _partner_types(types: pd.DataFrame | None) -> pd.DataFrame:
    if types is None:
        types = PARTNER_TYPES
    missing = [c for c in ("type", "libelle", "priorite_nationale") if c not in types.columns]
    if missing:
        raise SchemaError(
            f"Typologie des partenaires sans colonne(s) {', '.join(missing)} : utilisez "
            "diagnostics.partners.PARTNER_TYPES ou une table de même forme."
        )
    out = types[["type", "libelle", "priorite_nationale"]].copy()
    priority = out["priorite_nationale"]
    if not pd.api.types.is_bool_dtype(priority):
        text = priority.astype("string").str.strip().str.lower()
        priority = text.notna() & ~text.isin(["", "non", "false", "0", "faux"])
    out["priorite_nationale"] = priority.fillna(False).astype(bool)
    out["type"] = out["type"].astype("string")
    out["libelle"] = out["libelle"].astype("string")
    return out.drop_duplicates("type").reset_index(drop=True)


def _territory_communes(territories: list[str], communes: pd.DataFrame) -> pd.DataFrame:
    """Long table ``territoire, commune`` of the territories, through the commune table."""
    frames = []
    for territory in territories:
        level, code = territory.split(":", 1)
        if level not in communes.columns:
            raise SchemaError(
                f"La table des communes n'a pas de colonne {level!r} : impossible de trouver "
                f"les communes du territoire {territory}. Construisez-la avec "
                "geo.territories.commune_table en donnant cette correspondance."
            )
        members = communes.loc[communes[level] == code, "commune"].astype("string")
        frames.append(pd.DataFrame({"territoire": territory, "commune": members.to_numpy()}))
    if not frames:
        return pd.DataFrame({"territoire": [], "commune": []}, dtype="string")
    return pd.concat(frames, ignore_index=True).astype("string")


def missing_priority_types(
    positioning: pd.DataFrame,
    partners: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    ressort: pd.DataFrame | None = None,
    types: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Partner types prioritised nationally that are absent, or not positioned, locally.

    A structure is *present* in a territory when its ressort covers at least one of
    the territory's communes (:func:`diagnostics.partners.partner_ressort`: a
    structure without ressort counts at its site commune).

    Parameters
    ----------
    positioning
        Per-territory roles; its territories are examined.
    partners
        Partner directory (``partenaire_id, type, operant``...).
    communes
        Commune table (:func:`geo.territories.commune_table`) giving the communes of
        each territory.
    ressort
        ``partenaire_id, commune`` (the output of
        :func:`diagnostics.partners.partner_ressort`); computed when omitted.
    types
        Typology ``type, libelle, priorite_nationale``
        (:data:`diagnostics.partners.PARTNER_TYPES`, the default).

    Returns
    -------
    pandas.DataFrame
        One row per territory and nationally prioritised type with a gap:
        ``territoire, type, type_libelle, nb_structures, nb_operantes,
        nb_positionnees, constat``. ``constat`` is ``"absent de l'annuaire"`` (no
        structure of the type covers the territory), ``"présent mais non opérant"``
        (only structures flagged non-operating) or ``"présent mais non positionné"``
        (operating structures, none positioned on the grid of the territory).
    """
    _check_positioning(positioning)
    typology = _partner_types(types)
    priority = typology.loc[typology["priorite_nationale"]]
    if ressort is None:
        ressort = partner_ressort(partners, communes)
    territories = _territories(positioning)
    members = _territory_communes(territories, communes)
    present = members.merge(
        ressort[["partenaire_id", "commune"]].astype("string"), on="commune"
    ).drop_duplicates(["territoire", "partenaire_id"])
    actors = _actors(partners)
    present = present.join(actors[["type", "operant"]], on="partenaire_id")
    positioned = positioning[["territoire", "acteur"]].drop_duplicates()
    positioned = positioned.join(actors["type"], on="acteur")

    rows = []
    for territory in territories:
        here = present.loc[present["territoire"] == territory]
        placed = positioned.loc[positioned["territoire"] == territory]
        for type_, label in zip(priority["type"], priority["libelle"], strict=True):
            of_type = here.loc[here["type"] == type_]
            structures = len(of_type)
            operating = int(of_type["operant"].fillna(True).astype(bool).sum())
            placed_n = int((placed["type"] == type_).sum())
            if structures == 0:
                constat = "absent de l'annuaire"
            elif operating == 0:
                constat = "présent mais non opérant"
            elif placed_n == 0:
                constat = "présent mais non positionné"
            else:
                continue
            rows.append((territory, type_, label, structures, operating, placed_n, constat))
    columns = ["territoire", "type", "type_libelle", "nb_structures", "nb_operantes"]
    columns += ["nb_positionnees", "constat"]
    out = pd.DataFrame(rows, columns=columns)
    for column in ("territoire", "type", "type_libelle", "constat"):
        out[column] = out[column].astype("string")
    for column in ("nb_structures", "nb_operantes", "nb_positionnees"):
        out[column] = out[column].astype("int64")
    return out


def actors_outside_priorities(
    positioning: pd.DataFrame,
    partners: pd.DataFrame,
    *,
    types: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Actors positioned locally whose type is not among the national priorities.

    These are the "acteurs très efficaces localement … non représentés au niveau
    national" that the report asks agencies to identify (L673): not a fault, but
    partnerships to qualify locally. Actors flagged non-operating are left out.

    Parameters
    ----------
    positioning
        Per-territory roles.
    partners
        Partner directory (``partenaire_id, nom, type, operant``).
    types
        Typology (:data:`diagnostics.partners.PARTNER_TYPES`, the default).

    Returns
    -------
    pandas.DataFrame
        One row per territory and actor: ``territoire, acteur, acteur_nom, type,
        type_libelle, nb_cellules, roles, constat``; ``roles`` counts the cells per
        role (``"pivot : 1, contributeur : 2"``); ``constat`` is ``"type hors
        priorités nationales"`` or ``"type non reconnu par la typologie"`` (type
        ``autre`` or absent from ``types``).
    """
    _check_positioning(positioning)
    typology = _partner_types(types)
    rows = _with_actors(positioning.loc[positioning["acteur"] != POLE_EMPLOI], partners)
    rows = rows.loc[~rows["operant"].eq(False).fillna(False).astype(bool)]
    known = set(typology["type"])
    priority = set(typology.loc[typology["priorite_nationale"], "type"])
    rows = rows.loc[~rows["type"].isin(priority).fillna(False).astype(bool)]
    out = []
    for (territory, actor), group in rows.groupby(["territoire", "acteur"], sort=True):
        counts = group["role"].value_counts()
        roles = ", ".join(f"{r} : {counts[r]}" for r in POSITIONING_ROLES if r in counts)
        type_ = group["type"].iloc[0]
        label = group["type_libelle"].iloc[0]
        if pd.isna(label) and type_ in known:
            label = typology.set_index("type").at[type_, "libelle"]
        constat = (
            "type hors priorités nationales"
            if not pd.isna(type_) and type_ in known and type_ != UNKNOWN_TYPE
            else "type non reconnu par la typologie"
        )
        out.append(
            (territory, actor, group["nom"].iloc[0], type_, label, len(group), roles, constat)
        )
    columns = ["territoire", "acteur", "acteur_nom", "type", "type_libelle", "nb_cellules"]
    columns += ["roles", "constat"]
    table = pd.DataFrame(out, columns=columns)
    for column in columns:
        table[column] = table[column].astype("int64" if column == "nb_cellules" else "string")
    return table


def _months_between(start: pd.Series, end: pd.Timestamp) -> pd.Series:
    """Whole months elapsed from ``start`` to ``end``."""
    months = (end.year - start.dt.year) * 12 + (end.month - start.dt.month)
    months = months - (start.dt.day > end.day).astype("int64")
    return months.astype("Int64")


def stale_positioning_entries(
    positioning: pd.DataFrame,
    partners: pd.DataFrame | None = None,
    *,
    months: int = 24,
    date: str | pd.Timestamp | None = None,
    include_undated: bool = True,
) -> pd.DataFrame:
    """Rows of the positioning not verified for more than ``months`` months.

    The date of a row is its own ``date_verification`` when given, otherwise the
    ``date_verification`` of the partner in the directory. Rows of Pôle emploi
    without a date are not examined.

    Parameters
    ----------
    positioning
        Per-territory roles.
    partners
        Partner directory, for the names and the fallback dates.
    months
        Age, in calendar months, beyond which a row is stale (24 by default, as
        :func:`diagnostics.partners.stale_partners`): with ``months=12``, a row
        verified on 15 March 2024 is stale from 16 March 2025.
    date
        Date of the diagnostic (today's date by default, read at call time; give it
        for reproducible results).
    include_undated
        Also report partner rows with no date at all (true by default).

    Returns
    -------
    pandas.DataFrame
        ``territoire, acteur, acteur_nom, domaine, domaine_libelle, situation,
        situation_libelle, role, date_verification, origine_date, anciennete_mois,
        constat``; ``origine_date`` is ``"positionnement"`` or ``"annuaire"``;
        ``constat`` is ``"vérification de plus de N mois"`` or ``"jamais
        vérifiée"``.

    Examples
    --------
    >>> roles = pd.DataFrame({"territoire": ["bassin:9901"] * 2, "acteur": ["ML-1", "CD-1"],
    ...     "domaine": ["insertion"] * 2, "situation": ["primo_accedant"] * 2,
    ...     "role": ["pivot", "contributeur"],
    ...     "date_verification": pd.to_datetime(["2024-03-15", "2025-01-10"])})
    >>> stale = stale_positioning_entries(roles, months=12, date="2025-03-16")
    >>> stale[["acteur", "anciennete_mois", "constat"]].values.tolist()
    [['ML-1', 12, 'vérification de plus de 12 mois']]
    """
    _check_positioning(positioning)
    if months < 0:
        raise ValueError(f"months doit être positif ou nul (reçu : {months}).")
    day = (pd.Timestamp.today() if date is None else pd.Timestamp(date)).normalize()
    rows = _with_actors(positioning, partners)
    own = (
        rows["date_verification"].astype("datetime64[ns]")
        if "date_verification" in rows
        else pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    )
    verified = own.fillna(rows["date_annuaire"].astype("datetime64[ns]"))
    origin = pd.Series(pd.NA, index=rows.index, dtype="string")
    origin = origin.mask(rows["date_annuaire"].notna(), "annuaire").mask(
        own.notna(), "positionnement"
    )
    cutoff = day - pd.DateOffset(months=months)
    stale = (verified < cutoff).fillna(False).astype(bool)
    undated = verified.isna() & (rows["acteur"] != POLE_EMPLOI)
    keep = stale | (undated & include_undated)
    labels = _cells().set_index(_CELL_KEY)
    out = rows.loc[keep].assign(date_verification=verified[keep], origine_date=origin[keep])
    keys = pd.MultiIndex.from_frame(out[_CELL_KEY])
    out["domaine_libelle"] = labels["domaine_libelle"].reindex(keys).to_numpy()
    out["situation_libelle"] = labels["situation_libelle"].reindex(keys).to_numpy()
    out["anciennete_mois"] = _months_between(out["date_verification"], day)
    out["constat"] = pd.Series(
        f"vérification de plus de {months} mois", index=out.index, dtype="string"
    ).mask(out["date_verification"].isna(), "jamais vérifiée")
    out = out.rename(columns={"nom": "acteur_nom"})
    columns = ["territoire", "acteur", "acteur_nom", "domaine", "domaine_libelle", "situation"]
    columns += ["situation_libelle", "role", "date_verification", "origine_date"]
    columns += ["anciennete_mois", "constat"]
    out = out[columns]
    for column in ("acteur_nom", "domaine_libelle", "situation_libelle"):
        out[column] = out[column].astype("string")
    return _sort(out, extra=["acteur"])


def positioning_gaps(
    positioning: pd.DataFrame,
    partners: pd.DataFrame,
    communes: pd.DataFrame,
    *,
    ressort: pd.DataFrame | None = None,
    types: pd.DataFrame | None = None,
    reference: pd.DataFrame | None = None,
    months: int = 24,
    date: str | pd.Timestamp | None = None,
) -> dict[str, pd.DataFrame]:
    """Every gap of the positioning, in one call.

    Parameters
    ----------
    positioning, partners, communes
        Per-territory roles, partner directory, commune table.
    ressort, types, reference
        See :func:`missing_priority_types` and :func:`cells_without_pivot`.
    months, date
        See :func:`stale_positioning_entries`.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``"synthese"`` (one row per territory, the number of rows of each table
        below), ``"cellules_sans_pivot"`` (:func:`cells_without_pivot`),
        ``"pole_emploi_sans_appui"`` (:func:`pole_emploi_unsupported_cells`),
        ``"pivots_a_soutenir"`` (:func:`pivots_to_support`),
        ``"types_prioritaires_absents"`` (:func:`missing_priority_types`),
        ``"acteurs_hors_priorites"`` (:func:`actors_outside_priorities`),
        ``"entrees_perimees"`` (:func:`stale_positioning_entries`). In the summary,
        ``contributions_sans_pivot`` counts the cells of :func:`pivots_to_support`
        without a local pivot.

    Examples
    --------
    >>> from diagnostics.partners import read_partners
    >>> from geo import referentials, settings, territories
    >>> demo = settings.demo_dir()
    >>> communes = territories.commune_table(
    ...     referentials.read_communes_population(demo / "communes_population.json"),
    ...     bassin=referentials.read_commune_bassin(demo / "commune_bassin_bmo.csv"),
    ...     zone_emploi=referentials.read_commune_zone_emploi(demo / "commune_zone_emploi.csv"),
    ...     clpe=referentials.read_commune_clpe(demo / "commune_clpe.csv"))
    >>> partners = read_partners(demo / "partenaires.csv")
    >>> roles = read_positioning(demo / "positionnement.csv", partners=partners)
    >>> gaps = positioning_gaps(roles, partners, communes, date="2026-06-30")
    >>> gaps["synthese"].iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'territoire': 'bassin:9901', 'cellules_sans_pivot': 18, 'pole_emploi_sans_appui': 3,
     'contributions_sans_pivot': 1, 'types_prioritaires_absents': 9,
     'acteurs_hors_priorites': 16, 'entrees_perimees': 6}
    """
    gaps = {
        "cellules_sans_pivot": cells_without_pivot(
            positioning, partners=partners, reference=reference
        ),
        "pole_emploi_sans_appui": pole_emploi_unsupported_cells(
            positioning, partners=partners, reference=reference
        ),
        "pivots_a_soutenir": pivots_to_support(positioning, partners=partners, reference=reference),
        "types_prioritaires_absents": missing_priority_types(
            positioning, partners, communes, ressort=ressort, types=types
        ),
        "acteurs_hors_priorites": actors_outside_priorities(positioning, partners, types=types),
        "entrees_perimees": stale_positioning_entries(
            positioning, partners, months=months, date=date
        ),
    }
    summary = pd.DataFrame({"territoire": pd.array(_territories(positioning), dtype="string")})
    for name, table in gaps.items():
        if name == "pivots_a_soutenir":
            table = table.loc[table["pivot"].isna()]
            name = "contributions_sans_pivot"
        counts = table.groupby("territoire").size()
        summary[name] = summary["territoire"].map(counts).fillna(0).astype("int64")
    return {"synthese": summary, **gaps}


# ---------------------------------------------------------------- wide grid and heatmap


def _select(
    table: pd.DataFrame | None, territoire: str | None, acteur: str | None
) -> tuple[pd.DataFrame, str | None, str | None]:
    """Rows ``domaine, situation, role`` (+ ``acteur``) of one territory / actor."""
    if table is None:
        return reference_matrix().dropna(subset=["role"]), None, POLE_EMPLOI
    data = table
    if "role" not in data.columns and "role_pole_emploi" in data.columns:
        data = data.rename(columns={"role_pole_emploi": "role"})
        if "acteur" not in data.columns:
            data = data.assign(acteur=POLE_EMPLOI)
    missing = [c for c in (*_CELL_KEY, "role") if c not in data.columns]
    if missing:
        raise SchemaError(
            f"Table sans colonne(s) {', '.join(missing)} : donnez la matrice de référence, "
            "une table de positionnement ou la sortie de pole_emploi_roles."
        )
    if territoire is not None:
        if "territoire" not in data.columns:
            raise SchemaError(
                "La table n'a pas de colonne 'territoire' : ne donnez pas territory=."
            )
        parsed = parse_territory(territoire)
        wanted = f"{parsed[0]}:{parsed[1]}" if isinstance(parsed, tuple) else str(territoire)
        if not (data["territoire"] == wanted).any():
            known = sorted(data["territoire"].dropna().unique())
            close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.5)
            raise UnknownTerritoryError(
                f"Territoire {wanted} absent de la table de positionnement (territoires "
                f"présents : {', '.join(known[:10]) or 'aucun'}).",
                suggestions=close,
            )
        data = data.loc[data["territoire"] == wanted]
        territoire = wanted
    elif "territoire" in data.columns:
        found = sorted(data["territoire"].dropna().unique())
        if len(found) > 1:
            raise SchemaError(
                f"La table couvre {len(found)} territoires ({', '.join(found[:5])}...) : "
                "choisissez-en un avec territory=."
            )
        territoire = found[0] if found else None
    if acteur is not None:
        acteur = normalize_actor(acteur)
        data = data.loc[data["acteur"] == acteur]
    return data.dropna(subset=["role"]), territoire, acteur


def positioning_grid(
    table: pd.DataFrame | None = None,
    *,
    territory: str | None = None,
    actor: str | None = None,
    partners: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The positioning as a wide table: domains in rows, client situations in columns.

    Parameters
    ----------
    table
        The reference matrix (default), a positioning table
        (:func:`read_positioning`) or the output of :func:`pole_emploi_roles`.
    territory
        Territory to show (``"bassin:9903"``); required when the table holds several.
    actor
        Show one actor only (``"pole_emploi"`` or a ``partenaire_id``).
    partners
        Partner directory, for the names of the actors.

    Returns
    -------
    pandas.DataFrame
        Index: the 5 domain labels; columns: (segment, situation) labels. A cell
        holds the role label when one actor is shown, otherwise the actors by role
        (``"Pivot : Mission locale X ; Contributeur : CCAS Y"``); a cell without
        any role is an empty string.

    Examples
    --------
    >>> grid = positioning_grid()
    >>> grid.shape
    (5, 7)
    >>> grid.loc["Insertion", ("Demandeurs d'emploi", "Retour à l'emploi")]
    ''
    >>> grid.loc["Intermédiation", ("Employeurs", "Besoin de recrutement")]
    'Pivot'
    """
    data, _, actor = _select(table, territory, actor)
    single = actor is not None or "acteur" not in data.columns or data["acteur"].nunique() <= 1
    if single:
        content = data.groupby(_CELL_KEY)["role"].first().map(POSITIONING_ROLES)
    else:
        named = _with_actors(data, partners)
        rank = {r: i for i, r in enumerate(POSITIONING_ROLES)}
        named = named.assign(_rank=named["role"].map(rank)).sort_values(
            ["_rank", "nom"], kind="stable"
        )

        def cell(group: pd.DataFrame) -> str:
            parts = []
            for _role, members in group.groupby("_rank", sort=True):
                label = POSITIONING_ROLES[members["role"].iloc[0]]
                parts.append(f"{label} : {', '.join(members['nom'])}")
            return " ; ".join(parts)

        content = named.groupby(_CELL_KEY).apply(cell, include_groups=False)
    cells = _cells()
    keys = pd.MultiIndex.from_frame(cells[_CELL_KEY])
    cells["contenu"] = pd.array(content.reindex(keys).to_numpy(), dtype="string")
    cells["contenu"] = cells["contenu"].fillna("")
    wide = cells.pivot(
        index="domaine_libelle", columns=["segment_libelle", "situation_libelle"], values="contenu"
    )
    wide = wide.reindex(index=list(POSITIONING_DOMAINS.values()))
    wide = wide.reindex(
        columns=pd.MultiIndex.from_tuples(
            [(SEGMENTS[SITUATION_SEGMENTS[s]], label) for s, label in CLIENT_SITUATIONS.items()]
        )
    )
    wide.index.name = "Domaine"
    wide.columns.names = ["Segment", "Situation du client"]
    return wide


_ROLE_COLORS = {"pivot": "#08306b", "structurant": "#4a8cc4", "contributeur": "#c6dbef"}
_TEXT_COLORS = {"pivot": "white", "structurant": "white", "contributeur": "#08306b"}


def plot_positioning_heatmap(
    matrix: pd.DataFrame | None = None,
    *,
    territory: str | None = None,
    actor: str | None = None,
    partners: pd.DataFrame | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Draw the positioning of one actor on the grid, the cells coloured by role.

    Parameters
    ----------
    matrix
        The reference matrix (default), the output of :func:`pole_emploi_roles`, or
        a positioning table (then give ``actor``, and ``territory`` when it holds
        several territories).
    territory, actor
        Selection in a positioning table.
    partners
        Partner directory, for the actor's name in the title.
    ax
        Matplotlib axes to draw on; otherwise a new figure outside pyplot (a
        notebook shows it with ``.figure``; loops leave no open figure behind).
    title
        Title; by default it names the actor and the territory.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on. Cells without a role are left white and unlabelled, as in the
        report; the segments are written above the situations.

    Raises
    ------
    SchemaError
        The selection holds several actors: choose one with ``actor=``.

    Examples
    --------
    >>> ax = plot_positioning_heatmap()
    >>> ax.get_title()
    'Positionnement de Pôle emploi (France Travail) – matrice de référence 2010'
    """
    from matplotlib.patches import Patch, Rectangle

    data, territory, actor = _select(matrix, territory, actor)
    several = "acteur" in data.columns and data["acteur"].nunique() > 1
    if several or data.duplicated(_CELL_KEY).any():
        raise SchemaError(
            "Plusieurs acteurs dans la table : la carte montre le rôle d'un seul acteur. "
            f"Choisissez-le avec actor= (par exemple actor='{POLE_EMPLOI}') ou utilisez "
            "positioning_grid pour voir tous les acteurs."
        )
    roles = data.set_index(_CELL_KEY)["role"]
    ax = axes_or_new(ax, (12, 5.2), layout="constrained")
    domains = list(POSITIONING_DOMAINS)
    situations = list(CLIENT_SITUATIONS)
    for i, domain in enumerate(domains):
        for j, situation in enumerate(situations):
            role = roles.get((domain, situation))
            filled = role is not None and not pd.isna(role)
            ax.add_patch(
                Rectangle(
                    (j, i),
                    1,
                    1,
                    facecolor=_ROLE_COLORS[role] if filled else "white",
                    edgecolor="#9e9e9e",
                    linewidth=0.8,
                    gid=f"{domain}|{situation}",
                )
            )
            if filled:
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    POSITIONING_ROLES[role],
                    ha="center",
                    va="center",
                    fontsize=9,
                    color=_TEXT_COLORS[role],
                    gid=f"{domain}|{situation}",
                )
    ax.set_xlim(0, len(situations))
    ax.set_ylim(len(domains), 0)
    ax.set_xticks([j + 0.5 for j in range(len(situations))])
    ax.set_xticklabels([textwrap.fill(CLIENT_SITUATIONS[s], 18) for s in situations], fontsize=8.5)
    ax.set_yticks([i + 0.5 for i in range(len(domains))])
    ax.set_yticklabels([POSITIONING_DOMAINS[d] for d in domains], fontsize=9.5)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    start = 0
    for segment, label in SEGMENTS.items():
        width = sum(1 for s in situations if SITUATION_SEGMENTS[s] == segment)
        ax.text(
            start + width / 2,
            -0.12,
            label,
            ha="center",
            va="bottom",
            fontsize=10,
            fontweight="bold",
            gid=f"segment:{segment}",
        )
        if start:
            ax.axvline(start, color="#424242", linewidth=2)
        start += width
    handles = [
        Patch(facecolor=_ROLE_COLORS[r], label=label) for r, label in POSITIONING_ROLES.items()
    ]
    handles.append(Patch(facecolor="white", edgecolor="#9e9e9e", label="Aucun rôle"))
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=9
    )
    if title is None:
        name = _PE_NAME if actor in (None, POLE_EMPLOI) else actor
        if actor not in (None, POLE_EMPLOI) and partners is not None:
            name = _actors(partners)["nom"].get(actor, actor)
        where = territory if territory else "matrice de référence 2010"
        title = f"Positionnement de {name} – {where}"
    ax.set_title(title, fontsize=11, pad=22)
    return ax
