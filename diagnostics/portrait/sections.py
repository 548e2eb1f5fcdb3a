"""The sections of a territorial portrait: one ``section_<thing>(data) -> Section`` each.

Each helper returns a :class:`~diagnostics.portrait.html.Section` (text, tables, charts and
maps, shown as HTML; the computed tables stay available in ``.tables``). When the file of a
section's input is missing or unreadable, the section says so in a French sentence instead
of failing; when the configuration does not name the input at all, the section is left out
of the portrait page (one discreet line in the notebook) and :func:`section_completion`
says, once, which files would add it. The portrait summary lists both.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import pandas as pd

from diagnostics.portrait.batch import workbench_version
from diagnostics.portrait.config import INPUTS
from diagnostics.portrait.html import (
    Section,
    frame_for_display,
)
from diagnostics.portrait.inputs import COMMUNE_TOLERANCE_M, TERRITORY_TOLERANCE_M
from diagnostics.portrait.loading import PortraitData, load_portrait  # noqa: F401  (examples)
from geo import settings
from geo._errors import WorkbenchError
from geo.display import (
    DASH,
    Missing,
    format_count,
    format_int,
    format_month,
    format_number,
    format_percent,
)
from geo.problems import ProblemReport, collect_problems, split_by_place

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "section_title",
    "section_key_figures",
    "section_territory_map",
    "section_bmo_map",
    "section_bmo_metiers",
    "section_bmo_secrecy",
    "section_jobseekers",
    "section_partners_map",
    "section_coverage",
    "section_access",
    "section_positioning",
    "section_positioning_gaps",
    "section_cotraitance",
    "section_network",
    "section_training",
    "section_completion",
    "section_sources",
    "save_portrait_summary",
]


# --------------------------------------------------------------------------- helpers


def _start(data: PortraitData, name: str, *keys: str) -> tuple[Section, list[Any] | None]:
    """A new section and its inputs, or ``None`` when one is not available.

    An input named in the configuration but missing or unreadable: the section says
    so (the analyst has a file to fix). Inputs not configured at all: the section is
    left out of the portrait (:func:`_omit`), and :func:`section_completion` says
    which files would add it.
    """
    section = Section(name)
    values = []
    unconfigured = []
    for key in keys:
        if not data.config.files(key):
            unconfigured.append(key)
            continue
        value = data.inputs.get(key)
        if value is None:
            reason = data.inputs.problem(key) or "non disponible"
            section.absent(f"Section non établie : {INPUTS[key].label} — {reason}.")
            data.sections[name] = section.status
            return section, None
        values.append(value)
    if unconfigured:
        return _omit(data, section, unconfigured), None
    data.sections[name] = section.status
    return section, values


#: What each section brings to a portrait, for :func:`section_completion` (French).
_SECTION_LABELS = {
    "carte_territoire": "la carte des communes",
    "bmo_carte": "la carte des tensions de recrutement",
    "bmo_metiers": "les métiers recherchés par les employeurs",
    "bmo_secret": "le secret statistique de l'enquête BMO",
    "demandeurs": "l'évolution des demandeurs d'emploi",
    "partenaires": "la carte des partenaires",
    "couverture": "la couverture des communes",
    "acces": "l'accès aux agences France Travail",
    "positionnement": "le positionnement des acteurs",
    "positionnement_manques": "les manques du positionnement",
    "cotraitance": "le suivi de la cotraitance avec les missions locales",
    "reseau": "le réseau des partenaires",
    "formation": "la formation des demandeurs d'emploi",
}

#: The input files as a reader would name them (the configuration keys are not shown).
_INPUT_PHRASES = {
    "referentiels.communes_polygones": "les contours des communes",
    "bmo.fichiers": "un fichier de l'enquête BMO",
    "demandeurs.fichier": "la série mensuelle des demandeurs d'emploi",
    "partenaires.annuaire": "un annuaire des partenaires",
    "partenaires.sites_france_travail": "le fichier des sites France Travail",
    "partenaires.positionnement": "la grille de positionnement des acteurs",
    "cotraitance.structures": "la liste des agences et missions locales de la cotraitance",
    "cotraitance.flux": "les flux mensuels de cotraitance",
    "cotraitance.objectifs": "les objectifs de cotraitance",
    "cotraitance.besoins": "les besoins de cotraitance (demande potentielle, jeunes demandeurs "
    "d'emploi)",
    "cotraitance.episodes": "l'extraction pseudonymisée des épisodes de cotraitance",
    "cotraitance.periodes": "les périodes d'alerte et de suspension des épisodes",
    "cotraitance.ressorts": "le ressort (communes) des missions locales",
    "partenariats.registre": "un registre des partenariats",
    "partenariats.indicateurs": "les indicateurs des partenariats",
    "partenariats.flux": "les flux entre partenaires",
    "formation.sessions": "les sessions de formation financées",
    "formation.prescriptions": "les prescriptions de formation",
    "formation.agences": "les agences prescriptrices (commune de chaque agence)",
    "formation.poe": "les entrées en POE",
    "formation.correspondance": "la correspondance FAP ↔ ROME",
}


def _input_phrase(key: str) -> str:
    return _INPUT_PHRASES.get(key) or f"le fichier « {INPUTS[key].label} »"


def _french_list(items: list[str]) -> str:
    """« a », « a et b », « a, b et c »."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}"


def _omit(data: PortraitData, section: Section, keys: list[str]) -> Section:
    """Leave ``section`` out of the portrait: its inputs ``keys`` are not configured."""
    what = _SECTION_LABELS.get(section.name, section.name)
    files = _french_list([_input_phrase(k) for k in keys])
    section.omit(f"Non établi ici : {what} (il faudrait {files}).", inputs=keys)
    data.omitted[section.name] = tuple(keys)
    return _done(data, section)


def _secrecy_rule() -> str:
    """The disclosure rule in words, from the threshold in force (or why it is refused)."""
    from diagnostics.disclosure import DisclosureError, current_threshold, masked_range

    try:
        return masked_range(current_threshold())
    except DisclosureError as exc:
        return str(exc)


def _done(data: PortraitData, section: Section) -> Section:
    data.sections[section.name] = section.status
    return section


def _optional_inputs(data: PortraitData, keys: dict[str, str]) -> dict[str, Any]:
    """The optional inputs that are given: parameter name → table (``keys``: name → input)."""
    return {
        name: table for name, key in keys.items() if (table := data.inputs.get(key)) is not None
    }


#: Levels of the commune table whose codes place a reader's problem.
_PLACE_LEVELS = ("commune", "departement", "region", "bassin", "zone_emploi", "clpe")


def _places(data: PortraitData) -> tuple[frozenset[str], frozenset[str]]:
    """The territory's codes and every code of the referentials (:func:`_problems_here`)."""
    table = data.inputs.commune_table()
    levels = [c for c in _PLACE_LEVELS if c in table.columns]
    passage = data.inputs.get("referentiels.passage_codes")
    former = (
        passage[(passage["ancien_code"] != passage["code_courant"]).fillna(False).astype(bool)]
        if passage is not None
        else pd.DataFrame(columns=["ancien_code", "code_courant"])
    )

    def every_code() -> frozenset[str]:
        codes = {str(v) for c in levels for v in table[c].dropna().unique()}
        return frozenset(codes | set(former["ancien_code"].dropna().astype(str)))

    def territory_codes() -> frozenset[str]:
        communes = set(data.territory.communes)
        inside = table[table["commune"].isin(communes)]
        mine = {str(v) for c in levels for v in inside[c].dropna().unique()}
        mine |= set(former.loc[former["code_courant"].isin(communes), "ancien_code"].astype(str))
        return frozenset(mine | {str(data.territory.code)})

    known = data.inputs.cached("codes_connus", every_code)
    return data._cached("codes_du_territoire", territory_codes), known


def _problems_here(
    data: PortraitData, report: ProblemReport
) -> tuple[ProblemReport, ProblemReport]:
    """``(here, elsewhere)``: the problems that may concern the territory, and the others.

    A problem is about other places when the codes it names (its value, the commune
    codes of its message: :func:`geo.problems.split_by_place`) are codes of the
    referentials and none is one of the territory's: its communes (and their former
    codes in the passage table), and the départements, régions, bassins, zones
    d'emploi and CLPE they belong to.
    """
    mine, known = _places(data)
    return split_by_place(report, mine, known=known)


def _note_input_problems(
    section: Section, tables: Mapping[str, pd.DataFrame | None], what: str, *, data: PortraitData
) -> None:
    """Note the problems the readers reported in ``tables`` about the territory.

    Every reader attaches a :class:`geo.problems.ProblemReport` to its table;
    :func:`geo.problems.collect_problems` gathers those of every table given. Only
    the problems that may concern the territory are noted (the first five, then
    « ... »); those about other places are counted once by :func:`section_sources`.
    """
    problems = _problems_here(data, collect_problems(tables))[0].lines()
    if problems:
        section.note(
            f"{len(problems)} remarque(s) sur les fichiers {what} à la lecture : "
            + " ; ".join(problems[:5])
            + (" ..." if len(problems) > 5 else "")
        )


