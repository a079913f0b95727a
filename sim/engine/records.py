"""The records of a shard's events, in chunks of columns, and their Arrow table (``events``).

Engines and the trigger cascade append chunks of numpy columns; names (product, event type,
definition, journey) are stored as a small integer code and resolved once per shard with Arrow
``take``. Each record carries its ordering key within its person: (time, depth, a, b, c), where
a journey event (depth 0) has (slot, plan order, occurrence) or the dynamic engine's commit
rank, and a triggered event (depth >= 1) has (priority, its cause's rank, trigger number). A
person's ``sequence`` (the number in ``event_id``) is the rank of that key, so it is fixed only
once every record of the shard is in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["EVENTS_SCHEMA", "EventBuffer", "EventChunk", "event_id"]

EVENTS_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("person_id", pa.string(), nullable=False),
        pa.field("person_index", pa.int64(), nullable=False),
        pa.field("product", pa.string(), nullable=False),
        pa.field("event_type", pa.string(), nullable=False),
        pa.field("definition_id", pa.string(), nullable=False),
        pa.field("journey_id", pa.string(), nullable=False),
        pa.field("time_days", pa.float64(), nullable=False),
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("caused_by", pa.string()),
        pa.field("parameters", pa.string(), nullable=False),
    ]
)
SEQUENCE_WIDTH = 4


def event_id(person_id: str, sequence: int) -> str:
    """The id of a person's ``sequence``-th event (the table builds the same text in bulk)."""
    return f"{person_id}-{sequence:0{SEQUENCE_WIDTH}d}"


@dataclass
class EventChunk:
    """Records as columns: shard ``rows``, name ``codes``, ``times`` (days), ``depth``, the
    ordering key ``a``, ``b``, ``c``, ``parameters`` (JSON text, an Arrow array), ``causes``
    (the index of the causing record in the buffer, -1 for none) and, for events a trigger
    listens to, the ``sources``' parameters as mappings (None elsewhere, or for the whole
    chunk)."""

    rows: np.ndarray
    codes: np.ndarray
    times: np.ndarray
    depth: np.ndarray
    a: np.ndarray
    b: np.ndarray
    c: np.ndarray
    parameters: pa.Array
    causes: np.ndarray
    sources: list[Mapping[str, Any] | None] | None = None

    def __len__(self) -> int:
        return int(self.rows.size)

    @staticmethod
    def concatenate(chunks: Sequence[EventChunk]) -> EventChunk:
        if len(chunks) == 1:
            return chunks[0]
        sources: list[Mapping[str, Any] | None] | None = None
        if any(chunk.sources is not None for chunk in chunks):
            sources = []
            for chunk in chunks:
                sources += chunk.sources if chunk.sources is not None else [None] * len(chunk)
        columns = ("rows", "codes", "times", "depth", "a", "b", "c", "causes")
        arrays = {name: np.concatenate([getattr(c, name) for c in chunks]) for name in columns}
        parameters = pa.concat_arrays([chunk.parameters for chunk in chunks])
        return EventChunk(**arrays, parameters=parameters, sources=sources)

    def take(self, index: np.ndarray) -> EventChunk:
        """The records at ``index`` (causes are not remapped: for level-0 records, which have
        none)."""
        listed = index.tolist()
        return EventChunk(
            self.rows[index],
            self.codes[index],
            self.times[index],
            self.depth[index],
            self.a[index],
            self.b[index],
            self.c[index],
            self.parameters.take(pa.array(index)),
            self.causes[index],
            None if self.sources is None else [self.sources[i] for i in listed],
        )


def chunk_of(
    rows: Any,
    codes: Any,
    times: Any,
    a: Any,
    parameters: list[str] | pa.Array,
    *,
    depth: int = 0,
    b: Any = 0,
    c: Any = 0,
    causes: Any = -1,
    sources: list[Mapping[str, Any] | None] | None = None,
) -> EventChunk:
    """A chunk from columns (lists or arrays); scalars are repeated."""
    rows = np.asarray(rows, dtype=np.int64)
    size = rows.size

    def column(value: Any, dtype: Any = np.int64) -> np.ndarray:
        array = np.asarray(value, dtype=dtype)
        return np.full(size, array, dtype=dtype) if array.ndim == 0 else array

    return EventChunk(
        rows,
        column(codes),
        column(times, np.float64),
        column(depth),
        column(a),
        column(b),
        column(c),
        parameters if isinstance(parameters, pa.Array) else pa.array(parameters, pa.string()),
        column(causes),
        sources,
    )


