"""Event parameters as string columns: each distinct JSON text parsed once (events repeat a
few parameter sets thousands of times), all of them in one pass rather than row by row."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

__all__ = ["parameter_columns"]


def parameter_columns(events: pa.Table, names: Sequence[str]) -> dict[str, pa.Array]:
    """The ``names`` of each event's ``parameters`` JSON as string arrays (null when absent).

    Arrow parses the distinct texts in one pass; if a value is not a string (a journey wrote
    ``cpt: 99213`` unquoted) the texts are parsed one by one and the value is turned to text.
    """
    if events.num_rows == 0:
        return {name: pa.array([], pa.string()) for name in names}
    parameters = events["parameters"].combine_chunks()
    if parameters.null_count:
        raise ValueError("events.parameters: every event has a JSON object")
    texts = parameters.dictionary_encode()
    values = _parsed(texts.dictionary, names)
    return {name: values[name].take(texts.indices) for name in names}


def _parsed(texts: pa.Array, names: Sequence[str]) -> dict[str, pa.Array]:
    schema = pa.schema([(name, pa.string()) for name in names])
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    try:
        table = pj.read_json(pa.BufferReader(_json_lines(texts)), parse_options=options)
        return {name: table[name].combine_chunks() for name in names}
    except pa.ArrowInvalid:
        rows = [json.loads(text) for text in texts.to_pylist()]
        return {
            name: pa.array([_text(row.get(name)) for row in rows], pa.string()) for name in names
        }


def _json_lines(texts: pa.Array) -> pa.Buffer:
    """The JSON texts one a line, as the bytes Arrow holds them (no Python strings made)."""
    lines = pc.binary_join_element_wise(
        texts, pa.scalar("", texts.type), pa.scalar("\n", texts.type)
    )
    wide = pa.types.is_large_string(texts.type)
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64 if wide else np.int32)
    start, end = (int(offsets[lines.offset + i]) for i in (0, len(lines)))
    return lines.buffers()[2].slice(start, end - start)


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
