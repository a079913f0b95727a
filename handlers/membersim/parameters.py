"""Event parameters as string columns, parsed at once rather than row by row."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.json as pj

__all__ = ["parameter_columns"]


def parameter_columns(events: pa.Table, names: Sequence[str]) -> dict[str, pa.Array]:
    """The ``names`` of each event's ``parameters`` JSON as string arrays (null when absent).

    Arrow parses the whole column in one pass; if a value is not a string (a journey wrote
    ``cpt: 99213`` unquoted) the rows are parsed one by one and the value is turned to text.
    """
    if events.num_rows == 0:
        return {name: pa.array([], pa.string()) for name in names}
    text = "\n".join(events["parameters"].to_pylist()).encode("utf-8")
    schema = pa.schema([(name, pa.string()) for name in names])
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
    try:
        table = pj.read_json(io.BytesIO(text), parse_options=options)
        return {name: table[name].combine_chunks() for name in names}
    except pa.ArrowInvalid:
        rows = [json.loads(p) for p in events["parameters"].to_pylist()]
        return {
            name: pa.array([_text(row.get(name)) for row in rows], pa.string()) for name in names
        }


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