def _figure(
    width: float,
    height: float,
    *,
    layout: Literal["constrained", "compressed", "tight"] | None = "constrained",
) -> tuple[Figure, Axes]:
    """A matplotlib figure outside pyplot (nothing is shown twice, nothing leaks)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=layout)
    return fig, fig.subplots()


def _failed(data: PortraitData, section: Section, exc: WorkbenchError) -> Section:
    first = str(exc).strip().splitlines()[0]
    section.absent(f"Cette partie n'a pas pu être établie : {first}")
    return _done(data, section)


def _names(values: Iterable[str], table: pd.DataFrame, level: str) -> str:
    labels = table.drop_duplicates(level).set_index(level)[f"{level}_nom"]
    parts = []
    for code in values:
        name = labels.get(code)
        parts.append(f"{name} ({code})" if isinstance(name, str) and name else str(code))
    return ", ".join(parts)


def _latest_year(bmo: pd.DataFrame) -> int:
    return int(bmo["annee"].max())


# --------------------------------------------------------------------------- sections


def section_title(data: PortraitData) -> Section:
    """Title of the portrait: the territory, the configuration, the unusable input files.

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9902")
    >>> print(repr(section_title(data)).splitlines()[0])
    Portrait de territoire : bassin d'emploi BMO 9902 – Saint-Lounirac
    """
    section = Section("titre")
    section.html(
        f"<h1>Portrait de territoire : {_escape(data.label)}</h1>",
        text=f"Portrait de territoire : {data.label}",
    )
    if data.config.title:
        section.text(data.config.title)
    years = f", millésimes BMO {', '.join(map(str, data.years))}" if data.years else ""
    section.text(f"Produit le {data.produced:%d/%m/%Y à %H:%M}{years}.")
    warnings = data.inputs.warnings()
    if warnings:
        section.note(
            "Fichiers d'entrée manquants ou illisibles (les sections concernées le signalent) : "
            + " ; ".join(warnings)
        )
    return _done(data, section)


def section_key_figures(data: PortraitData) -> Section:
    """Key figures: communes, population, area, density, BMO projects, partners.

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> s = section_key_figures(data)
    >>> s.facts["communes"], s.facts["population"] > 0
    (40, True)
    """
    from diagnostics.bmo import format_projects_with_bounds, format_share_with_bounds

    section = Section("chiffres_cles")
    table = data.inputs.commune_table()
    communes = data.communes()
    facts: dict[str, Any] = {"communes": len(data.territory)}
    rows = [("Communes", format_int(len(data.territory)), "référentiel des communes")]
    population = communes["population"].sum(min_count=1)
    if pd.notna(population):
        facts["population"] = int(population)
        rows.append(("Population", format_int(population), "populations légales des communes"))
    exact = data.inputs.commune_shapes_exact()
    if exact is not None:
        from geo.crs import to_metric

        inside = exact[exact["commune"].isin(set(data.territory.communes))]
        if len(inside):
            area = float(to_metric(inside).geometry.area.sum()) / 1e6
            facts["superficie_km2"] = round(area, 1)
            rows.append(("Superficie", f"{format_number(area, 0)} km²", "contours des communes"))
            if pd.notna(population) and area > 0:
                facts["densite"] = round(float(population) / area, 1)
                rows.append(
                    ("Densité", f"{format_number(population / area, 0)} hab./km²", "calcul")
                )
        missing = len(data.territory) - len(inside)
        if missing:
            section.note(f"{missing} commune(s) du territoire sans contour dans les fichiers.")
    if data.territory.level not in ("departement", "region", "commune"):
        rows.append(
            ("Départements", _names(data.departements(), table, "departement"), "référentiel")
        )
    if data.territory.level != "region":
        rows.append(("Région", _names(data.regions(), table, "region"), "référentiel"))
    try:
        summary = data.bmo_summary()
    except WorkbenchError as exc:
        summary = None
        section.note(f"Enquête BMO non exploitable pour ce territoire : {exc}")
    if summary is not None:
        last = summary[summary["annee"] == summary["annee"].max()].iloc[0]
        year = int(last["annee"])
        facts.update(
            annee_bmo=year,
            projets_bmo=float(last["projets"]) if pd.notna(last["projets"]) else None,
            projets_bmo_bornes=[float(last["projets_min"]), float(last["projets_max"])],
            part_difficiles=float(last["part_difficiles"])
            if pd.notna(last["part_difficiles"])
            else None,
        )
        projects = (
            f"{format_int(last['projets'])} (entre {format_int(last['projets_min'])} et "
            f"{format_int(last['projets_max'])} avec les cellules secrètes)"
            if pd.notna(last["projets"])
            else format_projects_with_bounds(pd.NA, last["projets_min"], last["projets_max"])
        )
        rows.append((f"Projets de recrutement ({year})", projects, "enquête BMO"))
        rows.append(
            (
                f"Part jugée difficile ({year})",
                format_share_with_bounds(
                    last["part_difficiles"],
                    last["part_difficiles_min"],
                    last["part_difficiles_max"],
                ),
                "enquête BMO",
            )
        )
    partners = data.partners_here() if data.inputs.get("partenaires.annuaire") is not None else None
    if partners is not None:
        facts["partenaires_implantes"] = int(partners["implante"].sum())
        facts["partenaires_intervenant"] = len(partners)
        rows.append(
            (
                "Partenaires",
                f"{format_int(partners['implante'].sum())} implantés, {format_int(len(partners))} "
                "intervenant sur le territoire",
                "annuaire des partenaires",
            )
        )
    frame = pd.DataFrame(rows, columns=["Indicateur", "Valeur", "Source"])
    section.facts.update(facts)
    section.table(frame, name="chiffres_cles")
    data.facts.update(facts)
    return _done(data, section)


_OTHERS = {
    "bassin": "Autres bassins d'emploi de la région",
    "zone_emploi": "Autres zones d'emploi de la région",
    "clpe": "Autres CLPE de la région",
    "departement": "Autres départements de la région",
}


def section_territory_map(data: PortraitData) -> Section:
    """Map of the territory: its communes (its départements for a région), named and framed.

    The communes share one colour, with their borders; a région shows its
    départements instead of its communes. The main communes are named
    (:meth:`PortraitData.places`), the département borders drawn, the territory
    outlined, the other territories of its level in its région in grey; a legend
    says which is which.

    Examples
    --------
    >>> s = section_territory_map(load_portrait(settings.demo_dir() / "portrait.toml", "region", "99"))
    >>> page = s.maps["territoire"].page
    >>> "Limite de département" in page, "Vegicourt" in page
    (True, True)
    >>> page.count('"type": "Feature"')  # its 3 départements, its outline, their borders
    5
    """
    from geo.maps import map_territories

    section = Section("carte_territoire")
    if not data.config.files("referentiels.communes_polygones"):
        return _omit(data, section, ["referentiels.communes_polygones"])
    level = data.territory.level
    region_wide = level == "region"
    shapes = data.departement_shapes() if region_wide else data.shapes()
    if shapes is None:
        reason = data.inputs.problem("referentiels.communes_polygones") or (
            "aucun contour pour les communes de ce territoire"
        )
        section.absent(f"Carte non établie : contours des communes — {reason}.")
        return _done(data, section)
    background = _near_territory(data, data.context_shapes(level)) if level in _OTHERS else None
    legend = {
        "territories": "Communes du territoire",
        "background": _OTHERS.get(level, ""),
        "outline": "Limite du territoire",
        "borders": "Limite de département",
    }
    if region_wide:
        shapes = shapes.assign(
            departement=[
                f"{n} ({c})"
                for c, n in zip(shapes["territoire"], shapes["territoire_nom"], strict=True)
            ]
        )
        m = map_territories(
            shapes,
            tooltip_columns={
                "departement": "Département",
                "nb_communes": "Communes",
                "population": "Population",
            },
            color_column="departement",
            title=data.label,
            outline=data.outline(),
            borders=data.departement_borders(),
            places=data.places(),
            legend={**legend, "caption": "Départements"},
        )
    else:
        m = map_territories(
            shapes,
            tooltip_columns={
                "commune": "Code",
                "commune_nom": "Commune",
                "population": "Population",
            },
            title=data.label,
            background=background,
            fill=_TERRITORY_FILL,
            outline=data.outline(),
            borders=_near_territory(data, data.departement_borders()),
            places=data.places(),
            legend=legend,
        )
    section.map(m, name="territoire", title=f"Communes du territoire {data.label}")
    if region_wide:
        communes = int(shapes["nb_communes"].sum())
        section.text(
            f"{communes} commune(s) dans {len(shapes)} département(s) ; les noms sont ceux des "
            "communes les plus peuplées."
        )
        section.hint("Survolez un département pour voir ses communes et sa population.")
    else:
        section.text(
            f"{len(shapes)} commune(s) ; en gris, les autres territoires du même niveau dans la "
            "région."
        )
        section.hint("Survolez une commune pour voir son nom et sa population.")
    geography = ("polygones", "bassins", "zones_emploi", "clpe")
    _note_input_problems(
        section,
        {k: data.inputs.loaded(f"referentiels.communes_{k}") for k in geography},
        "de contours et de correspondances signalée(s)",
        data=data,
    )
    return _done(data, section)


def _near_territory(data: PortraitData, shapes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """The part of ``shapes`` on the map of the territory, or ``None`` when none is.

    The map is framed on the territory, about twice as wide as high: what lies
    beyond that frame and a fifth of it around is cut off, out of the page (the
    grey territories around, the département borders) and out of the legend.
    """
    import geopandas as gpd

    outline = data.outline()
    if shapes is None or outline is None:
        return shapes
    minx, miny, maxx, maxy = outline.to_crs(shapes.crs).total_bounds
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    # degrees of longitude are shorter than those of latitude: about 1.5 at these latitudes
    half_h = max(maxy - miny, (maxx - minx) / 3) / 2 * 1.2
    half_w = max((maxx - minx) / 2, half_h * 3) * 1.2
    near = shapes.geometry.clip_by_rect(cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    keep = ~near.is_empty
    if not keep.any():
        return None
    frame = shapes[keep.to_numpy()].copy()
    frame[frame.geometry.name] = near[keep].to_numpy()
    return gpd.GeoDataFrame(frame, crs=shapes.crs)


#: Fill of the territory's communes on its map (the outline and borders are darker).
_TERRITORY_FILL = "#a6bddb"


def section_bmo_map(data: PortraitData) -> Section:
    """Map of the share of difficult recruitment projects by bassin in the territory's région."""
    from diagnostics.bmo import map_bmo_bassins, recruitment_summary

    section, values = _start(data, "bmo_carte", "bmo.fichiers")
    if values is None:
        return section
    bmo = data.bmo()
    if bmo is None:
        section.absent(f"Aucune donnée BMO pour les millésimes demandés ({data.years}).")
        return _done(data, section)
    shapes = data.context_shapes("bassin")
    if not data.config.files("referentiels.communes_polygones"):
        return _omit(data, section, ["referentiels.communes_polygones"])
    if shapes is None:
        reason = data.inputs.problem("referentiels.communes_polygones") or "bassins sans contour"
        section.absent(f"Carte non établie : contours des communes — {reason}.")
        return _done(data, section)
    year = _latest_year(bmo)
    rows = bmo[(bmo["annee"] == year) & bmo["bassin"].isin(set(shapes["territoire"]))]
    try:
        summary = recruitment_summary(rows, by="bassin")
        # the bassins named as people write them (the BMO file spells them in capitals)
        names = shapes.set_index("territoire")["territoire_nom"]
        shown = summary["bassin"].map(names)
        if "bassin_nom" in summary.columns:
            shown = shown.fillna(summary["bassin_nom"])
        summary["bassin_nom"] = shown
        m = map_bmo_bassins(
            summary,
            shapes,
            title=f"Part des projets jugés difficiles ({year})",
            outline=data.outline(),
        )
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    section.map(m, name="bmo_bassins", title=f"Tensions de recrutement par bassin, {year}")
    section.text(
        f"Part des projets de recrutement jugés difficiles par les employeurs en {year}, par "
        "bassin d'emploi de la région ; le territoire est entouré en bleu."
    )
    section.hint(
        "Survolez un bassin pour voir ses projets, leurs bornes avec les cellules secrètes et "
        "les parts."
    )
    section.tables["bassins"] = summary
    return _done(data, section)


