"""``stable_order``: the order of rows by several keys, as ``np.lexsort`` sorts them."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["stable_order"]


def stable_order(*keys: np.ndarray) -> np.ndarray:
    """The row order by ``keys``, the first key first, ties in row order: ``np.lexsort`` with
    the keys reversed, several times faster. Whole-number keys are packed into one number for
    numpy's stable sort; others go to Arrow's (stable too, and quick on rows mostly in order,
    as events and claims by person are)."""
    if keys[0].size == 0:
        return np.arange(0)
    packed = _packed(keys)
    if packed is not None:
        return np.argsort(packed, kind="stable")
    names = [str(k) for k in range(len(keys))]
    table = pa.table(dict(zip(names, keys, strict=True)))
    order = pc.sort_indices(table, sort_keys=[(name, "ascending") for name in names])
    return order.to_numpy().view(np.int64)  # row numbers, as np.lexsort's (not unsigned)


def _packed(keys: tuple[np.ndarray, ...]) -> np.ndarray | None:
    """One int64 per row that orders as the keys do (mixed radix, each key's range a digit),
    or None if a key is not whole numbers or the ranges' product would not fit."""
    if not all(key.dtype.kind in "bi" for key in keys):  # bools and signed integers
        return None
    lows = [int(key.min()) for key in keys]
    spans = [int(key.max()) - low + 1 for key, low in zip(keys, lows, strict=True)]
    if math.prod(spans) >= 2**63:
        return None
    packed = np.zeros(keys[0].size, dtype=np.int64)
    for key, low, span in zip(keys, lows, spans, strict=True):
        packed = packed * span + (key.astype(np.int64) - low)
    return packed
