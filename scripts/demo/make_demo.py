"""Generate the fictional demonstration territory of the workbench.

The territory is an island région of the Atlantic Ocean, far west of France, that
exists nowhere: région ``99`` "Île-Démonstration (région fictive)", three
départements ``9A``, ``9B``, ``9C``, about 300 communes with invented names,
bassins d'emploi BMO, zones d'emploi, CLPE and legal populations. Every file is
written in the schema, separator, encoding, BOM and line endings of the official
file it stands for, so that the readers of :mod:`geo.referentials` read it like
real data.

The output is deterministic: a fixed seed, one independent random stream per
component (adding a component later leaves the others unchanged), no clock and no
environment variable. Running the script twice writes byte-identical files;
``tests/test_demo.py`` checks that ``data/demo/`` is up to date.

Usage::

    python scripts/demo/make_demo.py                 # writes data/demo/
    python scripts/demo/make_demo.py --sortie DOSSIER

Geometry is computed in Lambert-93 (EPSG:2154) and written in WGS84 with
coordinates rounded to 6 decimals; the commune polygons form an exact coverage
(neighbours share identical vertices, no gap, no overlap).
"""

from __future__ import annotations

import argparse
import csv
import heapq
import io
import json
import re
import sys
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyproj
import shapely
from shapely.geometry import MultiPoint, Polygon, mapping

__all__ = [
    "SEED",
    "Territory",
    "build_bassins",
    "build_cantons",
    "build_cells",
    "build_clpe",
    "build_communes",
    "build_coverage",
    "build_departements",
    "build_epci",
    "build_former_communes",
    "build_outline",
    "build_populations",
    "build_territory",
    "build_zones_emploi",
    "commune_graph",
    "grow_partition",
    "main",
    "make_name",
    "pick_seeds",
    "random_stream",
    "write_all",
    "write_commune_bassin",
    "write_commune_clpe",
    "write_commune_zone_emploi",
    "write_communes_population",
    "write_departements",
    "write_geometries",
    "write_insee_communes",
    "write_passage_codes",
    "write_readme",
    "write_regions",
    "write_zones_emploi",
]

#: Master seed of the demonstration territory. Changing it changes every file.
SEED = 20240417

REGION = "99"
REGION_NAME = "Île-Démonstration (région fictive)"
YEAR_COG = "2025"

#: Départements: code, name, TNCC (Insee article code), position of the
#: chef-lieu relative to the island (fractions of the half-axes, east and north).
DEPARTEMENTS = (
    ("9A", "Ormelin", 5, (-0.55, 0.05)),
    ("9B", "Côte-Brumaire", 3, (0.35, 0.45)),
    ("9C", "Val-de-Lisandre", 2, (0.40, -0.45)),
)
N_COMMUNES = 300
#: Groups per département, in the order of ``DEPARTEMENTS``.
N_BASSINS = (4, 3, 3)
N_CLPE = (3, 2, 3)
N_EPCI = (6, 5, 5)
N_CANTONS = (7, 6, 6)
N_ZONES_EMPLOI = 6
N_FORMER = 2
TOTAL_POPULATION = 800_000

CENTRE_LONLAT = (-9.0, 46.3)
HALF_AXES_M = (75_000.0, 60_000.0)
METRIC_CRS = "EPSG:2154"
STORAGE_CRS = "EPSG:4326"
DECIMALS = 6

#: Adjacency of communes: ``graph[i][j]`` is the distance (km) between neighbours.
Graph = list[dict[int, float]]

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "data" / "demo"


# --------------------------------------------------------------------------- utils


def random_stream(name: str, *, seed: int = SEED) -> np.random.Generator:
    """Return the random generator of one component, independent of the others.

    Parameters
    ----------
    name
        Component name (``"outline"``, ``"names"``...). The stream depends only on
        ``seed`` and ``name``, so adding a component never shifts another one.
    seed
        Master seed.
    """
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _to_wgs84() -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)


def _to_metric() -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)


def _project(geoms, transformer: pyproj.Transformer):
    def func(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, func)


def _ascii_upper(name: str) -> str:
    """Insee ``NCC`` style: upper case, no accent, hyphens and apostrophes as spaces."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"\s+", " ", re.sub(r"[-']", " ", plain)).strip().upper()


def _sort_key(name: str) -> str:
    """Alphabetical key of a commune name, ignoring accents and the leading article."""
    name = re.sub(r"^(Le |La |Les |L')", "", name)
    return _ascii_upper(name)


def _slug(name: str) -> str:
    return _ascii_upper(name).lower().replace(" ", "-")


def _tncc(name: str) -> int:
    """Insee article code (``typeLiaison``) of a name."""
    for prefix, code in (("Les ", 4), ("Le ", 2), ("La ", 3), ("L'", 5)):
        if name.startswith(prefix):
            return code
    return 1 if _ascii_upper(name)[:1] in set("AEIOUY") else 0


def _luhn_complete(digits: str) -> str:
    """Append the Luhn check digit (as in SIREN numbers) to ``digits``."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return digits + str((10 - total % 10) % 10)


# ------------------------------------------------------------------------ geometry


def build_outline(rng: np.random.Generator) -> Polygon:
    """Return the island outline in Lambert-93: a smooth, irregular closed curve.

    The radius of an ellipse (``HALF_AXES_M``) centred on ``CENTRE_LONLAT`` is
    modulated by a few low harmonics with random phases; the curve stays
    star-shaped, hence simple and valid.
    """
    cx, cy = _to_metric().transform(*CENTRE_LONLAT)
    theta = np.linspace(0.0, 2.0 * np.pi, 256, endpoint=False)
    radius = np.ones_like(theta)
    for k in range(2, 10):
        amplitude = rng.uniform(0.25, 1.0) * 0.26 / k
        radius += amplitude * np.cos(k * theta + rng.uniform(0.0, 2.0 * np.pi))
    x = cx + HALF_AXES_M[0] * radius * np.cos(theta)
    y = cy + HALF_AXES_M[1] * radius * np.sin(theta)
    outline = Polygon(np.column_stack([np.round(x, 1), np.round(y, 1)]))
    if not outline.is_valid:  # pragma: no cover - guarded by the amplitudes
        raise RuntimeError("Le contour de l'île générée n'est pas valide.")
    return outline


