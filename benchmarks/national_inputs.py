"""Generate a national-scale synthetic input set, in the real file formats.

The benchmarks of issue 18 (every bassin of France, every section) need inputs as
large as the national ones: about 35,000 communes in 101 départements and 18
régions, 406 bassins d'emploi BMO, some 300 zones d'emploi and 360 CLPE, a BMO
file of about 53,000 rows, the job-seeker series, a partner directory of 80,000
structures, a million cotraitance episodes, 500,000 training prescriptions, a
partnerships registry of a few thousand actors. Real files of that size are not
public (or are personal data), so this script draws them.

Codes are the real département and région codes (``01``...``95``, ``2A``, ``2B``,
``971``...``976``; régions ``11``...``94`` and ``01``...``06``) so that every
reader and every geometry check accepts them unchanged; everything else is
fictional: the communes are the cells of a jittered grid drawn inside the box of
metropolitan France (or of each overseas département) of
:data:`geo.polygons.LOCATION_BOXES`, with invented names; régions and départements
are contiguous blocks of cells, bassins, zones d'emploi, CLPE, EPCI and cantons are
grown inside them. The polygons form an exact coverage (neighbours share their
vertices, rounded to 6 decimals), written one GeoJSON file per département like
the IGN extracts.

Every file is written in the format of the demonstration territory
(``data/demo/``), whose generators are reused where their signature allows it.
The output is deterministic: a fixed seed, one random stream per component, no
clock. Generation is not part of any timing.

Usage::

    python benchmarks/national_inputs.py                       # sortie/national/
    python benchmarks/national_inputs.py --sortie DOSSIER --echelle 0.02

``--echelle`` scales the volumes (communes, structures, episodes, prescriptions,
BMO métiers) and the numbers of bassins, zones d'emploi, CLPE, EPCI and cantons,
with at least one per département (zone d'emploi: per région); the départements
and régions stay those of France. The script prints the rows and size of each file and the
generation time, then reads every input of the written configuration once
(``--sans-lecture`` skips it).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

__all__ = [
    "DEFAULT_OUT",
    "SEED",
    "NationalTerritory",
    "build_national",
    "main",
    "read_every_input",
    "write_bmo",
    "write_cotraitance",
    "write_geometries",
    "write_national_inputs",
    "write_partners",
    "write_partnerships",
    "write_referentials",
    "write_sites",
    "write_training",
]

#: Master seed of the national input set.
SEED = 20260418
DEFAULT_OUT = ROOT / "sortie" / "national"

#: Régions of France (code, number of communes weight) and their départements.
REGIONS: dict[str, tuple[str, ...]] = {
    "11": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "24": ("18", "28", "36", "37", "41", "45"),
    "27": ("21", "25", "39", "58", "70", "71", "89", "90"),
    "28": ("14", "27", "50", "61", "76"),
    "32": ("02", "59", "60", "62", "80"),
    "44": ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"),
    "52": ("44", "49", "53", "72", "85"),
    "53": ("22", "29", "35", "56"),
    "75": ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"),
    "76": ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),
    "84": ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"),
    "93": ("04", "05", "06", "13", "83", "84"),
    "94": ("2A", "2B"),
    "01": ("971",),
    "02": ("972",),
    "03": ("973",),
    "04": ("974",),
    "06": ("976",),
}
#: Communes of each overseas département (as in the COG), before scaling.
OVERSEAS_COMMUNES = {"971": 32, "972": 34, "973": 22, "974": 24, "976": 17}
#: Metropolitan communes, before scaling (COG 2025: 34,875 communes in all).
METRO_COMMUNES = 34_746
#: Metropolitan area of the grid (WGS84), inside the box of metropolitan France.
METRO_AREA = (-4.5, 42.5, 8.5, 51.0)
#: National counts of the territorial levels, allocated to départements (or régions
#: for the zones d'emploi) in proportion to their communes.
N_BASSINS = 406
N_ZONES_EMPLOI = 300
N_CLPE = 360
N_EPCI = 1_250
N_CANTONS = 2_000
DECIMALS = 6


def _load_script(name: str):
    """Import ``scripts/demo/<name>.py`` (``scripts`` is not a package)."""
    module = sys.modules.get(name)
    if module is None:
        path = ROOT / "scripts" / "demo" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return module


demo = _load_script("make_demo")


def _stream(name: str, seed: int) -> np.random.Generator:
    return demo.random_stream(f"national-{name}", seed=seed)


# ------------------------------------------------------------------------ territory


@dataclass(frozen=True)
class NationalTerritory:
    """The national communes and their groups, indexed by commune position.

    ``geometry`` holds WGS84 polygons (exact coverage); ``code``, ``name``,
    ``departement``, ``region``, ``bassin``, ``zone_emploi``, ``clpe``, ``epci``,
    ``canton`` and ``population`` one value per commune; the ``*_labels`` dicts map
    a group code to its label; ``chefs_lieux`` maps a département to the index of
    its chef-lieu.
    """

    geometry: np.ndarray
    lonlat: np.ndarray
    code: list[str]
    name: list[str]
    departement: list[str]
    region: list[str]
    bassin: list[str]
    zone_emploi: list[str]
    clpe: list[str]
    epci: list[str]
    canton: list[str]
    population: list[int]
    chefs_lieux: dict[str, int]
    departement_labels: dict[str, str]
    region_labels: dict[str, str]
    bassin_labels: dict[str, str]
    zone_emploi_labels: dict[str, str]
    clpe_labels: dict[str, str]
    epci_nature: dict[str, str]

    @property
    def order(self) -> list[int]:
        """Commune indices sorted by code."""
        return sorted(range(len(self.code)), key=self.code.__getitem__)


def _region_of_departement() -> dict[str, str]:
    return {d: r for r, deps in REGIONS.items() for d in deps}


def _grid(
    area: tuple[float, float, float, float], n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, Sequence[list[int]], np.ndarray]:
    """A jittered grid of about ``n`` quadrilateral cells filling ``area`` (WGS84).

    Returns the cells (shapely polygons, exterior rings clockwise), their centres
    in metres (a local equirectangular plane, for distances only), their 4-neighbour
    adjacency and their centres in WGS84. Inner vertices move by up to 30 % of the
    spacing, so every cell stays a simple quadrilateral and neighbours share exactly
    the same (rounded) vertices.
    """
    import shapely

    west, south, east, north = area
    ratio = (east - west) * np.cos(np.radians((south + north) / 2)) / (north - south)
    ny = max(1, round(np.sqrt(n / ratio)))
    nx = max(1, round(n / ny))
    dx, dy = (east - west) / nx, (north - south) / ny
    xs = west + dx * np.arange(nx + 1)
    ys = south + dy * np.arange(ny + 1)
    vx, vy = np.meshgrid(xs, ys, indexing="ij")  # (nx+1, ny+1)
    jx = rng.uniform(-0.3, 0.3, vx.shape) * dx
    jy = rng.uniform(-0.3, 0.3, vy.shape) * dy
    jx[[0, -1], :] = 0.0
    jy[:, [0, -1]] = 0.0
    vx = np.round(vx + jx, DECIMALS)
    vy = np.round(vy + jy, DECIMALS)
    i, j = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    i, j = i.ravel(), j.ravel()
    # clockwise: (i, j) → (i, j+1) → (i+1, j+1) → (i+1, j)
    corners = [(i, j), (i, j + 1), (i + 1, j + 1), (i + 1, j), (i, j)]
    ring = np.stack([np.stack([vx[a, b], vy[a, b]], axis=-1) for a, b in corners], axis=1)
    cells = shapely.polygons(ring)
    lonlat = ring[:, :4].mean(axis=1)
    lat0 = np.radians((south + north) / 2)
    metres = np.column_stack([lonlat[:, 0] * 111_320.0 * np.cos(lat0), lonlat[:, 1] * 110_570.0])
    index = (i * ny + j).reshape(-1)
    graph: list[dict[int, float]] = [{} for _ in range(nx * ny)]
    for a, b, di, dj in ((i, j, 1, 0), (i, j, 0, 1)):
        ok = (a + di < nx) & (b + dj < ny)
        src = index[ok]
        dst = ((a + di) * ny + (b + dj))[ok]
        dist = np.hypot(*(metres[src] - metres[dst]).T) / 1_000.0
        for s, d, w in zip(src.tolist(), dst.tolist(), dist.tolist(), strict=True):
            graph[s][d] = w
            graph[d][s] = w
    return cells, metres, graph, lonlat


def _allocate(total: int, weights: Sequence[int], caps: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders), 1 to ``cap`` each."""
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    out = np.maximum(1, np.floor(raw)).astype(int)
    rest = total - out.sum()
    for k in np.argsort(-(raw - np.floor(raw)), kind="stable")[: max(rest, 0)]:
        out[k] += 1
    return [int(min(o, c)) for o, c in zip(out, caps, strict=True)]


