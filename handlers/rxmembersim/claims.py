"""``pharmacy_claims``: each pharmacy_claim event priced from the drug table and adjudicated
under the member's benefit plan; prior-authorization rejections with their approved rebills;
reversals as rows of their own pointing at the claim they reverse (``transactions``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import HandlerContext
from handlers.rxmembersim.billing import (
    PAID,
    REJECTED,
    REVERSED,
    STATUSES,
    Billing,
    billing_rows,
    claim_ids,
)
from handlers.rxmembersim.config import PharmacyBenefit
from handlers.rxmembersim.cost_sharing import MONEY, cost_sharing
from handlers.rxmembersim.dates import dates
from handlers.rxmembersim.priced_claims import PricedClaims, priced_claims
from handlers.rxmembersim.prior_auth import approval_delays
from handlers.rxmembersim.reversals import first_reversals
from handlers.rxmembersim.transactions import transactions

__all__ = ["Dispensing", "pharmacy_claims"]


@dataclass(frozen=True)
class Dispensing:
    """What the claims decide about each fill (aligned with the fills' rows)."""

    #: days from the fill event to the dispensing (a prior-authorization wait), 0 otherwise
    delay_days: np.ndarray
    #: paid, reversed, or rejected (prior authorization not granted before the horizon)
    status: pa.Array


def pharmacy_claims(
    claim_events: pa.Table,
    reversal_events: pa.Table,
    fills: pa.Table,
    members: pa.Table,
    config: PharmacyBenefit,
    context: HandlerContext,
) -> tuple[pa.Table, Dispensing]:
    """The claims of ``claim_events`` (the pharmacy_claim events of rx members, as recorded)
    with their ``pharmacy_claim_reversal`` events, and what became of each fill."""
    claims = priced_claims(claim_events, fills, members, config)
    covered = claims.covered
    time = claims.events["time_days"].to_numpy()
    horizon = context.horizon_days
    delay, rejected_first = _prior_authorization(claims, covered, config, context)
    paid_at = time + delay
    dispensed = paid_at < horizon  # an approval after the horizon leaves only the rejection
    reversals = first_reversals(reversal_events, claims.events["event_id"], delay, horizon)
    reversed_ = np.zeros(time.size, dtype=bool)
    reversed_[reversals.claim_row] = True
    bill = billing_rows(
        covered=covered,
        dispensed=dispensed,
        rejected_first=rejected_first,
        reversed_=reversed_,
        paid_at=paid_at,
        time_days=time,
    )
    rule = config.prior_authorization
    table = transactions(
        bill,
        _cost_shares(bill, claims, config, context),
        # a reversal of a claim that was never paid reverses nothing
        reversals.where(dispensed[reversals.claim_row] & covered[reversals.claim_row]),
        claims,
        rule.reject_code if rule else None,
        context.start_date,
    )
    return table, _dispensing(claims, delay, dispensed, reversed_)


def _prior_authorization(
    claims: PricedClaims, covered: np.ndarray, config: PharmacyBenefit, context: HandlerContext
) -> tuple[np.ndarray, np.ndarray]:
    """Each claim's wait for a prior authorization, days, and whether it is rejected first."""
    n = claims.fill_row.size
    delay, rejected = np.zeros(n), np.zeros(n, dtype=bool)
    rule = config.prior_authorization
    if rule is None or n == 0:
        return delay, rejected
    fills = claims.fills
    needs = pc.or_(
        pc.is_in(fills["rxnorm"], pa.array(rule.rxnorm, pa.string())),
        pc.is_in(fills["drug_class"], pa.array(rule.drug_classes, pa.string())),
    ).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(needs[claims.fill_row] & covered)
    if rows.size:
        subset = fills.take(pa.array(claims.fill_row[rows]))
        delay[rows], rejected[rows] = approval_delays(
            rule,
            person_index=subset["person_index"].to_pylist(),
            rxnorm=subset["rxnorm"].to_pylist(),
            time_days=subset["time_days"].to_pylist(),
            context=context,
        )
    return delay, rejected


def _cost_shares(
    bill: Billing, claims: PricedClaims, config: PharmacyBenefit, context: HandlerContext
) -> dict[str, np.ndarray]:
    """``MONEY`` of each billing row: cost sharing of those with drug coverage, 0 otherwise."""
    insured = np.flatnonzero(claims.covered[bill.claim])
    claim = bill.claim[insured]
    shares = cost_sharing(
        pa.table(
            {
                "claim_id": claim_ids(
                    claims.events["event_id"].take(pa.array(claim)), bill.awaiting[insured]
                ),
                **claims.of_fills(("rx_member_id",), claim),
                **claims.of_members(("household_id",), claim),
                "benefit_plan_id": claims.benefit_plan_id.take(pa.array(claim)),
                "service_date": dates(bill.at[insured], context.start_date),
                **claims.of_fills(("formulary_tier",), claim),
                "gross_amount_due_usd": pa.array(claims.gross_amount_due_usd[claim]),
                "status": STATUSES.take(pa.array(bill.status[insured])),
            }
        ),
        config,
    )
    money = {name: np.zeros(bill.claim.size) for name in MONEY}
    for name in MONEY:
        money[name][insured] = shares[name]
    return money


def _dispensing(
    claims: PricedClaims, delay: np.ndarray, dispensed: np.ndarray, reversed_: np.ndarray
) -> Dispensing:
    n_fills, fill_row = claims.fills.num_rows, claims.fill_row
    fill_delay = np.zeros(n_fills)
    fill_delay[fill_row] = delay
    status = np.full(n_fills, PAID, dtype=np.int8)
    status[fill_row[reversed_]] = REVERSED
    status[fill_row[~dispensed]] = REJECTED
    return Dispensing(fill_delay, STATUSES.take(pa.array(status)))