class EventBuffer:
    """The records of one shard: the name codes and the chunks."""

    def __init__(self) -> None:
        self.chunks: list[EventChunk] = []
        #: code -> (product, event_type, definition_id, journey_id)
        self.names: list[tuple[str, str, str, str]] = []
        self._code_of: dict[tuple[str, str, str, str], int] = {}

    def code(self, product: str, event_type: str, definition_id: str, journey_id: str) -> int:
        key = (product, event_type, definition_id, journey_id)
        code = self._code_of.get(key)
        if code is None:
            code = self._code_of[key] = len(self.names)
            self.names.append(key)
        return code

    def add(self, chunk: EventChunk) -> None:
        if len(chunk):
            self.chunks.append(chunk)

    def __len__(self) -> int:
        return sum(len(chunk) for chunk in self.chunks)

    def first_times(self, codes: Sequence[int], size: int) -> np.ndarray:
        """Per shard row, the time of its first record with one of ``codes`` (inf: none)."""
        first = np.full(size, np.inf)
        wanted = np.asarray(codes, dtype=np.int64)
        for chunk in self.chunks:
            hit = np.isin(chunk.codes, wanted)
            if hit.any():
                np.minimum.at(first, chunk.rows[hit], chunk.times[hit])
        return first

    def censor(self, last_times: np.ndarray) -> None:
        """Drops the records later than their row's ``last_times`` (before the triggers run:
        the causes of triggered records are not remapped)."""
        kept = []
        for chunk in self.chunks:
            keep = chunk.times <= last_times[chunk.rows]
            if keep.all():
                kept.append(chunk)
            elif keep.any():
                kept.append(chunk.take(np.flatnonzero(keep)))
        self.chunks = kept

    def to_table(
        self,
        person_ids: Sequence[str],
        person_indices: np.ndarray,
        start_date: dt.date,
    ) -> pa.Table:
        """Rows sorted by person (shard row) then sequence: the order does not depend on shards."""
        if not self.chunks:
            return EVENTS_SCHEMA.empty_table()
        every = EventChunk.concatenate(self.chunks)
        order = np.lexsort((every.c, every.b, every.a, every.depth, every.times, every.rows))
        rows = every.rows[order]
        count = rows.size
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        sizes = np.diff(np.r_[starts, count])
        sequences = np.arange(count) - np.repeat(starts, sizes) + 1
        codes = pa.array(every.codes[order])
        times = every.times[order]
        person_id = pa.array(person_ids, pa.string()).take(pa.array(rows))
        padded = pc.utf8_lpad(pa.array(sequences).cast(pa.string()), SEQUENCE_WIDTH, "0")
        event_ids = pc.binary_join_element_wise(person_id, padded, "-")
        columns = [
            pa.array(column, pa.string()).take(codes) for column in zip(*self.names, strict=True)
        ]
        days = np.floor(times).astype("timedelta64[D]")
        dates = np.datetime64(start_date, "D") + days
        arrays = [
            event_ids,
            person_id,
            pa.array(np.asarray(person_indices, dtype=np.int64)[rows]),
            *columns,
            pa.array(times),
            pa.array(dates, pa.date32()),
            _caused_by(every.causes[order], order, event_ids),
            every.parameters.take(pa.array(order)),
        ]
        return pa.Table.from_arrays(arrays, schema=EVENTS_SCHEMA)


def _caused_by(causes: np.ndarray, order: np.ndarray, event_ids: pa.Array) -> pa.Array:
    """The event ids of the causes (null where none), for records already in table order."""
    position = np.empty(order.size, dtype=np.int64)
    position[order] = np.arange(order.size)
    caused = causes >= 0
    index = np.where(caused, position[np.where(caused, causes, 0)], 0)
    return event_ids.take(pa.array(index, mask=~caused))
