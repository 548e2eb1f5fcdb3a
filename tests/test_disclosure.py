"""Tests of disclosure control (``diagnostics.disclosure``)."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics import disclosure as dc
from geo import settings


def test_primary_keeps_zero_and_large():
    t = pd.DataFrame({"n": [0, 1, 4, 5, 20]})
    out = dc.protect_counts(t, ["n"], groups=[], threshold=5)
    assert out["n"].tolist() == [0, pd.NA, pd.NA, 5, 20]


def test_secondary_within_group_hides_smallest_other():
    t = pd.DataFrame({"dep": ["9A", "9A", "9A", "9B", "9B"], "n": [3, 9, 6, 10, 12]})
    out = dc.protect_counts(t, ["n"], groups=[["dep"]], threshold=5)
    assert out["n"].tolist() == [pd.NA, 9, pd.NA, 10, 12]


def test_secondary_across_hierarchies_until_stable():
    # ML x month with monthly totals and per-ML totals published
    t = pd.DataFrame(
        {"ml": ["A", "A", "B", "B"], "mois": ["01", "02", "01", "02"], "n": [2, 10, 8, 30]}
    )
    out = dc.protect_counts(t, ["n"], groups=[["mois"], ["ml"]], threshold=5)
    assert out["n"].isna().tolist() == [True, True, True, True]


def test_additive_columns_row_group():
    t = pd.DataFrame({"a": [3], "b": [7], "c": [9]})
    out = dc.protect_counts(t, ["a", "b", "c"], groups=[], additive=["a", "b", "c"], threshold=5)
    assert out.iloc[0].tolist() == [pd.NA, pd.NA, 9]


def test_lone_hidden_with_zeros_hides_a_zero():
    t = pd.DataFrame({"n": [3, 0]})
    out = dc.protect_counts(t, ["n"], threshold=5)
    assert out["n"].isna().tolist() == [True, True]


def test_threshold_read_at_call_time(monkeypatch):
    t = pd.DataFrame({"n": [7, 12]})
    monkeypatch.setattr(settings, "disclosure_threshold", 10)
    assert dc.protect_counts(t, ["n"], groups=[])["n"].isna().tolist() == [True, False]


def test_protect_values_and_display():
    t = pd.DataFrame({"n": pd.array([None, 8], dtype="Int64"), "taux": [0.5, 0.25]})
    out = dc.protect_values(t, ["taux"], count="n", threshold=5)
    assert out["taux"].isna().tolist() == [True, False]
    assert dc.to_display(out)["n"].tolist() == ["s", "8"]


@pytest.mark.parametrize("value", [0, 1, -3, 2.5, "abc", True])
def test_threshold_that_masks_nothing_or_is_not_whole_is_refused(value):
    with pytest.raises(dc.DisclosureError, match="Seuil du secret statistique .* Donnez"):
        dc.current_threshold(value)


def test_threshold_one_from_the_settings_is_refused(monkeypatch):
    monkeypatch.setattr(settings, "disclosure_threshold", 1)
    with pytest.raises(dc.DisclosureError, match="TERRITOIRE_SEUIL_DIFFUSION"):
        dc.protect_counts(pd.DataFrame({"n": [1, 7]}), ["n"], groups=[])


def test_lower_threshold_warns_and_explicit_no_suppression_does_not():
    t = pd.DataFrame({"n": [1, 3, 7]})
    with pytest.warns(dc.DisclosureWarning, match="effectifs égaux à 1 masqués"):
        out = dc.protect_counts(t, ["n"], groups=[], threshold=2)
    assert out["n"].tolist()[1:] == [3, 7] and out["n"].isna().tolist()[0]
    assert dc.protect_counts(t, ["n"], groups=[], threshold=dc.NO_SUPPRESSION)["n"].tolist() == [
        1,
        3,
        7,
    ]


def test_masked_range_tells_the_real_rule():
    assert dc.masked_range(5) == "effectifs de 1 à 4 masqués"
    assert dc.masked_range(11) == "effectifs de 1 à 10 masqués"
    assert "0" not in dc.masked_range(2)


def test_never_shows_small_count_random():
    import numpy as np

    rng = np.random.default_rng(0)
    t = pd.DataFrame({"g": rng.integers(0, 4, 60), "n": rng.integers(0, 12, 60)})
    out = dc.protect_counts(t, ["n"], groups=[["g"]], threshold=5)
    assert dc.small_counts(out, ["n"], threshold=5).empty
    for _, part in out.groupby("g"):
        assert part["n"].isna().sum() != 1
