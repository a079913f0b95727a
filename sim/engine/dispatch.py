"""What a shard shares with the hooks that react to fired events (the trigger layer's seam).

A hook is a plain function ``hook(shard, event)`` called for every fired event, journey or
triggered, in simulation order. It may schedule SimPy processes on ``shard.env`` and record
new events with ``shard.emit(...)`` (which dispatches them to the hooks in turn, one level
deeper). Hooks run only when registered: a run without hooks builds no ``FiredEvent``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import simpy

from sim.engine.records import EventBuffer, event_id
from sim.engine.resources import ResourcePool, SharedResource
from sim.seeds import SeedTree

__all__ = ["EventHook", "FiredEvent", "PersonState", "ShardContext", "parameters_json"]

# One encoder for every record: json.dumps with options builds a new encoder per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def parameters_json(parameters: Mapping[str, Any]) -> str:
    """The ``parameters`` column's text: compact JSON with sorted keys."""
    return _ENCODER.encode(parameters)


@dataclass(slots=True)
class PersonState:
    """One person in a shard: identity, the shard row of their attributes, their event count."""

    row: int
    person_index: int
    person_id: str
    shard: ShardContext
    sequence: int = 0

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def attribute(self, name: str) -> Any:
        return self.shard.attribute(name, self.row)

    def attributes(self, names: Sequence[str]) -> dict[str, Any]:
        return {name: self.shard.attribute(name, self.row) for name in names}


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a microsecond more per event
class FiredEvent:
    event_id: str
    person: PersonState
    product: str
    event_type: str
    definition_id: str
    journey_id: str
    time_days: float
    parameters: Mapping[str, Any]
    caused_by: str | None = None
    #: 0 for journey events; a triggered event is one deeper than its cause
    depth: int = 0


EventHook = Callable[["ShardContext", FiredEvent], None]
EventKey = tuple[str, str]  # (product, event_type)


def hook_sources(hooks: Sequence[EventHook]) -> frozenset[EventKey] | None:
    """What the hooks listen to: a hook with a ``sources`` attribute (a collection of
    (product, event_type)) is only called for those; without one it hears everything (None)."""
    keys: set[EventKey] = set()
    for hook in hooks:
        sources = getattr(hook, "sources", None)
        if sources is None:
            return None
        keys |= set(sources)
    return frozenset(keys)


@dataclass
class ShardContext:
    """The environment, buffer and attributes of one shard."""

    env: simpy.Environment
    start_date: dt.date
    horizon_days: float
    seeds: SeedTree
    hooks: tuple[EventHook, ...]
    columns: Mapping[str, np.ndarray]
    #: the shard's persons: hooks may read any column, not only those the journeys need
    table: pa.Table | None = None
    buffer: EventBuffer = field(default_factory=EventBuffer)
    #: free per-shard state for hooks (e.g. a trigger layer's per-person generators)
    state: dict[str, Any] = field(default_factory=dict)
    #: shared resources by name (``sim.engine.resources``)
    resources: Mapping[str, SharedResource] = field(default_factory=dict)
    #: persons columns as lists, read by ``attribute`` (shared by a shard's environments)
    column_cache: dict[str, list] = field(default_factory=dict)
    #: (product, event_type) the hooks listen to; None: every event
    _sources: frozenset[EventKey] | None = field(init=False)

    def __post_init__(self) -> None:
        self._sources = hook_sources(self.hooks)
        self._pool: ResourcePool | None = None

    def resource_pool(self) -> ResourcePool:
        if self._pool is None:
            self._pool = ResourcePool(self.env, dict(self.resources), self.seeds)
        return self._pool

    def listens(self, product: str, event_type: str) -> bool:
        """Whether a fired event of this kind goes to the hooks (no FiredEvent is built
        for events no hook listens to)."""
        if not self.hooks:
            return False
        return self._sources is None or (product, event_type) in self._sources

    def attribute(self, name: str, row: int) -> Any:
        values = self.column_cache.get(name)
        if values is None:
            if name in self.columns:
                values = self.columns[name].tolist()
            elif self.table is not None and name in self.table.column_names:
                values = self.table[name].to_pylist()
            else:
                raise KeyError(name)
            self.column_cache[name] = values
        return values[row]

    def dispatch(self, event: FiredEvent) -> None:
        key = (event.product, event.event_type)
        for hook in self.hooks:
            sources = getattr(hook, "sources", None)
            if sources is None or key in sources:
                hook(self, event)

    def emit(
        self,
        person: PersonState,
        *,
        product: str,
        event_type: str,
        definition_id: str,
        journey_id: str,
        parameters: Mapping[str, Any],
        caused_by: str | None,
        depth: int = 1,
        time_days: float | None = None,
    ) -> FiredEvent | None:
        """Records an event now (or at ``time_days``, not before now) and dispatches it to
        the hooks that listen to its kind; returns it as they received it.

        Events at or past the horizon are not recorded; then, and when no hook listens to the
        event, None is returned."""
        time = self.env.now if time_days is None else max(float(time_days), self.env.now)
        code = self.buffer.code(product, event_type, definition_id, journey_id)
        return self.record(person, code, time, parameters, caused_by, depth)

    def record(
        self,
        person: PersonState,
        code: int,
        time: float,
        parameters: Mapping[str, Any],
        caused_by: str | None,
        depth: int,
    ) -> FiredEvent | None:
        """``emit`` with the names already coded (``buffer.code``): the triggers' hot path."""
        if time >= self.horizon_days:
            return None
        person.sequence += 1
        sequence = person.sequence
        buffer = self.buffer
        buffer.rows.append(person.row)
        buffer.codes.append(code)
        buffer.sequences.append(sequence)
        buffer.times.append(time)
        buffer.parameters.append(_ENCODER.encode(parameters))
        buffer.causes.append(caused_by)
        product, event_type, definition_id, journey_id = buffer.names[code]
        if not self.listens(product, event_type):
            return None
        fired = FiredEvent(
            event_id(person.person_id, sequence),
            person,
            product,
            event_type,
            definition_id,
            journey_id,
            time,
            parameters,
            caused_by,
            depth,
        )
        self.dispatch(fired)
        return fired
