"""``utilisation_summary``: claims and cost per member per year of a run, for its summary.

Exposure is member-years: the days members were covered (enrollment spans) over 365.25.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["SUMMARY_COLUMNS", "UtilisationSummary", "utilisation_summary"]

#: the columns ``utilisation_summary`` reads (a large run's claims are read back only so far)
SUMMARY_COLUMNS = {
    "members": ("member_id",),
    "enrollments": ("start_date", "end_date"),
    "claims": (
        "claim_type",
        "status",
        "initial_denial_code",
        "lag_days",
        "billed_usd",
        "allowed_usd",
        "paid_usd",
        "member_cost_share_usd",
    ),
}

_DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class UtilisationSummary:
    members: int
    member_years: float
    claims: int
    professional_claims: int
    institutional_claims: int
    claims_per_member_year: float
    billed_per_member_year_usd: float
    allowed_per_member_year_usd: float
    paid_per_member_year_usd: float
    member_cost_share_per_member_year_usd: float
    #: denied at the first remittance (some are corrected and paid later)
    initially_denied_share: float
    #: still denied at the end
    denied_share: float
    #: service to remittance, paid claims never denied
    median_clean_lag_days: float | None
    #: service to remittance, denied claims and corrected ones paid later
    median_denied_or_resubmitted_lag_days: float | None

    def as_dict(self) -> dict[str, float | int | None]:
        return asdict(self)

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs to print."""

        def days(value: float | None) -> str:
            return "-" if value is None else f"{value:g}"

        return [
            ("members", f"{self.members:,}"),
            ("member-years", f"{self.member_years:,.1f}"),
            (
                "claims",
                f"{self.claims:,} ({self.professional_claims:,} professional, "
                f"{self.institutional_claims:,} institutional)",
            ),
            ("claims per member-year", f"{self.claims_per_member_year:.2f}"),
            ("billed per member-year", f"${self.billed_per_member_year_usd:,.2f}"),
            ("allowed per member-year", f"${self.allowed_per_member_year_usd:,.2f}"),
            ("paid per member-year", f"${self.paid_per_member_year_usd:,.2f}"),
            (
                "member cost share per member-year",
                f"${self.member_cost_share_per_member_year_usd:,.2f}",
            ),
            ("claims denied at first", f"{self.initially_denied_share:.1%}"),
            ("claims denied in the end", f"{self.denied_share:.1%}"),
            ("median lag, clean claims (days)", days(self.median_clean_lag_days)),
            (
                "median lag, denied or resubmitted (days)",
                days(self.median_denied_or_resubmitted_lag_days),
            ),
        ]


def utilisation_summary(tables: Mapping[str, pa.Table]) -> UtilisationSummary:
    """From a run's ``members``, ``enrollments`` and ``claims`` tables."""
    enrollments, claims = tables["enrollments"], tables["claims"]
    covered_days = pc.subtract(
        enrollments["end_date"].cast(pa.int32()), enrollments["start_date"].cast(pa.int32())
    )
    # spans include both their first and last day
    member_years = ((pc.sum(covered_days).as_py() or 0) + enrollments.num_rows) / _DAYS_PER_YEAR

    def per_year(column: str) -> float:
        total = pc.sum(claims[column]).as_py() or 0.0
        return round(total / member_years, 2) if member_years else 0.0

    kinds = claims["claim_type"].to_numpy(zero_copy_only=False)
    status = claims["status"].to_numpy(zero_copy_only=False)
    first_denial = pc.is_valid(claims["initial_denial_code"]).to_numpy(zero_copy_only=False)
    lag = claims["lag_days"].to_numpy(zero_copy_only=False)
    clean = (status == "paid") & ~first_denial
    return UtilisationSummary(
        members=tables["members"].num_rows,
        member_years=round(member_years, 2),
        claims=claims.num_rows,
        professional_claims=int((kinds == "professional").sum()),
        institutional_claims=int((kinds == "institutional").sum()),
        claims_per_member_year=round(claims.num_rows / member_years, 3) if member_years else 0.0,
        billed_per_member_year_usd=per_year("billed_usd"),
        allowed_per_member_year_usd=per_year("allowed_usd"),
        paid_per_member_year_usd=per_year("paid_usd"),
        member_cost_share_per_member_year_usd=per_year("member_cost_share_usd"),
        initially_denied_share=_share(first_denial),
        denied_share=_share(status == "denied"),
        median_clean_lag_days=_median(lag[clean]),
        median_denied_or_resubmitted_lag_days=_median(lag[~clean]),
    )


def _share(flags: np.ndarray) -> float:
    return round(float(flags.mean()), 4) if flags.size else 0.0


def _median(values: np.ndarray) -> float | None:
    return float(np.median(values)) if values.size else None
