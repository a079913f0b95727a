"""Sinks: tables written batch by batch (a shard at a time) into DuckDB, Parquet or CSV.

A sink writes under a temporary name beside its destination and moves it into place only on
``commit``, so a failed or interrupted run never leaves a partial or mixed output, and an
existing output is replaced only by a complete one (with ``overwrite``).

- DuckDB: one file, one table per name; later batches are appended.
- Parquet: a folder, one dataset (folder) per table, one part file per batch.
- CSV: a folder, one file per table, the header once.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, NamedTuple, Protocol

import duckdb
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from sim.errors import SpecError
from sim.output.duckdb_schema import finish_duckdb
from sim.output.parts import Parts
from sim.processes import alive

__all__ = [
    "FORMATS",
    "MemorySink",
    "Readable",
    "Sink",
    "bounded_duckdb",
    "duckdb_interrupts",
    "format_of",
    "open_sink",
]

#: the DuckDB sink's buffer pool: enough for a shard's batch and the check's joins
DUCKDB_MEMORY_LIMIT = "512MB"
#: rows of a DuckDB row group (DuckDB's default); the sink appends in multiples of it
DUCKDB_ROW_GROUP_ROWS = 122_880
#: the folder DuckDB spills into, beside the output it writes or checks
SPILL_SUFFIX = ".tmp"
FORMATS = {".duckdb": "duckdb", ".db": "duckdb", ".parquet": "parquet", ".csv": "csv"}


def bounded_duckdb(
    database: str, spill: Path, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection held to ``DUCKDB_MEMORY_LIMIT``: larger work (the check's joins
    over a large output) spills into the folder ``spill``. Unbounded, DuckDB may take 80 % of
    the machine's memory, so a run's peak would grow with its output."""
    return duckdb.connect(
        database,
        read_only=read_only,
        config={"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": str(spill)},
    )


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


class Sink(Protocol):
    def write(self, tables: Mapping[str, pa.Table]) -> None: ...

    def close(self) -> None: ...

    def readable(self) -> contextlib.AbstractContextManager[Readable | None]:
        """A DuckDB connection that queries what was written so far, with the table names
        (None where the format is not read back: CSV)."""
        ...


class Readable(NamedTuple):
    connection: duckdb.DuckDBPyConnection
    names: frozenset[str]


class MemorySink:
    """Batches gathered in memory: ``tables()`` concatenates them (the Python API's sink
    when a run has no output, and the tests')."""

    def __init__(self) -> None:
        self.batches: dict[str, list[pa.Table]] = {}

    def write(self, tables: Mapping[str, pa.Table]) -> None:
        for name, table in tables.items():
            self.batches.setdefault(name, []).append(table)

    def close(self) -> None:
        return None

    def tables(self) -> dict[str, pa.Table]:
        return {name: pa.concat_tables(parts) for name, parts in self.batches.items()}

    @contextlib.contextmanager
    def readable(self) -> Iterator[Readable]:
        connection = duckdb.connect()
        try:
            for name, table in self.tables().items():
                connection.register(name, table)
            yield Readable(connection, frozenset(self.batches))
        finally:
            connection.close()


