"""Tests of diagnostics.network: metrics by hand, building, comparisons, exports, views."""

from __future__ import annotations

import math

import matplotlib
import networkx as nx
import pandas as pd
import pytest

from diagnostics import network as nw
from diagnostics import partnerships as ps
from diagnostics.partners import partners_from_records, read_partners
from diagnostics.positioning import read_positioning
from geo import settings

matplotlib.use("Agg")


def _metrics(g: nx.Graph) -> pd.DataFrame:
    return nw.network_metrics(g).set_index("acteur")


def test_path_graph_metrics_by_hand():
    # a - b - c : b lies on the only path a-c -> betweenness 1 (normalised by (n-1)(n-2)/2 = 1).
    g = nx.Graph([("a", "b"), ("b", "c")])
    m = _metrics(g)
    assert m.loc["b", "intermediarite"] == pytest.approx(1.0)
    assert m.loc["a", "intermediarite"] == 0.0
    # Burt's constraint: a has one contact b, p_ab = 1 -> c_a = 1.
    # b has two unconnected contacts: c_b = 2 * (1/2)^2 = 0.5.
    assert m.loc["a", "contrainte"] == pytest.approx(1.0)
    assert m.loc["b", "contrainte"] == pytest.approx(0.5)
    # Effective size: b has 2 non-redundant contacts; a has 1.
    assert m.loc["b", "taille_effective"] == pytest.approx(2.0)
    assert m.loc["a", "taille_effective"] == pytest.approx(1.0)
    # Eigenvector of the path P3: (1, sqrt 2, 1) / 2.
    assert m.loc["b", "vecteur_propre"] == pytest.approx(math.sqrt(2) / 2)
    assert m.loc["a", "vecteur_propre"] == pytest.approx(0.5)
    assert bool(m.loc["b", "point_articulation"]) and not bool(m.loc["a", "point_articulation"])
    assert nw.network_bridges(g)[["acteur_a", "acteur_b"]].values.tolist() == [
        ["a", "b"], ["b", "c"],
    ]  # fmt: skip


def test_triangle_with_pendant_by_hand():
    # Triangle a-b-c plus d hanging on a.
    g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("a", "d")])
    m = _metrics(g)
    # a: contacts b, c, d (p = 1/3 each); b-c tied.
    # c_ab = (1/3 + p_ac p_cb)^2 = (1/3 + 1/3 * 1/2)^2 = 1/4, same for c; c_ad = 1/9.
    assert m.loc["a", "contrainte"] == pytest.approx(0.25 + 0.25 + 1 / 9)
    # Effective size a: n=3, t=1 tie -> 3 - 2*1/3.
    assert m.loc["a", "taille_effective"] == pytest.approx(3 - 2 / 3)
    # Betweenness of a: pairs (d,b), (d,c) go through a -> 2 / ((4-1)(4-2)/2) = 2/3.
    assert m.loc["a", "intermediarite"] == pytest.approx(2 / 3)
    assert m.loc["a", "degre"] == 3 and m.loc["d", "degre"] == 1


def test_metrics_match_networkx_on_random_graph():
    g = nx.gnm_random_graph(60, 180, seed=3)
    g.add_node(999)  # an isolate
    m = nw.network_metrics(g).set_index("acteur")
    constraint = nx.constraint(g)
    effective = nx.effective_size(g)
    for node in list(g)[:60]:
        assert m.loc[str(node), "contrainte"] == pytest.approx(constraint[node])
        assert m.loc[str(node), "taille_effective"] == pytest.approx(effective[node])
    assert bool(m.loc["999", "isole"]) and pd.isna(m.loc["999", "contrainte"])
    assert pd.isna(m.loc["999", "communaute"])


def test_weighted_degree_and_multilateral_projection():
    g = nx.Graph()
    g.add_nodes_from(["PE", "a", "b", "c"], nature="partenaire")
    g.add_node("M", nature="partenariat")
    for x in ("a", "b", "c"):
        nw._add_edge(g, "M", x, partnership="M", mode="complementarite")
    nw._add_edge(g, "PE", "a", partnership="P1", mode="cotraitance")
    nw._add_edge(g, "PE", "a", volume=120.0, flow="cotraitance")
    p = nw.actor_projection(g)
    assert "M" not in p and p.has_edge("b", "c")
    m = _metrics(g)
    # a: PE (1 partnership + 120 people) and b, c (the multilateral partnership, 1 each).
    assert m.loc["a", "degre"] == 3
    assert m.loc["a", "degre_pondere"] == pytest.approx(121 + 1 + 1)


def test_density_by_domain_by_hand():
    g = nx.Graph()
    g.add_nodes_from(["a", "b", "c"], domaines="insertion", nature="partenaire")
    g.add_node("d", domaines="formation", nature="partenaire")
    g.add_edge("a", "b", domaines="insertion")
    g.add_edge("b", "c", domaines="formation")  # between insertion actors, not on insertion
    g.add_edge("c", "d", domaines="")
    d = nw.density_by_domain(g).set_index("domaine")
    assert d.loc["insertion", "relations"] == 1
    assert d.loc["insertion", "densite"] == pytest.approx(1 / 3)
    assert d.loc["formation", "acteurs"] == 1 and math.isnan(d.loc["formation", "densite"])