def _secret_int(value: Any) -> str:
    """A BMO count; a fully masked one is « secret statistique », never 0."""
    return format_int(value, missing=Missing.SECRET)


def _with_share_texts(table: pd.DataFrame) -> pd.DataFrame:
    """``part_*_txt``: the BMO shares written with their bounds (never 0 for a ``*``)."""
    from diagnostics.bmo import format_share_with_bounds

    out = table.copy()
    for short in ("difficiles", "saisonniers"):
        column = f"part_{short}"
        if column in out.columns:
            out[f"{column}_txt"] = [
                format_share_with_bounds(v, lo, hi)
                for v, lo, hi in zip(
                    out[column], out[f"{column}_min"], out[f"{column}_max"], strict=True
                )
            ]
    return out


def _points(change: Any) -> str:
    """A change of share in points (« +2,1 points »), or « non calculable »."""
    if pd.isna(change):
        return Missing.NOT_COMPUTABLE.label
    value = float(change)
    sign = "+" if value > 0 else ""
    return f"{sign}{format_number(value, 1)} point{'s' if abs(value) >= 2 else ''}"


def _bmo_years(section: Section, by_year: pd.DataFrame, local: pd.DataFrame) -> None:
    """The territory's BMO figures: vintages side by side with their change, or one vintage."""
    from diagnostics.bmo import bmo_change

    texts = _with_share_texts(by_year)
    years = [int(y) for y in by_year["annee"]]
    if len(years) == 1:
        section.table(
            by_year,
            name="par_annee",
            display=frame_for_display(
                texts,
                [
                    ("annee", "Année", str),
                    ("projets", "Projets de recrutement", _secret_int),
                    ("projets_min", "minimum", format_int),
                    ("projets_max", "maximum", format_int),
                    ("part_difficiles_txt", "Part jugée difficile", None),
                    ("part_saisonniers_txt", "Part saisonnière", None),
                    ("cellules_secretes", "Cellules secrètes", format_int),
                ],
            ),
            caption="Projets de recrutement (cellules publiées), bornes avec les cellules "
            "secrètes.",
        )
        section.text(
            f"Un seul millésime de l'enquête ({years[0]}) : les chiffres se lisent sur cette "
            "année, sans évolution ; le fichier d'un autre millésime permettrait de suivre "
            "l'évolution."
        )
        return
    change = bmo_change(local)
    display = pd.DataFrame(
        {
            "Indicateur": [
                "Projets de recrutement",
                "Projets, bornes avec les cellules secrètes",
                "Part jugée difficile",
                "Part saisonnière",
                "Cellules secrètes",
            ]
        }
    )
    for i, year in enumerate(years):
        row = texts.iloc[i]
        display[str(year)] = [
            _secret_int(row["projets"]),
            f"{format_int(row['projets_min'])} – {format_int(row['projets_max'])}",
            row["part_difficiles_txt"],
            row["part_saisonniers_txt"],
            format_int(row["cellules_secretes"]),
        ]
    comments = []
    for pair in change.itertuples(index=False):
        pct = pair.evolution_projets_pct
        display[f"Évolution {pair.annee_debut} → {pair.annee_fin}"] = [
            _signed(
                None if pd.isna(pair.evolution_projets) else float(pair.evolution_projets),
                None if pd.isna(pct) else float(pct) / 100,
            ),
            DASH,
            _points(pair.evolution_part_difficiles),
            _points(pair.evolution_part_saisonniers),
            DASH,
        ]
        comments.append(f"de {pair.annee_debut} à {pair.annee_fin}, {pair.commentaire}")
    section.table(
        by_year,
        name="par_annee",
        display=display,
        caption="Projets de recrutement et parts par millésime de l'enquête (cellules publiées, "
        "bornes avec les cellules secrètes) ; évolution calculée sur les cellules publiées, "
        f"parts en points ({' ; '.join(comments)}).",
    )
    section.tables["evolution"] = change


def _dares_columns(
    data: PortraitData, tension: pd.DataFrame, year: int
) -> tuple[pd.DataFrame, list[tuple[str, str, Callable[[Any], str] | None]], str | None]:
    """The DARES indicator of the métiers en tension when it is that of the same métier.

    Returns the table (with the DARES columns joined), the columns to show and the
    sentence to write under the table (what the indicator is, or why it is left out).
    """
    from diagnostics.bmo import add_dares_tension

    dares = data.inputs.get("bmo.tensions_dares")
    if dares is None or tension.empty:
        return tension, [], None
    regions, deps = data.regions(), data.departements()
    geography = (regions[0] if len(regions) == 1 else None, deps[0] if len(deps) == 1 else None)
    # The DARES join of every métier of the file, once per geography and kept:
    # indexing the DARES table is what costs, not the few métiers of a territory.
    bmo = data.bmo()
    assert bmo is not None  # the territory has BMO rows
    joined = data.inputs.cached(
        ("dares", *geography),
        lambda: add_dares_tension(
            bmo[["metier", "nomenclature"]].drop_duplicates(),
            dares,
            region=geography[0],
            departement=geography[1],
        ),
    )
    tension = tension.merge(joined, on=["metier", "nomenclature"], how="left")
    classes = tension["dares_categorie_tension"]
    same = tension["dares_meme_metier"].fillna(False).astype(bool) & classes.notna()
    editions = sorted({int(y) for y in dares["annee"].dropna()})
    edition = ", ".join(map(str, editions))
    if not same.any():
        if set(tension["nomenclature"].dropna()) == {"FAP2009"}:
            why = (
                "la DARES ne le publie pas pour ces métiers eux-mêmes (seulement pour leur "
                "famille de métiers, ou pas du tout)"
            )
        else:
            why = (
                f"son édition ({edition}) classe les métiers dans l'ancienne nomenclature "
                f"(FAP 2009), l'enquête BMO {year} dans la nouvelle (FAP 2021), et les deux "
                "ne se correspondent qu'approximativement"
            )
        return tension, [], f"L'indicateur de tension de la DARES n'est pas repris : {why}."
    levels = list(dict.fromkeys(tension.loc[same, "dares_niveau_geo"].dropna().astype(str)))
    where = f"{levels[0]}, " if len(levels) == 1 else ""
    header = f"Tension DARES {edition} ({where}même métier)"
    tension["dares_affichee"] = [
        f"{int(c)} sur 5" if ok else DASH for ok, c in zip(same, classes, strict=True)
    ]
    columns: list[tuple[str, str, Callable[[Any], str] | None]] = [("dares_affichee", header, None)]
    if len(levels) > 1:
        tension["dares_niveau_affiche"] = tension["dares_niveau_geo"].where(same, DASH)
        columns.append(("dares_niveau_affiche", "Niveau de l'indicateur DARES", None))
    sentence = (
        f"Tension DARES : classe de l'indicateur de tension de la DARES ({edition}), de 1 à 5 "
        "(5 : métiers les plus en tension), pour le même métier de la nomenclature FAP 2009."
    )
    if not same.all():
        sentence += (
            " Elle n'est pas reprise pour les autres métiers : la DARES ne la publie pas pour "
            "ces métiers eux-mêmes (seulement pour un métier voisin, leur famille, ou pas du "
            "tout)."
        )
    return tension, columns, sentence