def _bisect(nodes: list[int], xy: np.ndarray, weights: list[int]) -> list[list[int]]:
    """Cut ``nodes`` into ``len(weights)`` contiguous blocks sized like ``weights``.

    Recursive bisection along the longer side of the block, so that blocks are
    compact rectangles of the grid.
    """
    if len(weights) == 1:
        return [nodes]
    half = len(weights) // 2
    share = sum(weights[:half]) / sum(weights)
    pts = xy[nodes]
    axis = 0 if np.ptp(pts[:, 0]) >= np.ptp(pts[:, 1]) else 1
    order = np.lexsort((pts[:, 1 - axis], pts[:, axis]))
    cut = round(len(nodes) * share)
    first = [nodes[k] for k in order[:cut]]
    second = [nodes[k] for k in order[cut:]]
    return _bisect(first, xy, weights[:half]) + _bisect(second, xy, weights[half:])


def _make_contiguous(graph, blocks: list[list[int]]) -> list[list[int]]:
    """Move the cells cut off from the main part of their block to a neighbouring block."""
    owner = {i: b for b, nodes in enumerate(blocks) for i in nodes}
    while True:
        orphans = []
        for b in range(len(blocks)):
            nodes = [i for i in owner if owner[i] == b]
            seen: set[int] = set()
            parts = []
            for start in nodes:
                if start in seen:
                    continue
                stack, part = [start], []
                seen.add(start)
                while stack:
                    x = stack.pop()
                    part.append(x)
                    for nb in graph[x]:
                        if nb not in seen and owner.get(nb) == b:
                            seen.add(nb)
                            stack.append(nb)
                parts.append(part)
            parts.sort(key=len, reverse=True)
            orphans += [i for part in parts[1:] for i in part]
        if not orphans:
            break
        for i in sorted(orphans):
            others = sorted(owner[nb] for nb in graph[i] if owner[nb] != owner[i])
            if others:
                owner[i] = others[0]
    return [sorted(i for i in owner if owner[i] == b) for b in range(len(blocks))]


def _grow(
    graph, points, nodes: list[int], k: int, rng: np.random.Generator, *, forced: int | None = None
) -> tuple[dict[int, int], list[int]]:
    """Contiguous groups grown inside ``nodes``; returns node → group rank and the seeds."""
    k = max(1, min(k, len(nodes)))
    seeds = demo.pick_seeds(points, nodes, k, rng, forced=forced)
    return demo.grow_partition(graph, seeds, rng, nodes=nodes), seeds


def _names(n: int, rng: np.random.Generator) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        name = demo.make_name(rng)
        if demo._sort_key(name) not in seen:
            seen.add(demo._sort_key(name))
            names.append(name)
    return names


def _national_cells(scale: float, seed: int):
    """Grid cells of metropolitan France split into départements, then the overseas ones.

    Returns the polygons, their centres in metres, their adjacency, their centres in
    WGS84 and their département codes.
    """
    from geo.polygons import LOCATION_BOXES

    region_of = _region_of_departement()
    metro_regions = [r for r in REGIONS if len(REGIONS[r][0]) == 2]
    # --- grids: metropolitan France, then one per overseas département
    n_metro = max(len(region_of), round(METRO_COMMUNES * scale))
    cells, points, graph, lonlat = _grid(METRO_AREA, n_metro, _stream("grid-metro", seed))
    dep = [""] * len(cells)
    blocks = _bisect(list(range(len(cells))), points, [len(REGIONS[r]) for r in metro_regions])
    blocks = _make_contiguous(graph, blocks)
    rng = _stream("departements", seed)
    for reg, block in zip(metro_regions, blocks, strict=True):
        label, _ = _grow(graph, points, block, len(REGIONS[reg]), rng)
        for node, rank in label.items():
            dep[node] = REGIONS[reg][rank]
    parts = [(cells, points, graph, lonlat, dep)]
    offset = len(cells)
    for code, count in OVERSEAS_COMMUNES.items():
        west, south, east, north = LOCATION_BOXES[code]
        mx, my = (east - west) * 0.25, (north - south) * 0.25
        area = (west + mx, south + my, east - mx, north - my)
        c, p, g, ll = _grid(area, max(2, round(count * scale)), _stream(f"grid-{code}", seed))
        g = [{a + offset: w for a, w in nb.items()} for nb in g]
        parts.append((c, p + 1e8 * (1 + len(parts)), g, ll, [code] * len(c)))
        offset += len(c)
    geometry = np.concatenate([p[0] for p in parts])
    points = np.concatenate([p[1] for p in parts])
    graph = [nb for p in parts for nb in p[2]]
    lonlat = np.concatenate([p[3] for p in parts])
    dep = [d for p in parts for d in p[4]]
    if max(Counter(dep).values()) > 999:
        raise RuntimeError("Un département dépasse 999 communes : codes communes impossibles.")
    return geometry, points, graph, lonlat, dep


def _ranked_codes(keys: Sequence[str], width: int, prefix: str = "") -> list[str]:
    """Code of each group: ``prefix``, its key (région, département), its rank under the key."""
    rank: dict[str, int] = {}
    out = []
    for key in keys:
        rank[key] = rank.get(key, 0) + 1
        out.append(f"{prefix}{key}{rank[key]:0{width}d}")
    return out


def _nested(graph, points, members: dict[str, list[int]], total: int, rng, forced=None):
    """Contiguous groups inside each key of ``members``, ``total`` in all.

    Returns the group of each node and the key of each group.
    """
    keys = sorted(members)
    counts = _allocate(total, [len(members[k]) for k in keys], [99] * len(keys))
    group = [-1] * len(points)
    group_key: list[str] = []
    for key, k in zip(keys, counts, strict=True):
        seed_node = forced[key] if forced else None
        label, _ = _grow(graph, points, members[key], k, rng, forced=seed_node)
        base = len(group_key)
        for node, rank in label.items():
            group[node] = base + rank
        group_key += [key] * (max(label.values()) + 1)
    return group, group_key


