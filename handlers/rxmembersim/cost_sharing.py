"""Cost sharing of pharmacy claims: ``handlers.membersim.adjudicate`` with the service
category ``rx_tier<formulary tier>``, the member's benefit plan and the household's
accumulators. Pharmacy claims keep their own accumulators, apart from medical claims."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.membersim import BenefitPlan, adjudicate
from handlers.rxmembersim.config import PharmacyBenefit

__all__ = ["MONEY", "cost_sharing"]

#: the columns cost sharing adds, in USD
MONEY = ("copay_usd", "deductible_usd", "coinsurance_usd", "patient_pay_usd", "paid_usd")
_RESULT_OF = {
    "copay_usd": "copay_usd",
    "deductible_usd": "deductible_usd",
    "coinsurance_usd": "coinsurance_usd",
    "patient_pay_usd": "member_cost_share_usd",
    "paid_usd": "paid_usd",
}


def cost_sharing(billing: pa.Table, members: pa.Table, config: PharmacyBenefit) -> pa.Table:
    """``billing`` with the member's and the plan's shares (``MONEY``) under each member's
    benefit plan, with accumulators per household and plan year. Rejected claims and members
    without drug coverage pay nothing.

    Reversed claims do not count toward later claims' deductibles and out-of-pocket limits
    (the reversal backs them out); each is priced as it was at the counter, with the
    accumulators of the claims before it."""
    covered = pc.is_valid(billing["benefit_plan_id"])
    rejected = pc.equal(billing["status"], "rejected").to_numpy(zero_copy_only=False)
    reversed_ = pc.equal(billing["status"], "reversed").to_numpy(zero_copy_only=False)
    money = {name: np.zeros(billing.num_rows) for name in MONEY}
    rows = np.flatnonzero(covered.to_numpy(zero_copy_only=False))
    if rows.size:
        member_row = pc.index_in(billing["rx_member_id"], members["rx_member_id"])
        claims = pa.table(
            {
                "claim_id": billing["claim_id"],
                "member_id": billing["rx_member_id"],
                "family_id": members["household_id"].take(member_row),
                "plan_id": billing["benefit_plan_id"],
                "service_date": billing["service_date"],
                "service_category": pc.binary_join_element_wise(
                    "rx_tier", billing["formulary_tier"].cast(pa.string()), ""
                ),
                "allowed": billing["gross_amount_due_usd"],
                "denied": pa.array(rejected | reversed_),
            }
        ).take(pa.array(rows))
        plans = {p: config.plan(p) for p in pc.unique(claims["plan_id"]).to_pylist()}
        first = adjudicate(claims, plans)
        for name, column in _RESULT_OF.items():
            money[name][rows] = first[column].to_numpy()
        if reversed_[rows].any():
            _price_reversed(claims, rows, reversed_[rows], plans, money)
    for name in MONEY:
        billing = billing.append_column(name, pa.array(money[name]))
    return billing


def _price_reversed(
    claims: pa.Table,
    rows: np.ndarray,
    reversed_: np.ndarray,
    plans: dict[str, BenefitPlan],
    money: dict[str, np.ndarray],
) -> None:
    """Prices reversed claims again, this time not denied, within their households only."""
    families = pc.unique(claims["family_id"].filter(pa.array(reversed_)))
    in_family = pc.is_in(claims["family_id"], families).to_numpy(zero_copy_only=False)
    subset = claims.filter(pa.array(in_family))
    denied = subset["denied"].to_numpy(zero_copy_only=False) & ~reversed_[in_family]
    index = subset.column_names.index("denied")
    again = adjudicate(subset.set_column(index, "denied", pa.array(denied)), plans)
    target = rows[in_family][reversed_[in_family]]
    for name, column in _RESULT_OF.items():
        money[name][target] = again[column].to_numpy()[reversed_[in_family]]
