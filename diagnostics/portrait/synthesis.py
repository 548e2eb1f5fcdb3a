"""The synthesis at the top of a portrait, and the comparisons with the région and France.

:func:`section_synthesis` is the screen a director reads first: tiles for the
headline figures (each with its evolution and its gap to the région and to France)
and a few sentences of reading generated from the figures
(:func:`diagnostics.comparison.comparison_sentences`). :func:`section_comparisons`
gives the detail: the territory beside its département(s), its région and France,
its rank in the région, its specialisation by métier family and the comparable
territories of France.

A batch builds tens or hundreds of portraits in one warm kernel: what does not depend
on the territory (the figures of every département and région and of France, the
territories of a région, the recruitment profile of every bassin of France) is
computed once per configuration with :meth:`TerritoryInputs.cached
<diagnostics.portrait.inputs.TerritoryInputs.cached>`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from diagnostics.portrait.html import Section, frame_for_display
from diagnostics.portrait.loading import PortraitData, load_portrait  # noqa: F401  (examples)
from geo import settings  # noqa: F401  (examples)
from geo._errors import WorkbenchError
from geo.display import (
    DASH,
    format_int,
    format_month,
    format_number,
    format_percent,
    is_missing,
)
from geo.escape import html_text

__all__ = ["section_synthesis", "section_comparisons"]

_DIRECT = ("bassin", "departement", "region")


# --------------------------------------------------------------------------- shared figures


def _year(data: PortraitData) -> int | None:
    bmo = data.bmo()
    return None if bmo is None else int(bmo["annee"].max())


def _jobseekers(data: PortraitData) -> tuple[pd.DataFrame | None, Any]:
    """The job-seeker series and its commune estimates (shared with the job-seeker section)."""
    from diagnostics.portrait.sections import _jobseeker_estimates

    if not data.inputs.config.files("demandeurs.fichier"):
        return None, None
    series = data.inputs.get("demandeurs.fichier")
    if series is None:
        return None, None
    return series, _jobseeker_estimates(data, series)


def _bmo_or_none(data: PortraitData) -> pd.DataFrame | None:
    if not data.inputs.config.files("bmo.fichiers"):
        return None
    return data.bmo()


def _references(data: PortraitData) -> pd.DataFrame:
    """Key figures of every département, every région and France (once per configuration)."""
    from diagnostics.comparison import key_figures

    bmo = _bmo_or_none(data)
    series, estimates = _jobseekers(data)
    table = data.inputs.commune_table()
    year = _year(data)

    def build() -> pd.DataFrame:
        return pd.concat(
            [
                key_figures(
                    level, communes=table, bmo=bmo, jobseekers=series, by_commune=estimates,
                    year=year,
                )
                for level in ("departement", "region", "france")
            ],
            ignore_index=True,
        )  # fmt: skip

    return data.inputs.cached(("comparaison", "references", year, series is not None), build)


def _comparison(data: PortraitData) -> pd.DataFrame:
    """The territory beside its département(s), région(s) and France (once per portrait)."""
    from diagnostics.comparison import territory_comparison

    def build() -> pd.DataFrame:
        series, estimates = _jobseekers(data)
        bmo = _bmo_or_none(data)
        local = data.bmo_local() if bmo is not None else None
        return territory_comparison(
            data.territory,
            communes=data.inputs.commune_table(),
            bmo=bmo,
            local=local,
            summary=data.bmo_summary() if local is not None and len(local) else None,
            jobseekers=series,
            by_commune=estimates,
            references=_references(data),
            departements=data.departements(),
            regions=data.regions(),
            year=_year(data),
        )

    return data._cached("comparaison", build)


def _ranks(data: PortraitData) -> pd.DataFrame:
    """Ranks of the territory among the territories of its level in its (first) région."""
    from diagnostics.comparison import key_figures, peer_codes, territory_ranks

    def build() -> pd.DataFrame:
        level = data.territory.level
        regions = data.regions()
        region = regions[0] if regions else ""
        table = data.inputs.commune_table()
        bmo = _bmo_or_none(data)
        series, estimates = _jobseekers(data)
        year = _year(data)
        codes = tuple(peer_codes(level, region, communes=table, bmo=bmo))
        if level in ("departement", "region"):  # already among the references
            refs = _references(data)
            peers = refs[(refs["niveau"] == level) & refs["code"].isin(codes)]
            return territory_ranks(
                peers, _comparison(data).iloc[0], region=None if level == "region" else region
            )
        peers = data.inputs.cached(
            ("comparaison", "pairs", level, region, year, series is not None),
            lambda: key_figures(
                level, communes=table, bmo=bmo, jobseekers=series, by_commune=estimates,
                codes=codes, year=year,
            ),
        )  # fmt: skip
        mine = _comparison(data).iloc[0]
        return territory_ranks(peers, mine, region=None if level == "region" else region)

    return data._cached("comparaison_rangs", build)


def _specialisation(data: PortraitData) -> pd.DataFrame | None:
    from diagnostics.comparison import family_specialisation

    bmo, local = _bmo_or_none(data), None
    if bmo is not None:
        local = data.bmo_local()
    if bmo is None or local is None or local.empty:
        return None
    year = _year(data)
    profiles = _profiles(data, "region")
    return data._cached(
        "comparaison_specialisation",
        lambda: family_specialisation(local, bmo, year=year, region_profiles=profiles),
    )


def _profiles(data: PortraitData, by: str) -> pd.DataFrame:
    """Recruitment profiles of every territory of ``by`` in the BMO file (once per configuration)."""
    from diagnostics.comparison import recruitment_profiles

    bmo = data.bmo()
    year = _year(data)
    table = data.inputs.commune_table()
    return data.inputs.cached(
        ("comparaison", "profils", by, year),
        lambda: recruitment_profiles(bmo, by=by, year=year, communes=table),
    )


def _comparables(data: PortraitData) -> pd.DataFrame | None:
    """The five comparable territories (bassins for levels the BMO file does not carry).

    None for a commune: its BMO figures are its bassin's, shared by population, so
    its profile is its bassin's.
    """
    from diagnostics.comparison import comparable_territories, recruitment_profiles

    bmo = _bmo_or_none(data)
    if bmo is None:
        return None
    level = data.territory.level
    if level == "commune":  # a commune's BMO figures are a share of its bassin's
        return None
    by = level if level in _DIRECT else "bassin"
    year = _year(data)
    profiles = _profiles(data, by)

    def build() -> pd.DataFrame | None:
        if level in _DIRECT:
            if data.territory.code not in set(profiles["code"]):
                return None
            return comparable_territories(profiles, data.territory.code)
        local = data.bmo_local()
        if local is None or local.empty:
            return None
        own = recruitment_profiles(local, by="territoire_code", year=year)
        return comparable_territories(profiles, own)

    return data._cached("comparaison_comparables", build)


# --------------------------------------------------------------------------- formatting


def _pick(comparison: pd.DataFrame, zone: str) -> dict[str, Any] | None:
    rows = comparison[comparison["zone"] == zone]
    return None if rows.empty else rows.iloc[0].to_dict()


def _share(row: dict[str, Any], column: str, decimals: int = 1) -> str:
    from diagnostics.bmo import format_share_with_bounds

    return format_share_with_bounds(
        row.get(column), row.get(f"{column}_min"), row.get(f"{column}_max"), decimals=decimals
    )


def _points(low: float, high: float) -> str | None:
    """A gap in points of percentage (« +1,6 pt »), a range when bounds differ, or ``None``."""
    lo, hi = round(low * 100, 1), round(high * 100, 1)
    if lo == hi:
        sign = "+" if lo > 0 else ""
        return f"{sign}{format_number(lo, 1)} pt"
    if (lo > 0) != (hi > 0) or lo == 0 or hi == 0:
        return None
    sign = "+" if lo > 0 else ""
    return f"{sign}{format_number(lo, 1)} à {sign}{format_number(hi, 1)} pt"


def _share_gap(mine: dict[str, Any], ref: dict[str, Any], column: str) -> str | None:
    other: Any = ref.get(column)
    if is_missing(other):
        return None
    low: Any = mine.get(f"{column}_min")
    high: Any = mine.get(f"{column}_max")
    if is_missing(low) or is_missing(high):
        low = high = mine.get(column)
    if is_missing(low):
        return f"{format_percent(other)}"
    gap = _points(float(low) - float(other), float(high) - float(other))
    return f"{format_percent(other)}" + (f" ({gap})" if gap else "")


def _change(value: Any) -> str:
    sign = "+" if float(value) > 0 else ""
    return f"{sign}{format_percent(value)}"


def _refs(comparison: pd.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for zone, label in (("region", "Région"), ("france", "France")):
        row = _pick(comparison, zone)
        if row is not None:
            out.append((label, row))
    return out


def _tile(title: str, value: str, evolution: str | None, gaps: list[str]) -> str:
    parts = [
        f'<p class="tuile-titre">{html_text(title)}</p>',
        f'<p class="tuile-valeur">{html_text(value)}</p>',
    ]
    if evolution:
        parts.append(f'<p class="tuile-evolution">{html_text(evolution)}</p>')
    if gaps:
        parts.append(f'<p class="tuile-ecart">{html_text(" · ".join(gaps))}</p>')
    return f'<div class="tuile">{"".join(parts)}</div>'


def _bmo_evolution(data: PortraitData, column: str) -> str:
    """Change of a BMO figure from the previous vintage, or « un seul millésime »."""
    summary = data.bmo_summary()
    if summary is None or summary.empty:
        return ""
    years = sorted(int(y) for y in summary["annee"])
    if len(years) < 2:
        return f"un seul millésime ({years[-1]})"
    last = summary[summary["annee"] == years[-1]].iloc[0]
    before = summary[summary["annee"] == years[-2]].iloc[0]
    if is_missing(last[column]) or is_missing(before[column]):
        return f"évolution depuis {years[-2]} : secret statistique"
    if column == "projets":
        if not float(before[column]):
            return ""
        return f"{_change(float(last[column]) / float(before[column]) - 1)} depuis {years[-2]}"
    gap = float(last[column]) - float(before[column])
    sign = "+" if round(gap * 100, 1) > 0 else ""
    return f"{sign}{format_number(gap * 100, 1)} pt depuis {years[-2]}"


def _sites_counts(data: PortraitData) -> dict[str, Any] | None:
    """Agences France Travail of the territory, with agences per 100,000 inhabitants."""
    if not data.inputs.config.files("partenaires.sites_france_travail"):
        return None
    sites = data.inputs.get("partenaires.sites_france_travail")
    if sites is None:
        return None
    table = data.inputs.commune_table()

    def per_area() -> dict[str, Any]:
        agences = sites[sites["niveau"] == "agence"]
        places = table.set_index("commune").reindex(agences["commune"].dropna())
        population = pd.to_numeric(table["population"])
        return {
            "region": places["region"].value_counts(),
            "departement": places["departement"].value_counts(),
            "population_region": population.groupby(table["region"]).sum(),
            "regions": sorted(places["region"].dropna().unique()),
            "france": len(places.dropna(subset=["region"])),
            "population_france": float(population.sum()),
        }

    counts = data.inputs.cached(("comparaison", "agences"), per_area)
    here = sites[
        (sites["niveau"] == "agence") & sites["commune"].isin(set(data.territory.communes))
    ]
    return {"agences": len(here), **counts}


def _tiles(data: PortraitData, comparison: pd.DataFrame, ranks: pd.DataFrame) -> list[str]:
    """The headline tiles (trusted HTML, every data value escaped by :func:`_tile`)."""
    mine = comparison.iloc[0].to_dict()
    refs = _refs(comparison)
    rank_of = dict(zip(ranks["indicateur"], ranks["texte"], strict=True))
    return [
        *_people_tiles(mine, refs, rank_of),
        *_bmo_tiles(data, mine, refs),
        *_network_tiles(data, mine),
    ]


def _people_tiles(
    mine: dict[str, Any], refs: list[tuple[str, dict[str, Any]]], rank_of: dict[str, str]
) -> list[str]:
    tiles = []
    if not is_missing(mine["population"]):
        gaps = [
            f"{format_percent(float(mine['population']) / float(r['population']))} de la "
            f"{'région' if label == 'Région' else 'France'}"
            for label, r in refs
            if not is_missing(r.get("population")) and float(r["population"])
        ]
        tiles.append(
            _tile("Population", format_int(mine["population"]), rank_of.get("population"), gaps)
        )
    if not is_missing(mine["demandeurs"]):
        month = pd.Timestamp(mine["mois"])
        estimated = " (estimation)" if mine.get("demandeurs_estimation") is True else ""
        change = mine.get("evolution_12_mois_pct")
        tiles.append(
            _tile(
                f"Demandeurs d'emploi, {format_month(month.year, month.month)}{estimated}",
                format_int(round(float(mine["demandeurs"]))),
                None if is_missing(change) else f"{_change(change)} sur 12 mois",
                [
                    f"{label} : {_change(r['evolution_12_mois_pct'])}"
                    for label, r in refs
                    if not is_missing(r.get("evolution_12_mois_pct"))
                ],
            )
        )
    return tiles


def _bmo_tiles(
    data: PortraitData, mine: dict[str, Any], refs: list[tuple[str, dict[str, Any]]]
) -> list[str]:
    from diagnostics.bmo import format_projects_with_bounds

    if is_missing(mine["projets"]) and is_missing(mine["projets_min"]):
        return []
    year = int(mine["annee_bmo"])
    ratio = mine.get("projets_pour_100_demandeurs")
    gaps = []
    if not is_missing(ratio):
        gaps.append(f"{format_number(ratio, 0)} pour 100 demandeurs")
        gaps += [
            f"{label} : {format_number(r['projets_pour_100_demandeurs'], 0)}"
            for label, r in refs
            if not is_missing(r.get("projets_pour_100_demandeurs"))
        ]
    projects = format_projects_with_bounds(
        mine["projets"], mine["projets_min"], mine["projets_max"]
    )
    tiles = [
        _tile(f"Projets de recrutement {year}", projects, _bmo_evolution(data, "projets"), gaps)
    ]
    for column, title in (
        ("part_difficiles", f"Projets jugés difficiles {year}"),
        ("part_saisonniers", f"Projets saisonniers {year}"),
    ):
        gaps = [
            f"{label} : {text}"
            for label, r in refs
            if (text := _share_gap(mine, r, column)) is not None
        ]
        # 0 decimals: bounds that differ by tenths do not turn the tile into a range
        tiles.append(_tile(title, _share(mine, column, 0), _bmo_evolution(data, column), gaps))
    return tiles


def _network_tiles(data: PortraitData, mine: dict[str, Any]) -> list[str]:
    tiles = []
    agences = _sites_counts(data)
    if agences is not None:
        gaps = []
        population: Any = mine.get("population")
        if not is_missing(population) and float(population):
            per = agences["agences"] / float(population) * 1e5
            gaps.append(f"{format_number(per, 1)} pour 100 000 hab.")
            for region in data.regions()[:1] if data.territory.level != "region" else []:
                pop = agences["population_region"].get(region)
                if pop:
                    count = int(agences["region"].get(region, 0))
                    gaps.append(f"Région : {format_number(count / float(pop) * 1e5, 1)}")
            if len(agences["regions"]) > 1 and agences["population_france"]:
                france = agences["france"] / agences["population_france"] * 1e5
                gaps.append(f"France : {format_number(france, 1)}")
        tiles.append(_tile("Agences France Travail", format_int(agences["agences"]), None, gaps))
    if data.inputs.config.files("partenaires.annuaire"):
        partners = (
            data.partners_here() if data.inputs.get("partenaires.annuaire") is not None else None
        )
        if partners is not None:
            tiles.append(
                _tile(
                    "Partenaires",
                    format_int(int(partners["implante"].sum())),
                    f"implantés ; {format_int(len(partners))} intervenant sur le territoire",
                    [],
                )
            )
    return tiles


# --------------------------------------------------------------------------- sections


def section_synthesis(data: PortraitData) -> Section:
    """The synthesis: headline tiles with their evolution and gaps, then a few sentences.

    Tiles: population, job seekers (12-month change), BMO projects, shares
    difficult and seasonal (change from the previous vintage, or « un seul
    millésime »), agences France Travail and partners where their files are given;
    each with its gap to the région and to France (France only for a région). Then
    four to six sentences generated from the figures
    (:func:`diagnostics.comparison.comparison_sentences`): a figure that is
    missing writes no sentence, a masked one is written with its bounds.

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> s = section_synthesis(data)
    >>> s.status, s.facts["rangs"]["population"]
    ('produite', '3/10')
    >>> repr(s).splitlines()[1]
    '- 154\u202f528 habitants, 19\u202f% de la population de la région ; 3e bassin sur 10.'
    """
    from diagnostics.comparison import comparison_sentences

    section = Section("synthese")
    try:
        comparison = _comparison(data)
        ranks = _ranks(data)
        specialisation = _specialisation(data)
    except WorkbenchError as exc:
        first = str(exc).strip().splitlines()[0]
        section.absent(f"Synthèse non établie : {first}")
        data.sections[section.name] = section.status
        return section
    mine = comparison.iloc[0].to_dict()
    refs = _refs(comparison)
    tiles = _tiles(data, comparison, ranks)
    section.html(f'<div class="tuiles">{"".join(tiles)}</div>', text=f"[{len(tiles)} tuiles]")
    sentences = comparison_sentences(comparison, ranks=ranks, specialisation=specialisation)
    section.bullets(sentences)
    for row in comparison.itertuples():
        if isinstance(row.remarque, str):
            section.note(row.remarque)
    facts: dict[str, Any] = {
        "phrases": sentences,
        "rangs": {r.indicateur: f"{r.rang}/{r.nb_territoires}" for r in ranks.itertuples()},
    }
    if not is_missing(mine["part_saisonniers"]):
        facts["part_saisonniers"] = float(mine["part_saisonniers"])
    for label, r in refs:
        key = "region" if label == "Région" else "france"
        if not is_missing(r.get("part_difficiles")):
            facts[f"part_difficiles_{key}"] = float(r["part_difficiles"])
    section.facts.update(facts)
    data.facts["synthese"] = facts
    if "part_saisonniers" in facts:
        data.facts["part_saisonniers"] = facts["part_saisonniers"]
    if "part_difficiles" in facts.get("rangs", {}):
        data.facts["rang_part_difficiles"] = facts["rangs"]["part_difficiles"]
    data.sections[section.name] = section.status
    return section


def _comparison_display(comparison: pd.DataFrame) -> pd.DataFrame:
    names = {"territoire": None, "departement": "Département", "region": "Région"}
    labels = []
    for row in comparison.itertuples():
        if row.zone == "france":
            labels.append("France")
        elif row.zone == "territoire":
            labels.append(str(row.nom))
        else:
            labels.append(f"{names[row.zone]} {row.nom}")
    frame = comparison.assign(
        _nom=labels,
        _difficiles=[_share(r, "part_difficiles") if not _empty(r) else DASH
                     for r in comparison.to_dict("records")],
        _saisonniers=[_share(r, "part_saisonniers") if not _empty(r) else DASH
                      for r in comparison.to_dict("records")],
    )  # fmt: skip
    return frame_for_display(
        frame,
        [
            ("_nom", "Territoire", None),
            ("population", "Population", format_int),
            ("demandeurs", "Demandeurs d'emploi", lambda v: format_int(None if is_missing(v) else round(float(v)))),
            ("evolution_12_mois_pct", "Évolution sur 12 mois", lambda v: DASH if is_missing(v) else _change(v)),
            ("projets", "Projets de recrutement", format_int),
            ("_difficiles", "Part jugée difficile", None),
            ("_saisonniers", "Part saisonnière", None),
            ("projets_pour_100_demandeurs", "Projets pour 100 demandeurs", lambda v: format_number(v, 0)),
        ],
    )  # fmt: skip


def _empty(row: dict[str, Any]) -> bool:
    return is_missing(row.get("projets")) and is_missing(row.get("projets_min"))


def section_comparisons(data: PortraitData) -> Section:
    """The territory beside its département(s), région and France; ranks; specialisation; look-alikes.

    Examples
    --------
    >>> data = load_portrait(settings.demo_dir() / "portrait.toml", "bassin", "9901")
    >>> s = section_comparisons(data)
    >>> s.status, sorted(s.tables)
    ('produite', ['comparables', 'comparaison', 'rangs', 'specialisation'])
    >>> s.tables["comparables"]["code"].tolist()
    ['9902', '9906', '9908', '9904', '9907']
    """
    from diagnostics.comparison import SIZE_WEIGHT

    section = Section("comparaisons")
    try:
        comparison = _comparison(data)
        ranks = _ranks(data)
        specialisation = _specialisation(data)
        comparables = _comparables(data)
    except WorkbenchError as exc:
        first = str(exc).strip().splitlines()[0]
        section.absent(f"Comparaisons non établies : {first}")
        data.sections[section.name] = section.status
        return section
    month = comparison["mois"].dropna()
    when = []
    if len(month):
        last = pd.Timestamp(month.max())
        when.append(f"demandeurs d'emploi de {format_month(last.year, last.month)}")
    years = comparison["annee_bmo"].dropna()
    if len(years):
        when.append(f"enquête BMO {int(years.max())}")
    section.table(
        comparison,
        name="comparaison",
        display=_comparison_display(comparison),
        caption="Le territoire, son ou ses départements, sa région et la France"
        + (f" ({', '.join(when)})" if when else "")
        + ". Parts BMO calculées sur les cellules publiées, données par leurs bornes quand "
        "des cellules secrètes les rendent incertaines ; projets pour 100 demandeurs : "
        "projets de l'année rapportés à la moyenne mensuelle des demandeurs de la même année.",
    )
    if bool(comparison["demandeurs_estimation"].iloc[0] is True):
        from diagnostics.jobseekers import ESTIMATE_RULE

        section.note(f"Demandeurs d'emploi du territoire estimés : {ESTIMATE_RULE}.")
    for row in comparison.itertuples():
        if isinstance(row.remarque, str):
            section.note(row.remarque)
    if len(ranks):
        section.heading("Rang dans la région")
        section.table(
            ranks,
            name="rangs",
            display=frame_for_display(
                ranks,
                [
                    ("libelle", "Indicateur", None),
                    ("texte", "Rang", None),
                ],
            ),
            caption="Rang 1 : la valeur la plus élevée parmi les territoires du même niveau de "
            "la région ; des valeurs égales partagent le meilleur rang (« ex aequo ») ; un "
            "territoire sans valeur (secret statistique) n'est pas classé.",
        )
    else:
        section.tables["rangs"] = ranks
    if specialisation is not None and len(specialisation):
        section.heading("Spécialisation par famille de métiers")
        section.table(
            specialisation,
            name="specialisation",
            display=frame_for_display(
                specialisation,
                [
                    ("famille_nom", "Famille de métiers", None),
                    ("projets", "Projets", format_int),
                    ("part", "Part des projets", format_percent),
                    ("part_region", "Part dans la région", format_percent),
                    ("quotient_region", "Indice / région", lambda v: format_number(v, 2)),
                    ("part_nationale", "Part en France", format_percent),
                    ("quotient_national", "Indice / France", lambda v: format_number(v, 2)),
                ],
            ),
            caption="Indice de spécialisation (quotient de localisation) : part de la famille "
            "dans les projets du territoire divisée par sa part dans la région (ou en France) ; "
            "au-dessus de 1, le territoire recrute relativement plus dans cette famille.",
        )
        remark = specialisation.attrs.get("remarque")
        if remark:
            section.note(remark)
    if comparables is not None and len(comparables):
        level = data.territory.level
        noun = {"departement": "départements", "region": "régions"}.get(level, "bassins")
        section.heading(f"Territoires comparables ({noun})")
        section.table(
            comparables,
            name="comparables",
            display=frame_for_display(
                comparables.assign(
                    _difficiles=[_share(r, "part_difficiles") for r in comparables.to_dict("records")],
                    _saisonniers=[_share(r, "part_saisonniers") for r in comparables.to_dict("records")],
                ),
                [
                    ("rang", "Rang", str),
                    ("code", "Code", None),
                    ("nom", "Nom", None),
                    ("region_nom", "Région", None),
                    ("projets", "Projets", format_int),
                    ("_difficiles", "Part jugée difficile", None),
                    ("_saisonniers", "Part saisonnière", None),
                    ("population", "Population", format_int),
                    ("distance", "Distance", lambda v: format_number(v, 3)),
                ],
            ),
            caption=f"Les {len(comparables)} {noun} du fichier BMO dont le profil de "
            "recrutement (parts des projets par famille de métiers) et la taille sont les plus "
            "proches : distance = écart euclidien entre les parts par famille + "
            f"{format_number(SIZE_WEIGHT, 1)} × |log10 du rapport des nombres de projets|."
            + (
                ""
                if level in _DIRECT
                else " Le fichier BMO ne publie pas ce niveau : le territoire est comparé aux "
                "bassins d'emploi."
            ),
        )  # fmt: skip
        data.facts["comparables"] = comparables["code"].astype(str).tolist()
    data.sections[section.name] = section.status
    return section
