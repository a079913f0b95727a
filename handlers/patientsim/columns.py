"""Record tables are built column by column: a code table's answer is looked up once per
distinct code, and each column becomes an Arrow array of its schema's type in one call."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa

__all__ = ["per_value", "table", "taken"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def per_value(values: Sequence[K], function: Callable[[K], V]) -> list[V]:
    """``function`` of each value, called once per distinct value."""
    results = {value: function(value) for value in set(values)}
    return list(map(results.__getitem__, values))


def taken(values: pa.Array | pa.ChunkedArray, positions: np.ndarray) -> pa.Array:
    """``values`` at these positions; null where a position is -1 (none)."""
    indices = pa.array(positions, pa.int64(), mask=positions < 0)
    return pa.chunked_array(values).take(indices).combine_chunks()


def table(schema: pa.Schema, columns: Mapping[str, Any]) -> pa.Table:
    """The table of ``schema`` from its columns: Arrow arrays, numpy arrays or lists."""
    arrays = []
    for field in schema:
        column = columns[field.name]
        if isinstance(column, pa.Array | pa.ChunkedArray):
            arrays.append(column.cast(field.type))
        else:
            arrays.append(pa.array(column, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)
