"""Distinct values, and combinations of values, of columns. Claims repeat a few codes, plans,
places and roles thousands of times: a lookup or a rule runs once per combination and its result
is spread back over the rows (``per_distinct``); combinations are numbered in the order they
first appear (``first_seen_numbers``); a text column of a few values becomes a numpy array that
compares in C (``fixed_width_text``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pyarrow as pa

__all__ = ["first_rows_of", "first_seen_numbers", "fixed_width_text", "per_distinct"]

T = TypeVar("T")
#: combination keys stay below this, so that the next column cannot overflow an int64
_KEY_LIMIT = 2**62


def per_distinct(
    function: Callable[..., T], *columns: pa.Array | pa.ChunkedArray
) -> tuple[list[T], np.ndarray]:
    """``function(*values)`` once for each distinct combination of the columns' values (nulls
    are None), in the order the combinations first appear, and each row's index into those
    results."""
    number, codes, dictionaries = _numbered(columns)
    first_rows = first_rows_of(number)
    values = [
        [dictionary[c] for c in code[first_rows].tolist()]
        for code, dictionary in zip(codes, dictionaries, strict=True)
    ]
    return [function(*row) for row in zip(*values, strict=True)], number


def first_seen_numbers(*columns: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Each row's combination of the columns' values, numbered 0, 1, ... in the order the
    combinations first appear."""
    return _numbered(columns)[0]


def first_rows_of(number: np.ndarray) -> np.ndarray:
    """The row where each number of ``first_seen_numbers`` first appears, in number order."""
    # numbered as they first appear: a first appearance is a new maximum
    is_first = np.ones(number.size, dtype=bool)
    is_first[1:] = number[1:] > np.maximum.accumulate(number)[:-1]
    return np.flatnonzero(is_first)


def fixed_width_text(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A text column (no nulls) of few distinct values as a fixed-width numpy array, whose
    comparisons run without a Python call per row."""
    if column.null_count:
        raise ValueError("fixed_width_text: the column has nulls")
    code, dictionary = _encoded(column)
    return np.array(dictionary.to_pylist(), dtype=str)[code]


def _numbered(
    columns: tuple[pa.Array | pa.ChunkedArray, ...],
) -> tuple[np.ndarray, list[np.ndarray], list[list]]:
    """The combinations' numbers, and each column's value numbers and values."""
    if not columns:
        raise ValueError("a combination needs at least one column")
    key = np.zeros(len(columns[0]), dtype=np.int64)
    key_size = 1
    codes: list[np.ndarray] = []
    dictionaries: list[list] = []
    for column in columns:
        code, dictionary = _encoded(column)
        if key_size * len(dictionary) >= _KEY_LIMIT:
            key = _encoded(pa.array(key))[0]
            key_size = int(key.max()) + 1
        key = key * len(dictionary) + code
        key_size *= len(dictionary)
        codes.append(code)
        dictionaries.append(dictionary.to_pylist())
    number = codes[0] if len(columns) == 1 else _encoded(pa.array(key))[0]
    return number, codes, dictionaries


def _encoded(column: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Each value's number, in order of first appearance, and the values so numbered."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = column.dictionary_encode(null_encoding="encode")
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64), encoded.dictionary