def build_national(*, scale: float = 1.0, seed: int = SEED) -> NationalTerritory:
    """Build the national communes and every territorial level (no file written).

    Parameters
    ----------
    scale
        Share of the national number of communes (``1.0``: about 35,000).
    seed
        Master seed.
    """
    import shapely

    region_of = _region_of_departement()
    geometry, points, graph, lonlat, dep = _national_cells(scale, seed)
    n = len(geometry)
    members: dict[str, list[int]] = {}
    for i, d in enumerate(dep):
        members.setdefault(d, []).append(i)
    departements = sorted(members)

    # --- populations and chefs-lieux
    rng = _stream("population", seed)
    population = rng.lognormal(mean=np.log(430.0), sigma=1.2, size=n)
    chefs = {d: members[d][int(rng.integers(len(members[d])))] for d in departements}

    # --- nested levels; zones d'emploi grow in each région, across its départements
    reg = [region_of[d] for d in dep]
    reg_members: dict[str, list[int]] = {}
    for i, r in enumerate(reg):
        reg_members.setdefault(r, []).append(i)
    regions = sorted(reg_members)

    def nested(name: str, total: int, *, force: bool, by=members):
        # at least one group per département (région), scaled like the communes
        total = round(total * min(scale, 1.0))
        return _nested(graph, points, by, total, _stream(name, seed), chefs if force else None)

    bassin_group, bassin_dep = nested("bassins", N_BASSINS, force=True)
    clpe_group, clpe_dep = nested("clpe", N_CLPE, force=False)
    epci_group, epci_dep = nested("epci", N_EPCI, force=True)
    canton_group, canton_dep = nested("cantons", N_CANTONS, force=True)
    ze_group, ze_reg = nested("zones_emploi", N_ZONES_EMPLOI, force=False, by=reg_members)

    # Towns: one commune of each bassin (its first) is a town, the chef-lieu a city.
    pop_rng = _stream("towns", seed)
    seeds_of_bassin: dict[int, int] = {}
    for i in range(n):
        seeds_of_bassin.setdefault(bassin_group[i], i)
    for i in seeds_of_bassin.values():
        population[i] = pop_rng.uniform(8_000.0, 60_000.0)
    for i in chefs.values():
        population[i] = pop_rng.uniform(40_000.0, 250_000.0)
    population = [max(round(float(p)), 20) for p in population]

    # --- names and codes: alphabetical within each département, like Insee
    names = _names(n, _stream("names", seed))
    code = [""] * n
    for d in departements:
        ranked = sorted(members[d], key=lambda i: (demo._sort_key(names[i]), i))
        for number, i in enumerate(ranked, start=1):
            code[i] = f"{d}{number:02d}" if len(d) == 3 else f"{d}{number:03d}"

    def by_group(group: list[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i, g in enumerate(group):
            out.setdefault(g, []).append(i)
        return out

    def main_of(group: list[int]) -> dict[int, int]:
        return {k: max(m, key=lambda i: (population[i], -i)) for k, m in by_group(group).items()}

    # bassins and zones d'emploi: région + rank in the région (``5203``); overseas
    # CLPE reuse the bassin codes, as France Travail does.
    bassin_codes = _ranked_codes([region_of[d] for d in bassin_dep], 2)
    ze_codes = _ranked_codes(ze_reg, 2)
    bassin_main = main_of(bassin_group)
    ze_main = main_of(ze_group)
    clpe_main = main_of(clpe_group)
    clpe_codes = [
        c if len(d) == 2 else ""
        for c, d in zip(_ranked_codes(clpe_dep, 3, "CLPE"), clpe_dep, strict=True)
    ]
    clpe = [clpe_codes[g] or bassin_codes[bassin_group[i]] for i, g in enumerate(clpe_group)]
    clpe_labels: dict[str, str] = {}
    for k, m in clpe_main.items():
        c = clpe_codes[k] or bassin_codes[bassin_group[m]]
        number = int(c[-3:]) if c.startswith("CLPE") else 1
        clpe_labels.setdefault(c, f"ZONE {number} {demo._ascii_upper(names[m])}")
    sirens = [demo._luhn_complete(f"99{k + 1:06d}") for k in range(len(epci_dep))]
    nature = {s: "CC" for s in sirens}
    for c in chefs.values():
        nature[sirens[epci_group[c]]] = "CA"
    canton_codes = _ranked_codes(canton_dep, 2)
    label_rng = _stream("labels", seed)
    dep_names = _names(len(departements), label_rng)
    reg_names = _names(len(regions), label_rng)
    return NationalTerritory(
        geometry=shapely.orient_polygons(geometry, exterior_cw=True),
        lonlat=lonlat,
        code=code,
        name=names,
        departement=dep,
        region=reg,
        bassin=[bassin_codes[g] for g in bassin_group],
        zone_emploi=[ze_codes[g] for g in ze_group],
        clpe=clpe,
        epci=[sirens[g] for g in epci_group],
        canton=[canton_codes[g] for g in canton_group],
        population=population,
        chefs_lieux=chefs,
        departement_labels=dict(zip(departements, dep_names, strict=True)),
        region_labels={
            r: f"{nm} (région fictive)" for r, nm in zip(regions, reg_names, strict=True)
        },
        bassin_labels={
            bassin_codes[k]: demo._ascii_upper(names[m]) for k, m in sorted(bassin_main.items())
        },
        zone_emploi_labels={ze_codes[k]: names[m] for k, m in sorted(ze_main.items())},
        clpe_labels=dict(sorted(clpe_labels.items())),
        epci_nature=nature,
    )


# ------------------------------------------------------------------ referentials


def _write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return demo._write_bytes(path, text, bom=bom)


def _postal_code(t: NationalTerritory, i: int) -> str:
    """A postal code that points to the commune's département (Corsica: 200xx, 202xx)."""
    d = t.departement[i]
    head = {"2A": "200", "2B": "202"}.get(d, d)
    return head + t.code[i][-(5 - len(head)) :]


def write_geometries(t: NationalTerritory, out: Path) -> list[Path]:
    """``communes-<dep>.geojson``, one line per file, properties ``code, nom`` (IGN style)."""
    from shapely.geometry import mapping

    by_dep: dict[str, list[int]] = {}
    for i in t.order:
        by_dep.setdefault(t.departement[i], []).append(i)
    paths = []
    for d, members in sorted(by_dep.items()):
        features = []
        for i in members:
            geom = mapping(t.geometry[i])
            features.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": geom["type"],
                        "coordinates": demo._rounded(geom["coordinates"]),
                    },
                    "properties": {"code": t.code[i], "nom": t.name[i]},
                }
            )
        doc = {"type": "FeatureCollection", "features": features}
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        paths.append(_write(out / "communes" / f"communes-{d}.geojson", text))
    return paths


