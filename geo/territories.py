"""The territory model: région, département, bassin, zone d'emploi, CLPE, commune, project.

Levels: région, département, bassin BMO, zone d'emploi, CLPE, commune and project
territories.

Every territory is a set of communes. The *commune table* holds, for each
commune, the code of every level it belongs to; a territory of any level is the
set of communes that carry its code. Project territories (the territorialisation
report insists that perimeters vary with projects) are defined by the user as a
list of communes or a polygon.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
import shapely

from geo import codes as _codes
from geo._errors import AmbiguousTerritoryError, SchemaError, UnknownTerritoryError
from geo.crs import to_metric
from geo.tables import normalize_header

__all__ = [
    "LEVEL_LABELS",
    "LEVEL_PLURALS",
    "Territory",
    "commune_table",
    "territory",
    "resolve_territory_code",
    "list_territories",
    "project_territory",
    "display_name",
    "display_names",
    "named_after",
]

#: Territorial levels of the model, with their French labels.
LEVEL_LABELS: dict[str, str] = {
    "region": "région",
    "departement": "département",
    "bassin": "bassin d'emploi BMO",
    "zone_emploi": "zone d'emploi",
    "clpe": "CLPE",
    "commune": "commune",
    "projet": "territoire de projet",
}

#: Plural of each level's label (« bassins d'emploi BMO »), for messages and titles.
LEVEL_PLURALS: dict[str, str] = {
    "region": "régions",
    "departement": "départements",
    "bassin": "bassins d'emploi BMO",
    "zone_emploi": "zones d'emploi",
    "clpe": "CLPE",
    "commune": "communes",
}
#: The levels whose label is feminine (« une région »), for messages.
_FEMININE = frozenset({"region", "zone_emploi", "commune"})

_COLUMNS = [
    "commune",
    "commune_nom",
    "departement",
    "region",
    "bassin",
    "zone_emploi",
    "clpe",
    "population",
]
_NAME_COLUMNS = ["bassin_nom", "zone_emploi_nom", "clpe_nom", "departement_nom", "region_nom"]


@dataclass(frozen=True)
class Territory:
    """A territory of any level, as the set of its communes.

    Attributes
    ----------
    level
        One of :data:`LEVEL_LABELS`.
    code
        Normalised code (for a project territory, a slug of its name).
    name
        Label for people, as people write it (:func:`display_name`).
    communes
        Codes of its communes, sorted.
    raw_name
        The label as the referential spells it (« LES SABLES D OLONNES »); ``None``
        when it is ``name``.
    """

    level: str
    code: str
    name: str
    communes: tuple[str, ...] = field(repr=False)
    raw_name: str | None = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """French label, e.g. ``bassin d'emploi BMO 5220 – Nantes``."""
        return f"{LEVEL_LABELS.get(self.level, self.level)} {self.code} – {self.name}"

    def __len__(self) -> int:
        return len(self.communes)


