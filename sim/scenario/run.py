"""``run``: a scenario simulated for N people, shard by shard, into tables or an output.

Without ``out`` the tables are gathered in memory (``result.tables``). With ``out`` they
stream, a shard at a time, into a DuckDB file (default), a Parquet folder or a CSV folder,
which appears only when complete; ``result.tables`` then reads them back on demand.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

import sim
from sim.engine import DEFAULT_SHARD_SIZE
from sim.errors import SpecError
from sim.output import MemorySink, format_of, open_sink, read_tables, write_tables
from sim.output.check import CheckReport, check_tables
from sim.output.parts import Parts
from sim.output.sinks import DuckDBSink, ParquetSink, Sink
from sim.profiles.spec import MAX_PERSONS
from sim.scenario.executors import ShardOutput, run_shards
from sim.scenario.loader import Scenario, load_scenario
from sim.scenario.shards import plan_shards
from sim.seeds import check_seed

__all__ = ["RunResult", "run"]


@dataclass
class RunResult:
    """What a run made: the loaded ``scenario``, its ``seed`` and ``count``, rows per table,
    events per event type, and, when it wrote an output, where (``out``) and how
    (``format``). The tables themselves are in memory (a run without ``out``) or read back
    from the output on demand."""

    scenario: Scenario
    seed: int
    count: int
    #: rows per table, and events per event type (for summaries without reading the output)
    row_counts: dict[str, int]
    event_counts: dict[str, int]
    #: events with ``caused_by`` set
    triggered_events: int = 0
    #: the integrity check of the output: ``check_passed`` (None when it did not run) and
    #: ``check_summary``, as in ``run_manifest``
    check: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None
    format: str | None = None
    _tables: dict[str, pa.Table] | None = field(default=None, repr=False)

    @property
    def tables(self) -> dict[str, pa.Table]:
        """Every table of the run (read back from ``out`` the first time, if it streamed)."""
        if self._tables is None:
            self._tables = _read_back(self.out, self.format, list(self.row_counts))
        return self._tables

    def table(self, name: str, columns: Sequence[str] | None = None) -> pa.Table:
        """One table, or its ``columns`` (read back alone from ``out`` if the run streamed)."""
        if self._tables is not None:
            table = self._tables[name]
            return table if columns is None else table.select(list(columns))
        selected = None if columns is None else {name: columns}
        return _read_back(self.out, self.format, [name], selected)[name]

    def to_duckdb(self, path: str | Path, *, overwrite: bool = False) -> Path:
        """Writes every table into a DuckDB file (atomically, as a run does); its path."""
        return write_tables(self.tables, path, format="duckdb", overwrite=overwrite)

    def to_parquet(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        """Writes every table into a folder of Parquet datasets (one per table); its path."""
        return write_tables(self.tables, folder, format="parquet", overwrite=overwrite)


def _read_back(
    out: Path | None,
    kind: str | None,
    names: list[str],
    columns: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, pa.Table]:
    if out is None or kind == "csv":
        raise SpecError("tables written as CSV are not read back; read the files", path=("out",))
    return read_tables(out, names, columns)


def _versions() -> str:
    """The versions that shape the output (numbers from numpy, SimPy's ordering, Arrow)."""
    import platform
    from importlib.metadata import version

    parts = [f"python {platform.python_version()}"]
    parts += [f"{name} {version(name)}" for name in ("numpy", "simpy", "pyarrow", "duckdb")]
    return ", ".join(parts)


def _manifest(
    scenario: Scenario, seed: int, count: int, check: CheckReport | None, unchecked: str
) -> pa.Table:
    # created_at is the only wall-clock value of a run, excluded from reproducibility checks
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    row = {
        "scenario": scenario.id,
        "scenario_hash": scenario.content_hash(),
        "seed": seed,
        "count": count,
        "start_date": scenario.spec.start_date,
        "horizon_days": scenario.spec.horizon_days,
        "package_version": sim.__version__,
        "versions": _versions(),
        "created_at": created_at,
        "check_passed": None if check is None else check.passed,
        "check_summary": unchecked if check is None else check.summary,
    }
    table = pa.Table.from_pylist([row])
    # typed even when the check did not run (an all-null column would have no type)
    return table.set_column(
        table.column_names.index("check_passed"),
        "check_passed",
        pa.array([row["check_passed"]], pa.bool_()),
    )


def _checked(sink: Sink, scenario: Scenario, seed: int, count: int, check: bool) -> pa.Table:
    """The manifest, with the verdict of the integrity rules over what the sink holds (the
    rule on the manifest itself sees the manifest as it will be written)."""
    draft = _manifest(scenario, seed, count, None, "not run: check=False")
    if not check:
        return draft
    with sink.readable() as written:
        if written is None:
            return _manifest(scenario, seed, count, None, "not run: CSV output is not read back")
        written.connection.register("run_manifest", draft)
        try:
            report = check_tables(written.connection, written.names | {"run_manifest"})
        finally:
            written.connection.unregister("run_manifest")
    return _manifest(scenario, seed, count, report, "")


def _counted(
    outputs: Iterator[ShardOutput],
    sink: Sink,
    rows: Counter,
    events: Counter,
    progress: Callable[[int, int], None] | None,
    total: int,
) -> None:
    """Writes each shard's tables into the sink (or adopts the parts a worker wrote) and
    adds up its summary."""
    for done, output in enumerate(outputs, 1):
        if output.tables is not None:
            sink.write(output.tables)
        else:
            assert isinstance(sink, ParquetSink | DuckDBSink)
            sink.adopt(output.number, output.schemas)
        rows.update(output.rows)
        events.update(output.events)
        rows["(triggered events)"] += output.triggered
        if progress is not None:
            progress(done, total)


def run(
    scenario: str | Path | dict[str, Any] | Scenario,
    count: int | None = None,
    seed: int | None = None,
    *,
    out: str | Path | None = None,
    format: str | None = None,
    overwrite: bool = False,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    shard_size: int = DEFAULT_SHARD_SIZE,
    overrides: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
    check: bool = True,
) -> RunResult:
    """Simulates ``scenario`` for ``count`` persons (for a scenario of households: ``count``
    copies of them). ``workers`` processes (or a Dask cluster: ``executor="dask"``, at
    ``scheduler`` or a local one) simulate shards of ``shard_size`` persons; the output is the
    same for any number of workers. With ``out``, tables stream into that file or folder.
    ``overrides``: ``key=value`` changes of the scenario (``--set``); ``progress(done, total)``
    is called after each shard. ``check``: run the integrity rules of ``healthsim check`` on
    the output before it is moved into place; the verdict is in ``run_manifest`` and
    ``result.check`` (a failed rule does not stop the run: the output shows the problem)."""
    loaded = load_scenario(scenario, overrides=overrides)
    count = loaded.default_count if count is None else count
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PERSONS:
        raise SpecError(
            f"count must be a whole number from 1 to {MAX_PERSONS:,}, got {count!r}",
            path=("count",),
        )
    if count * max(1, loaded.household_size) > MAX_PERSONS:
        raise SpecError(
            f"{count:,} copies of {loaded.household_size} household members are more than "
            f"{MAX_PERSONS:,} persons",
            path=("count",),
        )
    if isinstance(shard_size, bool) or not isinstance(shard_size, int) or shard_size < 1:
        raise SpecError(f"shard_size must be a whole number >= 1, got {shard_size!r}")
    seed = check_seed(loaded.default_seed if seed is None else seed)
    shards = plan_shards(loaded, count, shard_size)
    rows: Counter = Counter()
    events: Counter = Counter()

    def simulated(parts: Parts | None = None) -> Iterator[ShardOutput]:
        return run_shards(
            loaded, seed, shards, workers=workers, executor=executor, scheduler=scheduler,
            parts=parts,
        )  # fmt: skip

    if out is None:
        memory = MemorySink()
        _counted(simulated(), memory, rows, events, progress, len(shards))
        manifest = _checked(memory, loaded, seed, count, check)
        memory.write({"run_manifest": manifest})
        return _result(loaded, seed, count, rows, events, manifest, _tables=memory.tables())
    path = Path(out)
    kind = format_of(path, format)
    with open_sink(path, format=kind, overwrite=overwrite) as sink:
        # worker processes write their shards as parts of a Parquet or DuckDB output
        elsewhere = workers > 1 or executor != "local"
        parts = sink.parts() if elsewhere and isinstance(sink, ParquetSink | DuckDBSink) else None
        _counted(simulated(parts), sink, rows, events, progress, len(shards))
        manifest = _checked(sink, loaded, seed, count, check)
        sink.write({"run_manifest": manifest})
    return _result(loaded, seed, count, rows, events, manifest, out=path, format=kind)


def _result(
    scenario: Scenario,
    seed: int,
    count: int,
    rows: Counter,
    events: Counter,
    manifest: pa.Table,
    **where: Any,
) -> RunResult:
    triggered = rows.pop("(triggered events)", 0)
    rows["run_manifest"] = 1
    [check] = manifest.select(["check_passed", "check_summary"]).to_pylist()
    return RunResult(
        scenario, seed, count, dict(rows), dict(events), triggered, check=check, **where
    )
