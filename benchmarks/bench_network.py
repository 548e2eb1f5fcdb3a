"""Benchmark of the partner-network metrics on a national-size graph.

2,000 actors and 20,000 relations (a seeded random graph with a heavy-tailed degree
distribution, like a network around a few hubs). Prints the time of every metric of
:func:`diagnostics.network.network_metrics` and the error of the sampled (approximate)
betweenness against the exact one: Spearman rank correlation, overlap of the top 20,
largest absolute error.

Run: ``python benchmarks/bench_network.py [--acteurs 2000] [--relations 20000]``.
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from diagnostics import network as nw


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


if __name__ == "__main__":
    main()
