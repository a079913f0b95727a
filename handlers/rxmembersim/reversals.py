"""Claim reversals: a ``pharmacy_claim_reversal`` event takes back the claim that caused it
(returned to stock). A claim is reversed once, by its first reversal before the horizon."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.rxmembersim.sorting import stable_order

__all__ = ["Reversals", "first_reversals"]


@dataclass(frozen=True)
class Reversals:
    """Reversal events and the claim each reverses, by claim."""

    #: event_id, caused_by
    events: pa.Table
    #: the row of the claim it reverses
    claim_row: np.ndarray
    #: days; shifted like its claim by a prior-authorization wait
    reversed_at: np.ndarray

    def where(self, keep: np.ndarray) -> Reversals:
        return Reversals(
            self.events.filter(pa.array(keep)), self.claim_row[keep], self.reversed_at[keep]
        )


def first_reversals(
    reversal_events: pa.Table,
    claim_event_id: pa.ChunkedArray,
    delay_days: np.ndarray,
    horizon_days: float,
) -> Reversals:
    """The first reversal of each claim (of ``claim_event_id``, ``delay_days`` late) before the
    horizon; reversal events of no claim reverse nothing."""
    claim_row = _claim_rows(reversal_events["caused_by"], claim_event_id)
    rows = np.flatnonzero(claim_row >= 0)
    claim_row = claim_row[rows]
    at = reversal_events["time_days"].to_numpy()[rows] + delay_days[claim_row]
    before = at < horizon_days
    rows, claim_row, at = rows[before], claim_row[before], at[before]
    order = stable_order(claim_row, at)
    first = np.ones(order.size, dtype=bool)
    first[1:] = claim_row[order][1:] != claim_row[order][:-1]
    pick = order[first]
    events = reversal_events.select(["event_id", "caused_by"]).take(pa.array(rows[pick]))
    return Reversals(events, claim_row[pick], at[pick])


def _claim_rows(caused_by: pa.ChunkedArray, claim_event_id: pa.ChunkedArray) -> np.ndarray:
    """The row of the claim that caused each reversal (the first with that event id), -1 for
    none: ``index_in`` the other way round, hashing the few reversals' causes rather than
    every claim's id."""
    ids = pc.unique(caused_by).drop_null()
    id_of_row = pc.index_in(claim_event_id, ids).fill_null(-1).to_numpy()
    rows = np.flatnonzero(id_of_row >= 0)
    found, first = np.unique(id_of_row[rows], return_index=True)
    row_of_id = np.full(len(ids) + 1, -1)  # the last for a null id
    row_of_id[found] = rows[first]
    return row_of_id[pc.index_in(caused_by, ids).fill_null(-1).to_numpy()]
