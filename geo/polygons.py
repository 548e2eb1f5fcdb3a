"""Territory polygons built by dissolving commune polygons through a correspondence.

The matching of communes to territories is reported in both directions, never
silently dropped: communes of the polygons without a territory (and why),
territories of the correspondence without any polygon, communes matched through
the code passage table (another COG vintage), correspondence communes without a
polygon (and whether another vintage explains it).

Geometry sanity
---------------
Commune polygons are checked where they are read
(:func:`geo.referentials.read_commune_polygons`), and again by
:func:`dissolve_communes` for polygons that did not come through that reader:

- *where*: each commune must lie in the box of its département
  (:data:`LOCATION_BOXES`: metropolitan France with Corsica, each overseas
  département, the fictional demonstration territory); a commune that fits its
  box once latitude and longitude are exchanged has swapped axes
  (:func:`misplaced_communes`);
- *overlaps*: two communes whose interiors share more than
  :data:`OVERLAP_TOLERANCE_M2` (measured in Lambert-93, or the local projection
  overseas) overlap (:func:`overlapping_communes`). The rule that removes them
  (:func:`remove_overlaps`): the shared part stays with the commune of which it
  is the larger share (an enclave drawn over its neighbour keeps its area; the
  code first in order wins a tie, such as one polygon copied under two codes)
  and is cut from the other, so territories never overlap. Slivers under the
  tolerance (digitising noise) are left as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._errors import SchemaError
from geo.codes import FICTIONAL_DEPARTEMENTS, departement_of_commune
from geo.crs import metric_crs_for, to_storage
from geo.problems import Problem, ProblemReport, problems_of

__all__ = [
    "CHECKED",
    "LOCATION_BOXES",
    "OVERLAP_TOLERANCE_M2",
    "MatchingReport",
    "assign_territories",
    "dissolve_communes",
    "misplaced_communes",
    "overlapping_communes",
    "remove_overlaps",
    "swap_axes",
    "territory_polygon",
]

#: Where the communes of each département must lie, as WGS84 boxes
#: ``(west, south, east, north)`` with a margin of a few kilometres; key ``""`` is
#: metropolitan France with Corsica. Overseas: 971 Guadeloupe (with the former
#: codes of Saint-Martin and Saint-Barthélemy), 972 Martinique, 973 Guyane,
#: 974 La Réunion, 975 Saint-Pierre-et-Miquelon, 976 Mayotte, 977
#: Saint-Barthélemy, 978 Saint-Martin; 9A/9B/9C the fictional demonstration
#: territory, in the Atlantic Ocean west of the Vendée coast.
LOCATION_BOXES: dict[str, tuple[float, float, float, float]] = {
    "": (-5.5, 41.0, 10.0, 51.5),
    "971": (-63.3, 15.7, -60.8, 18.2),
    "972": (-61.4, 14.2, -60.7, 15.0),
    "973": (-54.8, 2.0, -51.4, 6.0),
    "974": (55.1, -21.5, 56.0, -20.8),
    "975": (-56.6, 46.6, -55.9, 47.3),
    "976": (44.9, -13.1, 45.4, -12.5),
    "977": (-63.0, 17.8, -62.7, 18.0),
    "978": (-63.2, 18.0, -62.9, 18.2),
    **dict.fromkeys(FICTIONAL_DEPARTEMENTS, (-11.0, 45.0, -7.0, 47.5)),
}
_ZONE_LABELS = {
    "": "en France métropolitaine",
    "971": "en Guadeloupe",
    "972": "en Martinique",
    "973": "en Guyane",
    "974": "à La Réunion",
    "975": "à Saint-Pierre-et-Miquelon",
    "976": "à Mayotte",
    "977": "à Saint-Barthélemy",
    "978": "à Saint-Martin",
    **dict.fromkeys(FICTIONAL_DEPARTEMENTS, "dans le territoire de démonstration (océan)"),
}

#: ``attrs`` key set by :func:`geo.referentials.read_commune_polygons` on polygons
#: whose location and overlaps were checked.
CHECKED = "controle_geometrie"

#: Overlaps between two communes smaller than this (m², in the metric CRS) are
#: digitising slivers: neither reported nor cut. 1,000 m² is a square of about
#: 30 m on a side, well under what a simplified commune outline can mean.
OVERLAP_TOLERANCE_M2 = 1_000.0


def _box_key(departement: object) -> str | None:
    """Key of :data:`LOCATION_BOXES` for a département code (``None``: no box known)."""
    if not isinstance(departement, str):
        return None
    if departement in LOCATION_BOXES:
        return departement
    if departement in ("2A", "2B") or (departement.isdigit() and len(departement) == 2):
        return "" if "01" <= departement <= "95" or departement in ("2A", "2B") else None
    return None


def swap_axes(geometries: gpd.GeoSeries) -> gpd.GeoSeries:
    """Exchange the two coordinates of every vertex (latitude/longitude written the wrong way).

    Examples
    --------
    >>> from shapely import box
    >>> swap_axes(gpd.GeoSeries([box(47, -2, 48, -1)])).iloc[0].bounds
    (-2.0, 47.0, -1.0, 48.0)
    """
    swapped = shapely.transform(np.asarray(geometries.values), lambda xy: xy[:, ::-1])
    return gpd.GeoSeries(swapped, index=geometries.index, crs=geometries.crs)


def _inside(bounds: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    return (
        (bounds[:, 0] >= boxes[:, 0])
        & (bounds[:, 1] >= boxes[:, 1])
        & (bounds[:, 2] <= boxes[:, 2])
        & (bounds[:, 3] <= boxes[:, 3])
    )


def misplaced_communes(communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Communes lying outside the box where their code says they are.

    Parameters
    ----------
    communes
        ``commune`` and ``geometry`` in any declared CRS; empty geometries and
        codes of départements without a box (:data:`LOCATION_BOXES`) are skipped.

    Returns
    -------
    pandas.DataFrame
        One row per misplaced commune, indexed like ``communes``: ``commune,
        zone`` (where it should be, in French), ``lon, lat`` (a point of the
        polygon, WGS84) and ``axes_inversees`` (True when the polygon fits its
        box once latitude and longitude are exchanged).

    Examples
    --------
    >>> from shapely import box
    >>> gdf = gpd.GeoDataFrame({"commune": ["44109", "44020"]},
    ...     geometry=[box(-1.6, 47.2, -1.5, 47.3), box(47.5, -1.4, 47.6, -1.3)], crs="EPSG:4326")
    >>> misplaced_communes(gdf)[["commune", "axes_inversees"]].to_dict("records")
    [{'commune': '44020', 'axes_inversees': True}]
    """
    geoms = to_storage(communes, what="Polygones des communes").geometry
    keys = departement_of_commune(communes["commune"].astype("string")).map(
        _box_key, na_action="ignore"
    )
    known = keys.notna().to_numpy() & ~(geoms.isna() | geoms.is_empty).to_numpy()
    columns = ["commune", "zone", "lon", "lat", "axes_inversees"]
    if not known.any():
        return pd.DataFrame(columns=columns)
    boxes = np.array([LOCATION_BOXES[k] for k in keys[known]])
    bounds = shapely.bounds(np.asarray(geoms.values[known]))
    outside = ~_inside(bounds, boxes)
    swapped = _inside(bounds[:, [1, 0, 3, 2]], boxes) & outside
    index = communes.index[known][outside]
    point = shapely.get_coordinates(
        shapely.point_on_surface(np.asarray(geoms.values[known][outside]))
    )
    return pd.DataFrame(
        {
            "commune": communes.loc[index, "commune"].astype("string"),
            "zone": [_ZONE_LABELS[k] for k in keys[known][outside]],
            "lon": point[:, 0] if len(point) else [],
            "lat": point[:, 1] if len(point) else [],
            "axes_inversees": swapped[outside],
        },
        index=index,
    )