def write_referentials(t: NationalTerritory, out: Path) -> dict[str, Path | list[Path]]:
    """Write the commune → territory tables and the COG lists; return them by input key."""
    csv = demo._csv_text
    order = t.order
    files: dict[str, Path | list[Path]] = {
        "referentiels.communes_polygones": write_geometries(t, out)
    }
    rows = [
        (t.region[i], t.departement[i], t.code[i], t.bassin[i], t.bassin_labels[t.bassin[i]])
        for i in order
    ]
    header = ("reg", "dep", "code_commune_insee", "code_bassin_BMO", "lib_bassin_BMO")
    files["referentiels.communes_bassins"] = _write(
        out / "commune_bassin_bmo.csv", csv([header, *rows], eol="\r\n", final_newline=False)
    )
    header = ("codgeo", "libgeo", "ze2020", "libze2020", "ze_partie_reg", "dep", "reg")
    rows = [
        (
            t.code[i],
            t.name[i],
            t.zone_emploi[i],
            t.zone_emploi_labels[t.zone_emploi[i]],
            "",
            t.departement[i],
            t.region[i],
        )
        for i in order
    ]
    files["referentiels.communes_zones_emploi"] = _write(
        out / "commune_zone_emploi.csv", csv([header, *rows], eol="\r\n")
    )
    header = ("commune_id", "territoire_id", "territoire_libelle", "departement_id")
    rows = [(t.code[i], t.clpe[i], t.clpe_labels[t.clpe[i]], t.departement[i]) for i in order]
    files["referentiels.communes_clpe"] = _write(out / "commune_clpe.csv", csv([header, *rows]))
    lines = []
    for i in order:
        obj = {
            "code": t.code[i],
            "nom": t.name[i],
            "typeLiaison": demo._tncc(t.name[i]),
            "zone": "metro" if len(t.departement[i]) == 2 else "drom",
            "arrondissement": f"{t.departement[i]}1",
            "departement": t.departement[i],
            "region": t.region[i],
            "type": "commune-actuelle",
            "rangChefLieu": 0,
            "siren": demo._luhn_complete(f"21{i:06d}"),
            "codesPostaux": [_postal_code(t, i)],
            "population": t.population[i],
        }
        lines.append(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))
    files["referentiels.communes_population"] = _write(
        out / "communes_population.json", "[\n" + ",\n".join(lines) + "\n]\n"
    )
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
            t.region[i],
            t.epci[i],
            t.epci_nature[t.epci[i]],
            f"{t.departement[i]}1",
            t.canton[i],
            t.zone_emploi[i],
        )
        for i in order
    ]
    files["referentiels.communes_insee"] = _write(out / "insee_communes.csv", csv([header, *rows]))
    header = ("dep", "reg", "cheflieu", "tncc", "ncc", "nccenr", "libelle")
    region_of = _region_of_departement()
    rows = [
        (d, region_of[d], t.code[t.chefs_lieux[d]], demo._tncc(nm), demo._ascii_upper(nm), nm, nm)
        for d, nm in t.departement_labels.items()
    ]
    files["referentiels.departements"] = _write(
        out / "departements.csv", csv([header, *rows], eol="\r\n")
    )
    header = ("reg", "cheflieu", "tncc", "ncc", "nccenr", "libelle")
    rows = [
        (
            r,
            t.code[t.chefs_lieux[REGIONS[r][0]]],
            demo._tncc(nm),
            demo._ascii_upper(nm),
            nm,
            nm,
        )
        for r, nm in t.region_labels.items()
    ]
    files["referentiels.regions"] = _write(out / "regions.csv", csv([header, *rows], eol="\r\n"))
    header = ("Année", "Niveau", "Type", "Ancien Code Officiel", "Code Courant Officiel")
    # Identity rows, and one former commune per département merged into its chef-lieu
    # (the first free number), as the COG passage table lists merged communes.
    pairs = [(t.code[i], t.code[i]) for i in order]
    count = Counter(t.departement)
    for d, chef in t.chefs_lieux.items():
        width = 2 if len(d) == 3 else 3
        pairs.append((f"{d}{count[d] + 1:0{width}d}", t.code[chef]))
    rows = [("2025", "COM", "commune", old, new) for old, new in sorted(pairs)]
    files["referentiels.passage_codes"] = _write(
        out / "passage_codes_communes.csv", csv([header, *rows], sep=";", eol="\r\n"), bom=True
    )
    return files


# ----------------------------------------------------------------- thematic files
#
# The thematic files are drawn from the rows of the demonstration files, used as
# templates: each national row copies a demo row (its type, domains, dates, states,
# reasons, which are consistent with each other) and gets national identifiers and a
# national place (commune, bassin, département...). So every national row is one the
# readers already accept, and the mix of cases is the demo's.

DEMO = ROOT / "data" / "demo"
#: National volumes, before scaling.
N_PARTNERS = 80_000
N_EPISODES = 1_000_000
N_SESSIONS = 30_000
N_PRESCRIPTIONS = 500_000
#: BMO métiers drawn per bassin (406 × 132 ≈ 53,000 rows, the size of the 2024 file).
N_METIERS = 132


def _template(path: Path, *, sep: str = ";", encoding: str = "utf-8-sig"):
    import pandas as pd

    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False, encoding=encoding)


def _save(frame, path: Path, *, bom: bool = False, sep: str = ";") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(
        path, sep=sep, index=False, encoding="utf-8-sig" if bom else "utf-8", lineterminator="\n"
    )
    return path


def _commune_frame(t: NationalTerritory):
    """One row per commune: codes, name, population, centre (WGS84)."""
    import pandas as pd

    return pd.DataFrame(
        {
            "commune": t.code,
            "nom": t.name,
            "departement": t.departement,
            "region": t.region,
            "bassin": t.bassin,
            "clpe": t.clpe,
            "zone_emploi": t.zone_emploi,
            "epci": t.epci,
            "population": t.population,
            "lon": t.lonlat[:, 0].round(5),
            "lat": t.lonlat[:, 1].round(5),
        }
    )


def _bassin_frame(c):
    """One row per bassin: its main commune (largest population) and its place."""
    main = c.sort_values(["population", "commune"], ascending=[False, True])
    return main.drop_duplicates("bassin").sort_values("bassin").reset_index(drop=True)


def _comma(values) -> list[str]:
    return [f"{v:.5f}".rstrip("0").rstrip(".").replace(".", ",") for v in values]


def write_partners(t: NationalTerritory, out: Path, *, scale: float, seed: int) -> Path:
    """``partenaires.csv``: one mission locale per bassin, the other structures drawn.

    A mission locale's ressort is the list of the communes of its bassin; the other
    structures copy a demo structure and are sited in a commune drawn in proportion
    to the population; their named ressort (``bassin:``, ``departement:``...) becomes
    the territory of that commune, a commune list becomes the communes of its EPCI.
    """
    import pandas as pd

    rng = _stream("partners", seed)
    tpl = _template(DEMO / "partenaires.csv")
    is_ml = tpl["Type"].str.lower().str.replace(" ", "_").eq("mission_locale")
    c = _commune_frame(t)
    bassins = _bassin_frame(c)
    members = c.sort_values("commune").groupby("bassin")["commune"].agg("|".join)
    ml_tpl = tpl[is_ml].reset_index(drop=True)
    ml = ml_tpl.iloc[np.arange(len(bassins)) % len(ml_tpl)].reset_index(drop=True)
    ml["Nom de la structure"] = "Mission locale de " + bassins["nom"]
    ml["Code commune"] = bassins["commune"]
    ml["Latitude"] = _comma(bassins["lat"])
    ml["Longitude"] = _comma(bassins["lon"])
    ml["Ressort"] = bassins["bassin"].map(members).to_numpy()
    other_tpl = tpl[~is_ml].reset_index(drop=True)
    n = max(1, round(N_PARTNERS * scale) - len(ml))
    rows = other_tpl.iloc[rng.integers(len(other_tpl), size=n)].reset_index(drop=True)
    weights = c["population"].to_numpy(dtype=float)
    site = c.iloc[rng.choice(len(c), size=n, p=weights / weights.sum())].reset_index(drop=True)
    rows["Nom de la structure"] = rows["Nom de la structure"] + " (" + site["nom"] + ")"
    rows["Code commune"] = site["commune"]
    placed = rows["Latitude"] != ""
    rows.loc[placed, "Latitude"] = np.array(_comma(site["lat"]), dtype=object)[placed]
    rows.loc[placed, "Longitude"] = np.array(_comma(site["lon"]), dtype=object)[placed]
    kind = rows["Ressort"].str.split(":").str[0]
    epci_members = c.sort_values("commune").groupby("epci")["commune"].agg("|".join)
    ressort = pd.Series("", index=rows.index, dtype=object)
    for level in ("region", "departement", "bassin", "clpe", "zone_emploi", "commune"):
        hit = kind.eq(level) & rows["Ressort"].str.contains(":")
        ressort[hit] = level + ":" + site.loc[hit, level]
    lists = rows["Ressort"].ne("") & ~rows["Ressort"].str.contains(":")
    ressort[lists] = site.loc[lists, "epci"].map(epci_members)
    rows["Ressort"] = ressort
    table = pd.concat([ml, rows], ignore_index=True)
    table["Identifiant"] = [f"P{k + 1:06d}" for k in range(len(table))]
    has_siret = table["SIRET"] != ""
    table.loc[has_siret, "SIRET"] = [
        demo._luhn_complete(f"999{k:010d}") for k in np.flatnonzero(has_siret)
    ]
    return _save(table, out / "partenaires.csv", bom=True)


