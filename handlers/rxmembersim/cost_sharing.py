"""Cost sharing of pharmacy claims: ``handlers.membersim.adjudicate`` with the service category
``rx_tier<formulary tier>``, the member's benefit plan and the household's accumulators.
Pharmacy claims keep their own accumulators, apart from medical claims."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.membersim import BenefitPlan, adjudicate
from handlers.rxmembersim.config import PharmacyBenefit

__all__ = ["MONEY", "cost_sharing"]

#: the amounts cost sharing decides, in USD
MONEY = ("copay_usd", "deductible_usd", "coinsurance_usd", "patient_pay_usd", "paid_usd")
_RESULT_OF = {
    "copay_usd": "copay_usd",
    "deductible_usd": "deductible_usd",
    "coinsurance_usd": "coinsurance_usd",
    "patient_pay_usd": "member_cost_share_usd",
    "paid_usd": "paid_usd",
}


def cost_sharing(billing: pa.Table, config: PharmacyBenefit) -> dict[str, np.ndarray]:
    """The member's and the plan's shares (``MONEY``) of each ``billing`` row of a member with
    drug coverage (claim_id, rx_member_id, household_id, benefit_plan_id, service_date,
    formulary_tier, gross_amount_due_usd, status) under the member's benefit plan, with
    accumulators per household and plan year. Rejected claims pay nothing.

    Reversed claims do not count toward later claims' deductibles and out-of-pocket limits
    (the reversal backs them out); each is priced as it was at the counter, with the
    accumulators of the claims before it."""
    if billing.num_rows == 0:
        return {name: np.zeros(0) for name in MONEY}
    rejected = pc.equal(billing["status"], "rejected").to_numpy(zero_copy_only=False)
    reversed_ = pc.equal(billing["status"], "reversed").to_numpy(zero_copy_only=False)
    claims = pa.table(
        {
            "claim_id": billing["claim_id"],
            "member_id": billing["rx_member_id"],
            "family_id": billing["household_id"],
            "plan_id": billing["benefit_plan_id"],
            "service_date": billing["service_date"],
            "service_category": _service_categories(billing["formulary_tier"]),
            "allowed": billing["gross_amount_due_usd"],
            "denied": pa.array(rejected | reversed_),
        }
    )
    plans = {p: config.plan(p) for p in pc.unique(claims["plan_id"]).to_pylist()}
    first = adjudicate(claims, plans)
    money = {name: first[column].to_numpy().copy() for name, column in _RESULT_OF.items()}
    if reversed_.any():
        _price_reversed(claims, reversed_, plans, money)
    return money


def _service_categories(formulary_tier: pa.ChunkedArray) -> pa.ChunkedArray:
    """``rx_tier<tier>``, made once per tier."""
    tiers = pc.unique(formulary_tier)
    names = pc.binary_join_element_wise("rx_tier", tiers.cast(pa.string()), "")
    return names.take(pc.index_in(formulary_tier, tiers))


def _price_reversed(
    claims: pa.Table,
    reversed_: np.ndarray,
    plans: dict[str, BenefitPlan],
    money: dict[str, np.ndarray],
) -> None:
    """Prices reversed claims again, this time not denied, within their households only, with
    the claims up to the household's last reversed one (later claims cannot change it)."""
    families = pc.unique(claims["family_id"].filter(pa.array(reversed_)))
    family = pc.index_in(claims["family_id"], families).fill_null(-1).to_numpy()
    day = claims["service_date"].cast(pa.int32()).to_numpy()
    last_reversed_day = np.full(len(families), np.iinfo(np.int32).min)
    np.maximum.at(last_reversed_day, family[reversed_], day[reversed_])
    in_family = (family >= 0) & (day <= last_reversed_day[family])
    subset = claims.filter(pa.array(in_family))
    denied = subset["denied"].to_numpy(zero_copy_only=False) & ~reversed_[in_family]
    index = subset.column_names.index("denied")
    again = adjudicate(subset.set_column(index, "denied", pa.array(denied)), plans)
    target = np.flatnonzero(in_family & reversed_)
    for name, column in _RESULT_OF.items():
        money[name][target] = again[column].to_numpy()[reversed_[in_family]]
