"""Billed charges: a provider's chargemaster price is the Medicare amount times a markup drawn
per claim, the same whatever plan pays it (providers charge every payer the same list price).

Markups (the ratio of charges to Medicare's allowed amount or payment), rounded from CMS public
use files: in the Medicare Physician & Other Practitioners data, submitted charges run about
2-3 times the allowed amount for common services; in the Medicare Inpatient Hospitals data,
average covered charges run about 4-5 times Medicare's average total payment per stay. Both are
log-normal here, truncated to a plausible range. A plan's ``price_to_medicare`` must stay below
the lower bound, so that ``allowed <= billed`` on every claim.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from handlers.membersim.draws import log_normal_quantile

__all__ = ["MARKUPS", "Markup"]


@dataclass(frozen=True)
class Markup:
    median: float
    sigma: float
    low: float
    high: float

    def draw(self, u: np.ndarray) -> np.ndarray:
        """The markup for each uniform in ``u``."""
        return log_normal_quantile(
            u, median=self.median, sigma=self.sigma, low=self.low, high=self.high
        )


MARKUPS: dict[str, Markup] = {
    "professional": Markup(median=2.4, sigma=0.2, low=1.6, high=4.5),
    "institutional": Markup(median=4.5, sigma=0.25, low=3.0, high=9.0),
}
