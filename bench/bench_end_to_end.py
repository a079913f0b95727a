"""End to end: persons per second per core of a whole run, written to DuckDB and to Parquet.

The one-year ``medicare-diabetic`` scenario with the default triggers and every product
handler, ``sim.run(..., out=..., format=...)`` into a temporary folder: profile, linked ids,
journeys and triggers, records, the sink and the output's check, all inside the timing. Each
format runs with each number of workers; ``speedup`` is persons/s over that of the fewest
workers (target for 2 workers against 1: at least 1.7). A small run first warms the imports and
code tables, so the figures are the steady rate. CPU seconds (this process and its worker
processes) are reported beside the wall clock: on a shared machine they show what the run
itself cost.

``--phases`` shows instead where one shard's CPU time goes: the profile and linked ids, the
journeys and triggers, each product's records, and the write to each format.

    .venv/bin/python -m bench.bench_end_to_end [--persons 163840] [--workers 1 2]
    .venv/bin/python -m bench.bench_end_to_end --phases [--persons 4096]
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from importlib import import_module
from pathlib import Path
from typing import Any

import sim
import sim.scenario.shards as shards
from bench.__main__ import table
from sim.engine import DEFAULT_SHARD_SIZE
from sim.output import open_sink
from sim.scenario import load_scenario

__all__ = ["phases", "run"]

SCENARIO = "medicare-diabetic"
SEED = 1
FORMATS = ("duckdb", "parquet")
WARM_UP_PERSONS = 256
#: forty shards of 4,096: two workers get twenty each (with an odd count one would wait), and
#: what a run does once, at its end, weighs as little as in the large runs users make
PERSONS = 40 * DEFAULT_SHARD_SIZE
#: tables that are not a product's records
NOT_RECORDS = frozenset({"persons", "events", "run_manifest"})


def _cpu_seconds() -> float:
    """User + system time of this process and of its children that have ended (workers)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _timed_run(
    persons: int, workers: int, kind: str, folder: Path, shard_size: int
) -> dict[str, Any]:
    out = folder / (f"run-{workers}.duckdb" if kind == "duckdb" else f"run-{workers}")
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    result = sim.run(
        SCENARIO, persons, seed=SEED, out=out, format=kind, workers=workers, shard_size=shard_size
    )
    seconds = time.perf_counter() - started
    cpu_seconds = _cpu_seconds() - cpu_before
    records = sum(n for name, n in result.row_counts.items() if name not in NOT_RECORDS)
    if out.is_dir():
        shutil.rmtree(out)
    else:
        out.unlink()
    rate = persons / seconds
    return {
        "format": kind,
        "workers": workers,
        "persons": persons,
        "shards": -(-persons // shard_size),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "persons_per_s": round(rate, 1),
        "persons_per_s_per_core": round(rate / workers, 1),
        "persons_per_cpu_s": round(persons / cpu_seconds, 1),
        "events_per_person": round(result.row_counts["events"] / persons, 1),
        "records_per_person": round(records / persons, 1),
    }


def run(
    persons: int = PERSONS,
    workers: Sequence[int] = (1, 2),
    formats: Sequence[str] = FORMATS,
    shard_size: int = DEFAULT_SHARD_SIZE,
) -> list[dict[str, Any]]:
    """One row per (format, workers); ``speedup`` against the fewest workers of that format."""
    sim.run(SCENARIO, min(WARM_UP_PERSONS, persons), seed=SEED)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as folder:
        for kind in formats:
            measured = [
                _timed_run(persons, n, kind, Path(folder), shard_size) for n in sorted(workers)
            ]
            base = measured[0]["persons_per_s"]
            rows += [row | {"speedup": round(row["persons_per_s"] / base, 2)} for row in measured]
    return rows


def _timed(function: Callable, label: str, spent: Counter) -> Callable:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - started

    return timed


@contextlib.contextmanager
def _timing(targets: list[tuple[Any, str, str]], spent: Counter) -> Iterator[None]:
    """Wraps ``owner.attribute`` for each target so its CPU time adds to ``spent[label]``."""
    originals = [(owner, attribute, getattr(owner, attribute)) for owner, attribute, _ in targets]
    for (owner, attribute, original), (_, _, label) in zip(originals, targets, strict=True):
        setattr(owner, attribute, _timed(original, label, spent))
    try:
        yield
    finally:
        for owner, attribute, original in originals:
            setattr(owner, attribute, original)


def phases(persons: int = DEFAULT_SHARD_SIZE) -> list[dict[str, Any]]:
    """CPU seconds of each phase of one shard of ``persons`` (``shards.simulate_shard`` as a
    run calls it, its steps timed in place), then of writing its tables in each format;
    ``share`` is of the shard's own time (the writes come on top)."""
    scenario = load_scenario(SCENARIO)
    shards.simulate_shard(scenario, SEED, shards.Shard(0, 0, min(WARM_UP_PERSONS, persons)))
    spent: Counter = Counter()
    targets = [(shards, "simulate", "journeys and triggers")]
    for product in scenario.products:
        module = import_module(shards.HANDLERS[product])
        if hasattr(module, "records"):
            targets.append((module, "records", f"{product} records"))
    started = time.process_time()
    with _timing(targets, spent):
        tables = shards.simulate_shard(scenario, SEED, shards.Shard(0, 0, persons))
    total = time.process_time() - started
    measured = [("profile and linked ids", total - sum(spent.values())), *spent.items()]
    with tempfile.TemporaryDirectory(prefix="bench-phases-") as folder:
        for kind in FORMATS:
            started = time.process_time()
            with open_sink(Path(folder) / f"shard.{kind}", format=kind) as sink:
                sink.write(tables)
            measured.append((f"write {kind}", time.process_time() - started))
    return [
        {
            "phase": phase,
            "persons": persons,
            "cpu_seconds": round(seconds, 3),
            "share": round(seconds / total, 3),
        }
        for phase, seconds in measured
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--persons", type=int, help=f"default {PERSONS:,} (with --phases: {DEFAULT_SHARD_SIZE:,})"
    )
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--shard-size", type=int, default=DEFAULT_SHARD_SIZE)
    parser.add_argument("--phases", action="store_true", help="one shard's CPU time by phase")
    args = parser.parse_args()
    if args.phases:
        print(table(phases(args.persons or DEFAULT_SHARD_SIZE)))
    else:
        print(table(run(args.persons or PERSONS, args.workers, args.formats, args.shard_size)))


if __name__ == "__main__":
    main()
