"""Territory polygons built by dissolving commune polygons through a correspondence.

The matching of communes to territories is reported in both directions, never
silently dropped: communes of the polygons without a territory (and why),
territories of the correspondence without any polygon, communes matched through
the code passage table (another COG vintage), correspondence communes without a
polygon (and whether another vintage explains it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from geo._errors import SchemaError
from geo.codes import departement_of_commune
from geo.problems import problems_of

__all__ = [
    "MatchingReport",
    "assign_territories",
    "dissolve_communes",
    "territory_polygon",
]


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
        lines += [f"Remarque : {r}" for r in self.remarques]
        return "\n".join(lines)


def _select(
    correspondence: pd.DataFrame, *, region: str | None, departement: str | None
) -> set[str]:
    """Territories of the correspondence that belong to the région/département asked."""
    corr = correspondence
    selected = set(corr["territoire"].dropna())
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

    Returns
    -------
    (pandas.DataFrame, MatchingReport)
        ``communes`` with ``territoire, territoire_nom`` added (missing where
        unmatched), and the report.
    """
    level = correspondence.attrs.get("niveau", "territoire")
    report = MatchingReport(niveau=level, communes=len(communes))
    report.remarques += problems_of(communes).lines()
    report.remarques += problems_of(correspondence).lines()
    selected = _select(correspondence, region=region, departement=departement)
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
    _explain_missing_polygons(report, correspondence, selected, set(communes["commune"]), passage)
    return out, report


def _explain_missing_polygons(
    report: MatchingReport,
    correspondence: pd.DataFrame,
    selected: set[str],
    polygon_codes: set[str],
    passage: pd.DataFrame | None,
) -> None:
    corr = correspondence[correspondence["territoire"].isin(selected)]
    missing = sorted(set(corr["commune"]) - polygon_codes)
    report.correspondance_sans_polygone = missing
    if not missing:
        return
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
    population: pd.DataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, MatchingReport]:
    """Build territory polygons by dissolving communes through a correspondence.

    Parameters
    ----------
    communes
        Commune polygons (:func:`geo.referentials.read_commune_polygons`).
    correspondence
        Commune → territory table (:func:`geo.referentials.read_correspondence`).
    passage, region, departement
        See :func:`assign_territories`.
    population
        Optional ``commune, population`` table; adds a ``population`` column.

    Returns
    -------
    (geopandas.GeoDataFrame, MatchingReport)
        One row per territory: ``territoire, territoire_nom, niveau, nb_communes``
        (+ ``population``) and ``geometry`` in the CRS of ``communes``; the report.

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
    assigned, report = assign_territories(
        communes, correspondence, passage=passage, region=region, departement=departement
    )
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
