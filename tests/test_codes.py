from __future__ import annotations

import pandas as pd
import pytest

from geo import codes
from geo._errors import CodeError


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1001, "01001"),
        ("1001", "01001"),
        ("01001", "01001"),
        (44109.0, "44109"),
        ("2a004", "2A004"),
        (" 2B033 ", "2B033"),
        ("97101", "97101"),
        ("9A001", "9A001"),
    ],
)
def test_commune_codes_recover_lost_zeros_and_corsica(raw, expected):
    assert codes.normalize_commune(raw) == expected


def test_series_keep_index_and_missing_values():
    s = pd.Series([1001, None, "2A004"], index=[10, 11, 12])
    out = codes.normalize_commune(s)
    assert out.index.tolist() == [10, 11, 12]
    assert out.isna().tolist() == [False, True, False]
    assert str(out.dtype) == "string"


def test_departement_region_bassin_zone_clpe():
    assert codes.normalize_departement([1, "2a", 971, "44"]).tolist() == ["01", "2A", "971", "44"]
    assert codes.normalize_region([1, 52, "4"]).tolist() == ["01", "52", "04"]
    assert codes.normalize_bassin([101, "5203", 5203.0]).tolist() == ["0101", "5203", "5203"]
    assert codes.normalize_zone_emploi("51") == "0051"
    assert codes.normalize_clpe(["clpe01002", 101, "9399"]).tolist() == [
        "CLPE01002",
        "0101",
        "9399",
    ]


def test_bad_codes_raise_one_error_listing_them_all():
    with pytest.raises(
        CodeError, match=r"f\.csv, colonne x : 2 code commune.*ligne 1: 'abc'.*ligne 2: '123456'"
    ):
        codes.normalize_commune(["01001", "abc", "123456"], source="f.csv, colonne x")


def test_coerce_turns_bad_codes_into_missing_for_reporting():
    assert codes.normalize_bassin(["52031", "5203"], errors="coerce").isna().tolist() == [
        True,
        False,
    ]


def test_departement_of_commune_overseas_on_three_characters():
    assert codes.departement_of_commune(["01001", "97411", "2B033", "9C010"]).tolist() == [
        "01",
        "974",
        "2B",
        "9C",
    ]


def test_lost_zeros_of_real_referentials_are_restored(shared_data):
    zones = pd.read_csv(shared_data / "referentiels" / "commune_zone_emploi.csv", dtype=str)
    out = codes.normalize_commune(zones["codgeo"])
    assert out.notna().all()
    assert out.str.len().eq(5).all()
    assert "01001" in set(out)
    assert codes.normalize_departement(zones["dep"]).isin(["01", "2A", "974"]).any()
    bassins = pd.read_csv(shared_data / "referentiels" / "commune_bassin_bmo.csv", dtype=str)
    assert set(codes.normalize_bassin(bassins["code_bassin_BMO"]).str.len()) == {4}
    assert "0101" in set(codes.normalize_bassin(bassins["code_bassin_BMO"]))
