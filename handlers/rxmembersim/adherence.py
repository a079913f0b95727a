"""``adherence``: proportion of days covered (PDC) per member and drug class, PQA method.

Maintenance drugs only (the drug table's ``maintenance`` flag): a course of an antibiotic
has no adherence to measure. The measurement period runs from the member's first paid fill
of the class to the end of the horizon. A day is covered when a paid fill's supply covers
it. When fills of the same ingredient overlap, the later one's supply starts the day after
the earlier one runs out (the member finishes one before starting the next); fills of
different ingredients in the class cover days independently. Supply past the end of the
period is cut off. Reversed or rejected fills cover nothing. docs/rxmembersim.md works an
example by hand.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.rxmembersim.codes import codes
from handlers.rxmembersim.sorting import stable_order

__all__ = ["ADHERENCE_SCHEMA", "ADHERENT_PDC", "adherence"]

#: the PQA threshold: a member with PDC at or above it is adherent
ADHERENT_PDC = 0.8

ADHERENCE_SCHEMA = pa.schema(
    [
        ("rx_member_id", pa.string()),
        ("person_id", pa.string()),
        ("drug_class", pa.string()),
        ("first_fill_date", pa.date32()),
        ("period_end_date", pa.date32()),
        ("period_days", pa.int32()),
        ("days_covered", pa.int32()),
        ("fills", pa.int32()),
        ("pqa_denominator", pa.bool_()),
        ("pdc", pa.float64()),
        ("adherent", pa.bool_()),
    ]
)


def adherence(fills: pa.Table, start_date: dt.date, horizon_days: float) -> pa.Table:
    """PDC per (rx_member_id, drug_class) of ``fills`` (columns rx_member_id, person_id,
    drug_class, ingredient, maintenance, fill_date, days_supply, status); days count from
    ``start_date``, and the period ends with day ``ceil(horizon_days) - 1``."""
    paid = fills.select(_COLUMNS_READ).filter(
        pc.and_(pc.equal(fills["status"], "paid"), fills["maintenance"])
    )
    if paid.num_rows == 0:
        return ADHERENCE_SCHEMA.empty_table()
    paid_supply = paid["days_supply"].to_numpy().astype(np.int64)
    end_day = math.ceil(horizon_days)
    start = np.datetime64(start_date, "D")
    day = (paid["fill_date"].to_numpy().astype("datetime64[D]") - start).astype(np.int64)
    member, ingredient_code = (codes(paid[name]) for name in ("rx_member_id", "ingredient"))
    classes = pc.unique(paid["drug_class"]).sort()
    drug_class = pc.index_in(paid["drug_class"], classes).to_numpy()  # a member's, by name
    order = stable_order(member, drug_class, ingredient_code, day)
    paid = paid.select(["rx_member_id", "person_id", "drug_class"])
    day = day[order]
    supply = paid_supply[order]
    member_class = _starts(member[order], drug_class[order])
    ingredient = member_class | _starts(ingredient_code[order])

    # Supply shifted forward within an ingredient: end_k = max(day_k, end_{k-1}) + supply_k,
    # which unrolls to S_k + max_{j<=k}(day_j - S_{j-1}) with S the running supply.
    running = _grouped_cumsum(supply, ingredient)
    end = running + _grouped_cummax(day - (running - supply), ingredient)
    begin = np.minimum(end - supply, end_day)
    end = np.minimum(end, end_day)

    # Days covered by the union of the class's intervals, in order of their start.
    group = np.cumsum(member_class) - 1
    by_start = stable_order(group, begin)
    begin, end, group = begin[by_start], end[by_start], group[by_start]
    first_in_group = np.ones(group.size, dtype=bool)
    first_in_group[1:] = group[1:] != group[:-1]
    reach = _grouped_cummax(end, first_in_group)
    before = np.where(first_in_group, begin, np.roll(reach, 1))
    fresh = np.maximum(0, end - np.maximum(begin, before))
    covered = np.add.reduceat(fresh, np.flatnonzero(first_in_group))

    heads = np.flatnonzero(member_class)
    head_rows = pa.array(order[heads])
    first_day = np.minimum.reduceat(day, heads)
    period = end_day - first_day
    counts = np.diff(np.append(heads, day.size))
    new_date = np.ones(day.size, dtype=bool)
    new_date[1:] = (day[1:] != day[:-1]) | member_class[1:]
    distinct_dates = np.add.reduceat(new_date.astype(np.int64), heads)
    pdc = covered / period
    return pa.table(
        {
            "rx_member_id": paid["rx_member_id"].take(head_rows),
            "person_id": paid["person_id"].take(head_rows),
            "drug_class": paid["drug_class"].take(head_rows),
            "first_fill_date": pa.array(start + first_day.astype("timedelta64[D]"), pa.date32()),
            "period_end_date": pa.array(
                np.full(heads.size, start + np.timedelta64(end_day - 1, "D")), pa.date32()
            ),
            "period_days": pa.array(period, pa.int32()),
            "days_covered": pa.array(covered, pa.int32()),
            "fills": pa.array(counts, pa.int32()),
            "pqa_denominator": pa.array(distinct_dates >= 2),
            "pdc": pa.array(pdc),
            "adherent": pa.array(pdc >= ADHERENT_PDC),
        },
        schema=ADHERENCE_SCHEMA,
    )


_COLUMNS_READ = (
    "rx_member_id",
    "person_id",
    "drug_class",
    "ingredient",
    "fill_date",
    "days_supply",
)


def _starts(*keys: np.ndarray) -> np.ndarray:
    """True where any key differs from the row before (and on the first row)."""
    starts = np.zeros(keys[0].size, dtype=bool)
    starts[:1] = True
    for key in keys:
        starts[1:] |= key[1:] != key[:-1]
    return starts


def _grouped_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    total = np.cumsum(values)
    offset = np.maximum.accumulate(np.where(starts, total - values, 0))
    return total - offset


def _grouped_cummax(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Running maximum that restarts at each group: each group is lifted above all earlier
    ones by a constant wider than the values' range, so earlier maxima never win."""
    group = np.cumsum(starts) - 1
    span = int(values.max() - values.min()) + 1
    lifted = values + group * span
    return np.maximum.accumulate(lifted) - group * span
