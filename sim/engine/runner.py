"""``simulate``: persons x journeys -> the ``events`` table, shard by shard.

Each shard of ``shard_size`` persons gets its own ``simpy.Environment`` (a small event heap)
and one process per person; the shard's records come out as one Arrow table. A person's
events depend only on (seed, journey, person index), so shards can be any size, and later run
in any order or on any worker.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import simpy

from sim.engine.dispatch import EventHook, PersonState, ShardContext
from sim.engine.presample import draw_block
from sim.engine.process import JourneyRun, PersonLife, PlanTables
from sim.engine.records import EVENTS_SCHEMA, EventBuffer
from sim.engine.resources import SharedResource
from sim.errors import SpecError, did_you_mean
from sim.expressions import Expression, compile_condition
from sim.journeys import JourneyPlan, JourneySpecification, load_plan
from sim.seeds import BLOCK_SIZE, SeedTree

__all__ = ["DEFAULT_SHARD_SIZE", "JourneyAssignment", "iter_simulate", "simulate"]

DEFAULT_SHARD_SIZE = 4 * BLOCK_SIZE
#: persons per SimPy environment inside a shard: the event heap stays small (and fast)
ENVIRONMENT_SIZE = 128
REQUIRED_COLUMNS = ("person_index", "person_id")


@dataclass(frozen=True)
class JourneyAssignment:
    """A journey as a scenario uses it: for whom (``applies_to``) and from which day.

    ``start_day`` is a number of days after the start date, or the name of a numeric persons
    column (a per-person start). The journey's own ``applies_to`` applies as well.
    """

    journey: JourneyPlan
    applies_to: Expression | None = None
    start_day: float | str = 0.0

    @classmethod
    def of(
        cls,
        journey: Any,
        applies_to: str | Mapping[str, Any] | None = None,
        start_day: float | str = 0.0,
    ) -> JourneyAssignment:
        condition = None
        if applies_to is not None:
            condition = compile_condition(applies_to, path=("applies_to",))
        return cls(load_plan(journey), condition, start_day)


JourneyLike = JourneyAssignment | JourneyPlan | JourneySpecification | str | Path


def _assignments(journeys: Sequence[JourneyLike]) -> list[JourneyAssignment]:
    out = [j if isinstance(j, JourneyAssignment) else JourneyAssignment.of(j) for j in journeys]
    seen: set[str] = set()
    for assignment in out:
        if assignment.journey.id in seen:
            raise SpecError(
                f"journey '{assignment.journey.id}' is listed twice", path=("journeys",)
            )
        seen.add(assignment.journey.id)
    return out


def _check_columns(persons: pa.Table, assignments: list[JourneyAssignment]) -> None:
    names = set(persons.column_names)
    for column in REQUIRED_COLUMNS:
        if column not in names:
            raise SpecError(f"the persons table has no '{column}' column", path=("persons",))
    for assignment in assignments:
        plan = assignment.journey
        path = ("journeys", plan.id)
        if assignment.applies_to is not None:
            assignment.applies_to.check_names(names, path=(*path, "applies_to"))
        for name in sorted(plan.attribute_names):
            if name not in names:
                raise SpecError(
                    f"reads the attribute '{name}', which the persons table does not have",
                    path=path,
                    hint=did_you_mean(name, names),
                )
        if isinstance(assignment.start_day, str) and assignment.start_day not in names:
            raise SpecError(
                f"no persons column '{assignment.start_day}'",
                path=(*path, "start_day"),
                hint=did_you_mean(assignment.start_day, names),
            )


def _check_resources(
    assignments: list[JourneyAssignment], resources: Mapping[str, SharedResource]
) -> None:
    for assignment in assignments:
        for event in assignment.journey.events:
            if event.resource is not None and event.resource not in resources:
                raise SpecError(
                    f"waits for the resource '{event.resource}', which the scenario does not have",
                    path=("journeys", assignment.journey.id, "events", event.id, "resource"),
                    hint=did_you_mean(event.resource, resources) or "add it under resources",
                )


def _numpy(column: pa.ChunkedArray) -> np.ndarray:
    return column.to_numpy(zero_copy_only=False)


def simulate(
    persons: pa.Table,
    journeys: Sequence[JourneyLike],
    *,
    start_date: dt.date,
    horizon_days: float,
    seeds: SeedTree | int,
    shard_size: int = DEFAULT_SHARD_SIZE,
    hooks: Sequence[EventHook] = (),
    resources: Mapping[str, SharedResource] | None = None,
) -> pa.Table:
    """All events of ``persons`` on ``journeys``, as one table (see ``iter_simulate``)."""
    tables = list(
        iter_simulate(
            persons,
            journeys,
            start_date=start_date,
            horizon_days=horizon_days,
            seeds=seeds,
            shard_size=shard_size,
            hooks=hooks,
            resources=resources,
        )
    )
    if not tables:
        return EVENTS_SCHEMA.empty_table()
    return pa.concat_tables(tables)


def iter_simulate(
    persons: pa.Table,
    journeys: Sequence[JourneyLike],
    *,
    start_date: dt.date,
    horizon_days: float,
    seeds: SeedTree | int,
    shard_size: int = DEFAULT_SHARD_SIZE,
    hooks: Sequence[EventHook] = (),
    resources: Mapping[str, SharedResource] | None = None,
) -> Iterator[pa.Table]:
    """The events table shard by shard (memory stays flat as the population grows).

    Times are days after ``start_date``; events at or after ``horizon_days`` (or the end of a
    journey's ``duration_days``) are not emitted. Rows are sorted by person, then sequence.
    """
    if not horizon_days > 0:
        raise SpecError(f"the horizon must be positive, got {horizon_days!r}", path=("horizon",))
    if isinstance(shard_size, bool) or not isinstance(shard_size, int) or shard_size < 1:
        raise SpecError(f"shard_size must be a positive whole number, got {shard_size!r}")
    tree = seeds if isinstance(seeds, SeedTree) else SeedTree(seeds)
    assignments = _assignments(journeys)
    _check_columns(persons, assignments)
    resources = dict(resources or {})
    _check_resources(assignments, resources)
    for start in range(0, persons.num_rows, shard_size):
        shard = persons.slice(start, shard_size)
        yield run_shard(
            shard,
            assignments,
            start_date=start_date,
            horizon_days=float(horizon_days),
            seeds=tree,
            hooks=tuple(hooks),
            resources=resources,
        )


def _attribute_columns(shard: pa.Table, assignments: list[JourneyAssignment]) -> dict:
    wanted: set[str] = set()
    for assignment in assignments:
        wanted |= assignment.journey.attribute_names
        if assignment.applies_to is not None:
            wanted |= assignment.applies_to.names
        if isinstance(assignment.start_day, str):
            wanted.add(assignment.start_day)
    return {name: _numpy(shard[name]) for name in sorted(wanted)}


def _applies(assignment: JourneyAssignment, columns: Mapping, size: int) -> np.ndarray:
    mask = np.ones(size, dtype=bool)
    for condition in (assignment.journey.applies_to, assignment.applies_to):
        if condition is not None:
            mask &= condition.evaluate_columns(columns, size).astype(bool)
    return mask


def environment_cells(shard: pa.Table, size: int = ENVIRONMENT_SIZE) -> list[range]:
    """Rows of the shard cut into environments of about ``size`` persons, never splitting a
    household (persons of one ``household_index`` are contiguous and share an environment)."""
    rows = shard.num_rows
    if "household_index" not in shard.column_names:
        return [range(start, min(start + size, rows)) for start in range(0, rows, size)]
    households = _numpy(shard["household_index"])
    cells, start = [], 0
    while start < rows:
        end = min(start + size, rows)
        while end < rows and households[end] == households[end - 1]:
            end += 1
        cells.append(range(start, end))
        start = end
    return cells


def run_shard(
    shard: pa.Table,
    assignments: list[JourneyAssignment],
    *,
    start_date: dt.date,
    horizon_days: float,
    seeds: SeedTree,
    hooks: tuple[EventHook, ...] = (),
    resources: Mapping[str, SharedResource] | None = None,
) -> pa.Table:
    """One shard: draws made per block for the whole shard, then the persons simulated in
    environments of about ``ENVIRONMENT_SIZE`` (a small event heap is a fast one), all
    recording into the shard's buffer. With shared resources, the whole shard is one
    environment (its persons share the capacity)."""
    size = shard.num_rows
    indices = _numpy(shard["person_index"]).astype(np.int64)
    person_ids = shard["person_id"].to_pylist()
    columns = _attribute_columns(shard, assignments)
    buffer = EventBuffer()
    column_cache: dict[str, list] = {}
    shared = any(a.journey.resources for a in assignments)
    cells = environment_cells(shard, size if shared else ENVIRONMENT_SIZE)
    contexts = []
    cell_of = np.empty(size, dtype=np.int64)
    for number, cell in enumerate(cells):
        contexts.append(
            ShardContext(
                simpy.Environment(),
                start_date,
                horizon_days,
                seeds,
                hooks,
                columns,
                shard,
                resources=resources or {},
                buffer=buffer,
                column_cache=column_cache,
            )
        )
        cell_of[cell.start : cell.stop] = number
    persons = [
        PersonState(row, index, person_id, contexts[cell])
        for row, (index, person_id, cell) in enumerate(
            zip(indices.tolist(), person_ids, cell_of.tolist(), strict=True)
        )
    ]
    runs: list[list[JourneyRun]] = [[] for _ in range(size)]
    for assignment in assignments:
        plan = assignment.journey
        code_base = len(buffer.names)
        for event in plan.events:
            buffer.code(event.product, event.event_type, event.id, plan.id)
        parent_counts = [len(event.parents) for event in plan.events]
        tables = PlanTables(plan, contexts[0])
        mask = _applies(assignment, columns, size)
        if isinstance(assignment.start_day, str):
            offsets = columns[assignment.start_day].astype(float).tolist()
        else:
            offsets = [float(assignment.start_day)] * size
        by_block: dict[int, list[int]] = defaultdict(list)
        for row in np.flatnonzero(mask).tolist():
            by_block[int(indices[row]) // BLOCK_SIZE].append(row)
        for block, rows in by_block.items():
            positions = indices[rows] % BLOCK_SIZE
            block_columns = {name: values[rows] for name, values in columns.items()}
            draws = draw_block(plan, seeds, block, positions, block_columns)
            for row, person_draws in zip(rows, draws, strict=True):
                person = persons[row]
                runs[row].append(
                    JourneyRun(
                        plan,
                        tables,
                        person_draws,
                        person,
                        person.shard,
                        slot=len(runs[row]),
                        offset_days=offsets[row],
                        horizon_days=horizon_days,
                        code_base=code_base,
                        parent_counts=parent_counts,
                    )
                )
    for cell, ctx in zip(cells, contexts, strict=True):
        env = ctx.env
        for row in cell:
            if runs[row]:
                PersonLife(env, runs[row])
        try:
            env.run(until=horizon_days)
        except SpecError as error:
            # SimPy re-raises a copy made from the message alone; the original keeps the
            # field path and the hint
            original = error.__cause__
            raise (original if isinstance(original, SpecError) else error) from None
    return buffer.to_table(person_ids, indices, start_date)
