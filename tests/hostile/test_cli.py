"""Hostile inputs and outputs of the ``territoire`` command (issue 14).

Each case runs a command as a new user would get it wrong: an output that is one of
the inputs, an output folder that is an input folder or a file, a read-only folder,
a full disk, an input that is a folder, empty, binary garbage, a ZIP without a
table, a Shapefile without its ``.dbf``, the wrong kind of file in a portrait
configuration, a missing file, or one bad row under ``--strict``. Every case asserts
exit code 2 (never 3: no « Erreur inattendue »), a French message naming the file and
the fix (:func:`tests.hostile.conftest.assert_actionable`), and that every input
file is byte-identical afterwards.
"""

from __future__ import annotations

import builtins
import errno
import hashlib
import io
import os
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from geo import settings
from tests.hostile.conftest import assert_actionable

DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of the demo data (the cases damage it)."""
    target = tmp_path / "donnees"
    shutil.copytree(DEMO, target)
    return target


def fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def construire(d: Path, *extra: object) -> list[object]:
    return [
        "territoires",
        "construire",
        "--communes",
        d / "communes-9A-ormelin.geojson",
        "--correspondance",
        d / "commune_bassin_bmo.csv",
        "--niveau",
        "bassin",
        *extra,
    ]


def cotraitance(d: Path, out: object, *extra: object) -> list[object]:
    return [
        "cotraitance",
        "tableau",
        "--dossier",
        d / "cotraitance",
        "--annee",
        "2024",
        "--mois",
        "6",
        "--sortie",
        out,
        *extra,
    ]


def formation(d: Path, out: object, *extra: object) -> list[object]:
    return ["formation", "tableau", "--dossier", d / "formation", "--sortie", out, *extra]


def portrait(d: Path, out: object, *extra: object) -> list[object]:
    return [
        "portrait",
        "--config",
        d / "portrait.toml",
        "--niveau",
        "bassin",
        "--code",
        "9901",
        "--sortie",
        out,
        *extra,
    ]


def _write(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


GARBAGE = bytes(range(256)) * 20


def _zip_without_table() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("LISEZMOI.txt", "rien d'utile")
        archive.writestr("photo.jpg", GARBAGE)
    return buffer.getvalue()


def _configure(d: Path, old: str, new: str) -> None:
    config = d / "portrait.toml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """One hostile run: ``argv(data, tmp)`` after ``prepare(data, tmp)``."""

    id: str
    argv: Callable[[Path, Path], list[object]]
    file: Callable[[Path, Path], object]
    where: bool = False
    prepare: Callable[[Path, Path], object] | None = None


def _shp_without_dbf(d: Path, tmp: Path) -> None:
    import geopandas as gpd

    gpd.read_file(d / "communes-9A-ormelin.geojson").to_file(tmp / "communes.shp")
    (tmp / "communes.dbf").unlink()


CASES = [
    # ---------------------------------------------------------------- outputs = inputs
    Case(
        "construire-sortie-est-l-entree-communes",
        lambda d, t: construire(d, "--sortie", d / "communes-9A-ormelin.geojson"),
        lambda d, t: "communes-9A-ormelin.geojson",
    ),
    Case(
        "construire-rapport-est-la-correspondance",
        lambda d, t: construire(
            d, "--sortie", t / "out" / "b.geojson", "--rapport", d / "commune_bassin_bmo.csv"
        ),
        lambda d, t: "commune_bassin_bmo.csv",
    ),
    Case(
        "construire-carte-par-lien-symbolique-vers-l-entree",
        lambda d, t: construire(d, "--sortie", t / "b.geojson", "--carte", t / "lien.html"),
        lambda d, t: "lien.html",
        prepare=lambda d, t: (t / "lien.html").symlink_to(d / "commune_bassin_bmo.csv"),
    ),
    Case(
        "construire-rapport-remplacerait-le-flux-de-cotraitance",
        lambda d, t: construire(
            d, "--sortie", t / "b.geojson", "--rapport", d / "cotraitance" / "flux.csv"
        ),
        lambda d, t: "flux.csv",
    ),
    Case(
        "construire-sortie-remplacerait-une-configuration",
        lambda d, t: construire(d, "--sortie", d / "portrait.toml"),
        lambda d, t: "portrait.toml",
    ),
    Case(
        "construire-sortie-et-rapport-au-meme-chemin",
        lambda d, t: construire(d, "--sortie", t / "x.csv", "--rapport", t / "x.csv"),
        lambda d, t: "x.csv",
    ),
    Case(
        "construire-sortie-est-un-dossier",
        lambda d, t: construire(d, "--sortie", d / "cotraitance"),
        lambda d, t: "cotraitance",
    ),
    Case(
        "construire-sortie-sous-un-fichier",
        lambda d, t: construire(d, "--sortie", d / "partenaires.csv" / "b.geojson"),
        lambda d, t: "partenaires.csv",
    ),
    Case(
        "cotraitance-sortie-est-le-dossier-d-entree",
        lambda d, t: cotraitance(d, d / "cotraitance"),
        lambda d, t: "cotraitance",
    ),
    Case(
        "cotraitance-sortie-est-un-fichier",
        lambda d, t: cotraitance(d, d / "partenaires.csv"),
        lambda d, t: "partenaires.csv",
    ),
    Case(
        "cotraitance-sortie-sous-un-fichier",
        lambda d, t: cotraitance(d, d / "regions.csv" / "exports"),
        lambda d, t: "regions.csv",
    ),
    Case(
        "formation-sortie-dans-le-dossier-de-cotraitance",
        lambda d, t: formation(d, d / "cotraitance"),
        lambda d, t: "flux.csv",
    ),
    Case(
        "formation-sortie-est-le-dossier-d-entree",
        lambda d, t: formation(d, d / "formation"),
        lambda d, t: "formation",
    ),
    Case(
        "formation-sortie-est-un-fichier",
        lambda d, t: formation(d, d / "formation" / "sessions.csv"),
        lambda d, t: "sessions.csv",
    ),
    Case(
        "portrait-sortie-est-la-configuration",
        lambda d, t: portrait(d, d / "portrait.toml"),
        lambda d, t: "portrait.toml",
    ),
    Case(
        "portraits-sortie-remplacerait-une-entree-configuree",
        lambda d, t: [
            "portraits",
            "--config",
            d / "portrait.toml",
            "--niveau",
            "bassin",
            "--codes",
            "9901",
            "--sortie",
            d / "formation",
        ],
        lambda d, t: "index.html",
        prepare=lambda d, t: (
            (d / "formation" / "agences.csv").rename(d / "formation" / "index.html"),
            _configure(d, "formation/agences.csv", "formation/index.html"),
        ),
    ),
    Case(
        "donnees-cache-est-un-fichier",
        lambda d, t: [
            "donnees",
            "telecharger",
            "bmo",
            "--annee",
            "2024",
            "--cache",
            d / "regions.csv",
        ],
        lambda d, t: "regions.csv",
    ),
    # ---------------------------------------------------------------- unusable inputs
    Case(
        "construire-communes-est-un-dossier",
        lambda d, t: [
            "territoires",
            "construire",
            "--communes",
            d / "bmo",
            "--correspondance",
            d / "commune_bassin_bmo.csv",
            "--niveau",
            "bassin",
            "--sortie",
            t / "b.geojson",
        ],
        lambda d, t: "bmo",
    ),
    *(
        Case(
            f"construire-communes-{name}",
            lambda d, t, suffix=suffix: [
                "territoires",
                "construire",
                "--communes",
                t / f"communes.{suffix}",
                "--correspondance",
                d / "commune_bassin_bmo.csv",
                "--niveau",
                "bassin",
                "--sortie",
                t / "b.geojson",
            ],
            lambda d, t, suffix=suffix: f"communes.{suffix}",
            prepare=prepare,
        )
        for name, suffix, prepare in (
            ("vide", "geojson", lambda d, t: _write(t / "communes.geojson", b"")),
            ("binaire", "geojson", lambda d, t: _write(t / "communes.geojson", GARBAGE)),
            ("csv-deguise", "geojson", lambda d, t: _write(t / "communes.geojson", b"a;b\n1;2\n")),
            (
                "geojson-tronque",
                "geojson",
                lambda d, t: _write(
                    t / "communes.geojson", (d / "communes-9A-ormelin.geojson").read_bytes()[:500]
                ),
            ),
            (
                "zip-sans-couche",
                "zip",
                lambda d, t: _write(t / "communes.zip", _zip_without_table()),
            ),
            ("shp-sans-dbf", "shp", _shp_without_dbf),
        )
    ),
    *(
        Case(
            f"construire-correspondance-{name}",
            lambda d, t: [
                "territoires",
                "construire",
                "--communes",
                d / "communes-9A-ormelin.geojson",
                "--correspondance",
                t / "table.csv",
                "--niveau",
                "bassin",
                "--sortie",
                t / "b.geojson",
            ],
            lambda d, t: "table.csv",
            prepare=prepare,
        )
        for name, prepare in (
            ("vide", lambda d, t: _write(t / "table.csv", b"")),
            ("binaire", lambda d, t: _write(t / "table.csv", GARBAGE)),
            ("zip-sans-table", lambda d, t: _write(t / "table.csv", _zip_without_table())),
            ("absente", lambda d, t: None),
            (
                "xlsx-tronque",
                lambda d, t: _write(
                    t / "table.csv",
                    (d / "bmo" / "Base_open_data_BMO_2024.xlsx").read_bytes()[:3000],
                ),
            ),
        )
    ),
    Case(
        "cotraitance-flux-binaire",
        lambda d, t: cotraitance(d, t / "exports"),
        lambda d, t: "flux.csv",
        prepare=lambda d, t: _write(d / "cotraitance" / "flux.csv", GARBAGE),
    ),
    Case(
        "cotraitance-flux-vide",
        lambda d, t: cotraitance(d, t / "exports"),
        lambda d, t: "flux.csv",
        prepare=lambda d, t: _write(d / "cotraitance" / "flux.csv", b""),
    ),
    Case(
        "formation-dossier-absent",
        lambda d, t: ["formation", "tableau", "--dossier", t / "absent", "--sortie", t / "out"],
        lambda d, t: "absent",
    ),
    *(
        Case(
            f"bmo-{name}",
            lambda d, t: ["bmo", "resume", "--fichier", t / "bmo.xlsx", "--sans-cache"],
            lambda d, t: "bmo.xlsx",
            prepare=prepare,
        )
        for name, prepare in (
            ("dossier", lambda d, t: (t / "bmo.xlsx").mkdir()),
            ("vide", lambda d, t: _write(t / "bmo.xlsx", b"")),
            ("binaire", lambda d, t: _write(t / "bmo.xlsx", GARBAGE)),
            ("zip-sans-table", lambda d, t: _write(t / "bmo.xlsx", _zip_without_table())),
        )
    ),
    Case(
        "partenaires-fichier-binaire",
        lambda d, t: ["partenaires", "verifier", "--fichier", d / "partenaires.csv"],
        lambda d, t: "partenaires.csv",
        prepare=lambda d, t: _write(d / "partenaires.csv", GARBAGE),
    ),
    Case(
        "partenaires-fichier-est-un-dossier",
        lambda d, t: ["partenaires", "verifier", "--fichier", d / "cotraitance"],
        lambda d, t: "cotraitance",
    ),
    Case(
        "partenaires-communes-table-est-un-flux-de-cotraitance",
        lambda d, t: [
            "partenaires",
            "verifier",
            "--fichier",
            d / "partenaires.csv",
            "--communes-table",
            d / "cotraitance" / "flux.csv",
        ],
        lambda d, t: "flux.csv",
    ),
    Case(
        "partenaires-communes-table-absente",
        lambda d, t: [
            "partenaires",
            "verifier",
            "--fichier",
            d / "partenaires.csv",
            "--communes-table",
            t / "referentiels",
        ],
        lambda d, t: "referentiels",
    ),
    # ---------------------------------------------------------------- portrait configuration
    Case(
        "portrait-table-des-bassins-est-le-fichier-bmo",
        lambda d, t: portrait(d, t / "portraits"),
        lambda d, t: "Base_open_data_BMO_2024.xlsx",
        where=True,
        prepare=lambda d, t: _configure(
            d, '"commune_bassin_bmo.csv"', '"bmo/Base_open_data_BMO_2024.xlsx"'
        ),
    ),
    Case(
        "portrait-table-des-bassins-est-un-geojson",
        lambda d, t: portrait(d, t / "portraits"),
        lambda d, t: "communes-9A-ormelin.geojson",
        prepare=lambda d, t: _configure(
            d,
            'communes_bassins = "commune_bassin_bmo.csv"',
            'communes_bassins = "communes-9A-ormelin.geojson"',
        ),
    ),
    Case(
        "portrait-configuration-binaire",
        lambda d, t: portrait(d, t / "portraits"),
        lambda d, t: "portrait.toml",
        prepare=lambda d, t: _write(d / "portrait.toml", GARBAGE),
    ),
    Case(
        "portrait-configuration-toml-casse",
        lambda d, t: portrait(d, t / "portraits"),
        lambda d, t: "portrait.toml",
        where=True,
        prepare=lambda d, t: _configure(d, "[bmo]", "[bmo"),
    ),
    # ---------------------------------------------------------------- --strict
    Case(
        "cotraitance-strict-un-mois-illisible",
        lambda d, t: cotraitance(d, t / "exports", "--strict"),
        lambda d, t: "flux.csv",
        where=True,
        prepare=lambda d, t: _replace_line(
            d / "cotraitance" / "flux.csv", 2, "2023-01;", "2023-13;"
        ),
    ),
    Case(
        "partenaires-strict-un-nom-manquant",
        lambda d, t: ["partenaires", "verifier", "--fichier", d / "partenaires.csv", "--strict"],
        lambda d, t: "partenaires.csv",
        where=True,
        prepare=lambda d, t: _replace_line(
            d / "partenaires.csv", 1, ";Mission locale de Vegicourt;", ";;"
        ),
    ),
    Case(
        "portrait-strict-un-mois-illisible",
        lambda d, t: portrait(d, t / "portraits", "--strict"),
        lambda d, t: "flux.csv",
        where=True,
        prepare=lambda d, t: _replace_line(
            d / "cotraitance" / "flux.csv", 2, "2023-01;", "2023-13;"
        ),
    ),
    Case(
        "portrait-strict-une-cellule-bmo-illisible",
        lambda d, t: portrait(d, t / "portraits", "--strict"),
        lambda d, t: "Base_open_data_BMO_2024.xlsx",
        where=True,
        prepare=lambda d, t: _spoil_bmo_count(d / "bmo" / "Base_open_data_BMO_2024.xlsx"),
    ),
    Case(
        "portrait-strict-une-entree-introuvable",
        lambda d, t: portrait(d, t / "portraits", "--strict"),
        lambda d, t: "absent.csv",
        prepare=lambda d, t: _configure(d, '"positionnement.csv"', '"absent.csv"'),
    ),
    Case(
        "formation-strict-un-effectif-illisible",
        lambda d, t: formation(d, t / "exports", "--strict"),
        lambda d, t: "sessions.csv",
        where=True,
        prepare=lambda d, t: _replace_line(d / "formation" / "sessions.csv", 1, ";28;", ";vingt;"),
    ),
]


def _spoil_bmo_count(path: Path) -> None:
    """Rewrite the BMO workbook ``path`` with one projects count typed as text."""
    sheets = pd.read_excel(path, sheet_name=None, engine="calamine")
    data = next(name for name in sheets if "open_data" in name)
    sheets[data]["met"] = sheets[data]["met"].astype(object)
    sheets[data].loc[0, "met"] = "abc"
    with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name, index=False)


def _replace_line(path: Path, index: int, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` on line ``index + 1`` of ``path`` (header = line 1)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    assert old in lines[index], lines[index]
    lines[index] = lines[index].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_command_is_refused_in_french(case: Case, data, tmp_path, run_cli):
    if case.prepare is not None:
        case.prepare(data, tmp_path)
    before = fingerprint(data)
    code, out, err = run_cli(case.argv(data, tmp_path))
    assert code == 2, (code, out, err)
    assert err.startswith("Erreur : "), err
    assert_actionable(err, file=str(case.file(data, tmp_path)), where=case.where, case=case.id)
    assert fingerprint(data) == before


# ---------------------------------------------------------------- unwritable outputs


@pytest.fixture
def read_only(monkeypatch):
    """Make a folder read-only, also for root (which ignores the mode bits)."""
    folders: list[Path] = []
    real_open = builtins.open
    real_mkdir = Path.mkdir

    def refuse(path: object) -> bool:
        try:
            target = Path(os.fspath(path)).resolve()  # type: ignore[arg-type]
        except TypeError:
            return False
        return any(target == f or f in target.parents for f in folders)

    def fake_open(file, mode="r", *args, **kwargs):
        if any(m in mode for m in "wxa+") and refuse(file):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(file))
        return real_open(file, mode, *args, **kwargs)

    def fake_mkdir(self, *args, **kwargs):
        if refuse(self) and not self.is_dir():
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(Path, "mkdir", fake_mkdir)

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o555)
        folders.append(folder.resolve())
        return folder

    yield make
    for folder in folders:
        folder.chmod(0o755)


@pytest.mark.parametrize(
    "command",
    [
        lambda d, out: construire(d, "--sortie", out / "bassins.geojson"),
        lambda d, out: cotraitance(d, out / "exports"),
        lambda d, out: formation(d, out),
        lambda d, out: portrait(d, out),
    ],
    ids=["construire", "cotraitance", "formation", "portrait"],
)
def test_read_only_output_folder(command, data, tmp_path, read_only, run_cli):
    out = read_only(tmp_path / "lecture_seule")
    before = fingerprint(data)
    code, _, err = run_cli(command(data, out))
    assert code == 2, err
    assert "permission refusée" in err
    assert_actionable(err, file=out, where=False)
    assert fingerprint(data) == before


def test_disk_full_while_writing_is_exit_2_in_french(data, tmp_path, run_cli, monkeypatch):
    import diagnostics.cli._dashboard as dashboard

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "exports" / "x.csv"))

    monkeypatch.setattr(dashboard, "save_tables", full)
    code, _, err = run_cli(formation(data, tmp_path / "exports"))
    assert code == 2, err
    assert "disque plein" in err
    assert_actionable(err, file="x.csv", where=False)


def test_demo_refuses_its_own_data_folder(data, run_cli, monkeypatch):
    monkeypatch.setattr(settings, "demo_dir", lambda: data)
    before = fingerprint(data)
    code, _, err = run_cli(["demo", "--sortie", data])
    assert code == 2, err
    assert_actionable(err, file=data, where=False)
    assert fingerprint(data) == before


# ---------------------------------------------------------------- what is kept, CLI options


def test_without_strict_the_bad_row_is_set_aside_and_the_rest_written(data, tmp_path, run_cli):
    _replace_line(data / "cotraitance" / "flux.csv", 2, "2023-01;", "2023-13;")
    code, out, _ = run_cli(cotraitance(data, tmp_path / "exports"))
    assert code == 1
    assert "flux.csv, ligne 3" in out
    assert (tmp_path / "exports" / "atteinte.csv").is_file()


def test_strict_writes_nothing(data, tmp_path, run_cli):
    _replace_line(data / "cotraitance" / "flux.csv", 2, "2023-01;", "2023-13;")
    code, _, err = run_cli(cotraitance(data, tmp_path / "exports", "--strict"))
    assert code == 2
    assert "flux.csv, ligne 3, colonne « mois »" in err
    assert not list((tmp_path / "exports").glob("*.csv"))


def test_formation_may_rewrite_its_own_previous_exports(data, tmp_path, run_cli):
    """``flux.csv`` of a formation export folder is not a cotraitance input."""
    out = tmp_path / "exports"
    assert run_cli(formation(data, out))[0] in (0, 1)
    assert (out / "flux.csv").is_file()
    assert run_cli(formation(data, out))[0] in (0, 1)


def test_shapefile_without_prj_names_the_cli_option_and_the_option_works(data, tmp_path, run_cli):
    import geopandas as gpd

    shapes = gpd.read_file(data / "communes-9A-ormelin.geojson").to_crs("EPSG:2154")
    shapes.to_file(tmp_path / "communes.shp")
    (tmp_path / "communes.prj").unlink()
    argv = construire(data, "--sortie", tmp_path / "b.geojson")
    argv[argv.index(data / "communes-9A-ormelin.geojson")] = tmp_path / "communes.shp"
    code, _, err = run_cli(argv)
    assert code == 2
    assert "--crs EPSG:2154" in err
    assert_actionable(err, file="communes.shp", where=False)
    code, _, err = run_cli([*argv, "--crs", "EPSG:2154"])
    assert code == 0, err


def test_unusual_code_column_names_the_cli_option_and_the_option_works(data, tmp_path, run_cli):
    import geopandas as gpd

    shapes = gpd.read_file(data / "communes-9A-ormelin.geojson")
    code_column = next(c for c in shapes.columns if c.lower() in ("code", "insee", "codgeo"))
    shapes.rename(columns={code_column: "identifiant_geo"}).to_file(
        tmp_path / "communes.geojson", driver="GeoJSON"
    )
    argv = construire(data, "--sortie", tmp_path / "b.geojson")
    argv[argv.index(data / "communes-9A-ormelin.geojson")] = tmp_path / "communes.geojson"
    code, _, err = run_cli(argv)
    assert code == 2
    assert "--colonne-code" in err
    assert_actionable(err, file="communes.geojson", where=True)
    code, _, err = run_cli([*argv, "--colonne-code", "identifiant_geo"])
    assert code == 0, err


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (lambda d, t: construire(d, "--sortie", t / "b.geojson"), "commune_bassin_bmo.csv"),
        (
            lambda d, t: [
                "bmo",
                "resume",
                "--fichier",
                d / "bmo" / "Base_open_data_BMO_2024.xlsx",
                "--sans-cache",
            ],
            "Base_open_data_BMO_2024.xlsx",
        ),
        (lambda d, t: cotraitance(d, t / "exports"), "objectifs.csv"),
        (
            lambda d, t: ["partenaires", "verifier", "--fichier", d / "partenaires.csv"],
            "partenaires.csv",
        ),
    ],
    ids=["construire", "bmo", "cotraitance", "partenaires"],
)
def test_input_read_refused_is_exit_2_in_french(argv, name, data, tmp_path, run_cli, monkeypatch):
    """An input the user may not read (or locked by another program on Windows)."""
    real = Path.read_bytes

    def refused(self):
        if self.name == name:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refused)
    code, _, err = run_cli(argv(data, tmp_path))
    assert code == 2, err
    assert_actionable(err, file=name, where=False)