def section_bmo_metiers(data: PortraitData) -> Section:
    """Recruitment projects of the territory by year, top métiers and métiers en tension.

    Several BMO vintages are shown side by side with their change
    (:func:`diagnostics.bmo.bmo_change`, which says where the métier nomenclature
    breaks); a single vintage is said to be read on its own. The métiers en tension
    are those of :func:`diagnostics.bmo.top_tension_metiers` (default measure:
    projects judged difficult, among the métiers at least as hard to fill as the
    territory). The DARES tension indicator is shown, with its edition and
    geography, only for métiers matched to the same FAP-225 métier; otherwise it is
    left out and one sentence says why.

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> s = section_bmo_metiers(data)
    >>> s.tables["par_annee"]["annee"].tolist(), s.tables["evolution"]["annee_fin"].tolist()
    ([2023, 2024], [2024])
    """
    from diagnostics.bmo import (
        family_breakdown,
        format_projects_with_bounds,
        metier_ranking,
        plot_top_metiers,
        top_tension_metiers,
    )

    section, values = _start(data, "bmo_metiers", "bmo.fichiers")
    if values is None:
        return section
    try:
        by_year = data.bmo_summary()
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    if by_year is None:
        section.absent("Aucune ligne de l'enquête BMO ne concerne ce territoire.")
        return _done(data, section)
    local = data.bmo_local()
    assert local is not None  # a summary exists, so do the territory's rows
    _bmo_years(section, by_year, local)
    year = int(by_year["annee"].max())
    latest = local[local["annee"] == year]
    ranking = metier_ranking(latest, n=10)
    fig, ax = _figure(9, 4.8, layout=None)  # fixed margins: twice as fast as a layout engine
    fig.subplots_adjust(left=0.44, right=0.95, top=0.92, bottom=0.12)
    plot_top_metiers(ranking, n=10, ax=ax, title=f"Les 10 métiers les plus recherchés ({year})")
    section.figure(fig, name="top_metiers", alt=f"Les 10 métiers les plus recherchés en {year}")
    min_projets = 20
    tension = top_tension_metiers(latest, n=10, min_projets=min_projets)
    if tension.empty:
        min_projets = 5
        tension = top_tension_metiers(latest, n=10, min_projets=min_projets)
    columns: list[tuple[str, str, Callable[[Any], str] | None]] = [
        ("rang", "Rang", str),
        ("metier_nom", "Métier", None),
        ("projets", "Projets", _secret_int),
        ("projets_difficiles_txt", "Projets jugés difficiles", None),
        ("part_difficiles_txt", "Part jugée difficile", None),
        ("part_saisonniers_txt", "Part saisonnière", None),
    ]
    tension, dares_columns, dares_sentence = _dares_columns(data, tension, year)
    section.heading(f"Métiers en tension ({year})")
    if tension.empty:
        section.text(
            f"Aucun métier ne compte au moins {min_projets} projets publiés avec une part de "
            "projets jugés difficiles au moins égale à celle du territoire : pas de classement "
            "des tensions."
        )
    else:
        shown = _with_share_texts(tension)
        shown["projets_difficiles_txt"] = [
            format_projects_with_bounds(v, lo, hi)
            for v, lo, hi in zip(
                shown["projets_difficiles"],
                shown["projets_difficiles_min"],
                shown["projets_difficiles_max"],
                strict=True,
            )
        ]
        overall = format_percent(tension["part_difficiles_territoire"].iloc[0])
        section.table(
            tension,
            name="metiers_en_tension",
            display=frame_for_display(shown, columns + dares_columns),
            caption=(
                "Classement par nombre de projets de recrutement jugés difficiles (projets × "
                "part jugée difficile), parmi les métiers au moins aussi difficiles à pourvoir "
                f"que l'ensemble du territoire ({overall} de projets jugés difficiles en {year}) "
                f"et comptant au moins {min_projets} projets publiés : ce sont les recrutements "
                "difficiles que le territoire a le plus à absorber. Classés par la seule part, "
                "de petits métiers à 100 % passeraient devant. Une part dont une cellule est "
                "masquée (« * ») est donnée par ses bornes (« ≤ 4,1 % »)."
            ),
        )
        if dares_sentence:
            section.text(dares_sentence)
    families = family_breakdown(latest)
    section.heading(f"Familles de métiers ({year})")
    section.table(
        families,
        name="familles",
        display=frame_for_display(
            _with_share_texts(families),
            [
                ("famille_nom", "Famille de métiers", None),
                ("projets", "Projets", _secret_int),
                ("part_des_projets", "Part des projets", format_percent),
                ("part_difficiles_txt", "Part jugée difficile", None),
            ],
        ),
    )
    return _done(data, section)


def section_bmo_secrecy(data: PortraitData) -> Section:
    """What statistical secrecy hides, and how the territory's figures were obtained."""
    from diagnostics.bmo import SECRET_MAX

    section, values = _start(data, "bmo_secret", "bmo.fichiers")
    if values is None:
        return section
    try:
        summary = data.bmo_summary()
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    if summary is None:
        section.absent("Aucune ligne de l'enquête BMO ne concerne ce territoire.")
        return _done(data, section)
    local = data.bmo_local()
    assert local is not None  # a summary exists, so do the territory's rows
    last = summary[summary["annee"] == summary["annee"].max()].iloc[0]
    year = int(last["annee"])
    section.text(
        f"En {year}, {format_int(last['cellules_secretes_projets'])} cellule(s) « projets » sur "
        f"{format_int(last['nb_lignes'])} ligne(s) de l'enquête concernant ce territoire sont "
        "masquées par le secret statistique (« * » dans le fichier open data). Elles ne sont "
        "ni comptées pour zéro ni écartées en silence : les totaux additionnent les cellules "
        f"publiées, et une cellule masquée vaut entre 0 et {SECRET_MAX} projets."
    )
    shares = _with_share_texts(summary[summary["annee"] == year]).iloc[0]
    section.bullets(
        [
            "Projets de recrutement : "
            + (
                f"{format_int(last['projets'])} publiés"
                if pd.notna(last["projets"])
                else "secret statistique (toutes les cellules sont masquées)"
            )
            + f", entre "
            f"{format_int(last['projets_min'])} et {format_int(last['projets_max'])} en comptant les "
            "cellules secrètes.",
            f"Part jugée difficile : {shares['part_difficiles_txt']}.",
            f"Part saisonnière : {shares['part_saisonniers_txt']}.",
        ]
    )
    section.note(
        f"Règle de rattachement au territoire : {local.attrs['territoire']['allocation']}."
    )
    return _done(data, section)


def _sites_here(data: PortraitData) -> pd.DataFrame | None:
    """France Travail sites placed in the territory's communes, when the sites are configured."""
    if not data.inputs.config.files("partenaires.sites_france_travail"):
        return None
    sites = data.inputs.get("partenaires.sites_france_travail")
    if sites is None:
        return None
    return _cog_names(data, sites[sites["commune"].isin(set(data.territory.communes))])


def _cog_names(data: PortraitData, sites: pd.DataFrame) -> pd.DataFrame:
    """``sites`` with their communes named as the COG writes them (« Nantes », not « NANTES »)."""
    table = data.inputs.commune_table().drop_duplicates("commune").set_index("commune")
    named = sites["commune"].map(table["commune_nom"])
    if "commune_nom" in sites.columns:
        named = named.fillna(sites["commune_nom"])
    return sites.assign(commune_nom=named)


def section_jobseekers(data: PortraitData) -> Section:
    """Job seekers of the territory: level, 12-month change, rates, monthly chart.

    Exact where the series publishes the territory (région, département, large
    commune); otherwise estimated from its communes, and the rule is written under
    the figures (:data:`diagnostics.jobseekers.ESTIMATE_RULE`).

    Examples
    --------
    >>> from geo import settings
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> s = section_jobseekers(data)
    >>> s.status, s.facts["estimation"], "prorata" in repr(s)
    ('produite', True, True)
    """
    from diagnostics.jobseekers import (
        JOBSEEKERS_LABEL,
        jobseekers_for_territory,
        jobseekers_indicators,
        plot_jobseekers,
    )

    section, values = _start(data, "demandeurs", "demandeurs.fichier")
    if values is None:
        return section
    (series,) = values
    table = data.inputs.commune_table()
    try:
        estimates = _jobseeker_estimates(data, series)
        monthly = jobseekers_for_territory(
            series, data.territory, communes=table, by_commune=estimates
        )
        population = data.communes()["population"].sum(min_count=1)
        info = jobseekers_indicators(
            monthly,
            population=None if pd.isna(population) else float(population),
            bmo=data.bmo_local(),
        )
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    month = format_month(info["mois"].year, info["mois"].month)
    estimated = " (estimation)" if info["estimation"] else ""
    section.text(
        f"{format_int(round(info['demandeurs']))} demandeurs d'emploi{estimated} en {month} : "
        f"{JOBSEEKERS_LABEL}."
    )
    facts = [
        (
            "Évolution sur 12 mois",
            _signed(info["evolution_12_mois"], info["evolution_12_mois_pct"]),
        ),
        (
            "Évolution depuis janvier 2020",
            _signed(
                info["evolution_depuis_janvier_2020"], info["evolution_depuis_janvier_2020_pct"]
            ),
        ),
        (
            "Demandeurs pour 1 000 habitants",
            format_number(info["pour_1000_habitants"], missing=Missing.NOT_COMPUTABLE),
        ),
        (
            "Projets de recrutement BMO pour 100 demandeurs (même année)",
            format_number(info["projets_pour_100_demandeurs"], missing=Missing.NOT_COMPUTABLE),
        ),
    ]
    section.bullets(f"{label} : {value}" for label, value in facts)
    fig, ax = _figure(8, 3.5)
    plot_jobseekers(monthly, ax=ax, title=f"Demandeurs d'emploi – {data.territory.name}")
    section.figure(fig, name="demandeurs", alt=f"Demandeurs d'emploi par mois, {data.label}")
    section.tables["demandeurs_mois"] = monthly
    if info["estimation"]:
        section.note(str(monthly.attrs["territoire"]["phrase"]))
    if info["rupture"]:
        from diagnostics.jobseekers import BREAK_NOTE

        section.note(BREAK_NOTE[0].upper() + BREAK_NOTE[1:] + ".")
    _note_input_problems(
        section, {"demandeurs": series}, "des demandeurs d'emploi signalée(s)", data=data
    )
    section.facts.update(
        demandeurs=info["demandeurs"],
        mois=f"{info['mois']:%Y-%m}",
        estimation=info["estimation"],
        evolution_12_mois=info["evolution_12_mois"],
    )
    data.facts["demandeurs"] = dict(section.facts)
    return _done(data, section)


