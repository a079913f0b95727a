"""``run``: a scenario simulated for N people, as Arrow tables (persons, events, run_manifest)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import pyarrow as pa

import sim
from handlers.base import HandlerContext
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


#: the handler package of each product: ``records(events, persons, context)``
HANDLERS = {
    "patientsim": "handlers.patientsim",
    "membersim": "handlers.membersim",
    "rxmembersim": "handlers.rxmembersim",
    "trialsim": "handlers.trialsim",
}


def product_records(
    events: pa.Table, persons: pa.Table, scenario: Scenario, seeds: SeedTree
) -> dict[str, pa.Table]:
    """The records of every product the scenario enables, from its handler."""
    context = HandlerContext(
        scenario.spec.start_date, scenario.spec.horizon_days, seeds, scenario.products
    )
    tables: dict[str, pa.Table] = {}
    for product in scenario.products:
        records = getattr(import_module(HANDLERS[product]), "records", None)
        if records is not None:
            tables |= records(events, persons, context)
    return tables


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
    tables = {"persons": persons, "events": events}
    tables |= product_records(events, persons, loaded, SeedTree(seed))
    tables["run_manifest"] = _manifest(loaded, seed, count)
    result = RunResult(loaded, seed, count, tables)
    if out is not None:
        write_tables(result.tables, out, overwrite=overwrite)
    return result
