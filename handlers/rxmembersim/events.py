"""``events_by_type``: the ``rxmembersim`` events ``records`` reads, each type with only the
columns read (``parameters`` is most of the events' bytes)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.rxmembersim.sorting import stable_order
from handlers.rxmembersim.streams import PRODUCT

__all__ = ["events_by_type"]

_LOCATED = ("event_id", "person_index", "definition_id", "journey_id", "time_days", "caused_by")
_COLUMNS_READ = {
    "fill": (*_LOCATED, "parameters"),
    "refill": ("event_id",),
    "pharmacy_claim": _LOCATED,
    "pharmacy_claim_reversal": ("event_id", "time_days", "caused_by"),
}


def events_by_type(events: pa.Table, members: pa.Table) -> dict[str, pa.Table]:
    """The fills of rx members by person and time (then in the order they were recorded), the
    pharmacy claims of rx members as recorded, and all refill requests and claim reversals as
    recorded. Rows are picked as indices and taken once (a filter, then a sort, would copy
    them twice)."""
    types = list(_COLUMNS_READ)
    type_code = pc.index_in(events["event_type"], value_set=pa.array(types, pa.string()))
    ours = pc.equal(events["product"], PRODUCT)
    type_code = pc.if_else(ours, type_code, None).fill_null(-1).to_numpy()
    person = events["person_index"].to_numpy()
    of_members = members["person_index"].to_numpy()
    by_type = {}
    for code, kind in enumerate(types):
        rows = np.flatnonzero(type_code == code)
        if kind in ("fill", "pharmacy_claim"):
            rows = rows[np.isin(person[rows], of_members)]
        if kind == "fill":
            rows = rows[stable_order(person[rows], events["time_days"].to_numpy()[rows])]
        by_type[kind] = events.select(_COLUMNS_READ[kind]).take(pa.array(rows))
    return by_type
