"""Billing rows (NCPDP B1 transactions): one of each dispensed claim, then a rejection of each
claim that waited for a prior authorization; the status and reject code of each."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "NOT_COVERED_REJECT_CODE",
    "PAID",
    "REJECTED",
    "REVERSED",
    "STATUSES",
    "Billing",
    "billing_rows",
    "claim_ids",
    "reject_codes",
]

#: a claim's (and a fill's) status, as codes into STATUSES
PAID, REVERSED, REJECTED = 0, 1, 2
STATUSES = pa.array(["paid", "reversed", "rejected"], pa.string())
#: NCPDP reject code 65: Patient Is Not Covered
NOT_COVERED_REJECT_CODE = "65"
#: a billing row's reject code, as codes into ``reject_codes``
_NO_REJECT, _NOT_COVERED, _AWAITING_APPROVAL = 0, 1, 2


@dataclass(frozen=True)
class Billing:
    """The billing rows, each of one claim."""

    #: the claim's row (of the claims by person and time)
    claim: np.ndarray
    #: time of the transaction, days
    at: np.ndarray
    #: PAID, REVERSED or REJECTED
    status: np.ndarray
    #: a code into ``reject_codes``
    reject: np.ndarray
    #: the rejection of a claim awaiting a prior authorization (its rebill is another row)
    awaiting: np.ndarray


def billing_rows(
    *,
    covered: np.ndarray,
    dispensed: np.ndarray,
    rejected_first: np.ndarray,
    reversed_: np.ndarray,
    paid_at: np.ndarray,
    time_days: np.ndarray,
) -> Billing:
    """The billing rows of claims (one value per claim in each argument): those without drug
    coverage are rejected (not covered), reversed ones are ``REVERSED``; a claim rejected
    first for prior authorization gets a rejection at its own time besides the rebill (at
    ``paid_at``, if that comes before the horizon: ``dispensed``)."""
    billed, waited = np.flatnonzero(dispensed), np.flatnonzero(rejected_first)
    paid = np.where(reversed_[billed], REVERSED, PAID)
    return Billing(
        claim=np.concatenate([billed, waited]),
        at=np.concatenate([paid_at[billed], time_days[waited]]),
        status=np.concatenate(
            [np.where(covered[billed], paid, REJECTED), np.full(waited.size, REJECTED)]
        ),
        reject=np.concatenate(
            [
                np.where(covered[billed], _NO_REJECT, _NOT_COVERED),
                np.full(waited.size, _AWAITING_APPROVAL),
            ]
        ),
        awaiting=np.arange(billed.size + waited.size) >= billed.size,
    )


def claim_ids(event_id: pa.ChunkedArray, awaiting: np.ndarray) -> pa.ChunkedArray:
    """``C`` + the event id; ``-PA`` after it for a rejection awaiting prior authorization."""
    if not awaiting.any():
        return pc.binary_join_element_wise("C", event_id, "")
    suffix = pa.array(["", "-PA"], pa.string()).take(pa.array(awaiting.astype(np.int8)))
    return pc.binary_join_element_wise("C", event_id, suffix, "")


def reject_codes(prior_authorization_code: str | None) -> pa.Array:
    """The reject code of each ``Billing.reject`` code: none, not covered, or the prior
    authorization's."""
    return pa.array([None, NOT_COVERED_REJECT_CODE, prior_authorization_code], pa.string())