def _signed(change: float | None, share: float | None) -> str:
    """« +120 (+2,3 %) », or « non calculable »."""
    if change is None:
        return Missing.NOT_COMPUTABLE.label
    sign = "+" if change > 0 else ""
    shown = f"{sign}{format_int(round(change))}"
    if share is not None:
        shown += f" ({sign}{format_percent(share)})"
    return shown


def section_partners_map(data: PortraitData) -> Section:
    """Map and list of the partner structures located in or serving the territory."""
    from diagnostics.coverage import map_partners
    from diagnostics.partners import stale_partners

    section, values = _start(data, "partenaires", "partenaires.annuaire")
    if values is None:
        return section
    here = data.partners_here()
    if here is None or here.empty:
        section.absent("Aucune structure de l'annuaire n'est implantée ou n'intervient ici.")
        return _done(data, section)
    counts = (
        here.groupby(["type", "type_libelle"], dropna=False)
        .agg(implantes=("implante", "sum"), intervenant=("partenaire_id", "size"))
        .reset_index()
        .sort_values(["intervenant", "type"], ascending=[False, True], kind="stable")
    )
    try:
        m = map_partners(
            here,
            geometries=data.inputs.commune_shapes(),
            background=_map_background(data),
            title=f"Partenaires – {data.territory.name}",
            sites=_sites_here(data),
            outline=data.outline(),
            frame=data.outline(),
        )
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    section.map(m, name="partenaires", title=f"Partenaires du territoire {data.label}")
    _note_input_problems(
        section,
        {"partenaires": data.inputs.get("partenaires.annuaire")},
        "de l'annuaire des partenaires signalée(s)",
        data=data,
    )
    section.table(
        counts,
        name="par_type",
        display=frame_for_display(
            counts,
            [
                ("type_libelle", "Type de structure", None),
                ("implantes", "Implantées dans le territoire", format_int),
                ("intervenant", "Intervenant sur le territoire", format_int),
            ],
        ),
        caption="Structures implantées (site dans une commune du territoire) ou dont le "
        "ressort couvre au moins une commune du territoire.",
    )
    stale = stale_partners(here)
    if len(stale):
        section.note(
            f"{len(stale)} structure(s) sur {len(here)} n'ont pas été vérifiées depuis plus de "
            "24 mois (ou jamais) : la cartographie des acteurs est à tenir à jour."
        )
        section.table(
            stale,
            name="a_verifier",
            display=frame_for_display(
                stale,
                [
                    ("nom", "Structure", None),
                    ("type_libelle", "Type", None),
                    ("motif", "Motif", None),
                ],
            ),
            max_rows=15,
        )
    return _done(data, section)


def section_coverage(data: PortraitData) -> Section:
    """Coverage of the territory's communes by each partner type, uncovered communes."""
    from diagnostics.coverage import (
        commune_coverage,
        map_coverage,
        partner_coverage,
        uncovered_communes,
    )

    section, values = _start(data, "couverture", "partenaires.annuaire")
    if values is None:
        return section
    (partners,) = values
    ressort = data.inputs.ressort()
    exact = data.inputs.commune_shapes_exact()
    try:
        coverage = partner_coverage(
            partners, ressort, data.inputs.commune_table(), by=data.territory, geometries=exact
        )
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    coverage = coverage[coverage["nb_structures"] > 0]
    section.table(
        coverage,
        name="couverture",
        display=frame_for_display(
            coverage,
            [
                ("type_libelle", "Type de structure", None),
                ("nb_structures", "Structures", format_int),
                ("part_communes_couvertes", "Communes couvertes", format_percent),
                ("part_population_couverte", "Population couverte", format_percent),
                ("distance_moyenne_km", "Distance moyenne (km)", format_number),
                ("part_population_au_dela_seuil", "Population à plus de 20 km", format_percent),
            ],
        ),
        caption="Couverture par type : communes dans le ressort d'au moins une structure, "
        "distance à vol d'oiseau au site le plus proche (pondérée par la population).",
    )
    shapes = data.shapes()
    if shapes is not None:
        communes = data.communes()
        per_commune = commune_coverage(partners, ressort, communes, geometries=exact)
        highlight = "mission_locale" if (per_commune["type"] == "mission_locale").any() else None
        m = map_coverage(per_commune, shapes, highlight_type=highlight)
        section.map(m, name="couverture", title=f"Couverture des communes – {data.label}")
    uncovered = uncovered_communes(partners, ressort, data.communes(), types="mission_locale")
    if len(uncovered):
        section.note(
            f"{len(uncovered)} commune(s) hors du ressort de toute mission locale : "
            + ", ".join(uncovered["commune_nom"].fillna(uncovered["commune"]).astype(str)[:15])
            + (" …" if len(uncovered) > 15 else "")
        )
        section.tables["communes_sans_mission_locale"] = uncovered
    _note_input_problems(
        section,
        {"partenaires": partners},
        "de l'annuaire des partenaires signalée(s)",
        data=data,
    )
    return _done(data, section)


def _jobseeker_estimates(data: PortraitData, series: pd.DataFrame) -> Any:
    """Job seekers of every commune, once per configuration.

    :func:`~diagnostics.jobseekers.jobseekers_by_commune`, shared by the job-seeker,
    access and synthesis sections.
    """
    from diagnostics.jobseekers import jobseekers_by_commune

    table = data.inputs.commune_table()
    return data.inputs.cached("demandeurs_communes", lambda: jobseekers_by_commune(series, table))


def _access_jobseekers(data: PortraitData) -> pd.Series | None:
    """Job seekers per commune at the series' last month (published, else estimated).

    ``None`` when the configuration names no job-seeker file (``[demandeurs]``) or it
    cannot be used: the access section then leaves its job-seeker columns out.
    """
    if not data.inputs.config.files("demandeurs.fichier"):
        return None
    series = data.inputs.get("demandeurs.fichier")
    if series is None:
        return None
    try:
        estimates = _jobseeker_estimates(data, series)
    except WorkbenchError:
        return None
    values = estimates.values
    if values.empty:
        return None
    return values[values.columns.max()].rename("demandeurs")


def section_access(data: PortraitData) -> Section:
    """Access to the agences locales: distances from the communes, people far from one.

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> s = section_access(data)
    >>> s.status, sorted(s.tables)
    ('produite', ['acces', 'agences', 'communes_eloignees', 'distances'])
    """
    from diagnostics.coverage import (
        ACCESS_THRESHOLDS_KM,
        agence_access,
        map_partners,
        nearest_agence_distance,
    )

    section, values = _start(data, "acces", "partenaires.sites_france_travail")
    if values is None:
        return section
    (sites,) = values
    exact = data.inputs.commune_shapes_exact()
    if not data.config.files("referentiels.communes_polygones"):
        return _omit(data, section, ["referentiels.communes_polygones"])
    if exact is None:
        section.absent(
            "Section non établie : les contours des communes manquent pour mesurer les distances."
        )
        return _done(data, section)
    seekers = _access_jobseekers(data)
    try:
        access = agence_access(
            sites,
            data.inputs.commune_table(),
            geometries=exact,
            by=data.territory,
            jobseekers=seekers,
        )
        distances = nearest_agence_distance(sites, exact, communes=data.communes())
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    here = set(data.territory.communes)
    agences = sites[(sites["niveau"] == "agence") & sites["commune"].isin(here)]
    row = access.iloc[0]
    section.text(
        f"{format_int(len(agences))} agence(s) France Travail dans le territoire. Distance à "
        "vol d'oiseau du centre de chaque commune à l'agence la plus proche, où qu'elle soit "
        f"(même hors du territoire) : {format_number(row['distance_moyenne_km'])} km en "
        f"moyenne pondérée par la population, {format_number(row['distance_max_km'])} km au "
        "plus."
    )
    columns: list[tuple[str, str, Callable[..., str] | None]] = [
        ("nb_agences", "Agences", format_int),
        ("population", "Population", format_int),
        ("distance_moyenne_km", "Distance moyenne (km)", format_number),
    ]
    for km in ACCESS_THRESHOLDS_KM:
        columns.append(
            (
                f"part_population_au_dela_{km:g}_km",
                f"Population à plus de {km:g} km",
                format_percent,
            )
        )
    if seekers is not None:
        columns.append(("demandeurs", "Demandeurs d'emploi", format_int))
        for km in ACCESS_THRESHOLDS_KM:
            columns.append(
                (
                    f"part_demandeurs_au_dela_{km:g}_km",
                    f"Demandeurs à plus de {km:g} km",
                    format_percent,
                )
            )
        columns.append(
            ("agences_pour_10000_demandeurs", "Agences pour 10 000 demandeurs", format_number)
        )
    section.table(
        access,
        name="acces",
        display=frame_for_display(access, columns),
        caption="Parts de la population"
        + (" et des demandeurs d'emploi" if seekers is not None else "")
        + " vivant à plus de 10, 20 et 30 km (à vol d'oiseau, Lambert-93) d'une agence locale.",
    )
    if seekers is None:
        section.note(
            "Demandeurs d'emploi non disponibles : les parts de demandeurs éloignés et le nombre "
            "d'agences pour 10 000 demandeurs ne sont pas calculés."
        )
    nearest = distances.merge(
        data.communes()[["commune", "commune_nom", "population"]], on="commune", how="left"
    )
    far = nearest.sort_values("distance_km", ascending=False, kind="stable").head(10)
    section.table(
        far,
        name="communes_eloignees",
        display=frame_for_display(
            far,
            [
                ("commune_nom", "Commune", None),
                ("population", "Population", format_int),
                ("distance_km", "Distance (km)", format_number),
                ("agence_nom", "Agence la plus proche", None),
            ],
        ),
        caption="Les communes les plus éloignées d'une agence locale.",
    )
    section.tables["distances"] = nearest
    section.tables["agences"] = _cog_names(data, agences).reset_index(drop=True)
    shown = _cog_names(
        data,
        sites[
            sites["commune"].isin(here)
            | sites["site_id"].isin(set(distances["agence_proche"].dropna()))
        ],
    )
    no_partner = pd.DataFrame(
        {"partenaire_id": pd.Series(dtype="string"), "type": pd.Series(dtype="string")}
    )
    outline = data.outline()
    try:
        m = map_partners(
            no_partner,
            sites=shown,
            background=_map_background(data),
            title=f"France Travail – {data.territory.name}",
            outline=outline,
            frame=_territory_and_points(outline, shown),
        )
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    section.map(m, name="acces", title=f"Sites France Travail – {data.label}")
    _note_input_problems(
        section, {"sites": sites}, "des sites France Travail signalée(s)", data=data
    )
    return _done(data, section)