def _chef_lieu_sites() -> np.ndarray:
    cx, cy = _to_metric().transform(*CENTRE_LONLAT)
    return np.array(
        [[cx + fx * HALF_AXES_M[0], cy + fy * HALF_AXES_M[1]] for *_, (fx, fy) in DEPARTEMENTS]
    )


def build_cells(rng: np.random.Generator, outline: Polygon) -> tuple[np.ndarray, np.ndarray]:
    """Draw the commune seed points and return them with their clipped Voronoi cells.

    Points are denser around the three chefs-lieux (small urban communes) and kept
    apart by a minimum distance, so that no cell is a sliver.

    Returns
    -------
    points : numpy.ndarray
        ``(N_COMMUNES, 2)`` Lambert-93 coordinates.
    cells : numpy.ndarray
        Shapely polygons in Lambert-93, in the order of ``points``.
    """
    sites = _chef_lieu_sites()
    if not shapely.contains_xy(outline, sites[:, 0], sites[:, 1]).all():
        raise RuntimeError("Un chef-lieu tombe hors de l'île : revoyez DEPARTEMENTS.")
    minx, miny, maxx, maxy = outline.bounds
    points: list[tuple[float, float]] = [tuple(s) for s in sites]
    while len(points) < N_COMMUNES:
        if rng.random() < 0.3:
            centre = sites[rng.integers(len(sites))]
            x, y = centre + rng.normal(0.0, 9_000.0, 2)
        else:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not shapely.contains_xy(outline, x, y):
            continue
        arr = np.asarray(points)
        near_town = np.min(np.hypot(*(sites - (x, y)).T))
        min_dist = 1_800.0 + 2_200.0 * min(near_town / 20_000.0, 1.0)
        if np.min(np.hypot(arr[:, 0] - x, arr[:, 1] - y)) < min_dist:
            continue
        if outline.exterior.distance(shapely.Point(x, y)) < 1_000.0:
            continue
        points.append((round(x, 1), round(y, 1)))
    pts = np.asarray(points)
    voronoi = shapely.voronoi_polygons(
        MultiPoint(pts), extend_to=outline.buffer(50_000.0), ordered=True
    )
    cells = shapely.intersection(np.asarray(shapely.get_parts(voronoi)), outline)
    return pts, cells