def write_cotraitance(
    t: NationalTerritory, out: Path, partners: Path, *, scale: float, seed: int
) -> list[Path]:
    """``cotraitance/``: one agence per bassin, the missions locales, episodes and the rest.

    Each episode copies a demo episode (dates, states, exit reason, periods) for a
    young person living in a commune drawn in proportion to the population; the
    agence and the mission locale are those of the commune's bassin. Flows are
    aggregated from the episodes, as the demo does.
    """
    import pandas as pd

    from diagnostics import cotraitance as ct

    dc = _load_script("demo_cotraitance")
    rng = _stream("cotraitance", seed)
    target = out / "cotraitance"
    c = _commune_frame(t)
    bassins = _bassin_frame(c)
    directory = _template(partners)
    ml_rows = directory[directory["Type"].str.lower().str.replace(" ", "_") == "mission_locale"]
    ml_of_bassin = dict(zip(bassins["bassin"], ml_rows["Identifiant"], strict=True))
    agences = pd.DataFrame(
        {
            "code": "A" + bassins["bassin"],
            "nom": "Agence Pôle emploi de " + bassins["nom"] + " (fictive)",
            "type": "agence",
            "departement": bassins["departement"],
            "region": bassins["region"],
            "commune": bassins["commune"],
            "latitude": bassins["lat"],
            "longitude": bassins["lon"],
        }
    )
    missions = pd.DataFrame(
        {
            "code": bassins["bassin"].map(ml_of_bassin),
            "nom": "Mission locale de " + bassins["nom"],
            "type": "mission_locale",
            "departement": bassins["departement"],
            "region": bassins["region"],
            "commune": bassins["commune"],
            "latitude": bassins["lat"],
            "longitude": bassins["lon"],
        }
    )
    structures = pd.concat([agences, missions], ignore_index=True)
    tpl = _template(DEMO / "cotraitance" / "episodes.csv")
    n = max(1, round(N_EPISODES * scale))
    pick = rng.integers(len(tpl), size=n)
    episodes = tpl.iloc[pick].reset_index(drop=True)
    weights = c["population"].to_numpy(dtype=float)
    home = c.iloc[rng.choice(len(c), size=n, p=weights / weights.sum())].reset_index(drop=True)
    episodes["episode_id"] = [f"E{k:08X}" for k in range(n)]
    episodes["commune_residence"] = home["commune"]
    episodes["agence"] = "A" + home["bassin"]
    episodes["mission_locale"] = home["bassin"].map(ml_of_bassin)
    periods_tpl = _template(DEMO / "cotraitance" / "periodes.csv")
    link = pd.DataFrame(
        {"template": tpl["episode_id"].to_numpy()[pick], "new": episodes["episode_id"]}
    )
    periods = link.merge(periods_tpl, left_on="template", right_on="episode_id", how="inner")
    periods = periods.drop(columns=["template", "episode_id"]).rename(columns={"new": "episode_id"})
    periods = periods[list(periods_tpl.columns)]
    ressorts = pd.DataFrame(
        {"mission_locale": c["bassin"].map(ml_of_bassin), "commune": c["commune"]}
    ).sort_values(["mission_locale", "commune"])
    files = {
        "structures.csv": structures,
        "episodes.csv": episodes,
        "periodes.csv": periods,
        "ressorts.csv": ressorts,
    }
    written = [_save(frame, target / name) for name, frame in files.items()]
    # Flows, objectives and needs from the episodes, as the demo computes them.
    read_structures = ct.read_structures(target / "structures.csv")
    read_episodes = ct.read_episodes(target / "episodes.csv", structures=read_structures)
    read_periods = ct.read_periods(target / "periodes.csv", episodes=read_episodes)
    last = dc.EXTRACT_DATE.strftime("%Y-%m")
    flows = ct.flows_from_episodes(
        read_episodes, read_periods, first_month="2023-01", last_month=last
    )
    counted = (
        (flows["initialisations"] - flows["initialisations_civis"])
        .groupby([flows["mois"].str[:4], flows["mission_locale"]])
        .sum()
    )
    rows = []
    region_of_ml = dict(zip(missions["code"], missions["region"], strict=True))
    for year in ("2023", "2024"):
        months = 12 if year == "2023" else dc.EXTRACT_DATE.month
        totals: dict[str, int] = {}
        for code in missions["code"]:
            ratio = 0.8 + 0.4 * rng.random()
            objective = int(round(counted.get((year, code), 0) * 12 / months / ratio / 10) * 10)
            rows.append((year, "mission_locale", code, objective, objective * dc.COST_PER_YOUNG,
                         "avenant local (fictif)"))  # fmt: skip
            totals[region_of_ml[code]] = totals.get(region_of_ml[code], 0) + objective
        for reg, total in sorted(totals.items()):
            rows.append((year, "region", reg, total, total * dc.COST_PER_YOUNG,
                         "répartition régionale (fictive)"))  # fmt: skip
    objectives = pd.DataFrame(
        rows, columns=["annee", "niveau", "territoire", "objectif", "montant_subvention", "source"]
    )
    local = objectives[(objectives["annee"] == "2024") & (objectives["niveau"] == "mission_locale")]
    needs = pd.DataFrame(
        {
            "annee": 2024,
            "territoire": local["territoire"].to_numpy(),
            "demandeurs_jeunes": (local["objectif"].to_numpy() * 6.5 * rng.uniform(0.8, 1.2, len(local))).round().astype(int),
            "demande_potentielle": (local["objectif"].to_numpy() * 1.4 * rng.uniform(0.6, 1.6, len(local))).round().astype(int),
        }
    )  # fmt: skip
    written += [
        _save(flows, target / "flux.csv"),
        _save(objectives, target / "objectifs.csv"),
        _save(needs, target / "besoins.csv"),
    ]
    return written