def _map_background(data: PortraitData) -> gpd.GeoDataFrame | None:
    """The grey ground of a map of points: the territory's communes, its départements for a région."""
    return data.departement_shapes() if data.territory.level == "region" else data.shapes()


def _territory_and_points(
    outline: gpd.GeoDataFrame | None, points: pd.DataFrame
) -> gpd.GeoDataFrame | None:
    """The territory and the located ``points`` (``latitude``, ``longitude``): what a map frames."""
    import geopandas as gpd

    lat = pd.to_numeric(points["latitude"], errors="coerce")
    lon = pd.to_numeric(points["longitude"], errors="coerce")
    ok = (lat.notna() & lon.notna()).to_numpy()
    parts = [gpd.GeoSeries(gpd.points_from_xy(lon[ok], lat[ok]), crs=settings.storage_crs)]
    if outline is not None:
        parts.append(outline.geometry.to_crs(settings.storage_crs))
    frame = gpd.GeoDataFrame(geometry=pd.concat(parts, ignore_index=True), crs=settings.storage_crs)
    return frame if len(frame) else None


def section_positioning(data: PortraitData) -> Section:
    """The positioning grid of the territory's actors (domains × client situations)."""
    from diagnostics.positioning import (
        plot_positioning_heatmap,
        pole_emploi_roles,
        positioning_grid,
    )

    section, values = _start(data, "positionnement", "partenaires.positionnement")
    if values is None:
        return section
    (roles,) = values
    partners = data.inputs.get("partenaires.annuaire")
    local = roles[roles["territoire"] == data.key]
    fig, ax = _figure(10, 4.2)
    if local.empty:
        section.absent(
            f"Aucun rôle n'est saisi pour ce territoire ({data.key}) dans le fichier de "
            "positionnement : la grille ci-dessous est la matrice de référence nationale (2010)."
        )
        grid = positioning_grid()
        plot_positioning_heatmap(ax=ax)
    else:
        grid = positioning_grid(local, territory=data.key, partners=partners)
        plot_positioning_heatmap(pole_emploi_roles(local), territory=data.key, ax=ax)
    section.figure(fig, name="pole_emploi", alt="Rôles de France Travail par domaine et situation")
    display = grid.copy()
    display.columns = [
        " – ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in grid.columns
    ]
    display.insert(0, "Domaine", grid.index.astype(str))
    section.table(
        grid,
        name="grille",
        display=display.reset_index(drop=True),
        caption="Acteurs positionnés par domaine (lignes) et situation des clients (colonnes).",
    )
    section.facts["roles_saisis"] = len(local)
    _note_input_problems(
        section, {"positionnement": roles}, "de positionnement signalée(s)", data=data
    )
    return _done(data, section)


def section_positioning_gaps(data: PortraitData) -> Section:
    """The gaps of the positioning: cells without pivot, unsupported cells, missing types..."""
    from diagnostics.positioning import positioning_gaps

    section, values = _start(
        data, "positionnement_manques", "partenaires.positionnement", "partenaires.annuaire"
    )
    if values is None:
        return section
    roles, partners = values
    local = roles[roles["territoire"] == data.key]
    if local.empty:
        section.absent(f"Pas de positionnement saisi pour {data.key} : pas d'analyse des manques.")
        return _done(data, section)
    try:
        gaps = positioning_gaps(
            local, partners, data.inputs.commune_table(), ressort=data.inputs.ressort()
        )
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    titles = {
        "cellules_sans_pivot": "Cellules sans pivot",
        "pole_emploi_sans_appui": "France Travail pivot ou structurant sans appui",
        "pivots_a_soutenir": "Pivots locaux à soutenir",
        "types_prioritaires_absents": "Types de partenaires prioritaires absents",
        "acteurs_hors_priorites": "Acteurs hors des priorités",
        "entrees_perimees": "Entrées à revérifier",
    }
    counts = [(label, len(gaps.get(name, ()))) for name, label in titles.items()]
    frame = pd.DataFrame(counts, columns=["Constat", "Nombre"])
    section.table(
        frame, name="synthese", display=frame.assign(Nombre=frame["Nombre"].map(format_int))
    )
    for name, label in titles.items():
        table = gaps.get(name)
        if table is None or table.empty or "constat" not in table.columns:
            continue
        section.heading(label, level=4)
        section.bullets(table["constat"].astype(str).head(8).tolist())
        if len(table) > 8:
            section.text(f"… et {len(table) - 8} autre(s).")
        section.tables[name] = table
    return _done(data, section)


# --------------------------------------------------------------------------- cotraitance

_COTRAITANCE_OPTIONAL = {
    "needs": "cotraitance.besoins",
    "episodes": "cotraitance.episodes",
    "periods": "cotraitance.periodes",
    "ressorts": "cotraitance.ressorts",
}


def section_cotraitance(data: PortraitData) -> Section:
    """Cotraitance with the missions locales of the territory, under disclosure control.

    The month shown is the last month of the flows up to the date of observation
    (:attr:`PortraitData.date`); attainment and alerts are those of the territory's
    missions locales (sited in it, or whose ressort meets it), of their
    départements and région, computed on the whole files
    (:func:`diagnostics.cotraitance.cotraitance_section`). Every count built from the
    episode extract goes through :mod:`diagnostics.disclosure` (threshold of
    :data:`geo.settings.disclosure_threshold`).

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> s = section_cotraitance(data)
    >>> s.status, s.facts["periode"], s.facts["missions_locales"]
    ('produite', '2024-06', ['P0001'])
    """
    from diagnostics import cotraitance as ct

    section, values = _start(
        data, "cotraitance", "cotraitance.structures", "cotraitance.flux", "cotraitance.objectifs"
    )
    if values is None:
        return section
    structures, flows, objectives = values
    optional = _optional_inputs(data, _COTRAITANCE_OPTIONAL)
    until = f"{data.date:%Y-%m}"
    months = flows.loc[flows["mois"] <= until, "mois"]
    if months.empty:
        section.absent(
            f"Aucun flux de cotraitance jusqu'en {until} dans {flows.attrs.get('fichier', 'le fichier des flux')} "
            "(la date d'observation du portrait est la clé « date » de la configuration)."
        )
        return _done(data, section)
    last = str(months.max())
    year, month = int(last[:4]), int(last[5:7])
    if not (objectives["annee"] == year).any():
        section.absent(
            f"Pas d'objectif de cotraitance pour {year} dans "
            f"{objectives.attrs.get('fichier', 'le fichier des objectifs')} : ajoutez les "
            "objectifs de l'année pour suivre leur atteinte."
        )
        return _done(data, section)
    local = ct.missions_locales_of(structures, data.territory, optional.get("ressorts"))
    section.facts.update(periode=last, missions_locales=local)
    if not local:
        section.absent(
            "Aucune mission locale du fichier des structures n'est implantée sur le territoire "
            "ni ne le couvre (communes du ressort)."
        )
        return _done(data, section)

    def build():
        return ct.cotraitance_section(
            flows, objectives, structures, year=year, month=month, **optional
        )

    try:
        full = data.inputs.cached(("cotraitance", year, month), build)
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    names = structures.set_index("code")["nom"].to_dict()
    mine = ct.local_tables(full, structures, local)
    attainment = mine["atteinte"]
    keys = ("alertes", "paiements", "delais", "stocks", "sorties_dues", "affectations_non_annulees")
    tables: dict[str, Any] = {"atteinte": attainment, **{k: mine[k] for k in keys if k in mine}}
    facts = ct.alert_summary(tables, structures, year=year, month=month)
    section.text(
        f"Missions locales suivies : {', '.join(f'{names.get(c, c)} ({c})' for c in local)}. "
        f"Situation à fin {format_month(year, month)}."
    )
    section.bullets(ct.alert_sentences([f for f in facts if f.kind != "situation"], bullet=""))

    year_flows = flows[
        (flows["mois"].str[:4].astype(int) == year)
        & (flows["mois"] <= last)
        & flows["mission_locale"].isin(local)
    ]
    objective = attainment.loc[attainment["niveau"] == "mission_locale", "objectif"].sum()
    pace = ct.monthly_pace(year_flows, float(objective), year=year)
    tables["rythme"] = pace
    section.heading("Entrées cumulées et rythme de l'objectif")
    section.figure(
        cast("Figure", ct.plot_pace(pace, title=f"Missions locales du territoire – {year}").figure),
        name="rythme",
        alt="Entrées cumulées en cotraitance face au rythme linéaire de l'objectif",
    )
    section.heading("Atteinte des objectifs")
    shown = attainment.assign(
        nom=[
            _LEVEL_NAMES.get(level, level) + " " + names.get(code, code)
            for level, code in zip(attainment["niveau"], attainment["territoire"], strict=True)
        ]
    )
    section.table(
        shown,
        name="atteinte",
        display=frame_for_display(
            shown,
            [
                ("nom", "Territoire", None),
                ("objectif", f"Objectif {year}", format_int),
                ("entrees_objectif", "Entrées comptées", format_int),
                ("taux_atteinte", "Atteinte", format_percent),
                ("projection_fin_annee", "Projection au 31/12", format_int),
                ("taux_projete", "Projection / objectif", format_percent),
            ],
        ),
        caption="Entrées comptées à l'initialisation (règle de l'accord), CIVIS exclus ; "
        "projection au rythme linéaire. Une case vide est sous secret statistique.",
    )
    if "delais" in tables and len(tables["delais"]):
        delays = tables["delais"].assign(
            nom=tables["delais"]["mission_locale"].map(names),
            etape=tables["delais"]["delai"].map(_DELAY_LABELS).fillna(tables["delais"]["delai"]),
        )
        section.heading("Délais d'entrée (jours)")
        section.table(
            delays,
            name="delais",
            display=frame_for_display(
                delays,
                [
                    ("nom", "Mission locale", None),
                    ("etape", "Étape", None),
                    ("n", "Épisodes", format_int),
                    ("mediane_jours", "Médiane", format_number),
                    ("p90_jours", "9e décile", format_number),
                ],
            ),
            caption=f"Épisodes affectés en {year} (extraction pseudonymisée, petits effectifs "
            "masqués).",
        )
    sankey = ct.sankey_links(year_flows, structures)
    tables["sankey"] = sankey
    section.heading("Flux agence → mission locale → sortie")
    section.figure(
        cast(
            "Figure",
            ct.plot_sankey(sankey, title=f"Flux de cotraitance {year} (jusqu'à {last})").figure,
        ),
        name="sankey",
        alt="Diagramme des flux agence, mission locale, motif de sortie",
    )
    try:
        flow_map = ct.map_flows(year_flows, structures, title=f"Affectations {year}")
    except (WorkbenchError, ValueError) as exc:
        section.note(f"Carte des flux non établie : {exc}")
    else:
        section.map(flow_map, name="flux", title=f"Affectations agence → mission locale {year}")
    _note_input_problems(
        section,
        {"structures": structures, "flows": flows, "objectives": objectives, **optional},
        "de cotraitance écartée(s)",
        data=data,
    )
    section.tables.update(tables)
    return _done(data, section)


