"""Values as integer codes numbered in order of first appearance (Arrow's
``dictionary_encode``), and the row where each code first appears."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["codes", "first_rows"]


def codes(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An integer per distinct value (nulls one too), in order of first appearance."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return pc.dictionary_encode(values, null_encoding="encode").indices.to_numpy()


def first_rows(coded: np.ndarray) -> np.ndarray:
    """The row where each code first appears, of codes numbered in order of appearance (as
    ``codes`` numbers them): where their running maximum grows."""
    running = np.maximum.accumulate(coded)
    return np.flatnonzero(np.diff(running, prepend=-1) > 0)
