"""What the persons of a shard share: their attributes, and the dynamic engine's environment.

``Attributes`` reads a person's attribute by shard row (columns turned into lists once, shared
by both engines and the trigger cascade). A ``ShardContext`` is one SimPy environment of the
dynamic engine (``sim.engine.process``) with its shared resources and its records.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import simpy

from sim.engine.records import EventChunk, chunk_of
from sim.engine.resources import ResourcePool, SharedResource
from sim.seeds import SeedTree

__all__ = ["Attributes", "DynamicRecords", "PersonState", "ShardContext", "parameters_json"]

# One encoder for every record: json.dumps with options builds a new encoder per call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def parameters_json(parameters: Mapping[str, Any]) -> str:
    """The ``parameters`` column's text: compact JSON with sorted keys."""
    return _ENCODER.encode(parameters)


class Attributes:
    """The shard's person attributes by name and row: the journeys' numpy columns, or any
    column of the persons table, as Python values (converted once per name)."""

    def __init__(self, columns: Mapping[str, np.ndarray], table: pa.Table | None = None) -> None:
        self.columns = columns
        self.table = table
        self._lists: dict[str, list] = {}

    def __call__(self, name: str, row: int) -> Any:
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


class DynamicRecords:
    """The dynamic engine's records as lists (one chunk at the end): the ordering key of a
    journey event is its person's commit rank."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.codes: list[int] = []
        self.ranks: list[int] = []
        self.times: list[float] = []
        self.parameters: list[str] = []
        self.sources: list[Mapping[str, Any] | None] = []

    def chunk(self) -> EventChunk:
        return chunk_of(
            self.rows, self.codes, self.times, self.ranks, self.parameters, sources=self.sources
        )


@dataclass(slots=True)
class PersonState:
    """One person in a shard: identity, the shard row of their attributes, their commits."""

    row: int
    person_index: int
    person_id: str
    shard: ShardContext
    sequence: int = 0

    def attribute(self, name: str) -> Any:
        return self.shard.attributes(name, self.row)

    def attributes(self, names: Sequence[str]) -> dict[str, Any]:
        return {name: self.shard.attributes(name, self.row) for name in names}


@dataclass
class ShardContext:
    """One environment of the dynamic engine and what its persons share."""

    env: simpy.Environment
    start_date: dt.date
    horizon_days: float
    seeds: SeedTree
    attributes: Attributes
    records: DynamicRecords
    #: (product, event_type) a trigger listens to: those records keep their parameters
    sources: frozenset[tuple[str, str]] = frozenset()
    #: shared resources by name (``sim.engine.resources``)
    resources: Mapping[str, SharedResource] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._pool: ResourcePool | None = None

    def resource_pool(self) -> ResourcePool:
        if self._pool is None:
            self._pool = ResourcePool(self.env, dict(self.resources), self.seeds)
        return self._pool