def write_training(t: NationalTerritory, out: Path, *, scale: float, seed: int) -> list[Path]:
    """``formation/``: the agences, sessions cloned from the demo's, prescriptions, POE.

    Each demo session is cloned in every région in turn (sited in a commune drawn in
    proportion to the population), with its dates; each prescription copies a demo
    prescription, for a national agence, on a clone of its session in the agence's
    région (the demo's out-of-région centre stays out of région).
    """
    import pandas as pd

    rng = _stream("training", seed)
    target = out / "formation"
    c = _commune_frame(t)
    bassins = _bassin_frame(c)
    agences = pd.DataFrame(
        {
            "agence": "A" + bassins["bassin"],
            "nom": "Agence Pôle emploi de " + bassins["nom"] + " (fictive)",
            "departement": bassins["departement"],
            "region": bassins["region"],
            "commune": bassins["commune"],
            "latitude": bassins["lat"],
            "longitude": bassins["lon"],
        }
    )
    regions = sorted(t.region_labels)
    sessions_tpl = _template(DEMO / "formation" / "sessions.csv")
    per_template = max(1, round(N_SESSIONS * scale / len(sessions_tpl)))
    clones = sessions_tpl.iloc[np.repeat(np.arange(len(sessions_tpl)), per_template)]
    clones = clones.reset_index(drop=True)
    rank = np.tile(np.arange(per_template), len(sessions_tpl))
    clone_region = np.array(regions)[rank % len(regions)]
    weights = c["population"].to_numpy(dtype=float)
    site_of = np.empty(len(clones), dtype=int)
    for reg in regions:
        where = np.flatnonzero(clone_region == reg)
        idx = np.flatnonzero(c["region"].to_numpy() == reg)
        w = weights[idx] / weights[idx].sum()
        site_of[where] = idx[rng.choice(len(idx), size=len(where), p=w)]
    site = c.iloc[site_of].reset_index(drop=True)
    inside = clones["commune"] != ""
    clones["template"] = clones["session_id"]
    clones["session_id"] = [f"S{k + 1:06d}" for k in range(len(clones))]
    for col, src in (("commune", "commune"), ("departement", "departement"), ("region", "region")):
        clones.loc[inside, col] = site.loc[inside, src]
    clones.loc[inside, "latitude"] = site.loc[inside, "lat"].astype(str)
    clones.loc[inside, "longitude"] = site.loc[inside, "lon"].astype(str)
    clones.loc[inside, "centre"] = (
        clones.loc[inside, "centre"] + " (" + site.loc[inside, "nom"] + ")"
    )
    clones["clone_region"] = np.where(inside, clones["region"], "")
    presc_tpl = _template(DEMO / "formation" / "prescriptions.csv")
    n = max(1, round(N_PRESCRIPTIONS * scale))
    rows = presc_tpl.iloc[rng.integers(len(presc_tpl), size=n)].reset_index(drop=True)
    agence = agences.iloc[rng.integers(len(agences), size=n)].reset_index(drop=True)
    rows["prescription_id"] = [f"P{k:08X}" for k in range(n)]
    rows["agence"] = agence["agence"]
    # a clone of the template session in the agence's région when there is one
    key = clones.groupby(["template", "clone_region"]).indices
    any_clone = clones.groupby("template").indices
    session = np.empty(n, dtype=object)
    for (tpl_id, reg), idx in rows.groupby(["session_id", agence["region"]]).indices.items():
        pool = key.get((tpl_id, reg))
        if pool is None:
            pool = any_clone[tpl_id]
        session[idx] = clones["session_id"].to_numpy()[pool[rng.integers(len(pool), size=len(idx))]]
    rows["session_id"] = session
    poe_tpl = _template(DEMO / "formation" / "poe.csv")
    deps = sorted(t.departement_labels)
    poe = poe_tpl.iloc[np.tile(np.arange(len(poe_tpl)), len(deps))].reset_index(drop=True)
    poe["departement"] = np.repeat(deps, len(poe_tpl))
    sessions = clones.drop(columns=["template", "clone_region"])
    written = [
        _save(agences, target / "agences.csv"),
        _save(sessions, target / "sessions.csv"),
        _save(rows, target / "prescriptions.csv"),
        _save(poe, target / "poe.csv"),
    ]
    fap = target / "fap_rome.csv"
    fap.write_bytes((DEMO / "formation" / "fap_rome.csv").read_bytes())
    return [*written, fap]


def _national_metiers(count: int) -> list[tuple[str, str, str, float, float, float]]:
    """``count`` métiers: the demo's, then variants of them under other FAP codes."""
    metiers = _load_script("demo_bmo").DEMO_METIERS
    out = list(metiers)
    seen = {m[0] for m in out}
    k = 0
    while len(out) < count:
        code, label, famille, volume, difficult, seasonal = metiers[k % len(metiers)]
        variant = k // len(metiers) + 1
        new_code = f"{code[:3]}{(int(code[3:]) + 7 * variant) % 100:02d}"
        k += 1
        if new_code not in seen:
            seen.add(new_code)
            out.append((new_code, f"{label} ({variant})", famille, volume, difficult, seasonal))
    return out[:count]


def write_bmo(t: NationalTerritory, out: Path, *, scale: float, seed: int) -> Path:
    """``bmo/Base_open_data_BMO_2024.xlsx``: every bassin × ``N_METIERS`` métiers (scaled)."""
    import pandas as pd

    bassins = pd.DataFrame(
        {
            "bassin": t.bassin,
            "departement": t.departement,
            "region": t.region,
        }
    ).drop_duplicates()
    bassins["bassin_nom"] = bassins["bassin"].map(t.bassin_labels)
    bassins["departement_nom"] = bassins["departement"].map(t.departement_labels)
    bassins["region_nom"] = bassins["region"].map(t.region_labels)
    metiers = _national_metiers(max(5, round(N_METIERS * scale)))
    (path,) = _load_script("demo_bmo").write_demo_bmo(
        out / "bmo", bassins, seed=seed, years=(2024,), metiers=metiers
    )
    return path


_CONFIG = """\
# Configuration des portraits : jeu d'entrées national synthétique (benchmarks).
#
# Écrit par benchmarks/national_inputs.py (échelle {scale}, graine {seed}) : codes réels
# des départements et régions, communes, noms et chiffres entièrement fictifs.

titre = "France synthétique (jeu d'entrées national fictif, échelle {scale})"
date = "2026-06-30"

[referentiels]
communes_polygones = [
{polygons}
]
communes_population = "communes_population.json"
communes_insee = "insee_communes.csv"
communes_bassins = "commune_bassin_bmo.csv"
communes_zones_emploi = "commune_zone_emploi.csv"
communes_clpe = "commune_clpe.csv"
passage_codes = "passage_codes_communes.csv"
departements = "departements.csv"
regions = "regions.csv"

[bmo]
fichiers = ["bmo/Base_open_data_BMO_2024.xlsx"]

[demandeurs]
fichier = "demandeurs/emploi_demandeur.csv"

[partenaires]
annuaire = "partenaires.csv"
{partners_extra}
[cotraitance]
structures = "cotraitance/structures.csv"
flux = "cotraitance/flux.csv"
objectifs = "cotraitance/objectifs.csv"
besoins = "cotraitance/besoins.csv"
episodes = "cotraitance/episodes.csv"
periodes = "cotraitance/periodes.csv"
ressorts = "cotraitance/ressorts.csv"

[formation]
sessions = "formation/sessions.csv"
prescriptions = "formation/prescriptions.csv"
agences = "formation/agences.csv"
poe = "formation/poe.csv"
correspondance = "formation/fap_rome.csv"
{partnerships}"""


def _triples(departements: list[str]) -> list[tuple[str, str, str]]:
    """National départements by three, standing for the demo's ``9A``, ``9B``, ``9C``."""
    deps = list(departements)
    padded = deps + deps[: (-len(deps)) % 3]
    return [tuple(padded[k : k + 3]) for k in range(0, len(padded), 3)]


