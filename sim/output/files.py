"""Writing tables to a file atomically: DuckDB (default), Parquet or CSV by the file's suffix.

The file is written beside its destination under a temporary name and moved into place
only when complete, so an interrupted write never leaves a partial or mixed output.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from sim.errors import SpecError

__all__ = ["FORMATS", "atomic_path", "format_of", "write_tables"]

FORMATS = {".duckdb": "duckdb", ".db": "duckdb", ".parquet": "parquet", ".csv": "csv"}


def format_of(path: Path, explicit: str | None = None) -> str:
    if explicit is not None:
        if explicit not in set(FORMATS.values()):
            raise SpecError(
                f"unknown format '{explicit}'",
                path=("format",),
                hint=f"one of {sorted(set(FORMATS.values()))}",
            )
        return explicit
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise SpecError(
            f"cannot tell the format of '{path}'",
            path=("out",),
            hint="end it in .duckdb, .parquet or .csv, or give --format",
        )
    return kind


@contextlib.contextmanager
def atomic_path(destination: Path, *, overwrite: bool) -> Iterator[Path]:
    """A temporary sibling path that replaces ``destination`` when the block succeeds."""
    if destination.exists() and not overwrite:
        raise SpecError(
            f"'{destination}' exists", path=("out",), hint="choose another path or pass --overwrite"
        )
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(f".{destination.name}.{os.getpid()}.partial")
    _remove(temporary)
    try:
        yield temporary
        if destination.is_dir():
            shutil.rmtree(destination)
        os.replace(temporary, destination)
    finally:
        _remove(temporary)
        _remove(temporary.with_name(temporary.name + ".wal"))


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def write_tables(
    tables: Mapping[str, pa.Table],
    destination: str | Path,
    *,
    format: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Writes ``tables`` to one DuckDB file, or (Parquet/CSV) one file per table.

    With one table, a Parquet or CSV destination is that table's file; with several, it is
    a folder holding ``<table>.parquet`` / ``<table>.csv``.
    """
    path = Path(destination)
    kind = format_of(path, format)
    with atomic_path(path, overwrite=overwrite) as temporary:
        if kind == "duckdb":
            _write_duckdb(tables, temporary)
        elif len(tables) == 1:
            _write_file(next(iter(tables.values())), temporary, kind)
        else:
            temporary.mkdir()
            for name, table in tables.items():
                _write_file(table, temporary / f"{name}.{kind}", kind)
    return path


def _write_duckdb(tables: Mapping[str, pa.Table], path: Path) -> None:
    with duckdb.connect(str(path)) as connection:
        for name, table in tables.items():
            connection.register("incoming", table)
            connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
            connection.unregister("incoming")


def _write_file(table: pa.Table, path: Path, kind: str) -> None:
    if kind == "parquet":
        pq.write_table(table, path)
        return
    # CSV has no lists: they are written as ';'-separated text.
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_list(column.type):
            column = pa.array([";".join(v) if v else "" for v in column.to_pylist()])
        columns[name] = column
    pa_csv.write_csv(pa.table(columns), path)
