"""Shared fixtures: the demo territory and the real public files of ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo import settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder of the real public files; skips the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"données réelles absentes ({SHARED_DATA}) : test sur fichiers réels ignoré")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    """Folder of the fictional demonstration territory."""
    return settings.demo_dir()


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test writes its caches in a temporary folder, never in the user's home."""
    monkeypatch.setattr(settings, "cache_dir", tmp_path_factory.mktemp("cache"))