class DuckDBSink:
    """One DuckDB file. Batches are held per table and appended in whole row groups: DuckDB
    rewrites a table's last, partly filled row group each time it checkpoints, so appending
    a shard at a time would write the same rows again and again (measured: a shard's append
    grew from 0.8 to about 2 CPU seconds within a dozen shards; whole row groups take 0.6).

    Worker processes may instead stage their shards as files in ``parts()``, which the sink
    appends in shard order as they come (``adopt``)."""

    def __init__(self, path: Path, single: bool = False) -> None:
        self.path = path
        # DuckDB keeps the blocks it wrote in its buffer pool: beyond the limit they are
        # evicted (they are on disk), and large queries spill
        self.connection = bounded_duckdb(str(path), _spill(path))
        # appends run while workers simulate: more threads only contend with them (DuckDB's
        # idle threads spin) and cost about 10 % more CPU for the same rows
        self.connection.sql("SET threads = 1")
        self.created: set[str] = set()
        #: per table, batches not yet appended (fewer rows than a row group, or the rest)
        self.pending: dict[str, list[pa.Table]] = {}
        self.pending_rows: dict[str, int] = {}

    def write(self, tables: Mapping[str, pa.Table]) -> None:
        for name, table in tables.items():
            self.pending.setdefault(name, []).append(table)
            self.pending_rows[name] = self.pending_rows.get(name, 0) + table.num_rows
            if self.pending_rows[name] >= DUCKDB_ROW_GROUP_ROWS:
                self._append(name, whole_row_groups=True)

    def parts(self) -> Parts:
        """Where workers stage their shards (``adopt`` them, in shard order)."""
        folder = self.path.with_name(self.path.name + ".parts")
        folder.mkdir(exist_ok=True)
        return Parts(folder, "arrow")

    def adopt(self, number: int, schemas: Mapping[str, pa.Schema]) -> None:
        """Appends shard ``number``, which a worker staged in ``parts()``."""
        self.write(self.parts().take(schemas, number))

    def flush(self) -> None:
        """Appends everything held back (before reading the file, and at the end)."""
        for name in list(self.pending):
            self._append(name, whole_row_groups=False)

    def _append(self, name: str, *, whole_row_groups: bool) -> None:
        parts = self.pending.pop(name, [])
        if not parts:
            return
        table = pa.concat_tables(parts, promote_options="default")
        if len(parts) > 2:
            table = table.combine_chunks()
        rows = table.num_rows
        if whole_row_groups:
            rows -= rows % DUCKDB_ROW_GROUP_ROWS
        rest = table.slice(rows)
        if rest.num_rows:
            self.pending[name] = [rest]
        self.pending_rows[name] = rest.num_rows
        if name in self.created and rows == 0:
            return
        self.connection.register("incoming", table.slice(0, rows))
        try:
            if name in self.created:
                self.connection.execute(f'INSERT INTO "{name}" SELECT * FROM incoming')
            else:
                self.connection.execute(f'CREATE TABLE "{name}" AS SELECT * FROM incoming')
                self.created.add(name)
        finally:
            self.connection.unregister("incoming")

    @contextlib.contextmanager
    def readable(self) -> Iterator[Readable]:
        self.flush()
        # nothing else runs now: the check's queries may use every core
        self.connection.sql(f"SET threads = {_cores()}")
        yield Readable(self.connection, frozenset(self.created))

    def finish(self) -> None:
        """Keys, comments and views, once every batch is in."""
        self.flush()
        finish_duckdb(self.connection, self.created)

    def close(self) -> None:
        self.connection.close()


def _spill(output: Path) -> Path:
    """Where DuckDB spills while writing or checking ``output``: beside it, on the disk the
    user chose for the output (and removed with the run's other temporary files)."""
    return output.with_name(output.name + SPILL_SUFFIX)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ParquetSink:
    """A folder with a dataset per table, one part per batch (numbered by the batch: its
    shard); ``single``: the destination is one table's file."""

    def __init__(self, path: Path, single: bool = False) -> None:
        self.path = path
        self.single = single
        self.names: set[str] = set()
        self.batches = 0
        self.writer: pq.ParquetWriter | None = None
        if not single:
            path.mkdir()

    def write(self, tables: Mapping[str, pa.Table]) -> None:
        if self.single:
            for table in tables.values():
                if self.writer is None:
                    self.writer = pq.ParquetWriter(self.path, table.schema)
                self.writer.write_table(table)
            return
        self.parts().write(tables, self.batches)
        self.adopt(self.batches, tables)

    def parts(self) -> Parts:
        """Where workers write their shards' parts: the output's own folder."""
        return Parts(self.path, "parquet")

    def adopt(self, number: int, schemas: Mapping[str, pa.Schema]) -> None:
        """Counts shard ``number``, whose parts are in the folder."""
        self.names |= set(schemas)
        self.batches = number + 1

    @contextlib.contextmanager
    def readable(self) -> Iterator[Readable | None]:
        if self.single:
            yield None
            return
        connection = bounded_duckdb(":memory:", _spill(self.path))
        try:
            for name in sorted(self.names):
                pattern = str(self.path / name / "*.parquet").replace("'", "''")
                connection.sql(f"CREATE VIEW \"{name}\" AS SELECT * FROM read_parquet('{pattern}')")
            yield Readable(connection, frozenset(self.names))
        finally:
            connection.close()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class CSVSink:
    """A folder with a file per table; ``single``: the destination is one table's file."""

    def __init__(self, path: Path, single: bool = False) -> None:
        self.path = path
        self.single = single
        self.writers: dict[str, tuple[pa_csv.CSVWriter, BinaryIO]] = {}
        if not single:
            path.mkdir()

    def write(self, tables: Mapping[str, pa.Table]) -> None:
        for name, table in tables.items():
            table = _csv_ready(table)
            if name not in self.writers:
                handle = (self.path if self.single else self.path / f"{name}.csv").open("wb")
                self.writers[name] = (pa_csv.CSVWriter(handle, table.schema), handle)
            self.writers[name][0].write_table(table)

    @contextlib.contextmanager
    def readable(self) -> Iterator[None]:
        # CSV keeps no types (lists are joined text): the checks need the typed tables
        yield None

    def close(self) -> None:
        for writer, handle in self.writers.values():
            writer.close()
            handle.close()
        self.writers.clear()


