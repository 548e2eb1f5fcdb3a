"""Parquet cache of normalised tables, keyed by the checksum of the source file.

Reading and normalising an official file (the national BMO workbook, for example)
takes about a second; reading the normalised table back from Parquet takes a few
hundredths of a second. The cache key is the SHA-256 of the file's *content* (not
its name or date) plus the name and version of the reader, so:

- a file renamed or copied elsewhere is still found in the cache;
- a file replaced by a new version is read again;
- a reader whose output changes bumps its version, and old entries are ignored.

The provenance is never taken from the cache: a cached table read for another file
name (a copy, a renamed file) is relabelled with the file configured this time
(``label``): the ``file`` of its problem report and of every problem in it, and the
``fichier`` of its reading report.

Entries live under ``settings.cache_dir / "tables"`` (read at call time). The
table's ``attrs`` (the reading report, and the :class:`geo.problems.ProblemReport`
of ``attrs["problemes"]``) are stored as JSON in the Parquet metadata and restored
on read. A cache that cannot be written (read-only folder, full disk)
or an entry that cannot be read is never an error: the table is rebuilt from the
file and the reason is kept in ``df.attrs["cache"]``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo import settings
from geo.problems import Problem, ProblemReport

__all__ = ["file_checksum", "cache_path", "cached_table"]

_ATTRS_KEY = b"atelier_territoires_attrs"
_REPORT_TAG = "__probleme_report__"
_CHUNK = 1 << 20


def file_checksum(path: str | Path) -> str:
    """Return the SHA-256 hexadecimal digest of the content of ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "f.txt"
    >>> _ = p.write_bytes(b"abc")
    >>> file_checksum(p)[:12]
    'ba7816bf8f01'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def cache_path(checksum: str, *, name: str, version: str) -> Path:
    """Return the Parquet file that holds the table ``name`` built from ``checksum``.

    The folder is ``settings.cache_dir / "tables"``, read at call time.
    """
    return Path(settings.cache_dir) / "tables" / f"{name}-v{version}-{checksum[:24]}.parquet"


def _encode_attrs(attrs: dict[str, object]) -> dict[str, object]:
    """``attrs`` for JSON: a :class:`geo.problems.ProblemReport` becomes a tagged dict."""
    return {
        key: {_REPORT_TAG: value.file, "problems": [asdict(p) for p in value]}
        if isinstance(value, ProblemReport)
        else value
        for key, value in attrs.items()
    }


def _decode_attrs(attrs: dict[str, object]) -> dict[str, object]:
    """Inverse of :func:`_encode_attrs`."""
    out: dict[str, object] = {}
    for key, value in attrs.items():
        if isinstance(value, dict) and _REPORT_TAG in value:
            problems = [Problem(**p) for p in value["problems"]]
            value = ProblemReport(str(value[_REPORT_TAG]), problems)
        out[key] = value
    return out


def _relabel(attrs: dict[str, object], label: str) -> None:
    """Name ``label`` as the source in ``attrs``: problem reports and ``fichier`` fields."""
    for key, value in attrs.items():
        if isinstance(value, ProblemReport):
            old = value.file
            attrs[key] = ProblemReport(
                label, [replace(p, file=label) if p.file in (old, "") else p for p in value]
            )
        elif isinstance(value, dict) and "fichier" in value:
            attrs[key] = {**value, "fichier": label}


def _read_entry(path: Path) -> pd.DataFrame:
    table = pq.read_table(path)
    df = table.to_pandas()
    metadata = table.schema.metadata or {}
    if _ATTRS_KEY in metadata:
        df.attrs = _decode_attrs(json.loads(metadata[_ATTRS_KEY].decode("utf-8")))
    return df


def _write_entry(df: pd.DataFrame, path: Path) -> None:
    plain = df.copy(deep=False)
    plain.attrs = {}  # kept below in our own metadata key, not by pandas
    table = pa.Table.from_pandas(plain, preserve_index=False)
    metadata = dict(table.schema.metadata or {})
    metadata[_ATTRS_KEY] = json.dumps(
        _encode_attrs(df.attrs), ensure_ascii=False, default=str
    ).encode("utf-8")
    table = table.replace_schema_metadata(metadata)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write to a temporary file then rename, so that a reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def cached_table(
    path: str | Path,
    build: Callable[[str], pd.DataFrame],
    *,
    name: str,
    version: str,
    enabled: bool = True,
    label: str | None = None,
) -> pd.DataFrame:
    r"""Return the normalised table of ``path``, from the cache when possible.

    Parameters
    ----------
    path
        Source file; its content checksum is the cache key.
    build
        Function called with the checksum when the table is not in the cache; it
        reads and normalises the file and returns the table (with its ``attrs``).
    name
        Name of the table kind (``"bmo"``), part of the cache file name.
    version
        Version of the reader; bump it whenever the normalised table changes.
    enabled
        ``False`` always calls ``build`` and writes nothing.
    label
        How the file is named in the table's reports (defaults to the name of
        ``path``): a table found in the cache, built from a copy of the same content
        under another name, is relabelled with it.

    Returns
    -------
    pandas.DataFrame
        The table, with ``attrs["cache"]`` set to ``"lu depuis le cache"``,
        ``"écrit dans le cache"``, ``"désactivé"`` or the reason why the cache
        could not be used.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from geo import settings
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> settings.cache_dir, old = folder / "cache", settings.cache_dir
    >>> src = folder / "t.csv"
    >>> _ = src.write_text("a\n1\n")
    >>> build = lambda checksum: pd.DataFrame({"a": [1]})
    >>> cached_table(src, build, name="demo", version="1").attrs["cache"]
    'écrit dans le cache'
    >>> cached_table(src, build, name="demo", version="1").attrs["cache"]
    'lu depuis le cache'
    >>> settings.cache_dir = old
    """
    checksum = file_checksum(path)
    if not enabled:
        df = build(checksum)
        df.attrs["cache"] = "désactivé"
        return df
    entry = cache_path(checksum, name=name, version=version)
    if entry.is_file():
        try:
            df = _read_entry(entry)
        except (OSError, ValueError, pa.ArrowException):
            pass  # unreadable entry: rebuilt and overwritten below
        else:
            _relabel(df.attrs, Path(path).name if label is None else label)
            df.attrs["cache"] = "lu depuis le cache"
            return df
    df = build(checksum)
    try:
        _write_entry(df, entry)
    except (OSError, pa.ArrowException) as exc:
        df.attrs["cache"] = f"non écrit ({type(exc).__name__} : {exc})"
    else:
        df.attrs["cache"] = "écrit dans le cache"
    return df
