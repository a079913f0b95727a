"""Where shards run: in this process, in a pool of worker processes, or on a Dask cluster.

Whatever the executor, results come back in shard order (at most a few shards ahead of the
writer, so memory stays flat) and each worker loads the scenario once, from the data it was
parsed from. A shard's summary (rows per table, events per type) is made where it ran, and
worker processes of this machine write the shard's tables as parts of the output themselves
(``sim.output.parts``), so only the summary comes back through the pipe.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pyarrow as pa

from sim.errors import SpecError
from sim.output.parts import Parts
from sim.processes import die_with_parent
from sim.scenario.loader import Scenario, parse_scenario
from sim.scenario.shards import Shard, simulate_shard

__all__ = ["EXECUTORS", "ShardOutput", "default_workers", "run_shards"]

EXECUTORS = ("local", "dask")
#: shards in flight per worker: enough to keep workers busy, few enough to keep memory flat
AHEAD_PER_WORKER = 2
#: how much lower the workers' scheduling priority is than the run's (``nice``)
WORKER_NICENESS = 5

Origin = tuple[dict[str, Any], str | None, Any]


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _worker_scenario(origin: Origin) -> Scenario:
    data, source, base = origin
    return _cached_scenario(_freeze(data), source, base)


def _freeze(value: Any) -> Any:
    """A hashable copy of spec data (for the per-worker cache)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("__list__", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] == "__list__":
            return [_thaw(v) for v in value[1]]
        return {k: _thaw(v) for k, v in value}
    return value


@lru_cache(maxsize=4)
def _cached_scenario(frozen: Any, source: str | None, base: Any) -> Scenario:
    return parse_scenario(_thaw(frozen), source=source, base=base)


@dataclass
class ShardOutput:
    """What a shard made: its tables (None when the worker wrote them as Parquet parts), their
    schemas, rows per table, events per event type, and how many events a trigger caused."""

    number: int
    tables: dict[str, pa.Table] | None
    schemas: dict[str, pa.Schema] = field(default_factory=dict)
    rows: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)
    triggered: int = 0


def _summarised(number: int, tables: dict[str, pa.Table], parts: Parts | None) -> ShardOutput:
    events = tables["events"]
    kinds = events.group_by("event_type").aggregate([("event_id", "count")])
    output = ShardOutput(
        number,
        None if parts is not None else tables,
        {name: table.schema for name, table in tables.items()},
        Counter({name: table.num_rows for name, table in tables.items()}),
        Counter(dict(zip(*kinds.to_pydict().values(), strict=True))),
        events.num_rows - events["caused_by"].null_count,
    )
    if parts is not None:
        parts.write(tables, number)
    return output


def _start_worker() -> None:
    """A pool worker ends with the run that started it, and yields the processor to it: the
    run appends every shard to the output itself (a DuckDB file has one writer), and the
    workers' shards wait for it anyway when it falls behind."""
    die_with_parent()
    os.nice(WORKER_NICENESS)


def _run_shard(scenario: Scenario, seed: int, shard: Shard, parts: Parts | None) -> ShardOutput:
    return _summarised(shard.number, simulate_shard(scenario, seed, shard), parts)


def _shard_job(origin: Origin, seed: int, shard: Shard, parts: Parts | None) -> ShardOutput:
    return _run_shard(_worker_scenario(origin), seed, shard, parts)


def run_shards(
    scenario: Scenario,
    seed: int,
    shards: list[Shard],
    *,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    parts: Parts | None = None,
) -> Iterator[ShardOutput]:
    """Each shard's output, in shard order. ``parts``: where worker processes of this
    machine (a pool, or a local Dask cluster) write their shards' tables as parts;
    this process returns the tables it simulates itself, and so do the workers of a Dask
    cluster at ``scheduler`` (which may not share this machine's disk)."""
    if executor not in EXECUTORS:
        raise SpecError(f"unknown executor '{executor}'", path=("executor",), hint="local or dask")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SpecError(f"workers must be a whole number >= 1, got {workers!r}", path=("workers",))
    if executor == "dask":
        yield from _dask(scenario, seed, shards, workers, scheduler, parts)
        return
    if workers == 1 or len(shards) == 1:
        for shard in shards:
            yield _run_shard(scenario, seed, shard, None)
        return
    origin = _origin(scenario)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(shards)), initializer=_start_worker)
    with pool:
        yield from _in_order(
            (pool.submit(_shard_job, origin, seed, shard, parts) for shard in shards),
            AHEAD_PER_WORKER * workers,
        )


def _origin(scenario: Scenario) -> Origin:
    if scenario.origin is None:
        raise SpecError("this scenario cannot be sent to workers (it was not parsed from data)")
    return scenario.origin


def _in_order(futures: Iterator[Future], ahead: int) -> Iterator[ShardOutput]:
    pending: deque[Future] = deque()
    for future in futures:
        pending.append(future)
        if len(pending) >= ahead:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _dask(
    scenario: Scenario,
    seed: int,
    shards: list[Shard],
    workers: int,
    scheduler: str | None,
    parts: Parts | None,
) -> Iterator[ShardOutput]:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise SpecError(
            "the dask executor needs dask.distributed", hint="pip install 'dask[distributed]'"
        ) from None
    origin = _origin(scenario)
    local_parts = parts if scheduler is None else None
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
    client = Client(scheduler or cluster)
    try:
        futures = (
            client.submit(_shard_job, origin, seed, shard, local_parts, pure=False)
            for shard in shards
        )
        yield from _in_order(futures, AHEAD_PER_WORKER * max(workers, 1))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