def _csv_ready(table: pa.Table) -> pa.Table:
    """CSV has no lists: they are written as ';'-separated text."""
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_list(column.type):
            column = pa.array([";".join(v) if v else "" for v in column.to_pylist()], pa.string())
        columns[name] = column
    return pa.table(columns)


_SINKS = {"duckdb": DuckDBSink, "parquet": ParquetSink, "csv": CSVSink}


@contextlib.contextmanager
def open_sink(
    destination: str | Path,
    *,
    format: str | None = None,
    overwrite: bool = False,
    single: bool = False,
) -> Iterator[Sink]:
    """A sink writing to a temporary sibling of ``destination``, moved into place when the
    block completes; on an error (or Ctrl-C) the temporary output is removed and an existing
    destination is left as it was. ``single``: one table, written as one Parquet or CSV file
    (DuckDB is always one file)."""
    path = Path(destination)
    kind = format_of(path, format)
    _restore_stale(path)
    if path.exists() and not overwrite:
        raise SpecError(
            f"'{path}' exists", path=("out",), hint="choose another path or pass --overwrite"
        )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    sink: Sink | None = None
    # the sink is made inside the cleanup's reach: a Ctrl-C while it opens leaves no file
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _remove(temporary)
            sink = _SINKS[kind](temporary, single)
        except (OSError, duckdb.IOException) as error:
            reason = error.strerror if isinstance(error, OSError) else str(error)
            raise SpecError(f"cannot write '{path}': {reason}", path=("out",)) from None
        yield sink
        if isinstance(sink, DuckDBSink):
            sink.finish()
        sink.close()
        _move_into_place(temporary, path)
    except (duckdb.Error, RuntimeError) as error:
        _raise_interrupt(error)
        raise
    finally:
        if sink is not None:
            with contextlib.suppress(Exception):
                sink.close()
        _remove(temporary)
        for extra in (".wal", ".parts", SPILL_SUFFIX):
            _remove(temporary.with_name(temporary.name + extra))


@contextlib.contextmanager
def duckdb_interrupts() -> Iterator[None]:
    """Ctrl-C inside a DuckDB query becomes the KeyboardInterrupt it is."""
    try:
        yield
    except (duckdb.Error, RuntimeError) as error:
        _raise_interrupt(error)
        raise


def _raise_interrupt(error: Exception) -> None:
    # DuckDB reports Ctrl-C as InterruptException, as a RuntimeError ("Query interrupted")
    # when the query was reading Arrow data, or as an InvalidInputException when it came
    # while reading an Arrow table's schema
    message = str(error)
    if (
        isinstance(error, duckdb.InterruptException)
        or "interrupted" in message
        or "KeyboardInterrupt" in message
    ):
        raise KeyboardInterrupt from None


def _move_into_place(new: Path, path: Path) -> None:
    """``os.replace`` swaps a file in one step. A folder cannot replace a folder (or a file)
    in one step: the old one is first renamed aside, and if the process dies between the two
    renames the next run puts it back (``_restore_stale``)."""
    if not (path.exists() and (path.is_dir() or new.is_dir())):
        os.replace(new, path)
        return
    aside = path.with_name(f".{path.name}.{os.getpid()}.previous")
    os.replace(path, aside)
    try:
        os.replace(new, path)
    except BaseException:
        os.replace(aside, path)
        raise
    _remove(aside)


def _restore_stale(path: Path) -> None:
    """Cleans up after runs that were killed (their process is gone): their temporary output
    is removed, and a previous output they had renamed aside goes back in place."""
    if not path.parent.is_dir():
        return
    for candidate in sorted(path.parent.glob(f".{glob.escape(path.name)}.*")):
        pid, _, suffix = candidate.name[len(path.name) + 2 :].partition(".")
        if not pid.isdigit() or alive(int(pid)):
            continue
        if suffix == "previous" and not path.exists():
            os.replace(candidate, path)
        elif suffix.startswith(("partial", "previous")):
            _remove(candidate)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()
