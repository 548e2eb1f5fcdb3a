"""The one output guard of the ``territoire`` commands: never write over an input.

Every command that writes calls :func:`guard_output_file` (an output named by the
user, ``--sortie FICHIER.geojson``) or :func:`guard_output_folder` (a folder of
exports, ``--sortie DOSSIER``, with the names the command writes in it) *before*
reading anything, so a refused output costs nothing and changes nothing.

An output is refused (:class:`geo._errors.OutputError`, exit code 2) when writing it
would replace

1. a file the command reads (same file, symbolic links and hard links included), or
   when the output folder is the command's input folder (the exports would mix with
   the files read);
2. an existing file that another command reads under its usual name:

   - the files of a cotraitance folder (``structures``, ``flux``, ``objectifs``,
     ``besoins``, ``episodes``, ``periodes``, ``ressorts``) or of a training folder
     (``sessions``, ``prescriptions``, ``agences``, ``poe``, ``fap_rome``), ``.csv``
     or ``.xlsx``, in a folder that holds the mandatory files of that kind of folder
     (so ``formation tableau --sortie data/demo/cotraitance`` cannot replace
     ``flux.csv``, while a previous ``formation`` export folder can be rewritten);
   - the referentials under their usual names (:data:`REFERENTIAL_NAMES`), the BMO
     open-data files and the portrait configurations (``*.toml``).

An output that cannot be written (a file where a folder is expected, a read-only
folder, a missing drive, no permission) is refused up front too, by
:func:`ensure_output_dir`; an :class:`OSError` met later (disk full...) is turned
into a French message by :func:`os_error_message`, which ``territoire`` uses for
every :class:`OSError` that reaches it.
"""

from __future__ import annotations

import errno
import fnmatch
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from geo._errors import OutputError

__all__ = [
    "REFERENTIAL_NAMES",
    "known_input",
    "check_distinct",
    "guard_output_file",
    "guard_output_folder",
    "ensure_output_dir",
    "os_error_message",
]

#: Referentials, BMO files and portrait configurations, under their usual names
#: (shell patterns): an existing file of that name is never replaced by an output.
REFERENTIAL_NAMES = (
    "communes-*.geojson",
    "commune_bassin_bmo.csv",
    "commune_zone_emploi.csv",
    "commune_clpe.csv",
    "insee_communes.csv",
    "communes_population.json",
    "passage_codes_communes.csv",
    "Base_open_data_BMO_*",
    "*.toml",
)

# errno → (what happened, the fix), in French.
_OS_ERRORS: dict[int, tuple[str, str]] = {
    errno.EACCES: (
        "permission refusée",
        "vérifiez vos droits sur ce fichier ou ce dossier, fermez-le s'il est ouvert dans "
        "un tableur, ou choisissez un autre emplacement",
    ),
    errno.EPERM: (
        "opération non permise",
        "vérifiez vos droits sur ce fichier ou ce dossier, ou choisissez un autre emplacement",
    ),
    errno.EROFS: (
        "support en lecture seule",
        "choisissez un dossier sur un disque où l'écriture est permise",
    ),
    errno.ENOSPC: (
        "disque plein",
        "libérez de la place sur ce disque ou choisissez un dossier sur un autre disque",
    ),
    errno.EDQUOT: (
        "quota de disque atteint",
        "libérez de la place ou choisissez un dossier sur un autre disque",
    ),
    errno.ENOENT: (
        "chemin introuvable",
        "vérifiez le chemin (le lecteur ou le partage réseau est-il connecté ?)",
    ),
    errno.ENOTDIR: (
        "un élément du chemin est un fichier et non un dossier",
        "corrigez le chemin ou choisissez un autre dossier",
    ),
    errno.EISDIR: (
        "c'est un dossier alors qu'un fichier est attendu",
        "donnez le chemin d'un fichier",
    ),
    errno.ENAMETOOLONG: ("chemin trop long", "choisissez un chemin plus court"),
    errno.EINVAL: (
        "nom de fichier invalide (caractère interdit ?)",
        'choisissez un nom sans « : * ? " < > | »',
    ),
    errno.EBUSY: (
        "fichier utilisé par un autre programme",
        "fermez-le (tableur, navigateur) puis relancez",
    ),
    errno.EIO: (
        "erreur d'entrée-sortie du disque",
        "vérifiez le disque ou le partage réseau, puis relancez",
    ),
    errno.ELOOP: (
        "trop de liens symboliques (boucle ?)",
        "corrigez les liens symboliques du chemin",
    ),
}


def os_error_message(exc: OSError, *, option: str | None = None) -> str | None:
    """French message of a file-system error (path, what happened, fix), or ``None``.

    ``None`` for an error number this module does not know: the caller treats it as
    a defect of the workbench. ``option`` names the command-line option of the path.
    """
    known = _OS_ERRORS.get(exc.errno or -1)
    if known is None:
        return None
    reason, fix = known
    where = f" ({option})" if option else ""
    path = exc.filename if exc.filename is not None else "fichier ou dossier"
    return f"{path}{where} : {reason}. {fix[0].upper()}{fix[1:]}."


# --------------------------------------------------------------------------- paths


