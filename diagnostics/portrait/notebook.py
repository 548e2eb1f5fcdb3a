"""What every notebook does with its parameters and its inputs.

Every notebook of ``notebooks/`` takes the configuration of the portraits
(``configuration``), a ``niveau`` and a ``code`` (:func:`load_territory`), then
asks each part for its inputs::

    donnees = portrait.load_territory(configuration, niveau, code)
    if portrait.available(donnees, "partenaires.annuaire", pour="la couverture des communes"):
        annuaire = donnees.inputs.get("partenaires.annuaire")
        ...

When an input is not configured, or its file is missing or unreadable,
:func:`available` shows a short French note in place of that part (what is not
shown, which file would add it, where to name it in the configuration) and the
notebook runs on to the end.

List parameters given on papermill's command line (``-p fichiers_bmo
"a.xlsx,b.xlsx"``) arrive as a plain string: :func:`as_list` accepts both.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from geo._errors import InputFileError

if TYPE_CHECKING:  # pragma: no cover
    from diagnostics.portrait.inputs import TerritoryInputs
    from diagnostics.portrait.loading import PortraitData

__all__ = ["as_list", "as_years", "available", "missing_note", "show_note"]


def as_list(value: Any, *, name: str = "paramètre") -> list[str]:
    """A list parameter as a list of strings, whether papermill gave a list or a string.

    A string is split on commas (``"a.xlsx,b.xlsx"``); a string written as a
    Python or JSON list (``"['a.xlsx', 'b.xlsx']"``) is read as that list. Empty
    items are dropped; ``None`` and ``""`` give ``[]``.

    Examples
    --------
    >>> as_list("a.xlsx, b.xlsx")
    ['a.xlsx', 'b.xlsx']
    >>> as_list(["a.xlsx"]), as_list(""), as_list(None)
    (['a.xlsx'], [], [])
    >>> as_list('["a.xlsx", "b.xlsx"]')
    ['a.xlsx', 'b.xlsx']
    >>> as_list(2024)
    ['2024']
    """
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("[") and text.endswith("]"):
            try:
                parsed = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                raise InputFileError(
                    f"{name} : liste illisible « {text} ». Écrivez les éléments séparés par "
                    'des virgules (-p {name} "a.xlsx,b.xlsx") ou une liste YAML (-y).'
                ) from None
            return as_list(list(parsed), name=name)
        return [part.strip() for part in text.split(",") if part.strip()]
    if isinstance(value, Iterable) and not isinstance(value, bytes | dict):
        return [str(item).strip() for item in value if str(item).strip()]
    return [str(value)]


def as_years(value: Any, *, name: str = "annees") -> list[int]:
    """A parameter of BMO vintages as a sorted list of years (``"2023,2024"``, ``[2024]``, ``2024``).

    Examples
    --------
    >>> as_years("2024, 2023"), as_years([2024]), as_years(""), as_years(2024)
    ([2023, 2024], [2024], [], [2024])
    >>> as_years("deux mille")
    Traceback (most recent call last):
    ...
    geo._errors.InputFileError: annees : « deux mille » n'est pas une année. Donnez des années séparées par des virgules, ex. -p annees "2023,2024".
    """
    years = []
    for item in as_list(value, name=name):
        try:
            years.append(int(float(item)))
        except ValueError:
            raise InputFileError(
                f"{name} : « {item} » n'est pas une année. Donnez des années séparées par des "
                f'virgules, ex. -p {name} "2023,2024".'
            ) from None
    return sorted(set(years))


def _where(keys: list[str]) -> str:
    """Where the inputs ``keys`` go in the configuration, grouped by section."""
    from diagnostics.portrait.sections import _french_list

    sections: dict[str, list[str]] = {}
    for key in keys:
        table, entry = key.split(".", 1)
        sections.setdefault(table, []).append(f"`{entry}`")
    places = [
        f"{'entrées' if len(entries) > 1 else 'entrée'} {_french_list(entries)} "
        f"de la section `[{table}]`"
        for table, entries in sections.items()
    ]
    return f"{_french_list(places)} de la configuration"


def missing_note(data: PortraitData | TerritoryInputs, *keys: str, pour: str) -> str | None:
    """The French note (Markdown) saying why ``pour`` is not shown, or ``None`` when every input is there.

    Parameters
    ----------
    data
        The territory (:func:`~diagnostics.portrait.loading.load_territory`), or
        the input tables of a configuration (its ``.inputs``).
    keys
        Input keys of the configuration (``"partenaires.annuaire"``...), all needed.
    pour
        What the inputs would show, in French (« la couverture des communes »).

    Examples
    --------
    >>> from geo import settings
    >>> from diagnostics.portrait import load_territory
    >>> lieu = load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901",
    ...                       files={"partenaires.annuaire": None})
    >>> print(missing_note(lieu, "partenaires.annuaire", pour="la couverture des communes"))
    **Non établi ici : la couverture des communes.** Il faudrait un annuaire des partenaires (entrée `annuaire` de la section `[partenaires]` de la configuration).
    >>> missing_note(lieu, "bmo.fichiers", pour="les tensions") is None
    True
    """
    from diagnostics.portrait.loading import PortraitData
    from diagnostics.portrait.sections import _french_list, _input_phrase

    inputs = data.inputs if isinstance(data, PortraitData) else data
    absent: list[str] = []
    unreadable: list[str] = []
    for key in keys:
        if inputs.get(key) is not None:
            continue
        if inputs.config.files(key):
            unreadable.append(f"{_input_phrase(key)} : {inputs.problem(key)}")
        else:
            absent.append(key)
    if not absent and not unreadable:
        return None
    parts = [f"**Non établi ici : {pour}.**"]
    if absent:
        phrases = _french_list([_input_phrase(key) for key in absent])
        parts.append(f"Il faudrait {phrases} ({_where(absent)}).")
    if unreadable:
        parts.append(f"Fichier donné mais inutilisable — {' ; '.join(unreadable)}.")
    return " ".join(parts)


def show_note(text: str) -> None:
    """Show a French note (Markdown) in the notebook, or print it outside Jupyter."""
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython comes with the notebooks extra
        print(text)
        return
    if get_ipython() is None:
        print(text)
    else:
        display(Markdown(f"> {text}"))


def available(data: PortraitData, *keys: str, pour: str) -> bool:
    """``True`` when every input ``keys`` is there; otherwise show why ``pour`` is not shown.

    The notebook's way to skip one part and run on to the end::

        if portrait.available(donnees, "partenaires.annuaire", pour="l'annuaire"):
            ...

    Examples
    --------
    >>> from geo import settings
    >>> from diagnostics.portrait import load_territory
    >>> lieu = load_territory(settings.demo_dir() / "portrait.toml", "bassin", "9901",
    ...                       files={"partenaires.positionnement": None})
    >>> available(lieu, "partenaires.positionnement", pour="le positionnement des acteurs")
    **Non établi ici : le positionnement des acteurs.** Il faudrait la grille de positionnement des acteurs (entrée `positionnement` de la section `[partenaires]` de la configuration).
    False
    """
    note = missing_note(data, *keys, pour=pour)
    if note is None:
        return True
    show_note(note)
    return False
