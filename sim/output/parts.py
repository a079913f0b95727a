"""Parts: a shard's tables as files written by the worker that made them, for an output to
take in, so that a shard's tables never cross between processes through a pipe.

A Parquet output's parts are its own files, ``<folder>/<table>/part-<shard>.parquet`` (an
empty table adds a part only for the first shard, which gives the dataset its schema). A
DuckDB output's are staged beside it as uncompressed Arrow IPC files,
``<table>/part-<shard>.arrow``, which it maps into memory in shard order (no copy, no
decoding: LZ4 took three times as long to read back as the file took to write), appends like
any batch, and deletes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

from sim.processes import alive

__all__ = ["FORMATS", "Parts"]

FORMATS = ("parquet", "arrow")


@dataclass(frozen=True)
class Parts:
    """Where and how workers write the parts of an output, for the process ``owner``."""

    folder: Path
    format: str
    #: the writing process: parts are written only while it lives (a killed run's workers
    #: must not fill a folder the next run is removing)
    owner: int = field(default_factory=os.getpid)

    def path(self, table: str, number: int) -> Path:
        return self.folder / table / f"part-{number:05d}.{self.format}"

    def write(self, tables: Mapping[str, pa.Table], number: int) -> None:
        """Shard ``number``'s tables as parts (made by the first part of each table)."""
        for name, table in tables.items():
            if self.format == "parquet" and number > 0 and table.num_rows == 0:
                continue
            if not alive(self.owner):
                raise RuntimeError(f"the run of shard {number} (process {self.owner}) has ended")
            (self.folder / name).mkdir(exist_ok=True)
            if self.format == "parquet":
                pq.write_table(table, self.path(name, number))
            else:
                feather.write_feather(table, self.path(name, number), compression="uncompressed")

    def take(self, names: Iterable[str], number: int) -> dict[str, pa.Table]:
        """Shard ``number``'s staged tables (Arrow parts), mapped into memory; their files
        are deleted (the mapping keeps them readable until it is released)."""
        tables = {}
        for name in names:
            path = self.path(name, number)
            tables[name] = feather.read_table(path, memory_map=True)
            path.unlink()
        return tables
