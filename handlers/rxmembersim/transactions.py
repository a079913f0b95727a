"""``transactions``: the ``pharmacy_claims`` table, NCPDP-like transactions. ``billing`` (B1)
rows are paid, reversed (paid, then taken back) or rejected; a ``reversal`` (B2) row repeats
the reversed claim's amounts negated and points at it, so summing ``paid_usd`` over every row
equals the sum over the paid rows."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.rxmembersim.billing import REJECTED, STATUSES, Billing, claim_ids, reject_codes
from handlers.rxmembersim.codes import codes
from handlers.rxmembersim.cost_sharing import MONEY
from handlers.rxmembersim.dates import dates
from handlers.rxmembersim.priced_claims import PricedClaims
from handlers.rxmembersim.reversals import Reversals
from handlers.rxmembersim.sorting import stable_order

__all__ = ["CLAIM_SCHEMA", "transactions"]

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
_TRANSACTION_TYPES = pa.array(["billing", "reversal"], pa.string())
#: the fills' columns a transaction repeats, in the table's order
_FILL_COLUMNS = (
    "fill_id",
    "rx_member_id",
    "person_id",
    "rxnorm",
    "ndc",
    "quantity",
    "days_supply",
    "formulary_tier",
    "pharmacy_ncpdp_id",
)


def transactions(
    bill: Billing,
    money: dict[str, np.ndarray],
    reversals: Reversals,
    claims: PricedClaims,
    prior_authorization_reject_code: str | None,
    start_date: dt.date,
) -> pa.Table:
    """The billing rows (with their ``MONEY``) and a reversal row of each of ``reversals``
    (each of a claim with a paid billing row), in order: by member (in the order members first
    appear: by person), then time; a rejection before its rebill, a claim before its
    reversal. Each row is taken from its claim's sources at once."""
    n_bills = bill.claim.size
    bill_of_claim = np.zeros(claims.fill_row.size, dtype=np.int64)
    billings = np.flatnonzero(~bill.awaiting)  # not the rejections awaiting approval
    bill_of_claim[bill.claim[billings]] = billings
    row_bill = np.concatenate([np.arange(n_bills), bill_of_claim[reversals.claim_row]])
    is_reversal = np.arange(row_bill.size) >= n_bills
    row_at = np.concatenate([bill.at, reversals.reversed_at])
    order = _in_order(
        claims.member_row[bill.claim[row_bill]], row_at, bill.status[row_bill], is_reversal
    )
    row_bill, is_reversal, at = row_bill[order], is_reversal[order], row_at[order]
    claim = bill.claim[row_bill]
    # each row's event: its claim's, or (after the claims) its reversal's
    n_claims = claims.events.num_rows
    event = pa.array(np.where(is_reversal, n_claims + order - n_bills, claim))
    event_id = _concatenated(claims.events["event_id"], reversals.events["event_id"]).take(event)
    caused_by = _concatenated(claims.events["caused_by"], reversals.events["caused_by"])
    of_fills = claims.of_fills(_FILL_COLUMNS, claim)
    columns = {
        "claim_id": claim_ids(event_id, bill.awaiting[row_bill]),
        "transaction_type": _TRANSACTION_TYPES.take(pa.array(is_reversal.astype(np.int8))),
        **{name: of_fills[name] for name in _FILL_COLUMNS[:3]},
        "event_id": event_id,
        "caused_by": caused_by.take(event),
        "service_date": dates(bill.at[row_bill], start_date),
        "claim_date": dates(at, start_date),
        **{name: of_fills[name] for name in _FILL_COLUMNS[3:-1]},
        "benefit_plan_id": claims.benefit_plan_id.take(pa.array(claim)),
        **claims.of_members(("bin", "pcn", "rx_group"), claim),
        "pharmacy_ncpdp_id": of_fills["pharmacy_ncpdp_id"],
        "ingredient_cost_usd": _negated_where(is_reversal, claims.ingredient_cost_usd[claim]),
        "dispensing_fee_usd": _negated_where(is_reversal, claims.dispensing_fee_usd[claim]),
        "gross_amount_due_usd": _negated_where(is_reversal, claims.gross_amount_due_usd[claim]),
        **{name: _negated_where(is_reversal, money[name][row_bill]) for name in MONEY},
        "status": STATUSES.take(pa.array(bill.status[row_bill])),
        "reject_code": reject_codes(prior_authorization_reject_code).take(
            pa.array(bill.reject[row_bill])
        ),
        "reverses_claim_id": _reversed_claim_ids(claims.events["event_id"], claim, is_reversal),
    }
    return pa.table(columns, schema=CLAIM_SCHEMA)


def _in_order(
    member_row: np.ndarray, at: np.ndarray, status: np.ndarray, is_reversal: np.ndarray
) -> np.ndarray:
    """By member, then time; a rejection before its rebill, a claim before its reversal."""
    member = codes(pa.array(member_row))  # in the order members first appear
    kind = np.where(is_reversal, 2, np.where(status == REJECTED, 0, 1))
    return stable_order(member, at, kind)


def _concatenated(*columns: pa.ChunkedArray) -> pa.ChunkedArray:
    chunks = [chunk for column in columns for chunk in column.chunks]
    return pa.chunked_array(chunks, columns[0].type)


def _negated_where(mask: np.ndarray, usd: np.ndarray) -> pa.Array:
    return pa.array(np.where(mask, -usd, usd))


def _reversed_claim_ids(
    event_id: pa.ChunkedArray, claim: np.ndarray, is_reversal: np.ndarray
) -> pa.Array:
    """On a reversal row, ``C`` + the event id of the claim it reverses; null on the others."""
    reversed_ids = pc.binary_join_element_wise("C", event_id.take(claim[is_reversal]), "")
    nulls = pa.nulls(claim.size, pa.string())
    return pc.replace_with_mask(nulls, pa.array(is_reversal), reversed_ids.combine_chunks())
