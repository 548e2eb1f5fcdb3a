"""Property tests: random bytes and random rows fed to every reader (issue 14).

Each reader must either return a table or raise one of the workbench's own errors
(``WorkbenchError``, French message); a raw ``KeyError``, ``ValueError`` from pandas,
``UnicodeDecodeError`` or GDAL error is a defect. Warnings other than the
workbench's are defects too.

The rows strategy starts from the header and first rows of the demo file of each
reader and changes random cells to values a real file holds by mistake (empty, secret
``*``, text in numbers, lost leading zeros, formulas, stray separators, quotes and new
lines), drops or repeats rows. Examples are derandomised, so CI sees the same cases
on every run.
"""

from __future__ import annotations

import csv
import io
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diagnostics._readers import bmo, cotraitance, partners, partnerships, positioning, training
from diagnostics.workshop import read_decisions
from geo import referentials
from geo._errors import WorkbenchError

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"

#: (name, reader, demo file) of every reader of a delimited table.
TABLE_READERS: list[tuple[str, Callable[[Path], object], str]] = [
    ("commune_bassin", referentials.read_commune_bassin, "commune_bassin_bmo.csv"),
    ("commune_zone_emploi", referentials.read_commune_zone_emploi, "commune_zone_emploi.csv"),
    ("zones_emploi", referentials.read_zones_emploi, "zones_emploi.csv"),
    ("commune_clpe", referentials.read_commune_clpe, "commune_clpe.csv"),
    ("cog_communes", referentials.read_cog_communes, "insee_communes.csv"),
    ("departements", referentials.read_departements, "departements.csv"),
    ("regions", referentials.read_regions, "regions.csv"),
    ("code_passage", referentials.read_code_passage, "passage_codes_communes.csv"),
    ("structures", cotraitance.read_structures, "cotraitance/structures.csv"),
    ("flux", cotraitance.read_cotraitance_flows, "cotraitance/flux.csv"),
    ("episodes", cotraitance.read_episodes, "cotraitance/episodes.csv"),
    ("periodes", cotraitance.read_periods, "cotraitance/periodes.csv"),
    ("objectifs", cotraitance.read_objectives, "cotraitance/objectifs.csv"),
    ("besoins", cotraitance.read_cotraitance_needs, "cotraitance/besoins.csv"),
    ("ressorts", cotraitance.read_cotraitance_ressorts, "cotraitance/ressorts.csv"),
    ("sessions", training.read_training_sessions, "formation/sessions.csv"),
    ("agences", training.read_training_agences, "formation/agences.csv"),
    ("prescriptions", training.read_prescriptions, "formation/prescriptions.csv"),
    ("poe", training.read_poe_entries, "formation/poe.csv"),
    ("fap_rome", training.read_fap_rome, "formation/fap_rome.csv"),
    ("partenaires", partners.read_partners, "partenaires.csv"),
    ("positionnement", positioning.read_positioning, "positionnement.csv"),
    ("partenariats", partnerships.read_partnerships, "partenariats.csv"),
    ("indicateurs", partnerships.read_partnership_indicators, "partenariats_indicateurs.csv"),
    ("flux_partenaires", partnerships.read_partner_flows, "flux_partenaires.csv"),
    ("unites", partnerships.read_pole_emploi_units, "unites_pole_emploi.csv"),
]

#: Readers of other formats: bytes only.
OTHER_READERS: list[tuple[str, Callable[[Path], object], str]] = [
    ("bmo", lambda p: bmo.read_bmo(p, cache=False), ".xlsx"),
    ("bmo_csv", lambda p: bmo.read_bmo(p, cache=False), ".csv"),
    ("communes_population", referentials.read_communes_population, ".json"),
    ("commune_polygons", referentials.read_commune_polygons, ".geojson"),
    ("decisions", read_decisions, ".csv"),
]

