"""Tests of diagnostics._cache: Parquet cache keyed by content checksum and version."""

from __future__ import annotations

import pandas as pd
import pytest

from diagnostics._cache import cache_path, cached_table, file_checksum
from geo import settings
from geo.problems import ProblemReport, attach_problems


def _table() -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "code": pd.array(["0101", None], dtype="string"),
            "n": pd.array([3, None], dtype="Int64"),
            "secret": [False, True],
            "annee": [2024, 2024],
        }
    )
    df.attrs["rapport"] = {"lignes": 2, "codes_corriges": {"bassin": 1}, "exemples": ["101 → 0101"]}
    report = ProblemReport("source.csv")
    report.add("note sous le tableau : ignorée.", line=4, column="met", value="x")
    return attach_problems(df, report)


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "source.csv"
    path.write_text("contenu\n", encoding="utf-8")
    return path


def test_round_trip_keeps_dtypes_and_attrs(source):
    calls = []

    def build(checksum):
        calls.append(checksum)
        return _table()

    first = cached_table(source, build, name="t", version="1")
    second = cached_table(source, build, name="t", version="1")
    assert len(calls) == 1
    assert calls[0] == file_checksum(source)
    assert (first.attrs["cache"], second.attrs["cache"]) == (
        "écrit dans le cache",
        "lu depuis le cache",
    )
    pd.testing.assert_frame_equal(second, _table())
    assert second.attrs["rapport"] == _table().attrs["rapport"]
    assert isinstance(second.attrs["problemes"], ProblemReport)
    assert second.attrs["problemes"] == _table().attrs["problemes"]
    assert second.attrs["problemes"].file == "source.csv"
    entry = cache_path(calls[0], name="t", version="1")
    assert entry.parent == settings.cache_dir / "tables" and entry.is_file()


def test_new_content_or_new_version_rebuilds(source):
    calls = []

    def build(checksum):
        calls.append(checksum)
        return _table()

    cached_table(source, build, name="t", version="1")
    cached_table(source, build, name="t", version="2")
    source.write_text("autre contenu\n", encoding="utf-8")
    cached_table(source, build, name="t", version="2")
    assert len(calls) == 3 and calls[1] != calls[2]


def test_disabled_cache_writes_nothing(source):
    df = cached_table(source, lambda c: _table(), name="t", version="1", enabled=False)
    assert df.attrs["cache"] == "désactivé"
    assert not (settings.cache_dir / "tables").exists()


def test_unwritable_cache_is_not_an_error(source, tmp_path, monkeypatch):
    blocker = tmp_path / "un_fichier"
    blocker.write_text("x")
    monkeypatch.setattr(settings, "cache_dir", blocker)  # a file: no folder can be made in it
    df = cached_table(source, lambda c: _table(), name="t", version="1")
    assert df.attrs["cache"].startswith("non écrit")
    pd.testing.assert_frame_equal(df, _table())


def test_corrupt_entry_is_rebuilt(source):
    entry = cache_path(file_checksum(source), name="t", version="1")
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b"PAR1 pas du parquet")
    df = cached_table(source, lambda c: _table(), name="t", version="1")
    assert df.attrs["cache"] == "écrit dans le cache"
    again = cached_table(source, lambda c: _table(), name="t", version="1")
    assert again.attrs["cache"] == "lu depuis le cache"


def test_a_cache_hit_names_the_file_configured_this_time(source, tmp_path):
    """Provenance: a copy of the same content under another name is named by that name."""
    cached_table(source, lambda checksum: _table(), name="demo", version="1")
    copy = tmp_path / "copie_renommee.csv"
    copy.write_bytes(source.read_bytes())
    df = cached_table(copy, lambda checksum: _table(), name="demo", version="1")
    assert df.attrs["cache"] == "lu depuis le cache"
    report = df.attrs["problemes"]
    assert report.file == "copie_renommee.csv"
    assert [p.file for p in report] == ["copie_renommee.csv"]
    assert "source.csv" not in " ".join(report.lines())
    labelled = cached_table(source, lambda checksum: _table(), name="demo", version="1", label="x")
    assert labelled.attrs["problemes"].file == "x"