def _metric_groups(communes: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """Positions of the communes by the metric CRS of their département."""
    deps = departement_of_commune(communes["commune"].astype("string"))
    crs = np.array([metric_crs_for(d if isinstance(d, str) else None) for d in deps])
    return {c: np.flatnonzero(crs == c) for c in dict.fromkeys(crs.tolist())}


def overlapping_communes(
    communes: gpd.GeoDataFrame, *, tolerance_m2: float = OVERLAP_TOLERANCE_M2
) -> pd.DataFrame:
    """Pairs of communes whose polygons overlap by more than ``tolerance_m2``.

    Neighbours that only share their border do not overlap. The search is fast
    on all the communes of France: the coverage is validated first
    (:func:`shapely.coverage_invalid_edges`), and only the polygons it flags are
    compared with the polygons near them (spatial index), in the metric CRS
    (Lambert-93, or the local projection overseas).

    Returns
    -------
    pandas.DataFrame
        ``commune_a, commune_b`` (``commune_a`` keeps the shared part: it is
        the larger share of its area, or its code comes first when the shares
        are within 1 % of each other),
        ``position_a, position_b`` (positions in ``communes``) and
        ``surface_m2``, sorted by codes.

    Examples
    --------
    >>> from shapely import box
    >>> gdf = gpd.GeoDataFrame({"commune": ["01001", "01002", "01003"]},
    ...     geometry=[box(0, 0, 1000, 1000), box(500, 0, 1500, 1000), box(1500, 0, 2000, 1000)],
    ...     crs="EPSG:2154")
    >>> overlapping_communes(gdf)[["commune_a", "commune_b", "surface_m2"]].to_dict("records")
    [{'commune_a': '01001', 'commune_b': '01002', 'surface_m2': 500000.0}]
    """
    columns = ["commune_a", "commune_b", "position_a", "position_b", "surface_m2"]
    found = []
    usable = ~(communes.geometry.isna() | communes.geometry.is_empty).to_numpy()
    codes = communes["commune"].astype("string").to_numpy()
    for crs, positions in _metric_groups(communes).items():
        positions = positions[usable[positions]]
        if len(positions) < 2:
            continue
        geoms = np.asarray(communes.geometry.iloc[positions].to_crs(crs).values)
        flagged = np.flatnonzero(~shapely.is_empty(shapely.coverage_invalid_edges(geoms)))
        if not len(flagged):
            continue
        left, right = shapely.STRtree(geoms).query(geoms[flagged])
        left = flagged[left]
        pairs = np.unique(np.sort(np.column_stack([left, right]), axis=1), axis=0)
        pairs = pairs[pairs[:, 0] != pairs[:, 1]]
        interior = shapely.relate_pattern(geoms[pairs[:, 0]], geoms[pairs[:, 1]], "2********")
        pairs = pairs[interior]
        area = shapely.area(shapely.intersection(geoms[pairs[:, 0]], geoms[pairs[:, 1]]))
        own = shapely.area(geoms)
        for (i, j), a in zip(pairs, area, strict=True):
            if a > tolerance_m2:
                pi, pj = positions[i], positions[j]
                share_i, share_j = a / own[i], a / own[j]
                # shares within 1 % of each other are a tie (projection noise)
                if share_j > share_i * 1.01 or (
                    share_j * 1.01 >= share_i and codes[pj] < codes[pi]
                ):
                    pi, pj = pj, pi
                found.append((codes[pi], codes[pj], int(pi), int(pj), float(a)))
    out = pd.DataFrame(found, columns=columns)
    return out.sort_values(["commune_a", "commune_b"], kind="stable").reset_index(drop=True)


def remove_overlaps(
    communes: gpd.GeoDataFrame,
    *,
    tolerance_m2: float = OVERLAP_TOLERANCE_M2,
    report: ProblemReport | None = None,
    where: pd.Series | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Cut every significant overlap between communes (see :func:`overlapping_communes`).

    Parameters
    ----------
    communes
        ``commune`` and ``geometry`` in any declared CRS.
    tolerance_m2
        Overlaps up to this area are left as they are (:data:`OVERLAP_TOLERANCE_M2`).
    report
        If given, one problem per overlapping pair is added to it (category
        ``chevauchement``, action ``corrigée``; ``écartée`` when a polygon is
        wholly covered by another and nothing of it is left).
    where
        Optional text per row of ``communes`` (file and entity) for the messages.

    Returns
    -------
    (geopandas.GeoDataFrame, pandas.DataFrame)
        The communes without overlaps (a commune wholly covered by another is
        dropped) and the pairs found (:func:`overlapping_communes`).
    """
    pairs = overlapping_communes(communes, tolerance_m2=tolerance_m2)
    if pairs.empty:
        return communes, pairs
    out = communes.copy()
    column = out.geometry.name
    lost = set()
    for pos_b, group in pairs.groupby("position_b", sort=True):
        geom_b = communes.geometry.iloc[pos_b]
        keep = shapely.union_all(communes.geometry.iloc[group["position_a"].to_list()].values)
        cut = shapely.difference(geom_b, keep)
        parts = [g for g in shapely.get_parts(cut) if g.geom_type == "Polygon"]
        cut = shapely.union_all(parts) if parts else shapely.Polygon()
        out.iloc[pos_b, out.columns.get_loc(column)] = cut
        if cut.is_empty:
            lost.add(pos_b)
    if report is not None:
        _report_overlaps(report, pairs, lost, where)
    out = out.drop(index=out.index[sorted(lost)])
    return out, pairs


def _report_overlaps(
    report: ProblemReport, pairs: pd.DataFrame, lost: set[int], where: pd.Series | None
) -> None:
    for row in pairs.itertuples():
        a, b = row.commune_a, row.commune_b
        place = f" ({where.iloc[row.position_b]})" if where is not None else ""
        area = f"{row.surface_m2 / 10_000:.1f} ha".replace(".", ",")
        if row.position_b in lost:
            done = (
                f"son polygone est entièrement recouvert par celui de la commune {a} : commune "
                f"{b} écartée. Vérifiez le code et la géométrie de ces deux entités (polygone "
                "copié sous un autre code ?)"
            )
        else:
            done = (
                f"la partie commune reste à la commune {a} et est retirée de {b} (elle reste "
                "à celle dont elle est la plus grande part de la surface), pour que les "
                "territoires ne se chevauchent pas. Corrigez les contours dans le fichier "
                "pour choisir une autre répartition"
            )
        report.add(
            f"les communes {a} et {b}{place} se chevauchent sur {area} : {done}.",
            column="geometry",
            value=b,
            action="écartée" if row.position_b in lost else "corrigée",
            category="chevauchement",
        )


@dataclass
class MatchingReport:
    """What matched and what did not when communes were attached to territories.

    Attributes
    ----------
    niveau
        Territorial level (``bassin``, ``zone_emploi``...).
    territoires
        Number of territories built (with at least one polygon).
    communes
        Number of commune polygons read.
    communes_rattachees
        Commune polygons attached to a territory of the selection.
    communes_sans_territoire
        Codes of commune polygons left without a territory of the selection.
    territoires_sans_commune
        Territories of the selection that no commune polygon reached.
    communes_autre_millesime
        Commune polygons matched through the code passage table:
        ``{"code", "code_correspondance", "territoire"}``.
    correspondance_sans_polygone
        Correspondence communes of the selection that have no polygon.
    details
        One French sentence per unmatched commune or territory, with the reason.
    remarques
        Other remarks (repaired polygons, duplicated rows...).
    problemes
        The rows the readers set aside or corrected (misplaced or overlapping
        communes, empty cells, invalid codes...), one dict per
        :class:`geo.problems.Problem` (``file, line, column, value, action,
        message, category``).
    """

    niveau: str
    territoires: int = 0
    communes: int = 0
    communes_rattachees: int = 0
    communes_sans_territoire: list[str] = field(default_factory=list)
    territoires_sans_commune: list[str] = field(default_factory=list)
    communes_autre_millesime: list[dict] = field(default_factory=list)
    correspondance_sans_polygone: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    remarques: list[str] = field(default_factory=list)
    problemes: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain dict, ready for JSON."""
        return asdict(self)

    def to_json(self) -> str:
        """JSON text (UTF-8, French accents kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_frame(self) -> pd.DataFrame:
        """One row per unmatched item: ``type, code, detail``."""
        rows = [("commune_sans_territoire", c, "") for c in self.communes_sans_territoire]
        rows += [("territoire_sans_commune", c, "") for c in self.territoires_sans_commune]
        rows += [
            (
                "commune_autre_millesime",
                d["code"],
                f"via {d['code_correspondance']} → {d['territoire']}",
            )
            for d in self.communes_autre_millesime
        ]
        rows += [("correspondance_sans_polygone", c, "") for c in self.correspondance_sans_polygone]
        rows += [
            (f"ligne_{p['action']}", p["value"] or "", _problem_text(p)) for p in self.problemes
        ]
        df = pd.DataFrame(rows, columns=["type", "code", "detail"])
        detail_of: dict[str, str] = {}
        for sentence in self.details:
            code = sentence.split(" ", 2)[1] if sentence.count(" ") >= 2 else ""
            detail_of.setdefault(code, sentence)
        df["detail"] = [
            d or detail_of.get(c, "") for c, d in zip(df["code"], df["detail"], strict=True)
        ]
        return df

    def summary(self) -> str:
        """A short French summary for the command line and notebooks."""
        lines = [
            f"{self.territoires} territoire(s) ({self.niveau}) construit(s) à partir de "
            f"{self.communes_rattachees} commune(s) sur {self.communes}.",
        ]
        if self.communes_sans_territoire:
            lines.append(
                f"{len(self.communes_sans_territoire)} commune(s) sans territoire : "
                + ", ".join(self.communes_sans_territoire[:20])
                + (" ..." if len(self.communes_sans_territoire) > 20 else "")
            )
        if self.territoires_sans_commune:
            lines.append(
                f"{len(self.territoires_sans_commune)} territoire(s) sans commune : "
                + ", ".join(self.territoires_sans_commune[:20])
            )
        if self.communes_autre_millesime:
            lines.append(
                f"{len(self.communes_autre_millesime)} commune(s) rattachée(s) via la table de "
                "passage (autre millésime du COG)."
            )
        if self.correspondance_sans_polygone:
            lines.append(
                f"{len(self.correspondance_sans_polygone)} commune(s) de la table de correspondance "
                "sans polygone (souvent un autre millésime du COG : voir le détail)."
            )
        lines += [f"- {d}" for d in self.details[:30]]
        if len(self.details) > 30:
            lines.append(
                f"... et {len(self.details) - 30} autre(s) ligne(s) dans le rapport complet."
            )
        lines += [f"Remarque : {r}" for r in self.remarques[:30]]
        if len(self.remarques) > 30:
            lines.append(
                f"... et {len(self.remarques) - 30} autre(s) remarque(s) dans le rapport complet "
                "(--rapport, --json)."
            )
        return "\n".join(lines)


def _problem_text(problem: dict) -> str:
    return str(Problem(**problem))


def _select(
    correspondence: pd.DataFrame,
    *,
    region: str | None,
    departement: str | None,
    codes: Iterable[str] | None = None,
) -> set[str]:
    """Territories of the correspondence that belong to the région/département (and codes) asked."""
    corr = correspondence
    selected = set(corr["territoire"].dropna())
    if codes is not None:
        selected &= {str(code) for code in codes}
    for column, value in (("region", region), ("departement", departement)):
        if value is None:
            continue
        if column not in corr.columns or corr[column].isna().all():
            raise SchemaError(
                f"La table de correspondance n'a pas de colonne '{column}' : impossible de "
                f"filtrer sur {column} {value}. Retirez ce filtre ou ajoutez la colonne."
            )
        selected &= set(corr.loc[corr[column] == value, "territoire"].dropna())
    return selected


def assign_territories(
    communes: pd.DataFrame,
    correspondence: pd.DataFrame,
    *,
    passage: pd.DataFrame | None = None,
    region: str | None = None,
    departement: str | None = None,
    territory_codes: Iterable[str] | None = None,
) -> tuple[pd.DataFrame, MatchingReport]:
    """Attach each commune to its territory, reporting what does not match.

    Parameters
    ----------
    communes
        Table with a ``commune`` column (commune polygons, say) and optionally
        ``commune_nom``.
    correspondence
        ``commune, territoire, territoire_nom`` (+ ``departement``, ``region``),
        from :func:`geo.referentials.read_correspondence`; ``attrs["niveau"]``
        names the level.
    passage
        Optional code passage table (``ancien_code, code_courant``) to match
        communes of another COG vintage in both directions.
    region, departement
        Keep only the territories of this région / département.
    territory_codes
        Keep only these territories (a commune of another one is reported as
        attached to a territory outside the selection).

    Returns
    -------
    (pandas.DataFrame, MatchingReport)
        ``communes`` with ``territoire, territoire_nom`` added (missing where
        unmatched), and the report.
    """
    level = correspondence.attrs.get("niveau", "territoire")
    report = MatchingReport(niveau=level, communes=len(communes))
    for table in (communes, correspondence):
        report.remarques += problems_of(table).lines()
        report.problemes += [asdict(p) for p in problems_of(table)]
    selected = _select(
        correspondence, region=region, departement=departement, codes=territory_codes
    )
    terr_of = correspondence.set_index("commune")["territoire"]
    name_of = correspondence.drop_duplicates("territoire").set_index("territoire")["territoire_nom"]
    territory = communes["commune"].map(terr_of)
    via = pd.Series(pd.NA, index=communes.index, dtype="string")
    if passage is not None and len(passage):
        # Polygons older than the table: former code → current code in the table.
        forward = passage.drop_duplicates("ancien_code").set_index("ancien_code")["code_courant"]
        current = communes["commune"].map(forward)
        hit = territory.isna() & current.map(terr_of).notna()
        territory = territory.where(~hit, current.map(terr_of))
        via = via.where(~hit, current)
        # Polygons newer than the table: current code ← former codes in the table,
        # accepted when all former codes lie in one territory.
        back = passage.assign(t=passage["ancien_code"].map(terr_of)).dropna(subset=["t"])
        unique = back.groupby("code_courant")["t"].agg(
            lambda s: s.iloc[0] if s.nunique() == 1 else pd.NA
        )
        first_code = back.groupby("code_courant")["ancien_code"].first()
        hit = territory.isna() & communes["commune"].map(unique).notna()
        territory = territory.where(~hit, communes["commune"].map(unique))
        via = via.where(~hit, communes["commune"].map(first_code))
    out = communes.copy()
    in_selection = territory.isin(selected)
    out["territoire"] = territory.where(in_selection).astype("string")
    out["territoire_nom"] = out["territoire"].map(name_of).astype("string")
    names = (
        communes["commune_nom"]
        if "commune_nom" in communes.columns
        else pd.Series("", index=communes.index)
    )

    for i in out.index[via.notna() & in_selection]:
        report.communes_autre_millesime.append(
            {
                "code": out.at[i, "commune"],
                "code_correspondance": via[i],
                "territoire": out.at[i, "territoire"],
            }
        )
    for i in out.index[~in_selection]:
        code, nom = out.at[i, "commune"], names[i]
        report.communes_sans_territoire.append(code)
        if pd.isna(territory[i]):
            report.details.append(
                f"Commune {code} ({nom}) : absente de la table de correspondance"
                + (
                    " et de la table de passage."
                    if passage is not None
                    else " (fournissez la table de passage des codes pour les anciens codes)."
                )
            )
        else:
            report.details.append(
                f"Commune {code} ({nom}) : rattachée à {territory[i]} ({name_of.get(territory[i], '')}), "
                "hors du périmètre demandé."
            )
    report.communes_rattachees = int(in_selection.sum())
    reached = set(out["territoire"].dropna())
    report.territoires = len(reached)
    for t in sorted(selected - reached):
        report.territoires_sans_commune.append(t)
        report.details.append(
            f"Territoire {t} ({name_of.get(t, '')}) : aucune commune des polygones ne s'y rattache."
        )
    set_aside = {p.value for p in problems_of(communes) if p.action == "écartée" and p.value}
    _explain_missing_polygons(
        report, correspondence, selected, set(communes["commune"]), passage, set_aside
    )
    return out, report


def _explain_missing_polygons(
    report: MatchingReport,
    correspondence: pd.DataFrame,
    selected: set[str],
    polygon_codes: set[str],
    passage: pd.DataFrame | None,
    set_aside: set[str] | frozenset[str] = frozenset(),
) -> None:
    corr = correspondence[correspondence["territoire"].isin(selected)]
    missing = sorted(set(corr["commune"]) - polygon_codes)
    report.correspondance_sans_polygone = missing
    aside = [c for c in missing if c in set_aside]
    if aside:
        report.remarques.append(
            f"{len(aside)} commune(s) de la table de correspondance sans polygone parce que "
            f"leur polygone a été écarté à la lecture ({', '.join(aside[:10])}) : voyez la "
            "raison dans les remarques ci-dessus."
        )
        missing = [c for c in missing if c not in set_aside]
    if not missing:
        return
    round_codes = [c for c in missing if c.endswith("0")]
    if len(round_codes) >= 3 and len(round_codes) * 5 >= len(missing) * 3:
        # About one commune code in ten ends with 0; most postal codes do.
        report.remarques.append(
            f"{len(round_codes)} des {len(missing)} code(s) de la table de correspondance sans "
            f"polygone finissent par 0 ({', '.join(round_codes[:5])}...) : ils ressemblent à "
            "des codes postaux. Utilisez le code commune Insee (COG) dans la colonne des "
            "communes, pas le code postal."
        )
    if passage is None:
        report.remarques.append(
            f"{len(missing)} commune(s) de la table de correspondance n'ont pas de polygone ; "
            "fournissez la table de passage des codes pour savoir s'il s'agit d'un autre millésime."
        )
        return
    former = set(passage["ancien_code"])
    merged_into = set(passage["code_courant"])
    polygon_deps = set(departement_of_commune(sorted(polygon_codes)))
    missing_deps = departement_of_commune(missing)
    outside = [c for c, d in zip(missing, missing_deps, strict=True) if d not in polygon_deps]
    n_former = sum(1 for c in missing if c in former and c not in outside)
    n_new = sum(1 for c in missing if c in merged_into and c not in former and c not in outside)
    unexplained = [
        c for c in missing if c not in former and c not in merged_into and c not in outside
    ]
    parts = [
        (n_former, "ancien(s) code(s) (autre millésime du COG)"),
        (n_new, "commune(s) nouvelle(s) issue(s) de fusions, couverte(s) par leurs anciens codes"),
        (
            len(outside),
            f"d'un département absent des fichiers de polygones ({', '.join(outside[:10])})",
        ),
        (len(unexplained), f"sans explication ({', '.join(unexplained[:30])})"),
    ]
    report.remarques.append(
        f"{len(missing)} commune(s) de la table de correspondance sans polygone : "
        + " ; ".join(f"{n} {label}" for n, label in parts if n)
        + "."
    )


def dissolve_communes(
    communes: gpd.GeoDataFrame,
    correspondence: pd.DataFrame,
    *,
    passage: pd.DataFrame | None = None,
    region: str | None = None,
    departement: str | None = None,
    territory_codes: Iterable[str] | None = None,
    population: pd.DataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, MatchingReport]:
    """Build territory polygons by dissolving communes through a correspondence.

    Parameters
    ----------
    communes
        Commune polygons (:func:`geo.referentials.read_commune_polygons`).
    correspondence
        Commune → territory table (:func:`geo.referentials.read_correspondence`).
    passage, region, departement, territory_codes
        See :func:`assign_territories`.
    population
        Optional ``commune, population`` table; adds a ``population`` column.

    Returns
    -------
    (geopandas.GeoDataFrame, MatchingReport)
        One row per territory: ``territoire, territoire_nom, niveau, nb_communes``
        (+ ``population``) and ``geometry`` in the CRS of ``communes``; the report.

    Notes
    -----
    Communes that did not come through
    :func:`geo.referentials.read_commune_polygons` (no ``attrs[CHECKED]``) are
    checked for overlaps here: they are cut (:func:`remove_overlaps`) and
    reported in ``report.problemes``, so territories never overlap.

    Examples
    --------
    >>> from geo import referentials, settings
    >>> demo = settings.demo_dir()
    >>> communes = referentials.read_commune_polygons(sorted(demo.glob("communes-*.geojson")))
    >>> corr = referentials.read_correspondence(demo / "commune_bassin_bmo.csv", "bassin")
    >>> bassins, report = dissolve_communes(communes, corr)
    >>> len(bassins) == report.territoires, report.communes_sans_territoire
    (True, [])
    """
    overlaps = ProblemReport(str(communes.attrs.get("fichier", "polygones des communes")))
    if not communes.attrs.get(CHECKED) and communes.crs is not None:
        # Polygons that did not come through the reader: territories must not overlap either.
        communes, _ = remove_overlaps(communes, report=overlaps)
    assigned, report = assign_territories(
        communes,
        correspondence,
        passage=passage,
        region=region,
        departement=departement,
        territory_codes=territory_codes,
    )
    report.remarques += overlaps.lines()
    report.problemes += [asdict(p) for p in overlaps]
    kept = assigned[assigned["territoire"].notna()]
    rows = []
    for code, group in kept.groupby("territoire", sort=True):
        geoms = group.geometry.values
        try:
            geom = shapely.coverage_union_all(geoms)
            if not geom.is_valid:  # not an exact coverage: fall back to the robust union
                geom = shapely.union_all(geoms)
        except shapely.errors.GEOSException:
            geom = shapely.union_all(geoms)
        rows.append(
            {
                "territoire": code,
                "territoire_nom": group["territoire_nom"].iloc[0],
                "niveau": report.niveau,
                "nb_communes": len(group),
                "geometry": geom,
            }
        )
    out = gpd.GeoDataFrame(
        rows or None,
        columns=["territoire", "territoire_nom", "niveau", "nb_communes", "geometry"],
        geometry="geometry",
        crs=communes.crs,
    )
    out["territoire"] = out["territoire"].astype("string")
    out["territoire_nom"] = out["territoire_nom"].astype("string")
    out["nb_communes"] = out["nb_communes"].astype("int64")
    if population is not None:
        pop = kept[["commune", "territoire"]].merge(
            population[["commune", "population"]], on="commune", how="left"
        )
        totals = pop.groupby("territoire")["population"].sum(min_count=1)
        out["population"] = out["territoire"].map(totals).astype("Int64")
    return out, report


def territory_polygon(
    communes: gpd.GeoDataFrame, codes: list[str] | tuple[str, ...]
) -> gpd.GeoDataFrame:
    """Dissolve the communes listed in ``codes`` into one polygon (project territories).

    Returns a one-row GeoDataFrame with ``nb_communes`` and ``geometry``; raises
    :class:`SchemaError` listing the codes that have no polygon.
    """
    wanted = list(dict.fromkeys(codes))
    found = communes[communes["commune"].isin(wanted)]
    missing = sorted(set(wanted) - set(found["commune"]))
    if missing:
        raise SchemaError(
            f"{len(missing)} commune(s) du territoire sans polygone : {', '.join(missing[:20])}. "
            "Vérifiez les codes (millésime du COG) ou complétez le fichier des polygones."
        )
    geom = shapely.union_all(found.geometry.values)
    return gpd.GeoDataFrame({"nb_communes": [len(found)]}, geometry=[geom], crs=communes.crs)