_LEVEL_NAMES = {"mission_locale": "", "departement": "Département", "region": "Région"}
_DELAY_LABELS = {
    "affectation_acceptation": "affectation → acceptation",
    "affectation_initialisation": "affectation → initialisation",
    "acceptation_initialisation": "acceptation → initialisation",
}


# --------------------------------------------------------------------------- network

_CHECK_LABELS = {
    "sans_indicateur": "Sans indicateur défini a priori",
    "evaluation_en_retard": "Évaluation en retard",
    "terminee_en_cours": "Terminés mais encore « en cours »",
    "renouvellement_a_preparer": "Renouvellement à préparer",
    "multilateral_suggere": "À rendre multilatéraux",
}


def section_network(data: PortraitData) -> Section:
    """The partner network of the territory: graph, reading in French, partnership follow-up.

    The actors are the partners sited in the territory or whose ressort meets it,
    with the other parties of their partnerships in force at the date of
    observation (:func:`diagnostics.network.partner_network`); the reading names
    the central and isolated actors and where declared pivots and structural
    ones differ (:func:`diagnostics.network.network_section`).

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> s = section_network(data)
    >>> s.status, s.facts["acteurs"] > 0
    ('produite', True)
    """
    from diagnostics import network as nw
    from diagnostics import partnerships as ps

    section, values = _start(data, "reseau", "partenaires.annuaire", "partenariats.registre")
    if values is None:
        return section
    partners, registry = values
    roles = data.inputs.get("partenaires.positionnement")
    if roles is not None:
        roles = roles[roles["territoire"] == data.key]
    try:
        graph = nw.partner_network(
            partners,
            registry,
            flows=data.inputs.get("partenariats.flux"),
            units=data.inputs.pole_emploi_units(),
            positioning=roles if roles is not None and len(roles) else None,
            date=data.date,
            communes=data.territory,
        )
        result = nw.network_section(graph)
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    actors = result.metrics
    section.facts.update(acteurs=len(actors), date=f"{data.date:%Y-%m-%d}")
    section.text(f"Partenariats en vigueur au {data.date:%d/%m/%Y}.")
    section.bullets(result.reading)
    for remark in graph.graph.get("remarques", []):
        section.note(remark)
    if not len(actors):
        return _done(data, section)
    section.figure(
        result.figure(title=f"Réseau des partenaires – {data.territory.name}"),
        name="reseau",
        alt="Graphe des acteurs du territoire et de leurs partenariats",
    )
    section.page(
        result.html(title=f"Réseau des partenaires – {data.territory.name}"),
        name="reseau",
        title="Réseau des partenaires (vue interactive)",
    )
    central = actors.sort_values(["intermediarite", "degre"], ascending=False).head(10)
    section.table(
        central,
        name="acteurs_centraux",
        display=frame_for_display(
            central,
            [
                ("nom", "Acteur", None),
                ("degre", "Partenaires", format_int),
                ("intermediarite", "Intermédiarité", lambda v: format_number(v, 3)),
                ("pivot_declare", "Pivot déclaré", None),
            ],
        ),
        caption="Les dix acteurs les plus centraux (intermédiarité : part des plus courts "
        "chemins entre deux acteurs qui passent par lui).",
    )
    if len(result.pivots):
        section.tables["pivots"] = result.pivots
    section.tables.update(acteurs=actors, liens=result.bridges, densites=result.densities)
    indicators = data.inputs.get("partenariats.indicateurs")
    if indicators is not None:
        here = set(graph.nodes)
        involved = registry[registry["parties"].map(lambda parties: bool(set(parties) & here))]
        checks = ps.lifecycle_checks(involved, indicators, date=data.date)
        counts = (
            checks.groupby("controle")["partenariat_id"]
            .nunique()
            .reindex(list(_CHECK_LABELS), fill_value=0)
        )
        frame = pd.DataFrame(
            {"Contrôle": [_CHECK_LABELS[c] for c in counts.index], "Partenariats": counts.values}
        )
        section.heading("Suivi des partenariats")
        section.table(
            frame,
            name="controles",
            display=frame.assign(Partenariats=frame["Partenariats"].map(format_int)),
            caption=f"{len(involved)} partenariat(s) concernant les acteurs du territoire, "
            "contrôlés à la date d'observation (cycle de vie du rapport sur la "
            "territorialisation).",
        )
        section.tables["controles"] = checks
    return _done(data, section)


# --------------------------------------------------------------------------- formation

_TRAINING_OPTIONAL = {
    "agences": "formation.agences",
    "poe": "formation.poe",
    "correspondence": "formation.correspondance",
}


def section_training(data: PortraitData) -> Section:
    """Training: the AFPA funnel, fill rates, flows to training sites, training against needs.

    The prescriptions of the territory's agences (wherever they send people) and
    the sessions sited in it (whoever prescribed), for the latest year of
    prescription up to the date of observation; the needs are the territory's BMO
    métiers (:func:`diagnostics.training.training_section`). Counts from the
    prescriptions (personal data) are under disclosure control.

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> s = section_training(data)
    >>> s.status, s.facts["annee"]
    ('produite', 2024)
    """
    from diagnostics import training as tr

    section, values = _start(data, "formation", "formation.sessions", "formation.prescriptions")
    if values is None:
        return section
    sessions, prescriptions = values
    optional = _optional_inputs(data, _TRAINING_OPTIONAL)
    dates = prescriptions["date_prescription"]
    dates = dates[dates <= pd.Timestamp(data.date)]
    if dates.empty:
        section.absent(
            f"Aucune prescription de formation jusqu'au {data.date:%d/%m/%Y} dans "
            f"{prescriptions.attrs.get('fichier', 'le fichier des prescriptions')}."
        )
        return _done(data, section)
    year = int(dates.dt.year.max())
    section.facts["annee"] = year
    try:
        result = tr.training_section(
            sessions,
            prescriptions,
            **optional,
            bmo=data.bmo_local(),
            year=year,
            territory=data.territory,
            departements=data.inputs.get("referentiels.departements"),
        )
    except WorkbenchError as exc:
        return _failed(data, section, exc)
    section.bullets(tr.training_sentences(tr.training_summary(result)))
    section.heading("De la prescription à la certification")
    section.figure(
        result["figure_entonnoir"],
        name="entonnoir",
        alt="Entonnoir des prescriptions de formation des agences du territoire",
    )
    by_agence = result["entonnoir_agences"]
    section.table(
        by_agence,
        name="entonnoir_agences",
        display=frame_for_display(
            by_agence,
            [
                ("agence_nom", "Agence", None),
                ("prescriptions", "Prescriptions", format_int),
                ("prescriptions_hors_region", "dont hors région", format_int),
                ("reservations", "Réservations", format_int),
                ("entrees", "Entrées", format_int),
                ("taux_desistement", "Désistement", format_percent),
                ("taux_reussite", "Réussite", format_percent),
            ],
        ).fillna({"Agence": "Ensemble"}),
        caption="Indicateurs de la convention Pôle emploi – AFPA (S003 L224-L234), prescriptions "
        f"de {year} des agences du territoire. Une case vide est sous secret statistique.",
    )
    fill = result["remplissage"]
    section.heading("Remplissage des places financées")
    section.table(
        fill,
        name="remplissage",
        display=frame_for_display(
            fill,
            [
                ("financeur", "Financeur", None),
                ("sessions", "Sessions", format_int),
                ("places", "Places", format_int),
                ("entrees", "Entrées", format_int),
                ("taux_remplissage", "Taux de remplissage", format_percent),
            ],
        ),
        caption=f"Sessions implantées sur le territoire et commençant en {year}, quelle que soit "
        "l'agence prescriptrice.",
    )
    if "carte_flux" in result:
        section.map(
            result["carte_flux"],
            name="flux",
            title=f"Prescriptions des agences vers les lieux de formation {year}",
        )
    needs = result.get("besoins")
    if needs is not None and len(needs):
        flagged = needs[needs["alerte"].fillna("").astype(str).str.strip() != ""]
        section.heading("Formation et besoins de recrutement")
        section.table(
            flagged,
            name="besoins",
            display=frame_for_display(
                flagged,
                [
                    ("metier_nom", "Métier", None),
                    ("projets", "Projets BMO", format_int),
                    ("part_difficiles", "Difficiles", format_percent),
                    ("places", "Places", format_int),
                    ("entrees", "Entrées", format_int),
                    ("alerte", "Constat", None),
                ],
            ),
            caption="Métiers en tension peu couverts par la formation et formations avec peu de "
            "projets de recrutement (enquête BMO du territoire, correspondance FAP ↔ ROME ; la "
            "colonne lien_bmo du tableau complet dit quel rapprochement a servi).",
        )
    annex = result["annexe_region"]
    computed = int((annex["statut"] != tr.NOT_COMPUTABLE).sum())
    section.note(
        f"Indicateurs de l'annexe de la convention Région – Pôle emploi : {computed} calculés sur "
        f"{len(annex)} lignes ; les autres sont « {tr.NOT_COMPUTABLE} » (tableau annexe_region)."
    )
    _note_input_problems(
        section,
        {"sessions": sessions, "prescriptions": prescriptions, **optional},
        "de formation signalée(s)",
        data=data,
    )
    section.tables.update({k: v for k, v in result.items() if isinstance(v, pd.DataFrame)})
    return _done(data, section)


