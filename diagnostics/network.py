"""The partner network: who works with whom, who is central, who is isolated.

The territorialisation report describes the territory as "un écosystème, avec des
interactions" and prefers "un réseau d'acteurs" to "une somme de partenariats
bilatéraux" (L436, L646, L691). This module turns the partner directory
(:func:`diagnostics.partners.read_partners`), the Pôle emploi units and the
partnerships registry and flows (:mod:`diagnostics.partnerships`) into a
:class:`networkx.Graph`, measures it, compares it, and draws it.

The graph
---------
:func:`partner_network` builds one undirected graph per territory and date:

- actor nodes (``nature`` = ``partenaire`` or ``pole_emploi``) with ``nom``, ``type``,
  ``type_libelle``, ``commune``, ``latitude``, ``longitude``, ``domaines`` and
  ``publics`` (``|``-joined text) and ``pivot_declare`` (domains where the
  positioning file declares the actor pivot);
- a node per multilateral partnership (three parties or more, ``nature`` =
  ``partenariat``) linked to each of its parties: the partnership is kept as such;
- actor–actor edges for bilateral partnerships and flows, with ``nb_partenariats``,
  ``partenariats`` and ``modes`` (``|``-joined), ``volume`` (people in the flows of
  the year), ``flux`` (flow kinds) and ``poids`` = ``nb_partenariats + volume``.

:func:`actor_projection` replaces each partnership node by edges between all its
parties; every metric is computed on that projection.

Metrics and comparisons
-----------------------
:func:`network_metrics` (degree, weighted degree, betweenness, eigenvector
centrality, Burt's constraint and effective size, communities, isolates, cut
points), :func:`network_bridges`, :func:`density_by_domain`,
:func:`pivot_comparison` (declared pivots against structurally central actors),
:func:`compare_networks` (two territories or two dates), :func:`network_reading`
(plain French sentences) and :func:`network_section` (all of it for the portrait).

Outputs
-------
:func:`save_network` (GEXF or GraphML, for Gephi and Cytoscape),
:func:`network_tables` / :func:`save_network_tables` (CSV or XLSX),
:func:`plot_network` (matplotlib, force or geographic layout),
:func:`network_view_html` (an offline page: inline SVG force layout, no library),
:func:`map_network` (the network on the offline Leaflet map, via :mod:`geo.maps`).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from diagnostics.partners import DOMAINS
from diagnostics.partnerships import (
    ACTIVE_STATUSES,
    RELATION_MODES,
    active_partnerships,
)
from geo._errors import SchemaError
from geo.display import axes_or_new, format_int, format_number
from geo.escape import html_text, script_json
from geo.exports import save_table, save_workbook

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "NetworkSection",
    "partner_network",
    "territory_partnerships",
    "territory_roles",
    "actor_projection",
    "network_metrics",
    "network_bridges",
    "density_by_domain",
    "pivot_comparison",
    "compare_networks",
    "network_reading",
    "network_section",
    "network_tables",
    "save_network",
    "save_network_tables",
    "plot_network",
    "network_view_html",
    "map_network",
]

_PE_PREFIX = "PE-"
_NATURE_COLOURS = {"pole_emploi": "#1f4e9c", "partenaire": "#e6862e", "partenariat": "#7a7a7a"}
_COMMUNITY_COLOURS = [
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d",
    "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#666666",
]  # fmt: skip


# --------------------------------------------------------------------------- building


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SchemaError(
            f"{what} : colonne(s) {', '.join(missing)} absente(s) (colonnes trouvées : "
            f"{', '.join(map(str, df.columns))}).",
            [f"colonne {c} absente" for c in missing],
        )


def _join(values: Iterable[Any]) -> str:
    return "|".join(str(v) for v in values if v is not None and not pd.isna(v))


def _float(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _merge(old: str, new: Any) -> str:
    items = [*filter(None, str(old).split("|"))]
    for item in new.split("|") if isinstance(new, str) else new:
        if item and item not in items:
            items.append(item)
    return "|".join(items)


def _add_edge(g: nx.Graph, a: str, b: str, *, partnership: str | None = None, mode: Any = None,
              volume: float = 0.0, flow: Any = None, domains: Any = ()) -> None:  # fmt: skip
    if not g.has_edge(a, b):
        g.add_edge(a, b, nb_partenariats=0, partenariats="", modes="", domaines="", volume=0.0,
                   flux="")  # fmt: skip
    data = g.edges[a, b]
    data["domaines"] = _merge(data.get("domaines", ""), domains or ())
    if partnership is not None:
        data["nb_partenariats"] += 1
        data["partenariats"] = _join([*filter(None, data["partenariats"].split("|")), partnership])
    if mode is not None and not pd.isna(mode) and mode not in data["modes"].split("|"):
        data["modes"] = _join([*filter(None, data["modes"].split("|")), mode])
    if volume:
        data["volume"] += float(volume)
    if flow is not None and not pd.isna(flow) and flow not in data["flux"].split("|"):
        data["flux"] = _join([*filter(None, data["flux"].split("|")), flow])
    data["poids"] = data["nb_partenariats"] + data["volume"]


def _local_actors(directory: pd.DataFrame, communes: Iterable[str] | Any) -> set[str]:
    """The partners of ``directory`` sited in ``communes`` or whose ressort meets them."""
    codes = set(getattr(communes, "communes", communes))
    site = directory["commune"].isin(codes) if "commune" in directory else False
    ressort = (
        directory["ressort_communes"].map(lambda t: bool(codes.intersection(t or ())))
        if "ressort_communes" in directory
        else False
    )
    return set(directory.index[np.asarray(site | ressort, dtype=bool)])


def _declared_pivots(positioning: pd.DataFrame | None) -> dict[str, set[str]]:
    """Actor → the domains where the positioning declares it pivot."""
    pivots: dict[str, set[str]] = {}
    if positioning is not None and len(positioning):
        roles = positioning.loc[positioning["role"] == "pivot", ["acteur", "domaine"]]
        for actor, domain in zip(roles["acteur"], roles["domaine"], strict=True):
            pivots.setdefault(str(actor), set()).add(str(domain))
    return pivots


def _flows_of_year(
    flows: pd.DataFrame | None, year: int | None
) -> tuple[pd.DataFrame | None, int | None]:
    """The flows of ``year`` (default: the latest year of the table), and that year."""
    if flows is not None and len(flows):
        years = flows["annee"].dropna()
        year = int(years.max()) if year is None and len(years) else year
        flows = flows.loc[flows["annee"] == year] if year is not None else flows
    return flows, year


def _major_actors(directory: pd.DataFrame, local: set[str] | None) -> list[str]:
    """The major operating structures of ``directory`` (of ``local`` when given)."""
    if not {"majeur", "operant"} <= set(directory.columns):
        return []
    major = directory.index[directory["majeur"].astype(bool) & directory["operant"].astype(bool)]
    return [str(actor) for actor in major if local is None or actor in local]


def _unit_node(actor: str, units: pd.DataFrame | None, pivot: set[str]) -> dict[str, Any]:
    """Attributes of the node of Pôle emploi unit ``actor`` (its id as name if unknown)."""
    row = units.loc[actor] if units is not None and actor in units.index else None
    return {
        "nature": "pole_emploi",
        "nom": actor if row is None else str(row["nom"]),
        "type": "pole_emploi" if row is None else str(row["niveau"]),
        "type_libelle": "Pôle emploi",
        "commune": "" if row is None or pd.isna(row["commune"]) else str(row["commune"]),
        "latitude": math.nan if row is None else _float(row["latitude"]),
        "longitude": math.nan if row is None else _float(row["longitude"]),
        "domaines": "",
        "publics": "",
        "pivot_declare": _join(sorted(pivot)),
    }


def _partner_node(actor: str, directory: pd.DataFrame, pivot: set[str]) -> dict[str, Any]:
    """Attributes of the node of partner ``actor`` (its id as name if not in ``directory``)."""
    row = directory.loc[actor] if actor in directory.index else None

    def get(column: str, default: Any = "") -> Any:
        if row is None or column not in row.index:
            return default
        value = row[column]
        if isinstance(value, tuple):
            return _join(value)
        return default if pd.isna(value) else value

    return {
        "nature": "partenaire",
        "nom": str(get("nom", actor)),
        "type": str(get("type")),
        "type_libelle": str(get("type_libelle")),
        "commune": str(get("commune")),
        "latitude": _float(get("latitude", math.nan)),
        "longitude": _float(get("longitude", math.nan)),
        "domaines": str(get("domaines")),
        "publics": str(get("publics")),
        "pivot_declare": _join(sorted(pivot)),
    }


def _add_actor(
    g: nx.Graph,
    actor: str,
    *,
    directory: pd.DataFrame,
    units: pd.DataFrame | None,
    pivots: dict[str, set[str]],
    unknown: set[str],
) -> None:
    """Add the node of ``actor`` unless drawn; an actor not in ``directory`` goes to ``unknown``."""
    if actor in g:
        return
    if actor.startswith(_PE_PREFIX):
        g.add_node(actor, **_unit_node(actor, units, pivots.get("pole_emploi", set())))
        return
    if actor not in directory.index:
        unknown.add(actor)
    g.add_node(actor, **_partner_node(actor, directory, pivots.get(actor, set())))


def _add_partnership(g: nx.Graph, rec: dict[str, Any], parties: list[str]) -> None:
    """Draw partnership ``rec``: one edge between two parties, else a partnership node."""
    if len(parties) == 2:
        _add_edge(g, parties[0], parties[1], partnership=rec["partenariat_id"], mode=rec["mode"],
                  domains=rec.get("domaines", ()))  # fmt: skip
        return
    pid = str(rec["partenariat_id"])
    g.add_node(
        pid,
        nature="partenariat",
        nom=str(rec.get("intitule") or pid),
        type="partenariat_multilateral",
        type_libelle=RELATION_MODES.get(rec["mode"], "") if rec["mode"] else "",
        commune="",
        latitude=math.nan,
        longitude=math.nan,
        domaines=_join(rec.get("domaines", ())),
        publics=_join(rec.get("publics", ())),
        pivot_declare="",
    )
    for actor in parties:
        _add_edge(g, pid, actor, partnership=pid, mode=rec["mode"],
                  domains=rec.get("domaines", ()))  # fmt: skip


def partner_network(
    partners: pd.DataFrame,
    partnerships: pd.DataFrame,
    *,
    flows: pd.DataFrame | None = None,
    units: pd.DataFrame | None = None,
    positioning: pd.DataFrame | None = None,
    date: str | dt.date | None = None,
    year: int | None = None,
    communes: Iterable[str] | Any = None,
    include: Literal["parties", "majeurs"] = "majeurs",
) -> nx.Graph:
    """Build the graph of the actors of a territory and of their relations.

    Parameters
    ----------
    partners
        Partner directory (:func:`diagnostics.partners.read_partners`).
    partnerships
        Registry (:func:`diagnostics.partnerships.read_partnerships`). Only
        partnerships in force are drawn: on ``date`` when given
        (:func:`diagnostics.partnerships.active_partnerships`), else those whose
        status is running, evaluated or renegotiated.
    flows
        Flows (:func:`diagnostics.partnerships.read_partner_flows`), of ``year`` (default:
        the latest year of the table).
    units
        Pôle emploi units (:func:`diagnostics.partnerships.read_pole_emploi_units`),
        for their names and places; a unit named only in the registry gets its id
        as name.
    positioning
        Roles of the actors (:func:`diagnostics.positioning.read_positioning`):
        fills ``pivot_declare`` (``pole_emploi`` rows go to every unit).
    date
        Date of the network.
    year
        Year of the flows.
    communes
        Commune codes of the territory, or a :class:`geo.territories.Territory`:
        keeps the partners sited there or whose ressort meets it, the relations
        with at least one of them, and the other parties of these relations.
    include
        ``"majeurs"`` (default) adds the major operating structures of the
        directory even without any relation (the mapping of "acteurs majeurs et
        opérants", L380: they show as isolates); ``"parties"`` keeps only the
        actors of a relation.

    Returns
    -------
    networkx.Graph
        Nodes and edges described in the module docstring; ``graph`` attributes
        ``date``, ``annee_flux`` and ``remarques`` (French, e.g. parties missing
        from the directory).

    Examples
    --------
    >>> from geo import settings
    >>> from diagnostics.partners import read_partners
    >>> from diagnostics.partnerships import read_partnerships, read_partner_flows, read_pole_emploi_units
    >>> demo = settings.demo_dir()
    >>> g = partner_network(read_partners(demo / "partenaires.csv"),
    ...     read_partnerships(demo / "partenariats.csv"),
    ...     flows=read_partner_flows(demo / "flux_partenaires.csv"),
    ...     units=read_pole_emploi_units(demo / "unites_pole_emploi.csv"), date="2026-06-30")
    >>> sorted({d["nature"] for _, d in g.nodes(data=True)})
    ['partenaire', 'partenariat', 'pole_emploi']
    """
    _require(partners, ["partenaire_id", "nom", "type"], "Annuaire des partenaires")
    _require(partnerships, ["partenariat_id", "parties", "mode", "statut"], "Registre")
    remarks: list[str] = []
    if date is not None:
        kept = partnerships.loc[active_partnerships(partnerships, date=date)]
    else:
        kept = partnerships.loc[partnerships["statut"].isin(ACTIVE_STATUSES).fillna(False)]
    flows, year = _flows_of_year(flows, year)
    directory = partners.drop_duplicates("partenaire_id").set_index("partenaire_id")
    local: set[str] | None = None
    if communes is not None:
        local = _local_actors(directory, communes)
        kept = kept.loc[kept["parties"].map(lambda p: bool(local.intersection(p)))]
        if flows is not None:
            flows = flows.loc[flows["source"].isin(local) | flows["cible"].isin(local)]
    g = nx.Graph(
        date="" if date is None else str(pd.Timestamp(date).date()),
        annee_flux=-1 if year is None else int(year),
    )
    unit_table = (
        units.drop_duplicates("unite_id").set_index("unite_id") if units is not None else None
    )
    unknown: set[str] = set()
    add_actor = functools.partial(_add_actor, g, directory=directory, units=unit_table,
                                  pivots=_declared_pivots(positioning), unknown=unknown)  # fmt: skip
    for rec in kept.to_dict("records"):
        parties = list(rec["parties"])
        for actor in parties:
            add_actor(actor)
        _add_partnership(g, rec, parties)
    if flows is not None:
        for rec in flows.to_dict("records"):
            add_actor(str(rec["source"]))
            add_actor(str(rec["cible"]))
            _add_edge(g, str(rec["source"]), str(rec["cible"]), volume=rec["volume"],
                      flow=rec["type_flux"])  # fmt: skip
    if include == "majeurs":
        for actor in _major_actors(directory, local):
            add_actor(actor)
    if unknown:
        remarks.append(
            f"{len(unknown)} acteur(s) absent(s) de l'annuaire, gardé(s) sous leur identifiant : "
            f"{', '.join(sorted(unknown)[:10])}. Ajoutez-les à l'annuaire des partenaires."
        )
    g.graph["remarques"] = " ".join(remarks)
    return g


def territory_partnerships(
    partners: pd.DataFrame, partnerships: pd.DataFrame, communes: Iterable[str] | Any
) -> pd.DataFrame:
    """The partnerships of a territory: those with a party sited there or whose ressort meets it.

    The rule :func:`partner_network` applies with ``communes`` (every status, so
    that the follow-up of the partnerships also sees those that have ended).

    Parameters
    ----------
    partners
        Partner directory (:func:`diagnostics.partners.read_partners`).
    partnerships
        Registry (:func:`diagnostics.partnerships.read_partnerships`).
    communes
        Commune codes of the territory, or a :class:`geo.territories.Territory`.

    Examples
    --------
    >>> from geo import settings
    >>> from diagnostics.partners import read_partners
    >>> from diagnostics.partnerships import read_partnerships
    >>> demo = settings.demo_dir()
    >>> registry = read_partnerships(demo / "partenariats.csv")
    >>> mine = territory_partnerships(read_partners(demo / "partenaires.csv"), registry, ["9A111"])
    >>> 0 < len(mine) < len(registry)
    True
    """
    directory = partners.drop_duplicates("partenaire_id").set_index("partenaire_id")
    local = _local_actors(directory, communes)
    keep = [bool(local.intersection(parties)) for parties in partnerships["parties"]]
    return partnerships[keep]


def territory_roles(
    positioning: pd.DataFrame, territory: Any, communes: pd.DataFrame
) -> pd.DataFrame:
    """The rows of a positioning table about ``territory`` or a territory inside it.

    A région's network keeps the roles declared for each of its bassins; a
    bassin's, those of the bassin (and of its communes).

    Parameters
    ----------
    positioning
        Roles of the actors (:func:`diagnostics.positioning.read_positioning`:
        ``niveau``, ``code_territoire``).
    territory
        The territory (:class:`geo.territories.Territory`).
    communes
        The commune table (:func:`geo.territories.commune_table`), with a column per level.

    Examples
    --------
    >>> from geo import settings
    >>> from diagnostics.portrait import load_territory
    >>> lieu = load_territory(settings.demo_dir() / "portrait.toml", "departement", "9A")
    >>> roles = lieu.inputs.get("partenaires.positionnement")
    >>> sorted(territory_roles(roles, lieu.territory, lieu.inputs.commune_table())["territoire"].unique())
    ['bassin:9901', 'bassin:9902', 'bassin:9903', 'bassin:9904']
    """
    inside = set(territory.communes)
    keep = {}
    for level, code in (
        positioning[["niveau", "code_territoire"]].drop_duplicates().itertuples(index=False)
    ):
        if level == territory.level and code == territory.code:
            keep[(level, code)] = True
        elif level in communes.columns:
            theirs = set(communes.loc[communes[level] == code, "commune"])
            keep[(level, code)] = bool(theirs) and theirs <= inside
        else:
            keep[(level, code)] = False
    mask = [
        keep[(level, code)]
        for level, code in zip(positioning["niveau"], positioning["code_territoire"], strict=True)
    ]
    return positioning[mask]


def actor_projection(graph: nx.Graph) -> nx.Graph:
    """The actor-to-actor graph: each multilateral partnership becomes edges among its parties.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b", "c"], nature="partenaire")
    >>> g.add_node("M", nature="partenariat")
    >>> g.add_edges_from([("M", x, {"nb_partenariats": 1, "partenariats": "M", "modes": "cotraitance",
    ...     "volume": 0.0, "flux": ""}) for x in "abc"])
    >>> sorted(actor_projection(g).edges())
    [('a', 'b'), ('a', 'c'), ('b', 'c')]
    """
    hubs = [n for n, d in graph.nodes(data=True) if d.get("nature") == "partenariat"]
    if not hubs:
        return graph.copy()
    out = graph.subgraph([n for n in graph if n not in set(hubs)]).copy()
    for hub in hubs:
        parties = sorted(graph.neighbors(hub))
        first = graph.edges[hub, parties[0]] if parties else {}
        for i, a in enumerate(parties):
            for b in parties[i + 1 :]:
                _add_edge(out, a, b, partnership=hub, mode=first.get("modes") or None,
                          domains=first.get("domaines", ""))  # fmt: skip
    return out


# --------------------------------------------------------------------------- metrics


def _adjacency(g: nx.Graph, nodes: list[Any]) -> sp.csr_array:
    return nx.to_scipy_sparse_array(g, nodelist=nodes, weight=None, format="csr").astype(float)


def _burt(g: nx.Graph, nodes: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Burt's constraint and effective size (unweighted), as :func:`networkx.constraint`.

    Constraint ``c_i = sum_j (p_ij + sum_q p_iq p_qj)^2`` over the neighbours ``j`` of
    ``i``, with ``p_ij = 1 / degree(i)``; effective size (Borgatti's form for
    undirected unweighted graphs) ``n_i - 2 t_i / n_i`` with ``t_i`` the ties among
    the ``n_i`` neighbours. Both are NaN for an isolate.
    """
    a = _adjacency(g, nodes)
    deg = np.asarray(a.sum(axis=1)).ravel()
    inv = np.divide(1.0, deg, out=np.zeros_like(deg), where=deg > 0)
    p = sp.diags_array(inv) @ a
    indirect = (p @ p).multiply(a)  # only pairs (i, j) that are neighbours
    total = (p + indirect).tocsr()
    constraint = np.asarray(total.multiply(total).sum(axis=1)).ravel()
    tri = np.asarray(((a @ a).multiply(a)).sum(axis=1)).ravel() / 2.0
    effective = np.where(deg > 0, deg - 2.0 * tri / np.where(deg > 0, deg, 1), np.nan)
    constraint = np.where(deg > 0, constraint, np.nan)
    return constraint, effective


def _betweenness(
    g: nx.Graph, nodes: list[Any], *, sample: int | None = None, seed: int = 0, batch: int = 128
) -> np.ndarray:
    """Normalised betweenness (unweighted), Brandes' algorithm vectorised over sources.

    Breadth-first searches from a batch of sources at once as sparse-matrix products
    (path counts level by level), then the dependencies accumulated back level by
    level. Same values as :func:`networkx.betweenness_centrality` (``normalized=True``);
    with ``sample`` sources drawn at random, the sum is scaled by ``n / sample``.
    ``benchmarks/bench_network.py`` measures it against networkx (35 to 80 times
    slower), rustworkx and igraph (as fast or slower from 300 actors up).
    """
    n = len(nodes)
    out = np.zeros(n)
    if n < 3 or g.number_of_edges() == 0:
        return out
    a = _adjacency(g, nodes)
    sources = np.arange(n)
    if sample is not None and sample < n:
        sources = np.sort(np.random.default_rng(seed).choice(n, size=sample, replace=False))
    for start in range(0, len(sources), batch):
        chunk = sources[start : start + batch]
        cols = np.arange(len(chunk))
        sigma = np.zeros((n, len(chunk)))
        sigma[chunk, cols] = 1.0
        seen = sigma > 0
        levels = [seen.copy()]
        frontier = sigma.copy()
        while True:
            reach = a @ frontier
            new = (reach > 0) & ~seen
            if not new.any():
                break
            frontier = np.where(new, reach, 0.0)
            sigma += frontier
            seen |= new
            levels.append(new)
        delta = np.zeros_like(sigma)
        safe = np.where(sigma > 0, sigma, 1.0)
        for d in range(len(levels) - 1, 0, -1):
            coeff = np.where(levels[d], (1.0 + delta) / safe, 0.0)
            delta += np.where(levels[d - 1], sigma * (a @ coeff), 0.0)
        delta[chunk, cols] = 0.0
        out += delta.sum(axis=1)
    scale = 1.0 / ((n - 1) * (n - 2))
    if len(sources) < n:
        scale *= n / len(sources)
    return out * scale


def _eigenvector(g: nx.Graph, nodes: list[Any]) -> np.ndarray:
    """Eigenvector centrality (unweighted) on the largest component, 0 elsewhere."""
    out = np.zeros(len(nodes))
    if g.number_of_edges() == 0:
        return out
    component = max(nx.connected_components(g), key=len)
    if len(component) < 2:
        return out
    sub = g.subgraph(component)
    values = nx.eigenvector_centrality_numpy(sub, weight=None)
    index = {n: i for i, n in enumerate(nodes)}
    for n, v in values.items():
        out[index[n]] = abs(v)
    return out


def network_metrics(
    graph: nx.Graph,
    *,
    betweenness_sample: int | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Centrality, brokerage and communities of every actor.

    Computed on :func:`actor_projection` (multilateral partnerships become edges
    between their parties).

    Parameters
    ----------
    graph
        Network of :func:`partner_network` (or any graph with actor nodes).
    betweenness_sample
        Number of source nodes sampled for an approximate betweenness (Brandes'
        algorithm from ``k`` random sources, scaled by ``n / k``). ``None``: exact
        up to 5,000 actors (about 1 s for 2,000 actors and 20,000 relations), 1,000
        sources beyond (error measured in ``benchmarks/bench_network.py``).
    seed
        Seed of the sampling and of the community detection (Louvain).

    Returns
    -------
    pandas.DataFrame
        One row per actor, sorted by decreasing betweenness then degree:
        ``acteur, nom, nature, type, degre`` (distinct partners),
        ``degre_pondere`` (sum of ``poids``: partnerships + flow volume),
        ``intermediarite`` (normalised betweenness), ``vecteur_propre``
        (eigenvector centrality on the largest component, 0 elsewhere),
        ``contrainte`` (Burt's constraint; NaN for an isolate), ``taille_effective``
        (Burt's effective size), ``communaute`` (Louvain, numbered from 1 by
        decreasing size; missing for an isolate), ``isole``, ``point_articulation``
        (removing the actor cuts the network), ``pivot_declare``.

    Examples
    --------
    A star: the centre has all the brokerage.

    >>> g = nx.star_graph(3)
    >>> m = network_metrics(g).set_index("acteur")
    >>> m.loc["0", ["degre", "intermediarite", "contrainte", "taille_effective"]].tolist()
    [3.0, 1.0, 0.3333333333333333, 3.0]
    """
    g = actor_projection(graph)
    nodes = list(g.nodes)
    n = len(nodes)
    if n == 0:
        return pd.DataFrame(columns=["acteur"])
    deg = np.array([g.degree(v) for v in nodes])
    wdeg = np.array([g.degree(v, weight="poids") for v in nodes], dtype=float)
    if not any("poids" in d for _, _, d in g.edges(data=True)):
        wdeg = deg.astype(float)
    k = betweenness_sample
    if k is None and n > 5000:
        k = 1000
    btw = dict(zip(nodes, _betweenness(g, nodes, sample=k, seed=seed), strict=True))
    constraint, effective = _burt(g, nodes)
    community = {}
    if g.number_of_edges():
        groups = nx.community.louvain_communities(g, seed=seed)
        groups = sorted(
            (c for c in groups if len(c) > 1), key=lambda c: (-len(c), min(map(str, c)))
        )
        community = {v: i + 1 for i, c in enumerate(groups) for v in c}
    cut = set(nx.articulation_points(g))
    attr = lambda key, default="": [g.nodes[v].get(key, default) for v in nodes]  # noqa: E731
    df = pd.DataFrame(
        {
            "acteur": pd.array([str(v) for v in nodes], dtype="string"),
            "nom": pd.array(
                [str(x) if x != "" else str(v) for x, v in zip(attr("nom"), nodes, strict=True)],
                dtype="string",
            ),
            "nature": pd.array(attr("nature", "partenaire"), dtype="string"),
            "type": pd.array(attr("type"), dtype="string"),
            "degre": deg.astype("int64"),
            "degre_pondere": wdeg,
            "intermediarite": [btw[v] for v in nodes],
            "vecteur_propre": _eigenvector(g, nodes),
            "contrainte": constraint,
            "taille_effective": effective,
            "communaute": pd.array([community.get(v) for v in nodes], dtype="Int64"),
            "isole": deg == 0,
            "point_articulation": [v in cut for v in nodes],
            "pivot_declare": pd.array(attr("pivot_declare"), dtype="string"),
        }
    )
    return df.sort_values(["intermediarite", "degre", "acteur"], ascending=[False, False, True],
                          kind="stable").reset_index(drop=True)  # fmt: skip


def network_bridges(graph: nx.Graph) -> pd.DataFrame:
    """Relations whose loss would cut the network in two (bridges of the actor projection).

    Returns ``acteur_a, nom_a, acteur_b, nom_b, partenariats, modes, volume``.

    Examples
    --------
    >>> network_bridges(nx.path_graph(3))[["acteur_a", "acteur_b"]].values.tolist()
    [['0', '1'], ['1', '2']]
    """
    g = actor_projection(graph)
    rows = []
    for a, b in nx.bridges(g):
        a, b = sorted((a, b), key=str)
        d = g.edges[a, b]
        rows.append(
            {
                "acteur_a": str(a),
                "nom_a": str(g.nodes[a].get("nom", a)),
                "acteur_b": str(b),
                "nom_b": str(g.nodes[b].get("nom", b)),
                "partenariats": d.get("partenariats", ""),
                "modes": d.get("modes", ""),
                "volume": float(d.get("volume", 0.0)),
            }
        )
    cols = ["acteur_a", "nom_a", "acteur_b", "nom_b", "partenariats", "modes", "volume"]
    df = pd.DataFrame(rows, columns=cols)
    return (
        df.astype({c: "string" for c in cols[:-1]})
        .sort_values(["acteur_a", "acteur_b"])
        .reset_index(drop=True)
    )


def density_by_domain(graph: nx.Graph) -> pd.DataFrame:
    """Density of the network of each domain.

    For a domain: the actors active in it (their ``domaines``; Pôle emploi units
    are in every domain), and the relations between two of them that concern the
    domain (a partnership listing it, or a relation with no domain stated, such
    as a flow). Density = relations / possible pairs.

    Returns ``domaine, domaine_libelle, acteurs, relations, densite``.

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_nodes_from(["a", "b", "c"], domaines="insertion", nature="partenaire")
    >>> g.add_edge("a", "b", domaines="insertion")
    >>> row = density_by_domain(g).set_index("domaine").loc["insertion"]
    >>> int(row["acteurs"]), int(row["relations"]), float(row["densite"])
    (3, 1, 0.3333333333333333)
    """
    g = actor_projection(graph)
    rows = []
    for domain, label in DOMAINS.items():
        members = [
            v
            for v, d in g.nodes(data=True)
            if d.get("nature") == "pole_emploi" or domain in str(d.get("domaines", "")).split("|")
        ]
        n = len(members)
        m = 0
        for _, _, d in g.subgraph(members).edges(data=True):
            stated = [x for x in str(d.get("domaines", "")).split("|") if x]
            m += not stated or domain in stated
        pairs = n * (n - 1) / 2
        rows.append({"domaine": domain, "domaine_libelle": label, "acteurs": n, "relations": m,
                     "densite": m / pairs if pairs else math.nan})  # fmt: skip
    df = pd.DataFrame(rows)
    return df.astype({"domaine": "string", "domaine_libelle": "string"})


def pivot_comparison(
    metrics: pd.DataFrame,
    *,
    measure: str = "intermediarite",
    top: int = 5,
) -> pd.DataFrame:
    """Declared pivots (positioning file) against structurally central actors.

    Parameters
    ----------
    metrics
        Table of :func:`network_metrics` (its ``pivot_declare`` column comes from
        the ``positioning`` given to :func:`partner_network`).
    measure
        Centrality used to rank the actors (``intermediarite``, ``vecteur_propre``,
        ``degre``, ``degre_pondere``).
    top
        The ``top`` first actors of the ranking are "structurally central".

    Returns
    -------
    pandas.DataFrame
        Actors that are declared pivots or central: ``acteur, nom, pivot_declare,
        rang, central, constat`` where ``constat`` is ``pivot déclaré et central``,
        ``pivot déclaré mais périphérique`` or ``central sans être pivot déclaré``.
        For Pôle emploi, declared once for the establishment, the best-ranked unit
        stands for it.

    Examples
    --------
    >>> m = pd.DataFrame({"acteur": ["a", "b", "c"], "nom": ["A", "B", "C"],
    ...     "nature": ["partenaire"] * 3, "intermediarite": [0.9, 0.1, 0.0],
    ...     "pivot_declare": ["", "", "insertion"]})
    >>> pivot_comparison(m, top=1)[["acteur", "constat"]].values.tolist()
    [['c', 'pivot déclaré mais périphérique'], ['a', 'central sans être pivot déclaré']]
    """
    _require(metrics, ["acteur", "nom", "nature", measure, "pivot_declare"], "Métriques du réseau")
    ranked = metrics.sort_values(
        [measure, "acteur"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)
    ranked["rang"] = np.arange(1, len(ranked) + 1)
    pe = ranked.loc[ranked["nature"] == "pole_emploi"]
    drop = pe.index[1:]  # Pôle emploi: the best-ranked unit stands for the establishment
    ranked = ranked.drop(index=drop)
    ranked["central"] = ranked["rang"] <= top
    declared = ranked["pivot_declare"].fillna("") != ""
    sel = ranked.loc[declared | ranked["central"]].copy()
    n = len(metrics)

    def text(row: pd.Series) -> str:
        if row["pivot_declare"] and row["central"]:
            return "pivot déclaré et central"
        if row["pivot_declare"]:
            return "pivot déclaré mais périphérique"
        return "central sans être pivot déclaré"

    sel["constat"] = sel.apply(text, axis=1) if len(sel) else pd.Series(dtype="string")
    sel["detail"] = [
        f"{nom} : {c} (rang {r} sur {n} en {measure}"
        + (f", pivot déclaré en {', '.join(DOMAINS.get(d, d) for d in p.split('|'))}" if p else "")
        + ")"
        for nom, c, r, p in zip(
            sel["nom"], sel["constat"], sel["rang"], sel["pivot_declare"].fillna(""), strict=True
        )
    ]
    out = sel[["acteur", "nom", "pivot_declare", "rang", "central", "constat", "detail"]]
    out = out.astype({"constat": "string", "detail": "string"})
    order = {
        "pivot déclaré mais périphérique": 0,
        "central sans être pivot déclaré": 1,
        "pivot déclaré et central": 2,
    }
    return (
        out.sort_values(["rang"], kind="stable")
        .sort_values("constat", key=lambda s: s.map(order), kind="stable")
        .reset_index(drop=True)
    )


def compare_networks(
    a: nx.Graph, b: nx.Graph, *, labels: tuple[str, str] = ("A", "B")
) -> pd.DataFrame:
    """Compare two networks (two territories, or one territory at two dates).

    Returns
    -------
    pandas.DataFrame
        One row per indicator (``indicateur``), one column per network (``labels``)
        and ``ecart`` (second minus first): actors, Pôle emploi units, relations,
        multilateral partnerships, density, isolates, components, share of the
        largest component, flow volume, mean degree, degree centralisation
        (Freeman), and the actors and relations present in only one of them.

    Examples
    --------
    >>> t = compare_networks(nx.path_graph(3), nx.complete_graph(3), labels=("avant", "après"))
    >>> t.set_index("indicateur").loc["relations", ["avant", "après", "ecart"]].tolist()
    [2.0, 3.0, 1.0]
    """

    def summary(g: nx.Graph) -> dict[str, float]:
        p = actor_projection(g)
        n = p.number_of_nodes()
        deg = np.array([d for _, d in p.degree()], dtype=float)
        comps = list(nx.connected_components(p)) if n else []
        central = ((deg.max() - deg).sum() / ((n - 1) * (n - 2))) if n > 2 else math.nan
        return {
            "acteurs": n,
            "unites_pole_emploi": sum(
                1 for _, d in p.nodes(data=True) if d.get("nature") == "pole_emploi"
            ),
            "relations": p.number_of_edges(),
            "partenariats_multilateraux": sum(
                1 for _, d in g.nodes(data=True) if d.get("nature") == "partenariat"
            ),
            "densite": nx.density(p) if n > 1 else math.nan,
            "isoles": int((deg == 0).sum()),
            "composantes": len(comps),
            "part_plus_grande_composante": max(map(len, comps)) / n if n else math.nan,
            "volume_flux": float(sum(d.get("volume", 0.0) for _, _, d in p.edges(data=True))),
            "degre_moyen": float(deg.mean()) if n else math.nan,
            "centralisation_degre": central,
        }

    sa, sb = summary(a), summary(b)
    pa_, pb_ = actor_projection(a), actor_projection(b)
    ea = {frozenset(e) for e in pa_.edges}
    eb = {frozenset(e) for e in pb_.edges}
    extra = {
        f"acteurs_seulement_{labels[0]}": len(set(pa_) - set(pb_)),
        f"acteurs_seulement_{labels[1]}": len(set(pb_) - set(pa_)),
        f"relations_seulement_{labels[0]}": len(ea - eb),
        f"relations_seulement_{labels[1]}": len(eb - ea),
    }
    rows = [{"indicateur": k, labels[0]: float(sa[k]), labels[1]: float(sb[k])} for k in sa]
    rows += [
        {"indicateur": k, labels[0]: math.nan, labels[1]: math.nan, "ecart": float(v)}
        for k, v in extra.items()
    ]
    df = pd.DataFrame(rows)
    df.loc[: len(sa) - 1, "ecart"] = df[labels[1]] - df[labels[0]]
    return df.astype({"indicateur": "string"})


# --------------------------------------------------------------------------- reading


def network_reading(
    metrics: pd.DataFrame, *, top: int = 3, pivots: pd.DataFrame | None = None
) -> list[str]:
    """The network told in plain French: who is central, who is isolated, which pivots differ.

    Parameters
    ----------
    metrics
        :func:`network_metrics`.
    top
        Number of central actors named.
    pivots
        :func:`pivot_comparison`, to name the declared pivots that are peripheral
        and the central actors not declared pivot.

    Returns
    -------
    list of str
        Sentences, ready for the portrait.

    Examples
    --------
    >>> network_reading(network_metrics(nx.star_graph(2)))[0]
    'Le réseau compte 3 acteurs et 2 relations (densité 0,67).'
    """
    if metrics.empty:
        return ["Aucun acteur dans le réseau : renseignez le registre des partenariats."]
    n = len(metrics)
    edges = int(metrics["degre"].sum() // 2)
    density = 2 * edges / (n * (n - 1)) if n > 1 else 0.0
    density_text = str(round(density, 2)).replace(".", ",")
    out = [f"Le réseau compte {n} acteurs et {edges} relations (densité {density_text})."]
    central = metrics.sort_values(["intermediarite", "degre"], ascending=False).head(top)
    names = ", ".join(f"{r.nom} ({r.degre} partenaires)" for r in central.itertuples())
    out.append(f"Acteurs les plus centraux (intermédiarité) : {names}.")
    isolated = metrics.loc[metrics["isole"], "nom"].tolist()
    if isolated:
        out.append(
            f"{len(isolated)} acteur(s) majeur(s) sans aucune relation : {', '.join(isolated[:10])}"
            + (" ..." if len(isolated) > 10 else "")
            + "."
        )
    else:
        out.append("Aucun acteur isolé.")
    cuts = metrics.loc[metrics["point_articulation"], "nom"].tolist()
    if cuts:
        out.append(
            f"{len(cuts)} acteur(s) relient seuls une partie du réseau au reste : {', '.join(cuts[:5])}"
            + (" ..." if len(cuts) > 5 else "")
            + "."
        )
    if pivots is not None and len(pivots):
        peripheral = pivots.loc[
            pivots["constat"] == "pivot déclaré mais périphérique", "nom"
        ].tolist()
        hidden = pivots.loc[pivots["constat"] == "central sans être pivot déclaré", "nom"].tolist()
        if peripheral:
            out.append(
                f"Pivots déclarés mais périphériques dans le réseau : {', '.join(peripheral[:8])}"
                + (" ..." if len(peripheral) > 8 else "")
                + "."
            )
        if hidden:
            out.append(f"Acteurs centraux sans être déclarés pivots : {', '.join(hidden)}.")
    return out


@dataclass
class NetworkSection:
    """Everything the portrait shows about the network (see :func:`network_section`)."""

    graph: nx.Graph
    metrics: pd.DataFrame
    pivots: pd.DataFrame
    bridges: pd.DataFrame
    densities: pd.DataFrame
    reading: list[str] = field(default_factory=list)

    def figure(self, **options: Any) -> Figure:
        """Static figure (:func:`plot_network`, on a new figure outside pyplot)."""
        return cast("Figure", plot_network(self.graph, metrics=self.metrics, **options).figure)

    def html(self, **options: Any) -> str:
        """Interactive offline view (:func:`network_view_html`)."""
        return network_view_html(self.graph, metrics=self.metrics, **options)


def network_section(graph: nx.Graph, *, top: int = 5, seed: int = 0) -> NetworkSection:
    """The network section of the territorial portrait: metrics, pivots, bridges, reading.

    Examples
    --------
    >>> s = network_section(nx.star_graph(3))
    >>> s.reading[0]
    'Le réseau compte 4 acteurs et 3 relations (densité 0,5).'
    """
    metrics = network_metrics(graph, seed=seed)
    pivots = pivot_comparison(metrics, top=top) if len(metrics) else pd.DataFrame()
    return NetworkSection(
        graph=graph,
        metrics=metrics,
        pivots=pivots,
        bridges=network_bridges(graph),
        densities=density_by_domain(graph),
        reading=network_reading(metrics, pivots=pivots),
    )


# --------------------------------------------------------------------------- exports


def network_tables(
    graph: nx.Graph, *, metrics: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node and edge tables (``id`` + attributes; ``source, cible`` + attributes).

    The metrics, when given, are joined to the node table on ``id``.

    Examples
    --------
    >>> nodes, edges = network_tables(nx.path_graph(2))
    >>> nodes.columns.tolist(), edges.columns.tolist()
    (['id'], ['source', 'cible'])
    """
    nodes = pd.DataFrame([{"id": str(n), **d} for n, d in graph.nodes(data=True)])
    if nodes.empty:
        nodes = pd.DataFrame(columns=["id"])
    edges = pd.DataFrame(
        [{"source": str(a), "cible": str(b), **d} for a, b, d in graph.edges(data=True)]
    )
    if edges.empty:
        edges = pd.DataFrame(columns=["source", "cible"])
    if metrics is not None:
        extra = metrics.drop(
            columns=[c for c in ("nom", "nature", "type", "pivot_declare") if c in metrics]
        )
        nodes = nodes.merge(extra.rename(columns={"acteur": "id"}), on="id", how="left")
    return nodes, edges


def _exportable(graph: nx.Graph) -> nx.Graph:
    """Copy with only text, int, float or bool attributes (None and NaN dropped)."""

    def clean(d: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, v in d.items():
            if k.startswith("_") or v is None or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, np.generic):
                v = v.item()
            out[k] = v if isinstance(v, str | int | float | bool) else str(v)
        return out

    g = nx.Graph()
    g.graph.update({k: v for k, v in clean(graph.graph).items()})
    g.add_nodes_from((str(n), clean(d)) for n, d in graph.nodes(data=True))
    g.add_edges_from((str(a), str(b), clean(d)) for a, b, d in graph.edges(data=True))
    for n, d in g.nodes(data=True):
        d.setdefault("label", d.get("nom", n))
    return g


def save_network(graph: nx.Graph, path: str | Path, *, metrics: pd.DataFrame | None = None) -> Path:
    """Write the network as GEXF (Gephi) or GraphML (Cytoscape, Gephi), by the suffix.

    Node metrics (:func:`network_metrics`), when given, become node attributes;
    missing values (a coordinate, a constraint) are left out of the node.

    Raises
    ------
    ValueError
        Suffix other than ``.gexf`` or ``.graphml``.
    """
    path = Path(path)
    g = _exportable(graph)
    if metrics is not None:
        for rec in metrics.to_dict("records"):
            node = str(rec["acteur"])
            if node in g:
                for k, v in rec.items():
                    if (
                        k in ("acteur",)
                        or v is None
                        or v is pd.NA
                        or (isinstance(v, float) and math.isnan(v))
                    ):
                        continue
                    g.nodes[node][k] = (
                        v.item()
                        if isinstance(v, np.generic)
                        else (v if isinstance(v, str | int | float | bool) else str(v))
                    )
    suffix = path.suffix.lower()
    if suffix == ".gexf":
        nx.write_gexf(g, path)
    elif suffix == ".graphml":
        nx.write_graphml(g, path)
    else:
        raise ValueError(
            f"{path.name} : extension « {path.suffix} » non prise en charge ; utilisez .gexf (Gephi) ou .graphml (Cytoscape)."
        )
    return path


def save_network_tables(
    graph: nx.Graph, path: str | Path, *, metrics: pd.DataFrame | None = None
) -> list[Path]:
    """Write the node and edge tables.

    ``<path>_noeuds.csv`` and ``<path>_liens.csv`` (``;``, UTF-8 with BOM, for Excel),
    or one ``.xlsx`` workbook with two sheets. A name a spreadsheet would evaluate as
    a formula is written with a quote in front (:mod:`geo.exports`).

    Returns the files written.
    """
    path = Path(path)
    nodes, edges = network_tables(graph, metrics=metrics)
    if path.suffix.lower() == ".xlsx":
        return [save_workbook({"noeuds": nodes, "liens": edges}, path)]
    stem = path.with_suffix("") if path.suffix.lower() == ".csv" else path
    out = [stem.parent / f"{stem.name}_noeuds.csv", stem.parent / f"{stem.name}_liens.csv"]
    return [save_table(nodes, out[0], format="csv"), save_table(edges, out[1], format="csv")]


# --------------------------------------------------------------------------- drawing


def _positions(graph: nx.Graph, layout: str, seed: int) -> dict[Any, tuple[float, float]]:
    if layout == "geo":
        pos: dict[Any, tuple[float, float]] = {}
        for n, d in graph.nodes(data=True):
            lat, lon = _float(d.get("latitude")), _float(d.get("longitude"))
            if not (math.isnan(lat) or math.isnan(lon)):
                pos[n] = (lon, lat)
        for n in graph.nodes:  # partnerships and unplaced actors: mean of neighbours
            if n not in pos:
                near = [pos[m] for m in graph.neighbors(n) if m in pos]
                if near:
                    pos[n] = (
                        float(np.mean([p[0] for p in near])),
                        float(np.mean([p[1] for p in near])),
                    )
        return pos
    if layout != "force":
        raise ValueError(f"disposition « {layout} » inconnue : « force » ou « geo ».")
    n = graph.number_of_nodes()
    raw = nx.spring_layout(graph, seed=seed, k=2.0 / math.sqrt(max(n, 1)), iterations=100)
    return {k: (float(v[0]), float(v[1])) for k, v in raw.items()}


def _sizes(graph: nx.Graph, metrics: pd.DataFrame | None) -> dict[Any, float]:
    if metrics is not None and len(metrics):
        btw = dict(zip(metrics["acteur"].astype(str), metrics["intermediarite"], strict=True))
        top = max(btw.values()) or 1.0
        return {n: 4.0 + 14.0 * math.sqrt(btw.get(str(n), 0.0) / top) for n in graph}
    return {n: 4.0 + 2.0 * math.sqrt(graph.degree(n)) for n in graph}


def plot_network(
    graph: nx.Graph,
    *,
    metrics: pd.DataFrame | None = None,
    layout: Literal["force", "geo"] = "force",
    labels: int = 8,
    ax: Axes | None = None,
    seed: int = 0,
    title: str | None = None,
) -> Axes:
    """Static figure of the network (matplotlib).

    Pôle emploi units in blue, partners in orange, multilateral partnerships as grey
    squares; node size follows betweenness when ``metrics`` is given (degree
    otherwise); edge width follows the number of partnerships and the flow volume.

    Parameters
    ----------
    graph
        :func:`partner_network`.
    metrics
        :func:`network_metrics`, for the sizes and the labels.
    layout
        ``"force"`` (spring layout, seeded) or ``"geo"`` (longitude, latitude;
        actors without coordinates at the mean of their neighbours, else left out).
    labels
        Number of the most central actors named on the figure.
    ax
        Matplotlib axes to draw on; otherwise a new figure outside pyplot (a
        notebook shows it with ``.figure``).
    seed
        Seed of the force layout.
    title
        Title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_network(nx.star_graph(3))
    >>> len(ax.figure.axes)
    1
    """
    ax = axes_or_new(ax, (9, 7))
    pos = _positions(graph, layout, seed)
    size = _sizes(graph, metrics)
    for a, b, d in graph.edges(data=True):
        if a in pos and b in pos:
            w = (
                0.4
                + 0.6 * float(d.get("nb_partenariats", 1) or 1)
                + math.log1p(float(d.get("volume", 0.0) or 0.0)) / 3
            )
            ax.plot(
                [pos[a][0], pos[b][0]],
                [pos[a][1], pos[b][1]],
                color="#9a9a9a",
                lw=w,
                alpha=0.6,
                zorder=1,
            )
    for nature, colour in _NATURE_COLOURS.items():
        nodes = [
            n
            for n, d in graph.nodes(data=True)
            if d.get("nature", "partenaire") == nature and n in pos
        ]
        if nodes:
            ax.scatter([pos[n][0] for n in nodes], [pos[n][1] for n in nodes], s=[size[n] ** 2 for n in nodes],
                       c=colour, marker="s" if nature == "partenariat" else "o", edgecolors="white",
                       linewidths=0.6, zorder=2, label={"pole_emploi": "Pôle emploi", "partenaire": "Partenaire",
                       "partenariat": "Partenariat multilatéral"}[nature])  # fmt: skip
    if metrics is not None and labels:
        for node in metrics["acteur"].head(labels):
            key = next((n for n in graph if str(n) == node), None)
            if key in pos:
                ax.annotate(str(graph.nodes[key].get("nom", key))[:32], pos[key], fontsize=7, zorder=3,
                            xytext=(4, 4), textcoords="offset points")  # fmt: skip
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    ax.set_axis_off()
    if layout == "geo":
        ax.set_aspect(
            1 / math.cos(math.radians(np.mean([p[1] for p in pos.values()]) if pos else 0))
        )
    if title:
        ax.set_title(title)
    return ax


def network_view_html(
    graph: nx.Graph,
    *,
    metrics: pd.DataFrame | None = None,
    title: str = "Réseau des partenaires",
    seed: int = 0,
    width: int = 960,
    height: int = 720,
) -> str:
    """An offline HTML page: the force layout as inline SVG, with a few lines of JavaScript.

    No library and no network access: positions are computed here
    (:func:`networkx.spring_layout`, seeded); the page shows each actor's name,
    type and metrics on hover, highlights its partners on click, filters by name,
    and zooms with the mouse wheel.

    Examples
    --------
    >>> page = network_view_html(nx.path_graph(3))
    >>> "<svg" in page and "http" not in page.replace("http://www.w3.org/2000/svg", "")
    True
    """
    pos = _positions(graph, "force", seed)
    size = _sizes(graph, metrics)
    xs = np.array([p[0] for p in pos.values()] or [0.0])
    ys = np.array([p[1] for p in pos.values()] or [0.0])
    pad = 30

    def sx(x: float) -> float:
        span = (xs.max() - xs.min()) or 1.0
        return round(pad + (x - xs.min()) / span * (width - 2 * pad), 1)

    def sy(y: float) -> float:
        span = (ys.max() - ys.min()) or 1.0
        return round(pad + (ys.max() - y) / span * (height - 2 * pad), 1)

    info: dict[str, dict[str, Any]] = {}
    if metrics is not None:
        for rec in metrics.to_dict("records"):
            info[str(rec["acteur"])] = {
                "degré": int(rec["degre"]),
                "intermédiarité": round(float(rec["intermediarite"]), 3),
                "contrainte": None
                if pd.isna(rec["contrainte"])
                else round(float(rec["contrainte"]), 3),
                "communauté": None if pd.isna(rec["communaute"]) else int(rec["communaute"]),
            }
    index = {n: i for i, n in enumerate(graph.nodes)}
    lines = []
    for a, b, d in graph.edges(data=True):
        w = (
            0.5
            + 0.5 * float(d.get("nb_partenariats", 1) or 1)
            + math.log1p(float(d.get("volume", 0.0) or 0.0)) / 3
        )
        tip = html_text(" | ".join(filter(None, [str(d.get("modes", "")), str(d.get("flux", "")),
                                                   f"volume {d.get('volume', 0):g}" if d.get("volume") else ""])))  # fmt: skip
        lines.append(
            f'<line x1="{sx(pos[a][0])}" y1="{sy(pos[a][1])}" x2="{sx(pos[b][0])}" y2="{sy(pos[b][1])}" '
            f'stroke-width="{w:.1f}" data-a="{index[a]}" data-b="{index[b]}"><title>{tip}</title></line>'
        )
    circles = []
    for n, d in graph.nodes(data=True):
        nature = d.get("nature", "partenaire")
        extra = info.get(str(n), {})
        tip = html_text(
            f"{d.get('nom', n)} ({n})\n{d.get('type_libelle') or d.get('type', '')}"
            + "".join(f"\n{k} : {v}" for k, v in extra.items() if v is not None)
            + (f"\npivot déclaré : {d['pivot_declare']}" if d.get("pivot_declare") else "")
        )
        shape = "rect" if nature == "partenariat" else "circle"
        r = size[n] / 2 + 2
        geom = (
            f'x="{sx(pos[n][0]) - r:.1f}" y="{sy(pos[n][1]) - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}"'
            if shape == "rect"
            else f'cx="{sx(pos[n][0])}" cy="{sy(pos[n][1])}" r="{r:.1f}"'
        )
        circles.append(
            f'<{shape} {geom} fill="{_NATURE_COLOURS.get(nature, "#e6862e")}" data-i="{index[n]}" '
            f'data-name="{html_text(str(d.get("nom", n)).lower())}"><title>{tip}</title></{shape}>'
        )
    legend = " ".join(
        f'<span style="color:{c}">&#9679;</span> {label}'
        for c, label in zip(
            _NATURE_COLOURS.values(),
            ("Pôle emploi", "Partenaire", "Partenariat multilatéral"),
            strict=True,
        )
    )
    script = """
const svg=document.getElementById('net'),g=document.getElementById('vp');let s=1,tx=0,ty=0;
function ap(){g.setAttribute('transform',`translate(${tx},${ty}) scale(${s})`);}
svg.addEventListener('wheel',e=>{e.preventDefault();const f=e.deltaY<0?1.15:1/1.15;const r=svg.getBoundingClientRect();
const x=e.clientX-r.left,y=e.clientY-r.top;tx=x-(x-tx)*f;ty=y-(y-ty)*f;s*=f;ap();});
let drag=null;svg.addEventListener('mousedown',e=>{drag=[e.clientX-tx,e.clientY-ty];});
window.addEventListener('mouseup',()=>drag=null);window.addEventListener('mousemove',e=>{if(drag){tx=e.clientX-drag[0];ty=e.clientY-drag[1];ap();}});
const lines=[...document.querySelectorAll('#vp line')],nodes=[...document.querySelectorAll('#vp [data-i]')];
function reset(){lines.forEach(l=>l.classList.remove('dim','hot'));nodes.forEach(n=>n.classList.remove('dim'));}
nodes.forEach(n=>n.addEventListener('click',e=>{e.stopPropagation();reset();const i=n.dataset.i;const keep=new Set([i]);
lines.forEach(l=>{if(l.dataset.a===i||l.dataset.b===i){keep.add(l.dataset.a);keep.add(l.dataset.b);l.classList.add('hot');}else l.classList.add('dim');});
nodes.forEach(m=>{if(!keep.has(m.dataset.i))m.classList.add('dim');});}));
svg.addEventListener('click',reset);
document.getElementById('q').addEventListener('input',e=>{const q=e.target.value.toLowerCase();reset();if(!q)return;
nodes.forEach(m=>{if(!m.dataset.name.includes(q))m.classList.add('dim');});lines.forEach(l=>l.classList.add('dim'));});
"""
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>{html_text(title)}</title>
<style>body{{font-family:sans-serif;margin:8px}}#net{{border:1px solid #ddd;cursor:grab}}
line{{stroke:#999;opacity:.6}}line.hot{{stroke:#c0392b;opacity:1}}.dim{{opacity:.08}}
[data-i]{{stroke:#fff;stroke-width:.8;cursor:pointer}}</style></head><body>
<h3>{html_text(title)}</h3><p>{legend} — taille : intermédiarité ; survol : détails ; clic : partenaires ;
molette : zoom. <input id="q" placeholder="Rechercher un acteur"></p>
<svg id="net" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"><g id="vp">
{chr(10).join(lines)}
{chr(10).join(circles)}
</g></svg>
<script>{script}</script>
<script type="application/json" id="donnees">{script_json({"acteurs": len(graph), "relations": graph.number_of_edges()})}</script>
</body></html>"""


def map_network(
    graph: nx.Graph,
    *,
    metrics: pd.DataFrame | None = None,
    background: gpd.GeoDataFrame | None = None,
    title: str | None = None,
) -> folium.Map:
    """The network on the offline Leaflet map (geographic layout).

    Actors at their coordinates (the nodes of :func:`partner_network` carry them;
    those without are placed at the mean of their neighbours, else left out and
    counted in the title box), relations as lines; no tile layer. Save it with
    :func:`geo.maps.save_map`, which inlines Leaflet.

    Parameters
    ----------
    graph
        :func:`partner_network`.
    metrics
        :func:`network_metrics`, for the sizes and popups.
    background
        Commune or département polygons drawn underneath in grey.
    title
        Title box.

    Returns
    -------
    folium.Map

    Examples
    --------
    >>> g = nx.Graph()
    >>> g.add_node("a", nom="Mission locale", latitude=46.0, longitude=-9.5, nature="partenaire")
    >>> g.add_node("PE-AG-1", nom="Agence", latitude=46.1, longitude=-9.4, nature="pole_emploi")
    >>> g.add_edge("a", "PE-AG-1", modes="cotraitance", volume=120.0, nb_partenariats=1)
    >>> "Mission locale" in map_network(g).get_root().render()
    True
    """
    import folium

    from geo.maps import add_background, add_popup, add_title

    pos = _positions(graph, "geo", 0)
    size = _sizes(graph, metrics)
    m = folium.Map(tiles=None, control_scale=True)
    if background is not None:
        add_background(m, background)
    links = folium.FeatureGroup(name="Relations").add_to(m)
    for a, b, d in graph.edges(data=True):
        if a in pos and b in pos:
            w = (
                1
                + float(d.get("nb_partenariats", 1) or 1)
                + math.log1p(float(d.get("volume", 0.0) or 0.0)) / 2
            )
            tip = " | ".join(filter(None, [str(d.get("modes", "")), str(d.get("flux", ""))]))
            folium.PolyLine([(pos[a][1], pos[a][0]), (pos[b][1], pos[b][0])], weight=w, color="#777777",
                            opacity=0.6, tooltip=html_text(tip) or None).add_to(links)  # fmt: skip
    info = {}
    if metrics is not None:
        info = {str(r["acteur"]): r for r in metrics.to_dict("records")}
    for nature, colour in _NATURE_COLOURS.items():
        layer = folium.FeatureGroup(name={"pole_emploi": "Pôle emploi", "partenaire": "Partenaires",
                                          "partenariat": "Partenariats multilatéraux"}[nature]).add_to(m)  # fmt: skip
        for n, d in graph.nodes(data=True):
            if d.get("nature", "partenaire") != nature or n not in pos:
                continue
            r = info.get(str(n))
            popup = f"<b>{html_text(str(d.get('nom', n)))}</b><br>{html_text(str(d.get('type_libelle') or d.get('type', '')))}"
            if r is not None:
                popup += f"<br>partenaires : {format_int(r['degre'])}<br>intermédiarité : {format_number(r['intermediarite'], 3)}"
            marker = folium.CircleMarker((pos[n][1], pos[n][0]), radius=size[n] / 2 + 3, color="#333333", weight=1,
                                         fill=True, fill_color=colour, fill_opacity=0.9,
                                         tooltip=html_text(d.get("nom", n))).add_to(layer)  # fmt: skip
            add_popup(marker, popup, max_width=300)  # folium.Popup needs jQuery, absent offline
    folium.LayerControl(collapsed=False).add_to(m)
    if pos:
        lons = [p[0] for p in pos.values()]
        lats = [p[1] for p in pos.values()]
        m.fit_bounds([[min(lats), min(lons)], [max(lats), max(lons)]])
    missing = graph.number_of_nodes() - len(pos)
    if title or missing:
        add_title(
            m,
            (title or "")
            + (f" ({missing} acteur(s) sans localisation non affiché(s))" if missing else ""),
        )
    return m
