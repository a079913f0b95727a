"""Column buffers for fired events and their Arrow table (the ``events`` table).

The hot path appends plain values to lists; names (product, event type, definition, journey)
are stored as a small integer code and resolved once per shard with Arrow ``take``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["EVENTS_SCHEMA", "EventBuffer", "event_id"]

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


class EventBuffer:
    """The records of one shard, column by column."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.codes: list[int] = []
        self.sequences: list[int] = []
        self.times: list[float] = []
        self.parameters: list[str] = []
        self.causes: list[str | None] = []
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

    def __len__(self) -> int:
        return len(self.rows)

    def to_table(
        self,
        person_ids: Sequence[str],
        person_indices: np.ndarray,
        start_date: dt.date,
    ) -> pa.Table:
        """Rows sorted by person (shard row) then sequence: the order does not depend on shards."""
        if not self.rows:
            return EVENTS_SCHEMA.empty_table()
        rows = np.asarray(self.rows, dtype=np.int64)
        sequences = np.asarray(self.sequences, dtype=np.int64)
        order = np.lexsort((sequences, rows))
        rows, sequences = rows[order], sequences[order]
        codes = pa.array(np.asarray(self.codes, dtype=np.int64)[order])
        times = np.asarray(self.times, dtype=np.float64)[order]
        person_id = pa.array(person_ids, pa.string()).take(pa.array(rows))
        padded = pc.utf8_lpad(pa.array(sequences).cast(pa.string()), SEQUENCE_WIDTH, "0")
        columns = [
            pa.array(column, pa.string()).take(codes) for column in zip(*self.names, strict=True)
        ]
        days = np.floor(times).astype("timedelta64[D]")
        dates = np.datetime64(start_date, "D") + days
        arrays = [
            pc.binary_join_element_wise(person_id, padded, "-"),
            person_id,
            pa.array(np.asarray(person_indices, dtype=np.int64)[rows]),
            *columns,
            pa.array(times),
            pa.array(dates, pa.date32()),
            pa.array(self.causes, pa.string()).take(pa.array(order)),
            pa.array(self.parameters, pa.string()).take(pa.array(order)),
        ]
        return pa.Table.from_arrays(arrays, schema=EVENTS_SCHEMA)