def build_coverage(cells: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Turn Lambert-93 cells into an exact WGS84 coverage on a 1e-6 degree grid.

    The cell boundaries are projected, noded together on the grid and polygonised,
    so neighbouring polygons share exactly the same vertices after rounding. Each
    face goes back to the cell that contains its interior point.

    Returns
    -------
    numpy.ndarray
        Polygons (or multipolygons) in WGS84, exterior rings clockwise like the
        official IGN files, in the order of ``cells``.
    """
    grid = 10.0**-DECIMALS
    cells_wgs = _project(cells, _to_wgs84())
    lines = shapely.union_all(shapely.boundary(cells_wgs), grid_size=grid)
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))))
    probes = shapely.point_on_surface(faces)
    face_idx, cell_idx = shapely.STRtree(cells_wgs).query(probes, predicate="within")
    if len(face_idx) != len(faces) or len(set(face_idx.tolist())) != len(faces):
        raise RuntimeError("Couverture communale : une face n'appartient à aucune commune.")
    coverage = np.empty(len(cells), dtype=object)
    for i in range(len(cells)):
        parts = faces[face_idx[cell_idx == i]]
        if len(parts) == 0:
            raise RuntimeError(f"Couverture communale : la cellule {i} a disparu.")
        geom = parts[0] if len(parts) == 1 else shapely.union_all(parts, grid_size=grid)
        coverage[i] = geom
    coverage = shapely.orient_polygons(coverage, exterior_cw=True)
    if not shapely.is_valid(coverage).all() or not shapely.coverage_is_valid(coverage):
        raise RuntimeError("Couverture communale invalide après arrondi.")
    return coverage


def commune_graph(geoms: np.ndarray, points: np.ndarray) -> Graph:
    """Adjacency of polygons sharing a boundary segment, weighted by distance in km.

    Parameters
    ----------
    geoms
        Polygons of the coverage.
    points
        Lambert-93 seed points of the polygons, used for the edge weights.
    """
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.relate_pattern(geoms[left], geoms[right], "****1****")
    graph: Graph = [{} for _ in range(len(geoms))]
    for a, b in zip(left[shared].tolist(), right[shared].tolist(), strict=True):
        d = float(np.hypot(*(points[a] - points[b]))) / 1_000.0
        graph[a][b] = d
        graph[b][a] = d
    return graph


def grow_partition(
    graph: Graph,
    seeds: Sequence[int],
    rng: np.random.Generator,
    *,
    nodes: Sequence[int] | None = None,
    roughness: float = 0.4,
) -> dict[int, int]:
    """Split connected ``nodes`` into contiguous groups grown from ``seeds``.

    A multi-source shortest-path search on the adjacency graph, with edge
    weights randomly stretched by ``± roughness`` so borders are irregular. Each
    node joins the group of its nearest seed; as it is reached through a node of
    the same group, every group is contiguous.

    Returns
    -------
    dict
        ``node -> index of its seed in seeds``.
    """
    allowed = set(range(len(graph)) if nodes is None else nodes)
    stretch: dict[tuple[int, int], float] = {}
    for a in sorted(allowed):
        for b in sorted(graph[a]):
            if a < b and b in allowed:
                stretch[a, b] = float(rng.uniform(1.0 - roughness, 1.0 + roughness))
    label: dict[int, int] = {}
    heap = [(0.0, k, s) for k, s in enumerate(seeds)]
    heapq.heapify(heap)
    while heap:
        dist, k, node = heapq.heappop(heap)
        if node in label:
            continue
        label[node] = k
        for nb, w in sorted(graph[node].items()):
            if nb in allowed and nb not in label:
                heapq.heappush(heap, (dist + w * stretch[min(node, nb), max(node, nb)], k, nb))
    if len(label) != len(allowed):
        raise RuntimeError("Partition : des communes ne sont reliées à aucun germe.")
    return label


def pick_seeds(
    points: np.ndarray,
    nodes: Sequence[int],
    k: int,
    rng: np.random.Generator,
    *,
    forced: int | None = None,
) -> list[int]:
    """Choose ``k`` well spread seed nodes among ``nodes`` (k-means on the points).

    ``forced`` (a chef-lieu) is always a seed, and comes first.
    """
    nodes = list(nodes)
    xy = points[nodes]
    centres = xy[rng.choice(len(nodes), size=k, replace=False)]
    for _ in range(30):
        d = np.hypot(xy[:, None, 0] - centres[None, :, 0], xy[:, None, 1] - centres[None, :, 1])
        nearest = d.argmin(axis=1)
        centres = np.array(
            [
                xy[nearest == j].mean(axis=0) if (nearest == j).any() else centres[j]
                for j in range(k)
            ]
        )
    seeds: list[int] = []
    for c in centres:
        order = np.argsort(np.hypot(*(xy - c).T), kind="stable")
        seeds.append(next(nodes[i] for i in order if nodes[i] not in seeds))
    if forced is not None and forced not in seeds:
        closest = int(np.argmin([np.hypot(*(points[s] - points[forced])) for s in seeds]))
        seeds[closest] = forced
    if forced is not None:
        seeds.remove(forced)
        seeds.insert(0, forced)
    return seeds


# --------------------------------------------------------------------------- names


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Repeated entries are more frequent.
_ONSETS = _words("b br c ch cl d f fl g gr j l m n p pl pr r s t tr v vr b br ch d g l m p r s t v")
_VOWELS = _words("a a a e i i o o ou au ai é")
_CODAS = ("", "", "", "", "r", "l", "n", "s")
_ENDINGS = _words(
    "ac ay ille ville court mont val bourg ières ieux an ec ignac erie ois elle "
    "elles in ent on oux ange euil ette ine ard ais oire ouët esse ade"
)
_SHORT_ROOT_ENDINGS = frozenset(_words("ignac ouët erie esse ade oire elles ette"))
_FEMININE = ("elle", "ette", "ine", "oire", "ière", "esse", "ade", "ange", "erie", "ille")
_RIVERS = ("Ormelle", "Brivonne", "Lisandre", "Sauvanne", "Marvelle", "Tréguine")
_QUALIFIERS = (
    "-le-Vieux",
    "-la-Lande",
    "-les-Pins",
    "-le-Haut",
    "-des-Prés",
    "-les-Marais",
    "-la-Forêt",
)


def _word(rng: np.random.Generator) -> str:
    ending = _ENDINGS[rng.integers(len(_ENDINGS))]
    # Short roots on frequent endings (-ville, -court, -ois...) would often
    # rebuild real names: only a few rarer endings take a one-syllable root.
    n_syllables = 1 if ending in _SHORT_ROOT_ENDINGS and rng.random() < 0.6 else 2
    syllables: list[str] = []
    while len(syllables) < n_syllables:
        onset = _ONSETS[rng.integers(len(_ONSETS))]
        coda = _CODAS[rng.integers(len(_CODAS))] if len(syllables) == n_syllables - 1 else ""
        syllable = onset + _VOWELS[rng.integers(len(_VOWELS))] + coda
        if not syllables or syllable[:2] != syllables[-1][:2]:
            syllables.append(syllable)
    root = "".join(syllables)
    if root[-1] in "aeiouéè" and ending[0] in "aeiouéè":
        root += "rlnv"[rng.integers(4)]
    elif root[-1] not in "aeiouéè" and ending[0] not in "aeiouéè":
        root = root[:-1] if len(root) > 2 else root + "e"
    word = (root + ending).replace("éé", "é")
    return word[0].upper() + word[1:]


def make_name(rng: np.random.Generator, *, coastal: bool = False) -> str:
    """Return a fictional, French-sounding commune name.

    Parameters
    ----------
    rng
        Random stream of the names.
    coastal
        Communes on the coast are often ``-sur-Mer``.
    """
    base = _word(rng)
    feminine = base.endswith(_FEMININE)
    u = rng.random()
    if coastal and rng.random() < 0.35:
        return f"{base}-sur-Mer"
    if u < 0.10:
        saint = "Sainte" if feminine else "Saint"
        return f"{saint}-{base}"
    if u < 0.20:
        if base[0] in "AEIOUÉÈ":
            return f"L'{base}"
        if base.endswith(("s", "x")):
            return f"Les {base}"
        return f"{'La' if feminine else 'Le'} {base}"
    if u < 0.30:
        return f"{base}-sur-{_RIVERS[rng.integers(len(_RIVERS))]}"
    if u < 0.38:
        return f"{base}{_QUALIFIERS[rng.integers(len(_QUALIFIERS))]}"
    if u < 0.42:
        return f"{base}-en-{_word(rng)}"
    return base


# ---------------------------------------------------------------------- territory


@dataclass(frozen=True)
class Territory:
    """Everything the writers need, indexed by commune position ``0..N-1``.

    Attributes
    ----------
    geometry
        WGS84 polygons (exact coverage, 6 decimals).
    code, name, departement
        Commune code (``9A001``...), name and département code.
    bassin, zone_emploi, clpe, epci, canton
        Group code of each commune.
    population
        Legal population (integers).
    chefs_lieux
        Chef-lieu commune index of each département (order of ``DEPARTEMENTS``).
    bassins, zones_emploi, clpe_labels
        ``code -> label``.
    epci_nature
        ``code -> nature`` (``CA`` or ``CC``).
    former
        ``former code -> (former name, index of the current commune)``.
    """

    geometry: np.ndarray
    code: list[str]
    name: list[str]
    departement: list[str]
    bassin: list[str]
    zone_emploi: list[str]
    clpe: list[str]
    epci: list[str]
    canton: list[str]
    population: list[int]
    chefs_lieux: list[int]
    bassins: dict[str, str]
    zones_emploi: dict[str, str]
    clpe_labels: dict[str, str]
    epci_nature: dict[str, str]
    former: dict[str, tuple[str, int]]

    @property
    def order(self) -> list[int]:
        """Commune indices sorted by code."""
        return sorted(range(len(self.code)), key=self.code.__getitem__)


def build_departements(
    points: np.ndarray, graph: Graph, rng: np.random.Generator
) -> tuple[list[str], list[int]]:
    """Grow the three départements from the chefs-lieux (the first three points).

    Returns
    -------
    departement : list of str
        Département code of each commune.
    chefs_lieux : list of int
        Chef-lieu commune index of each département.
    """
    chefs_lieux = list(range(len(DEPARTEMENTS)))
    label = grow_partition(graph, chefs_lieux, rng, roughness=0.3)
    departement = [DEPARTEMENTS[label[i]][0] for i in range(len(points))]
    return departement, chefs_lieux


def _codes_in_departements(
    group: list[int], counts: Sequence[int], *, prefix: str, width: int
) -> list[str]:
    """Code of nested groups: prefix, département, rank within the département."""
    starts = np.cumsum((0, *counts))
    out = []
    for g in group:
        d = int(np.searchsorted(starts, g, side="right")) - 1
        out.append(f"{prefix}{DEPARTEMENTS[d][0]}{g - starts[d] + 1:0{width}d}")
    return out


def _nested_groups(
    points: np.ndarray,
    graph: Graph,
    departement: list[str],
    chefs_lieux: list[int],
    counts: Sequence[int],
    rng: np.random.Generator,
    *,
    force_chef_lieu: bool,
) -> tuple[list[int], list[list[int]]]:
    """Groups nested in départements; returns the group of each commune and the seeds."""
    group = [-1] * len(points)
    all_seeds: list[list[int]] = []
    offset = 0
    for (dep, *_), k, chef in zip(DEPARTEMENTS, counts, chefs_lieux, strict=True):
        nodes = [i for i, d in enumerate(departement) if d == dep]
        seeds = pick_seeds(points, nodes, k, rng, forced=chef if force_chef_lieu else None)
        label = grow_partition(graph, seeds, rng, nodes=nodes)
        for node, j in label.items():
            group[node] = offset + j
        all_seeds.append(seeds)
        offset += k
    return group, all_seeds


def build_communes(rng: np.random.Generator) -> dict:
    """Build the commune polygons, graph, départements and names.

    Names are drawn in the order of the polygons; codes are given afterwards,
    alphabetically within each département (ignoring the article, like Insee),
    leaving room for the former communes added by :func:`build_former_communes`.

    Returns
    -------
    dict
        ``points`` (Lambert-93), ``geometry`` (WGS84 coverage), ``graph``
        (adjacency), ``departement``, ``chefs_lieux``, ``name`` and
        ``seen_names`` (sort keys already used).
    """
    outline_rng, points_rng, departements_rng, names_rng = rng.spawn(4)
    outline = build_outline(outline_rng)
    points, cells = build_cells(points_rng, outline)
    geometry = build_coverage(cells, points)
    graph = commune_graph(geometry, points)
    departement, chefs_lieux = build_departements(points, graph, departements_rng)
    coastal = shapely.intersects(cells, outline.exterior.buffer(1.0)).tolist()
    names: list[str] = []
    seen: set[str] = set()
    for is_coastal in coastal:
        name = make_name(names_rng, coastal=is_coastal)
        while _sort_key(name) in seen:
            name = make_name(names_rng, coastal=is_coastal)
        seen.add(_sort_key(name))
        names.append(name)
    return {
        "points": points,
        "geometry": geometry,
        "graph": graph,
        "departement": departement,
        "chefs_lieux": chefs_lieux,
        "name": names,
        "seen_names": seen,
    }


def build_populations(
    points: np.ndarray,
    chefs_lieux: list[int],
    towns: list[int],
    rng: np.random.Generator,
) -> list[int]:
    """Draw legal populations: log-normal villages, a few towns, one chef-lieu per département.

    Villages near a chef-lieu are larger (periurban belt). Village populations are
    scaled so that the total is close to ``TOTAL_POPULATION``.
    """
    n = len(points)
    pop = rng.lognormal(mean=np.log(650.0), sigma=0.85, size=n)
    sites = points[chefs_lieux]
    dist = np.min(
        np.hypot(points[:, None, 0] - sites[None, :, 0], points[:, None, 1] - sites[None, :, 1]),
        axis=1,
    )
    pop *= 1.0 + 4.0 * np.exp(-dist / 9_000.0)
    fixed = {}
    for rank, c in enumerate(chefs_lieux):
        fixed[c] = float(rng.uniform(0.85, 1.15)) * (62_000.0, 41_000.0, 29_000.0)[rank]
    for t in towns:
        if t not in fixed:
            fixed[t] = float(rng.uniform(5_000.0, 16_000.0))
    villages = np.array([i not in fixed for i in range(n)])
    pop[villages] *= (TOTAL_POPULATION - sum(fixed.values())) / pop[villages].sum()
    for i, v in fixed.items():
        pop[i] = v
    return [max(round(float(p)), 25) for p in pop]


def _main_commune(members: list[int], population: list[int]) -> int:
    return max(members, key=lambda i: (population[i], -i))


def build_bassins(
    points: np.ndarray,
    graph: Graph,
    departement: list[str],
    chefs_lieux: list[int],
    rng: np.random.Generator,
) -> tuple[list[str], list[int], list[list[int]]]:
    """Bassins d'emploi BMO ``9901``...: contiguous, nested in départements.

    Returns the bassin code of each commune, the seed (town) of every bassin and the
    member lists, in code order.
    """
    group, seeds = _nested_groups(
        points, graph, departement, chefs_lieux, N_BASSINS, rng, force_chef_lieu=True
    )
    codes = [f"{REGION}{g + 1:02d}" for g in group]
    flat_seeds = [s for dep_seeds in seeds for s in dep_seeds]
    members = [[i for i, g in enumerate(group) if g == k] for k in range(sum(N_BASSINS))]
    return codes, flat_seeds, members


def build_zones_emploi(
    points: np.ndarray, graph: Graph, rng: np.random.Generator
) -> tuple[list[str], list[list[int]]]:
    """Zones d'emploi 2020 ``9901``...: contiguous, across département borders."""
    seeds = pick_seeds(points, range(len(points)), N_ZONES_EMPLOI, rng)
    seeds.sort(key=lambda s: (-points[s][1], points[s][0]))
    label = grow_partition(graph, seeds, rng, roughness=0.5)
    codes = [f"{REGION}{label[i] + 1:02d}" for i in range(len(points))]
    members = [[i for i in range(len(points)) if label[i] == k] for k in range(N_ZONES_EMPLOI)]
    return codes, members


def build_clpe(
    points: np.ndarray,
    graph: Graph,
    departement: list[str],
    chefs_lieux: list[int],
    rng: np.random.Generator,
) -> tuple[list[str], list[list[int]]]:
    """CLPE ``CLPE9A001``...: contiguous, nested in départements, unlike the bassins."""
    group, _ = _nested_groups(
        points, graph, departement, chefs_lieux, N_CLPE, rng, force_chef_lieu=False
    )
    codes = _codes_in_departements(group, N_CLPE, prefix="CLPE", width=3)
    members = [[i for i, g in enumerate(group) if g == k] for k in range(sum(N_CLPE))]
    return codes, members


def build_epci(
    points: np.ndarray,
    graph: Graph,
    departement: list[str],
    chefs_lieux: list[int],
    rng: np.random.Generator,
) -> tuple[list[str], dict[str, str]]:
    """EPCI (fictional SIREN ``9999...``), nested in départements.

    The EPCI of a chef-lieu is a communauté d'agglomération (``CA``), the others
    communautés de communes (``CC``).
    """
    group, _ = _nested_groups(
        points, graph, departement, chefs_lieux, N_EPCI, rng, force_chef_lieu=True
    )
    sirens = [_luhn_complete(f"9999{k + 1:03d}0") for k in range(sum(N_EPCI))]
    nature = {s: "CC" for s in sirens}
    for c in chefs_lieux:
        nature[sirens[group[c]]] = "CA"
    return [sirens[g] for g in group], nature


def build_cantons(
    points: np.ndarray,
    graph: Graph,
    departement: list[str],
    chefs_lieux: list[int],
    rng: np.random.Generator,
) -> list[str]:
    """Cantons (``9A01``...), nested in départements."""
    group, _ = _nested_groups(
        points, graph, departement, chefs_lieux, N_CANTONS, rng, force_chef_lieu=True
    )
    return _codes_in_departements(group, N_CANTONS, prefix="", width=2)


def build_former_communes(
    departement: list[str],
    protected: set[int],
    seen_names: set[str],
    rng: np.random.Generator,
) -> list[tuple[str, int]]:
    """Pick the communes that absorbed a former commune, and name the former ones.

    Returns ``(former name, index of the current commune)`` pairs, in two
    different départements, never a chef-lieu or bassin town.
    """
    seen = set(seen_names)
    out: list[tuple[str, int]] = []
    for dep, *_ in DEPARTEMENTS[:N_FORMER]:
        candidates = [i for i, d in enumerate(departement) if d == dep and i not in protected]
        current = candidates[rng.integers(len(candidates))]
        name = make_name(rng)
        while _sort_key(name) in seen:
            name = make_name(rng)
        seen.add(_sort_key(name))
        out.append((name, current))
    return out


def _assign_codes(
    names: list[str], departement: list[str], former: list[tuple[str, int]]
) -> tuple[list[str], dict[str, tuple[str, int]]]:
    """Number communes alphabetically within each département, former ones included."""
    code = [""] * len(names)
    former_codes: dict[str, tuple[str, int]] = {}
    for dep, *_ in DEPARTEMENTS:
        entries = [(_sort_key(n), i, None) for i, n in enumerate(names) if departement[i] == dep]
        entries += [(_sort_key(n), -1, (n, cur)) for n, cur in former if departement[cur] == dep]
        for number, (_, i, old) in enumerate(sorted(entries), start=1):
            c = f"{dep}{number:03d}"
            if old is None:
                code[i] = c
            else:
                former_codes[c] = old
    return code, former_codes


def _group_labels(members: list[list[int]], name: list[str], population: list[int]) -> list[str]:
    return [name[_main_commune(m, population)] for m in members]


def build_territory(seed: int = SEED) -> Territory:
    """Build the whole fictional territory (no file written).

    Parameters
    ----------
    seed
        Master seed; the committed files use :data:`SEED`.
    """

    def stream(name: str) -> np.random.Generator:
        return random_stream(name, seed=seed)

    c = build_communes(stream("communes"))
    points, graph, dep, chefs = c["points"], c["graph"], c["departement"], c["chefs_lieux"]
    bassin, towns, bassin_members = build_bassins(points, graph, dep, chefs, stream("bassins"))
    zone_emploi, ze_members = build_zones_emploi(points, graph, stream("zones_emploi"))
    clpe, clpe_members = build_clpe(points, graph, dep, chefs, stream("clpe"))
    epci, epci_nature = build_epci(points, graph, dep, chefs, stream("epci"))
    canton = build_cantons(points, graph, dep, chefs, stream("cantons"))
    population = build_populations(points, chefs, towns, stream("population"))
    former = build_former_communes(dep, set(towns) | set(chefs), c["seen_names"], stream("former"))
    code, former_codes = _assign_codes(c["name"], dep, former)

    names = c["name"]
    bassin_codes = [f"{REGION}{k + 1:02d}" for k in range(len(bassin_members))]
    bassin_labels = [_ascii_upper(n) for n in _group_labels(bassin_members, names, population)]
    ze_codes = [f"{REGION}{k + 1:02d}" for k in range(len(ze_members))]
    ze_labels = _group_labels(ze_members, names, population)
    clpe_labels: dict[str, str] = {}
    for members, label in zip(
        clpe_members, _group_labels(clpe_members, names, population), strict=True
    ):
        clpe_code = clpe[members[0]]
        clpe_labels[clpe_code] = f"ZONE {int(clpe_code[-3:])} {_ascii_upper(label)}"
    return Territory(
        geometry=c["geometry"],
        code=code,
        name=names,
        departement=dep,
        bassin=bassin,
        zone_emploi=zone_emploi,
        clpe=clpe,
        epci=epci,
        canton=canton,
        population=population,
        chefs_lieux=chefs,
        bassins=dict(zip(bassin_codes, bassin_labels, strict=True)),
        zones_emploi=dict(zip(ze_codes, ze_labels, strict=True)),
        clpe_labels=dict(sorted(clpe_labels.items())),
        epci_nature=epci_nature,
        former=former_codes,
    )


# ------------------------------------------------------------------------ writers


def _write_bytes(path: Path, text: str, *, bom: bool = False) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)
    return path


