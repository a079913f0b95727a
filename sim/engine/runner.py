"""``simulate``: persons x journeys (and triggers) -> the ``events`` table, shard by shard.

A shard's journeys are drawn per block, then simulated by the vectorised timeline
(``sim.engine.timeline``), or, for persons who wait for shared resources, whose journeys'
conditions read each other or whose repeats outrun their reserve, by the dynamic SimPy engine
(``sim.engine.process``, environments of about ``ENVIRONMENT_SIZE`` persons); the triggers'
cascade (``sim.triggers.cascade``) then adds the events the journeys' events cause. A
person's events depend only on (seed, journey, person index), so shards can be any size, and
run in any order or on any worker.
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

from sim.engine.context import Attributes, DynamicRecords, PersonState, ShardContext
from sim.engine.presample import BlockDraws, draw_block
from sim.engine.process import JourneyRun, PersonLife, PlanTables
from sim.engine.records import EVENTS_SCHEMA, EventBuffer, EventChunk, chunk_of
from sim.engine.resources import SharedResource
from sim.engine.timeline import compute_order, simulate_timeline
from sim.errors import SpecError, did_you_mean
from sim.expressions import Expression, compile_condition
from sim.journeys import JourneyPlan, JourneySpecification, load_plan
from sim.seeds import BLOCK_SIZE, SeedTree
from sim.triggers.cascade import apply_triggers
from sim.triggers.compiled import TriggerSet

__all__ = ["DEFAULT_SHARD_SIZE", "JourneyAssignment", "iter_simulate", "simulate"]

DEFAULT_SHARD_SIZE = 4 * BLOCK_SIZE
#: persons per SimPy environment inside a shard: the event heap stays small (and fast)
ENVIRONMENT_SIZE = 128
REQUIRED_COLUMNS = ("person_index", "person_id")
#: "auto": the vectorised timeline wherever it applies; "dynamic": SimPy for every person
ENGINES = ("auto", "dynamic")


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
    triggers: TriggerSet | None = None,
    resources: Mapping[str, SharedResource] | None = None,
    engine: str = "auto",
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
            triggers=triggers,
            resources=resources,
            engine=engine,
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
    triggers: TriggerSet | None = None,
    resources: Mapping[str, SharedResource] | None = None,
    engine: str = "auto",
) -> Iterator[pa.Table]:
    """The events table shard by shard (memory stays flat as the population grows).

    Times are days after ``start_date``; events at or after ``horizon_days`` (or the end of a
    journey's ``duration_days``) are not emitted. ``triggers`` add the events the fired events
    cause (``caused_by``). Rows are sorted by person, then sequence. ``engine="dynamic"`` runs
    every person through the dynamic SimPy engine (the same rows, slower: for checking).
    """
    if engine not in ENGINES:
        raise SpecError(f"unknown engine '{engine}'", path=("engine",), hint=" or ".join(ENGINES))
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
            triggers=triggers,
            resources=resources,
            engine=engine,
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


@dataclass
class _Journey:
    """One journey in one shard: its persons (shard rows), their slots (the journey's place
    among the person's journeys), start offsets and draws."""

    plan: JourneyPlan
    rows: np.ndarray
    slots: np.ndarray
    offsets: np.ndarray
    draws: BlockDraws
    code_base: int


def _journeys(
    shard: pa.Table,
    assignments: list[JourneyAssignment],
    columns: Mapping[str, np.ndarray],
    indices: np.ndarray,
    seeds: SeedTree,
    buffer: EventBuffer,
) -> list[_Journey]:
    size = shard.num_rows
    taken = np.zeros(size, dtype=np.int64)
    out = []
    for assignment in assignments:
        plan = assignment.journey
        code_base = len(buffer.names)
        for event in plan.events:
            buffer.code(event.product, event.event_type, event.id, plan.id)
        mask = _applies(assignment, columns, size)
        if isinstance(assignment.start_day, str):
            offsets = columns[assignment.start_day].astype(float)
        else:
            offsets = np.full(size, float(assignment.start_day))
        by_block: dict[int, list[int]] = defaultdict(list)
        for row in np.flatnonzero(mask).tolist():
            by_block[int(indices[row]) // BLOCK_SIZE].append(row)
        parts, ordered = [], []
        for block, rows in by_block.items():
            positions = indices[rows] % BLOCK_SIZE
            block_columns = {name: values[rows] for name, values in columns.items()}
            parts.append(draw_block(plan, seeds, block, positions, block_columns))
            ordered += rows
        if not ordered:
            continue
        rows = np.asarray(ordered, dtype=np.int64)
        slots = taken[rows].copy()
        taken[rows] += 1
        out.append(
            _Journey(plan, rows, slots, offsets[rows], BlockDraws.concatenate(parts), code_base)
        )
    return out


def run_shard(
    shard: pa.Table,
    assignments: list[JourneyAssignment],
    *,
    start_date: dt.date,
    horizon_days: float,
    seeds: SeedTree,
    triggers: TriggerSet | None = None,
    resources: Mapping[str, SharedResource] | None = None,
    engine: str = "auto",
) -> pa.Table:
    """One shard: draws made per block, each journey's timeline computed for its persons at
    once, the persons the timeline cannot take simulated by the dynamic engine, then the
    triggers' cascade; everything recorded into the shard's buffer."""
    size = shard.num_rows
    indices = _numpy(shard["person_index"]).astype(np.int64)
    person_ids = shard["person_id"].to_pylist()
    columns = _attribute_columns(shard, assignments)
    attributes = Attributes(columns, shard)
    buffer = EventBuffer()
    sources = frozenset(triggers.by_source) if triggers is not None else frozenset()
    journeys = _journeys(shard, assignments, columns, indices, seeds, buffer)
    dynamic = np.full(size, engine == "dynamic")
    orders = {}
    for journey in journeys:
        orders[id(journey)] = order = compute_order(journey.plan)
        if order is None:
            dynamic[journey.rows] = True
    timelines = []
    for journey in journeys:
        order = orders[id(journey)]
        if order is None:
            continue
        keep = np.flatnonzero(~dynamic[journey.rows])
        if keep.size == 0:
            continue
        rows = journey.rows[keep]
        timeline = simulate_timeline(
            journey.plan,
            order,
            journey.draws.take(keep),
            rows,
            journey.offsets[keep],
            horizon_days,
            attributes,
            sources,
        )
        dynamic[rows[timeline.overflow]] = True
        timelines.append((journey, keep, timeline))
    for journey, keep, timeline in timelines:
        rows = journey.rows[keep][timeline.person]
        chunk = chunk_of(
            rows,
            journey.code_base + timeline.order,
            timeline.time,
            journey.slots[keep][timeline.person],
            timeline.parameters,
            b=timeline.order,
            c=timeline.occurrence,
            sources=timeline.sources,
        )
        vectorised = np.flatnonzero(~dynamic[rows])
        buffer.add(chunk if vectorised.size == rows.size else chunk.take(vectorised))
    if dynamic.any():
        buffer.add(
            _simulate_dynamic(
                shard,
                journeys,
                dynamic,
                indices,
                person_ids,
                attributes,
                sources,
                start_date=start_date,
                horizon_days=horizon_days,
                seeds=seeds,
                resources=resources or {},
            )
        )
    deaths = _deaths(buffer, journeys, size)
    if triggers is not None and len(triggers):
        apply_triggers(
            buffer, triggers, seeds, indices, person_ids, attributes, horizon_days, deaths
        )
    return buffer.to_table(person_ids, indices, start_date)


def _deaths(buffer: EventBuffer, journeys: list[_Journey], size: int) -> np.ndarray | None:
    """Per shard row, the time of the person's first fatal event (inf: alive at the horizon),
    their journey events after it dropped; None when nobody died."""
    fatal = [j.code_base + e.order for j in journeys for e in j.plan.events if e.fatal]
    if not fatal:
        return None
    deaths = buffer.first_times(fatal, size)
    if np.isinf(deaths).all():
        return None
    buffer.censor(deaths)
    return deaths


def _simulate_dynamic(
    shard: pa.Table,
    journeys: list[_Journey],
    dynamic: np.ndarray,
    indices: np.ndarray,
    person_ids: list[str],
    attributes: Attributes,
    sources: frozenset[tuple[str, str]],
    *,
    start_date: dt.date,
    horizon_days: float,
    seeds: SeedTree,
    resources: Mapping[str, SharedResource],
) -> EventChunk:
    """The dynamic engine for the persons marked ``dynamic``: environments of about
    ``ENVIRONMENT_SIZE`` persons (the whole shard when resources are shared)."""
    size = shard.num_rows
    records = DynamicRecords()
    shared = any(j.plan.resources for j in journeys)
    cells = environment_cells(shard, size if shared else ENVIRONMENT_SIZE)
    contexts = []
    cell_of = np.empty(size, dtype=np.int64)
    for number, cell in enumerate(cells):
        env = simpy.Environment()
        contexts.append(
            ShardContext(
                env, start_date, horizon_days, seeds, attributes, records, sources, resources
            )
        )
        cell_of[cell.start : cell.stop] = number
    persons: dict[int, PersonState] = {}
    runs: dict[int, list[JourneyRun]] = defaultdict(list)
    for journey in journeys:
        plan = journey.plan
        parent_counts = [len(event.parents) for event in plan.events]
        tables = PlanTables(plan, contexts[0])
        for i in np.flatnonzero(dynamic[journey.rows]).tolist():
            row = int(journey.rows[i])
            person = persons.get(row)
            if person is None:
                context = contexts[cell_of[row]]
                person = persons[row] = PersonState(
                    row, int(indices[row]), person_ids[row], context
                )
            runs[row].append(
                JourneyRun(
                    plan,
                    tables,
                    journey.draws.person(i),
                    person,
                    person.shard,
                    slot=int(journey.slots[i]),
                    offset_days=float(journey.offsets[i]),
                    horizon_days=horizon_days,
                    code_base=journey.code_base,
                    parent_counts=parent_counts,
                )
            )
    for cell, ctx in zip(cells, contexts, strict=True):
        started = False
        for row in cell:
            if row in runs:
                # a person's journeys in slot order: the order of their agenda's ties
                PersonLife(ctx.env, sorted(runs[row], key=lambda run: run.slot))
                started = True
        if not started:
            continue
        try:
            ctx.env.run(until=horizon_days)
        except SpecError as error:
            # SimPy re-raises a copy made from the message alone; the original keeps the
            # field path and the hint
            original = error.__cause__
            raise (original if isinstance(original, SpecError) else error) from None
    return records.chunk()
