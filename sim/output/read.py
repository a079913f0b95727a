"""Reading a run's output back: tables of a DuckDB file or a Parquet folder, as Arrow."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from sim.errors import SpecError

__all__ = ["output_tables", "read_tables"]


def output_tables(output: str | Path) -> list[str]:
    """The names of the tables of an output."""
    path = Path(output)
    if path.is_file():
        with duckdb.connect(str(path), read_only=True) as connection:
            return sorted(row[0] for row in connection.sql("show tables").fetchall())
    if path.is_dir():
        return sorted(p.name for p in path.iterdir() if p.is_dir() and any(p.glob("*.parquet")))
    raise SpecError(
        f"no run output at '{path}'", path=("out",), hint="a .duckdb file or a Parquet folder"
    )


def read_tables(
    output: str | Path,
    names: Sequence[str],
    columns: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, pa.Table]:
    """``names`` of a DuckDB file or a Parquet folder (CSV folders are not read back); only
    the ``columns`` given for a table, where they are (a large output's table may not fit in
    memory whole)."""
    columns = columns or {}
    path = Path(output)
    available = output_tables(path)
    missing = [name for name in names if name not in available]
    if missing:
        raise SpecError(
            f"'{path}' has no table '{missing[0]}'",
            path=("out",),
            hint=f"it has {', '.join(available) or 'none'}",
        )
    if path.is_file():
        with duckdb.connect(str(path), read_only=True) as connection:
            return {
                name: connection.sql(
                    f'SELECT {_selected(columns.get(name))} FROM "{name}"'
                ).to_arrow_table()
                for name in names
            }
    return {name: pq.read_table(path / name, columns=_listed(columns.get(name))) for name in names}


def _listed(columns: Sequence[str] | None) -> list[str] | None:
    return None if columns is None else list(columns)


def _selected(columns: Sequence[str] | None) -> str:
    return "*" if columns is None else ", ".join(f'"{column}"' for column in columns)