def _csv_text(
    rows: list[Sequence[object]],
    *,
    sep: str = ",",
    eol: str = "\n",
    final_newline: bool = True,
) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator=eol).writerows(rows)
    text = buf.getvalue()
    return text if final_newline else text[: -len(eol)]


def _rounded(coords):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], float):
        return [round(c, DECIMALS) for c in coords]
    return [_rounded(c) for c in coords]


def write_geometries(t: Territory, out_dir: Path) -> list[Path]:
    """Write ``communes-<dep>-<slug>.geojson``, one per département.

    Like the official IGN extracts: one line, no final newline, no ``crs``
    member, properties ``code, nom``.
    """
    paths = []
    for dep, dep_name, *_ in DEPARTEMENTS:
        features = []
        for i in t.order:
            if t.departement[i] != dep:
                continue
            geom = mapping(t.geometry[i])
            geometry = {"type": geom["type"], "coordinates": _rounded(geom["coordinates"])}
            features.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {"code": t.code[i], "nom": t.name[i]},
                }
            )
        doc = {"type": "FeatureCollection", "features": features}
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        paths.append(_write_bytes(out_dir / f"communes-{dep}-{_slug(dep_name)}.geojson", text))
    return paths


def write_commune_bassin(t: Territory, out_dir: Path) -> Path:
    """Write ``commune_bassin_bmo.csv`` (``,``, CRLF, no final newline), former codes included."""
    rows: list[tuple[str, ...]] = [
        (REGION, t.departement[i], t.code[i], t.bassin[i], t.bassins[t.bassin[i]]) for i in t.order
    ]
    for old, (_, cur) in t.former.items():
        b = t.bassin[cur]
        rows.append((REGION, t.departement[cur], old, b, t.bassins[b]))
    rows.sort(key=lambda r: r[2])
    header = ("reg", "dep", "code_commune_insee", "code_bassin_BMO", "lib_bassin_BMO")
    text = _csv_text([header, *rows], eol="\r\n", final_newline=False)
    return _write_bytes(out_dir / "commune_bassin_bmo.csv", text)