def commune_table(
    communes: pd.DataFrame,
    *,
    bassin: pd.DataFrame | None = None,
    zone_emploi: pd.DataFrame | None = None,
    clpe: pd.DataFrame | None = None,
    population: pd.DataFrame | None = None,
    departements: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Assemble the commune table: one row per commune, the code of every level.

    Parameters
    ----------
    communes
        The communes of the study (commune polygons, COG communes or the
        population table): ``commune`` and, if present, ``commune_nom``,
        ``departement``, ``region``.
    bassin, zone_emploi, clpe
        Correspondence tables from :mod:`geo.referentials` (their own reader's
        columns, or :func:`~geo.referentials.read_correspondence` ones).
    population
        ``commune, population`` (and names, départements, régions used to fill
        gaps).
    departements, regions
        Insee COG tables (:func:`~geo.referentials.read_departements`,
        :func:`~geo.referentials.read_regions`) giving their labels.

    Returns
    -------
    pandas.DataFrame
        ``commune, commune_nom, departement, region, bassin, zone_emploi, clpe,
        population`` then the labels ``bassin_nom, zone_emploi_nom, clpe_nom,
        departement_nom, region_nom``; levels that were not given, or communes not found in a
        table, are missing (never invented). ``region`` is filled from the other
        tables when ``communes`` lacks it.

    Examples
    --------
    >>> from geo import referentials, settings
    >>> demo = settings.demo_dir()
    >>> pop = referentials.read_communes_population(demo / "communes_population.json")
    >>> table = commune_table(pop, bassin=referentials.read_commune_bassin(demo / "commune_bassin_bmo.csv"))
    >>> table.columns.tolist()[:8]
    ['commune', 'commune_nom', 'departement', 'region', 'bassin', 'zone_emploi', 'clpe', 'population']
    """
    if "commune" not in communes.columns:
        raise SchemaError("La table des communes n'a pas de colonne 'commune'.")
    base = pd.DataFrame(communes.drop(columns="geometry", errors="ignore")).copy()
    base = base.drop_duplicates("commune").reset_index(drop=True)
    out = base[[c for c in base.columns if c in _COLUMNS]].copy()
    for level, table in (("bassin", bassin), ("zone_emploi", zone_emploi), ("clpe", clpe)):
        if table is None:
            continue
        column = level if level in table.columns else "territoire"
        lookup = table.drop_duplicates("commune").set_index("commune")
        out[level] = out["commune"].map(lookup[column])
        name_column = f"{level}_nom" if f"{level}_nom" in lookup.columns else "territoire_nom"
        if name_column in lookup.columns:
            out[f"{level}_nom"] = out["commune"].map(lookup[name_column])
        _fill_gaps(out, lookup)
    if population is not None:
        lookup = population.drop_duplicates("commune").set_index("commune")
        out["population"] = out["commune"].map(lookup["population"]).astype("Int64")
        _fill_gaps(out, lookup)
    if "departement" not in out.columns:
        out["departement"] = _codes.departement_of_commune(out["commune"])
    out["departement"] = out["departement"].fillna(_codes.departement_of_commune(out["commune"]))
    if departements is not None:
        lookup = departements.drop_duplicates("departement").set_index("departement")
        out["departement_nom"] = out["departement"].map(lookup["departement_nom"])
        if "region" in lookup.columns:
            filled = out["departement"].map(lookup["region"])
            out["region"] = out["region"].fillna(filled) if "region" in out.columns else filled
    if regions is not None and "region" in out.columns:
        out["region_nom"] = out["region"].map(
            regions.drop_duplicates("region").set_index("region")["region_nom"]
        )
    return _typed_columns(out).sort_values("commune", kind="stable").reset_index(drop=True)


def _fill_gaps(out: pd.DataFrame, lookup: pd.DataFrame) -> None:
    """Fill the département, région and name of ``out``'s communes from ``lookup``.

    ``lookup`` is indexed by commune; values already in ``out`` win.
    """
    for extra in ("departement", "region", "commune_nom"):
        if extra in lookup.columns:
            filled = out["commune"].map(lookup[extra])
            out[extra] = out[extra].fillna(filled) if extra in out.columns else filled


def _typed_columns(out: pd.DataFrame) -> pd.DataFrame:
    """The columns of the commune table in order, missing ones added, as strings or Int64."""
    for c in _COLUMNS + _NAME_COLUMNS:
        if c not in out.columns:
            out[c] = pd.Series(
                pd.NA, index=out.index, dtype="Int64" if c == "population" else "string"
            )
    out = out[_COLUMNS + _NAME_COLUMNS]
    for c in _COLUMNS[:-1] + _NAME_COLUMNS:
        out[c] = out[c].astype("string")
    out["population"] = out["population"].astype("Int64")
    return out


def _raw_names(table: pd.DataFrame, level: str, names: pd.DataFrame | None) -> pd.Series:
    """Labels of the territories of ``level`` as spelt by ``names`` if given, else the table."""
    for source in (names, table):
        if source is not None and f"{level}_nom" in source.columns and level in source.columns:
            labels = source.dropna(subset=[level, f"{level}_nom"]).drop_duplicates(level)
            if len(labels):
                return labels.set_index(level)[f"{level}_nom"].astype("string")
    return pd.Series(dtype="string")


def _names(table: pd.DataFrame, level: str, names: pd.DataFrame | None) -> pd.Series:
    """Labels of the territories of ``level`` as people write them (:func:`display_names`)."""
    return display_names(table, level, _raw_names(table, level, names))


def list_territories(
    table: pd.DataFrame, level: str, *, names: pd.DataFrame | None = None
) -> pd.DataFrame:
    """List the territories of ``level`` in the commune table.

    Parameters
    ----------
    table
        Commune table (:func:`commune_table`).
    level
        ``region``, ``departement``, ``bassin``, ``zone_emploi``, ``clpe`` or ``commune``.
    names
        Optional table with ``<level>`` and ``<level>_nom`` columns (a
        correspondence table, say) giving labels.

    Returns
    -------
    pandas.DataFrame
        ``code, nom, nb_communes, population``, sorted by code.
    """
    _check_level(level)
    if level == "commune":
        out = table.rename(columns={"commune": "code", "commune_nom": "nom"})[
            ["code", "nom", "population"]
        ].copy()
        out.insert(2, "nb_communes", 1)
        return out.reset_index(drop=True)
    grouped = table.dropna(subset=[level]).groupby(level, sort=True)
    out = pd.DataFrame(
        {
            "nb_communes": grouped.size(),
            "population": grouped["population"].sum(min_count=1).astype("Int64"),
        }
    ).reset_index(names="code")
    out.insert(1, "nom", out["code"].map(_names(table, level, names)).astype("string"))
    return out


def territory(
    table: pd.DataFrame,
    level: str,
    code: str | int,
    *,
    names: pd.DataFrame | None = None,
    source: str = "le référentiel",
) -> Territory:
    """Return the territory of ``level`` and ``code`` (or name) from the commune table.

    Codes are normalised first (``5203``, ``'5203'`` and ``5203.0`` are the same
    bassin; département ``1`` is ``01``). A text that is no known code is taken
    for a name (:func:`resolve_territory_code`): « nantes », « Saint Nazaire »,
    « Loire-Atlantique ».

    Parameters
    ----------
    table
        Commune table (:func:`commune_table`).
    level
        ``region``, ``departement``, ``bassin``, ``zone_emploi``, ``clpe`` or ``commune``.
    code
        Code of the territory, or its name.
    names
        Optional table with ``<level>`` and ``<level>_nom`` columns giving labels.
    source
        What lists the territories, for messages (« le référentiel (commune_bassin_bmo.csv) »).

    Raises
    ------
    UnknownTerritoryError
        Neither a code nor a name of ``level``; the message lists the closest names
        and codes.
    AmbiguousTerritoryError
        A name that fits several territories; the message lists them with their codes.

    Examples
    --------
    >>> from geo import referentials, settings
    >>> demo = settings.demo_dir()
    >>> pop = referentials.read_communes_population(demo / "communes_population.json")
    >>> table = commune_table(pop)
    >>> t = territory(table, "departement", "9a")
    >>> t.code, len(t) > 0
    ('9A', True)
    >>> bassins = referentials.read_commune_bassin(demo / "commune_bassin_bmo.csv")
    >>> territory(commune_table(pop, bassin=bassins), "bassin", "saint jevrocourt").label
    "bassin d'emploi BMO 9908 – Saint-Jévrocourt"
    """
    _check_level(level)
    norm = _normalize_code(level, code)
    members = table.loc[table[level] == norm, "commune"] if norm else pd.Series(dtype="string")
    if members.empty:
        norm = resolve_territory_code(
            level, code, _candidate_names(table, level, names), source=source
        )
        members = table.loc[table[level] == norm, "commune"]
    if level == "commune":
        raw = table.loc[table["commune"] == norm, "commune_nom"].iloc[0]
    else:
        raw = _raw_names(table, level, names).get(norm)
    raw = str(raw) if raw is not None and not pd.isna(raw) else str(norm)
    name = raw
    if level != "commune":
        name = str(display_names(table, level, pd.Series({norm: raw}, dtype="string"))[norm])
    return Territory(
        level=level,
        code=str(norm),
        name=name,
        communes=tuple(sorted(members.astype(str))),
        raw_name=raw if raw != name else None,
    )


def _normalize_code(level: str, code: object) -> str | None:
    """``code`` normalised as a code of ``level``, ``None`` when it cannot be one."""
    normalize = getattr(_codes, f"normalize_{level}", None)
    if normalize is None:
        return None
    norm = normalize(code, errors="coerce")
    return str(norm) if norm is not None and not pd.isna(norm) else None


def _candidate_names(table: pd.DataFrame, level: str, names: pd.DataFrame | None) -> pd.Series:
    """Every code of ``level`` in ``table`` with its names: as shown first, then as spelt."""
    if level == "commune":
        rows = table.dropna(subset=["commune"])
        return pd.Series(rows["commune_nom"].tolist(), index=rows["commune"].tolist(), dtype=object)
    codes = pd.Series(pd.NA, index=sorted(table[level].dropna().unique().tolist()), dtype=object)
    return pd.concat(
        [_names(table, level, names).astype(object), _raw_names(table, level, names), codes]
    )


# --------------------------------------------------------------------------- names by name


def _name_key(text: str) -> tuple[str, ...]:
    """The words of a name folded for comparison: no case, accents or punctuation, « ST » → « saint »."""
    return tuple(_ABBREVIATIONS.get(w, w) for w, _, _ in _words(text))


def _name_fit(query: tuple[str, ...], name: tuple[str, ...]) -> int:
    """2 when ``name`` is ``query``, 1 when ``query`` spells whole consecutive words of it, else 0.

    Spaces do not count (« saintnazaire » spells « saint nazaire »).
    """
    wanted = "".join(query)
    if not wanted:
        return 0
    if wanted == "".join(name):
        return 2
    for start in range(len(name)):
        run = ""
        for word in name[start:]:
            run += word
            if run == wanted:
                return 1
            if len(run) >= len(wanted):
                break
    return 0


def resolve_territory_code(
    level: str,
    text: str | int,
    names: pd.Series,
    *,
    source: str = "le référentiel",
) -> str:
    """The code of the territory of ``level`` that ``text`` designates, by code or by name.

    An exact code wins (normalised as the level's codes are: ``1`` is département
    ``01``). Otherwise ``text`` is a name, compared without regard to case, accents,
    hyphens, apostrophes and spaces, « ST » standing for « SAINT »: a territory whose
    name is ``text`` wins over those whose name only contains it as whole words
    (« Loire » is the département 42, not Loire-Atlantique; « Nazaire » is
    Saint-Nazaire when no other name holds that word).

    Parameters
    ----------
    level
        ``region``, ``departement``, ``bassin``, ``zone_emploi``, ``clpe`` or ``commune``.
    text
        A code or a name, as the user wrote it.
    names
        The territories of ``level``: index the (normalised) codes, values their names
        (missing when unknown). A code may come several times with several spellings
        (« Saint-Nazaire », « ST NAZAIRE »); the first is the one messages show.
    source
        What lists the territories, for messages (« le fichier BMO ... »).

    Returns
    -------
    str
        The code of the territory.

    Raises
    ------
    AmbiguousTerritoryError
        Several territories fit the name; the message lists them with their codes.
    UnknownTerritoryError
        No code nor name fits; the message gives close names and close codes.

    Examples
    --------
    >>> names = pd.Series({"9902": "Saint-Lounirac", "9908": "Saint-Jévrocourt", "9906": "LE BABOUNON"})
    >>> resolve_territory_code("bassin", "st jevrocourt", names), resolve_territory_code("bassin", 9906, names)
    ('9908', '9906')
    >>> resolve_territory_code("bassin", "Saint", names)
    Traceback (most recent call last):
    ...
    geo._errors.AmbiguousTerritoryError: Plusieurs bassins d'emploi BMO correspondent à « Saint » dans le référentiel : 9902 Saint-Lounirac, 9908 Saint-Jévrocourt. Précisez le code (--code 9902, par exemple) ou le nom complet.
    """
    _check_level(level)
    shown, spellings = _spellings(names)
    written = str(text).strip()
    for candidate in (_normalize_code(level, text), written, written.upper()):
        if candidate and candidate in shown:
            return candidate
    found = _fitting(_name_key(written), spellings)
    if len(found) == 1:
        return found[0]
    if found:
        more = f", … ({len(found)} en tout)" if len(found) > 12 else ""
        raise AmbiguousTerritoryError(
            f"Plusieurs {LEVEL_PLURALS[level]} correspondent à « {written} » dans {source} : "
            f"{_listed(found[:12], shown)}{more}. Précisez le code (--code {found[0]}, par "
            "exemple) ou le nom complet.",
            suggestions=found,
        )
    raise _unknown(level, text, shown, spellings, source)


def _spellings(names: pd.Series) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    """The codes of ``names`` with the name messages show, and every (code, spelling)."""
    shown: dict[str, str | None] = {}
    spellings: list[tuple[str, str]] = []
    for code, name in zip(names.index.tolist(), names.tolist(), strict=True):
        if code is None or pd.isna(code):
            continue
        has_name = isinstance(name, str) and bool(name.strip())
        if shown.get(str(code)) is None:
            shown[str(code)] = name if has_name else None
        if has_name:
            spellings.append((str(code), name))
    return shown, spellings


def _fitting(query: tuple[str, ...], spellings: list[tuple[str, str]]) -> list[str]:
    """Codes whose name is ``query``; if none, codes whose name holds it (sorted)."""
    exact: set[str] = set()
    partial: set[str] = set()
    for code, name in spellings:
        fit = _name_fit(query, _name_key(name))
        if fit == 2:
            exact.add(code)
        elif fit == 1:
            partial.add(code)
    return sorted(exact or partial)


def _listed(codes: Sequence[str], shown: dict[str, str | None]) -> str:
    """« 9902 Saint-Lounirac, 9908 Saint-Jévrocourt »."""
    return ", ".join(f"{c} {shown[c]}" if shown.get(c) else c for c in codes)


def _unknown(
    level: str,
    text: str | int,
    shown: dict[str, str | None],
    spellings: list[tuple[str, str]],
    source: str,
) -> UnknownTerritoryError:
    """The error for a ``text`` that is neither a code nor a name: close names and codes, the fix."""
    written = str(text).strip()
    label = LEVEL_LABELS[level]
    feminine = "e" if level in _FEMININE else ""
    known = sorted(shown)
    typed = _normalize_code(level, text) or written.upper()
    close_codes = difflib.get_close_matches(typed, known, n=5, cutoff=0.5)
    by_key: dict[str, list[str]] = {}
    for code, name in spellings:
        by_key.setdefault("".join(_name_key(name)), []).append(code)
    query = "".join(_name_key(written))
    keys = difflib.get_close_matches(query, list(by_key), n=5, cutoff=0.6) if query else []
    close_names = list(dict.fromkeys(c for key in keys for c in by_key[key]))[:5]
    hints = ""
    if not close_names and not close_codes and spellings:
        hints += f" Par exemple : {_listed(known[:3], shown)}."
    if close_names:
        hints += f" Noms proches : {_listed(close_names, shown)}."
    if close_codes:
        hints += f" Codes proches : {', '.join(close_codes)}."
    if any(c.isalpha() for c in written) and spellings:
        fix = (
            f"Écrivez le code ou le nom d'un{feminine} {label} connu{feminine} (majuscules, "
            "accents et tirets sont indifférents), ou vérifiez le niveau demandé."
        )
    elif any(c.isalpha() for c in written):
        fix = f"Les noms des {LEVEL_PLURALS[level]} ne sont pas connus ici : écrivez le code."
    else:
        fix = "Vérifiez le code, le niveau demandé et le millésime du référentiel."
    return UnknownTerritoryError(
        f"{label[:1].upper()}{label[1:]} « {written} » inconnu{feminine} dans {source} "
        f"({len(known)} {LEVEL_PLURALS[level] if len(known) > 1 else label} "
        f"connu{feminine}{'s' if len(known) > 1 else ''}).{hints} {fix}",
        suggestions=close_names + [c for c in close_codes if c not in close_names],
    )


# --------------------------------------------------------------------------- names

#: Words written in lower case inside a French place name (« La Roche-sur-Yon »).
_SMALL_WORDS = frozenset(
    {"de", "du", "des", "la", "le", "les", "l", "d", "sur", "sous", "en", "et", "aux", "au"}
)
#: Abbreviations of the official files (« ST NAZAIRE », « FONTENAY LE CTE »).
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "cte": "comte", "gd": "grand", "mt": "mont"}
_WORD = re.compile(r"[^\W_]+")


@functools.lru_cache(maxsize=65536)
def _words(text: str) -> tuple[tuple[str, int, int], ...]:
    """The words of ``text`` folded (no case, accents or punctuation), with their span."""
    return tuple((normalize_header(m.group()), m.start(), m.end()) for m in _WORD.finditer(text))


def _same_word(written: str, official: str) -> bool:
    """Whether a word of a file (folded) is the word of an official name (folded).

    Abbreviations are expanded; a light typo is tolerated on words of five letters or
    more that start alike (« olonnes » for « olonne », not « basque » for « behasque »).
    """
    if written == official:
        return True
    written = _ABBREVIATIONS.get(written, written)
    if written[:2] != official[:2]:
        return False
    return written == official or (
        min(len(written), len(official)) >= 5
        and abs(len(written) - len(official)) <= 1
        and difflib.SequenceMatcher(None, written, official).ratio() >= 0.85
    )


def _match(raw: str, commune_names: Sequence[str]) -> list[tuple[int, int, int | None, str]]:
    """Cut ``raw`` into runs of words: ``(first word, end word, commune position, text)``.

    At each word, the longest commune name of ``commune_names`` spelt by the next words
    is taken (the first one of the list on a tie), in its official spelling; at the end
    of ``raw`` the first words of a longer name also count (« LA BAULE » is the start of
    « La Baule-Escoublac »). A word that starts no name is a run of its own (position
    ``None``, text as in ``raw``).
    """
    words = _words(raw)
    names = [(position, name, _words(name)) for position, name in enumerate(commune_names)]
    runs: list[tuple[int, int, int | None, str]] = []
    i = 0
    while i < len(words):
        best: tuple[tuple[int, bool], int, str] | None = None
        for position, name, spelt in names:
            k = 0
            while (
                k < len(spelt) and i + k < len(words) and _same_word(words[i + k][0], spelt[k][0])
            ):
                k += 1
            full = k == len(spelt)
            if k == 0 or (not full and i + k < len(words)):
                continue
            matched = [w for w, _, _ in spelt[:k]]
            if all(w in _SMALL_WORDS or w in ("saint", "sainte") for w in matched):
                continue  # « LE », « SAINT » alone name no commune
            if sum(map(len, matched)) < 3:
                continue  # « Y », « Eu »: too short to be told from a word
            if best is None or (k, full) > best[0]:
                best = ((k, full), position, name if full else name[: spelt[k - 1][2]])
        if best is None:
            runs.append((i, i + 1, None, raw[words[i][1] : words[i][2]]))
            i += 1
        else:
            runs.append((i, i + best[0][0], best[1], best[2]))
            i += best[0][0]
    return runs


def _title_word(word: str, *, first: bool) -> str:
    """One word of an upper-case name in French title case (« SUR » → « sur »)."""
    low = word.lower()
    folded = normalize_header(low)
    if folded in ("st", "ste"):
        low = _ABBREVIATIONS[folded]
    if folded in _SMALL_WORDS and not first:
        return low
    if any(c.isdigit() for c in word):
        return word  # « T10 », « 77 »
    return low[:1].upper() + low[1:]


def display_name(raw: str, commune_names: Sequence[str] = ()) -> str:
    """A territory name as people write it, from the capitals of an official file.

    Bassin, CLPE and zone names come in capitals without accents or hyphens
    (« LES SABLES D OLONNES »). Where the name is that of a commune of
    ``commune_names`` (compared without case, accents, punctuation, with « ST »
    for « SAINT » and a light typo tolerated), the commune's spelling of the COG is
    used; the rest is put in French title case (articles and prepositions in lower
    case, « d' » and « l' » elided, « Saint-X »). A name that already holds lower-case
    letters (Insee's zones d'emploi) is kept as it is.

    Parameters
    ----------
    raw
        The name as the file spells it.
    commune_names
        Names of the communes it may be named after, as the COG spells them: the
        territory's own communes, most populous first (the first wins a tie).

    Returns
    -------
    str
        The name to show; ``raw`` itself when it is not all capitals.

    Examples
    --------
    >>> display_name("LES SABLES D OLONNES", ["Les Sables-d'Olonne", "Olonne-sur-Mer"])
    "Les Sables-d'Olonne"
    >>> display_name("ST NAZAIRE"), display_name("VALLEE DE L ARVE")
    ('Saint-Nazaire', "Vallee de l'Arve")
    >>> display_name("CHATEAU GONTIER", ["Château-Gontier-sur-Mayenne"])
    'Château-Gontier'
    >>> display_name("Marne la Vallée")
    'Marne la Vallée'
    """
    if not isinstance(raw, str) or raw != raw.upper() or not raw.strip():
        return raw
    runs = _match(raw, commune_names)
    spans = _words(raw)
    out = ""
    for n, (_, end, position, text) in enumerate(runs):
        if position is None:
            text = _title_word(text, first=n == 0)
        out += text
        if n + 1 == len(runs):
            break
        between = raw[spans[end - 1][2] : spans[end][1]]
        sep = between.strip()
        if not sep:
            sep = " "
            folded = normalize_header(text) if position is None else ""
            if folded in ("d", "l"):
                sep = "'"  # « D OLONNE » → « d'Olonne »
            elif folded in ("saint", "sainte"):
                sep = "-"
        elif sep != between:
            sep = f" {sep} "  # « LURE / HERICOURT »
        out += sep
    return out + raw[spans[-1][2] :].strip() if spans else raw


def named_after(name: str, commune_names: Sequence[str]) -> list[int]:
    """Positions in ``commune_names`` of the communes ``name`` is named after.

    Compared as :func:`display_name` does (« ALBI CARMAUX » is named after two).

    Examples
    --------
    >>> named_after("LA ROCHE SUR YON", ["Aizenay", "La Roche-sur-Yon"])
    [1]
    >>> named_after("Pays de Retz", ["Pornic"])
    []
    """
    if not isinstance(name, str):
        return []
    return [p for _, _, p, _ in _match(name, commune_names) if p is not None]


def display_names(table: pd.DataFrame, level: str, names: pd.Series) -> pd.Series:
    """:func:`display_name` of each territory of ``names`` (code → raw name).

    Each is compared with the names of its own communes in ``table`` (the commune
    table), most populous first.
    """
    raw = dict(zip(names.index.tolist(), names.astype(object).tolist(), strict=True))
    capitals = {c for c, v in raw.items() if isinstance(v, str) and v == v.upper()}
    if not capitals or level not in table.columns:
        return names
    rows = table[table[level].isin(capitals)].sort_values(
        ["population", "commune"], ascending=[False, True], na_position="last", kind="stable"
    )
    members: dict[str, list[str]] = {}
    for code, name in zip(rows[level].tolist(), rows["commune_nom"].tolist(), strict=True):
        if isinstance(name, str):
            members.setdefault(code, []).append(name)
    shown = {c: display_name(v, members.get(c, ())) if c in capitals else v for c, v in raw.items()}
    return pd.Series(shown, index=names.index, dtype="string", name=names.name)


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-") or "projet"


def project_territory(
    name: str,
    *,
    communes: list[str] | tuple[str, ...] | None = None,
    polygon: shapely.Geometry | gpd.GeoDataFrame | None = None,
    commune_polygons: gpd.GeoDataFrame | None = None,
    min_share: float = 0.5,
    table: pd.DataFrame | None = None,
) -> Territory:
    """Define a project territory from a list of communes or a polygon.

    Parameters
    ----------
    name
        Name of the project territory (its code is a slug of it).
    communes
        Commune codes (normalised here; lost zeros are restored).
    polygon
        A polygon (shapely geometry in WGS84, or a GeoDataFrame in any CRS);
        the communes whose area lies at least ``min_share`` inside it are kept.
    commune_polygons
        Commune polygons, required with ``polygon``.
    min_share
        Share of a commune's area that must lie in ``polygon`` (0.5 by default).
    table
        Optional commune table; when given, unknown communes are refused.

    Raises
    ------
    SchemaError
        Neither or both of ``communes`` and ``polygon``; unknown communes;
        ``polygon`` without ``commune_polygons``; an empty result.

    Examples
    --------
    >>> t = project_territory("Vallée de la Brume", communes=["9A001", "9A002"])
    >>> t.level, t.code, t.communes
    ('projet', 'vallee-de-la-brume', ('9A001', '9A002'))
    """
    if (communes is None) == (polygon is None):
        raise SchemaError(
            f"Territoire de projet « {name} » : donnez soit une liste de communes, soit un polygone."
        )
    if communes is not None:
        members = _codes.normalize_commune(
            list(communes), source=f"territoire de projet « {name} »"
        )
        members = sorted(set(members.dropna()))
    else:
        if commune_polygons is None:
            raise SchemaError(
                f"Territoire de projet « {name} » : un polygone demande aussi les polygones des "
                "communes (commune_polygons=) pour savoir quelles communes il contient."
            )
        area = (
            gpd.GeoDataFrame(geometry=[polygon], crs="EPSG:4326")
            if not isinstance(polygon, gpd.GeoDataFrame)
            else polygon
        )
        area_m = to_metric(area, what=f"polygone du projet « {name} »")
        shape = shapely.union_all(area_m.geometry.values)
        comm_m = to_metric(commune_polygons, what="polygones des communes")
        inside = shapely.area(shapely.intersection(comm_m.geometry.values, shape))
        share = inside / shapely.area(comm_m.geometry.values)
        members = sorted(comm_m.loc[share >= min_share, "commune"].astype(str))
    if table is not None:
        unknown = sorted(set(members) - set(table["commune"]))
        if unknown:
            raise SchemaError(
                f"Territoire de projet « {name} » : {len(unknown)} commune(s) inconnue(s) du "
                f"référentiel : {', '.join(unknown[:20])}. Vérifiez les codes et le millésime."
            )
    if not members:
        raise SchemaError(f"Territoire de projet « {name} » : aucune commune retenue.")
    return Territory(level="projet", code=_slug(name), name=name, communes=tuple(members))


def _check_level(level: str) -> None:
    if level not in LEVEL_LABELS or level == "projet":
        raise SchemaError(
            f"Niveau territorial inconnu : {level!r}. Niveaux possibles : "
            + ", ".join(k for k in LEVEL_LABELS if k != "projet")
            + " (les territoires de projet se créent avec project_territory)."
        )
