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
    _lists: dict[str, list] = field(default_factory=dict)

    def attribute(self, name: str, row: int) -> Any:
        values = self._lists.get(name)
        if values is None:
            if name in self.columns:
                values = self.columns[name].tolist()
            elif self.table is not None and name in self.table.column_names:
                values = self.table[name].to_pylist()
            else:
                raise KeyError(name)
            self._lists[name] = values
        return values[row]

    def dispatch(self, event: FiredEvent) -> None:
        for hook in self.hooks:
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
        """Records an event now (or at ``time_days``, not before now) and dispatches it.

        Events at or past the horizon are not recorded (None is returned)."""
        time = self.env.now if time_days is None else max(float(time_days), self.env.now)
        if time >= self.horizon_days:
            return None
        sequence = person.next_sequence()
        buffer = self.buffer
        buffer.rows.append(person.row)
        buffer.codes.append(buffer.code(product, event_type, definition_id, journey_id))
        buffer.sequences.append(sequence)
        buffer.times.append(time)
        buffer.parameters.append(_ENCODER.encode(parameters))
        buffer.causes.append(caused_by)
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
        if self.hooks:
            self.dispatch(fired)
        return fired