def write_commune_zone_emploi(t: Territory, out_dir: Path) -> Path:
    """Write ``commune_zone_emploi.csv`` (``,``, CRLF)."""
    header = ("codgeo", "libgeo", "ze2020", "libze2020", "ze_partie_reg", "dep", "reg")
    rows = [
        (
            t.code[i],
            t.name[i],
            t.zone_emploi[i],
            t.zones_emploi[t.zone_emploi[i]],
            "",
            t.departement[i],
            REGION,
        )
        for i in t.order
    ]
    return _write_bytes(out_dir / "commune_zone_emploi.csv", _csv_text([header, *rows], eol="\r\n"))


def write_zones_emploi(t: Territory, out_dir: Path) -> Path:
    """Write ``zones_emploi.csv`` (``,``, LF)."""
    rows = [
        (code, label, sum(z == code for z in t.zone_emploi))
        for code, label in t.zones_emploi.items()
    ]
    return _write_bytes(
        out_dir / "zones_emploi.csv", _csv_text([("ze2020", "libze2020", "nb_com"), *rows])
    )


def write_commune_clpe(t: Territory, out_dir: Path) -> Path:
    """Write ``commune_clpe.csv`` (``,``, LF)."""
    header = ("commune_id", "territoire_id", "territoire_libelle", "departement_id")
    rows = [(t.code[i], t.clpe[i], t.clpe_labels[t.clpe[i]], t.departement[i]) for i in t.order]
    return _write_bytes(out_dir / "commune_clpe.csv", _csv_text([header, *rows]))


