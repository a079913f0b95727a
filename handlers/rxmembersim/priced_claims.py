"""``priced_claims``: the pharmacy_claim events by person and time, each with the fill that
caused it (a claim adjudicates a dispensing), the fill's member, and its price: the drug
table's unit price times the quantity, plus the dispensing fee of the processor of the
member's benefit plan."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.rxmembersim.config import PharmacyBenefit
from handlers.rxmembersim.sorting import stable_order
from sim.errors import SpecError

__all__ = ["PricedClaims", "priced_claims"]


@dataclass(frozen=True)
class PricedClaims:
    """Claim events with their fills, members and prices (aligned with ``events``' rows)."""

    #: event_id, caused_by, time_days
    events: pa.Table
    fills: pa.Table
    members: pa.Table
    fill_row: np.ndarray
    member_row: np.ndarray
    #: the member's; null without drug coverage
    benefit_plan_id: pa.ChunkedArray
    #: whether the member has drug coverage
    covered: np.ndarray
    ingredient_cost_usd: np.ndarray
    #: 0 without drug coverage
    dispensing_fee_usd: np.ndarray
    gross_amount_due_usd: np.ndarray

    def of_fills(self, names: tuple[str, ...], claim: np.ndarray) -> dict[str, pa.ChunkedArray]:
        """Columns ``names`` of the fills of these claims (rows)."""
        rows = pa.array(self.fill_row[claim])
        return {name: self.fills[name].take(rows) for name in names}

    def of_members(self, names: tuple[str, ...], claim: np.ndarray) -> dict[str, pa.ChunkedArray]:
        """Columns ``names`` of the members of these claims (rows)."""
        rows = pa.array(self.member_row[claim])
        return {name: self.members[name].take(rows) for name in names}


def priced_claims(
    claim_events: pa.Table, fills: pa.Table, members: pa.Table, config: PharmacyBenefit
) -> PricedClaims:
    """The claims of ``claim_events`` (the pharmacy_claim events of rx members, as recorded)
    by person and time. Each must be caused by a fill of ``fills``."""
    fill_row = _fill_rows(claim_events, fills)
    order = stable_order(
        claim_events["person_index"].to_numpy(), claim_events["time_days"].to_numpy()
    )
    fill_row = fill_row[order]
    fill_person = fills["person_index"].take(pa.array(fill_row))
    member_row = pc.index_in(fill_person, members["person_index"]).to_numpy()
    plan = members["benefit_plan_id"].take(pa.array(member_row))
    fee = _dispensing_fees(members["benefit_plan_id"], config)[member_row]
    unit_price = fills["unit_price_usd"].to_numpy()[fill_row]
    ingredient = np.round(unit_price * fills["quantity"].to_numpy()[fill_row], 2)
    return PricedClaims(
        events=claim_events.select(["event_id", "caused_by", "time_days"]).take(pa.array(order)),
        fills=fills,
        members=members,
        fill_row=fill_row,
        member_row=member_row,
        benefit_plan_id=plan,
        covered=pc.is_valid(plan).to_numpy(zero_copy_only=False),
        ingredient_cost_usd=ingredient,
        dispensing_fee_usd=fee,
        gross_amount_due_usd=np.round(ingredient + fee, 2),
    )


def _fill_rows(claim_events: pa.Table, fills: pa.Table) -> np.ndarray:
    """The row of the fill that caused each claim; a claim caused by none is an error (the
    first of them as recorded)."""
    fill_row = pc.index_in(claim_events["caused_by"], fills["event_id"])
    if fill_row.null_count:
        orphan = int(np.flatnonzero(pc.is_null(fill_row).to_numpy(zero_copy_only=False))[0])
        row = claim_events.slice(orphan, 1).to_pylist()[0]
        raise SpecError(
            f"pharmacy_claim event {row['event_id']} (journey '{row['journey_id']}') is not "
            "caused by a fill: a pharmacy claim adjudicates a dispensing",
            path=("events", row["definition_id"]),
            hint="make pharmacy claims with a trigger from rxmembersim.fill",
        )
    return fill_row.to_numpy()


def _dispensing_fees(plan: pa.ChunkedArray, config: PharmacyBenefit) -> np.ndarray:
    """The dispensing fee of each benefit plan (0 without drug coverage)."""
    plans = pc.unique(plan).drop_null()
    fees = np.array([config.processor(p).dispensing_fee_usd for p in plans.to_pylist()] + [0.0])
    code = pc.index_in(plan, plans).fill_null(len(plans)).to_numpy()
    return fees[code]