def _same(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are the same file or folder (links resolved)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _holds(folder: Path, stems: Iterable[str]) -> bool:
    return all(
        any((folder / f"{stem}{suffix}").is_file() for suffix in (".csv", ".xlsx"))
        for stem in stems
    )


def _folder_families() -> list[tuple[str, list[str], list[str]]]:
    """(what, mandatory stems, every stem) of the folder inputs (cotraitance, training)."""
    from diagnostics._readers.cotraitance import FOLDER_FILES
    from diagnostics._readers.training import TRAINING_FILES

    return [
        (what, [s for s, need in files.values() if need], [s for s, _ in files.values()])
        for what, files in (
            ("dossier de cotraitance", FOLDER_FILES),
            ("dossier de formation", TRAINING_FILES),
        )
    ]


def known_input(path: Path) -> str | None:
    """What ``path`` is, if it is an existing input of some command (else ``None``)."""
    if not path.is_file():
        return None
    name = path.name
    for pattern in REFERENTIAL_NAMES:
        if fnmatch.fnmatch(name, pattern):
            return "référentiel ou configuration lu par l'atelier"
    stem, suffix = path.stem, path.suffix.lower()
    if suffix in (".csv", ".xlsx"):
        for what, mandatory, stems in _folder_families():
            if stem in stems and _holds(path.parent, mandatory):
                return f"fichier d'entrée d'un {what}"
    return None


def _refuse_input(
    target: Path, option: str, inputs: Sequence[tuple[str, Path]], *, folder: bool
) -> None:
    """Raise when writing ``target`` would replace an input."""
    fix = (
        "Choisissez un autre dossier de sortie (par exemple un dossier « sortie/ » à côté "
        "des données)"
        if folder
        else "Choisissez un autre nom de fichier de sortie"
    )
    for input_option, path in inputs:
        if _same(target, path):
            raise OutputError(
                f"{target} ({option}) est aussi un fichier d'entrée ({input_option} {path}) : "
                f"l'écrire le remplacerait. {fix} : les fichiers d'entrée ne sont jamais "
                "modifiés."
            )
    what = known_input(target)
    if what is not None:
        raise OutputError(
            f"{target} ({option}) existe et c'est un {what} : l'écrire le remplacerait. "
            f"{fix}, ou déplacez ce fichier s'il n'est pas une entrée."
        )


def ensure_output_dir(folder: Path, *, option: str) -> None:
    """Check that ``folder`` can be created or written in; nothing is created.

    The nearest existing folder of the path must be a folder where a file can be
    written (a probe file is created and removed); the command creates the rest
    when it writes, so a run refused later leaves no empty folder behind.

    Raises
    ------
    OutputError
        A file stands where a folder should be, the path is on a missing drive, or
        the folder is read-only or not ours.
    """
    existing = folder
    while not existing.exists() and existing.parent != existing:
        existing = existing.parent
    if not existing.exists():  # a drive or share that is not there
        raise OutputError(
            os_error_message(OSError(errno.ENOENT, "", str(folder)), option=option) or str(folder)
        )
    if not existing.is_dir():
        raise OutputError(
            f"{existing} ({option}) est un fichier, pas un dossier : les résultats ne peuvent "
            f"pas être écrits dans {folder}. Donnez le chemin d'un dossier (il est créé s'il "
            "n'existe pas)."
        )
    probe = existing / f".territoire-essai-{os.getpid()}"
    try:
        with open(probe, "xb"):
            pass
        probe.unlink()
    except FileExistsError:  # a probe left by a crashed run: the folder is writable
        probe.unlink(missing_ok=True)
    except OSError as exc:
        shown = (
            OSError(exc.errno, exc.strerror, str(existing)) if exc.filename == str(probe) else exc
        )
        raise OutputError(
            os_error_message(shown, option=option)
            or f"{folder} ({option}) : dossier de sortie inutilisable. Choisissez un autre dossier."
        ) from exc


def guard_output_file(
    path: Path | None,
    *,
    option: str,
    inputs: Sequence[tuple[str, Path]],
    example: str = "resultat",
) -> None:
    """Refuse an output file that is an input, a folder, or cannot be written.

    ``inputs`` pairs each input file or folder with its option (``("--communes",
    path)``); ``example`` is a file name suggested when ``path`` is a folder. Nothing
    is done when ``path`` is ``None`` (an output not asked for).
    """
    if path is None:
        return
    if path.is_dir():
        raise OutputError(
            f"{path} ({option}) est un dossier : un nom de fichier est attendu. Donnez le "
            f"chemin d'un fichier, par exemple {path / example}."
        )
    _refuse_input(path, option, inputs, folder=False)
    ensure_output_dir(path.parent, option=option)


def guard_output_folder(
    folder: Path,
    *,
    option: str,
    writes: Iterable[str],
    inputs: Sequence[tuple[str, Path]],
) -> None:
    """Refuse an output folder that is an input folder or where an output replaces an input.

    ``writes`` are the names of the files the command writes in ``folder``;
    ``inputs`` pairs each input file or folder with its option.
    """
    for input_option, path in inputs:
        if path.is_dir() and _same(folder, path):
            raise OutputError(
                f"{folder} ({option}) est aussi le dossier d'entrée ({input_option}) : les "
                "résultats se mêleraient aux fichiers lus, voire les remplaceraient. "
                "Choisissez un autre dossier de sortie, par exemple un dossier « sortie/ » à "
                "côté des données."
            )
    for name in writes:
        _refuse_input(folder / name, option, inputs, folder=True)
    ensure_output_dir(folder, option=option)


def check_distinct(outputs: Sequence[tuple[str, Path | None]]) -> None:
    """Refuse two outputs of one command written to the same file."""
    given = [(option, path) for option, path in outputs if path is not None]
    for i, (option, path) in enumerate(given):
        for other, second in given[i + 1 :]:
            if _same(path, second):
                raise OutputError(
                    f"{path} est donné à la fois pour {option} et pour {other} : le second "
                    "écraserait le premier. Donnez deux noms de fichier différents."
                )