def _postal_code(t: Territory, i: int) -> str:
    dep_rank = [d for d, *_ in DEPARTEMENTS].index(t.departement[i]) + 1
    return f"99{dep_rank}{t.canton[i][-2:]}"


def write_communes_population(t: Territory, out_dir: Path) -> Path:
    """Write ``communes_population.json``: a JSON array, one object per line.

    Keys and their order are those of the Etalab file for current metropolitan
    communes (``anciensCodes`` only for communes that absorbed a former one).
    """
    absorbed: dict[int, list[str]] = {}
    for old, (_, cur) in sorted(t.former.items()):
        absorbed.setdefault(cur, []).append(old)
    lines = []
    for i in t.order:
        dep = t.departement[i]
        dep_rank = [d for d, *_ in DEPARTEMENTS].index(dep) + 1
        obj: dict[str, object] = {
            "code": t.code[i],
            "nom": t.name[i],
            "typeLiaison": _tncc(t.name[i]),
            "zone": "metro",
            "arrondissement": f"{dep}1",
            "departement": dep,
            "region": REGION,
            "type": "commune-actuelle",
            "rangChefLieu": 0,
        }
        if i in absorbed:
            obj["anciensCodes"] = absorbed[i]
        obj["siren"] = _luhn_complete(f"999{dep_rank}{t.code[i][2:]}0")
        obj["codesPostaux"] = [_postal_code(t, i)]
        obj["population"] = t.population[i]
        lines.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
    text = "[\n" + ",\n".join(lines) + "\n]\n"
    return _write_bytes(out_dir / "communes_population.json", text)