def _party_mapper(
    t: NationalTerritory, partners, demo_partners, triple: tuple[str, str, str], agences
):
    """Map a demo party (unit or partner identifier) to a national one, for ``triple``.

    A partner becomes a national partner of the same type in the matching
    département (picked by a hash of the demo identifier, so the same demo partner
    always maps to the same national one within a triple); an agence becomes the
    agence of the same rank in the département; the direction régionale that of the
    first département's région.
    """
    import zlib

    dep_of = dict(zip(("9A", "9B", "9C"), triple, strict=True))
    demo_type = dict(zip(demo_partners["partenaire_id"], demo_partners["type"], strict=True))
    demo_dep = dict(
        zip(demo_partners["partenaire_id"], demo_partners["commune"].str[:2], strict=True)
    )
    region_of = _region_of_departement()
    demo_agences = ["9A111", "9A055", "9B087", "9B059", "9C077", "9C026"]

    def pick(pool: list[str], key: str, offset: int) -> str:
        return pool[(zlib.crc32(key.encode()) + offset) % len(pool)]

    def mapper(party: str, offset: int = 0) -> str:
        if party.startswith("PE-DR-"):
            return f"PE-DR-{region_of[triple[0]]}"
        if party.startswith("PE-DT-"):
            return f"PE-DT-{dep_of[party[6:]]}"
        if party.startswith("PE-AG-"):
            code = party[6:]
            pool = agences[dep_of[code[:2]]]
            return f"PE-AG-{pool[demo_agences.index(code) % 2 % len(pool)]}"
        d = dep_of.get(demo_dep.get(party, "9A"), triple[0])
        pool = partners.get((d, demo_type.get(party)), [])
        if offset >= len(pool):  # another structure of the département
            pool = partners[(d, None)]
        return pick(pool, party, offset)

    return mapper


def _map_parties(parties: str, mapper) -> str:
    """Map the ``|``-separated parties of one partnership, never twice the same actor."""
    out: list[str] = []
    for party in parties.split("|"):
        new = mapper(party)
        for offset in range(1, 50):
            if new not in out:
                break
            new = mapper(party, offset)
        out.append(new)
    return "|".join(out)


def _agence_units(t: NationalTerritory) -> dict[str, list[str]]:
    """Commune of each national agence (the main commune of each bassin), by département."""
    bassins = _bassin_frame(_commune_frame(t))
    out: dict[str, list[str]] = {}
    for dep, commune in zip(bassins["departement"], bassins["commune"], strict=True):
        out.setdefault(dep, []).append(commune)
    return out


def write_partnerships(
    t: NationalTerritory, out: Path, partners_path: Path, *, scale: float, seed: int
) -> list[Path]:
    """Units, partnerships, indicators, flows and positioning, cloned from the demo's.

    The demo's files are cloned once per triple of national départements (the demo
    has three; ``scale`` of the triples at a smaller scale), every party mapped by
    :func:`_party_mapper`. The positioning of each
    national bassin copies that of a demo bassin of the matching département.
    """
    import re

    import pandas as pd

    from diagnostics.partners import read_partners

    del seed  # no random draw: the clones are fixed by the demo and the hashes
    national = read_partners(partners_path)
    demo_partners = read_partners(DEMO / "partenaires.csv")
    dep = national["commune"].astype(str).map(dict(zip(t.code, t.departement, strict=True)))
    pools: dict[tuple[str, str | None], list[str]] = {}
    for pid, d, kind in zip(national["partenaire_id"], dep, national["type"], strict=True):
        pools.setdefault((d, kind), []).append(pid)
        pools.setdefault((d, None), []).append(pid)
    c = _commune_frame(t).set_index("commune")
    agences = _agence_units(t)
    units = [
        (f"PE-DR-{r}", f"Direction régionale {nm}", "direction_regionale",
         t.code[t.chefs_lieux[REGIONS[r][0]]])
        for r, nm in t.region_labels.items()
    ]  # fmt: skip
    for d in t.departement_labels:
        units.append((f"PE-DT-{d}", f"Direction territoriale {d}", "direction_territoriale",
                      t.code[t.chefs_lieux[d]]))  # fmt: skip
        units += [
            (f"PE-AG-{a}", f"Agence Pôle emploi {a}", "agence", a) for a in agences.get(d, [])
        ]
    unit_table = pd.DataFrame(units, columns=["Identifiant", "Nom", "Niveau", "Code commune"])
    unit_table["Latitude"] = unit_table["Code commune"].map(c["lat"]).astype(str)
    unit_table["Longitude"] = unit_table["Code commune"].map(c["lon"]).astype(str)
    registry = _template(DEMO / "partenariats.csv")
    indicators = _template(DEMO / "partenariats_indicateurs.csv")
    flows = _template(DEMO / "flux_partenaires.csv")
    positioning = _template(DEMO / "positionnement.csv", sep=",", encoding="utf-8")
    ids = re.compile(r"PE-(?:DR|DT|AG)-\w+|P\d{4}")
    bassins = _bassin_frame(_commune_frame(t))
    demo_table = _template(DEMO / "commune_bassin_bmo.csv", sep=",", encoding="utf-8")
    demo_bassins = demo_table.groupby("dep")["code_bassin_BMO"].unique().map(sorted).to_dict()
    done: set[str] = set()
    reg_parts, ind_parts, flow_parts, pos_parts = [], [], [], []
    triples = _triples(sorted(t.departement_labels))
    registered = max(1, round(len(triples) * min(scale, 1.0)))  # the registry scales
    for n, triple in enumerate(triples):
        mapper = _party_mapper(t, pools, demo_partners, triple, agences)
        new_ids = {
            old: f"CV{n + 1:03d}{k + 1:03d}" for k, old in enumerate(registry["Identifiant"])
        }
        part = registry.copy()
        part["Identifiant"] = part["Identifiant"].map(new_ids)
        part["Intitulé"] = part["Intitulé"].str.replace(
            ids, lambda m, f=mapper: f(m.group(0)), regex=True
        )
        part["Parties"] = part["Parties"].map(lambda p, f=mapper: _map_parties(p, f))
        ind = indicators.copy()
        ind["Identifiant du partenariat"] = ind["Identifiant du partenariat"].map(new_ids)
        fl = flows.copy()
        fl["Origine"] = fl["Origine"].map(mapper)
        fl["Destination"] = fl["Destination"].map(mapper)
        if n < registered:
            reg_parts.append(part)
            ind_parts.append(ind)
            flow_parts.append(fl)
        for demo_dep, d in zip(("9A", "9B", "9C"), triple, strict=True):
            if d in done:
                continue
            done.add(d)
            for rank, b in enumerate(bassins.loc[bassins["departement"] == d, "bassin"]):
                source = demo_bassins[demo_dep][rank % len(demo_bassins[demo_dep])]
                pos = positioning[positioning["territoire"] == f"bassin:{source}"].copy()
                pos["territoire"] = f"bassin:{b}"
                pos["acteur"] = pos["acteur"].map(mapper)
                pos_parts.append(pos)
    registry = pd.concat(reg_parts, ignore_index=True)
    flows = pd.concat(flow_parts, ignore_index=True)
    flows = flows.drop_duplicates(["Origine", "Destination", "Type de flux", "Année"])
    positioning = pd.concat(pos_parts, ignore_index=True)
    positioning = positioning.drop_duplicates(["territoire", "acteur", "domaine", "situation"])
    return [
        _save(unit_table, out / "unites_pole_emploi.csv", bom=True),
        _save(registry, out / "partenariats.csv", bom=True),
        _save(
            pd.concat(ind_parts, ignore_index=True), out / "partenariats_indicateurs.csv", bom=True
        ),
        _save(flows, out / "flux_partenaires.csv", bom=True),
        _save(positioning, out / "positionnement.csv", sep=","),
    ]