def section_completion(data: PortraitData) -> Section:
    """One box: which files would add the sections left out of the portrait, in plain French.

    The sections whose inputs are not configured are left out of the portrait
    (:data:`PortraitData.omitted`); this box, placed once at the end, names for
    each missing file what it would add (no configuration key). Empty when
    nothing was left out.

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> data.omitted["reseau"] = ("partenaires.annuaire", "partenariats.registre")
    >>> data.omitted["couverture"] = ("partenaires.annuaire",)
    >>> print(repr(section_completion(data)))
    Pour compléter ce portrait : un annuaire des partenaires ajouterait le réseau des partenaires (avec un registre des partenariats) et la couverture des communes.
    """
    section = Section("completer")
    groups: dict[str, list[str]] = {}
    for name, keys in data.omitted.items():
        what = _SECTION_LABELS.get(name, name)
        if len(keys) > 1:
            what += f" (avec {_french_list([_input_phrase(k) for k in keys[1:]])})"
        groups.setdefault(keys[0], []).append(what)
    if not groups:
        return _done(data, section)
    text = "Pour compléter ce portrait : " + " ; ".join(
        f"{_input_phrase(key)} "
        f"{'ajouteraient' if _input_phrase(key).startswith('les ') else 'ajouterait'} "
        f"{_french_list(items)}"
        for key, items in groups.items()
    )
    section.html(f'<p class="completer">{_escape(text)}.</p>', text=f"{text}.")
    return _done(data, section)


def section_sources(data: PortraitData) -> Section:
    """Sources, vintages and methods: the files used, their checksums, the rules applied."""
    from diagnostics._cache import file_checksum
    from diagnostics.bmo import SECRET_MAX

    section = Section("sources")
    rows = []
    for key, spec in INPUTS.items():
        paths = data.config.files(key)
        problem = data.inputs.problems().get(key)
        if not paths:
            state = Missing.NOT_PROVIDED.label
        elif problem:
            state = problem
        elif data.inputs.loaded(key) is not None:
            state = "utilisé"
        else:
            state = "non utilisé par ce portrait"
        names = ", ".join(p.name for p in paths) or DASH
        sizes = sum(p.stat().st_size for p in paths if p.is_file())
        sums = ", ".join(
            data.inputs.cached(("sha256", p), functools.partial(file_checksum, p))[:12]
            for p in paths
            if p.is_file()
        )
        rows.append(
            (spec.label, names, format_count(sizes / 1000, "Ko") if sizes else DASH, sums, state)
        )
    frame = pd.DataFrame(
        rows, columns=["Donnée", "Fichier(s)", "Taille", "Empreinte SHA-256", "État"]
    )
    # The files not given are said once, in plain words, by section_completion: the
    # table shows the files of this portrait (``.tables["fichiers"]`` keeps every input).
    given = frame[frame["État"] != Missing.NOT_PROVIDED.label]
    section.table(frame, name="fichiers", display=given, max_rows=len(frame))
    elsewhere = _problems_elsewhere(data)
    if elsewhere:
        section.facts["remarques_autres_territoires"] = dict(elsewhere)
        section.text(
            f"{format_int(sum(elsewhere.values()))} autre(s) remarque(s) de lecture des fichiers "
            "concernent d'autres territoires ("
            + " ; ".join(f"{name} : {format_int(n)}" for name, n in elsewhere.items())
            + ") : elles ne sont pas reprises dans ce portrait (détail : rapport de lecture "
            "de chaque fichier)."
        )
    bmo = data.inputs.loaded("bmo.fichiers")
    if bmo is not None:
        section.heading("Fichiers de l'enquête BMO")
        section.text(
            "Lecture de chaque fichier en entier, tous territoires confondus : ces comptes et "
            "ces corrections portent sur le fichier, pas sur le seul territoire."
        )
        section.bullets(bmo.attrs.get("rapports", []))
    methods = [
        "Territoires : ensembles de communes du référentiel (tables de correspondance "
        "communes → territoire) ; les contours d'un autre millésime du COG sont rattachés au "
        "code courant par la table de passage.",
        f"Cartes : contours simplifiés ensemble (frontières communes conservées, tolérance "
        f"{COMMUNE_TOLERANCE_M:.0f} m pour les communes, {TERRITORY_TOLERANCE_M:.0f} m pour les "
        "territoires) ; superficies et distances calculées en Lambert-93 sur les contours "
        "d'origine.",
        "Enquête BMO : les cellules masquées (« * ») ne sont pas comptées pour zéro ; chaque total "
        f"est donné avec ses bornes (une cellule masquée vaut de 0 à {SECRET_MAX} projets).",
        "Partenaires : une commune est couverte par un type de structure si elle est dans le "
        "ressort d'au moins une structure de ce type ; distances à vol d'oiseau au site le plus "
        "proche, où qu'il soit.",
        f"Secret statistique des données de personnes : {_secrecy_rule()}.",
    ]
    local = data.derived("bmo_local")
    if local is not None:
        methods.append(f"Rattachement BMO : {local.attrs['territoire']['allocation']}.")
    exact = data.inputs.derived("shapes_exact")
    if exact is not None:
        inside = set(data.territory.communes)
        moved = [
            old for old, new in exact.attrs.get("codes_rattaches", {}).items() if new in inside
        ]
        if moved:
            methods.append(
                f"{format_int(len(moved))} contour(s) de commune du territoire, d'un autre "
                "millésime du COG, rattaché(s) au code courant par la table de passage "
                f"({', '.join(sorted(moved)[:10])}{' ...' if len(moved) > 10 else ''})."
            )
        methods += [
            f"Fichiers de contours (tous territoires) : {remark}"
            for remark in exact.attrs.get("remarques", [])
        ]
    section.heading("Méthodes")
    section.bullets(methods)
    section.text(
        f"Portrait produit le {data.produced:%d/%m/%Y à %H:%M} par l'atelier territoires "
        f"(version {workbench_version()})."
    )
    return _done(data, section)


def _problems_elsewhere(data: PortraitData) -> dict[str, int]:
    """File name → number of reading problems about other places, for the inputs read."""
    counts: dict[str, int] = {}
    for key in INPUTS:
        table = data.inputs.loaded(key)
        if not isinstance(table, pd.DataFrame):
            continue
        for problem in _problems_here(data, collect_problems({key: table}))[1]:
            counts[problem.file] = counts.get(problem.file, 0) + 1
    return counts


def save_portrait_summary(data: PortraitData, path: str | Path | None) -> Path | None:
    """Write the portrait's key figures and section states as JSON (nothing if ``path`` is empty).

    The file holds ``territoire`` (niveau, code, nom, communes), ``chiffres_cles``
    (those computed by :func:`section_key_figures`), ``sections`` (name →
    ``"produite"``, the French reason why it is empty, or « absente : ... » when it
    is left out for want of a configured input) and ``avertissements``
    (input files named in the configuration but missing or unreadable).

    Examples
    --------
    >>> import json, tempfile
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9903")
    >>> _ = section_key_figures(data)
    >>> out = save_portrait_summary(data, Path(tempfile.mkdtemp()) / "resume.json")
    >>> json.loads(out.read_text(encoding="utf-8"))["territoire"]["code"]
    '9903'
    """
    if not path:
        return None
    payload = {
        "territoire": {
            "niveau": data.territory.level,
            "code": data.territory.code,
            "nom": data.territory.name,
            "libelle": data.label,
            "communes": len(data.territory),
        },
        "annees": list(data.years) if data.years else None,
        "chiffres_cles": dict(data.facts),
        "sections": dict(data.sections),
        "avertissements": data.inputs.warnings(),
        "produit_le": data.produced.isoformat(),
    }
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    return out


def _escape(text: str) -> str:
    from geo.escape import html_text

    return html_text(text)
