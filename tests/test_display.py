"""The French display layer: exact texts, missing values and their reasons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo import display as d
from geo.display import Fact, Missing

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (999, "999"),
        (1000, f"1{NNBSP}000"),
        (53443, f"53{NNBSP}443"),
        (1234567, f"1{NNBSP}234{NNBSP}567"),
        (-1234, f"-1{NNBSP}234"),
        (12345.6, f"12{NNBSP}346"),
        (2.5, "2"),  # half to even, as round()
        (3.5, "4"),
        (-0.4, "0"),  # a rounded zero has no sign
        (np.int64(7), "7"),
        (pd.array([1500], dtype="Int64")[0], f"1{NNBSP}500"),
    ],
)
def test_format_int(value, expected):
    assert d.format_int(value) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.56, 1, f"1{NNBSP}234,6"),
        (3.14159, 2, "3,14"),
        (3.14159, 0, "3"),
        (-1234.56, 1, f"-1{NNBSP}234,6"),
        (-0.04, 1, "0,0"),
        (0.25, 3, "0,250"),
        (1e6, 0, f"1{NNBSP}000{NNBSP}000"),
    ],
)
def test_format_number(value, decimals, expected):
    assert d.format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("share", "decimals", "expected"),
    [
        (0.61, 1, f"61,0{NNBSP}%"),
        (0.574, 1, f"57,4{NNBSP}%"),
        (0.426, 0, f"43{NNBSP}%"),
        (1.36, 0, f"136{NNBSP}%"),
        (12.5, 0, f"1{NNBSP}250{NNBSP}%"),
        (-0.05, 1, f"-5,0{NNBSP}%"),
        (0, 0, f"0{NNBSP}%"),
    ],
)
def test_format_percent(share, decimals, expected):
    assert d.format_percent(share, decimals) == expected


def test_format_count_with_and_without_unit():
    assert d.format_count(12345, "entrées") == f"12{NNBSP}345 entrées"
    assert d.format_count(1234.4, "€") == f"1{NNBSP}234 €"
    assert d.format_count(3) == "3"


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_are_a_dash_or_their_reason(value):
    assert d.is_missing(value)
    for formatter in (d.format_int, d.format_number, d.format_percent, d.format_count):
        assert formatter(value) == "–"
        assert formatter(value, missing=Missing.SECRET) == "secret statistique"
        assert formatter(value, missing="n.d.") == "n.d."


def test_a_reason_given_as_value_is_written_as_its_label():
    assert d.format_int(Missing.NOT_COMPUTABLE) == "non calculable"
    assert d.format_percent(Missing.NOT_APPLICABLE, missing=Missing.SECRET) == "sans objet"


def test_not_missing():
    assert not any(d.is_missing(v) for v in (0, 0.0, "", "s", [None], math.inf))


def test_each_missing_kind_has_its_label_and_export_code():
    assert [(m.label, m.code) for m in Missing] == [
        ("secret statistique", "s"),
        ("sans objet", "sans objet"),
        ("non calculable", "non calculable"),
        ("non fourni", "non fourni"),
    ]
    assert len({m.code for m in Missing}) == 4
    for m in Missing:
        assert Missing.of(m.code) is m and Missing.of(m.label) is m
    with pytest.raises(ValueError, match="inconnue : 'nd'"):
        Missing.of("nd")


def test_format_month():
    assert d.format_month(2024, 6) == "juin 2024"
    assert d.format_month(2023, 12) == "décembre 2023"


def test_to_display_writes_each_reason_of_a_missing_value():
    t = pd.DataFrame(
        {
            "statut": ["calculé", "calculé", "non calculable"],
            "projets": pd.array([0, 12, None], dtype="Int64"),
            "valeur": pd.array([4, None, None], dtype="Int64"),
            "part": pd.array([None, None, None], dtype="Float64"),
            "ok": [True, False, True],
        }
    )
    d.mark_missing(t, "valeur", Missing.NOT_COMPUTABLE, where=("statut", ["non calculable"]))
    d.mark_missing(t, "part", Missing.NOT_APPLICABLE, where=("projets", [0, None]))
    d.mark_missing(t, "projets", Missing.NOT_PROVIDED)
    shown = d.to_display(t)
    assert shown["valeur"].tolist() == ["4", "s", "non calculable"]
    assert shown["part"].tolist() == ["sans objet", "s", "sans objet"]
    assert shown["projets"].tolist() == ["0", "12", "non fourni"]
    assert shown["ok"].tolist() == [True, False, True]  # booleans stay booleans
    assert shown["statut"].tolist() == t["statut"].tolist()
    assert t["valeur"].isna().sum() == 2  # the input is left alone


def test_reasons_follow_the_table_through_selection_round_and_concat():
    t = pd.DataFrame({"projets": [0, 5, 0], "part": [np.nan, np.nan, 0.5]})
    d.mark_missing(t, "part", Missing.NOT_APPLICABLE, where=("projets", [0]))
    kept = t[t["projets"] == 0][["projets", "part"]].round(2).reset_index(drop=True)
    assert d.to_display(kept)["part"].tolist() == ["sans objet", "0.5"]
    both = pd.concat([t, t], ignore_index=True)
    assert d.to_display(both)["part"].tolist().count("sans objet") == 2
    # without the column the rule reads, the reason cannot be told: the default stays
    assert d.to_display(t[["part"]])["part"].tolist() == ["s", "s", "0.5"]


def test_mark_missing_does_not_touch_the_attrs_of_another_frame():
    t = pd.DataFrame({"n": [np.nan]})
    other = t.copy()
    d.mark_missing(t, "n", Missing.NOT_APPLICABLE)
    assert d.to_display(t)["n"].tolist() == ["sans objet"]
    assert d.to_display(other)["n"].tolist() == ["s"]


def test_fact_is_data():
    f = Fact("alerte", {"taux_projete": 1.36}, level="region", who="99")
    assert f["taux_projete"] == 1.36 and f.level == "region" and f.who == "99"
    assert Fact("situation").figures == {}
