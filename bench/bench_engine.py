"""Engine overhead: events per second of the journey engine beside a bare SimPy loop.

The engine runs the shipped ``diabetic-first-year`` journey (about 20 events a person) for
100,000 persons. The bare loop, measured in the same run, has one process per person that
yields presampled timeouts, as many per person as the engine emitted for that person, in
environments of the same size as the engine's. The ratio engine / bare is the share of
SimPy's own speed the engine keeps (target: at least 0.5).

    .venv/bin/python -m bench.bench_engine [--persons N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

import numpy as np
import pyarrow as pa
import simpy

from sim.engine import DEFAULT_SHARD_SIZE, simulate
from sim.engine.runner import ENVIRONMENT_SIZE
from sim.journeys import load_plan

__all__ = ["run"]

JOURNEY = "diabetic-first-year"
HORIZON_DAYS = 365.0


def persons_table(count: int) -> pa.Table:
    rng = np.random.default_rng(0)
    return pa.table(
        {
            "person_index": pa.array(np.arange(count), pa.int64()),
            "person_id": [f"P{i:08d}" for i in range(count)],
            "severity": rng.choice(["controlled", "uncontrolled", "none"], count),
        }
    )


def _bare_person(env: simpy.Environment, delays: list[float]) -> Any:
    for delay in delays:
        yield env.timeout(delay)


def bare_simpy(events_per_person: np.ndarray, environment_size: int, seed: int = 1) -> float:
    """Seconds for the bare loop, in environments of the engine's size; presampling is inside
    the timing, as it is for the engine."""
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    for start in range(0, events_per_person.size, environment_size):
        counts = events_per_person[start : start + environment_size]
        env = simpy.Environment()
        delays = rng.uniform(0, 2 * HORIZON_DAYS / max(1, counts.max()), counts.sum())
        rows = np.split(delays, np.cumsum(counts)[:-1])
        for row in rows:
            env.process(_bare_person(env, row.tolist()))
        env.run()
    return time.perf_counter() - started


def run(persons: int = 100_000, shard_size: int = DEFAULT_SHARD_SIZE) -> list[dict[str, Any]]:
    """Result rows: engine and bare SimPy events/s, and their ratio."""
    table = persons_table(persons)
    plan = load_plan(JOURNEY)
    started = time.perf_counter()
    events = simulate(
        table,
        [plan],
        start_date=dt.date(2025, 1, 1),
        horizon_days=HORIZON_DAYS,
        seeds=42,
        shard_size=shard_size,
    )
    engine_seconds = time.perf_counter() - started
    count = events.num_rows
    per_person = np.bincount(events["person_index"].to_numpy(), minlength=persons)
    bare_seconds = bare_simpy(per_person, ENVIRONMENT_SIZE)
    engine_rate, bare_rate = count / engine_seconds, count / bare_seconds
    common = {"benchmark": "engine", "persons": persons, "events": count}
    return [
        {**common, "metric": "engine_events_per_s", "value": round(engine_rate), "unit": "1/s"},
        {**common, "metric": "bare_simpy_events_per_s", "value": round(bare_rate), "unit": "1/s"},
        {**common, "metric": "ratio", "value": round(engine_rate / bare_rate, 3), "unit": ""},
        {**common, "metric": "engine_seconds", "value": round(engine_seconds, 2), "unit": "s"},
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--shard-size", type=int, default=DEFAULT_SHARD_SIZE)
    args = parser.parse_args()
    for row in run(args.persons, args.shard_size):
        print(f"{row['metric']:>26}: {row['value']:,} {row['unit']}")


if __name__ == "__main__":
    main()
