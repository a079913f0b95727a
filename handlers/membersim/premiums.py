"""``premiums``: one row per member per covered month, on plans with a ``premium_pmpm``.

A month covered only in part is charged for its covered days (the premium times covered days
over the month's days, rounded to cents); a plan without ``premium_pmpm`` (Medicaid, CHIP)
has no rows, a plan with 0 (many Medicare Advantage plans) has rows of 0.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa

from handlers.membersim.benefits import BenefitPlan
from handlers.membersim.distinct import per_distinct

__all__ = ["PREMIUM_SCHEMA", "premiums"]

PREMIUM_SCHEMA = pa.schema(
    [
        ("member_id", pa.string()),
        ("subscriber_id", pa.string()),
        ("plan_id", pa.string()),
        ("month", pa.date32()),
        ("covered_days", pa.int32()),
        ("premium_usd", pa.float64()),
    ]
)


def premiums(enrollments: pa.Table, plans: Mapping[str, BenefitPlan]) -> pa.Table:
    """The premium of each member for each month an enrollment span covers."""
    rates, plan = per_distinct(lambda p: plans[p].premium_pmpm, enrollments["plan_id"])
    pmpm = np.array([np.nan if r is None else r for r in rates], dtype=np.float64)[plan]
    charged = np.flatnonzero(~np.isnan(pmpm))
    columns = ["member_id", "subscriber_id", "plan_id", "start_date", "end_date"]
    spans = enrollments.select(columns).take(pa.array(charged))
    start = spans["start_date"].to_numpy().astype("datetime64[D]")
    end = spans["end_date"].to_numpy().astype("datetime64[D]")
    first_month = start.astype("datetime64[M]")
    months = (end.astype("datetime64[M]") - first_month).astype(np.int64) + 1
    span = np.repeat(np.arange(charged.size), months)
    offset = np.arange(span.size) - np.repeat(np.cumsum(months) - months, months)
    month = first_month[span] + offset
    month_start = month.astype("datetime64[D]")
    next_month = (month + 1).astype("datetime64[D]")
    covered = (np.minimum(end[span] + 1, next_month) - np.maximum(start[span], month_start)).astype(
        np.int64
    )
    month_days = (next_month - month_start).astype(np.int64)
    amount = np.round(pmpm[charged][span] * covered / month_days * 100) / 100
    take = pa.array(span)
    return pa.table(
        {
            "member_id": spans["member_id"].take(take),
            "subscriber_id": spans["subscriber_id"].take(take),
            "plan_id": spans["plan_id"].take(take),
            "month": pa.array(month_start, pa.date32()),
            "covered_days": pa.array(covered.astype(np.int32)),
            "premium_usd": pa.array(amount),
        },
        schema=PREMIUM_SCHEMA,
    )
