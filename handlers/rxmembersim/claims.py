"""``pharmacy_claims``: each pharmacy_claim event priced from the drug table and adjudicated
under the member's benefit plan; prior-authorization rejections with their approved rebills;
reversals as rows of their own pointing at the claim they reverse.

Rows are NCPDP-like transactions: ``billing`` (B1) rows are paid, reversed (paid, then taken
back) or rejected; a ``reversal`` (B2) row repeats the reversed claim's amounts negated, so
summing ``paid_usd`` over every row equals the sum over the paid rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import HandlerContext
from handlers.rxmembersim.config import PharmacyBenefit
from handlers.rxmembersim.cost_sharing import MONEY, cost_sharing
from handlers.rxmembersim.prior_auth import approval_delays
from sim.errors import SpecError

__all__ = [
    "CLAIM_SCHEMA",
    "EVENT_COLUMNS",
    "NOT_COVERED_REJECT_CODE",
    "Dispensing",
    "pharmacy_claims",
]

#: NCPDP reject code 65: Patient Is Not Covered
NOT_COVERED_REJECT_CODE = "65"

CLAIM_SCHEMA = pa.schema(
    [
        ("claim_id", pa.string()),
        ("transaction_type", pa.string()),
        ("fill_id", pa.string()),
        ("rx_member_id", pa.string()),
        ("person_id", pa.string()),
        ("event_id", pa.string()),
        ("caused_by", pa.string()),
        ("service_date", pa.date32()),
        ("claim_date", pa.date32()),
        ("rxnorm", pa.string()),
        ("ndc", pa.string()),
        ("quantity", pa.float64()),
        ("days_supply", pa.int32()),
        ("formulary_tier", pa.int8()),
        ("benefit_plan_id", pa.string()),
        ("bin", pa.string()),
        ("pcn", pa.string()),
        ("rx_group", pa.string()),
        ("pharmacy_ncpdp_id", pa.string()),
        ("ingredient_cost_usd", pa.float64()),
        ("dispensing_fee_usd", pa.float64()),
        ("gross_amount_due_usd", pa.float64()),
        ("copay_usd", pa.float64()),
        ("deductible_usd", pa.float64()),
        ("coinsurance_usd", pa.float64()),
        ("patient_pay_usd", pa.float64()),
        ("paid_usd", pa.float64()),
        ("status", pa.string()),
        ("reject_code", pa.string()),
        ("reverses_claim_id", pa.string()),
    ]
)


@dataclass(frozen=True)
class Dispensing:
    """What the claims decide about each fill (aligned with the fills' rows)."""

    #: days from the fill event to the dispensing (a prior-authorization wait), 0 otherwise
    delay_days: np.ndarray
    #: paid, reversed, or rejected (prior authorization not granted before the horizon)
    status: np.ndarray


def pharmacy_claims(
    claim_events: pa.Table,
    reversal_events: pa.Table,
    fills: pa.Table,
    members: pa.Table,
    config: PharmacyBenefit,
    context: HandlerContext,
) -> tuple[pa.Table, Dispensing]:
    """The claims of the fills' ``pharmacy_claim`` events (with their
    ``pharmacy_claim_reversal`` events), and what became of each fill."""
    claims = _claim_events(claim_events, fills, members)
    fill_row = pc.index_in(claims["caused_by"], fills["event_id"]).to_numpy()
    f = fills.select(_FILL_COLUMNS).take(pa.array(fill_row))
    member_row = pc.index_in(f["rx_member_id"], members["rx_member_id"])
    plan = members["benefit_plan_id"].take(member_row)
    covered = pc.is_valid(plan).to_numpy(zero_copy_only=False)
    time = claims["time_days"].to_numpy()
    horizon = context.horizon_days

    delay, pa_rejected = _prior_authorization(f, covered, config, context)
    paid_at = time + delay
    dispensed = paid_at < horizon  # an approval after the horizon leaves only the rejection
    reversal, reversed_claim = _reversals(reversal_events, claims, delay, horizon)
    reversed_ = np.zeros(claims.num_rows, dtype=bool)
    reversed_[reversed_claim] = True

    fee = _dispensing_fees(plan, config)
    ingredient = np.round(f["unit_price_usd"].to_numpy() * f["quantity"].to_numpy(), 2)
    base = pa.table(
        {
            **{name: f[name] for name in _FILL_COLUMNS if name not in _NOT_CLAIMED},
            "event_id": claims["event_id"],
            "caused_by": claims["caused_by"],
            "benefit_plan_id": plan,
            **{name: members[name].take(member_row) for name in ("bin", "pcn", "rx_group")},
            "ingredient_cost_usd": pa.array(ingredient),
            "dispensing_fee_usd": pa.array(fee),
            "gross_amount_due_usd": pa.array(np.round(ingredient + fee, 2)),
        }
    )
    claim_id = pc.binary_join_element_wise("C", claims["event_id"], "")
    billed = _billing_rows(
        base,
        claim_id=claim_id,
        when=paid_at,
        status=np.where(~covered, "rejected", np.where(reversed_, "reversed", "paid")),
        reject_code=np.where(covered, None, NOT_COVERED_REJECT_CODE),
        context=context,
    ).filter(pa.array(dispensed))
    rejected = pa.array(pa_rejected)
    reject_code = config.prior_authorization.reject_code if config.prior_authorization else None
    rejections = _billing_rows(
        base.filter(rejected),
        claim_id=pc.binary_join_element_wise(claim_id.filter(rejected), "-PA", ""),
        when=time[pa_rejected],
        status=np.full(int(pa_rejected.sum()), "rejected"),
        reject_code=np.full(int(pa_rejected.sum()), reject_code),
        context=context,
    )
    billing = cost_sharing(pa.concat_tables([billed, rejections]), members, config)
    billing = billing.select(CLAIM_SCHEMA.names).cast(CLAIM_SCHEMA)
    reversals, reversed_at = _reversal_rows(
        billing.filter(pc.equal(billing["status"], "reversed")), claims, reversal, context
    )
    at = np.concatenate([paid_at[dispensed], time[pa_rejected], reversed_at])
    table = pa.concat_tables([billing, reversals])
    return _in_order(table, at), _dispensing(fills, fill_row, delay, dispensed, reversed_)


EVENT_COLUMNS = (
    "event_id",
    "person_index",
    "definition_id",
    "journey_id",
    "time_days",
    "caused_by",
)
_FILL_COLUMNS = (
    "fill_id",
    "rx_member_id",
    "person_id",
    "person_index",
    "time_days",
    "rxnorm",
    "ndc",
    "drug_class",
    "quantity",
    "days_supply",
    "formulary_tier",
    "unit_price_usd",
    "pharmacy_ncpdp_id",
)
_NOT_CLAIMED = ("person_index", "time_days", "drug_class", "unit_price_usd")


def _dispensing_fees(plan: pa.ChunkedArray, config: PharmacyBenefit) -> np.ndarray:
    """Each claim's dispensing fee by its benefit plan (0 without drug coverage)."""
    plans = pc.unique(plan).drop_null()
    fees = np.array([config.processor(p).dispensing_fee_usd for p in plans.to_pylist()] + [0.0])
    code = pc.index_in(plan, plans).fill_null(len(plans)).to_numpy()
    return fees[code]


def _in_order(table: pa.Table, at: np.ndarray) -> pa.Table:
    """Rows by member (in the order members first appear: by person), then time; a rejection
    before its rebill, a claim before its reversal."""
    member = pc.dictionary_encode(table["rx_member_id"].combine_chunks()).indices.to_numpy()
    kind = np.select(
        [
            pc.equal(table["transaction_type"], "reversal").to_numpy(zero_copy_only=False),
            pc.equal(table["status"], "rejected").to_numpy(zero_copy_only=False),
        ],
        [2, 0],
        1,
    )
    return table.take(pa.array(np.lexsort((kind, at, member))))


def _claim_events(claims: pa.Table, fills: pa.Table, members: pa.Table) -> pa.Table:
    """The pharmacy_claim events of rx members, by person and time; each must be caused by a
    fill."""
    claims = claims.select(EVENT_COLUMNS)
    claims = claims.filter(pc.is_in(claims["person_index"], members["person_index"]))
    orphan = pc.invert(pc.is_in(claims["caused_by"], fills["event_id"]).fill_null(False))
    if pc.any(orphan).as_py():
        row = claims.filter(orphan).slice(0, 1).to_pylist()[0]
        raise SpecError(
            f"pharmacy_claim event {row['event_id']} (journey '{row['journey_id']}') is not "
            "caused by a fill: a pharmacy claim adjudicates a dispensing",
            path=("events", row["definition_id"]),
            hint="make pharmacy claims with a trigger from rxmembersim.fill",
        )
    order = np.lexsort((claims["time_days"].to_numpy(), claims["person_index"].to_numpy()))
    return claims.take(pa.array(order))


def _prior_authorization(
    fills: pa.Table, covered: np.ndarray, config: PharmacyBenefit, context: HandlerContext
) -> tuple[np.ndarray, np.ndarray]:
    n = fills.num_rows
    delay, rejected = np.zeros(n), np.zeros(n, dtype=bool)
    rule = config.prior_authorization
    if rule is None or n == 0:
        return delay, rejected
    needs = pc.or_(
        pc.is_in(fills["rxnorm"], pa.array(rule.rxnorm, pa.string())),
        pc.is_in(fills["drug_class"], pa.array(rule.drug_classes, pa.string())),
    ).to_numpy(zero_copy_only=False)
    rows = np.flatnonzero(needs & covered)
    if rows.size:
        subset = fills.take(pa.array(rows))
        delay[rows], rejected[rows] = approval_delays(
            rule,
            person_index=subset["person_index"].to_pylist(),
            rxnorm=subset["rxnorm"].to_pylist(),
            time_days=subset["time_days"].to_pylist(),
            context=context,
        )
    return delay, rejected


def _reversals(
    reversals: pa.Table, claims: pa.Table, delay: np.ndarray, horizon: float
) -> tuple[pa.Table, np.ndarray]:
    """The reversal events recorded (the first of each claim, shifted like the claim by a
    prior-authorization wait, before the horizon) and the claim row each reverses."""
    claim_row = pc.index_in(reversals["caused_by"], claims["event_id"])
    reversals = reversals.select(["event_id", "time_days", "caused_by"])
    reversals = reversals.append_column("claim_row", claim_row).filter(pc.is_valid(claim_row))
    rows = reversals["claim_row"].to_numpy()
    at = reversals["time_days"].to_numpy() + delay[rows]
    reversals = reversals.append_column("reversed_at", pa.array(at)).filter(pa.array(at < horizon))
    reversals = reversals.sort_by([("claim_row", "ascending"), ("reversed_at", "ascending")])
    rows = reversals["claim_row"].to_numpy()
    first = np.ones(rows.size, dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    reversals = reversals.filter(pa.array(first))
    return reversals, reversals["claim_row"].to_numpy()


def _dates(time_days: np.ndarray, context: HandlerContext) -> pa.Array:
    start = np.datetime64(context.start_date, "D")
    return pa.array(start + np.floor(time_days).astype("timedelta64[D]"), pa.date32())


def _billing_rows(
    base: pa.Table,
    *,
    claim_id: pa.Array | pa.ChunkedArray,
    when: np.ndarray,
    status: np.ndarray,
    reject_code: np.ndarray,
    context: HandlerContext,
) -> pa.Table:
    dates = _dates(when, context)
    n = base.num_rows
    return (
        base.append_column("claim_id", claim_id)
        .append_column("transaction_type", pa.array(["billing"] * n, pa.string()))
        .append_column("service_date", dates)
        .append_column("claim_date", dates)
        .append_column("status", pa.array(status.tolist(), pa.string()))
        .append_column("reject_code", pa.array(reject_code.tolist(), pa.string()))
        .append_column("reverses_claim_id", pa.nulls(n, pa.string()))
    )


def _reversal_rows(
    reversed_claims: pa.Table, claims: pa.Table, reversals: pa.Table, context: HandlerContext
) -> tuple[pa.Table, np.ndarray]:
    """A reversal row for each reversed claim: its amounts negated, pointing at it; and the
    time of each. (A reversal event of a claim that was not paid reverses nothing.)"""
    claim_event = claims["event_id"].take(reversals["claim_row"])
    reversed_id = pc.binary_join_element_wise("C", claim_event, "")
    paid = pc.is_in(reversed_id, reversed_claims["claim_id"])
    reversals, reversed_id = reversals.filter(paid), reversed_id.filter(paid)
    original = reversed_claims.take(pc.index_in(reversed_id, reversed_claims["claim_id"]))
    n = original.num_rows
    table = original
    for name in ("ingredient_cost_usd", "dispensing_fee_usd", "gross_amount_due_usd", *MONEY):
        table = table.set_column(table.column_names.index(name), name, pc.negate(original[name]))
    at = reversals["reversed_at"].to_numpy()
    replaced = {
        "claim_id": pc.binary_join_element_wise("C", reversals["event_id"], ""),
        "transaction_type": pa.array(["reversal"] * n, pa.string()),
        "event_id": reversals["event_id"],
        "caused_by": reversals["caused_by"],
        "claim_date": _dates(at, context),
        "reverses_claim_id": reversed_id,
    }
    for name, values in replaced.items():
        table = table.set_column(table.column_names.index(name), name, values)
    return table.cast(CLAIM_SCHEMA), at


def _dispensing(
    fills: pa.Table,
    fill_row: np.ndarray,
    delay: np.ndarray,
    dispensed: np.ndarray,
    reversed_: np.ndarray,
) -> Dispensing:
    fill_delay = np.zeros(fills.num_rows)
    fill_delay[fill_row] = delay
    status = np.full(fills.num_rows, "paid", dtype=object)
    status[fill_row[reversed_]] = "reversed"
    status[fill_row[~dispensed]] = "rejected"
    return Dispensing(fill_delay, status)