#: Values a real file holds by mistake.
BAD_VALUES = st.sampled_from(
    [
        "",
        " ",
        "*",
        "s",
        "NA",
        "abc",
        "12 3",
        "1,5",
        "-1",
        "0",
        "99999999999",
        "1e9",
        "2042-06",
        "31/02/2024",
        '=HYPERLINK("http://x","x")',
        "+1+1",
        "@SUM(A1)",
        "a;b",
        "a,b",
        '"',
        "'",
        "\n",
        "é\u00a0è",
        "\u2028",
        "</script>",
        "9A0",
        "44",
        "2A",
        "NULL",
        "  9A001  ",
        "9a001",
    ]
)

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _seed(name: str, lines: int = 8) -> tuple[list[list[str]], str, str]:
    """Header and first rows of a demo file, its separator and encoding."""
    raw = (DEMO / name).read_bytes()
    encoding = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        encoding = "latin-1"
        text = raw.decode(encoding)
    sep = ";" if text.splitlines()[0].count(";") >= text.splitlines()[0].count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))[:lines]
    return rows, sep, encoding


def _call(reader: Callable[[Path], object], path: Path) -> object:
    """Call ``reader``; only the workbench's own errors and warnings are allowed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = reader(path)
        except WorkbenchError as exc:
            assert str(exc).strip()
            result = None
    foreign = [
        w
        for w in caught
        if not w.category.__module__.startswith(("geo", "diagnostics"))
        and not issubclass(w.category, ResourceWarning)
    ]
    assert not foreign, [f"{w.category.__name__}: {w.message}" for w in foreign]
    if result is not None:
        assert isinstance(result, pd.DataFrame)
    return result


@st.composite
def _mutated_rows(draw, rows: list[list[str]]) -> list[list[str]]:
    rows = [list(r) for r in rows]
    width = max(len(r) for r in rows)
    for _ in range(draw(st.integers(1, 6))):
        i = draw(st.integers(1, len(rows) - 1))
        j = draw(st.integers(0, width - 1))
        if j < len(rows[i]):
            rows[i][j] = draw(BAD_VALUES)
    action = draw(st.sampled_from(["none", "drop_row", "repeat_row", "short_row", "notes"]))
    if action == "drop_row" and len(rows) > 2:
        rows.pop(draw(st.integers(1, len(rows) - 1)))
    elif action == "repeat_row":
        rows.append(list(rows[draw(st.integers(1, len(rows) - 1))]))
    elif action == "short_row":
        rows[-1] = rows[-1][: draw(st.integers(0, width - 1))]
    elif action == "notes":
        rows += [[], ["Source : fichier de démonstration"], ["* secret statistique"]]
    return rows


@pytest.mark.parametrize(
    ("name", "reader", "demo"), TABLE_READERS, ids=[r[0] for r in TABLE_READERS]
)
def test_random_rows_give_a_table_or_a_french_error(name, reader, demo):
    rows, sep, encoding = _seed(demo)

    @PROPERTY
    @given(_mutated_rows(rows), st.sampled_from([encoding, "latin-1"]))
    def check(mutated, out_encoding):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(mutated)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(demo).name
            path.write_bytes(buffer.getvalue().encode(out_encoding, errors="replace"))
            _call(reader, path)

    check()


ALL_READERS = [(n, r, Path(d).suffix) for n, r, d in TABLE_READERS] + OTHER_READERS


@pytest.mark.parametrize(("name", "reader", "suffix"), ALL_READERS, ids=[r[0] for r in ALL_READERS])
def test_random_bytes_give_a_table_or_a_french_error(name, reader, suffix):
    @PROPERTY
    @given(
        st.one_of(
            st.binary(max_size=600),
            st.text(max_size=300).map(lambda t: t.encode("utf-8")),
            st.just(b""),
            st.just(b"PK\x03\x04garbage"),
            st.just(b"\xef\xbb\xbf"),
        )
    )
    def check(content):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"fichier{suffix}"
            path.write_bytes(content)
            _call(reader, path)

    check()
