"""Writing a set of tables at once: one batch through a sink (see ``sim.output.sinks``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa

from sim.output.sinks import open_sink

__all__ = ["write_tables"]


def write_tables(
    tables: Mapping[str, pa.Table],
    destination: str | Path,
    *,
    format: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Writes ``tables`` to one DuckDB file, or a Parquet or CSV folder (one dataset or file
    per table; one table alone is one file); the output appears complete or not at all."""
    single = len(tables) == 1
    with open_sink(destination, format=format, overwrite=overwrite, single=single) as sink:
        sink.write(tables)
    return Path(destination)
