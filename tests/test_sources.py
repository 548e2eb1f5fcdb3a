"""Tests of geo.sources and of ``territoire donnees``, offline.

Downloads go to a loopback HTTP server (127.0.0.1, port chosen by the system) that
serves a temporary folder; the publisher's addresses are redirected to it with a
mirror. An autouse fixture points the default mirror at a closed loopback port, so
that a test that forgot its mirror fails locally instead of reaching the internet.
"""

from __future__ import annotations

import functools
import hashlib
import json
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from diagnostics.cli import main
from geo import sources
from geo._errors import CodeError, InputFileError, SchemaError, SourceError

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

BMO_2025 = (
    "https://www.francetravail.org/files/live/sites/peorg/files/documents/"
    "Statistiques-et-analyses/Open-data/BMO/Base_open_data_BMO_2025.xlsx"
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sources.MIRROR_ENV, f"http://127.0.0.1:{_closed_port()}")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Server:
    root: Path
    url: str

    def publish(self, publisher_url: str, content: bytes) -> Path:
        """Serve ``content`` at the path of ``publisher_url`` under the mirror."""
        path = self.root / urlsplit(publisher_url).path.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(root, f"http://127.0.0.1:{httpd.server_port}")
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _records(cache: Path) -> dict:
    return json.loads((cache / "sources" / sources.CHECKSUMS_FILE).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- registry


def test_registry_holds_the_official_sources():
    registry = sources.load_registry()
    for source_id in (
        "bmo",
        "zones_emploi_2020",
        "commune_bassin_bmo",
        "contours_communes",
        "cog_communes",
        "cog_departements",
        "cog_regions",
        "passage_codes_communes",
        "dares_tensions",
    ):
        assert source_id in registry
    assert registry["bmo"].years == (2015, 2026)
    assert registry["bmo"].parameters == ("annee",)
    assert registry["contours_communes"].parameters == ("departement",)
    assert registry["commune_bassin_bmo"].url is None
    for source in registry.values():
        assert source.landing_page.startswith("https://")
        assert source.licence and source.notes and source.publisher


def test_source_urls_follow_the_publishers_naming():
    assert sources.source_url("bmo", year=2025) == BMO_2025
    assert sources.source_url("bmo", year="2022").endswith("/BMO/Donnees_consolidees_2022.zip")
    assert sources.source_url("cog_communes", year=2024) == (
        "https://www.insee.fr/fr/statistiques/fichier/7766585/v_commune_2024.csv"
    )
    assert sources.source_url("zones_emploi_2020", year=2026).endswith(
        "/4652957/ZE2020_au_01-01-2026.zip"
    )
    # The same names as the copies in ../shared/data/geometries.
    assert sources.source_url("contours_communes", departement="44").endswith(
        "/departements/44-loire-atlantique/communes-44-loire-atlantique.geojson"
    )
    assert sources.source_url("contours_communes", departement="2a").endswith(
        "/2A-corse-du-sud/communes-2A-corse-du-sud.geojson"
    )
    assert sources.source_url("contours_communes", departement=1).endswith(
        "/communes-01-ain.geojson"
    )
    assert sources.source_url("contours_communes", departement="22").endswith(
        "/communes-22-cotes-d-armor.geojson"
    )
    assert sources.source_url("contours_communes", departement=974).endswith(
        "/communes-974-la-reunion.geojson"
    )


def test_unknown_source_lists_the_valid_ones():
    with pytest.raises(SourceError, match="« bmi » inconnue") as info:
        sources.source_url("bmi")
    assert "bmo" in str(info.value) and "contours_communes" in str(info.value)


def test_missing_or_bad_parameters_are_explained():
    with pytest.raises(SourceError, match=r"demande une année : précisez --annee.*2015 à 2026"):
        sources.source_url("bmo")
    with pytest.raises(SourceError, match=r"Millésime 2014 indisponible.*2015 à 2026"):
        sources.source_url("bmo", year=2014)
    with pytest.raises(SourceError, match="Année « deux mille » invalide"):
        sources.source_url("bmo", year="deux mille")
    with pytest.raises(SourceError, match="n'a pas de millésime"):
        sources.source_url("contours_regions", year=2024)
    with pytest.raises(SourceError, match="précisez --departement"):
        sources.source_url("contours_communes")
    with pytest.raises(SourceError, match="pas découpée par département"):
        sources.source_url("bmo", year=2025, departement="44")
    with pytest.raises(SourceError, match=r"« 9A » absent de la liste.*fictif"):
        sources.source_url("contours_communes", departement="9A")
    with pytest.raises(SourceError, match="« 975 » absent de la liste"):
        sources.source_url("contours_communes", departement="975")
    with pytest.raises(CodeError, match="« 444 » invalide"):
        sources.source_url("contours_communes", departement="444")


def test_source_without_confirmed_address_says_how_to_get_it():
    with pytest.raises(SourceError, match="pas d'adresse de téléchargement directe") as info:
        sources.source_url("dares_tensions")
    assert "dares.travail-emploi.gouv.fr" in str(info.value)


def test_mirror_replaces_scheme_and_host():
    assert sources.mirror_url(BMO_2025, "http://127.0.0.1:8000/base/") == (
        "http://127.0.0.1:8000/base" + urlsplit(BMO_2025).path
    )
    assert sources.mirror_url("https://www.insee.fr/a/b.zip?x=1", "https://m.local/{host}") == (
        "https://m.local/www.insee.fr/a/b.zip?x=1"
    )
    with pytest.raises(SourceError, match="Miroir « ftp://m » invalide"):
        sources.mirror_url(BMO_2025, "ftp://m")


def test_invalid_registry_lists_every_problem(tmp_path: Path):
    path = tmp_path / "sources.toml"
    path.write_text(
        """
[sources.bmo]
label = "BMO"
publisher = "France Travail"
landing_page = "https://example.org"
url = "https://example.org/BMO_{annee}_{mois}.xlsx"
format = "xlsx"
licence = "LO"
notes = "n"
years = [2026, 2015]

[sources.sans_label]
publisher = "P"
landing_page = "example.org"
url = "https://example.org/{departement}.csv"
format = "docx"
licence = "LO"
notes = "n"
colour = "bleu"

[sources.sans_annee]
label = "L"
publisher = "P"
landing_page = "https://example.org"
url = "https://example.org/fichier.csv"
format = "csv"
licence = "LO"
notes = "n"
years = [2020, 2021]
""",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError, match="problème") as info:
        sources.load_registry(path)
    problems = "\n".join(info.value.problems)
    assert "[sources.bmo] : 'years' doit être [première, dernière]" in problems
    assert "[sources.sans_label] : clé 'label' absente" in problems
    assert "clé(s) inconnue(s) colour" in problems
    assert "'landing_page' doit commencer par http" in problems
    assert "[sources.sans_annee] (2020) : le nom de fichier doit contenir {annee}" in problems

    path.write_text(
        '[sources.x]\nlabel = "L"\npublisher = "P"\nlanding_page = "https://e.org"\n'
        'url = "https://e.org/{mois}/f_{annee}.csv"\nformat = "csv"\nlicence = "LO"\n'
        'notes = "n"\nyears = [2020, 2021]\n'
        '[sources.x.by_year]\n"2020" = { mois = "01" }\n',
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as info:
        sources.load_registry(path)
    assert info.value.problems == [
        "[sources.x] (2021) : 'url' utilise {mois}, valeur inconnue pour ce millésime."
    ]

    path.write_text("[sources.x\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="TOML invalide"):
        sources.load_registry(path)
    with pytest.raises(InputFileError, match="introuvable"):
        sources.load_registry(tmp_path / "absent.toml")


# --------------------------------------------------------------------------- downloads


def test_first_download_records_then_later_calls_verify(server: Server, cache: Path):
    content = b"fichier BMO de test\n"
    served = server.publish(BMO_2025, content)

    first = sources.retrieve_source("bmo", year=2025, cache_dir=cache, mirror=server.url)
    assert first.status == "recorded"
    assert first.path == cache / "sources" / "bmo" / "Base_open_data_BMO_2025.xlsx"
    assert first.path.read_bytes() == content
    assert first.url == server.url + urlsplit(BMO_2025).path
    assert first.sha256 == _sha(content)
    record = _records(cache)["bmo|annee=2025|Base_open_data_BMO_2025.xlsx"]
    assert record["sha256"] == _sha(content)
    assert record["url"] == BMO_2025
    assert record["size"] == len(content)

    # A cached file that still matches is returned without network access.
    served.unlink()
    second = sources.retrieve_source("bmo", year=2025, cache_dir=cache, mirror=server.url)
    assert second.status == "verified"
    assert second.path == first.path
    assert sources.download_source("bmo", year=2025, cache_dir=cache) == first.path


def test_changed_file_at_the_publisher_is_refused(server: Server, cache: Path):
    old, new = b"version 1\n", b"version 2, republiee\n"
    server.publish(BMO_2025, old)
    path = sources.download_source("bmo", year=2025, cache_dir=cache, mirror=server.url)
    path.unlink()  # the cache was cleaned, the record kept
    server.publish(BMO_2025, new)

    with pytest.raises(SourceError, match="a changé depuis son premier téléchargement") as info:
        sources.download_source("bmo", year=2025, cache_dir=cache, mirror=server.url)
    message = str(info.value)
    assert "« bmo »" in message and "Base_open_data_BMO_2025.xlsx" in message
    assert f"attendu {_sha(old)}" in message
    assert f"trouvé {_sha(new)}" in message
    assert "--oublier" in message
    assert not path.exists()

    # Forgetting the record takes the new version and records its checksum.
    result = sources.retrieve_source(
        "bmo", year=2025, cache_dir=cache, mirror=server.url, forget=True
    )
    assert result.status == "recorded"
    assert result.path.read_bytes() == new
    assert _records(cache)["bmo|annee=2025|Base_open_data_BMO_2025.xlsx"]["sha256"] == _sha(new)


def test_altered_cached_file_is_downloaded_again(server: Server, cache: Path):
    server.publish(BMO_2025, b"original\n")
    path = sources.download_source("bmo", year=2025, cache_dir=cache, mirror=server.url)
    path.write_bytes(b"abime\n")
    result = sources.retrieve_source("bmo", year=2025, cache_dir=cache, mirror=server.url)
    assert result.status == "verified"
    assert path.read_bytes() == b"original\n"


def test_mirror_from_the_environment(server: Server, cache: Path, monkeypatch):
    url = sources.source_url("contours_communes", departement="44")
    server.publish(url, b'{"type": "FeatureCollection", "features": []}')
    monkeypatch.setenv(sources.MIRROR_ENV, server.url)
    path = sources.download_source("contours_communes", departement=44, cache_dir=cache)
    assert path.name == "communes-44-loire-atlantique.geojson"
    assert "contours_communes|departement=44|communes-44-loire-atlantique.geojson" in _records(
        cache
    )


def test_server_down_gives_a_french_error(cache: Path):
    mirror = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(SourceError, match="téléchargement impossible") as info:
        sources.download_source("bmo", year=2025, cache_dir=cache, mirror=mirror)
    message = str(info.value)
    assert mirror + urlsplit(BMO_2025).path in message
    assert "--miroir" in message and sources.MIRROR_ENV in message
    assert str(cache / "sources" / "bmo" / "Base_open_data_BMO_2025.xlsx") in message
    assert not (cache / "sources" / sources.CHECKSUMS_FILE).exists()


def test_missing_file_on_the_server_names_the_http_status(server: Server, cache: Path):
    with pytest.raises(SourceError, match="réponse HTTP 404"):
        sources.download_source("bmo", year=2024, cache_dir=cache, mirror=server.url)


def test_file_placed_by_hand_is_checksummed(cache: Path):
    with pytest.raises(SourceError, match="déposez-le sous") as info:
        sources.download_source("commune_bassin_bmo", cache_dir=cache)
    destination = cache / "sources" / "commune_bassin_bmo" / "commune_bassin_bmo.csv"
    assert str(destination) in str(info.value)

    destination.parent.mkdir(parents=True)
    destination.write_text("reg,dep,code_commune_insee,code_bassin_BMO,lib_bassin_BMO\n")
    first = sources.retrieve_source("commune_bassin_bmo", cache_dir=cache)
    assert (first.status, first.url, first.path) == ("recorded", None, destination)
    assert sources.retrieve_source("commune_bassin_bmo", cache_dir=cache).status == "verified"

    destination.write_text("autre contenu\n")
    with pytest.raises(SourceError, match="a changé depuis l'enregistrement"):
        sources.download_source("commune_bassin_bmo", cache_dir=cache)
    # Forgetting keeps the user's file and records its new checksum.
    again = sources.retrieve_source("commune_bassin_bmo", cache_dir=cache, forget=True)
    assert again.status == "recorded" and destination.read_text() == "autre contenu\n"


# --------------------------------------------------------------------------- CLI


def test_cli_lists_the_sources(capsys):
    assert main(["donnees", "sources"]) == 0
    out = capsys.readouterr().out
    assert "bmo" in out and "--annee (2015 à 2026)" in out and "téléchargement manuel" in out

    assert main(["donnees", "sources", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    bmo = next(entry for entry in listed if entry["id"] == "bmo")
    assert bmo["parameters"] == ["annee"] and bmo["years"] == [2015, 2026]


def test_cli_downloads_records_then_verifies(server: Server, cache: Path, capsys):
    content = b"contenu\n"
    server.publish(BMO_2025, content)
    argv = ["donnees", "telecharger", "bmo", "--annee", "2025"]
    argv += ["--cache", str(cache), "--miroir", server.url]

    assert main(argv) == 0
    captured = capsys.readouterr()
    path = Path(captured.out.strip())
    assert path.read_bytes() == content
    assert f"enregistrée : {_sha(content)}" in captured.err

    assert main(argv) == 0
    captured = capsys.readouterr()
    assert Path(captured.out.strip()) == path
    assert f"vérifiée : {_sha(content)}" in captured.err


def test_cli_reports_errors_in_french(cache: Path, capsys):
    assert main(["donnees", "telecharger", "bmi", "--cache", str(cache)]) == 2
    assert "Source « bmi » inconnue" in capsys.readouterr().err
    assert main(["donnees", "telecharger", "bmo", "--cache", str(cache)]) == 2
    assert "précisez --annee" in capsys.readouterr().err


@pytest.mark.real_data
def test_cli_serves_real_files_through_a_mirror(server: Server, cache: Path, capsys):
    bmo = SHARED_DATA / "bmo" / "Base_open_data_BMO_2024.xlsx"
    communes = SHARED_DATA / "geometries" / "communes-44-loire-atlantique.geojson"
    if not (bmo.is_file() and communes.is_file()):
        pytest.skip(f"données publiques réelles absentes ({SHARED_DATA})")
    shutil.copyfile(bmo, server.publish(sources.source_url("bmo", year=2024), b""))
    shutil.copyfile(
        communes,
        server.publish(sources.source_url("contours_communes", departement="44"), b""),
    )
    common = ["--cache", str(cache), "--miroir", server.url]

    for argv, original in (
        (["donnees", "telecharger", "bmo", "--annee", "2024", *common], bmo),
        (["donnees", "telecharger", "contours_communes", "--departement", "44", *common], communes),
    ):
        assert main(argv) == 0
        captured = capsys.readouterr()
        path = Path(captured.out.strip())
        assert path.name == original.name
        assert path.read_bytes() == original.read_bytes()
        assert "enregistrée" in captured.err
        assert main(argv) == 0
        assert "vérifiée" in capsys.readouterr().err