def write_insee_communes(t: Territory, out_dir: Path) -> Path:
    """Write ``insee_communes.csv`` (Insee COG with EPCI, canton and zone d'emploi; ``,``, LF)."""
    header = (
        "code_insee",
        "libelle_commune",
        "code_dept",
        "code_region",
        "code_epci",
        "nature_epci",
        "code_arrondissement",
        "code_canton_ville",
        "code_zone_emploi",
    )
    rows = [
        (
            t.code[i],
            t.name[i],
            t.departement[i],
            REGION,
            t.epci[i],
            t.epci_nature[t.epci[i]],
            f"{t.departement[i]}1",
            t.canton[i],
            t.zone_emploi[i],
        )
        for i in t.order
    ]
    return _write_bytes(out_dir / "insee_communes.csv", _csv_text([header, *rows]))


def write_departements(t: Territory, out_dir: Path) -> Path:
    """Write ``departements.csv`` (Insee COG; ``,``, CRLF)."""
    header = ("dep", "reg", "cheflieu", "tncc", "ncc", "nccenr", "libelle")
    rows = [
        (dep, REGION, t.code[chef], tncc, _ascii_upper(name), name, name)
        for (dep, name, tncc, _), chef in zip(DEPARTEMENTS, t.chefs_lieux, strict=True)
    ]
    return _write_bytes(out_dir / "departements.csv", _csv_text([header, *rows], eol="\r\n"))


def write_regions(t: Territory, out_dir: Path) -> Path:
    """Write ``regions.csv`` (Insee COG; ``,``, CRLF)."""
    header = ("reg", "cheflieu", "tncc", "ncc", "nccenr", "libelle")
    row = (
        REGION,
        t.code[t.chefs_lieux[0]],
        _tncc(REGION_NAME),
        _ascii_upper(REGION_NAME),
        REGION_NAME,
        REGION_NAME,
    )
    return _write_bytes(out_dir / "regions.csv", _csv_text([header, row], eol="\r\n"))


def write_passage_codes(t: Territory, out_dir: Path) -> Path:
    """Write ``passage_codes_communes.csv`` (``;``, UTF-8 with BOM, CRLF).

    One identity row per current commune plus one row per former commune.
    """
    pairs = [(t.code[i], t.code[i]) for i in t.order]
    pairs += [(old, t.code[cur]) for old, (_, cur) in t.former.items()]
    header = ("Année", "Niveau", "Type", "Ancien Code Officiel", "Code Courant Officiel")
    rows = [(YEAR_COG, "COM", "commune", old, cur) for old, cur in sorted(pairs)]
    text = _csv_text([header, *rows], sep=";", eol="\r\n")
    return _write_bytes(out_dir / "passage_codes_communes.csv", text, bom=True)


def _count_rows(path: Path) -> int:
    if path.suffix == ".geojson":
        return len(json.loads(path.read_text(encoding="utf-8"))["features"])
    if path.suffix == ".json":
        return len(json.loads(path.read_text(encoding="utf-8")))
    with path.open(encoding="utf-8-sig", newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def _columns(path: Path) -> str:
    if path.suffix == ".geojson":
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        kinds = " ou ".join(sorted({f"`{f['geometry']['type']}`" for f in features}))
        return f"propriétés `code`, `nom` ; géométries {kinds} en WGS84 (EPSG:4326)"
    if path.suffix == ".json":
        fullest = max(json.loads(path.read_text(encoding="utf-8")), key=len)
        return ", ".join(f"`{k}`" for k in fullest)
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f, delimiter=";" if "passage" in path.name else ","))
    return ", ".join(f"`{c}`" for c in header)


_FORMATS = {
    "commune_bassin_bmo.csv": "`,`, UTF-8, fins de ligne CRLF, sans saut de ligne final",
    "commune_zone_emploi.csv": "`,`, UTF-8, CRLF",
    "zones_emploi.csv": "`,`, UTF-8, LF",
    "commune_clpe.csv": "`,`, UTF-8, LF",
    "communes_population.json": "tableau JSON, un objet par ligne, UTF-8, LF",
    "insee_communes.csv": "`,`, UTF-8, LF",
    "departements.csv": "`,`, UTF-8, CRLF",
    "regions.csv": "`,`, UTF-8, CRLF",
    "passage_codes_communes.csv": "`;`, UTF-8 avec BOM, CRLF",
}
_ROLES = {
    "commune_bassin_bmo.csv": "commune → bassin d'emploi BMO (y compris les 2 anciens codes)",
    "commune_zone_emploi.csv": "commune → zone d'emploi 2020",
    "zones_emploi.csv": "liste des zones d'emploi et nombre de communes",
    "commune_clpe.csv": "commune → comité local pour l'emploi (CLPE)",
    "communes_population.json": "communes et populations légales (format Etalab)",
    "insee_communes.csv": "COG communes : EPCI, arrondissement, canton, zone d'emploi",
    "departements.csv": "départements (format COG Insee)",
    "regions.csv": "région (format COG Insee)",
    "passage_codes_communes.csv": "table de passage ancien code → code courant",
}


