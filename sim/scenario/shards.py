"""A run cut into shards: ranges of persons (or of household copies) simulated apart.

A shard is the unit of work of a worker and of an output batch. Its persons, draws, events and
records depend only on the seed and the person indices, so any number of workers, in any
order, gives the same rows; they are written in shard order.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

import pyarrow as pa

from handlers.base import HandlerContext
from sim.engine import DEFAULT_SHARD_SIZE, JourneyAssignment, simulate
from sim.scenario.identities import add_identities
from sim.scenario.loader import Scenario
from sim.seeds import SeedTree
from sim.shard_runtime import shard_runtime

__all__ = ["HANDLERS", "Shard", "plan_shards", "simulate_shard"]

#: the handler package of each product: ``records(events, persons, context)``
HANDLERS = {
    "patientsim": "handlers.patientsim",
    "membersim": "handlers.membersim",
    "rxmembersim": "handlers.rxmembersim",
    "trialsim": "handlers.trialsim",
}


@dataclass(frozen=True)
class Shard:
    number: int
    #: persons (a profile's) or household copies ``start .. stop``
    start: int
    stop: int


def plan_shards(
    scenario: Scenario, count: int, shard_size: int = DEFAULT_SHARD_SIZE
) -> list[Shard]:
    """Shards of about ``shard_size`` persons; households are never split."""
    per_unit = scenario.household_size or 1
    step = max(1, shard_size // per_unit)
    return [
        Shard(number, start, min(start + step, count))
        for number, start in enumerate(range(0, count, step))
    ]


def simulate_shard(scenario: Scenario, seed: int, shard: Shard) -> dict[str, pa.Table]:
    """One shard's tables: persons (with linked ids), events, and each product's records."""
    with shard_runtime():
        return _simulate_shard(scenario, seed, shard)


def _simulate_shard(scenario: Scenario, seed: int, shard: Shard) -> dict[str, pa.Table]:
    seeds = SeedTree(seed)
    persons = add_identities(scenario.persons(shard.start, shard.stop, seed), scenario.products)
    journeys = [
        JourneyAssignment.of(j.plan, applies_to=j.applies_to_spec) for j in scenario.journeys
    ]
    events = simulate(
        persons,
        journeys,
        start_date=scenario.spec.start_date,
        horizon_days=scenario.spec.horizon_days,
        seeds=seeds,
        triggers=scenario.triggers,
        shard_size=max(persons.num_rows, 1),
        resources=scenario.resources,
    )
    tables = {"persons": persons, "events": events}
    context = HandlerContext(
        scenario.spec.start_date, scenario.spec.horizon_days, seeds, scenario.products
    )
    for product in scenario.products:
        records = getattr(import_module(HANDLERS[product]), "records", None)
        if records is not None:
            tables |= records(events, persons, context)
    return tables