def _small_network(**options):
    partners = partners_from_records(
        [
            {"partenaire_id": "P1", "nom": "ML", "type": "mission_locale", "commune": "9A001",
             "latitude": 46.0, "longitude": -9.5, "majeur": True, "operant": True},
            {"partenaire_id": "P2", "nom": "PLIE", "type": "plie", "commune": "9A002",
             "latitude": 46.1, "longitude": -9.4, "majeur": True, "operant": True},
            {"partenaire_id": "P3", "nom": "Isolé", "type": "caf", "commune": "9A003",
             "majeur": True, "operant": True},
        ]
    )  # fmt: skip
    registry = ps.partnerships_from_records(
        [
            {"partenariat_id": "A", "parties": "PE-AG-1|P1", "mode": "cotraitance",
             "statut": "en_cours", "date_debut": "2024-01-01", "domaines": "insertion"},
            {"partenariat_id": "B", "parties": "P1|P2", "mode": "echange_informations",
             "statut": "en_cours", "date_debut": "2025-06-01"},
            {"partenariat_id": "M", "parties": "PE-AG-1|P1|P2", "mode": "complementarite",
             "statut": "evalue", "date_debut": "2024-01-01", "intitule": "Pacte"},
        ]
    )  # fmt: skip
    return nw.partner_network(partners, registry, **options)


def test_partner_network_building_and_dates():
    g = _small_network(date="2025-12-31")
    assert g.nodes["P3"]["nature"] == "partenaire" and g.degree("P3") == 0
    assert g.nodes["M"]["nature"] == "partenariat" and g.degree("M") == 3
    assert g.nodes["PE-AG-1"]["nature"] == "pole_emploi"
    before = _small_network(date="2024-12-31", include="parties")
    assert not before.has_edge("P1", "P2") and "P3" not in before
    cmp = nw.compare_networks(before, g, labels=("2024", "2025")).set_index("indicateur")
    # P1-P2 exists at both dates through the multilateral pact; P3 only in the second.
    assert cmp.loc["relations_seulement_2025", "ecart"] == 0
    assert cmp.loc["acteurs_seulement_2025", "ecart"] == 1
    assert cmp.loc["isoles", "2025"] == 1


def test_territory_filter_keeps_local_relations():
    g = _small_network(communes=["9A003"], include="parties")
    assert g.number_of_nodes() == 0


def test_pivot_comparison_and_reading():
    positioning = pd.DataFrame(
        {"acteur": ["P2", "pole_emploi"], "domaine": ["insertion", "intermediation"],
         "role": ["pivot", "pivot"]}
    )  # fmt: skip
    g = _small_network(positioning=positioning)
    m = nw.network_metrics(g)
    pivots = nw.pivot_comparison(m, top=1, measure="degre").set_index("acteur")
    assert pivots.loc["P2", "constat"] == "pivot déclaré mais périphérique"
    text = " ".join(nw.network_reading(m, pivots=nw.pivot_comparison(m, top=1)))
    assert "Isolé" in text and "PLIE" in text


def test_exports_read_back(tmp_path):
    g = _small_network()
    m = nw.network_metrics(g)
    for suffix, reader in ((".gexf", nx.read_gexf), (".graphml", nx.read_graphml)):
        path = nw.save_network(g, tmp_path / f"reseau{suffix}", metrics=m)
        back = reader(path)
        assert set(back.nodes) == set(g.nodes)
        assert back.number_of_edges() == g.number_of_edges()
        assert back.nodes["P1"]["nom"] == "ML"
        assert back.nodes["P1"]["degre"] == int(m.set_index("acteur").loc["P1", "degre"])
        assert back.edges["PE-AG-1", "P1"]["modes"] == "cotraitance"
    with pytest.raises(ValueError, match="gexf"):
        nw.save_network(g, tmp_path / "reseau.txt")
    csvs = nw.save_network_tables(g, tmp_path / "reseau", metrics=m)
    nodes = pd.read_csv(csvs[0], sep=";", encoding="utf-8-sig")
    assert set(nodes["id"]) == set(g.nodes)
    xlsx = nw.save_network_tables(g, tmp_path / "reseau.xlsx")[0]
    assert (
        pd.read_excel(xlsx, sheet_name="liens", engine="calamine").shape[0] == g.number_of_edges()
    )


def test_views_are_offline():
    g = _small_network()
    m = nw.network_metrics(g)
    page = nw.network_view_html(g, metrics=m)
    assert "<svg" in page and "Pacte" in page
    assert "https://" not in page and "cdn" not in page.lower()
    html = nw.map_network(g, metrics=m).get_root().render()
    assert "ML" in html and "tile" not in html.lower().replace("tiles=none", "")
    ax = nw.plot_network(g, metrics=m, layout="geo")
    assert len(ax.figure.axes) == 1 and ax.get_legend() is not None


def test_demo_network():
    demo = settings.demo_dir()
    partners = read_partners(demo / "partenaires.csv")
    units = ps.read_pole_emploi_units(demo / "unites_pole_emploi.csv")
    g = nw.partner_network(
        partners,
        ps.read_partnerships(demo / "partenariats.csv"),
        flows=ps.read_partner_flows(demo / "flux_partenaires.csv"),
        units=units,
        positioning=read_positioning(demo / "positionnement.csv"),
        date="2026-06-30",
    )
    section = nw.network_section(g)
    assert section.metrics["isole"].sum() == 1
    assert sum(1 for _, d in g.nodes(data=True) if d["nature"] == "partenariat") == 1
    assert "pivot déclaré mais périphérique" in set(section.pivots["constat"])


def test_vectorised_betweenness_equals_networkx():
    g = nx.gnm_random_graph(80, 200, seed=5)
    g.add_edges_from([(100, 101)])  # a second component
    nodes = list(g)
    ours = nw._betweenness(g, nodes, batch=16)
    ref = nx.betweenness_centrality(g)
    assert ours == pytest.approx([ref[v] for v in nodes])
