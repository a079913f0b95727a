"""``run``: a scenario simulated for N people, as Arrow tables (persons, events, run_manifest)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

import sim
from sim.engine import JourneyAssignment, simulate
from sim.errors import SpecError
from sim.output import write_tables
from sim.profiles.spec import MAX_PERSONS
from sim.scenario.identities import add_identities
from sim.scenario.loader import Scenario, load_scenario
from sim.seeds import SeedTree, check_seed
from sim.triggers import TriggerHook

__all__ = ["RunResult", "run"]


@dataclass(frozen=True)
class RunResult:
    scenario: Scenario
    seed: int
    count: int
    tables: dict[str, pa.Table]

    def to_duckdb(self, path: str | Path, *, overwrite: bool = False) -> Path:
        return write_tables(self.tables, path, format="duckdb", overwrite=overwrite)

    def to_parquet(self, folder: str | Path, *, overwrite: bool = False) -> Path:
        return write_tables(self.tables, folder, format="parquet", overwrite=overwrite)


def _manifest(scenario: Scenario, seed: int, count: int) -> pa.Table:
    # created_at is the only wall-clock value of a run, excluded from reproducibility checks
    created_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return pa.Table.from_pylist(
        [
            {
                "scenario": scenario.id,
                "scenario_hash": scenario.content_hash(),
                "seed": seed,
                "count": count,
                "start_date": scenario.spec.start_date,
                "horizon_days": scenario.spec.horizon_days,
                "package_version": sim.__version__,
                "created_at": created_at,
            }
        ]
    )


def run(
    scenario: str | Path | dict[str, Any] | Scenario,
    count: int | None = None,
    seed: int | None = None,
    *,
    out: str | Path | None = None,
    overwrite: bool = False,
) -> RunResult:
    """Simulates ``scenario`` for ``count`` persons (for a scenario of households: ``count``
    copies of them); with ``out``, also writes a DuckDB file (or Parquet by suffix)."""
    loaded = load_scenario(scenario)
    count = loaded.default_count if count is None else count
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_PERSONS:
        raise SpecError(
            f"count must be a whole number from 1 to {MAX_PERSONS:,}, got {count!r}",
            path=("count",),
        )
    seed = check_seed(loaded.default_seed if seed is None else seed)
    persons = add_identities(loaded.persons(count, seed), loaded.products)
    journeys = [JourneyAssignment.of(j.plan, applies_to=j.applies_to_spec) for j in loaded.journeys]
    hooks = [TriggerHook(loaded.triggers)] if len(loaded.triggers) else []
    events = simulate(
        persons,
        journeys,
        start_date=loaded.spec.start_date,
        horizon_days=loaded.spec.horizon_days,
        seeds=SeedTree(seed),
        hooks=hooks,
    )
    result = RunResult(
        loaded,
        seed,
        count,
        {"persons": persons, "events": events, "run_manifest": _manifest(loaded, seed, count)},
    )
    if out is not None:
        write_tables(result.tables, out, overwrite=overwrite)
    return result