def write_readme(
    t: Territory, out_dir: Path, files: list[Path], thematic: Sequence[tuple[Path, str]] = ()
) -> Path:
    """Write ``LISEZMOI.md`` (French): what the territory is, how to rebuild it, its files."""
    total = sum(t.population)
    deps = ", ".join(
        f"`{d}` {n} ({sum(x == d for x in t.departement)} communes)" for d, n, *_ in DEPARTEMENTS
    )
    former = ", ".join(
        f"`{old}` {name} → `{t.code[cur]}` {t.name[cur]}"
        for old, (name, cur) in sorted(t.former.items())
    )
    lines = [
        "# Territoire de démonstration (entièrement fictif)",
        "",
        "Ce dossier décrit **une île imaginaire de l'océan Atlantique**, loin à l'ouest des",
        "côtes françaises. Aucun lieu, aucune personne, aucun chiffre n'y est réel : les noms",
        "de communes sont tirés au hasard par un générateur de syllabes, les contours sont des",
        "cellules de Voronoï, les populations suivent une loi log-normale. Les codes sont",
        "choisis pour ne jamais se confondre avec des codes officiels : région `99`,",
        "départements `9A`, `9B`, `9C`, communes `9A001`…, bassins et zones d'emploi `99xx`,",
        "CLPE `CLPE9A001`…, SIREN `999…`.",
        "",
        "Chaque fichier reprend exactement le format du fichier officiel qu'il remplace (colonnes,",
        "séparateur, encodage, BOM, fins de ligne), pour que l'atelier le lise comme une donnée",
        "réelle. Les zéros initiaux perdus des fichiers Insee ne sont pas reproduits (les codes",
        "fictifs n'en ont pas).",
        "",
        "## Régénérer",
        "",
        "```",
        "python scripts/demo/make_demo.py            # réécrit data/demo/",
        "python scripts/demo/make_demo.py --sortie DOSSIER",
        "```",
        "",
        "Le script est déterministe (graine fixe, aucune dépendance à l'heure ni à",
        "l'environnement) : deux exécutions écrivent des fichiers identiques octet pour octet.",
        "`tests/test_demo.py` vérifie que ce dossier est à jour. Ne modifiez pas ces fichiers à la",
        "main : modifiez le script puis relancez-le.",
        "",
        "## Contenu",
        "",
        f"- Région `{REGION}` « {REGION_NAME} » ; départements {deps}.",
        f"- {len(t.code)} communes, {f'{total:,}'.replace(',', ' ')} habitants.",
        f"- {len(t.bassins)} bassins d'emploi BMO (chacun dans un département), "
        f"{len(t.zones_emploi)} zones d'emploi (à cheval sur les départements), "
        f"{len(t.clpe_labels)} CLPE (chacun dans un département), "
        f"{len(t.epci_nature)} EPCI.",
        f"- Particularité de millésime, comme dans les données réelles : {len(t.former)} "
        f"anciennes communes fusionnées ({former}). Leurs codes figurent encore dans",
        "  `commune_bassin_bmo.csv` et dans la table de passage, mais pas dans les contours.",
        "",
        "## Fichiers",
        "",
        "| fichier | contenu | format | colonnes | lignes |",
        "|---|---|---|---|---|",
    ]
    for path in files:
        role = _ROLES.get(path.name, "contours des communes d'un département (format IGN)")
        fmt = _FORMATS.get(path.name, "GeoJSON sur une ligne, sans membre `crs`")
        lines.append(f"| `{path.name}` | {role} | {fmt} | {_columns(path)} | {_count_rows(path)} |")
    if thematic:
        lines += ["", "## Fichiers thématiques (même format que les fichiers officiels)", ""]
        lines += [f"- `{path.relative_to(out_dir)}` : {role}" for path, role in thematic]
    lines.append("")
    return _write_bytes(out_dir / "LISEZMOI.md", "\n".join(lines))


def write_all(out_dir: str | Path = DEFAULT_OUT, *, seed: int = SEED) -> list[Path]:
    """Build the territory and write every demonstration file into ``out_dir``.

    Returns
    -------
    list of pathlib.Path
        The files written, ``LISEZMOI.md`` last.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    t = build_territory(seed)
    files = [
        *write_geometries(t, out),
        write_commune_bassin(t, out),
        write_commune_zone_emploi(t, out),
        write_zones_emploi(t, out),
        write_commune_clpe(t, out),
        write_communes_population(t, out),
        write_insee_communes(t, out),
        write_departements(t, out),
        write_regions(t, out),
        write_passage_codes(t, out),
    ]
    # Thematic demo files (BMO, partners...) come from sibling generator modules.
    demo_bmo = _sibling("demo_bmo")
    bmo = demo_bmo.write_demo_bmo(out / "bmo", demo_bmo._demo_bassins(out), seed=seed)
    thematic = [
        (p, "enquête BMO fictive (format open data France Travail, secret `*`)") for p in bmo
    ]
    partners = _sibling("demo_partners").write_demo_partners(out, seed=seed)
    thematic += [
        (p, "annuaire fictif des partenaires (data/partenaires/LISEZMOI.md)") for p in partners
    ]
    from diagnostics.partners import read_partners

    positioning = _sibling("demo_positioning").write_demo_positioning(
        out, read_partners(out / "partenaires.csv"), seed=seed
    )
    thematic.append(
        (positioning, "rôles des acteurs des 10 bassins sur la grille de positionnement (5 × 7)")
    )
    partnerships = _sibling("demo_partnerships").write_demo_partnerships(
        out, read_partners(out / "partenaires.csv"), seed=seed
    )
    thematic += [
        (p, "partenariats, indicateurs, flux et unités Pôle emploi fictifs (data/partenariats/)")
        for p in partnerships
    ]
    # Its own seed: the demo is tuned so that every state, exit reason and alert occurs.
    cotraitance = _sibling("demo_cotraitance").write_demo_cotraitance(out)
    thematic += [
        (p, "cotraitance fictive : structures, épisodes pseudonymisés, flux, objectifs")
        for p in cotraitance
    ]
    # Reads the agences of cotraitance/structures.csv, written just above.
    training = _sibling("demo_training").write_demo_training(out)
    thematic += [
        (p, "formation fictive : sessions, prescriptions, POE, agences (data/formation/)")
        for p in training
    ]
    # Reads the agences of cotraitance/structures.csv and the units, written above.
    sites = _sibling("demo_sites").write_demo_sites(out)
    thematic.append((sites, "sites France Travail fictifs (format du fichier public des sites)"))
    jobseekers = _sibling("demo_jobseekers").write_demo_jobseekers(out, seed=seed)
    thematic.append(
        (jobseekers, "demandeurs d'emploi fictifs 2020–2024 (format STMT : communes > 5 000 hab.)")
    )
    return [
        *files,
        *bmo,
        *partners,
        positioning,
        *partnerships,
        *cotraitance,
        *training,
        sites,
        jobseekers,
        write_readme(t, out, files, thematic),
    ]


def _sibling(name: str):
    """Import the generator module ``scripts/<name>.py`` (``scripts`` is not a package)."""
    import importlib.util

    module = sys.modules.get(name)
    if module is None:
        path = Path(__file__).resolve().parent / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description="Génère le territoire de démonstration fictif (région 99) de l'atelier."
    )
    parser.add_argument(
        "--sortie",
        type=Path,
        default=DEFAULT_OUT,
        help=f"dossier de sortie (défaut : {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)
    files = write_all(args.sortie)
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} fichiers écrits dans {args.sortie} ({size / 1024:.0f} Ko).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
