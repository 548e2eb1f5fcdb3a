"""Benchmark of the partner-network metrics on a national-size graph.

2,000 actors and 20,000 relations (a seeded random graph with a heavy-tailed degree
distribution, like a network around a few hubs). Prints the time of every metric of
:func:`diagnostics.network.network_metrics` and the error of the sampled (approximate)
betweenness against the exact one: Spearman rank correlation, overlap of the top 20,
largest absolute error.

Then compares the hand-written exact betweenness (``diagnostics.network._betweenness``,
Brandes vectorised over sources with sparse products) with the libraries that do the
same job, at the sizes users have (the demo network, a bassin, a région, the national
graph): networkx, rustworkx and python-igraph (conversion from networkx included, best
of 3), and checks that they give the same values (normalised, to 1e-9). And compares
the class breaks of the coverage map legend (``diagnostics.coverage._classes``,
quantiles of the counts rounded to integer classes) with mapclassify's ``Quantiles``.
Libraries that are not installed are reported and skipped (they are not dependencies).

Run: ``python benchmarks/bench_network.py [--acteurs 2000] [--relations 20000]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from collections.abc import Callable

import networkx as nx
import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from diagnostics import coverage as cov
from diagnostics import network as nw

#: (label, actors, relations) of the betweenness comparison; the demo network is added.
SIZES = (("bassin", 300, 1500), ("région", 800, 5000), ("national", 2000, 20000))
#: networkx's pure-Python Brandes is timed up to this many actors (minutes beyond).
NETWORKX_UP_TO = 800


def build(n: int, m: int, seed: int = 1) -> nx.Graph:
    rng = np.random.default_rng(seed)
    weights = rng.pareto(2.0, n) + 1
    p = weights / weights.sum()
    g = nx.Graph()
    g.add_nodes_from((str(i), {"nature": "partenaire", "nom": f"A{i}"}) for i in range(n))
    while g.number_of_edges() < m:
        a, b = rng.choice(n, size=2, p=p)
        if a != b:
            nw._add_edge(g, str(a), str(b), partnership=f"C{g.number_of_edges()}",
                         mode="cotraitance", volume=float(rng.integers(0, 50)))  # fmt: skip
    return g


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--acteurs", type=int, default=2000)
    parser.add_argument("--relations", type=int, default=20000)
    parser.add_argument("--exact", action="store_true", help="also time the exact betweenness")
    args = parser.parse_args()
    g = build(args.acteurs, args.relations)
    print(f"graphe : {g.number_of_nodes()} acteurs, {g.number_of_edges()} relations")
    t = time.perf_counter()
    metrics = nw.network_metrics(g)
    total = time.perf_counter() - t
    print(f"network_metrics (toutes les métriques, intermédiarité exacte) : {total:.2f} s")
    for name, func in (
        ("degrés", lambda: dict(g.degree(weight="poids"))),
        ("intermédiarité exacte (vectorisée)", lambda: nw._betweenness(g, list(g))),
        ("intermédiarité échantillonnée k=300", lambda: nw._betweenness(g, list(g), sample=300)),
        ("vecteur propre", lambda: nw._eigenvector(g, list(g))),
        ("contrainte + taille effective (Burt)", lambda: nw._burt(g, list(g))),
        ("communautés (Louvain)", lambda: nx.community.louvain_communities(g, seed=0)),
        (
            "ponts + points d'articulation",
            lambda: (list(nx.bridges(g)), list(nx.articulation_points(g))),
        ),
        ("densité par domaine", lambda: nw.density_by_domain(g)),
    ):
        t = time.perf_counter()
        func()
        print(f"  {name} : {time.perf_counter() - t:.2f} s")
    ex = metrics.set_index("acteur")["intermediarite"]
    if args.exact:
        t = time.perf_counter()
        reference = pd.Series(nx.betweenness_centrality(g)).reindex(ex.index)
        print(f"intermédiarité networkx (référence) : {time.perf_counter() - t:.2f} s, "
              f"écart max avec la version vectorisée {(reference - ex).abs().max():.2e}")  # fmt: skip
    approx = pd.Series(nw._betweenness(g, list(g), sample=300), index=list(g)).reindex(ex.index)
    rho = spearmanr(ex, approx).statistic
    top_e = set(ex.sort_values(ascending=False).head(20).index)
    top_a = set(approx.sort_values(ascending=False).head(20).index)
    err = (approx - ex).abs()
    print(
        f"erreur de l'échantillonnage (k=300) : Spearman {rho:.3f}, top 20 commun "
        f"{len(top_e & top_a)}/20, erreur absolue max {err.max():.4f} "
        f"(valeur max exacte {ex.max():.4f}), erreur relative moyenne sur le top 20 "
        f"{(err[list(top_e)] / ex[list(top_e)]).mean():.1%}"
    )
    compare_betweenness(args.exact)
    compare_classes()


def _best(func: Callable[[], np.ndarray], repeat: int = 3) -> tuple[float, np.ndarray]:
    times, value = [], np.zeros(0)
    for _ in range(repeat):
        t = time.perf_counter()
        value = func()
        times.append(time.perf_counter() - t)
    return min(times), value


def _library_betweenness(g: nx.Graph, nodes: list) -> dict[str, Callable[[], np.ndarray]]:
    """Normalised exact betweenness by each installed library, in the order of ``nodes``."""
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    scale = 2.0 / ((n - 1) * (n - 2))  # undirected pairs, as networkx normalized=True
    out: dict[str, Callable[[], np.ndarray]] = {}
    if importlib.util.find_spec("rustworkx"):
        import rustworkx as rx

        def with_rustworkx() -> np.ndarray:
            r = rx.PyGraph()
            r.add_nodes_from(nodes)
            r.add_edges_from_no_data([(index[a], index[b]) for a, b in g.edges()])
            values = rx.graph_betweenness_centrality(r, normalized=True)
            return np.array([values[i] for i in range(n)])

        out["rustworkx"] = with_rustworkx
    if importlib.util.find_spec("igraph"):
        import igraph as ig

        def with_igraph() -> np.ndarray:
            h = ig.Graph(n=n, edges=[(index[a], index[b]) for a, b in g.edges()])
            return np.array(h.betweenness(directed=False)) * scale

        out["igraph"] = with_igraph
    return out


def compare_betweenness(exact_networkx: bool) -> None:
    """Time the exact betweenness of ours and of the libraries; check they agree to 1e-9."""
    from geo import settings

    print("\nintermédiarité exacte : la nôtre contre les bibliothèques (meilleur de 3, s)")
    for name in ("networkx", "rustworkx", "igraph"):
        if not importlib.util.find_spec(name):
            print(f"  {name} non installé : ignoré")
    demo = settings.demo_dir()
    from diagnostics.partners import read_partners
    from diagnostics.partnerships import read_partner_flows, read_partnerships

    graphs = [
        (
            "démo",
            nw.partner_network(
                read_partners(demo / "partenaires.csv"),
                read_partnerships(demo / "partenariats.csv"),
                flows=read_partner_flows(demo / "flux_partenaires.csv"),
            ),
        )
    ]
    graphs += [(label, build(n, m)) for label, n, m in SIZES]
    for label, graph in graphs:
        g = nw.actor_projection(graph)
        nodes = list(g)
        t_ours, ours = _best(lambda g=g, nodes=nodes: nw._betweenness(g, nodes))
        figures = [f"nôtre {t_ours:.4f}"]
        agree = []
        if len(nodes) <= NETWORKX_UP_TO or exact_networkx:
            t = time.perf_counter()
            ref = nx.betweenness_centrality(g)
            figures.append(f"networkx {time.perf_counter() - t:.4f}")
            agree.append(np.abs(np.array([ref[v] for v in nodes]) - ours).max())
        for name, func in _library_betweenness(g, nodes).items():
            t_lib, values = _best(func)
            figures.append(f"{name} {t_lib:.4f}")
            agree.append(np.abs(values - ours).max())
        same = "oui" if all(d <= 1e-9 for d in agree) else "NON"
        print(
            f"  {label} ({len(nodes)} acteurs, {g.number_of_edges()} relations) : "
            f"{', '.join(figures)} ; mêmes valeurs à 1e-9 près : {same} "
            f"(écart max {max(agree, default=0.0):.1e})"
        )


def _classes_from_breaks(breaks: np.ndarray, top: int) -> list[tuple[int, int]]:
    """Our integer classes built on given quantile breaks (the post-processing of _classes)."""
    bounds = [b for b in np.unique(np.ceil(breaks).astype(int)).tolist() if 1 <= b < top]
    classes, low = [], 1
    for b in [*bounds, top]:
        if b >= low:
            classes.append((low, b))
            low = b + 1
    return classes


def compare_classes() -> None:
    """Our quantile classes of the coverage legend against mapclassify's Quantiles."""
    print("\nclasses de la légende de couverture : les nôtres contre mapclassify.Quantiles")
    if not importlib.util.find_spec("mapclassify"):
        print("  mapclassify non installé : ignoré")
        return
    import mapclassify

    rng = np.random.default_rng(0)
    samples = {
        "bassin (300 communes)": rng.negative_binomial(3, 0.3, 300),
        "national (35 000 communes)": rng.negative_binomial(3, 0.2, 35_000),
    }
    for label, values in samples.items():
        t_ours, ours = _best(lambda values=values: cov._classes(values), repeat=20)
        positive = np.sort(values[values > 0]).astype(int)

        def theirs(positive: np.ndarray = positive) -> list[tuple[int, int]]:
            bins = mapclassify.Quantiles(positive, k=5).bins
            return _classes_from_breaks(bins[:-1], int(positive.max()))

        t_lib, classes = _best(theirs, repeat=20)
        print(
            f"  {label} : nôtre {t_ours * 1000:.2f} ms, mapclassify {t_lib * 1000:.2f} ms ; "
            f"mêmes classes : {'oui' if classes == ours else 'NON'} ({ours})"
        )


if __name__ == "__main__":
    main()
