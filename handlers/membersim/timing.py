"""Claim lag: days from receipt (the claim event's date) to the remittance (``paid_date``).

Clean claims: prompt-pay rules give payers about 15-45 days for clean electronic claims
(Medicare 30: Social Security Act sections 1816(c) and 1842(c); state prompt-pay laws mostly
15-45), and most pay well
inside that: a median of about 11 days after receipt for professional claims and 15 for
inpatient claims, so with the 1-7 day submission lag of the default triggers a clean claim is
paid about 14-20 days after the service. Original Medicare may not pay an electronic claim
before its 14th day (the payment floor of the same sections), so it pays on days 15-30.
Denials take longer (claims pended for review, a median of about 16 days), and a corrected
claim is resubmitted after a median of about 14 days and then processed as a clean claim.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from handlers.membersim.draws import log_normal_quantile

__all__ = ["CLEAN", "CORRECTION", "DENIAL", "MEDICARE_FLOOR_DAYS", "Lag", "remittance_days"]


@dataclass(frozen=True)
class Lag:
    """Whole days: a truncated log-normal rounded up."""

    median: float
    sigma: float
    low: float
    high: float

    def days(self, u: np.ndarray) -> np.ndarray:
        draws = log_normal_quantile(
            u, median=self.median, sigma=self.sigma, low=self.low, high=self.high
        )
        return np.ceil(draws).astype(np.int64)


CLEAN = {
    "professional": Lag(median=11, sigma=0.5, low=2, high=60),
    "institutional": Lag(median=15, sigma=0.5, low=3, high=90),
}
MEDICARE_FLOOR_DAYS = 14
#: after the payment floor, up to day 30
MEDICARE_AFTER_FLOOR = Lag(median=2, sigma=0.8, low=0.5, high=16)
DENIAL = Lag(median=16, sigma=0.5, low=3, high=90)
CORRECTION = Lag(median=14, sigma=0.6, low=2, high=120)


def remittance_days(
    claim_type: np.ndarray,
    medicare_ffs: np.ndarray,
    denied: np.ndarray,
    resubmitted: np.ndarray,
    u: np.ndarray,
) -> np.ndarray:
    """Days from receipt to remittance per claim; ``u`` has four uniform columns (clean
    processing, denial, correction, processing of the corrected claim)."""
    clean = np.empty(claim_type.size, dtype=np.int64)
    again = np.empty(claim_type.size, dtype=np.int64)
    for kind, lag in CLEAN.items():
        rows = claim_type == kind
        clean[rows] = lag.days(u[rows, 0])
        again[rows] = lag.days(u[rows, 3])
    floor = MEDICARE_FLOOR_DAYS + MEDICARE_AFTER_FLOOR.days(u[:, 0])
    floor_again = MEDICARE_FLOOR_DAYS + MEDICARE_AFTER_FLOOR.days(u[:, 3])
    clean = np.where(medicare_ffs, floor, clean)
    again = np.where(medicare_ffs, floor_again, again)
    denial = DENIAL.days(u[:, 1])
    corrected = denial + CORRECTION.days(u[:, 2]) + again
    return np.where(resubmitted, corrected, np.where(denied, denial, clean))
