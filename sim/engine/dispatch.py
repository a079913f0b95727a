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


def _hears(hook: EventHook, key: EventKey) -> bool:
    """A hook with a ``sources`` attribute (a collection of (product, event_type)) hears only
    those; without one it hears everything."""
    sources = getattr(hook, "sources", None)
    return sources is None or key in sources


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

    def __post_init__(self) -> None:
        self._pool: ResourcePool | None = None
        #: the hooks that hear each (product, event_type), in registration order
        self._hooks_of: dict[EventKey, tuple[EventHook, ...]] = {}
        #: the same by the buffer's event code (the triggers' records)
        self._hooks_of_code: dict[int, tuple[EventHook, ...]] = {}

    def resource_pool(self) -> ResourcePool:
        if self._pool is None:
            self._pool = ResourcePool(self.env, dict(self.resources), self.seeds)
        return self._pool

    def listens(self, product: str, event_type: str) -> bool:
        """Whether a fired event of this kind goes to the hooks (no FiredEvent is built
        for events no hook listens to)."""
        return bool(self.hooks_of((product, event_type)))

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

    def hooks_of(self, key: EventKey) -> tuple[EventHook, ...]:
        """The hooks that hear events of this (product, event_type)."""
        hooks = self._hooks_of.get(key)
        if hooks is None:
            hooks = self._hooks_of[key] = tuple(h for h in self.hooks if _hears(h, key))
        return hooks

    def dispatch(self, event: FiredEvent) -> None:
        for hook in self.hooks_of((event.product, event.event_type)):
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
        if time >= self.horizon_days:
            return None
        code = self.buffer.code(product, event_type, definition_id, journey_id)
        text = _ENCODER.encode(parameters)
        return self.record(person, code, time, parameters, text, caused_by, depth)

    def record(
        self,
        person: PersonState,
        code: int,
        time: float,
        parameters: Mapping[str, Any],
        text: str,
        caused_by: str | None,
        depth: int,
    ) -> FiredEvent | None:
        """``emit`` with the names already coded (``buffer.code``) and the parameters already
        in JSON (``parameters_json``): the triggers' hot path."""
        if time >= self.horizon_days:
            return None
        person.sequence += 1
        sequence = person.sequence
        buffer = self.buffer
        buffer.rows.append(person.row)
        buffer.codes.append(code)
        buffer.sequences.append(sequence)
        buffer.times.append(time)
        buffer.parameters.append(text)
        buffer.causes.append(caused_by)
        hooks = self._hooks_of_code.get(code)
        if hooks is None:
            hooks = self._hooks_of_code[code] = self.hooks_of(buffer.names[code][:2])
        if not hooks:
            return None
        product, event_type, definition_id, journey_id = buffer.names[code]
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
        for hook in hooks:
            hook(self, fired)
        return fired