def write_sites(t: NationalTerritory, out: Path) -> Path:
    """``partenaires/pole_emploi_agencies.csv``: DRA per région, DDA per département, ALE.

    The format of the public sites file (decimal commas quoted, ``NULL``, postal
    codes, capitals, no final newline), as the demo writes it; the agences are those
    of ``cotraitance/structures.csv``.
    """
    import csv as csv_module
    import io

    ds = _load_script("demo_sites")
    index = {code: i for i, code in enumerate(t.code)}
    region_of = _region_of_departement()
    rows: list[list[str]] = []

    def add(ref: str, name: str, safir: str, kind: str, commune: str) -> None:
        i = index[commune]
        k = len(rows)
        lon, lat = t.lonlat[i]
        region = t.region[i]
        rows.append(
            [
                ref, ds._capitals(name), safir, kind, str(int(region)),
                ds._capitals(t.region_labels[region]), "NULL",
                "BATIMENT B" if k % 3 == 2 else "NULL",
                f"{2 + 7 * (k % 100)} {ds._STREETS[k % len(ds._STREETS)]}",
                _postal_code(t, i), ds._capitals(t.name[i]),
                ds._decimal(f"{lat:.5f}"), ds._decimal(f"{lon:.5f}"),
            ]
        )  # fmt: skip

    for r in t.region_labels:
        add(f"NAT00000DR{r}", f"DR {t.region_labels[r]}", f"{r}000", "DRA",
            t.code[t.chefs_lieux[REGIONS[r][0]]])  # fmt: skip
    for d in t.departement_labels:
        add(f"NAT00000DT{d}", f"DT {d}", f"{region_of[d]}{d[-2:]}0"[:5], "DDA",
            t.code[t.chefs_lieux[d]])  # fmt: skip
    bassins = _bassin_frame(_commune_frame(t))
    for b, name, commune in zip(bassins["bassin"], bassins["nom"], bassins["commune"], strict=True):
        add(f"NAT0000A{b}", name, f"9{b}", "ALE", commune)
    buffer = io.StringIO()
    writer = csv_module.writer(buffer, lineterminator="\n")
    writer.writerow(ds._HEADER)
    writer.writerows(rows)
    path = out / ds.SITES_FILE
    return _write(path, buffer.getvalue().rstrip("\n"))


_PARTNERS_EXTRA = """\
positionnement = "positionnement.csv"
sites_france_travail = "partenaires/pole_emploi_agencies.csv"
"""
_PARTNERSHIPS = """
[partenariats]
registre = "partenariats.csv"
indicateurs = "partenariats_indicateurs.csv"
flux = "flux_partenaires.csv"
unites = "unites_pole_emploi.csv"
"""


def write_national_inputs(
    folder: str | Path = DEFAULT_OUT, *, scale: float = 1.0, seed: int = SEED
) -> Path:
    """Write the national input set into ``folder`` and return its ``portrait.toml``.

    Parameters
    ----------
    folder
        Output folder (created if needed). Never the repository's ``data/``.
    scale
        Share of the national volumes (``1.0``: 35,000 communes, 80,000 structures,
        a million episodes...); the numbers of départements and régions do not change.
    seed
        Master seed: the same seed writes the same files.

    Returns
    -------
    pathlib.Path
        The portrait configuration naming every file written.
    """
    out = Path(folder)
    if out.resolve().is_relative_to((ROOT / "data").resolve()):
        raise ValueError(f"Dossier de sortie refusé : {out} est dans data/ du dépôt.")
    out.mkdir(parents=True, exist_ok=True)
    t = build_national(scale=scale, seed=seed)
    files = write_referentials(t, out)
    write_bmo(t, out, scale=scale, seed=seed)
    _load_script("demo_jobseekers").write_demo_jobseekers(out, seed=seed)
    partners = write_partners(t, out, scale=scale, seed=seed)
    write_cotraitance(t, out, partners, scale=scale, seed=seed)
    write_training(t, out, scale=scale, seed=seed)
    write_partnerships(t, out, partners, scale=scale, seed=seed)
    write_sites(t, out)
    polygons = files["referentiels.communes_polygones"]
    text = _CONFIG.format(
        scale=scale,
        seed=seed,
        polygons="\n".join(f'    "{p.relative_to(out).as_posix()}",' for p in polygons),
        partners_extra=_PARTNERS_EXTRA,
        partnerships=_PARTNERSHIPS,
    )
    return _write(out / "portrait.toml", text)


def _rows(path: Path) -> int:
    """Rows of a written file (features of a GeoJSON, objects of a JSON array, sheet rows)."""
    if path.suffix == ".geojson":
        return len(json.loads(path.read_text(encoding="utf-8"))["features"])
    if path.suffix == ".json":
        return len(json.loads(path.read_text(encoding="utf-8")))
    if path.suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(path) as book:  # the data sheet is the last one
            sheets = sorted(n for n in book.namelist() if n.startswith("xl/worksheets/sheet"))
            return book.read(sheets[-1]).count(b"<row ") - 1
    with path.open("rb") as f:
        return sum(1 for _ in f) - 1 + (0 if path.read_bytes().endswith(b"\n") else 1)


def read_every_input(config: Path) -> list[tuple[str, float, int | None, str]]:
    """Load the configuration on its first bassin and read every input once.

    Returns ``(key, seconds, rows, problem)`` per input of
    :data:`diagnostics.portrait.config.INPUTS`.
    """
    import pandas as pd

    from diagnostics.portrait import load_territory
    from diagnostics.portrait.config import INPUTS

    bassins = pd.read_csv(config.parent / "commune_bassin_bmo.csv", dtype=str)
    start = time.perf_counter()
    data = load_territory(config, "bassin", bassins["code_bassin_BMO"].min())
    out: list[tuple[str, float, int | None, str]] = [
        ("load_territory", time.perf_counter() - start, len(data.communes()), "")
    ]
    for key in INPUTS:
        start = time.perf_counter()
        value = data.inputs.get(key)
        out.append(
            (
                key,
                time.perf_counter() - start,
                None if value is None else len(value),
                data.inputs.problem(key) or "",
            )
        )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the set, print rows and sizes, then read every input once."""
    parser = argparse.ArgumentParser(
        description="Écrit le jeu d'entrées national synthétique (benchmarks, issue 18)."
    )
    parser.add_argument("--sortie", type=Path, default=DEFAULT_OUT, help="dossier de sortie")
    parser.add_argument("--echelle", type=float, default=1.0, help="part des volumes nationaux")
    parser.add_argument("--graine", type=int, default=SEED)
    parser.add_argument(
        "--sans-lecture", action="store_true", help="ne pas relire les entrées après écriture"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    config = write_national_inputs(args.sortie, scale=args.echelle, seed=args.graine)
    elapsed = time.perf_counter() - start
    files = sorted(p for p in args.sortie.rglob("*") if p.is_file())
    polygons = [p for p in files if p.suffix == ".geojson"]
    print(f"{'fichier':45s} {'lignes':>10s} {'Mo':>8s}")
    for path in [p for p in files if p.suffix != ".geojson"]:
        rows = "" if path.suffix == ".toml" else f"{_rows(path):,}"
        size = path.stat().st_size / 1e6
        print(f"{path.relative_to(args.sortie).as_posix():45s} {rows:>10s} {size:8.1f}")
    rows = sum(_rows(p) for p in polygons)
    size = sum(p.stat().st_size for p in polygons) / 1e6
    print(f"{f'communes/*.geojson ({len(polygons)} fichiers)':45s} {rows:>10,} {size:8.1f}")
    total = sum(p.stat().st_size for p in files) / 1e6
    print(f"total {total:.0f} Mo ; génération {elapsed:.0f} s ; configuration : {config}")
    if not args.sans_lecture:
        start = time.perf_counter()
        for key, seconds, n, problem in read_every_input(config):
            print(f"  {key:40s} {seconds:8.2f} s  {'' if n is None else f'{n:,}':>10s}  {problem}")
        print(f"lecture de toutes les entrées : {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
